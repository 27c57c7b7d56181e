"""The one merge behind ``update``, ``add`` and ``remove``: two renders of a template (the base
the project started from, and the target) stored as commits in the project's repository, and
git's three-way merge of base -> target into the user's work tree.

Every kind of template goes through it, so every conflict is git's own and is listed by path and
kind: both edited, edited by you and deleted by the template, deleted by you and edited by the
template, binary, both added. A project in a subfolder of a larger repository is merged in
place: both renders are put at that subfolder of the current tree, so nothing outside changes.
After the merge ``MERGE_HEAD`` names the target render: ``git commit`` records it (the next
update of a built-in or folder template starts there) and ``git merge --abort`` undoes it.

No terminal I/O here.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pystarter import git
from pystarter.errors import UpdateError

#: Files an install adds beside the template's (``uv sync`` writes uv.lock): carried from the
#: base into the target when the target lacks them, so a merge never deletes them.
INSTALL_FILES = ("uv.lock",)

ConflictKind = str
KIND_WORDS = {
    "both": "both edited",
    "binary": "binary, both changed (yours is in the file)",
    "ours-deleted": "deleted by you, changed by the template (the template's is in the file)",
    "theirs-deleted": "changed by you, deleted by the template (yours is in the file)",
    "both-added": "added by both",
}


@dataclass(frozen=True)
class GitProject:
    """A project folder and the repository it lives in."""

    path: Path
    top: Path
    prefix: str
    """The project's folder inside the repository, posix, "" at the root."""

    @classmethod
    def of(cls, path: Path) -> GitProject | None:
        top = git.top_level(path)
        if top is None:
            return None
        relative = path.resolve().relative_to(top.resolve()).as_posix()
        return cls(path, top, "" if relative == "." else relative)

    def run(
        self, *args: str, check: bool = True, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return git.run(
            args,
            self.top,
            check=check,
            env=env,
            error=UpdateError,
            hint="the project was left as it was; PYSTARTER_DEBUG=1 shows more",
        )

    def out(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        return self.run(*args, env=env).stdout.strip()

    def within(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path

    def relative(self, path: str) -> str:
        return path.removeprefix(f"{self.prefix}/") if self.prefix else path

    @property
    def pathspec(self) -> str:
        return self.prefix or "."


@dataclass
class MergeOutcome:
    changed: list[str]
    conflicts: dict[str, ConflictKind]
    up_to_date: bool = False


def render_tree(project: GitProject, rendered: Path) -> str:
    """The git tree of the render in ``rendered``, stored in the project's repository (with
    the render's own ignore rules). Every file of the render is in it: what a template's
    ``_skip_if_exists`` protects is settled by :func:`kept_as_base`, on both sides at once."""
    git_dir = project.out("rev-parse", "--absolute-git-dir")
    with tempfile.TemporaryDirectory(prefix="pystarter-index-") as scratch:
        env = {
            "GIT_INDEX_FILE": str(Path(scratch) / "index"),
            "GIT_WORK_TREE": str(rendered),
            "GIT_DIR": git_dir,
        }
        git.run(["add", "-A"], rendered, env=env, error=UpdateError)
        return git.run(["write-tree"], rendered, env=env, error=UpdateError).stdout.strip()


def ignored_files(project: GitProject, rendered: Path) -> dict[str, bytes]:
    """The files of the render in ``rendered`` that its own ignore rules leave out of
    :func:`render_tree` (a template's ``.gitignore`` listing a file it ships), with their
    contents: copier updates them, so :func:`apply_ignored` brings them in, never staged."""
    git_dir = project.out("rev-parse", "--absolute-git-dir")
    with tempfile.TemporaryDirectory(prefix="pystarter-index-") as scratch:
        env = {
            "GIT_INDEX_FILE": str(Path(scratch) / "index"),
            "GIT_WORK_TREE": str(rendered),
            "GIT_DIR": git_dir,
        }
        args = ["ls-files", "-z", "--others", "--ignored", "--exclude-standard"]
        listed = git.run(args, rendered, env=env, error=UpdateError).stdout
    found = {}
    for name in listed.split("\0"):
        path = rendered / name
        if name and path.is_file() and not path.is_symlink():
            found[name] = path.read_bytes()
    return found


def apply_ignored(
    project: GitProject,
    base: Mapping[str, bytes],
    target: Mapping[str, bytes],
    skip: tuple[str, ...],
) -> tuple[list[str], list[str]]:
    """Bring the template's git-ignored files (:func:`ignored_files`) into the work tree as
    copier does, three-way per file, never staged (a user's secrets stay out of the index):
    a new one is created, one the user never changed follows the template (deleted when the
    template deleted it), an edited one is merged with ``git merge-file``. A file that
    ``_skip_if_exists`` protects, that git tracks, or whose merge conflicts is left as the
    user has it. Returns (changed paths, paths left as they were despite a template change)."""
    protected = _matcher(skip)
    tracked = set(project.run("ls-files", "-z", "--", project.pathspec).stdout.split("\0"))
    changed: list[str] = []
    kept: list[str] = []
    for name in sorted(set(base) | set(target)):
        old, new = base.get(name), target.get(name)
        path = project.path / name
        if old == new or project.within(name) in tracked:
            continue
        mine = path.read_bytes() if path.is_file() and not path.is_symlink() else None
        if path.is_symlink() or (mine is None and path.exists()):
            kept.append(name)
            continue
        if mine is not None and protected(name):
            continue
        if mine == new:
            continue
        if mine is None:
            if old is None and new is not None:  # a file the new version adds
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(new)
                changed.append(name)
            continue  # the user deleted it: it stays deleted
        if mine == old:
            if new is None:
                path.unlink()
            else:
                path.write_bytes(new)
            changed.append(name)
            continue
        merged = _merge_file(project, mine, old, new) if old is not None and new else None
        if merged is None:
            kept.append(name)
        else:
            path.write_bytes(merged)
            changed.append(name)
    return changed, kept


def _merge_file(project: GitProject, mine: bytes, old: bytes, new: bytes) -> bytes | None:
    """``git merge-file`` of three versions of a file; None when they conflict."""
    with tempfile.TemporaryDirectory(prefix="pystarter-merge-") as scratch:
        paths = []
        for label, data in (("mine", mine), ("old", old), ("new", new)):
            paths.append(Path(scratch) / label)
            paths[-1].write_bytes(data)
        done = subprocess.run(
            ["git", "merge-file", "-p", *map(str, paths)],
            capture_output=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    return done.stdout if done.returncode == 0 else None


def tree_at(project: GitProject, commit: str) -> str | None:
    """The tree of the project's folder in ``commit``, None when the folder is not there."""
    probe = project.run("rev-parse", "-q", "--verify", f"{commit}:{project.prefix}", check=False)
    return probe.stdout.strip() if probe.returncode == 0 else None


def with_install_files(project: GitProject, base: str, target: str) -> str:
    """``target`` plus the install files that ``base`` has and ``target`` lacks."""
    carried = []
    for name in INSTALL_FILES:
        if tree_entry(project, target, name) is None:
            entry = tree_entry(project, base, name)
            if entry is not None:
                carried.append(entry)
    if not carried:
        return target
    with scratch_index(project) as env:
        project.run("read-tree", target, env=env)
        for mode, sha, name in carried:
            project.run("update-index", "--add", "--cacheinfo", f"{mode},{sha},{name}", env=env)
        return project.out("write-tree", env=env)


def files_of(project: GitProject, tree: str) -> list[str]:
    """Every file (and link) of ``tree``, relative to it."""
    listed = project.run("ls-tree", "-r", "-z", "--name-only", tree).stdout
    return [name for name in listed.split("\0") if name]


def _matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    from pathspec import GitIgnoreSpec

    spec = GitIgnoreSpec.from_lines(patterns)
    return spec.match_file


def without(project: GitProject, tree: str, patterns: tuple[str, ...]) -> str:
    """``tree`` less the files ``patterns`` match (copier's ``_exclude`` matching)."""
    if not patterns:
        return tree
    matches = _matcher(patterns)
    dropped = [name for name in files_of(project, tree) if matches(name)]
    if not dropped:
        return tree
    with scratch_index(project) as env:
        project.run("read-tree", tree, env=env)
        for name in dropped:
            project.run("update-index", "--force-remove", "--", name, env=env)
        return project.out("write-tree", env=env)


def kept_as_base(
    project: GitProject, base: str, target: str, patterns: tuple[str, ...], folder: Path
) -> str:
    """``target`` where each file that ``patterns`` (``_skip_if_exists``, either version's)
    match and that ``folder`` has is as ``base`` has it (or absent when ``base`` lacks it):
    the merge then leaves those files exactly as the user has them, never deleted."""
    if not patterns:
        return target
    matches = _matcher(patterns)
    names = sorted(set(files_of(project, base)) | set(files_of(project, target)))
    kept = [n for n in names if matches(n) and os.path.lexists(folder / n)]
    changed = False
    with scratch_index(project) as env:
        project.run("read-tree", target, env=env)
        for name in kept:
            entry = tree_entry(project, base, name)
            if entry == tree_entry(project, target, name):
                continue
            changed = True
            if entry is None:
                project.run("update-index", "--force-remove", "--", name, env=env)
            else:
                mode, sha, _ = entry
                args = ["update-index", "--add", "--cacheinfo", f"{mode},{sha},{name}"]
                project.run(*args, env=env)
        return project.out("write-tree", env=env) if changed else target


def refuse_hidden_files(project: GitProject, base: str, target: str) -> None:
    """Refuse (exit 2, nothing changed) when the merge would write a file that the project
    has but git does not track (a git-ignored secrets file at a path the new version adds):
    git would overwrite it without a word, and ``git merge --abort`` would then delete it."""
    from pystarter.errors import NotUpdatableError

    written = project.run(
        "diff-tree", "-r", "-z", "--name-only", "--diff-filter=AMTC", base, target
    ).stdout
    tracked = set(project.run("ls-files", "-z", "--", project.pathspec).stdout.split("\0"))
    hidden = [
        name
        for name in written.split("\0")
        if name
        and project.within(name) not in tracked
        and os.path.lexists(project.top / project.within(name))
    ]
    if hidden:
        shown = ", ".join(hidden[:5]) + (", ..." if len(hidden) > 5 else "")
        raise NotUpdatableError(
            f"the new version writes {len(hidden)} file(s) that you have and git does not "
            f"track (ignored): {shown}; nothing was changed",
            "move them away or commit them, then run the same command again",
        )


def tree_entry(project: GitProject, tree: str, name: str) -> tuple[str, str, str] | None:
    listed = project.out("ls-tree", tree, "--", name)
    if not listed:
        return None
    meta, _, path = listed.partition("\t")
    mode, _, sha = meta.split()
    return mode, sha, path


@contextmanager
def scratch_index(project: GitProject) -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="pystarter-index-") as scratch:
        yield {"GIT_INDEX_FILE": str(Path(scratch) / "index")}


def full_tree(project: GitProject, tree: str) -> str:
    """HEAD's tree with the project's folder replaced by ``tree`` (``tree`` itself at the root)."""
    if not project.prefix:
        return tree
    with scratch_index(project) as env:
        project.run("read-tree", "HEAD", env=env)
        project.run("rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", project.prefix, env=env)
        project.run("read-tree", f"--prefix={project.prefix}/", tree, env=env)
        return project.out("write-tree", env=env)


def commit_tree(project: GitProject, tree: str, message: str, parent: str | None = None) -> str:
    name, email = git.FALLBACK_IDENTITY
    identity = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
    parents = ["-p", parent] if parent else []
    args = ["commit-tree", "--no-gpg-sign", tree, *parents, "-m", message]
    return project.out(*args, env=identity)


def merge(
    project: GitProject,
    base: str,
    target: str,
    labels: tuple[str, str],
    record: bool = False,
) -> MergeOutcome:
    """Three-way merge of ``base`` -> ``target`` (commits of full trees) into the work tree.

    Conflicts stay as git leaves them (markers in text files, yours in binary ones, stage
    entries in the index); ``MERGE_HEAD`` is set to ``target`` (also with nothing to merge
    when ``record``, so that ``git commit`` records the render)."""
    if not record and project.out("rev-parse", f"{base}^{{tree}}") == project.out(
        "rev-parse", f"{target}^{{tree}}"
    ):
        return MergeOutcome([], {}, up_to_date=True)
    head = project.out("rev-parse", "HEAD")
    names = {
        f"GITHEAD_{head}": "yours",
        f"GITHEAD_{base}": labels[0],
        f"GITHEAD_{target}": labels[1],
    }
    done = project.run("merge-recursive", base, "--", head, target, check=False, env=names)
    if done.returncode not in (0, 1):
        raise UpdateError(f"git merge failed: {git.reason(done)}", "the project was left as it was")
    project.run("update-ref", "MERGE_HEAD", target)
    message = project.out("log", "-1", "--format=%s", target)
    Path(project.out("rev-parse", "--absolute-git-dir"), "MERGE_MSG").write_text(
        message + "\n", encoding="utf-8"
    )
    conflicts = conflicts_of(project)
    return MergeOutcome(changed_files(project), conflicts, up_to_date=False)


def changed_files(project: GitProject) -> list[str]:
    """Every path the update touched; a file the template renamed is listed under both names
    (the user's edits of it went with it to the new one)."""
    spec = project.pathspec
    diff = ("diff", "--name-only", "--no-renames")
    tracked = project.run(*diff, "HEAD", "--", spec).stdout.splitlines()
    staged = project.run(*diff, "--cached", "HEAD", "--", spec).stdout
    new = project.run("ls-files", "--others", "--exclude-standard", "--", spec).stdout
    paths = set(tracked) | set(staged.splitlines()) | set(new.splitlines())
    return sorted(project.relative(p) for p in paths)


def conflicts_of(project: GitProject) -> dict[str, ConflictKind]:
    """Unmerged paths and what happened to each, from the index's stages."""
    listing = project.run("ls-files", "-u", "-z", "--", project.pathspec).stdout
    stages: dict[str, dict[int, str]] = {}
    for entry in listing.split("\0"):
        if not entry:
            continue
        meta, _, path = entry.partition("\t")
        _, sha, stage = meta.split()
        stages.setdefault(path, {})[int(stage)] = sha
    found = {}
    for path, present in sorted(stages.items()):
        found[project.relative(path)] = _kind(project, present)
    return found


def _kind(project: GitProject, present: Mapping[int, str]) -> ConflictKind:
    if 2 not in present:
        return "ours-deleted"
    if 3 not in present:
        return "theirs-deleted"
    if 1 not in present:
        return "both-added"
    numstat = project.run("diff", "--numstat", present[2], present[3], check=False).stdout
    return "binary" if numstat.startswith("-\t-\t") else "both"


def restore(project: GitProject) -> None:
    """Put the project's folder back as HEAD has it (it was clean before the update started)."""
    spec = project.pathspec
    project.run("update-ref", "-d", "MERGE_HEAD", check=False)
    msg = Path(project.out("rev-parse", "--absolute-git-dir"), "MERGE_MSG")
    msg.unlink(missing_ok=True)
    project.run("reset", "-q", "HEAD", "--", spec, check=False)
    project.run("checkout", "-q", "HEAD", "--", spec, check=False)
    project.run("clean", "-fdq", "--", spec, check=False)


def describe(kind: ConflictKind) -> str:
    return KIND_WORDS.get(kind, kind)
