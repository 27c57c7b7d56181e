"""``pystarter update`` / ``add`` / ``remove``: a template change merged into an existing project.

One way for every kind of template (built-in, folder, git, registered, plugin):

* the **base** is the project as the template rendered it: for a git template its recorded
  ``_commit`` rendered again with the recorded answers; for the built-ins and folders (which
  have no old version to render) the last pristine render in the project's history (the first
  commit of ``pystarter new``, or the render an earlier update recorded); failing both, the
  current template rendered with the recorded answers;
* the **target** is the new version (``update``) or the same version with changed answers
  (``add``/``remove``);
* :mod:`pystarter.merge` lets git merge base -> target into the user's work tree.

No terminal I/O here. Nothing is touched when the project has uncommitted changes, and an
error or an interrupt puts the project back as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pystarter import merge, render
from pystarter.answers import layer
from pystarter.errors import (
    DirtyWorkTreeError,
    NotUpdatableError,
    PystarterError,
    interrupt_status,
    interrupt_word,
)
from pystarter.git import FIRST_COMMIT_SUBJECT
from pystarter.merge import GitProject
from pystarter.render_history import last_render_tree, render_message
from pystarter.subproject import (
    RECORD_PREFIX,
    Origin,
    Project,
    is_downgrade,
    open_project,
    resolve_origin,
    unreachable_is_refusal,
)
from pystarter.update_renders import (
    complete,
    config_of,
    excluded,
    fit_answers,
    given_answers,
    has_commands,
    render_tree,
    rendered_commit,
)

NO_GIT_HINT = (
    "update merges with git: run git init && git add -A && git commit -m 'Before update' in "
    "the project, then pystarter update again (it renders the recorded version as the base)"
)


class UpdateInterrupted(PystarterError):
    """Ctrl-C, SIGTERM or SIGHUP during an update: the project was put back, exit 130/143/129."""

    def __init__(self, interrupt: KeyboardInterrupt) -> None:
        super().__init__(
            f"{interrupt_word(interrupt)}; the project was put back as it "
            "was before the update (work tree and index)"
        )
        self.exit_status = interrupt_status(interrupt)


@dataclass
class UpdateResult:
    destination: Path
    template: str
    template_name: str
    action: str
    old_version: str | None
    new_version: str | None
    changed: list[str] = field(default_factory=list)
    conflicts: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    up_to_date: bool = False
    then: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    """The template's migrations and tasks run in the project (``stage: command``)."""
    """What to run after committing (migrations, services), for ``add``/``remove``."""
    record_base: bool = False
    """The base was rendered afresh (no render in the history): the merge records it even
    when nothing changes, so the next update has it."""

    @property
    def versions(self) -> str:
        old, new = self.old_version or "(version not recorded)", self.new_version or "?"
        name = self.template_name
        return f"{name} {old}" if old == new else f"{name} {old} → {new}"

    @property
    def next_steps(self) -> list[str]:
        if self.up_to_date:
            return []
        steps = ["git diff HEAD"]
        if self.conflicts:
            steps.append("resolve the conflicts, then git add the files")
        if "pyproject.toml" in self.changed and (self.destination / "uv.lock").is_file():
            steps.append("uv lock && git add uv.lock")  # CI and Docker install with --locked
        steps += ["git commit", *self.then, "(git merge --abort undoes it)"]
        return steps

    def as_json(self) -> dict[str, Any]:
        return {
            "destination": str(self.destination),
            "template": self.template,
            "action": self.action,
            "from": self.old_version,
            "to": self.new_version,
            "up_to_date": self.up_to_date,
            "changed": self.changed,
            "conflicts": [{"path": p, "kind": k} for p, k in self.conflicts.items()],
            "notes": self.notes,
            "ran": self.ran,
            "next_steps": self.next_steps,
        }


def update_project(
    path: Path,
    data: Mapping[str, Any] | None = None,
    vcs_ref: str | None = None,
    trust: bool = False,
    registry: Mapping[str, Any] | None = None,
    answers_file: str | None = None,
) -> UpdateResult:
    """Bring the newest version (or ``vcs_ref``) of the project's template into it."""
    with unreachable_is_refusal():
        return _update(path, data, vcs_ref, trust, registry, answers_file)


def _update(
    path: Path,
    data: Mapping[str, Any] | None,
    vcs_ref: str | None,
    trust: bool,
    registry: Mapping[str, Any] | None,
    answers_file: str | None,
) -> UpdateResult:
    project = open_project(path, answers_file)
    repo = require_clean_git(project)
    origin = resolve_origin(project, vcs_ref, trust, registry)
    if origin.kind == "git" and is_downgrade(origin.recorded_version, origin.target_version):
        raise NotUpdatableError(
            f"{project.path} is on {origin.name} {origin.recorded_version}, newer than "
            f"{origin.target_version}: downgrades are not supported (as in copier); nothing "
            "was changed",
            "give a newer version with --vcs-ref, or leave the project as it is",
        )
    result = UpdateResult(
        project.path,
        origin.source,
        origin.name,
        "update",
        origin.recorded_version,
        origin.target_version,
    )
    with _restored_on_failure(repo):
        base_ignored: dict[str, bytes] = {}
        target_ignored: dict[str, bytes] = {}
        base_tree, base_skip = _base_tree(project, repo, origin, result, base_ignored)
        config = config_of(origin)
        data = given_answers(config, origin, data or {})
        answers = fit_answers(config, project.user_answers, result.notes)
        answers = complete(project, origin, config, layer(dict(data or {}), answers))
        target_tree = render_tree(project, repo, origin, answers, config, False, target_ignored)
        if origin.kind == "git":
            result.new_version = rendered_commit(repo, target_tree, project) or result.new_version
        # copier renders the old version with the new version's excludes too: a path the new
        # version excludes is never deleted
        base_tree = merge.without(repo, base_tree, excluded(config, answers))
        skip = (*base_skip, *config.skip_if_exists(answers))
        ignored = (base_ignored, target_ignored, skip)
        if not has_commands(config):
            _merge(repo, project, origin, base_tree, target_tree, skip, result)
            _apply_ignored(repo, ignored, result)
            return result
        # copier 9.19's order, in the project: the "before" migrations, the new version in
        # place, the _tasks, the "after" migrations (all with _copier_operation == "update")
        with render.project_tasks(
            origin.template, project.path, answers, answers_file=project.answers_file
        ) as commands:
            if base_tree == merge.with_install_files(repo, base_tree, target_tree):
                result.up_to_date = True
                return result
            result.ran += [f"before: {c}" for c in commands("before", True)]
            _merge(repo, project, origin, base_tree, target_tree, skip, result)
            _apply_ignored(repo, ignored, result)
            result.ran += [f"task: {c}" for c in commands("tasks", True)]
            result.ran += [f"after: {c}" for c in commands("after", True)]
    if result.ran:
        result.notes.append(f"ran in the project: {'; '.join(result.ran)}")
    return result


def _apply_ignored(
    repo: GitProject,
    ignored: tuple[dict[str, bytes], dict[str, bytes], tuple[str, ...]],
    result: UpdateResult,
) -> None:
    """The template's files that its own ``.gitignore`` ignores, brought in as copier brings
    them, never staged; listed with the changes."""
    changed, kept = merge.apply_ignored(repo, *ignored)
    if changed:
        result.changed = sorted({*result.changed, *changed})
        result.up_to_date = False
        result.notes.append(
            f"updated {len(changed)} file(s) that git ignores (not staged): {', '.join(changed)}"
        )
    if kept:
        result.notes.append(
            "the template changed these files that git ignores, and yours differ: kept as you "
            f"have them, merge by hand: {', '.join(kept)}"
        )


def change_answers(
    path: Path,
    changes: Mapping[str, Any],
    action: str,
    trust: bool = False,
    registry: Mapping[str, Any] | None = None,
    answers_file: str | None = None,
    check: Callable[[Origin, dict[str, Any]], None] | None = None,
) -> UpdateResult:
    """``add``/``remove``: the template at the project's own version rendered with the recorded
    answers and with ``changes``; the difference merged like an update. ``check`` may refuse
    the new answers (option rules) before anything is rendered."""
    project = _with_commit_hash(open_project(path, answers_file))
    repo = require_clean_git(project)
    with unreachable_is_refusal():
        origin = resolve_origin(project, None, trust, registry, same_version=True)
    _refuse_other_version(project, origin, action)
    result = UpdateResult(
        project.path,
        origin.source,
        origin.name,
        action,
        origin.recorded_version,
        origin.recorded_version,
    )
    config = config_of(origin)
    old = complete(project, origin, config, project.user_answers)
    new = complete(project, origin, config, layer(dict(changes), project.user_answers))
    if check is not None:
        check(origin, new)
    typed = given_answers(config, origin, changes)
    if typed != changes:
        changes = typed
        new = complete(project, origin, config, layer(dict(changes), project.user_answers))
    if all(old.get(k) == new.get(k) for k in changes):
        result.up_to_date = True
        return result
    with _restored_on_failure(repo):
        base_tree = _last_render(repo, origin, project)
        if base_tree is not None and origin.kind == "folder":
            fresh = render_tree(project, repo, origin, old, config, skip_tasks=True)
            if merge.with_install_files(repo, base_tree, fresh) != base_tree:
                raise NotUpdatableError(
                    f"the template in {origin.source} changed since the project's last render; "
                    f"{action} works at the version the project has, so nothing was changed",
                    f"run `pystarter update` first, commit, then pystarter {action} again",
                )
        if base_tree is None:  # git templates: the recorded commit rendered again, as copier
            base_tree = render_tree(project, repo, origin, old, config, skip_tasks=False)
        target_tree = render_tree(project, repo, origin, new, config, skip_tasks=False)
        skip = (*config.skip_if_exists(old), *config.skip_if_exists(new))
        _merge(repo, project, origin, base_tree, target_tree, skip, result)
    return result


# --- checks before anything is touched ----------------------------------------------------

#: ``git describe`` of a commit after a tag: copier records ``_commit: v2-1-g8b19977``.
DESCRIBED = re.compile(r"^.+-\d+-g([0-9a-f]{4,40})$")


def _with_commit_hash(project: Project) -> Project:
    """The project with a ``git describe`` ``_commit`` (an untagged template commit) read as
    the commit it names, so ``add``/``remove`` render that very commit (copier's
    ``--vcs-ref :current:``); copier records the described form again."""
    commit = project.recorded.get("_commit")
    found = DESCRIBED.match(str(commit)) if commit else None
    if found is None:
        return project
    return replace(project, recorded={**project.recorded, "_commit": found.group(1)})


def _refuse_other_version(project: Project, origin: Origin, action: str) -> None:
    """``add``/``remove`` render the template at the project's own version: a built-in
    project recorded by another pystarter would get today's template with the changed
    answers, and the changes it gained since would never arrive. Refused, exit 2."""
    from pystarter import __version__

    recorded = project.recorded.get(f"{RECORD_PREFIX}version")
    if origin.kind == "builtin" and recorded is not None and str(recorded) != __version__:
        raise NotUpdatableError(
            f"{project.path} is on {origin.name} {recorded} and this pystarter renders "
            f"{__version__}; {action} works at the project's own version, so nothing was changed",
            f"run `pystarter update` first, commit, then pystarter {action} again",
        )


def _last_render(repo: GitProject, origin: Origin, project: Project) -> str | None:
    """For the built-ins and folders: the tree of the project's last pristine render in the
    current branch's history (None for git templates, or when the history has none)."""
    if origin.kind == "git":
        return None
    found = last_render_tree(repo, FIRST_COMMIT_SUBJECT, answers_file=project.answers_file)
    return found[0] if found else None


def require_clean_git(project: Project) -> GitProject:
    repo = GitProject.of(project.path)
    if repo is None:
        raise NotUpdatableError(f"{project.path} is not in a git repository", NO_GIT_HINT)
    if repo.run("rev-parse", "-q", "--verify", "HEAD", check=False).returncode != 0:
        raise NotUpdatableError(
            f"the git repository of {project.path} has no commit yet",
            "commit the project (git add -A && git commit), then run pystarter update again",
        )
    status = repo.run("status", "--porcelain", "-z", "--untracked-files=all", "--", repo.pathspec)
    dirty, entries = [], iter(status.stdout.split("\0"))
    for entry in entries:
        if entry[3:]:
            dirty.append(repo.relative(entry[3:]))
        if entry[:1] in ("R", "C"):
            next(entries, None)  # -z puts a rename's old path in an entry of its own
    merging = repo.run("rev-parse", "-q", "--verify", "MERGE_HEAD", check=False)
    if dirty:
        shown = ", ".join(dirty[:3]) + (", ..." if len(dirty) > 3 else "")
        raise DirtyWorkTreeError(
            f"{project.path} has uncommitted changes ({len(dirty)}: {shown}); nothing was changed",
            "commit or stash them, then run the same command again",
        )
    if merging.returncode == 0:
        raise DirtyWorkTreeError(
            f"a merge is in progress in {repo.top}; nothing was changed",
            "finish it with git commit (or undo it with git merge --abort), then run it again",
        )
    return repo


# --- the renders ---------------------------------------------------------------------------


def _base_tree(
    project: Project,
    repo: GitProject,
    origin: Origin,
    result: UpdateResult,
    ignored: dict[str, bytes],
) -> tuple[str, tuple[str, ...]]:
    """The project's template version as it was rendered (see the module's docstring), and
    that version's ``_skip_if_exists`` patterns (none known for a render from the history:
    the target's apply)."""
    if origin.base_template is not None:
        config = config_of(replace(origin, template=origin.base_template))
        answers = complete(project, origin, config, project.user_answers)
        base = replace(origin, template=origin.base_template)
        # copier runs the old version's _tasks in its render too, so what a task writes is
        # merged three-way like template content (not a false add/add conflict)
        rendered = render_tree(project, repo, base, answers, config, False, ignored)
        return rendered, config.skip_if_exists(answers)
    found = last_render_tree(repo, FIRST_COMMIT_SUBJECT, answers_file=project.answers_file)
    if found:
        if found[1]:
            result.old_version = found[1]
        return found[0], ()
    recorded = project.recorded.get(f"{RECORD_PREFIX}version")
    if origin.kind == "builtin" and recorded and recorded != origin.target_version:
        raise NotUpdatableError(
            f"{project.path} was made by pystarter {recorded} and its history holds no "
            "render of that version to merge from",
            f"update it with pystarter {recorded} first, or commit the project as pystarter "
            "new made it",
        )
    result.record_base = True
    result.notes.append(
        "no earlier render of the template is in the project's history: the base is the "
        "current template rendered with the recorded answers (git commit records it)"
    )
    config = config_of(origin)
    answers = complete(project, origin, config, project.user_answers)
    return render_tree(project, repo, origin, answers, config, skip_tasks=True), ()


# --- the merge -----------------------------------------------------------------------------


def _merge(
    repo: GitProject,
    project: Project,
    origin: Origin,
    base_tree: str,
    target_tree: str,
    skip: tuple[str, ...],
    result: UpdateResult,
) -> None:
    from pystarter import __version__

    target_tree = merge.with_install_files(repo, base_tree, target_tree)
    # _skip_if_exists only means "never overwrite": a file either version's list matches and
    # the project has is left as it is (the target keeps the base's entry, or none)
    target_tree = merge.kept_as_base(repo, base_tree, target_tree, skip, project.path)
    merge.refuse_hidden_files(repo, base_tree, target_tree)
    version = result.new_version or "unversioned"
    base = merge.commit_tree(
        repo,
        merge.full_tree(repo, base_tree),
        render_message(
            repo,
            f"Render of {origin.name} {result.old_version or ''}".rstrip(),
            origin.source,
            result.old_version or "unknown",
        ),
    )
    subject = f"{result.action.capitalize()} from {origin.name} {version} (pystarter {__version__})"
    target = merge.commit_tree(
        repo,
        merge.full_tree(repo, target_tree),
        render_message(repo, subject, origin.source, version),
        parent=base,
    )
    labels = (f"{origin.name} {result.old_version or ''}", f"{origin.name} {version}")
    outcome = merge.merge(repo, base, target, labels, record=result.record_base)
    result.changed, result.conflicts = outcome.changed, outcome.conflicts
    result.up_to_date = outcome.up_to_date


@contextmanager
def _restored_on_failure(repo: GitProject) -> Iterator[None]:
    """An error or a signal puts the project's folder back as HEAD has it (it was clean)."""
    from pystarter.placement import signals_deferred

    try:
        yield
    except KeyboardInterrupt as exc:
        with signals_deferred():
            merge.restore(repo)
        raise UpdateInterrupted(exc) from exc
    except BaseException:
        with signals_deferred():
            merge.restore(repo)
        raise
