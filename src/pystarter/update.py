"""``pystarter update``: bring a newer template version into an existing project.

Two ways, chosen from the ``_src_path`` in the project's ``.copier-answers.yml``:

* **git templates** use copier's update (old and new versions rendered, their diff applied).
* **unversioned templates** (the built-ins, which ship inside pystarter, and plain folders)
  have no old version to render, but the project's history has it: the first commit pystarter
  made is the pristine render of the old template. The current template is rendered with the
  project's answers, committed as a child of that pristine render (or of the last such
  commit), and merged with ``git merge --no-commit``. Git does the three-way merge, conflicts
  are ordinary merge conflicts, ``git merge --abort`` undoes it, and the merge commit the user
  makes tells the next update where to start.

No terminal I/O here. Nothing is touched when the project has uncommitted changes.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pystarter import git, render
from pystarter.answers import builtin_answers, layer
from pystarter.engine import ANSWERS_FILE, FIRST_COMMIT_SUBJECT
from pystarter.errors import (
    DirtyWorkTreeError,
    MissingAnswersError,
    NotUpdatableError,
    UpdateError,
    UsageError,
)
from pystarter.sources import (
    TemplateSource,
    builtin_framework_of,
    builtin_source,
    checkout,
    copier_git_location,
    looks_like_git_url,
    pin_ref,
    plain_git_url,
)
from pystarter.template_config import read_template_config

UpdateMethod = Literal["copier", "merge"]

#: A trailer marking the commits that hold a pristine render of an unversioned template.
RENDER_TRAILER = "Pystarter-Template-Render:"
RECORD_PREFIX = "_pystarter_"


@dataclass
class UpdateResult:
    destination: Path
    template: str
    method: UpdateMethod
    old_version: str | None
    new_version: str | None
    changed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    up_to_date: bool = False

    @property
    def next_steps(self) -> list[str]:
        if self.up_to_date:
            return []
        steps = ["git diff HEAD"]
        if self.conflicts:
            steps.append("resolve the conflicts, then git add the files")
        steps.append("git commit")
        if self.method == "merge":
            steps.append("(git merge --abort undoes the update)")
        return steps

    def as_json(self) -> dict[str, Any]:
        return {
            "destination": str(self.destination),
            "template": self.template,
            "method": self.method,
            "from": self.old_version,
            "to": self.new_version,
            "up_to_date": self.up_to_date,
            "changed": self.changed,
            "conflicts": self.conflicts,
            "next_steps": self.next_steps,
        }


def update_project(
    path: Path,
    data: Mapping[str, Any] | None = None,
    vcs_ref: str | None = None,
    trust: bool = False,
    registry: Mapping[str, Any] | None = None,
) -> UpdateResult:
    """Update the project at ``path``; ``data`` answers override the recorded ones."""
    project = path.absolute()
    recorded = _read_answers(project)
    source_path = str(recorded["_src_path"])
    _require_clean_git(project)
    trusted = trust or _registered_trusted(source_path, registry)
    framework = builtin_framework_of(source_path, recorded)
    if framework is not None:
        if vcs_ref:
            raise UsageError(
                "--vcs-ref applies to git templates; this project uses a built-in one",
                "drop --vcs-ref: the built-in template is the one this pystarter ships",
            )
        return _merge_update(project, recorded, builtin_source(framework), dict(data or {}))
    if looks_like_git_url(source_path) or (
        Path(source_path).is_dir() and git.is_repo_root(Path(source_path))
    ):
        return _copier_update(project, recorded, source_path, dict(data or {}), vcs_ref, trusted)
    if Path(source_path).is_dir():
        if vcs_ref:
            raise UsageError(
                f"--vcs-ref needs a git template; {source_path} is a plain folder", "drop --vcs-ref"
            )
        folder = TemplateSource(source_path, source_path, "path", trusted)
        return _merge_update(project, recorded, folder, dict(data or {}))
    raise NotUpdatableError(
        f"the template {source_path} named in {ANSWERS_FILE} is not there any more",
        f"fix _src_path in {ANSWERS_FILE} to the template's git URL or folder",
    )


# --- checks before anything is touched ----------------------------------------------------


def _read_answers(project: Path) -> dict[str, Any]:
    answers_file = project / ANSWERS_FILE
    if not project.is_dir():
        raise NotUpdatableError(f"{project} is not a folder", "give the project's folder")
    try:
        text = answers_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotUpdatableError(
            f"{project} has no {ANSWERS_FILE}, so its template is unknown",
            "run update in a project made by pystarter new (or copier) from a template "
            "that writes its answers file",
        ) from None
    import yaml

    try:
        answers = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise NotUpdatableError(
            f"{answers_file} is not valid YAML",
            "restore it from git: git checkout -- " + ANSWERS_FILE,
        ) from exc
    if not isinstance(answers, dict) or not answers.get("_src_path"):
        raise NotUpdatableError(
            f"{answers_file} does not say which template made the project (no _src_path)",
            "add _src_path: <template git URL or folder> to it",
        )
    return answers


def _git(
    project: Path, *args: str, check: bool = True, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return git.run(
        args,
        project,
        check=check,
        env=env,
        error=UpdateError,
        hint="the project was left as it was; PYSTARTER_DEBUG=1 shows more",
    )


def _require_clean_git(project: Path) -> None:
    probe = _git(project, "rev-parse", "--show-toplevel", check=False)
    if probe.returncode != 0:
        raise NotUpdatableError(
            f"{project} is not in a git repository",
            "update merges changes with git: git init, commit the project, then update",
        )
    status = _git(project, "status", "--porcelain", "-z", "--untracked-files=all", "--", ".")
    dirty, entries = [], iter(status.stdout.split("\0"))
    for entry in entries:
        if entry[3:]:
            dirty.append(entry[3:])
        if entry[:1] in ("R", "C"):
            next(entries, None)  # -z puts a rename's old path in an entry of its own
    if dirty:
        shown = ", ".join(dirty[:3]) + (", ..." if len(dirty) > 3 else "")
        raise DirtyWorkTreeError(
            f"{project} has uncommitted changes ({len(dirty)}: {shown}); nothing was changed",
            "commit or stash them, then run pystarter update again",
        )


def _registered_trusted(source_path: str, registry: Mapping[str, Any] | None) -> bool:
    """A template registered with ``trusted = true`` stays trusted for its updates."""
    if registry is None:
        from pystarter.config import load_config

        registry = load_config().templates
    wanted = _comparable(source_path)
    return any(e.trusted and _comparable(e.source) == wanted for e in registry.values())


def _comparable(source: str) -> str:
    if looks_like_git_url(source):
        return plain_git_url(source).removesuffix(".git").rstrip("/")
    try:
        return str(Path(source).expanduser().resolve())
    except OSError:
        return source


def _recorded_extras(recorded: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key.removeprefix(RECORD_PREFIX): value
        for key, value in recorded.items()
        if key.startswith(RECORD_PREFIX)
    }


def _keep_record(answers_file: Path, record: Mapping[str, Any]) -> None:
    """Put pystarter's ``_pystarter_*`` keys back after copier rewrote the answers file."""
    if not record or not answers_file.is_file():
        return
    import yaml

    current = yaml.safe_load(answers_file.read_text(encoding="utf-8")) or {}
    keyed = {f"{RECORD_PREFIX}{key}": value for key, value in record.items()}
    missing = {key: value for key, value in keyed.items() if key not in current}
    if missing:
        with answers_file.open("a", encoding="utf-8") as stream:
            yaml.safe_dump(missing, stream, sort_keys=False, allow_unicode=True)


def _user_answers(recorded: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in recorded.items() if not str(k).startswith("_")}


# --- git templates: copier's update --------------------------------------------------------


def _copier_update(
    project: Path,
    recorded: Mapping[str, Any],
    source_path: str,
    data: dict[str, Any],
    vcs_ref: str | None,
    trusted: bool,
) -> UpdateResult:
    url = plain_git_url(source_path) if looks_like_git_url(source_path) else source_path
    ref = pin_ref(url, vcs_ref, source_path)
    location = copier_git_location(source_path) if looks_like_git_url(source_path) else source_path
    template = TemplateSource(source_path, location, "git", trusted, ref, None, url)
    with checkout(template) as root:
        config = read_template_config(root)
    config.check_trust(template.source, template.trusted)
    config.check_extensions(template.source)
    missing = config.required_keys(layer(data, _user_answers(recorded)))
    if missing:
        raise MissingAnswersError(missing)
    old_version = str(recorded.get("_commit")) if recorded.get("_commit") else None
    before = _git(project, "rev-parse", "HEAD").stdout.strip()
    try:
        render.update(project, template, data)
        _keep_record(project / ANSWERS_FILE, _recorded_extras(recorded))
    except BaseException:
        _restore(project, before)
        raise
    new_answers = _read_answers(project)
    result = UpdateResult(
        destination=project,
        template=source_path,
        method="copier",
        old_version=old_version,
        new_version=str(new_answers.get("_commit") or ref),
        changed=_changed_files(project),
        conflicts=_conflicts(project),
    )
    result.up_to_date = not result.changed
    return result


def _restore(project: Path, commit: str) -> None:
    """Undo a half-done update in a tree that was clean before it (so nothing else is lost)."""
    _git(project, "merge", "--abort", check=False)
    _git(project, "reset", "-q", commit, "--", ".", check=False)
    _git(project, "checkout", "-q", commit, "--", ".", check=False)
    _git(project, "clean", "-fdq", "--", ".", check=False)


def _changed_files(project: Path) -> list[str]:
    tracked = _git(project, "diff", "--name-only", "--relative", "HEAD").stdout.splitlines()
    new = _git(project, "ls-files", "--others", "--exclude-standard").stdout.splitlines()
    return sorted(set(tracked) | set(new))


def _conflicts(project: Path) -> list[str]:
    unmerged = _git(project, "diff", "--name-only", "--relative", "--diff-filter=U").stdout
    rejects = _git(project, "ls-files", "--others", "--", "*.rej").stdout
    return sorted(set(unmerged.splitlines()) | set(rejects.splitlines()))


# --- unversioned templates: merge from the pristine render ---------------------------------


def _merge_update(
    project: Path, recorded: Mapping[str, Any], template: TemplateSource, data: dict[str, Any]
) -> UpdateResult:
    top = Path(_git(project, "rev-parse", "--show-toplevel").stdout.strip())
    if top.resolve() != project.resolve():
        raise NotUpdatableError(
            f"{project} is inside the git repository {top}, not its root",
            "built-in and folder templates update only projects whose repository pystarter made",
        )
    base = _last_pristine_render(project)
    answers = _merge_answers(project, recorded, template, data)
    with tempfile.TemporaryDirectory(prefix="pystarter-update-") as scratch:
        rendered = Path(scratch) / "project"
        render.copy(template, rendered, answers)
        _keep_record(rendered / ANSWERS_FILE, _recorded_extras(recorded))
        tree = _tree_of(project, rendered, Path(scratch) / "index")
    result = UpdateResult(project, template.source, "merge", base[:12], None)
    if tree == _git(project, "rev-parse", f"{base}^{{tree}}").stdout.strip():
        result.up_to_date = True
        result.new_version = result.old_version
        return result
    render_commit = _commit_render(project, tree, base, template)
    result.new_version = render_commit[:12]
    before = _git(project, "rev-parse", "HEAD").stdout.strip()
    message = f"Update from the {template.source} template"
    merge_args = ["merge", "--no-ff", "--no-commit", "-m", message, render_commit]
    merge = _git(project, *merge_args, check=False)
    merging = _git(project, "rev-parse", "-q", "--verify", "MERGE_HEAD", check=False)
    if merge.returncode != 0 and merging.returncode != 0:
        _restore(project, before)
        lines = (merge.stderr or merge.stdout).strip().splitlines()
        raise UpdateError(
            f"git merge failed: {lines[0] if lines else merge.returncode}",
            "the project was left as it was",
        )
    result.changed = _changed_files(project)
    result.conflicts = _conflicts(project)
    return result


def _last_pristine_render(project: Path) -> str:
    """The newest commit in HEAD's history that holds an untouched render of the template."""
    marked = _git(project, "log", "-1", "--format=%H", f"--grep=^{RENDER_TRAILER}", "HEAD")
    if marked.stdout.strip():
        return marked.stdout.strip()
    roots = _git(project, "log", "--max-parents=0", "--format=%H %s", "HEAD").stdout
    for line in roots.splitlines():
        sha, _, subject = line.partition(" ")
        if subject == FIRST_COMMIT_SUBJECT:
            return sha
    raise NotUpdatableError(
        f"{project} has no '{FIRST_COMMIT_SUBJECT}' commit to merge template changes from",
        "update needs the first commit pystarter new made (not made with --no-git, not "
        "squashed away); otherwise render again with pystarter new --force and review git diff",
    )


def _merge_answers(
    project: Path, recorded: Mapping[str, Any], template: TemplateSource, data: Mapping[str, Any]
) -> dict[str, Any]:
    given = layer(data, _user_answers(recorded))
    if template.kind == "builtin":
        from pystarter.options import check_compatible

        assert template.framework is not None
        answers = builtin_answers(template.framework, given, project.name)
        check_compatible(template.framework, answers)
        return answers
    config = read_template_config(Path(template.location))
    config.check_trust(template.source, template.trusted)
    config.check_extensions(template.source)
    missing = config.required_keys(given)
    if missing:
        raise MissingAnswersError(missing)
    return given


def _tree_of(project: Path, rendered: Path, index: Path) -> str:
    """A git tree of the render, stored in the project's repository (its ignores apply)."""
    env = {
        "GIT_INDEX_FILE": str(index),
        "GIT_WORK_TREE": str(rendered),
        "GIT_DIR": str(project / ".git"),
    }
    _git(rendered, "add", "-A", env=env)
    return _git(rendered, "write-tree", env=env).stdout.strip()


def _commit_render(project: Path, tree: str, parent: str, template: TemplateSource) -> str:
    from pystarter import __version__

    name, email = git.FALLBACK_IDENTITY
    message = (
        f"Render of the {template.source} template by pystarter {__version__}\n\n"
        f"{RENDER_TRAILER} {template.source}\n"
    )
    identity = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
    args = ["commit-tree", "--no-gpg-sign", tree, "-p", parent, "-m", message]
    commit = _git(project, *args, env=identity)
    return commit.stdout.strip()
