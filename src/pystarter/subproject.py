"""What an existing project says of its template: its answers file (any name), the template
it names, the version it was rendered at, and where the newest version comes from (a
registered pin included). Read by ``update``, ``update --check``, ``add`` and ``remove``."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pystarter import __version__, git
from pystarter.config import load_config
from pystarter.errors import NotUpdatableError, TemplateFetchError, UsageError
from pystarter.sources import (
    TemplateSource,
    builtin_framework_of,
    builtin_source,
    copier_git_location,
    looks_like_git_url,
    pin_ref,
    plain_git_url,
)
from pystarter.template_config import ANSWERS_FILE

if TYPE_CHECKING:
    from packaging.version import Version

ANSWERS_GLOBS = (".copier-answers*.yml", ".copier-answers*.yaml")
RECORD_PREFIX = "_pystarter_"
OriginKind = Literal["builtin", "git", "folder"]


@dataclass(frozen=True)
class Project:
    path: Path
    answers_file: str
    """Relative to ``path``."""
    recorded: dict[str, Any]

    @property
    def user_answers(self) -> dict[str, Any]:
        return {k: v for k, v in self.recorded.items() if not str(k).startswith("_")}

    @property
    def record(self) -> dict[str, Any]:
        """pystarter's own keys (``_pystarter_template``, the recommendation)."""
        return {k: v for k, v in self.recorded.items() if str(k).startswith(RECORD_PREFIX)}

    @property
    def source_path(self) -> str:
        return str(self.recorded["_src_path"])


def find_answers_file(project: Path, given: str | None) -> str:
    if given:
        path = Path(given)
        relative = path.relative_to(project) if path.is_absolute() else path
        if not (project / relative).is_file():
            raise NotUpdatableError(
                f"{project} has no answers file {relative}", "check --answers-file"
            )
        return relative.as_posix()
    found = sorted({p.name for pattern in ANSWERS_GLOBS for p in project.glob(pattern)})
    if len(found) > 1:
        raise UsageError(
            f"{project} has several answers files ({', '.join(found)})",
            f"name one with --answers-file, e.g. --answers-file {found[0]}",
        )
    if not found:
        raise NotUpdatableError(
            f"{project} has no {ANSWERS_FILE} (nor another .copier-answers*.yml), "
            "so its template is unknown",
            "run it in a project made by pystarter new or copier, or name the file with "
            "--answers-file",
        )
    return found[0]


def open_project(path: Path, answers_file: str | None = None) -> Project:
    project = path.absolute()
    if not project.is_dir():
        raise NotUpdatableError(f"{project} is not a folder", "give the project's folder")
    name = find_answers_file(project, answers_file)
    import yaml

    try:
        answers = yaml.safe_load((project / name).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise NotUpdatableError(
            f"{project / name} cannot be read as YAML",
            f"restore it from git: git checkout -- {name}",
        ) from exc
    if not isinstance(answers, dict) or not answers.get("_src_path"):
        raise NotUpdatableError(
            f"{project / name} does not say which template made the project (no _src_path)",
            "add _src_path: <template git URL or folder> to it",
        )
    return Project(project, name, answers)


@dataclass(frozen=True)
class Origin:
    template: TemplateSource
    """The template at the version to render: the target of an update, the project's own
    version for ``add``/``remove``."""
    kind: OriginKind
    name: str
    """For people: "the fastapi template of pystarter", "acme"."""
    recorded_version: str | None
    target_version: str | None
    base_template: TemplateSource | None = None
    """A git template at the project's recorded ``_commit`` (the update's base)."""
    framework: str | None = None
    pinned: str | None = None
    """The registered ref the target was taken from."""

    @property
    def source(self) -> str:
        return self.template.source


def resolve_origin(
    project: Project,
    vcs_ref: str | None,
    trust: bool,
    registry: Mapping[str, Any] | None,
    same_version: bool = False,
) -> Origin:
    source_path = project.source_path
    framework = builtin_framework_of(source_path, project.recorded)
    if framework is not None:
        if vcs_ref:
            raise UsageError(
                "--vcs-ref applies to git templates; this project uses a built-in one",
                "drop --vcs-ref: the built-in template is the one this pystarter ships",
            )
        recorded = project.recorded.get(f"{RECORD_PREFIX}version")
        return Origin(
            builtin_source(framework),
            "builtin",
            f"the {framework} template of pystarter",
            __version__ if same_version else (str(recorded) if recorded else None),
            __version__,
            framework=framework,
        )
    entry = registered_entry(project, registry)
    trusted = trust or bool(entry is not None and entry.trusted)
    shown = str(project.recorded.get(f"{RECORD_PREFIX}template") or source_path)
    is_local_git = Path(source_path).is_dir() and _is_git_root(Path(source_path))
    if looks_like_git_url(source_path) or is_local_git:
        url = plain_git_url(source_path) if looks_like_git_url(source_path) else source_path
        recorded_commit = project.recorded.get("_commit")
        pinned = None if vcs_ref or entry is None else entry.ref
        wanted = vcs_ref or (str(recorded_commit) if same_version and recorded_commit else pinned)
        ref = pin_ref(url, wanted, shown)
        location = copier_git_location(source_path) if looks_like_git_url(source_path) else url
        template = TemplateSource(shown, location, "git", trusted, ref, None, url)
        base = None
        if recorded_commit and not same_version:
            base = TemplateSource(shown, location, "git", trusted, str(recorded_commit), None, url)
        return Origin(
            template,
            "git",
            git_name(shown, url),
            str(recorded_commit) if recorded_commit else None,
            ref,
            base,
            pinned=pinned,
        )
    if Path(source_path).is_dir():
        if vcs_ref:
            raise UsageError(
                f"--vcs-ref needs a git template; {source_path} is a plain folder", "drop --vcs-ref"
            )
        template = TemplateSource(shown, source_path, "path", trusted)
        return Origin(template, "folder", f"the template in {source_path}", None, None)
    raise NotUpdatableError(
        f"the template {source_path} named in {project.answers_file} is not there any more",
        f"fix _src_path in {project.answers_file} to the template's git URL or folder",
    )


def git_name(shown: str, url: str) -> str:
    if shown != url and not looks_like_git_url(shown) and "/" not in shown:
        return shown  # a registered name
    return Path(url.rstrip("/")).name.removesuffix(".git") or url


def _is_git_root(path: Path) -> bool:
    return git.is_repo_root(path)


def registered_entry(project: Project, registry: Mapping[str, Any] | None) -> Any:
    """The registry entry the project was made from: by the name ``new`` recorded, else by
    its source."""
    if registry is None:
        registry = load_config().usable_templates()
    name = project.recorded.get(f"{RECORD_PREFIX}template")
    if isinstance(name, str) and name in registry:
        return registry[name]
    wanted = comparable(project.source_path)
    for entry in registry.values():
        if comparable(entry.source) == wanted:
            return entry
    return None


def comparable(source: str) -> str:
    if looks_like_git_url(source):
        return plain_git_url(source).removesuffix(".git").rstrip("/")
    try:
        return str(Path(source).expanduser().resolve())
    except OSError:
        return source


def append_record(answers_file: Path, record: Mapping[str, Any]) -> None:
    """pystarter's additions to copier's answers file (``_pystarter_*`` keys), appended unless
    the file has them: ``new`` writes them; ``update`` puts them back into each render so the
    merge leaves those lines alone."""
    if not record or not answers_file.is_file():
        return
    import yaml

    current = yaml.safe_load(answers_file.read_text(encoding="utf-8")) or {}
    keyed = {
        k if k.startswith(RECORD_PREFIX) else f"{RECORD_PREFIX}{k}": v for k, v in record.items()
    }
    missing = {key: value for key, value in keyed.items() if key not in current}
    if missing:
        with answers_file.open("a", encoding="utf-8") as stream:
            yaml.safe_dump(missing, stream, sort_keys=False, allow_unicode=True)


@contextmanager
def unreachable_is_refusal() -> Iterator[None]:
    """A template that cannot be fetched is "cannot tell" / "refused before any change":
    exit 2, one line (git's reason and the fix)."""
    try:
        yield
    except TemplateFetchError as exc:
        raise NotUpdatableError(exc.message, exc.hint) from exc


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
