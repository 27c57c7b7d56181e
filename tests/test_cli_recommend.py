from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pystarter.cli import app

runner = CliRunner()


def recommend_json(*needs: str) -> dict:
    args = ["recommend", "--json"]
    for need in needs:
        args += ["--need", need]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("needs", "framework"),
    [
        (("admin", "auth", "orm", "html"), "django"),
        (("ml", "async"), "fastapi"),
        (("minimal", "control"), "flask"),
    ],
)
def test_recommend_json(needs: tuple[str, ...], framework: str) -> None:
    payload = recommend_json(*needs)
    assert payload["framework"] == framework
    assert set(payload["scores"]) == {"django", "flask", "fastapi"}
    assert payload["reasons"] and all(isinstance(r, str) for r in payload["reasons"])
    assert payload["runner_up"] in {"django", "flask", "fastapi"} - {framework}
    assert recommend_json(*needs) == payload  # deterministic


def test_human_output_shows_scores_reasons_and_runner_up() -> None:
    result = runner.invoke(
        app, ["recommend", "--need", "admin", "--need", "beginner"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0
    assert "Recommended: Django" in result.stdout
    for title in ("Django", "Flask", "FastAPI"):
        assert title in result.stdout
    assert "Django ships an automatically generated admin" in result.stdout
    assert "Runner-up" in result.stdout


def test_unknown_need_exits_2() -> None:
    result = runner.invoke(app, ["recommend", "--need", "blockchain"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: unknown need: blockchain")


def test_without_a_tty_and_without_needs_it_does_not_ask() -> None:
    result = runner.invoke(app, ["recommend"])
    assert result.exit_code == 2
    assert "--need" in result.stderr


def test_json_names_a_tie_and_the_rule_that_broke_it() -> None:
    tied = recommend_json("html", "rest-api")
    assert tied["framework"] == "django"
    assert tied["tied_with"] == ["flask"]
    assert tied["tie_break"].startswith("a tie goes to Django, then FastAPI, then Flask")
    clear = recommend_json("admin")
    assert clear["tied_with"] == [] and clear["tie_break"] is None


def test_human_output_says_it_is_a_tie_and_what_decided_it() -> None:
    result = runner.invoke(
        app, ["recommend", "--need", "html", "--need", "rest-api"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0
    assert "Recommended: Django (a tie)" in result.stdout
    assert "Tie: Django and Flask score 4 each; a tie goes to Django" in result.stdout
    plain = runner.invoke(app, ["recommend", "--need", "admin"], env={"COLUMNS": "200"})
    assert "tie" not in plain.stdout.lower()


def test_a_narrow_terminal_wraps_the_recommendation_and_keeps_the_scores() -> None:
    result = runner.invoke(
        app, ["recommend", "--need", "html", "--need", "rest-api"], env={"COLUMNS": "20"}
    )
    assert result.exit_code == 0
    words = result.stdout.split()
    assert "Recommended:" in words and "Django" in words
    lines = [" ".join(line.strip("│ ").split()) for line in result.stdout.splitlines()]
    for row in ("Django 4", "Flask 4", "FastAPI 3"):
        assert row in lines
