from __future__ import annotations

import pytest

from pystarter.errors import UsageError
from pystarter.options import allowed_choices, check_compatible, clashes, default_options


def test_django_is_never_offered_no_database() -> None:
    assert "none" not in allowed_choices("database", "django", {})
    assert "none" in allowed_choices("database", "flask", {})


def test_auth_is_not_offered_without_a_database() -> None:
    assert allowed_choices("use_auth", "flask", {"database": "none"}) == (False,)
    assert allowed_choices("use_auth", "flask", {"database": "sqlite"}) == (True, False)


def test_fastapi_always_has_its_rest_api() -> None:
    assert allowed_choices("use_rest_api", "fastapi", {}) == (True,)
    assert default_options("fastapi")["use_rest_api"] is True


@pytest.mark.parametrize("framework", ["django", "flask", "fastapi"])
def test_defaults_are_compatible(framework: str) -> None:
    assert clashes(framework, default_options(framework)) == []


def test_auth_defaults_on_for_django_only() -> None:
    assert default_options("django")["use_auth"] is True
    assert default_options("flask")["use_auth"] is False


@pytest.mark.parametrize(
    ("framework", "answers", "named"),
    [
        ("django", {"database": "none"}, "--database none with django"),
        ("flask", {"database": "none", "use_auth": True}, "--auth with --database none"),
        ("fastapi", {"use_rest_api": False}, "--no-rest-api with fastapi"),
    ],
)
def test_clashes_are_refused_naming_both_sides(framework: str, answers: dict, named: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_compatible(framework, {**default_options(framework), **answers})
    assert named in caught.value.message
