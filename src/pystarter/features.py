"""``pystarter add FEATURE [VALUE]`` / ``remove FEATURE`` for the built-in templates: which
answer each feature changes, the option rules that must still hold, and what to run after."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pystarter.errors import UsageError
from pystarter.names import shown


@dataclass(frozen=True)
class Feature:
    name: str
    key: str
    on: Any
    """The answer ``add FEATURE`` gives; None: ``add`` needs a VALUE (``add ci gitlab``)."""
    off: Any


FEATURES: dict[str, Feature] = {
    feature.name: feature
    for feature in (
        Feature("celery", "use_celery", True, False),
        Feature("docker", "use_docker", True, False),
        Feature("auth", "use_auth", True, False),
        Feature("rest-api", "use_rest_api", True, False),
        Feature("ci", "ci", None, "none"),
        Feature("database", "database", None, "none"),
        Feature("deploy", "deploy", None, "none"),
    )
}


def feature_changes(feature: str, value: str | None, adding: bool) -> dict[str, Any]:
    """The answers ``add``/``remove`` changes; unknown features and values are usage errors."""
    known = FEATURES.get(feature)
    if known is None:
        raise UsageError(
            f"no feature {shown(feature)}",
            f"choose one of {', '.join(FEATURES)}, or give --data KEY=VALUE",
        )
    if not adding:
        if value is not None:
            raise UsageError(f"remove {feature} takes no value", f"run pystarter remove {feature}")
        return {known.key: known.off}
    if known.on is None:
        if value is None:
            from pystarter import options

            choices = [c for c in options.OPTIONS_BY_KEY[known.key].choices if c != known.off]
            raise UsageError(
                f"add {feature} needs a value",
                f"e.g. pystarter add {feature} {choices[0]} "
                f"(one of {', '.join(map(str, choices))})",
            )
        changes: dict[str, Any] = {known.key: value}
        if feature == "deploy":  # fly and compose run the image: Docker comes with them
            from pystarter.options import implied

            changes.update({k: v for k, v in implied(changes).items() if k == "use_docker"})
        return changes
    if value is not None:
        raise UsageError(f"add {feature} takes no value", f"run pystarter add {feature}")
    return {known.key: known.on}


def check_builtin(framework: str, answers: Mapping[str, Any], changes: Mapping[str, Any]) -> None:
    """The option rules of :mod:`pystarter.options` on the answers after the change."""
    from pystarter import options
    from pystarter.options import check_compatible, validate_choice

    for key, value in changes.items():
        validate_choice(key, value)
        option = options.OPTIONS_BY_KEY.get(key)
        if (
            option is not None
            and not option.offered_for(framework)
            and option.fixed[framework] != value
        ):
            raise UsageError(
                f"a {framework} project cannot change {key}: it is always "
                f"{option.fixed[framework]}",
                "leave it as it is",
            )
    check_compatible(framework, answers)


def then_run(framework: str, answers: Mapping[str, Any], changes: Mapping[str, Any]) -> list[str]:
    """What a person runs after committing the change (built-in templates)."""
    package = answers.get("package_name", "PACKAGE")
    steps = []
    touches_code = any(k in changes for k in ("use_celery", "use_auth", "use_rest_api", "database"))
    if touches_code:
        steps.append("uv sync (new dependencies)")
    if any(k in changes for k in ("use_auth", "database", "use_rest_api")):
        if framework == "django":
            steps.append("uv run python manage.py migrate")
        elif answers.get("database") != "none" and framework == "flask":
            steps.append(f"uv run flask --app {package} db upgrade")
        elif answers.get("database") != "none":
            steps.append("uv run alembic upgrade head")
    if changes.get("use_celery") is True:
        app = package if framework == "django" else f"{package}.worker:celery_app"
        steps.append(
            f"start Redis (REDIS_URL in .env), then a worker: uv run celery -A {app} worker"
        )
    if changes.get("use_auth") is True and framework == "fastapi":
        # A FastAPI project without accounts has no secret, and update keeps .env as it is.
        steps.append(
            'give the tokens a secret: python -c "import secrets; '
            "print('SECRET_KEY=' + secrets.token_urlsafe(50))\" >> .env"
        )
    if changes.get("database") in ("postgresql", "mysql"):
        steps.append("start the database server and set DATABASE_URL in .env (see .env.example)")
    if changes.get("use_docker") is True:
        steps.append("docker compose up --build")
    if touches_code:
        steps.append("uv run pytest")
    return steps
