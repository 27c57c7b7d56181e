"""``pystarter update --check``: is the project on the newest version its template source
offers (within a registered pin)? Touches nothing. Git templates are compared by their refs
(one ``git ls-remote``, no render); the built-ins by pystarter's version when the project
records it, else (and for folder templates, which have no versions) by rendering the current
template and comparing it with the project's last render."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pystarter import git, merge, render
from pystarter.git import FIRST_COMMIT_SUBJECT
from pystarter.merge import GitProject
from pystarter.render_history import last_render_tree
from pystarter.subproject import (
    Origin,
    Project,
    open_project,
    pep440,
    resolve_origin,
    unreachable_is_refusal,
)
from pystarter.update_renders import complete, config_of, fit_answers, has_commands, render_tree

if TYPE_CHECKING:
    pass


@dataclass
class CheckResult:
    destination: Path
    template: str
    name: str
    current: str | None
    newest: str | None
    up_to_date: bool
    pinned: str | None = None
    would_run: list[str] = field(default_factory=list)
    """The template's migrations and tasks ``update --trust`` would run (``stage: command``)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "destination": str(self.destination),
            "template": self.template,
            "current": self.current,
            "newest": self.newest,
            "pinned": self.pinned,
            "up_to_date": self.up_to_date,
            "would_run": self.would_run,
            "status": "up-to-date" if self.up_to_date else "newer-available",
            "exit_status": 0 if self.up_to_date else 1,
        }


def check_project(
    path: Path, registry: Mapping[str, Any] | None = None, answers_file: str | None = None
) -> CheckResult:
    """Exit 0 up to date, 1 a newer version exists (the CLI), 2 cannot tell: an unreachable
    template or an unreadable answers file raise a :class:`NotUpdatableError` (exit 2)."""
    with unreachable_is_refusal():
        return _check(path, registry, answers_file)


def _check(path: Path, registry: Mapping[str, Any] | None, answers_file: str | None) -> CheckResult:
    project = open_project(path, answers_file)
    origin = resolve_origin(project, None, True, registry)
    result = CheckResult(
        project.path,
        origin.source,
        origin.name,
        origin.recorded_version,
        origin.target_version,
        False,
        origin.pinned,
    )
    if origin.kind == "git":
        result.up_to_date = _same_git_version(origin)
    elif origin.kind == "builtin" and origin.recorded_version is not None:
        result.up_to_date = _not_older(origin.recorded_version, str(origin.target_version))
    else:
        result.up_to_date, found = render_is_current(project, origin)
        result.current = found or result.current
        if result.up_to_date and origin.kind == "builtin":
            result.current = result.newest
    if not result.up_to_date:
        result.would_run = would_run(project, origin)
    return result


def _same_git_version(origin: Origin) -> bool:
    current, newest = origin.recorded_version, origin.target_version
    if current is None or newest is None:
        return False
    if current == newest:
        return True
    url = origin.template.git_url or origin.template.location
    refs = git.remote_refs(url, origin.source)
    current_sha, newest_sha = _sha(current, refs), _sha(newest, refs)
    if (
        current_sha
        and newest_sha
        and (current_sha.startswith(newest_sha) or newest_sha.startswith(current_sha))
    ):
        return True
    return origin.pinned is None and _not_older(current, newest)


def _sha(ref: str, refs: Mapping[str, str]) -> str | None:
    for name in (f"refs/tags/{ref}", f"refs/heads/{ref}", ref):
        if name in refs:
            return refs[name]
    described = re.fullmatch(r".*-g([0-9a-f]{4,40})", ref)  # git describe: v1-3-gabc1234
    if described:
        return described.group(1)
    return ref if re.fullmatch(r"[0-9a-f]{7,40}", ref) else None


def _not_older(current: str, newest: str) -> bool:
    older = pep440(current), pep440(newest)
    if older[0] is None or older[1] is None:
        return current == newest
    return older[0] >= older[1]


def would_run(project: Project, origin: Origin) -> list[str]:
    """What ``update --trust`` would run in the project (``stage: command``, copier's order),
    listed without running anything: for ``update --check``."""
    config = config_of(replace(origin, template=replace(origin.template, trusted=True)))
    if not has_commands(config):
        return []
    answers = complete(project, origin, config, fit_answers(config, project.user_answers, []))
    found: list[str] = []
    with render.project_tasks(
        origin.template, project.path, answers, answers_file=project.answers_file
    ) as commands:
        for stage, label in (("before", "before"), ("tasks", "task"), ("after", "after")):
            found += [f"{label}: {command}" for command in commands(stage, False)]
    return found


def render_is_current(project: Project, origin: Origin) -> tuple[bool, str | None]:
    """For ``update --check`` where versions say nothing: does the current template render
    what the project's last render holds? (Writes git objects only; no work tree change.)"""
    repo = GitProject.of(project.path)
    if repo is None or repo.run("rev-parse", "-q", "--verify", "HEAD", check=False).returncode:
        return False, None
    found = last_render_tree(repo, FIRST_COMMIT_SUBJECT, answers_file=project.answers_file)
    if found is None:
        return False, None
    base = found[0]
    config = config_of(origin)
    answers = complete(project, origin, config, fit_answers(config, project.user_answers, []))
    tree = render_tree(project, repo, origin, answers, config, skip_tasks=True)
    if merge.with_install_files(repo, base, tree) != base and config.settings.get("_tasks"):
        # the last render holds what the template's tasks wrote (they ran when the project
        # was made, with --trust): rendered again with them, in a temporary folder only, as
        # update renders it -- else --check reports an update forever (case 11)
        tree = render_tree(project, repo, origin, answers, config, skip_tasks=False)
    return merge.with_install_files(repo, base, tree) == base, found[1]
