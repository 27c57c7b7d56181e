"""The options of the built-in templates and which combinations are refused, as data.

The wizard hides what a rule forbids, flag validation refuses it (exit 2, naming the clash),
and the test suite derives the option sets it renders from these tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pystarter.errors import UsageError
from pystarter.names import shown

FRAMEWORKS: tuple[str, ...] = ("django", "flask", "fastapi")

Answer = str | bool


@dataclass(frozen=True)
class Option:
    key: str
    """The template's answer key (also the ``--data`` key)."""
    label: str
    choices: tuple[Answer, ...]
    default: Answer
    help: str
    framework_defaults: Mapping[str, Answer] = field(default_factory=dict)
    fixed: Mapping[str, Answer] = field(default_factory=dict)
    """Frameworks for which the option is not a choice, and its value there."""
    runtime: bool = True
    """False when the option only adds files checked for syntax (Docker, CI), not code that runs."""

    def default_for(self, framework: str) -> Answer:
        return self.fixed.get(framework, self.framework_defaults.get(framework, self.default))

    def offered_for(self, framework: str) -> bool:
        return framework not in self.fixed


@dataclass(frozen=True)
class Rule:
    """When every ``when`` item holds, ``key`` may not take ``value``."""

    when: Mapping[str, Answer]
    key: str
    value: Answer
    reason: str

    def applies(self, answers: Mapping[str, Any]) -> bool:
        return all(answers.get(k) == v for k, v in self.when.items())


OPTIONS: tuple[Option, ...] = (
    Option(
        "database",
        "Database",
        ("sqlite", "postgresql", "mysql", "none"),
        "sqlite",
        "sqlite needs no server; postgresql and mysql read DATABASE_URL",
    ),
    Option(
        "use_auth",
        "User accounts and login",
        (True, False),
        False,
        "register, log in, log out, a protected page",
        framework_defaults={"django": True},
    ),
    Option(
        "use_rest_api",
        "REST API",
        (True, False),
        False,
        "django: Django REST Framework; flask: a JSON API blueprint",
        fixed={"fastapi": True},
    ),
    Option("use_celery", "Celery worker", (True, False), False, "Celery with a Redis broker"),
    Option(
        "use_docker",
        "Docker",
        (True, False),
        False,
        "Dockerfile and compose.yaml",
        runtime=False,
    ),
    Option(
        "ci",
        "Continuous integration",
        ("github", "gitlab", "none"),
        "github",
        "a workflow that lints and tests",
        runtime=False,
    ),
)

OPTIONS_BY_KEY: dict[str, Option] = {option.key: option for option in OPTIONS}

RULES: tuple[Rule, ...] = (
    Rule(
        {"framework": "django"},
        "database",
        "none",
        "Django keeps users, sessions and the admin in a database",
    ),
    Rule({"database": "none"}, "use_auth", True, "user accounts need a database"),
    Rule({"framework": "fastapi"}, "use_rest_api", False, "a FastAPI project is a REST API"),
)

#: Pairs of options whose code meets at run time: the suite renders every value pair of these.
INTERACTING_PAIRS: tuple[tuple[str, str], ...] = (
    ("database", "use_auth"),
    ("database", "use_celery"),
    ("database", "use_rest_api"),
    ("use_auth", "use_rest_api"),
)


def allowed_choices(key: str, framework: str, answers: Mapping[str, Any]) -> tuple[Answer, ...]:
    """The choices of ``key`` that no rule forbids, given the other answers."""
    option = OPTIONS_BY_KEY[key]
    if not option.offered_for(framework):
        return (option.fixed[framework],)
    context = {**answers, "framework": framework}
    return tuple(
        choice
        for choice in option.choices
        if not any(r.key == key and r.value == choice and r.applies(context) for r in RULES)
    )


def default_options(framework: str) -> dict[str, Answer]:
    return {option.key: option.default_for(framework) for option in OPTIONS}


def clashes(framework: str, answers: Mapping[str, Any]) -> list[str]:
    """One sentence per rule or fixed value the answers break; empty when they are fine."""
    context = {**answers, "framework": framework}
    return [
        f"{_describe(r.key, r.value)} with {_describe_when(r.when)}: {r.reason}"
        for r in RULES
        if r.applies(context) and context.get(r.key) == r.value
    ]


def check_compatible(framework: str, answers: Mapping[str, Any]) -> None:
    problems = clashes(framework, answers)
    if problems:
        raise UsageError(
            f"these options do not go together: {'; '.join(problems)}",
            "drop or change one of them",
        )


def validate_choice(key: str, value: Any) -> None:
    option = OPTIONS_BY_KEY.get(key)
    if option is not None and value not in option.choices:
        names = ", ".join(_flag_value(c) for c in option.choices)
        raise UsageError(f"{key} cannot be {shown(value)}", f"choose one of {names}")


def _flag_value(value: Answer) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _describe(key: str, value: Answer) -> str:
    if key == "framework":
        return str(value)
    if isinstance(value, bool):
        return f"--{'' if value else 'no-'}{key.removeprefix('use_').replace('_', '-')}"
    return f"--{key.replace('_', '-')} {value}"


def _describe_when(when: Mapping[str, Answer]) -> str:
    return " and ".join(_describe(k, v) for k, v in when.items())
