from __future__ import annotations

import pytest

from pystarter.errors import InvalidNameError
from pystarter.names import derive_names, validate_package_name, validate_slug


@pytest.mark.parametrize(
    ("display", "slug", "package"),
    [
        ("demo", "demo", "demo"),
        ("My Blog", "my-blog", "my_blog"),
        ("Café Ünïcode", "cafe-unicode", "cafe_unicode"),
        ("  spaced   out  ", "spaced-out", "spaced_out"),
        ("API v2!", "api-v2", "api_v2"),
        ("2048 game", "2048-game", "app_2048_game"),
        ("Ωmega shop", "mega-shop", "mega_shop"),
    ],
)
def test_names_become_ascii_slug_and_package(display: str, slug: str, package: str) -> None:
    names = derive_names(display)
    assert (names.slug, names.package) == (slug, package)
    assert names.package.isidentifier() and names.package.isascii()


@pytest.mark.parametrize(
    ("display", "why"),
    [
        ("class", "keyword"),
        ("match", "keyword"),
        ("fastapi", "shadow a library"),
        ("Django", "shadow a library"),
        ("json", "standard library"),
        ("email", "standard library"),
        ("tests", "already has"),
        ("---", "no letters"),
        ("", "no letters"),
        ("1234", "no letters"),
        ("中文", "no letters"),
    ],
)
def test_unusable_names_are_refused_with_a_suggestion(display: str, why: str) -> None:
    with pytest.raises(InvalidNameError) as caught:
        derive_names(display)
    assert why in caught.value.message
    assert "--name" in caught.value.hint


def test_refused_name_suggests_a_name_that_works() -> None:
    with pytest.raises(InvalidNameError) as caught:
        derive_names("fastapi")
    suggestion = caught.value.hint.split("--name ")[1]
    assert derive_names(suggestion).package == "fastapi_app"


@pytest.mark.parametrize("package", ["../evil", "a/b", "/abs", "Upper", "has-dash", "", "x.y"])
def test_package_names_that_are_not_identifiers_are_refused(package: str) -> None:
    with pytest.raises(InvalidNameError):
        validate_package_name(package)


@pytest.mark.parametrize("slug", ["../evil", "a/b", "/abs", "UPPER", "-x", "x--y", "", "a b"])
def test_slugs_that_are_not_plain_words_are_refused(slug: str) -> None:
    with pytest.raises(InvalidNameError):
        validate_slug(slug)
