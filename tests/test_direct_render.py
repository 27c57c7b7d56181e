"""pystarter renders its built-in templates without copier (pystarter.direct_render). These
tests hold that render to copier's own: the same files and folders, byte for byte and mode for
mode, for every pair of option values, and the same errors; and anything the direct renderer
does not do goes to copier."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from copier import run_copy
from hypothesis import event, given
from hypothesis import strategies as st

from pystarter import engine
from pystarter.answers import builtin_answers
from pystarter.errors import MissingAnswersError, PystarterError, RenderError
from pystarter.options import FRAMEWORKS
from pystarter.sources import TemplateSource, builtin_source
from tests.projects import all_pairs_combos, combo_id
from tests.test_properties import examples, printable_hostile_text

#: Names and texts that YAML must quote, escape or keep as Unicode in the answers file.
PEOPLE = [
    ("demo", "", "", ""),
    ("Café Ünïcode", "Ünïcode ✓ — a “quoted” café", "Zoë O'Brien", "zoe@example.com"),
    ("my app", "key: value # not a comment", "- Dash", "a.b+c@example.org"),
    ("Yes", "'single' and \"double\" quotes", "null", ""),
    ("Version 1.0", "line with trailing space ", "true", ""),
]
CASES = [
    (framework, combo, PEOPLE[i % len(PEOPLE)])
    for framework in FRAMEWORKS
    for i, combo in enumerate(all_pairs_combos(framework))
]


def answers_for(framework: str, combo: dict[str, Any], person: tuple[str, ...]) -> dict[str, Any]:
    name, description, author, email = person
    given = {**combo, "project_name": name, "description": description}
    given |= {"author_name": author, "author_email": email}
    return builtin_answers(framework, given, name) | {"secret_key": "not-random-for-comparison"}


def render_with_copier(template: TemplateSource, target: Path, answers: dict[str, Any]) -> None:
    run_copy(
        template.location, target, data=dict(answers), defaults=True, unsafe=True,
        quiet=True, overwrite=True,
    )  # fmt: skip


def render_directly(template: TemplateSource, target: Path, answers: dict[str, Any]) -> None:
    """Render through pystarter's engine, failing if the render went to copier."""
    went_to_copier = AssertionError("the built-in went to copier, not to the direct renderer")
    with mock.patch.object(engine, "_render_with_copier", side_effect=went_to_copier):
        engine.render_template(template, target, answers)


def tree(root: Path) -> dict[str, tuple[str, int, bytes]]:
    """Every file and folder under ``root``: kind, permission bits, content."""
    found = {}
    for path in sorted(root.rglob("*")):
        mode = path.lstat().st_mode
        kind = "dir" if stat.S_ISDIR(mode) else "link" if stat.S_ISLNK(mode) else "file"
        content = path.read_bytes() if kind == "file" else b""
        found[path.relative_to(root).as_posix()] = (kind, stat.S_IMODE(mode), content)
    return found


@pytest.mark.parametrize(
    ("framework", "combo", "person"),
    CASES,
    ids=[f"{fw}-{combo_id(c)}" for fw, c, _ in CASES],
)
def test_direct_render_writes_exactly_what_copier_writes(
    tmp_path: Path, framework: str, combo: dict, person: tuple
) -> None:
    template = builtin_source(framework)
    answers = answers_for(framework, combo, person)

    render_directly(template, tmp_path / "direct" / "project", answers)
    render_with_copier(template, tmp_path / "copier" / "project", answers)

    direct, copied = tree(tmp_path / "direct" / "project"), tree(tmp_path / "copier" / "project")
    assert sorted(direct) == sorted(copied)
    for path in copied:
        assert direct[path] == copied[path], path
    assert ".copier-answers.yml" in direct


@examples(30)
@given(
    framework=st.sampled_from(FRAMEWORKS),
    name=printable_hostile_text(3),
    description=printable_hostile_text(4),
    author=printable_hostile_text(3),
)
def test_any_answers_pystarter_accepts_render_as_copier_renders_them(
    tmp_path_factory: pytest.TempPathFactory,
    framework: str,
    name: str,
    description: str,
    author: str,
) -> None:
    given_answers = {"project_name": name, "description": description, "author_name": author}
    try:
        answers = builtin_answers(framework, given_answers, "fallback")
    except PystarterError:  # refused before anything renders: nothing to compare
        event("refused before rendering")
        return
    event("rendered both ways")
    answers["secret_key"] = "not-random-for-comparison"
    root = tmp_path_factory.mktemp("any-answers")
    template = builtin_source(framework)

    render_directly(template, root / "direct", answers)
    render_with_copier(template, root / "copier", answers)

    assert tree(root / "direct") == tree(root / "copier")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_names_left_to_the_template_defaults_come_out_the_same(
    tmp_path: Path, framework: str
) -> None:
    template = builtin_source(framework)
    answers = answers_for(framework, {}, PEOPLE[2])
    del answers["project_slug"], answers["package_name"]

    render_directly(template, tmp_path / "direct", answers)
    render_with_copier(template, tmp_path / "copier", answers)

    assert tree(tmp_path / "direct") == tree(tmp_path / "copier")
    assert (tmp_path / "direct" / "my_app").is_dir()


@pytest.fixture
def copier_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The templates handed to copier during the test."""
    calls: list[str] = []
    real = engine._render_with_copier

    def recording(template: TemplateSource, *args: Any) -> None:
        calls.append(template.source)
        real(template, *args)

    monkeypatch.setattr(engine, "_render_with_copier", recording)
    return calls


def copy_of_builtin(tmp_path: Path, framework: str = "fastapi") -> TemplateSource:
    root = tmp_path / "template"
    shutil.copytree(builtin_source(framework).location, root)
    return TemplateSource(f"builtin:{framework}", str(root), "builtin", True, framework=framework)


def test_a_builtin_needing_more_of_copier_is_rendered_by_copier(
    tmp_path: Path, copier_renders: list[str]
) -> None:
    template = copy_of_builtin(tmp_path)
    copier_yml = Path(template.location) / "copier.yml"
    copier_yml.write_text(copier_yml.read_text() + '\n_exclude: ["tests"]\n')
    answers = answers_for("fastapi", {}, PEOPLE[0])

    engine.render_template(template, tmp_path / "out", answers)

    assert copier_renders == ["builtin:fastapi"]
    assert (tmp_path / "out" / "pyproject.toml").is_file()
    assert not (tmp_path / "out" / "tests").exists()


@pytest.mark.parametrize(
    "expression", ["{{ _copier_conf.quiet }}", "{{ _copier_operation }}", "{{ _src_path }}"]
)
def test_a_copier_variable_the_direct_renderer_lacks_sends_the_render_to_copier(
    tmp_path: Path, copier_renders: list[str], expression: str
) -> None:
    template = copy_of_builtin(tmp_path)
    (Path(template.location) / "project" / "copier-only.txt.jinja").write_text(expression)
    answers = answers_for("fastapi", {}, PEOPLE[0])

    engine.render_template(template, tmp_path / "out", answers)
    render_with_copier(template, tmp_path / "copier", answers)

    assert copier_renders == ["builtin:fastapi"]
    assert tree(tmp_path / "out") == tree(tmp_path / "copier")


def test_a_symbolic_link_in_a_builtin_is_left_to_copier(
    tmp_path: Path, copier_renders: list[str]
) -> None:
    template = copy_of_builtin(tmp_path)
    project = Path(template.location) / "project"
    (project / "LICENSE.txt").write_text("MIT\n")
    (project / "COPYING").symlink_to("LICENSE.txt")
    answers = answers_for("fastapi", {}, PEOPLE[0])

    engine.render_template(template, tmp_path / "out", answers)

    assert copier_renders == ["builtin:fastapi"]
    assert (tmp_path / "out" / "COPYING").read_text() == "MIT\n"


def test_an_answer_outside_the_choices_fails_as_it_does_with_copier(tmp_path: Path) -> None:
    template = builtin_source("fastapi")
    answers = answers_for("fastapi", {}, PEOPLE[0]) | {"ci": "jenkins"}

    with pytest.raises(RenderError, match="Invalid choice for 'ci'"):
        render_directly(template, tmp_path / "direct", answers)
    with pytest.raises(ValueError, match="Invalid choice for 'ci'"):
        render_with_copier(template, tmp_path / "copier", answers)


def test_a_question_without_default_or_answer_is_reported_as_missing(tmp_path: Path) -> None:
    template = copy_of_builtin(tmp_path)
    copier_yml = Path(template.location) / "copier.yml"
    copier_yml.write_text(copier_yml.read_text() + "\nteam:\n  type: str\n")
    answers = answers_for("fastapi", {}, PEOPLE[0])

    with pytest.raises(MissingAnswersError, match="team"):
        engine.render_template(template, tmp_path / "out", answers)
