"""``new --force`` never loses a user's file: the backup of the files the
template overwrites lives on DEST's own filesystem, so putting them back after a failure or a
Ctrl-C is a rename even where the temporary folder is another filesystem (tmpfs); across two
filesystems the restore copies, and a restore that cannot finish names the backup."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from pystarter.errors import WriteError
from pystarter.placement import restore_backup
from tests.helpers import TINY_TEMPLATE, build_file_tree, invoke
from tests.projects import pystarter

SHM = Path("/dev/shm")


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def other_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A temporary folder on another filesystem than ``tmp_path`` (tmpfs here)."""
    if not SHM.is_dir() or os.stat(SHM).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second filesystem for the temporary folder")
    folder = Path(tempfile.mkdtemp(prefix="pystarter-test-", dir=SHM))
    yield folder
    for path in sorted(folder.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
    folder.rmdir()


def test_a_failing_render_with_tmp_on_another_filesystem_restores_dest(
    tmp_path: Path, other_filesystem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a task fails once the files are written (a broken file would fail the preview first)
    spec = {**TINY_TEMPLATE, "copier.yml": TINY_TEMPLATE["copier.yml"] + '_tasks: ["false"]\n'}
    template = build_file_tree(spec, tmp_path / "tpl")
    dest = build_file_tree(
        {"README.md": "my readme\n", "pyproject.toml": "# mine\n", "notes.txt": "n\n"},
        tmp_path / "work" / "existing",
    )
    before = snapshot(dest)
    monkeypatch.setattr(tempfile, "tempdir", str(other_filesystem))

    result = invoke("new", str(dest), "-t", str(template), "--no-input", "--force", "--trust")

    assert result.exit_code == 1, result.stderr
    assert "task" in result.stderr and "unexpected" not in result.stderr
    assert snapshot(dest) == before
    assert [p.name for p in dest.parent.iterdir()] == ["existing"]  # no backup left behind
    assert list(other_filesystem.iterdir()) == []


@pytest.mark.slow  # the same restore as the test above, stopped by a real Ctrl-C
def test_ctrl_c_under_force_with_tmp_on_another_filesystem_exits_130_and_restores(
    tmp_path: Path, other_filesystem: Path
) -> None:
    spec = {
        **TINY_TEMPLATE,
        "copier.yml": TINY_TEMPLATE["copier.yml"] + '_tasks: ["kill -INT $PPID; sleep 5"]\n',
    }
    template = build_file_tree(spec, tmp_path / "tpl")
    dest = build_file_tree(
        {"README.md": "my readme\n", "pyproject.toml": "# mine\n"}, tmp_path / "work" / "dest"
    )
    before = snapshot(dest)

    done = pystarter(
        "new", str(dest), "-t", str(template), "--no-input", "--force", "--trust", "--no-git",
        env={"TMPDIR": str(other_filesystem)},
    )  # fmt: skip

    assert done.returncode == 130, done.stderr
    assert "interrupted" in done.stderr and "Traceback" not in done.stderr
    assert snapshot(dest) == before
    assert [p.name for p in dest.parent.iterdir()] == ["dest"]


def test_restore_copies_across_filesystems(tmp_path: Path, other_filesystem: Path) -> None:
    saved = {"README.md": "mine\n", "src/app.py": "APP = 1\n"}
    backup = build_file_tree(saved, other_filesystem / "backup")
    dest = build_file_tree({"README.md": "the template's\n"}, tmp_path / "dest")

    restore_backup(backup, dest)

    assert snapshot(dest) == {"README.md": b"mine\n", "src/app.py": b"APP = 1\n"}
    assert not backup.exists()


def test_a_restore_that_cannot_finish_names_the_backup(tmp_path: Path) -> None:
    backup = build_file_tree({"README.md": "mine\n", "src/app.py": "APP = 1\n"}, tmp_path / "b")
    dest = build_file_tree({"src": "a file where the backup has a folder\n"}, tmp_path / "dest")

    with pytest.raises(WriteError) as raised:
        restore_backup(backup, dest)

    assert str(backup) in raised.value.one_line() and "src/app.py" in raised.value.one_line()
    assert (backup / "src" / "app.py").read_text() == "APP = 1\n"
    assert (dest / "README.md").read_text() == "mine\n"
