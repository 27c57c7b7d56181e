"""Where a project's renders are: the commits that hold a pristine render of its template,
marked with pystarter's trailers, found again on the branch's history (after merged branches
that each ran ``add``, their renders merged). ``update``, ``add`` and ``remove`` start from the
last one; no terminal I/O here."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from pystarter.merge import GitProject, scratch_index, tree_at, tree_entry

#: The trailer of the commits that hold a pristine render of a template.
RENDER_TRAILER = "Pystarter-Template-Render:"
#: Where the render sits in the repository ("." for the root), so monorepos find their own.
PATH_TRAILER = "Pystarter-Project-Path:"
VERSION_TRAILER = "Pystarter-Template-Version:"


def render_message(project: GitProject, subject: str, source: str, version: str) -> str:
    return (
        f"{subject}\n\n{RENDER_TRAILER} {source}\n"
        f"{PATH_TRAILER} {project.pathspec}\n{VERSION_TRAILER} {version}\n"
    )


def last_render_tree(
    project: GitProject, first_subject: str, rev: str = "HEAD", answers_file: str = ""
) -> tuple[str, str | None] | None:
    """The tree of the project's last pristine render on ``rev``'s history, and its template
    version. The renders that the branch's own merges brought in count, not the newest by
    date: after two branches that each ran ``add`` are merged, the last render is both
    renders merged (their base: the last render where the branches forked); when those
    cannot be merged without a conflict, the newest by date, as before. Both renders change
    the answers file's adjacent lines: there the project's own (``answers_file`` at ``rev``,
    as the merge of the branches settled it) is the render's."""
    tips = _merged_render_tips(project, rev)
    if len(tips) == 1:
        render, version = tips[0]
        tree = tree_at(project, render)
        if tree is not None:
            return tree, version
    elif len(tips) > 1:
        combined = _combined_renders(project, first_subject, rev, tips, answers_file)
        if combined is not None:
            return combined
    found = last_render(project, first_subject, rev)
    tree = tree_at(project, found[0]) if found else None
    return (tree, found[1]) if found and tree else None


def _renders(project: GitProject, rev: str) -> dict[str, str | None]:
    """Render commits of this project on ``rev``'s history, newest first: sha -> version."""
    log = project.run("log", "--format=%H%x00%B%x1e", f"--grep=^{RENDER_TRAILER}", rev, check=False)
    found: dict[str, str | None] = {}
    for record in log.stdout.split("\x1e"):
        sha, _, body = record.strip().partition("\x00")
        trailers = _trailers(body)
        if sha and trailers.get(PATH_TRAILER, ".") == project.pathspec:
            found[sha] = trailers.get(VERSION_TRAILER)
    return found


def _merged_render_tips(project: GitProject, rev: str) -> list[tuple[str, str | None]]:
    """The renders that the newest merges of ``rev``'s history took in (the merge commits that
    ``git commit`` made after an update, add or remove), one per independent line of work."""
    renders = _renders(project, rev)
    if not renders:
        return []
    merges = project.run("log", "--merges", "--format=%H %P", rev, check=False).stdout
    took: dict[str, str] = {}
    for line in merges.splitlines():
        commit, *parents = line.split()
        render = next((p for p in parents[1:] if p in renders), None)
        if render is not None:
            took[commit] = render
    if not took:
        return []
    independent = project.run("merge-base", "--independent", *took, check=False).stdout.split()
    return [(took[commit], renders[took[commit]]) for commit in independent if commit in took]


def _combined_renders(
    project: GitProject,
    first_subject: str,
    rev: str,
    tips: list[tuple[str, str | None]],
    answers_file: str,
) -> tuple[str, str | None] | None:
    """The renders of ``tips`` merged three-way over the last render where their lines of
    work forked; None when a file conflicts (or a render is missing)."""
    merges = [_merge_commit_of(project, render, rev) for render, _ in tips]
    if any(m is None for m in merges):
        return None
    fork = project.run("merge-base", "--octopus", *[m for m in merges if m], check=False)
    start = last_render_tree(project, first_subject, fork.stdout.strip()) if fork.stdout else None
    trees = [tree_at(project, render) for render, _ in tips]
    if start is None or any(t is None for t in trees):
        return None
    settled = (
        tree_entry(project, str(tree_at(project, rev)), answers_file) if answers_file else None
    )
    merged: str | None = trees[0]
    for tree in trees[1:]:
        merged = _merge_trees(project, start[0], str(merged), str(tree), answers_file, settled)
        if merged is None:
            return None
    return (str(merged), tips[0][1]) if merged else None


def _merge_commit_of(project: GitProject, render: str, rev: str) -> str | None:
    merges = project.run("log", "--merges", "--format=%H %P", rev, check=False).stdout
    for line in merges.splitlines():
        commit, *parents = line.split()
        if render in parents[1:]:
            return commit
    return None


def _merge_trees(
    project: GitProject,
    base: str,
    ours: str,
    theirs: str,
    answers_file: str = "",
    settled: tuple[str, str, str] | None = None,
) -> str | None:
    """Three-way merge of trees in a scratch index; None on any conflict (but in
    ``answers_file``, which is then ``settled``)."""
    with scratch_index(project) as env:
        project.run("read-tree", "-m", "-i", "--aggressive", base, ours, theirs, env=env)
        listing = project.run("ls-files", "-u", "-z", env=env).stdout
        stages: dict[str, dict[int, tuple[str, str]]] = {}
        for entry in listing.split("\0"):
            if entry:
                meta, _, path = entry.partition("\t")
                mode, sha, stage = meta.split()
                stages.setdefault(path, {})[int(stage)] = (mode, sha)
        for path, present in stages.items():
            merged = None
            if set(present) == {1, 2, 3}:
                merged = _merge_blobs(project, [present[n][1] for n in (2, 1, 3)])
            mode = present.get(2, ("100644", ""))[0]
            if merged is None and path == answers_file and settled is not None:
                mode, merged, _ = settled
            if merged is None:
                return None
            project.run("update-index", "--force-remove", "--", path, env=env)
            project.run("update-index", "--add", "--cacheinfo", f"{mode},{merged},{path}", env=env)
        written = project.run("write-tree", env=env, check=False)
        return written.stdout.strip() if written.returncode == 0 else None


def _merge_blobs(project: GitProject, blobs: list[str]) -> str | None:
    """``git merge-file`` of ours, base, theirs; the merged blob, None on a conflict."""
    with tempfile.TemporaryDirectory(prefix="pystarter-merge-") as scratch:
        files = []
        for number, blob in enumerate(blobs):
            path = Path(scratch, str(number))
            path.write_bytes(
                subprocess.run(
                    ["git", "cat-file", "blob", blob], cwd=project.top, capture_output=True,
                    check=True, stdin=subprocess.DEVNULL,
                ).stdout
            )  # fmt: skip
            files.append(str(path))
        done = project.run("merge-file", "-q", *files, check=False)
        if done.returncode != 0:
            return None
        return project.out("hash-object", "-w", "--", files[0])


def last_render(
    project: GitProject, first_subject: str, rev: str = "HEAD"
) -> tuple[str, str | None] | None:
    """The newest pristine render of this project in ``rev``'s history, and its template
    version: a commit with pystarter's render trailers, or the first commit ``pystarter new``
    made."""
    renders = _renders(project, rev)
    if renders:
        sha = next(iter(renders))
        return sha, renders[sha]
    if project.prefix:
        return None
    roots = project.run("log", "--max-parents=0", "--format=%H %s", rev, check=False).stdout
    for line in roots.splitlines():
        sha, _, subject = line.partition(" ")
        if subject == first_subject:
            return sha, None
    return None


def _trailers(body: str) -> dict[str, str]:
    found = {}
    for line in body.splitlines():
        for name in (RENDER_TRAILER, PATH_TRAILER, VERSION_TRAILER):
            if line.startswith(name):
                found[name] = line.removeprefix(name).strip()
    return found
