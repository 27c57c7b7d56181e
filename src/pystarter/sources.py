"""Where a template comes from, and what its copier.yml says before copier reads it.

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
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pystarter.errors import (
    MissingExtensionError,
    TemplateFetchError,
    TemplateNotFoundError,
    UntrustedTemplateError,
    UsageError,
)
from pystarter.options import FRAMEWORKS

SourceKind = Literal["builtin", "path", "git", "registry", "plugin"]
COPIER_FILES = ("copier.yml", "copier.yaml")
PLUGIN_GROUP = "pystarter.templates"
BUILTIN_PREFIX = "builtin:"
#: copier.yml settings that run code or load code: custom templates need --trust for them.
UNSAFE_SETTINGS = {
    "_tasks": "tasks",
    "_migrations": "migrations",
    "_jinja_extensions": "Jinja extensions",
}
#: copier.yml settings that hold lists merged across YAML documents, as copier merges them.
MERGED_LIST_SETTINGS = ("_exclude", "_jinja_extensions", "_secret_questions", "_skip_if_exists")
GIT_URL_PREFIXES = ("gh:", "gl:", "git@", "git+", "git://", "ssh://", "http://", "https://")
GIT_ALIASES = {"gh:": "https://github.com/", "gl:": "https://gitlab.com/"}
#: Generous bounds so a black-holed host fails instead of hanging a script forever.
LS_REMOTE_TIMEOUT = 120
CLONE_TIMEOUT = 600
FALSE_WORDS = {"", "false", "no", "off", "0", "n", "none"}


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


@dataclass(frozen=True)
class TemplateConfig:
    """The parts of a template's copier.yml pystarter needs before rendering."""

    questions: dict[str, dict[str, Any]]
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def commands(self) -> dict[str, str]:
        block = self.settings.get("_pystarter") or {}
        commands = block.get("commands") if isinstance(block, dict) else None
        return dict(commands) if isinstance(commands, dict) else {}

    def skip_if_exists(self, answers: Mapping[str, Any]) -> tuple[str, ...]:
        """``_skip_if_exists`` patterns, rendered with the answers as copier renders them (a
        pattern only copier can render is kept as written)."""
        patterns = self.settings.get("_skip_if_exists") or []
        if not isinstance(patterns, list):
            patterns = [patterns]
        rendered = (_render_maybe(str(pattern), answers) for pattern in patterns)
        return tuple(
            str(text if text is not None else pattern)
            for pattern, text in zip(patterns, rendered, strict=True)
        )

    @property
    def unsafe_features(self) -> list[str]:
        return [label for key, label in UNSAFE_SETTINGS.items() if self.settings.get(key)]

    @property
    def jinja_extensions(self) -> list[str]:
        extensions = self.settings.get("_jinja_extensions") or []
        return [str(e) for e in extensions] if isinstance(extensions, list) else [str(extensions)]

    def required_keys(self, given: set[str] | Mapping[str, Any]) -> list[str]:
        """Questions copier would ask that have no default and no answer, in template order.

        ``when`` conditions are evaluated against the answers known so far; one that cannot be
        evaluated here (it uses copier-only filters) counts as false and is left to copier.
        """
        known = dict(given) if isinstance(given, Mapping) else dict.fromkeys(given, "")
        missing = []
        for key, question in self.questions.items():
            if key in known:
                continue
            if "default" in question:
                value = _render_maybe(question["default"], known)
                if value is not None:
                    known[key] = value
                continue
            if _condition_holds(question.get("when", True), known):
                missing.append(key)
        return missing


def _render_maybe(value: Any, context: Mapping[str, Any]) -> Any:
    """A question's default as copier would see it, or None when only copier can render it."""
    if not isinstance(value, str) or ("{{" not in value and "{%" not in value):
        return value
    from jinja2.sandbox import SandboxedEnvironment

    try:
        return SandboxedEnvironment().from_string(value).render(**context)
    except Exception:  # any Jinja error: copier-only filters, undefined attributes
        return None


def _condition_holds(when: Any, context: Mapping[str, Any]) -> bool:
    if isinstance(when, bool):
        return when
    rendered = _render_maybe(when, context)
    if rendered is None:
        return False
    return str(rendered).strip().lower() not in FALSE_WORDS


# --- built-ins -----------------------------------------------------------------------------


def builtin_templates_dir() -> Path:
    """Inside the wheel the templates sit in the package; in a checkout, at the repo root."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def builtin_source(framework: str) -> TemplateSource:
    path = builtin_templates_dir() / framework
    return TemplateSource(
        source=f"{BUILTIN_PREFIX}{framework}",
        location=str(path),
        kind="builtin",
        trusted=True,
        framework=framework,
    )


def builtin_frameworks() -> list[str]:
    """The frameworks whose built-in template is present in this install."""
    root = builtin_templates_dir()
    return [fw for fw in FRAMEWORKS if any((root / fw / name).is_file() for name in COPIER_FILES)]


def builtin_framework_of(location: str) -> str | None:
    """The framework when ``location`` (an answers file's ``_src_path``) is a built-in template.

    Matches this install's templates folder, and any ``pystarter/templates/<framework>`` or
    checkout ``templates/<framework>`` path, so a project survives pystarter being reinstalled.
    """
    path = Path(location)
    if location.startswith(BUILTIN_PREFIX):
        name = location.removeprefix(BUILTIN_PREFIX)
        return name if name in FRAMEWORKS else None
    if path.name not in FRAMEWORKS or path.parent.name != "templates":
        return None
    try:
        if path.resolve() == (builtin_templates_dir() / path.name).resolve():
            return path.name
    except OSError:
        pass
    grandparent = path.parent.parent
    if grandparent.name == "pystarter" or (grandparent / "src" / "pystarter").is_dir():
        return path.name
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


def is_git_repo_root(path: Path) -> bool:
    probe = _git(["rev-parse", "--show-toplevel"], cwd=path, check=False)
    return probe.returncode == 0 and Path(probe.stdout.strip()).resolve() == path.resolve()


def resolve_source(
    source: str | None,
    framework: str,
    vcs_ref: str | None = None,
    trust: bool = False,
    registry: Mapping[str, Any] | None = None,
) -> TemplateSource:
    """Turn ``--template`` (or its absence) into something copier can render.

    ``registry`` maps registered names to entries with ``source``, ``ref`` and ``trusted``
    (the user config's by default). Git sources come back with ``vcs_ref`` pinned.
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
    if registry is None:
        from pystarter.config import load_config

        registry = load_config().templates
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
    if is_git_repo_root(path):
        ref = pin_ref(str(path), vcs_ref, source)
        return TemplateSource(source, str(path), "git", False, ref, None, str(path))
    if vcs_ref:
        raise UsageError(
            f"--vcs-ref needs a git template, and {source} is a plain folder",
            "drop --vcs-ref, or put the template in git",
        )
    return TemplateSource(source, str(path), "path", False)


# --- git -----------------------------------------------------------------------------------


def _git(
    args: list[str], cwd: Path | None = None, check: bool = True, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run git without prompts: a missing password fails instead of waiting for one."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never"}
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=check,
        )
    except FileNotFoundError as exc:
        raise TemplateFetchError(
            "git is not installed", "install git to use git templates"
        ) from exc


def git_failure(exc: subprocess.CalledProcessError | subprocess.TimeoutExpired) -> str:
    """git's own reason in one line: its first ``fatal:`` line, else its last line."""
    if isinstance(exc, subprocess.TimeoutExpired):
        return f"no answer within {int(exc.timeout)} seconds"
    lines = [line.strip() for line in (exc.stderr or exc.stdout or "").splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith("fatal:")]
    line = fatal[0] if fatal else (lines or [f"git exited with {exc.returncode}"])[-1]
    return line.removeprefix("fatal: ")


def remote_refs(url: str, shown: str) -> dict[str, str]:
    """``git ls-remote``: ``{"refs/tags/v1": sha, "HEAD": sha, ...}``; one clean error if not."""
    try:
        listing = _git(["ls-remote", "--", url], timeout=LS_REMOTE_TIMEOUT).stdout
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise TemplateFetchError(
            f"cannot reach template {shown}: {git_failure(exc)}",
            "check the URL, your network and your access to the repository",
        ) from exc
    refs: dict[str, str] = {}
    for line in listing.splitlines():
        sha, _, name = line.partition("\t")
        if name:
            refs[name.removesuffix("^{}")] = sha
    return refs


def latest_tag(tags: list[str]) -> str | None:
    """Copier's rule: the highest PEP 440 version among the tags, pre-releases left out."""
    from packaging.version import InvalidVersion, Version

    versions = []
    for tag in tags:
        try:
            version = Version(tag)
        except InvalidVersion:
            continue
        if not version.is_prerelease:
            versions.append((version, tag))
    return max(versions)[1] if versions else None


def pin_ref(url: str, vcs_ref: str | None, shown: str) -> str:
    """The ref to render: the one asked for (checked to exist), else latest tag, else HEAD."""
    refs = remote_refs(url, shown)
    tags = sorted(n.removeprefix("refs/tags/") for n in refs if n.startswith("refs/tags/"))
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
    known = ", ".join(tags[-5:]) or "none"
    raise TemplateFetchError(
        f"template {shown} has no tag or branch {vcs_ref!r} (tags: {known})",
        "give an existing tag, branch or commit with --vcs-ref",
    )


@contextmanager
def checkout(source: TemplateSource) -> Iterator[Path]:
    """The template's files on disk, at its pinned ref for git; temporary copies are removed."""
    if not source.is_git:
        yield Path(source.location)
        return
    assert source.git_url is not None
    workdir = Path(tempfile.mkdtemp(prefix="pystarter-template-"))
    try:
        fetch_into(source, workdir)
        yield workdir
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def fetch_into(source: TemplateSource, target: Path) -> None:
    """Clone ``source`` into the empty folder ``target`` and check out its pinned ref."""
    assert source.git_url is not None
    ref = source.vcs_ref or "HEAD"
    local = Path(source.git_url).is_dir()
    clone = ["clone", "--quiet", "--no-checkout"] + (["--filter=blob:none"] if local else [])
    try:
        _git([*clone, "--", source.git_url, str(target)], timeout=CLONE_TIMEOUT)
        commit = _resolve_commit(target, ref)
        if commit is None:
            raise TemplateFetchError(
                f"template {source.source} has no ref {ref!r}",
                "give an existing tag, branch or commit with --vcs-ref",
            )
        checkout_args = ["-c", "advice.detachedHead=false", "checkout", "--quiet", commit]
        _git(checkout_args, cwd=target, timeout=CLONE_TIMEOUT)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise TemplateFetchError(
            f"cannot fetch template {source.source}: {git_failure(exc)}",
            "check the URL, the ref and your access to the repository",
        ) from exc


def _resolve_commit(repo: Path, ref: str) -> str | None:
    for candidate in (ref, f"refs/remotes/origin/{ref}"):
        args = ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{candidate}^{{commit}}"]
        probe = _git(args, cwd=repo, check=False)
        if probe.returncode == 0:
            return probe.stdout.strip()
    return None


# --- copier.yml ----------------------------------------------------------------------------


def find_copier_file(root: Path) -> Path:
    found = [root / name for name in COPIER_FILES if (root / name).is_file()]
    if len(found) > 1:
        raise UsageError(
            f"{root} has both copier.yml and copier.yaml", "keep one of them in the template"
        )
    if not found:
        raise TemplateNotFoundError(
            f"{root} has no copier.yml", "give the root folder of a copier template"
        )
    return found[0]


def _read_copier_yaml(path: Path) -> dict[str, Any]:
    """Load copier.yml as copier does: several YAML documents and ``!include`` merged."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}", "check the template") from exc
    return _read_copier_yaml_version(path, stat.st_mtime_ns, stat.st_size)


@cache
def _read_copier_yaml_version(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    """Cached per file version, so an edited template is read again."""
    import yaml

    try:
        documents = _load_documents(path, path.parent.resolve())
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise UsageError(
            f"cannot read {path}: {_yaml_problem(exc)}", "fix the template's copier.yml"
        ) from exc
    merged: dict[str, Any] = {}
    for document in documents:
        if not isinstance(document, dict):
            raise UsageError(
                f"{path} is not a mapping of questions", "fix the template's copier.yml"
            )
        for key, value in document.items():
            if key in MERGED_LIST_SETTINGS and isinstance(value, list):
                merged[key] = [*merged.get(key, []), *value]
            else:
                merged.setdefault(key, value)
    return merged


def _load_documents(path: Path, root: Path) -> list[Any]:
    import yaml

    class Loader(yaml.SafeLoader):
        """A private loader so ``!include`` does not leak into yaml.SafeLoader."""

    def include(loader: yaml.Loader, node: yaml.Node) -> list[Any]:
        pattern = str(loader.construct_scalar(node))  # type: ignore[arg-type]
        if Path(pattern).is_absolute():
            raise ValueError(f"!include {pattern}: the path must be relative")
        included: list[Any] = []
        for match in sorted(root.glob(pattern)):
            if not match.resolve().is_relative_to(root):
                raise ValueError(f"!include {pattern}: outside the template")
            included.extend(_load_documents(match, root))
        return included

    Loader.add_constructor("!include", include)
    with path.open(encoding="utf-8") as stream:
        documents = [d for d in yaml.load_all(stream, Loader=Loader) if d is not None]
    flat: list[Any] = []
    for document in documents:
        flat.extend(document if isinstance(document, list) else [document])
    return flat


def _yaml_problem(exc: BaseException) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return _one_line(exc) if not isinstance(exc, OSError) else str(exc.strerror or exc)


def read_template_config(root: Path) -> TemplateConfig:
    data = _read_copier_yaml(find_copier_file(root))
    settings = {k: v for k, v in data.items() if str(k).startswith("_")}
    questions = {
        str(k): v if isinstance(v, dict) else {"default": v}
        for k, v in data.items()
        if not str(k).startswith("_")
    }
    return TemplateConfig(questions, settings)


# --- rules before rendering ----------------------------------------------------------------


def check_trust(source: TemplateSource, config: TemplateConfig) -> None:
    """Refuse a custom template that runs or loads code, unless it is trusted."""
    features = config.unsafe_features
    if features and not source.trusted:
        raise UntrustedTemplateError(
            f"template {source.source} uses {', '.join(features)}, which run code on this machine",
            "pass --trust if you trust its author (or register it with --trusted)",
        )


def check_extensions(source: TemplateSource, config: TemplateConfig) -> None:
    """A Jinja extension whose package is missing: name it before copier fails obscurely."""
    for extension in config.jinja_extensions:
        module = missing_module(extension)
        if module is not None:
            raise MissingExtensionError(
                f"template {source.source} needs the Jinja extension {extension}, "
                f"but the package {module!r} is not installed",
                f"install it next to pystarter, e.g. pip install {module.replace('_', '-')}",
            )


def missing_module(dotted: str) -> str | None:
    """The top-level module of ``pkg.mod.Attr`` when it cannot be imported, else None."""
    import importlib.util

    top = dotted.split(".")[0].split(":")[0]
    try:
        return None if importlib.util.find_spec(top) is not None else top
    except (ImportError, ValueError):
        return top


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
        CatalogueEntry(fw, "builtin", builtin_source(fw).location, trusted=True)
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
