"""Every git call pystarter makes, under one policy: never prompt (no terminal, no askpass, ssh
in batch mode), paths printed as they are, a timeout on each call, and git's own reason turned
into one line of the caller's error type."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from pystarter.errors import GitError, PystarterError, TemplateFetchError

#: Local commands finish in seconds; generous bounds so a black-holed host fails instead of
#: hanging a script forever.
LOCAL_TIMEOUT = 120
REMOTE_TIMEOUT = 600
FALLBACK_IDENTITY = ("pystarter", "pystarter@localhost")
#: The subject of the commit ``new`` makes, which ``update`` finds its base by.
FIRST_COMMIT_SUBJECT = "Initial commit from pystarter"


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never", **(extra or {})}
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    return env


#: What git says when the disk is full or over quota.
DISK_FULL = ("No space left on device", "Disk quota exceeded")


def run(
    args: Sequence[str],
    cwd: Path | None = None,
    *,
    check: bool = True,
    env: Mapping[str, str] | None = None,
    timeout: float = LOCAL_TIMEOUT,
    error: type[PystarterError] = GitError,
    hint: str = "",
) -> subprocess.CompletedProcess[str]:
    """``git ARGS`` in ``cwd``; with ``check``, a failure raises ``error`` naming git's reason."""
    command = ["git", "-c", "core.quotepath=off", *args]
    # the subcommand, after any -c NAME=VALUE options: what a message names
    verb = next((a for a in args if not a.startswith("-") and "=" not in a), "git")
    try:
        completed = subprocess.run(
            command,
            cwd=cwd,
            env=git_env(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except FileNotFoundError as exc:
        raise error("git is not installed", hint or "install git") from exc
    except subprocess.TimeoutExpired as exc:
        raise error(f"git {verb} gave no answer within {int(timeout)} seconds", hint) from exc
    if check and completed.returncode != 0:
        text = completed.stderr or completed.stdout or ""
        if any(words in text for words in DISK_FULL):  # not git's fault: --no-git won't help
            hint = "free some space on that disk, then run again"
        raise error(f"git {verb} failed: {reason(completed)}", hint)
    return completed


def reason(completed: subprocess.CompletedProcess[str]) -> str:
    """git's own reason in one line: its first ``fatal:`` line, else its last line."""
    text = completed.stderr or completed.stdout or ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith("fatal:")]
    line = fatal[0] if fatal else (lines or [f"git exited with {completed.returncode}"])[-1]
    return line.removeprefix("fatal: ")


def available() -> bool:
    return shutil.which("git") is not None


def top_level(path: Path) -> Path | None:
    probe = run(["rev-parse", "--show-toplevel"], path, check=False)
    return Path(probe.stdout.strip()) if probe.returncode == 0 else None


def is_repo_root(path: Path) -> bool:
    top = top_level(path)
    return top is not None and top.resolve() == path.resolve()


def inside_work_tree(path: Path) -> bool:
    probe = run(["rev-parse", "--is-inside-work-tree"], path, check=False)
    return probe.returncode == 0 and probe.stdout.strip() == "true"


def config_value(key: str, cwd: Path | None = None) -> str | None:
    probe = run(["config", "--get", key], cwd, check=False, timeout=10)
    value = probe.stdout.strip()
    return value if probe.returncode == 0 and value else None


def user_identity() -> dict[str, str]:
    """author_name/author_email from git config, when git has them (one git call)."""
    answers = {"user.name": "author_name", "user.email": "author_email"}
    try:
        probe = run(["config", "--get-regexp", r"^user\.(name|email)$"], check=False, timeout=10)
    except GitError:  # git missing or stuck: no guess
        return {}
    found: dict[str, str] = {}
    for line in probe.stdout.splitlines():
        key, _, value = line.partition(" ")
        if key in answers and value.strip():
            found[answers[key]] = value.strip()  # the last one set wins, as git config --get
    return found


def first_commit(destination: Path, notes: list[str]) -> str | None:
    """``git init`` and a first commit of everything in ``destination``; its hash, or None
    (with a note saying why) when git is missing or the folder is already in a work tree."""
    if not available():
        notes.append("git is not installed: the project was not put under version control")
        return None
    if (destination / ".git").exists() or inside_work_tree(destination):
        notes.append("the folder is already inside a git work tree: no new repository was made")
        return None
    hint = "fix git, or pass --no-git"
    run(["init", "-q"], destination, hint=hint)
    identity: list[str] = []
    if config_value("user.name", destination) is None or (
        config_value("user.email", destination) is None
    ):
        name, email = FALLBACK_IDENTITY
        identity = ["-c", f"user.name={name}", "-c", f"user.email={email}"]
        notes.append(
            f"git has no user.name/user.email: the first commit is by {name} <{email}>; "
            "set yours with git config --global user.name/user.email"
        )
    run(["add", "-A", "--", "."], destination, hint=hint)
    # no background gc or maintenance: nothing may write into DEST once pystarter returns
    quiet = ["-c", "gc.auto=0", "-c", "maintenance.auto=false"]
    commit = [*identity, *quiet, "commit", "-q", "--no-verify", "--no-gpg-sign"]
    commit += ["-m", FIRST_COMMIT_SUBJECT]
    run(commit, destination, hint=hint)
    return run(["rev-parse", "HEAD"], destination, hint=hint).stdout.strip()


def is_changed(repo: Path, path: str) -> bool:
    """``path`` is untracked or differs from the last commit."""
    status = run(["status", "--porcelain", "--", path], repo, check=False)
    return status.returncode == 0 and bool(status.stdout.strip())


def amend_with(destination: Path, path: str) -> str:
    """Add ``path`` to the first commit (``uv.lock``, written by the install that follows it),
    so the project starts with a clean work tree; the new commit's hash."""
    hint = "commit it yourself: git add uv.lock && git commit"
    identity = (
        []
        if config_value("user.email", destination)
        else ["-c", f"user.name={FALLBACK_IDENTITY[0]}", "-c", f"user.email={FALLBACK_IDENTITY[1]}"]
    )
    run(["add", "--", path], destination, hint=hint)
    amend = [*identity, "commit", "-q", "--amend", "--no-edit", "--no-verify", "--no-gpg-sign"]
    run(amend, destination, hint=hint)
    return run(["rev-parse", "HEAD"], destination, hint=hint).stdout.strip()


def commit_record(destination: Path, path: str) -> str | None:
    """Commit ``path`` (the answers file pystarter added its keys to) in a repository the
    template's own tasks made and committed, so ``new`` leaves a clean work tree; the new
    commit's hash, or None when nothing changed."""
    if not is_changed(destination, path):
        return None
    hint = f"commit it yourself: git add {path} && git commit"
    identity = (
        []
        if config_value("user.email", destination) and config_value("user.name", destination)
        else ["-c", f"user.name={FALLBACK_IDENTITY[0]}", "-c", f"user.email={FALLBACK_IDENTITY[1]}"]
    )
    run(["add", "--", path], destination, hint=hint)
    quiet = ["-c", "gc.auto=0", "-c", "maintenance.auto=false"]
    message = f"Record pystarter's keys in {path}"
    run([*identity, *quiet, "commit", "-q", "--no-verify", "--no-gpg-sign", "-m", message],
        destination, hint=hint)  # fmt: skip
    return run(["rev-parse", "HEAD"], destination, hint=hint).stdout.strip()


# --- remote templates --------------------------------------------------------------------


def remote_refs(url: str, shown: str) -> dict[str, str]:
    """``git ls-remote``: ``{"refs/tags/v1": sha, "HEAD": sha, ...}``."""
    probe = run(
        ["ls-remote", "--", url], check=False, timeout=REMOTE_TIMEOUT, error=TemplateFetchError
    )
    if probe.returncode != 0:
        raise TemplateFetchError(
            f"cannot reach template {shown}: {reason(probe)}",
            "check the URL, your network and your access to the repository",
        )
    listing = probe.stdout
    refs: dict[str, str] = {}
    for line in listing.splitlines():
        sha, _, name = line.partition("\t")
        if name:
            refs[name.removesuffix("^{}")] = sha
    return refs


def clone_at(url: str, ref: str, target: Path, shown: str) -> None:
    """Clone ``url`` into the empty folder ``target`` and check out ``ref``."""
    hint = "check the URL, the ref and your access to the repository"
    local = Path(url).is_dir()
    clone = ["clone", "--quiet", "--no-checkout"] + (["--filter=blob:none"] if local else [])
    probe = run([*clone, "--", url, str(target)], check=False, timeout=REMOTE_TIMEOUT)
    if probe.returncode != 0:
        raise TemplateFetchError(f"cannot fetch template {shown}: {reason(probe)}", hint)
    commit = resolve_commit(target, ref)
    if commit is None:
        raise TemplateFetchError(
            f"template {shown} has no ref {ref!r}",
            "give an existing tag, branch or commit with --vcs-ref",
        )
    checkout = ["-c", "advice.detachedHead=false", "checkout", "--quiet", commit]
    run(checkout, target, timeout=REMOTE_TIMEOUT, error=TemplateFetchError, hint=hint)


def resolve_commit(repo: Path, ref: str) -> str | None:
    for candidate in (ref, f"refs/remotes/origin/{ref}"):
        args = ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{candidate}^{{commit}}"]
        probe = run(args, repo, check=False)
        if probe.returncode == 0:
            return probe.stdout.strip()
    return None
