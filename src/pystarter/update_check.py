"""``pystarter update --check``: is the project on the newest version its template source
offers (within a registered pin)? Touches nothing. Git templates are compared by their refs
(one ``git ls-remote``, no render); the built-ins by pystarter's version when the project
records it, else (and for folder templates, which have no versions) by rendering the current
template and comparing it with the project's last render."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pystarter import git
from pystarter.errors import NotUpdatableError, TemplateFetchError
from pystarter.subproject import Origin, open_project, resolve_origin

if TYPE_CHECKING:
    from packaging.version import Version


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
        from pystarter.update import render_is_current

        result.up_to_date, found = render_is_current(project, origin)
        result.current = found or result.current
        if result.up_to_date and origin.kind == "builtin":
            result.current = result.newest
    if not result.up_to_date:
        from pystarter.update import would_run

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


#: ``git describe`` of a commit after a tag, as copier records it: ``v2-1-g8b19977``.
DESCRIBED = re.compile(r"^(.+)-(\d+)-g(\w+)$")


def pep440(ref: str) -> Version | None:
    """A template version as copier compares them: the PEP 440 version of a tag (``v2`` is
    2), a ``git describe`` form as ``<tag>.post<count>+<hash>`` (copier's own reading of
    it); None for a branch or a bare commit, which no version orders."""
    from packaging.version import InvalidVersion, Version

    described = DESCRIBED.match(ref)
    try:
        if described:
            base, count, sha = described.groups()
            return Version(f"{base}.post{count}+{sha}")
        return Version(ref)
    except InvalidVersion:
        return None


def is_downgrade(current: str | None, target: str | None) -> bool:
    """``current`` is a newer version than ``target`` (copier: "Downgrades are not
    supported")."""
    if not current or not target:
        return False
    old, new = pep440(current), pep440(target)
    return old is not None and new is not None and old > new


@contextmanager
def unreachable_is_refusal() -> Iterator[None]:
    """A template that cannot be fetched is "cannot tell" / "refused before any change":
    exit 2, one line (git's reason and the fix)."""
    try:
        yield
    except TemplateFetchError as exc:
        raise NotUpdatableError(exc.message, exc.hint) from exc
