"""What the tests share: templates built on the fly (after copier's ``tests/helpers.py``: a
mapping of files, then git) and the in-process CLI runner.

``build_file_tree({"copier.yml": "...", "{{ name }}.txt.jinja": "..."}, root)`` writes dedented
files; ``git_save(root, "v1", tag="v1")`` commits everything and tags it.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Template Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Template Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
}

#: A four-file copier template: fast to render, shaped like a built-in.
TINY_TEMPLATE = {
    "copier.yml": """\
        _subdirectory: project
        _pystarter:
          commands:
            install: "uv sync"
            run: "uv run python -m {{ package_name }}"
            test: "uv run pytest"
        project_name: {type: str, default: Tiny}
        project_slug: {type: str, default: tiny}
        package_name: {type: str, default: tiny}
        greeting: {type: str, default: hello}
        """,
    "project/{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "project/pyproject.toml.jinja": '[project]\nname = "{{ project_slug }}"\nversion = "0.1.0"\n',
    "project/{{ package_name }}/__init__.py.jinja": 'GREETING = "{{ greeting }}"\n',
    "project/README.md.jinja": "# {{ project_name }}\n",
}


#: A small copier template with an answers file, so projects made from it can be updated.
BASIC_TEMPLATE = {
    "copier.yml": """\
        _answers_file: .copier-answers.yml
        project_name:
          type: str
          default: Demo
        greeting:
          type: str
          default: hello
        """,
    "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "README.md.jinja": "# {{ project_name }}\n\n{{ greeting }} from v1\n",
    "app.py": "print('app')\n",
}


#: A template whose answers make a small matrix for ``templates test``: a choice, a bool that a
#: validator refuses for one choice, a choice asked only for two of the first's values. Its test
#: command prints the answers it was rendered with (and appends them to $MATRIX_LOG when set).
MATRIX_TEMPLATE = {
    "copier.yml": """\
        _pystarter:
          commands:
            test: "python3 check.py"
        name: {type: str, default: demo}
        color:
          type: str
          choices: [red, green, blue]
          default: red
        loud:
          type: bool
          default: false
          validator: "{% if loud and color == 'blue' %}blue is never loud{% endif %}"
        shape:
          type: str
          choices: [circle, square]
          default: circle
          when: "{{ color != 'blue' }}"
        """,
    "check.py.jinja": """\
        import json
        import os

        answers = {"color": "{{ color }}", "loud": {{ loud }}, "shape": "{{ shape }}"}
        if os.environ.get("MATRIX_LOG"):
            with open(os.environ["MATRIX_LOG"], "a") as log:
                log.write(json.dumps({**answers, "case": os.environ.get("CASE")}) + "\\n")
        print(answers)
        """,
}


def build_file_tree(spec: Mapping[str, str | bytes], root: Path, dedent: bool = True) -> Path:
    """Write ``{relative path: contents}`` under ``root``; str contents are dedented."""
    for relative, contents in spec.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(contents, bytes):
            path.write_bytes(contents)
        else:
            path.write_text(textwrap.dedent(contents) if dedent else contents, encoding="utf-8")
    return root


def git(*args: str, cwd: Path) -> str:
    completed = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert completed.returncode == 0, f"git {' '.join(args)}: {completed.stderr}"
    return completed.stdout


def git_init(root: Path) -> Path:
    if not (root / ".git").exists():
        git("init", "-q", "-b", "main", cwd=root)
    return root


def git_save(root: Path, message: str = "save", tag: str | None = None) -> str:
    """Commit everything in ``root`` (a repo is made if needed), tag it; returns the commit."""
    git_init(root)
    git("add", "-A", cwd=root)
    git("commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", message, cwd=root)
    if tag:
        git("tag", tag, cwd=root)
    return git("rev-parse", "HEAD", cwd=root).strip()


def make_template(
    root: Path, spec: Mapping[str, str] | None = None, tag: str | None = "v1"
) -> Path:
    """A git template from ``spec`` (the basic one by default), committed and tagged."""
    build_file_tree(spec or BASIC_TEMPLATE, root)
    git_save(root, f"template {tag or 'draft'}", tag=tag)
    return root


def bare_clone(source: Path, target: Path) -> str:
    """A bare copy of ``source``, to stand for a remote: returns its ``file://`` URL."""
    git("clone", "-q", "--bare", str(source), str(target), cwd=source.parent)
    return target.as_uri()


REPO = Path(__file__).resolve().parents[1]
PLUGIN_PKG = Path(__file__).parent / "plugin_pkg"


def build_plugin_wheel(out_dir: Path) -> Path:
    """Pack tests/plugin_pkg into a wheel by hand: pip installs it with no build backend."""
    import base64
    import hashlib
    import tomllib
    import zipfile

    project = tomllib.loads((PLUGIN_PKG / "pyproject.toml").read_text())["project"]
    dist = project["name"].replace("-", "_")
    info = f"{dist}-{project['version']}.dist-info"
    groups = project["entry-points"]
    entry_points = "".join(
        f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in points.items())
        for group, points in groups.items()
    )
    files: dict[str, bytes] = {}
    source_root = PLUGIN_PKG / "src"
    for path in sorted(source_root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            files[path.relative_to(source_root).as_posix()] = path.read_bytes()
    files[f"{info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    ).encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
    files[f"{info}/WHEEL"] += b"Tag: py3-none-any\n"
    files[f"{info}/entry_points.txt"] = entry_points.encode()
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = out_dir / f"{dist}-{project['version']}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return wheel


def pip_install_target(wheel: Path, target: Path) -> Path:
    """``pip install --target``: offline, no dependencies; put ``target`` on PYTHONPATH."""
    import sys

    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
    completed = subprocess.run(
        [*pip, "--disable-pip-version-check", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return target


def invoke(*args: str, **kwargs: Any) -> Any:
    """``pystarter ARGS`` in this process with typer's CliRunner: for tests that need neither a
    terminal nor a separate process (``tests.projects.pystarter`` runs the real console)."""
    from typer.testing import CliRunner

    from pystarter.cli import app

    return CliRunner().invoke(app, list(args), **kwargs)


def path_without_uv(tmp_path: Path) -> Path:
    """A PATH folder holding only git: no uv, no pythonX.Y (the tests run Python by its full
    path), as on a machine where Python came without uv."""
    import shutil

    bare = tmp_path / "bin-without-uv"
    bare.mkdir(exist_ok=True)
    git_program = shutil.which("git", path="/usr/local/bin:/usr/bin:/bin")
    assert git_program is not None
    if not (bare / "git").exists():
        (bare / "git").symlink_to(git_program)
    return bare
