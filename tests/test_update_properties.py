"""The property behind ``update``: random template histories (files added, edited,
renamed, deleted; ``_skip_if_exists`` and ``_exclude`` lists changed between v1 and v2) x
random user edits. After ``pystarter update``, every user edit is in the tree or in a listed
conflict, and no file the user has is gone unless the template deleted it and the user never
changed it. A handful of examples in the fast tier, hundreds in the whole suite, and a sample
compared with ``copier update --defaults --trust`` on an identical copy: pystarter keeps at
least what copier keeps."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from pathspec import GitIgnoreSpec

from tests.helpers import build_file_tree, git, git_save, invoke
from tests.test_update import copier_settings_file

__all__ = ["copier_settings_file"]  # the autouse fixture, used here too

NAMES = ("a.txt", "b.txt", "c.md", "d/e.txt", "d/f.txt", "g.cfg")
PATTERNS = ("a.txt", "b.txt", "c.md", "d", "d/e.txt", "g.cfg", "*.cfg")
ALWAYS_EXCLUDED = ("copier.yml", ".git")
ANSWERS = {"{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n"}
#: The files live in a ``_subdirectory``: copier walks (and renders the name of) every path
#: under the template's root, and a clone's ``.git`` holds far more paths than the template
#: itself -- most of an example's render time before this.
SUBDIRECTORY = "template"


@dataclass
class Version:
    files: dict[str, str]
    skip: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)

    def spec(self) -> dict[str, str]:
        lines = [
            "_answers_file: .copier-answers.yml",
            f"_subdirectory: {SUBDIRECTORY}",
            "project_name: {type: str, default: P}",
        ]
        if self.skip:
            lines.append(f"_skip_if_exists: {json.dumps(self.skip)}")
        lines.append(f"_exclude: {json.dumps([*ALWAYS_EXCLUDED, *self.exclude])}")
        files = {f"{SUBDIRECTORY}/{name}": text for name, text in {**ANSWERS, **self.files}.items()}
        return {"copier.yml": "\n".join(lines) + "\n", **files}

    def rendered(self) -> set[str]:
        excluded = GitIgnoreSpec.from_lines(self.exclude)
        return {name for name in self.files if not excluded.match_file(name)}


@dataclass
class Case:
    v1: Version
    v2: Version
    user: list[tuple[str, str]]
    """(edit|delete|add, path) in the rendered project."""


def body(name: str, tag: str) -> str:
    return "".join(f"{name} {tag} line {i}\n" for i in range(1, 7))


@st.composite
def cases(draw: st.DrawFn) -> Case:
    names = st.sampled_from(NAMES)
    v1_names = draw(st.sets(names, min_size=2))
    v1 = Version(
        {name: body(name, "v1") for name in sorted(v1_names)},
        sorted(draw(st.sets(st.sampled_from(PATTERNS), max_size=2))),
        sorted(draw(st.sets(st.sampled_from(PATTERNS), max_size=1))),
    )
    files = dict(v1.files)
    for op, name, other in draw(st.lists(st.tuples(st.sampled_from("aedr"), names, names))):
        if op == "a" and name not in files:
            files[name] = body(name, "v2")
        elif op == "e" and name in files:
            files[name] = files[name] + f"{name} v2 appended\n"
        elif op == "d" and name in files and len(files) > 1:
            del files[name]
        elif op == "r" and name in files and other not in files and not _clash(other, files):
            files[other] = files.pop(name)
    v2 = Version(
        {k: v for k, v in files.items() if not _clash(k, files)},
        sorted(draw(st.sets(st.sampled_from(PATTERNS), max_size=2))),
        sorted(draw(st.sets(st.sampled_from(PATTERNS), max_size=1))),
    )
    user = draw(
        st.lists(
            st.tuples(
                st.sampled_from(("edit", "delete", "add")), st.sampled_from((*NAMES, "u.txt"))
            ),
            max_size=3,
            unique_by=lambda t: t[1],
        )
    )
    return Case(v1, v2, user)


def _clash(name: str, files: dict[str, str]) -> bool:
    """A file where another one needs a folder (``d`` and ``d/e.txt``) cannot both exist."""
    return any(other.startswith(f"{name}/") or name.startswith(f"{other}/") for other in files)


@dataclass
class Run:
    project: Path
    edited: dict[str, str]
    """path -> the line the user put in it (edits and new files)."""
    untouched: set[str]
    exit_code: int
    outcome: dict


def run_case(case: Case, root: Path, compare_with_copier: bool = False) -> Run:
    template = build_file_tree(case.v1.spec(), root / "tpl")
    git_save(template, "v1", tag="v1")
    project = root / "svc"
    made = invoke("new", str(project), "-t", str(template), "--no-input")
    assert made.exit_code == 0, made.stderr
    edited: dict[str, str] = {}
    for number, (op, name) in enumerate(case.user):
        path = project / name
        line = f"USER EDIT {number}\n"
        if op == "delete" and path.is_file():
            path.unlink()
        elif op in ("edit", "add") and not path.is_dir() and not _parent_is_file(project, name):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(line + (path.read_text() if path.is_file() else ""))
            edited[name] = line
    git("add", "-A", cwd=project)
    git("commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", "user edits", cwd=project)
    before = {
        p.relative_to(project).as_posix()
        for p in project.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(project).parts
    }
    for name in list(template.iterdir()):
        if name.name != ".git":
            shutil.rmtree(name) if name.is_dir() else name.unlink()
    build_file_tree(case.v2.spec(), template)
    git_save(template, "v2", tag="v2")
    theirs = None
    if compare_with_copier:
        theirs = _copier_update(project, root / "copier-copy")
    result = invoke("update", str(project), "--json")
    assert result.exit_code in (0, 1), result.stderr
    run = Run(project, edited, before - set(edited), result.exit_code, json.loads(result.stdout))
    if theirs is not None:
        _at_least_as_safe_as_copier(run, theirs)
    return run


def _parent_is_file(project: Path, name: str) -> bool:
    return any((project / parent).is_file() for parent in Path(name).parents if str(parent) != ".")


def _copier_update(project: Path, copy: Path) -> Path:
    from copier import run_update

    shutil.copytree(project, copy, symlinks=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_update(copy, defaults=True, overwrite=True, unsafe=True, quiet=True)
    return copy


def places(run: Run, name: str) -> list[str]:
    """Where the user's ``name`` is after the update: its own path and, when the template
    renamed the file, the path git's rename detection carried the user's edit to."""
    status = git("status", "--porcelain", cwd=run.project).splitlines()
    renamed = dict(line[3:].split(" -> ", 1) for line in status if line[0] == "R")
    return [name, renamed[name]] if name in renamed else [name]


def holds_edit(run: Run, name: str, line: str) -> bool:
    """The user's line is in the file, at its path or where a template rename took it, or the
    file is in a listed conflict."""
    conflicts = {c["path"] for c in run.outcome["conflicts"]}
    for place in places(run, name):
        path = run.project / place
        if place in conflicts or (path.is_file() and line in path.read_text()):
            return True
    return False


def check_invariants(case: Case, run: Run) -> None:
    for name, line in run.edited.items():
        assert holds_edit(run, name, line), f"the user's edit of {name} is lost"
    skip = GitIgnoreSpec.from_lines([*case.v1.skip, *case.v2.skip])
    newly_excluded = GitIgnoreSpec.from_lines(case.v2.exclude)
    for name in run.untouched:
        if (run.project / name).is_file():
            continue
        deleted_by_template = name in case.v1.rendered() and name not in case.v2.files
        assert deleted_by_template, f"{name} is gone, and the template did not delete it"
        assert not skip.match_file(name), f"{name} matches _skip_if_exists and is gone"
        assert not newly_excluded.match_file(name), f"{name} is newly excluded and is gone"
    status = git("status", "--porcelain", cwd=run.project).splitlines()
    staged_deleted = {line[3:] for line in status if line[0] == "D"}
    for name in staged_deleted:
        assert name not in run.edited, f"the user's {name} is staged as deleted"


def _at_least_as_safe_as_copier(run: Run, theirs: Path) -> None:
    """Every user edit copier keeps, pystarter keeps (in the tree or as a listed conflict);
    every file copier leaves, pystarter leaves or lists."""
    conflicts = {c["path"] for c in run.outcome["conflicts"]}
    for name, line in run.edited.items():
        copier_kept = (theirs / name).is_file() and line in (theirs / name).read_text()
        assert holds_edit(run, name, line) or not copier_kept, f"copier keeps {name}; we lose it"
    for name in run.untouched:
        if (theirs / name).is_file():
            kept = any((run.project / place).is_file() for place in places(run, name))
            assert kept or name in conflicts, f"copier keeps {name}"


def check_examples(case: Case, compare_with_copier: bool = False) -> None:
    with tempfile.TemporaryDirectory(prefix="pystarter-property-") as scratch:
        run = run_case(case, Path(scratch), compare_with_copier)
        check_invariants(case, run)


COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}


@settings(max_examples=3, derandomize=True, **COMMON)  # type: ignore[arg-type]
@given(cases())
def test_update_keeps_every_user_edit_fast(case: Case) -> None:
    check_examples(case)


#: Each example is three copier renders (``new``, and update's base and target) and a git
#: merge: about 0.8 s on an idle core (50 took 34-38 s per test, 2026-12-07). The whole suite
#: runs hundreds: four tests of SHARD_EXAMPLES histories, each from its own seed, so xdist
#: spreads them over the cores. PYSTARTER_PROPERTY_EXAMPLES raises the count per test for a soak.
SHARD_EXAMPLES = int(os.environ.get("PYSTARTER_PROPERTY_EXAMPLES", "75"))


def _histories(shard: int) -> Callable[[Case], None]:
    @pytest.mark.slow
    @seed(shard)
    @settings(max_examples=SHARD_EXAMPLES, **COMMON)  # type: ignore[arg-type]
    @given(cases())
    def test_update_keeps_every_user_edit(case: Case) -> None:
        check_examples(case)

    return test_update_keeps_every_user_edit


test_update_keeps_every_user_edit_1 = _histories(1)
test_update_keeps_every_user_edit_2 = _histories(2)
test_update_keeps_every_user_edit_3 = _histories(3)
test_update_keeps_every_user_edit_4 = _histories(4)


@pytest.mark.slow
@settings(max_examples=20, **COMMON)  # type: ignore[arg-type]
@given(cases())
def test_update_keeps_at_least_what_copier_update_keeps(case: Case) -> None:
    check_examples(case, compare_with_copier=True)


def test_an_edit_follows_the_file_the_template_renamed() -> None:
    """A history the property found: v2 renames b.txt to a.txt, the user had edited b.txt.
    git's rename detection carries the edit into a.txt (nothing lost, no conflict)."""
    v1 = Version({"b.txt": body("b.txt", "v1"), "c.md": body("c.md", "v1")})
    v2 = Version({"c.md": v1.files["c.md"], "a.txt": v1.files["b.txt"]})
    case = Case(v1, v2, [("edit", "b.txt")])
    with tempfile.TemporaryDirectory(prefix="pystarter-property-") as scratch:
        run = run_case(case, Path(scratch))
        assert places(run, "b.txt") == ["b.txt", "a.txt"]
        assert (run.project / "a.txt").read_text().startswith("USER EDIT 0\n")
        assert run.outcome["conflicts"] == []
        assert {"a.txt", "b.txt"} <= set(run.outcome["changed"])  # both names are listed
        check_invariants(case, run)


def test_the_skip_if_exists_history_that_lost_files() -> None:
    """The first counterexample the property found before the fix (case 1): an untouched
    file the v2 list protects is deleted."""
    v1 = Version({"a.txt": body("a.txt", "v1"), "g.cfg": body("g.cfg", "v1")})
    v2 = Version(dict(v1.files), skip=["g.cfg"])
    v2.files["a.txt"] += "appended\n"
    check_examples(Case(v1, v2, [("edit", "a.txt")]))
