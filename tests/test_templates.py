"""What every built-in template owes, checked the same way for all three: Docker and CI files
that pass their linters, and a secret of its own for every render."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pystarter.options import FRAMEWORKS
from tests.projects import check_syntax_files, combo_id, env_secret, render_project, syntax_combos

SYNTAX_CASES = [
    (framework, combo) for framework in FRAMEWORKS for combo in syntax_combos(framework)
]


@pytest.mark.parametrize(
    ("framework", "answers"), SYNTAX_CASES, ids=[f"{fw}-{combo_id(c)}" for fw, c in SYNTAX_CASES]
)
def test_docker_and_ci_files_pass_their_linters(
    tmp_path: Path, framework: str, answers: dict[str, Any]
) -> None:
    project = render_project(framework, tmp_path, answers)

    checked = check_syntax_files(project)

    assert ("Dockerfile" in checked) == answers["use_docker"]
    assert ("compose.yaml" in checked) == answers["use_docker"]
    assert (".github/workflows/ci.yml" in checked) == (answers["ci"] == "github")
    assert (".gitlab-ci.yml" in checked) == (answers["ci"] == "gitlab")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_two_renders_never_share_a_secret_key(tmp_path: Path, framework: str) -> None:
    first = render_project(framework, tmp_path, name="first")
    second = render_project(framework, tmp_path, name="second")

    key = env_secret(first)

    assert key != env_secret(second)
    assert len(key) >= 50  # what Django's `check --deploy` asks of a production key
    assert key not in (first.path / ".env.example").read_text()
    assert key not in (first.path / ".copier-answers.yml").read_text()
    assert ".env" in (first.path / ".gitignore").read_text().splitlines()


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_plain_copier_derives_usable_names_from_a_punctuated_project_name(
    tmp_path: Path, framework: str
) -> None:
    """The templates stand alone: ``copier copy`` with only a name gives a valid slug and
    package (pystarter itself always passes the names it derives)."""
    import yaml
    from copier import run_copy

    from pystarter.sources import builtin_source

    run_copy(
        builtin_source(framework).location, tmp_path, data={"project_name": "  My Shop: v2!"},
        defaults=True, unsafe=True, quiet=True,
    )  # fmt: skip

    answers = yaml.safe_load((tmp_path / ".copier-answers.yml").read_text())
    assert (answers["project_slug"], answers["package_name"]) == ("my-shop-v2", "my_shop_v2")
    assert (tmp_path / "my_shop_v2" / "__init__.py").is_file()


#: Where a template names a container image or a CI action, and the version it pins
#: (Jinja expressions in it read as ``JINJA``).
PINNED = re.compile(
    r"(?:image:|- name:|FROM|uses:|--from=)\s*\"?(?P<name>[\w./-]+)[:@](?P<version>[^\s\"]+)"
)
JINJA_EXPRESSION = re.compile(r"\{\{.*?\}\}")


def test_the_three_templates_pin_the_same_images_and_actions() -> None:
    """The same postgres, redis, uv, actions/checkout... in every built-in that uses them, so
    a bump in one template cannot leave the others behind unnoticed."""
    from pystarter.sources import builtin_templates_dir

    pins: dict[str, dict[str, set[str]]] = {}  # name -> framework -> versions
    for framework in FRAMEWORKS:
        for path in (builtin_templates_dir() / framework / "project").rglob("*"):
            if path.is_file():
                text = JINJA_EXPRESSION.sub("JINJA", path.read_text(encoding="utf-8"))
                for match in PINNED.finditer(text):
                    by_framework = pins.setdefault(match["name"], {})
                    by_framework.setdefault(framework, set()).add(match["version"])

    assert {"postgres", "mariadb", "redis", "actions/checkout", "ghcr.io/astral-sh/uv"} <= set(pins)
    differing = {
        name: by_framework
        for name, by_framework in pins.items()
        if len({frozenset(v) for v in by_framework.values()}) > 1
    }
    assert differing == {}


MIGRATE = {
    "django": "manage.py migrate",
    "flask": "db upgrade",
    "fastapi": "alembic upgrade head",
}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_install_step_applies_the_migrations(tmp_path: Path, framework: str) -> None:
    """The next steps a person follows end with tables in the database, not a 500."""
    import json

    from tests.conftest import invoke

    result = invoke(
        "new", str(tmp_path / "app"), "-f", framework, "--database", "sqlite",
        "--no-input", "--no-git", "--json",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    commands = json.loads(result.stdout)["commands"]
    assert MIGRATE[framework] in commands["install"]
