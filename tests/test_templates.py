"""What every built-in template owes, checked the same way for all three: Docker and CI files
that pass their linters, and a secret of its own for every render."""

from __future__ import annotations

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
