"""Where a template comes from.

A source is a built-in framework, a local folder, a local git repo, a git URL (``gh:owner/repo``
too), a name registered in the user config, or a name a plugin package exposes through the
``pystarter.templates`` entry point group. Git sources are pinned here to one ref (``--vcs-ref``,
else the latest PEP 440 tag, else HEAD's commit) so the copy pystarter inspects is the copy
copier renders.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from pystarter import git
from pystarter.builtin import FRAMEWORKS, builtin_templates_dir
from pystarter.errors import (
    TemplateFetchError,
    TemplateNotFoundError,
    UnknownRefError,
    UsageError,
)
from pystarter.template_config import COPIER_FILES

SourceKind = Literal["builtin", "path", "git", "registry", "plugin"]
PLUGIN_GROUP = "pystarter.templates"
BUILTIN_PREFIX = "builtin:"
GIT_URL_PREFIXES = ("gh:", "gl:", "git@", "git+", "git://", "ssh://", "http://", "https://")
GIT_ALIASES = {"gh:": "https://github.com/", "gl:": "https://gitlab.com/"}


@dataclass(frozen=True)
class TemplateSource:
    source: str
    """What the user named: shown in output and JSON."""
    location: str
    """What copier is given: a local folder, a local git repo or a git URL."""
    kind: SourceKind
    trusted: bool
    vcs_ref: str | None = None
    framework: str | None = None
    git_url: str | None = None
    """What plain git can fetch from, for git templates; None for folders."""

    @property
    def is_git(self) -> bool:
        return self.git_url is not None


# --- built-ins -----------------------------------------------------------------------------


def builtin_source(framework: str) -> TemplateSource:
    """The built-in template is one copier template; ``framework`` is its first answer."""
    return TemplateSource(
        source=f"{BUILTIN_PREFIX}{framework}",
        location=str(builtin_templates_dir()),
        kind="builtin",
        trusted=True,
        framework=framework,
    )


def builtin_frameworks() -> list[str]:
    """The frameworks whose folder is present in this install's built-in template."""
    root = builtin_templates_dir()
    if not any((root / name).is_file() for name in COPIER_FILES):
        return []
    return [fw for fw in FRAMEWORKS if (root / fw).is_dir()]


def builtin_framework_of(location: str, answers: Mapping[str, Any]) -> str | None:
    """The framework when ``location`` (an answers file's ``_src_path``) is the built-in template.

    Matches this install's templates folder, and any ``pystarter/templates`` or checkout
    ``templates`` path (with ``/<framework>`` for projects made before the three templates
    became one), so a project survives pystarter being reinstalled.
    """
    if location.startswith(BUILTIN_PREFIX):
        name = location.removeprefix(BUILTIN_PREFIX)
        return name if name in FRAMEWORKS else None
    path = Path(location)
    framework = answers.get("framework")
    if path.name in FRAMEWORKS and path.parent.name == "templates":
        framework, path = path.name, path.parent
    if framework not in FRAMEWORKS or path.name != "templates":
        return None
    try:
        if path.resolve() == builtin_templates_dir().resolve():
            return str(framework)
    except OSError:
        pass
    if path.parent.name == "pystarter" or (path.parent / "src" / "pystarter").is_dir():
        return str(framework)
    return None


# --- plugins -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PluginTemplate:
    name: str
    value: str
    """The entry point's ``module:ATTR``."""
    distribution: str | None
    path: Path | None
    error: str | None = None


def plugin_templates() -> dict[str, PluginTemplate]:
    """Templates exposed by installed packages; a broken entry point is kept with its error."""
    from importlib.metadata import entry_points

    found: dict[str, PluginTemplate] = {}
    for entry in entry_points(group=PLUGIN_GROUP):
        dist = entry.dist.name if entry.dist is not None else None
        try:
            path = _plugin_path(entry.load(), entry.module)
        except Exception as exc:  # importing third-party code fails in many ways
            found.setdefault(
                entry.name, PluginTemplate(entry.name, entry.value, dist, None, _one_line(exc))
            )
            continue
        found.setdefault(entry.name, PluginTemplate(entry.name, entry.value, dist, path))
    return found


def _plugin_path(loaded: Any, module_name: str) -> Path:
    """``module:ATTR`` gives a path (str, Path or a resources Traversable) or a package."""
    import importlib
    import types

    if isinstance(loaded, types.ModuleType):
        files = getattr(loaded, "__file__", None)
        if not files:
            raise TypeError(f"module {loaded.__name__} has no folder")
        return Path(files).parent
    if not isinstance(loaded, str | os.PathLike) and not hasattr(loaded, "joinpath"):
        raise TypeError(f"expected a path, got {type(loaded).__name__}")
    path = Path(str(loaded)).expanduser()
    if not path.is_absolute():
        module_file = getattr(importlib.import_module(module_name), "__file__", None) or ""
        path = Path(module_file).parent / path
    return path


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# --- resolving a --template value ------------------------------------------------------------


def looks_like_git_url(text: str) -> bool:
    return (
        text.startswith(GIT_URL_PREFIXES)
        or text.startswith("file://")
        or (text.endswith(".git") and not Path(text).expanduser().is_dir())
    )


def plain_git_url(text: str) -> str:
    """What ``git clone`` understands: aliases expanded, ``git+`` dropped."""
    for alias, base in GIT_ALIASES.items():
        if text.startswith(alias):
            rest = text.removeprefix(alias).strip("/")
            return f"{base}{rest}" if rest.endswith(".git") else f"{base}{rest}.git"
    return text.removeprefix("git+")


def copier_git_location(text: str) -> str:
    """What copier recognises as git: it needs ``git+`` before URLs it does not know."""
    if text.startswith(("gh:", "gl:", "git@", "git+", "git://")) or text.endswith(".git"):
        return text
    if text.startswith(("https://github.com/", "https://gitlab.com/")):
        return text
    return f"git+{text}"


def resolve_source(
    source: str | None,
    framework: str,
    vcs_ref: str | None = None,
    trust: bool = False,
    *,
    registry: Mapping[str, Any],
) -> TemplateSource:
    """Turn ``--template`` (or its absence) into something copier can render.

    ``registry`` maps registered names to entries with ``source``, ``ref`` and ``trusted``
    (the user config's ``templates``). Git sources come back with ``vcs_ref`` pinned.
    """
    if not source:
        return _no_ref_for_builtin(builtin_source(framework), vcs_ref)
    name = source.removeprefix(BUILTIN_PREFIX)
    if name in FRAMEWORKS:
        return _no_ref_for_builtin(builtin_source(name), vcs_ref)
    if source.startswith(BUILTIN_PREFIX):
        raise TemplateNotFoundError(
            f"there is no built-in template {name!r}", f"choose one of {', '.join(FRAMEWORKS)}"
        )
    resolved = _resolve_name(source, registry, vcs_ref) if _is_bare_name(source) else None
    if resolved is None:
        resolved = _resolve_location(source, vcs_ref)
    if trust and not resolved.trusted:
        resolved = replace(resolved, trusted=True)
    return resolved


def _no_ref_for_builtin(source: TemplateSource, vcs_ref: str | None) -> TemplateSource:
    if vcs_ref:
        raise UsageError(
            "--vcs-ref applies to git templates, not to the built-in ones",
            "drop --vcs-ref, or pass --template with a git URL",
        )
    return source


def _is_bare_name(source: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", source)) and not source.endswith(".git")


def _resolve_name(
    name: str, registry: Mapping[str, Any], vcs_ref: str | None
) -> TemplateSource | None:
    entry = registry.get(name)
    if entry is not None:
        inner = _resolve_location(entry.source, vcs_ref or entry.ref, registered_as=name)
        return replace(inner, source=name, kind="registry", trusted=bool(entry.trusted))
    plugin = plugin_templates().get(name)
    if plugin is None:
        return None
    if plugin.path is None:
        raise TemplateNotFoundError(
            f"plugin template {name!r} ({plugin.value}) did not load: {plugin.error}",
            f"reinstall or fix the package {plugin.distribution or 'that provides it'}",
        )
    if not plugin.path.is_dir():
        raise TemplateNotFoundError(
            f"plugin template {name!r} points to {plugin.path}, which is not a folder",
            f"fix the {PLUGIN_GROUP} entry point of {plugin.distribution or 'its package'}",
        )
    inner = _resolve_location(str(plugin.path), vcs_ref)
    return replace(inner, source=name, kind="plugin")


def _resolve_location(
    source: str, vcs_ref: str | None, registered_as: str | None = None
) -> TemplateSource:
    where = f" (registered as {registered_as!r})" if registered_as else ""
    if looks_like_git_url(source):
        url = plain_git_url(source)
        ref = pin_ref(url, vcs_ref, source)
        return TemplateSource(source, copier_git_location(source), "git", False, ref, None, url)
    path = Path(source).expanduser()
    if not path.is_dir():
        raise TemplateNotFoundError(
            f"template {source!r}{where} is not a folder, a git URL, a registered name or a plugin",
            "see pystarter templates list, or give a copier template's folder or git URL",
        )
    path = path.resolve()
    if git.is_repo_root(path):
        ref = pin_ref(str(path), vcs_ref, source)
        if vcs_ref is None and not latest_tag(local_tags(path)):
            # copier renders an untagged local repo as it is, uncommitted edits included
            return TemplateSource(source, str(path), "git", False)
        return TemplateSource(source, str(path), "git", False, ref, None, str(path))
    if vcs_ref:
        raise UsageError(
            f"--vcs-ref needs a git template, and {source} is a plain folder",
            "drop --vcs-ref, or put the template in git",
        )
    return TemplateSource(source, str(path), "path", False)


def version_order(tags: list[str]) -> list[str]:
    """Tags that are PEP 440 versions, newest first, pre-releases left out (copier's rule)."""
    from packaging.version import InvalidVersion, Version

    versions = []
    for tag in tags:
        try:
            version = Version(tag)
        except InvalidVersion:
            continue
        if not version.is_prerelease:
            versions.append((version, tag))
    return [tag for _, tag in sorted(versions, reverse=True)]


def local_tags(repo: Path) -> list[str]:
    return git.run(["tag", "--list"], repo, error=TemplateFetchError).stdout.split()


def latest_tag(tags: list[str]) -> str | None:
    ordered = version_order(tags)
    return ordered[0] if ordered else None


def pin_ref(url: str, vcs_ref: str | None, shown: str) -> str:
    """The ref to render: the one asked for (checked to exist), else latest tag, else HEAD."""
    refs = git.remote_refs(url, shown)
    tags = [n.removeprefix("refs/tags/") for n in refs if n.startswith("refs/tags/")]
    if vcs_ref is None:
        tag = latest_tag(tags)
        if tag is not None:
            return tag
        if "HEAD" not in refs:
            raise TemplateFetchError(
                f"template {shown} is an empty repository", "commit the template first"
            )
        return refs["HEAD"]
    candidates = {vcs_ref, f"refs/tags/{vcs_ref}", f"refs/heads/{vcs_ref}"}
    if candidates & refs.keys() or re.fullmatch(r"[0-9a-fA-F]{4,64}", vcs_ref):
        return vcs_ref  # a commit id is checked when it is fetched
    newest = version_order(tags) or sorted(tags, reverse=True)
    known = ", ".join(newest[:5]) or "none"
    raise UnknownRefError(
        f"template {shown} has no tag or branch {vcs_ref!r} (newest tags: {known})",
        "give an existing tag, branch or commit with --vcs-ref",
    )


@contextmanager
def checkout(source: TemplateSource) -> Iterator[Path]:
    """The template's files on disk, at its pinned ref for git; temporary copies are removed."""
    if source.git_url is None:
        yield Path(source.location)
        return
    workdir = Path(tempfile.mkdtemp(prefix="pystarter-template-"))
    try:
        git.clone_at(source.git_url, source.vcs_ref or "HEAD", workdir, source.source)
        yield workdir
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --- what `templates list` shows -------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueEntry:
    name: str
    kind: Literal["builtin", "registry", "plugin"]
    source: str
    ref: str | None = None
    trusted: bool = False
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "source": self.source,
            "ref": self.ref,
            "trusted": self.trusted,
            "error": self.error,
        }


def catalogue(registry: Mapping[str, Any]) -> list[CatalogueEntry]:
    """Built-in, registered and plugin templates, in that order (the order names resolve in)."""
    entries = [
        CatalogueEntry(fw, "builtin", str(builtin_templates_dir() / fw), trusted=True)
        for fw in builtin_frameworks()
    ]
    entries += [
        CatalogueEntry(name, "registry", entry.source, entry.ref, bool(entry.trusted))
        for name, entry in sorted(registry.items())
    ]
    for name, plugin in sorted(plugin_templates().items()):
        shown = str(plugin.path) if plugin.path else plugin.value
        entries.append(CatalogueEntry(name, "plugin", shown, error=plugin.error))
    return entries
