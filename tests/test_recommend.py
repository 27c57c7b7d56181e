from __future__ import annotations

import itertools

import pytest

from pystarter.errors import UsageError
from pystarter.recommend import NEEDS, TIE_BREAK_RULE, recommend
from tests.helpers import invoke

#: Scenarios in the guide's words: what is being built, and the framework it points to.
GUIDE_SCENARIOS = [
    (["admin", "auth", "orm", "html"], "django"),  # a full web app with accounts, admin, content
    (["beginner"], "django"),  # the tutorial is the starting point
    (["html", "auth"], "django"),
    (["ml", "async"], "fastapi"),  # serving a model, I/O-bound
    (["openapi"], "fastapi"),
    (["rest-api", "async"], "fastapi"),
    (["microservice", "openapi"], "fastapi"),
    (["minimal", "control"], "flask"),  # simple requirements, team picks the libraries
    (["minimal", "html"], "flask"),
    (["control", "rest-api", "minimal"], "flask"),
]


@pytest.mark.parametrize(("needs", "framework"), GUIDE_SCENARIOS)
def test_guide_scenarios(needs: list[str], framework: str) -> None:
    rec = recommend(needs)
    assert rec.framework == framework
    assert set(rec.scores) == {"django", "flask", "fastapi"}
    assert rec.reasons
    assert rec.runner_up != rec.framework


def test_every_reason_cites_a_criterion_of_a_need_given() -> None:
    rec = recommend(["admin", "auth", "orm", "html"])
    criteria = {NEEDS[n].criterion for n in rec.needs}
    assert all(any(c in reason for c in criteria) for reason in rec.reasons)


def test_same_needs_same_answer_in_any_order() -> None:
    needs = ["rest-api", "auth", "html"]
    answers = {
        recommend(list(order)).as_dict()["framework"] for order in itertools.permutations(needs)
    }
    assert len(answers) == 1
    assert recommend(needs) == recommend(needs)


def test_ties_follow_the_documented_order() -> None:
    assert recommend([]).framework == "django"
    tied = recommend(["microservice", "html"])  # flask 4, fastapi 3, django 3
    assert tied.framework == "flask" and tied.runner_up == "django"


def test_runner_up_says_when_it_would_be_better() -> None:
    rec = recommend(["minimal", "control"])
    assert rec.runner_up == "fastapi"
    assert "FastAPI would be the better pick" in rec.runner_up_when


def test_the_runner_up_is_credited_only_with_its_own_strengths() -> None:
    """FastAPI outscores Django on "little code", but that is Flask's strength in the guide."""
    rec = recommend(["admin", "auth"])
    assert rec.runner_up == "fastapi"
    assert "a JSON/REST API" in rec.runner_up_when
    assert "little code" not in rec.runner_up_when
    assert "picks every library" not in rec.runner_up_when


def test_unknown_need_is_a_usage_error_listing_the_vocabulary() -> None:
    with pytest.raises(UsageError) as caught:
        recommend(["admin", "blockchain"])
    assert "blockchain" in caught.value.message
    assert "rest-api" in caught.value.hint


def test_recommend_help_lists_every_need_in_order() -> None:
    """The CLI spells the list out so that ``--help`` need not import this module."""
    result = invoke("recommend", "--help")

    assert result.exit_code == 0
    text = " ".join(result.output.split())
    listed = text.split("A need (repeatable): ", 1)[1].split(".", 1)[0]
    assert listed.split(", ") == list(NEEDS)


def test_a_tie_is_named_with_the_rule_that_broke_it() -> None:
    tied = recommend(["html", "rest-api"])  # django 4, flask 4, fastapi 3
    assert tied.framework == "django" and tied.tied_with == ("flask",)
    assert tied.tie_break == TIE_BREAK_RULE
    assert tied.tie == f"Django and Flask score 4 each; {TIE_BREAK_RULE}"
    three = recommend(["auth", "orm", "minimal"])  # django 5, flask 5, fastapi 3
    assert three.tied_with == ("flask",)
    everyone = recommend([])
    assert everyone.tied_with == ("fastapi", "flask")
    assert everyone.tie is not None and everyone.tie.startswith("Django, FastAPI and Flask")


def test_no_tie_no_tie_break() -> None:
    rec = recommend(["admin"])
    assert rec.tied_with == () and rec.tie_break is None and rec.tie is None
    assert rec.as_dict()["tie_break"] is None


def test_a_reason_crediting_several_frameworks_gives_the_points_that_rank_them() -> None:
    rec = recommend(["rest-api"])
    assert rec.reasons == [
        "a JSON/REST API (rest-api): Flask is common for REST APIs; FastAPI is built for APIs; "
        "Django via DRF (FastAPI 3, Flask 2, Django 1)"
    ]
    only_django = recommend(["admin"])
    assert only_django.reasons[0].endswith("Django ships an automatically generated admin")
