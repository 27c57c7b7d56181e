"""Path safety: nothing a user, a script or a template says can make pystarter write outside
DEST, write through a symbolic link, or touch what DEST already held."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import bare_clone, build_file_tree, invoke, make_template

ESCAPING_NAMES = [
    "..",
    ".",
    "../evil",
    "../../evil",
    "a/b",
    "pkg/../../evil",
    "/tmp/evil",
    "~/evil",
    "C:\\evil",
    "evil\\..\\..",
    "evil\n",
    "evil\x00",
    " evil",
    "",
]

#: A template that writes an answer into a file name, as templates legitimately do.
NAMED_FILE_TEMPLATE = {
    "copier.yml": """\
        _subdirectory: project
        greeting: {type: str, default: hello}
        """,
    "project/{{ greeting }}.txt.jinja": "{{ greeting }}\n",
    "project/README.md": "# readme\n",
}


def snapshot(root: Path) -> dict[str, Any]:
    """Every entry under ``root``: file bytes, or where a link points."""
    found: dict[str, Any] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = ("link", os.readlink(path))
        elif path.is_file():
            found[key] = path.read_bytes()
        else:
            found[key] = "dir"
    return found


def assert_one_line_exit_2(result: Any, *words: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize("key", ["package_name", "project_slug"])
@pytest.mark.parametrize("value", ESCAPING_NAMES)
def test_data_names_that_could_be_paths_are_refused_by_the_builtin(
    tmp_path: Path, key: str, value: str
) -> None:
    result = invoke("new", str(tmp_path / "dest"), "-f", "fastapi", "--no-input", "--no-git",
                    f"--data={key}={value}")  # fmt: skip
    assert_one_line_exit_2(result)
    spoken = {"package_name": "package name", "project_slug": "project slug"}[key]
    assert key in result.stderr or spoken in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", ["../evil", "/tmp/evil", "a/b", ".."])
def test_a_custom_template_never_writes_outside_dest_whatever_its_answers(
    tmp_path: Path, tiny_template: Path, value: str
) -> None:
    """A custom template's names are its own business (copier renders them as given), but
    copier refuses a path outside DEST, and pystarter then leaves nothing behind."""
    dest = tmp_path / "work" / "dest"
    result = invoke("new", str(dest), "-t", str(tiny_template), "--no-input", "--no-git",
                    f"--data=package_name={value}")  # fmt: skip
    assert not (tmp_path / "evil").exists() and not Path("/tmp/evil").exists()
    if result.exit_code != 0:
        assert_one_line_exit_2(result)
        assert not (tmp_path / "work").exists()
        return
    written = [p for p in dest.rglob("*") if p.is_file()]
    assert written and all(p.resolve().is_relative_to(dest.resolve()) for p in written)


@pytest.mark.parametrize("name", ["../../evil", "/etc/evil", "a/../b", "..\\evil"])
def test_a_display_name_with_path_characters_becomes_a_plain_slug(
    tmp_path: Path, name: str
) -> None:
    dest = tmp_path / "dest"
    result = invoke("new", str(dest), "-f", "fastapi", "--no-input", "--no-git", f"--name={name}")
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["dest"]
    packages = [p.name for p in dest.iterdir() if (p / "__init__.py").is_file()]
    assert packages and all(p.isidentifier() and p.isascii() for p in packages), packages


@pytest.mark.parametrize("value", ["../../escape", "/tmp/pystarter-escape", "a/../../b"])
def test_a_template_file_name_that_would_escape_dest_is_refused(tmp_path: Path, value: str) -> None:
    template = build_file_tree(root=tmp_path / "template", spec=NAMED_FILE_TEMPLATE)
    work = tmp_path / "work"
    work.mkdir()
    result = invoke("new", str(work / "dest"), "-t", str(template), "--no-input", "--no-git",
                    f"--data=greeting={value}")  # fmt: skip
    assert_one_line_exit_2(result, "outside the project")
    assert list(work.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["template", "work"]
    assert not Path("/tmp/pystarter-escape.txt").exists()


def test_an_answer_with_a_slash_in_a_file_name_stays_inside_dest(tmp_path: Path) -> None:
    template = build_file_tree(root=tmp_path / "template", spec=NAMED_FILE_TEMPLATE)
    dest = tmp_path / "work" / "dest"
    result = invoke("new", str(dest), "-t", str(template), "--no-input", "--no-git",
                    "--data=greeting=sub/../inner")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert (dest / "inner.txt").read_text() == "sub/../inner\n"


def test_a_template_link_to_a_file_outside_it_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the project\n")
    template = build_file_tree(root=tmp_path / "template", spec=NAMED_FILE_TEMPLATE)
    (template / "project" / "leak.txt").symlink_to(secret)
    work = tmp_path / "work"
    work.mkdir()
    result = invoke("new", str(work / "dest"), "-t", str(template), "--no-input", "--no-git")
    assert_one_line_exit_2(result, "outside the project")
    assert list(work.iterdir()) == []


def test_a_template_subdirectory_outside_the_template_is_refused(tmp_path: Path) -> None:
    build_file_tree(root=tmp_path / "elsewhere", spec={"stolen.txt": "outside the template\n"})
    template = build_file_tree(
        root=tmp_path / "template", spec={"copier.yml": "_subdirectory: ../elsewhere\n"}
    )
    work = tmp_path / "work"
    work.mkdir()
    result = invoke("new", str(work / "dest"), "-t", str(template), "--no-input", "--no-git")
    assert_one_line_exit_2(result)
    assert list(work.iterdir()) == []


@pytest.mark.parametrize("target", ["empty", "full", "dangling"])
def test_a_symlinked_destination_is_refused_and_its_target_untouched(
    tmp_path: Path, target: str
) -> None:
    real = tmp_path / "real"
    if target != "dangling":
        real.mkdir()
    if target == "full":
        (real / "mine.txt").write_text("mine\n")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    before = snapshot(tmp_path)
    result = invoke("new", str(link), "-f", "fastapi", "--no-input", "--no-git", "--force")
    assert_one_line_exit_2(result, "symbolic link")
    assert snapshot(tmp_path) == before


def test_force_refuses_to_write_through_a_symlinked_folder_in_dest(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine\n")
    (dest / "demo").symlink_to(outside, target_is_directory=True)  # where the package goes
    before = snapshot(tmp_path)
    result = invoke("new", str(dest), "-f", "fastapi", "--name=demo", "--no-input", "--no-git",
                    "--force")  # fmt: skip
    assert_one_line_exit_2(result, "symbolic link", "demo")
    assert list(outside.iterdir()) == []
    assert snapshot(tmp_path) == before


def test_force_replaces_a_symlinked_file_without_writing_through_it(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("precious\n")
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "pyproject.toml").symlink_to(target)
    result = invoke("new", str(dest), "-f", "fastapi", "--name=demo", "--no-input", "--no-git",
                    "--force")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert target.read_text() == "precious\n"
    assert not (dest / "pyproject.toml").is_symlink()
    assert "[project]" in (dest / "pyproject.toml").read_text()


def test_force_refuses_a_file_where_the_template_makes_a_folder(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "demo").write_text("a file, not a package\n")
    before = snapshot(tmp_path)
    result = invoke("new", str(dest), "-f", "fastapi", "--name=demo", "--no-input", "--no-git",
                    "--force")  # fmt: skip
    assert_one_line_exit_2(result, "is a file")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("key", ["_copier_conf", "_tasks", "_subdirectory", "_src_path"])
def test_data_cannot_set_the_templates_settings(tmp_path: Path, key: str) -> None:
    result = invoke("new", str(tmp_path / "dest"), "-f", "fastapi", "--no-input", "--no-git",
                    f"--data={key}=touch {tmp_path}/pwned")  # fmt: skip
    assert_one_line_exit_2(result, key)
    assert list(tmp_path.iterdir()) == []


def test_answers_file_settings_keys_are_ignored(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text(f"_tasks: ['touch {tmp_path}/pwned']\n_subdirectory: ..\ndescription: ok\n")
    dest = tmp_path / "dest"
    result = invoke("new", str(dest), "-f", "fastapi", "--no-input", "--no-git",
                    f"--answers-file={answers}")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "pwned").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.yml", "dest"]


HOSTILE_SOURCES = [
    "ext::sh -c touch% {pwned}",
    "--upload-pack=touch {pwned}",
    "-oProxyCommand=touch {pwned}",
    "ssh://-oProxyCommand=touch%20{pwned}/x",
    "git@-oProxyCommand=touch {pwned}:x/y.git",
    "$(touch {pwned})",
]


@pytest.mark.parametrize("source", HOSTILE_SOURCES)
def test_a_template_source_never_becomes_a_command(tmp_path: Path, source: str) -> None:
    pwned = tmp_path / "pwned"
    work = tmp_path / "work"
    work.mkdir()
    result = invoke("new", str(work / "dest"), f"--template={source.format(pwned=pwned)}",
                    "--no-input", "--no-git")  # fmt: skip
    assert result.exit_code in (1, 2), (result.exit_code, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not pwned.exists()
    assert list(work.iterdir()) == []


def test_a_git_ref_never_becomes_a_git_option(tmp_path: Path) -> None:
    url = bare_clone(make_template(tmp_path / "template"), tmp_path / "remote.git")
    pwned = tmp_path / "pwned"
    work = tmp_path / "work"
    work.mkdir()
    result = invoke("new", str(work / "dest"), f"--template={url}", "--no-input", "--no-git",
                    f"--vcs-ref=--upload-pack=touch {pwned}")  # fmt: skip
    assert result.exit_code in (1, 2), (result.exit_code, result.stderr)
    assert not pwned.exists()
    assert list(work.iterdir()) == []


def test_an_answer_that_makes_a_file_name_too_long_is_refused(tmp_path: Path) -> None:
    template = build_file_tree(root=tmp_path / "template", spec=NAMED_FILE_TEMPLATE)
    work = tmp_path / "work"
    work.mkdir()
    result = invoke("new", str(work / "dest"), "-t", str(template), "--no-input", "--no-git",
                    f"--data=greeting={'g' * 300}")  # fmt: skip
    assert_one_line_exit_2(result, "too long")
    assert list(work.iterdir()) == []
