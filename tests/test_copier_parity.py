"""``pystarter new -t TEMPLATE --no-input --no-git`` renders a custom template exactly as
``copier copy --defaults`` renders it with the same inputs.

Each shape is a small template built on the fly, rendered twice into folders of the same name
(``a/proj`` by copier, ``b/proj`` by pystarter) and compared file by file: relative paths,
file modes and bytes. The only differences allowed are pystarter's documented additions: the
``_pystarter_template`` and ``_pystarter_version`` lines appended to the answers file. Where a
file holds DEST's own path (``_copier_conf.dst_path``, a task's working folder), each side's
path is read as ``<DEST>``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import stat
import subprocess
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import build_file_tree, git, git_save, invoke

ANSWERS = "{{ _copier_conf.answers_file }}.jinja"
ANSWERS_BODY = "{{ _copier_answers|to_nice_yaml -}}\n"
PYSTARTER_KEYS = [b"_pystarter_template", b"_pystarter_version"]


@dataclass(frozen=True)
class Shape:
    """A template, the answers both tools get, and what else pystarter's side must show."""

    files: Mapping[str, str]
    data: Mapping[str, str] = field(default_factory=dict)
    """``-d KEY=VALUE`` for pystarter; the same strings as copier's ``data``."""
    trust: bool = False
    existing: Mapping[str, str] = field(default_factory=dict)
    """Files DEST holds before the render: copier overwrites, pystarter gets ``--force``."""
    modes: Mapping[str, int] = field(default_factory=dict)
    answers_file: str | None = ".copier-answers.yml"
    """Where the answers file lands (None: the template writes none)."""
    output: tuple[str, ...] = ()
    """Text pystarter's human output must contain (``_message_after_copy``)."""
    check: Callable[[Path], None] | None = None
    """More checks on pystarter's DEST."""
    needs: str | None = None
    """A module the shape needs; the test is skipped, saying so, when it is not installed."""
    answers_input: bool = False
    """pystarter gets ``data`` as ``--answers-file answers.yml`` instead of ``-d``."""


def _venv_runs(dest: Path) -> None:
    """The venv a task made works where it is: its scripts point into DEST, not a temp folder."""
    pip = dest / ".venv" / "bin" / "pip"
    completed = subprocess.run([str(pip), "--version"], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert str(dest / ".venv") in completed.stdout
    assert (dest / "cwd.txt").read_text() == str(dest)


def _no_migration_ran(dest: Path) -> None:
    assert not list(dest.glob("migrated*"))


def _real_path_inside(dest: Path) -> None:
    assert (dest / "info.txt").read_text().splitlines() == ["proj", str(dest), "proj", str(dest)]
    assert (dest / "proj.txt").is_file()


def _kept_and_overwritten(dest: Path) -> None:
    assert (dest / ".env").read_text() == "TOKEN=mine\n"
    assert (dest / "local.cfg").read_text() == "mine\n"
    assert (dest / "other.txt").read_text() == "from the template\n"


def _secret_left_out(dest: Path) -> None:
    answers = (dest / ".copier-answers.yml").read_text()
    assert "s3cr3t-hunter2" not in answers and "t0ken-xyz" not in answers
    assert (dest / "settings.ini").read_text() == "password=s3cr3t-hunter2\ntoken=t0ken-xyz\n"


SHAPES: dict[str, Shape] = {
    "subdirectory-templated": Shape(
        files={
            "copier.yml": """\
                _subdirectory: "{{ flavour }}"
                flavour: {type: str, choices: [lite, full], default: lite}
                name: {type: str, default: demo}
                """,
            f"lite/{ANSWERS}": ANSWERS_BODY,
            "lite/README.md.jinja": "lite {{ name }}\n",
            f"full/{ANSWERS}": ANSWERS_BODY,
            "full/README.md.jinja": "full {{ name }}\n",
            "full/bin/run.sh": "#!/bin/sh\necho run\n",
            "full/{{ name }}/__init__.py": "",
            "top.txt": "outside the subdirectory\n",
        },
        data={"flavour": "full", "name": "widget"},
        modes={"full/bin/run.sh": 0o755},
    ),
    "exclude": Shape(
        files={
            "copier.yml": """\
                _exclude:
                  - "*.bak"
                  - private
                  - "{% if not with_docs %}docs{% endif %}"
                with_docs: {type: bool, default: true}
                """,
            ANSWERS: ANSWERS_BODY,
            "keep.txt": "kept\n",
            "notes.bak": "excluded\n",
            "private/secret.txt": "excluded\n",
            "docs/index.md.jinja": "docs: {{ with_docs }}\n",
            "src/private.txt": "only the top-level private/ is excluded? copier decides\n",
        },
        data={"with_docs": "false"},
    ),
    "skip-if-exists": Shape(
        files={
            "copier.yml": """\
                _skip_if_exists: [.env, "{{ keep_name }}"]
                keep_name: {type: str, default: local.cfg}
                """,
            ANSWERS: ANSWERS_BODY,
            ".env.jinja": "TOKEN=template\n",
            "local.cfg": "from the template\n",
            "other.txt": "from the template\n",
        },
        existing={".env": "TOKEN=mine\n", "local.cfg": "mine\n", "other.txt": "mine\n"},
        check=_kept_and_overwritten,
    ),
    "tasks": Shape(
        files={
            "copier.yml": """\
                make_marker: {type: bool, default: true}
                _tasks:
                  - command: "echo made > marker.txt"
                    when: "{{ make_marker }}"
                  - command: "echo never > never.txt"
                    when: "{{ not make_marker }}"
                  - command:
                      - "{{ _copier_python }}"
                      - "-c"
                      - "import os, pathlib; pathlib.Path('cwd.txt').write_text(os.getcwd())"
                  - command: ["{{ _copier_python }}", "-m", "venv", ".venv"]
                """,
            ANSWERS: ANSWERS_BODY,
            "README.md": "tasks\n",
        },
        trust=True,
        check=_venv_runs,
    ),
    "migrations": Shape(
        files={
            "copier.yml": """\
                _migrations:
                  - version: v2
                    command: "echo migrated > migrated.txt"
                  - command: "echo migrated > migrated-always.txt"
                name: {type: str, default: demo}
                """,
            ANSWERS: ANSWERS_BODY,
            "README.md.jinja": "{{ name }}\n",
        },
        trust=True,
        check=_no_migration_ran,
    ),
    "folder-name-and-dst-path": Shape(
        files={
            "copier.yml": """\
                slug: {type: str, default: "{{ _folder_name }}"}
                where: {type: str, default: "{{ _copier_conf.dst_path }}"}
                """,
            ANSWERS: ANSWERS_BODY,
            "info.txt.jinja": (
                "{{ slug }}\n{{ where }}\n{{ _folder_name }}\n{{ _copier_conf.dst_path }}\n"
            ),
            "{{ _folder_name }}.txt.jinja": "named after the folder\n",
        },
        check=_real_path_inside,
    ),
    "jinja-extensions": Shape(
        files={
            "copier.yml": """\
                _jinja_extensions:
                  - copier_template_extensions.TemplateExtensionLoader
                  - extensions.py:ShoutExtension
                  - jinja2.ext.do
                name: {type: str, default: quiet}
                """,
            "extensions.py": """\
                from jinja2.ext import Extension


                class ShoutExtension(Extension):
                    def __init__(self, environment):
                        super().__init__(environment)
                        environment.filters["shout"] = lambda text: str(text).upper() + "!"
                """,
            ANSWERS: ANSWERS_BODY,
            "out.txt.jinja": (
                "{{ name | shout }}\n{% set seen = [] %}{% do seen.append(name) %}{{ seen }}\n"
            ),
        },
        data={"name": "widget"},
        trust=True,
        needs="copier_template_extensions",
    ),
    "multi-document-include": Shape(
        files={
            "copier.yml": """\
                ---
                !include includes/*.yml
                ---
                _exclude: [includes, copier.yml]
                name: {type: str, default: base}
                ---
                _exclude: ["*.tmp"]
                extra: {type: str, default: "{{ name }}-{{ color }}"}
                """,
            "includes/questions.yml": """\
                color: {type: str, choices: [red, blue], default: red}
                _skip_if_exists: [local.cfg]
                """,
            ANSWERS: ANSWERS_BODY,
            "out.txt.jinja": "{{ name }} {{ color }} {{ extra }}\n",
            "scratch.tmp": "excluded\n",
            "local.cfg": "x\n",
        },
        data={"color": "blue"},
    ),
    "multiselect": Shape(
        files={
            "copier.yml": """\
                langs:
                  type: str
                  multiselect: true
                  choices: [python, rust, go]
                  default: [python]
                tools:
                  type: str
                  multiselect: true
                  choices: {Ruff: ruff, Mypy: mypy}
                  default: [ruff, mypy]
                """,
            ANSWERS: ANSWERS_BODY,
            "langs.txt.jinja": "{% for x in langs %}{{ x }}\n{% endfor %}{{ tools }}\n",
        },
        data={"langs": "[go, rust]"},
    ),
    "validators": Shape(
        files={
            "copier.yml": """\
                age:
                  type: int
                  default: 30
                  validator: "{% if age < 18 %}must be 18 or older{% endif %}"
                slug:
                  type: str
                  default: ok
                  validator: >-
                    {% if not (slug | regex_search('^[a-z]+$')) %}lowercase letters only{% endif %}
                """,
            ANSWERS: ANSWERS_BODY,
            "out.txt.jinja": "{{ age + 1 }} {{ slug }}\n",
        },
        data={"age": "42", "slug": "widget"},
    ),
    "secret": Shape(
        files={
            "copier.yml": """\
                _secret_questions: [token]
                password: {type: str, secret: true, default: changeme, help: DB password}
                token: {type: str, default: tok}
                """,
            ANSWERS: ANSWERS_BODY,
            "settings.ini.jinja": "password={{ password }}\ntoken={{ token }}\n",
        },
        data={"password": "s3cr3t-hunter2", "token": "t0ken-xyz"},
        check=_secret_left_out,
    ),
    "computed-when-false": Shape(
        files={
            "copier.yml": """\
                name: {type: str, default: demo}
                upper: {type: str, default: "{{ name | upper }}", when: false}
                """,
            ANSWERS: ANSWERS_BODY,
            "name.txt.jinja": "{{ upper }}\n",
        },
        data={"name": "widget"},
    ),
    "custom-answers-file": Shape(
        files={
            "copier.yml": """\
                _answers_file: .config/project-answers.yml
                name: {type: str, default: demo}
                """,
            ANSWERS: ANSWERS_BODY,
            "README.md.jinja": "{{ name }}\n",
        },
        data={"name": "widget"},
        answers_file=".config/project-answers.yml",
    ),
    "answers-file-input": Shape(
        files={
            "copier.yml": """\
                name: {type: str, default: demo}
                count: {type: int, default: 1}
                color: {type: str, choices: [red, blue], default: red}
                """,
            ANSWERS: ANSWERS_BODY,
            "out.txt.jinja": "{{ name }} {{ count * 2 }} {{ color }}\n",
        },
        data={"name": "widget", "count": "3", "color": "blue"},
        answers_input=True,
    ),
    "message-after-copy": Shape(
        files={
            "copier.yml": """\
                name: {type: str, default: demo}
                _message_after_copy: "Made {{ name }} in {{ _folder_name }}"
                """,
            ANSWERS: ANSWERS_BODY,
        },
        data={"name": "widget"},
        output=("Made widget in proj",),
    ),
    "message-after-copy-defaults": Shape(
        files={
            "copier.yml": """\
                name: {type: str, default: demo}
                _message_after_copy: >-
                  Made {{ name }}; answers in {{ _copier_conf.answers_file }}
                """,
            ANSWERS: ANSWERS_BODY,
        },
        output=("Made demo; answers in .copier-answers.yml",),
    ),
    "envops": Shape(
        files={
            "copier.yml": """\
                _envops:
                  block_start_string: "<%"
                  block_end_string: "%>"
                  variable_start_string: "<<"
                  variable_end_string: ">>"
                name: {type: str, default: demo}
                loud: {type: str, default: "<< name | upper >>"}
                _message_after_copy: "Hello << name >>"
                """,
            "<< _copier_conf.answers_file >>.jinja": "<< _copier_answers|to_nice_yaml >>",
            "page.html.jinja": "{{ kept }} << name >> <% if loud %><< loud >><% endif %>\n",
        },
        data={"name": "widget"},
        output=("Hello widget",),
    ),
    "multi-document-override": Shape(
        files={
            "copier.yml": """\
                ---
                !include shared/*.yml
                ---
                _exclude: [shared, copier.yml]
                _message_after_copy: "the template's own message"
                token: {type: str, secret: true, default: changeme}
                """,
            "shared/base.yml": """\
                _message_after_copy: "the shared message"
                token: {type: str, default: changeme}
                name: {type: str, default: shared}
                """,
            ANSWERS: ANSWERS_BODY,
            "out.txt.jinja": "{{ name }} {{ token }}\n",
        },
        data={"token": "t0ken-xyz"},
        output=("the template's own message",),
    ),
    "builtin-question-names": Shape(
        files={
            "copier.yml": """\
                project_name: {type: str, default: Acme}
                package_name: {type: str, default: my-project}
                database: {type: str, default: mongodb}
                use_docker: {type: str, choices: [compose, swarm, none], default: none}
                ci: {type: str, default: jenkins}
                python_version: {type: str, default: "3.9"}
                """,
            ANSWERS: ANSWERS_BODY,
            "out.txt.jinja": (
                "{{ project_name }} {{ package_name }} {{ database }} {{ use_docker }} {{ ci }} "
                "{{ python_version }}\n"
            ),
        },
        data={"use_docker": "compose", "database": "cassandra", "package_name": "acme-tools"},
    ),
}

#: Findings: pystarter differs from copier here (strict: each turns into a failure once fixed).
#: Findings (pystarter differing from copier) kept as strict xfails until they are fixed;
#: the eight found when this suite was written are fixed.
XFAIL: dict[str, str] = {}


#: Shapes whose tasks build a venv with pip on each side (seconds): in the whole suite only.
SLOW_SHAPES = {"tasks"}


def params(names: list[str]) -> list[Any]:
    """``names`` as test ids: the findings in :data:`XFAIL` marked strict xfail, a shape whose
    module is missing skipped (``copier-template-extensions`` is not in the test extras yet)."""
    found = []
    for name in names:
        marks = [pytest.mark.slow] if name in SLOW_SHAPES else []
        if name in XFAIL:
            marks.append(pytest.mark.xfail(strict=True, reason=XFAIL[name]))
        needs = SHAPES[name].needs if name in SHAPES else None
        if needs and importlib.util.find_spec(needs) is None:
            reason = f"needs {needs}: pip install {needs.replace('_', '-')}"
            marks.append(pytest.mark.skip(reason=reason))
        found.append(pytest.param(name, marks=marks))
    return found


# --- rendering and comparing ------------------------------------------------------------------


def copier_copy(src: Path, dest: Path, data: Mapping[str, Any], trust: bool, **kw: Any) -> None:
    """``copier copy --defaults [--trust] -d k=v SRC DEST``: string data, as its CLI passes it."""
    from copier import run_copy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # copier's notices (dirty template ...), as pystarter
        run_copy(
            str(src), dest, data=dict(data), defaults=True, unsafe=trust, overwrite=True,
            quiet=True, **kw,
        )  # fmt: skip


def data_flags(data: Mapping[str, str]) -> list[str]:
    return [word for key, value in data.items() for word in ("-d", f"{key}={value}")]


def snapshot(root: Path) -> dict[str, tuple[str, int, bytes]]:
    """Every path under ``root`` but a task's ``.venv``: kind, mode, bytes (DEST as <DEST>)."""
    found: dict[str, tuple[str, int, bytes]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not (base == root and d == ".venv")]
        for name in [*dirnames, *filenames]:
            path = base / name
            relative = path.relative_to(root).as_posix()
            mode = stat.S_IMODE(path.lstat().st_mode)
            if path.is_symlink():
                found[relative] = ("link", 0, os.readlink(path).encode())
            elif path.is_dir():
                found[relative] = ("dir", mode, b"")
            else:
                body = path.read_bytes().replace(str(root).encode(), b"<DEST>")
                found[relative] = ("file", mode, body)
    return found


def without_record(body: bytes) -> bytes:
    """The answers file less pystarter's two lines, which must come last."""
    lines = body.splitlines(keepends=True)
    tail = [line.split(b":")[0] for line in lines[-2:]]
    assert tail == PYSTARTER_KEYS, f"pystarter's record is not at the end:\n{body.decode()}"
    return b"".join(lines[:-2])


def differences(
    expected: Mapping[str, tuple[str, int, bytes]], actual: Mapping[str, tuple[str, int, bytes]]
) -> list[str]:
    found = []
    for path in sorted(expected.keys() | actual.keys()):
        if path not in actual:
            found.append(f"only copier wrote {path}")
        elif path not in expected:
            found.append(f"only pystarter wrote {path}")
        elif expected[path][:2] != actual[path][:2]:
            found.append(f"{path}: copier {expected[path][:2]}, pystarter {actual[path][:2]}")
        elif expected[path][2] != actual[path][2]:
            found.append(f"{path}: copier {expected[path][2]!r} != pystarter {actual[path][2]!r}")
    return found


def render_both(tmp_path: Path, shape: Shape, *extra: str) -> tuple[Path, Path, Any]:
    """The template rendered by copier into a/proj and by pystarter into b/proj."""
    src = build_file_tree(shape.files, tmp_path / "template")
    for relative, mode in shape.modes.items():
        (src / relative).chmod(mode)
    by_copier, by_pystarter = tmp_path / "a" / "proj", tmp_path / "b" / "proj"
    for dest in (by_copier, by_pystarter):
        if shape.existing:
            build_file_tree(shape.existing, dest)
    copier_copy(src, by_copier, shape.data, shape.trust)
    args = ["new", str(by_pystarter), "-t", str(src), "--no-input", "--no-git"]
    if shape.answers_input:
        given = tmp_path / "given-answers.yml"
        given.write_text("".join(f"{key}: {value}\n" for key, value in shape.data.items()))
        args += ["--answers-file", str(given)]
    else:
        args += data_flags(shape.data)
    args += ["--trust"] * shape.trust + ["--force"] * bool(shape.existing)
    result = invoke(*args, *extra)
    return by_copier, by_pystarter, result


def assert_same_tree(by_copier: Path, by_pystarter: Path, answers_file: str | None) -> None:
    expected, actual = snapshot(by_copier), snapshot(by_pystarter)
    if answers_file is not None:
        assert answers_file in actual, f"pystarter wrote no {answers_file}"
        kind, mode, body = actual[answers_file]
        actual[answers_file] = (kind, mode, without_record(body))
    problems = differences(expected, actual)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", params(list(SHAPES)))
def test_pystarter_renders_the_shape_as_copier_does(tmp_path: Path, name: str) -> None:
    shape = SHAPES[name]
    by_copier, by_pystarter, result = render_both(tmp_path, shape)
    assert result.exit_code == 0, result.stderr
    assert_same_tree(by_copier, by_pystarter, shape.answers_file)
    for text in shape.output:
        assert text in result.stdout, result.stdout
    if shape.check is not None:
        shape.check(by_pystarter)


# --- --json, --dry-run, --vcs-ref ------------------------------------------------------------


JSON_SECRETS = {"secret": "secret", "json-secret-in-a-later-document": "multi-document-override"}


@pytest.mark.parametrize("case", params(list(JSON_SECRETS)))
def test_json_never_holds_a_secret_answer(tmp_path: Path, case: str) -> None:
    shape = SHAPES[JSON_SECRETS[case]]
    src = build_file_tree(shape.files, tmp_path / "template")
    result = invoke(
        "new", str(tmp_path / "proj"), "-t", str(src), "--no-input", "--no-git", "--json",
        *data_flags(shape.data),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert not {"password", "token"} & payload["answers"].keys(), payload["answers"]
    for secret in ("s3cr3t-hunter2", "t0ken-xyz"):
        assert secret not in result.stdout
        assert secret not in result.stderr


def test_dry_run_runs_no_task_and_writes_nothing(tmp_path: Path) -> None:
    src = build_file_tree(
        {
            "copier.yml": """\
                _tasks:
                  - "touch task-marker"
                  - "touch {{ _copier_conf.dst_path }}/../outside-marker"
                _migrations:
                  - version: v0
                    command: "touch {{ _copier_conf.dst_path }}/../migration-marker"
                name: {type: str, default: demo}
                """,
            ANSWERS: ANSWERS_BODY,
            "README.md.jinja": "{{ name }}\n",
        },
        tmp_path / "template",
    )
    work = tmp_path / "work"
    work.mkdir()
    result = invoke(
        "new", str(work / "proj"), "-t", str(src), "--no-input", "--no-git", "--trust",
        "--dry-run",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "README.md" in result.stdout
    assert "2 task(s) would run" in result.stdout  # said, as copier renders them
    assert f"touch {work / 'proj'}/../outside-marker" in result.stdout
    assert list(work.iterdir()) == []  # no DEST, no marker beside it
    assert not list(tmp_path.rglob("*marker*"))
    # the same template without --dry-run does run its tasks: the markers are real
    result = invoke("new", str(work / "proj"), "-t", str(src), "--no-input", "--no-git", "--trust")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in work.rglob("*marker")) == ["outside-marker", "task-marker"]


def test_vcs_ref_of_an_old_tag_renders_it_even_when_head_has_no_copier_yml(
    tmp_path: Path,
) -> None:
    files = {
        "copier.yml": "name: {type: str, default: demo}\n",
        ANSWERS: ANSWERS_BODY,
        "README.md.jinja": "{{ name }} at v1\n",
    }
    src = build_file_tree(files, tmp_path / "template")
    git_save(src, "v1", tag="v1")
    git("rm", "-q", "copier.yml", cwd=src)
    (src / "README.md.jinja").write_text("no longer a template\n")
    git_save(src, "not a template any more")

    by_copier, by_pystarter = tmp_path / "a" / "proj", tmp_path / "b" / "proj"
    copier_copy(src, by_copier, {"name": "widget"}, False, vcs_ref="v1")
    result = invoke(
        "new", str(by_pystarter), "-t", str(src), "--vcs-ref", "v1", "-d", "name=widget",
        "--no-input", "--no-git",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert (by_pystarter / "README.md").read_text() == "widget at v1\n"
    assert_same_tree(by_copier, by_pystarter, ".copier-answers.yml")


@pytest.mark.parametrize(
    "case", params(["dirty-local-git-template-with-a-tag", "dirty-local-git-template-without-tags"])
)
def test_a_local_git_template_renders_the_ref_copier_renders(tmp_path: Path, case: str) -> None:
    """copier renders a local repository's latest tag; without tags, its work tree as it is
    (uncommitted changes included, with a DirtyLocalWarning)."""
    files = {
        "copier.yml": "name: {type: str, default: demo}\n",
        ANSWERS: ANSWERS_BODY,
        "README.md.jinja": "committed {{ name }}\n",
    }
    src = build_file_tree(files, tmp_path / "template")
    git_save(src, "v1", tag="v1" if case.endswith("with-a-tag") else None)
    (src / "README.md.jinja").write_text("dirty {{ name }}\n")

    by_copier, by_pystarter = tmp_path / "a" / "proj", tmp_path / "b" / "proj"
    copier_copy(src, by_copier, {"name": "widget"}, False)
    result = invoke(
        "new", str(by_pystarter), "-t", str(src), "-d", "name=widget", "--no-input", "--no-git"
    )
    assert result.exit_code == 0, result.stderr
    if not case.endswith("with-a-tag"):  # copier commits the dirty tree in its clone: the
        for tree in (by_copier, by_pystarter):  # _commit hash holds that moment's timestamp
            answers = tree / ".copier-answers.yml"
            answers.write_text(re.sub(r"(?m)^_commit: .*\n", "", answers.read_text()))
    assert_same_tree(by_copier, by_pystarter, ".copier-answers.yml")


# --- usage errors: exit 2, one line, nothing written ----------------------------------------

USAGE_TEMPLATE = {
    "copier.yml": """\
        color: {type: str, choices: [red, green, blue], default: red}
        count: {type: int, default: 1}
        age:
          type: int
          default: 30
          validator: "{% if age < 18 %}must be 18 or older{% endif %}"
        slug:
          type: str
          default: ok
          validator: >-
            {% if not (slug | regex_search('^[a-z]+$')) %}lowercase letters only{% endif %}
        database: {type: str, default: mongodb}
        """,
    "README.md.jinja": "{{ color }}\n",
}

USAGE_ERRORS = {
    "bad-choice": (["-d", "color=purple"], ["color", "red, green, blue"]),
    "bad-int": (["-d", "count=many"], ["count", "many"]),
    "validator-refusal": (["-d", "age=12"], ["age", "must be 18 or older"]),
    "validator-with-a-copier-filter": (["-d", "slug=Not Valid"], ["lowercase letters only"]),
    "unknown-data-key": (["-d", "colr=red"], ["colr", "did you mean color?"]),
    "unknown-data-key-near-a-builtin": (["-d", "databse=x"], ["did you mean database?"]),
    "unknown-vcs-ref": (["--vcs-ref", "nosuch"], ["nosuch", "v10, v2, v1"]),
}


@pytest.mark.parametrize("case", params(list(USAGE_ERRORS)))
def test_usage_errors_exit_2_in_one_line(tmp_path: Path, case: str) -> None:
    args, words = USAGE_ERRORS[case]
    src = build_file_tree(USAGE_TEMPLATE, tmp_path / "template")
    for tag in ("v1", "v2", "v10"):
        git_save(src, tag, tag=tag)
    dest = tmp_path / "proj"
    result = invoke("new", str(dest), "-t", str(src), "--no-input", "--no-git", *args)
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2, result.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0]
    assert not dest.exists()
