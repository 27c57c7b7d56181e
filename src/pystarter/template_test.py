"""``pystarter templates test``: does every combination of a template's answers still give a
project that passes its own checks?

For each combination of :func:`pystarter.template_matrix.covering_set` the template is rendered
by copier (tasks only when trusted) into a folder of its own, then the template's check
commands run there (``_pystarter.commands`` ``install`` then ``test``, rendered with the case's
answers, or the ``--run`` commands), each case within a timeout, ``jobs`` cases at a time; the
built-in template's render is locked first, as ``new`` locks it (``uv.lock``, and for Elastic
Beanstalk the requirements.txt exported from it). A case that needs what this machine lacks
(the Python version its ``.python-version`` names, a database client) is skipped with the
reason, never passed. No terminal I/O: ``progress`` is called as cases start and end.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pystarter import case_database, git, install, render
from pystarter.builtin import builtin_templates_dir
from pystarter.errors import (
    MissingAnswersError,
    PystarterError,
    UntrustedTemplateError,
    UsageError,
)
from pystarter.names import shown
from pystarter.questionnaire import checked_answers, unknown_keys
from pystarter.sources import TemplateSource, checkout, resolve_source
from pystarter.template_config import TemplateConfig, read_template_config, render_maybe
from pystarter.template_matrix import (
    CaseResult,
    Combination,
    MatrixReport,
    Refusal,
    covering_set,
)

#: The last line of a Python traceback: ``pkg.SomeError: what happened``.
EXCEPTION_LINE = re.compile(r"^[\w.]*(Error|Exception|Warning|Exit)\w*: \S")
#: A line that says it reports an error (compilers, linters, shells).
ERROR_WORD = re.compile(r"\berror\b", re.IGNORECASE)
DEFAULT_TIMEOUT = 900.0


@dataclass(frozen=True)
class Options:
    """How the cases run (the command's flags)."""

    exhaustive: bool = False
    run: tuple[str, ...] = ()
    jobs: int = 1
    timeout: float = DEFAULT_TIMEOUT
    env: Mapping[str, str] = field(default_factory=dict)
    keep: Path | None = None


Progress = Callable[[str, CaseResult], None]
"""Called with ``"planned"`` (once per case, before any runs), ``"started"`` and ``"done"``."""


def parse_env(items: Sequence[str]) -> dict[str, str]:
    """``--env KEY=VALUE`` items; a value may use the case's answers as Jinja."""
    env = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--env {shown(item)} is not KEY=VALUE", "e.g. --env DEBUG=1")
        env[key.strip()] = value
    return env


def run_template_tests(
    source: str,
    vcs_ref: str | None,
    trust: bool,
    data: Mapping[str, Any],
    options: Options,
    *,
    registry: Mapping[str, Any],
    progress: Progress | None = None,
) -> MatrixReport:
    """Render and check each case of ``source``'s covering set; refusals (a bad source, a bad
    ``--data``, no command to run) raise before any case runs."""
    if options.jobs < 1:
        raise UsageError(f"-j {options.jobs}: give at least 1", "e.g. -j 2")
    if options.timeout <= 0:
        raise UsageError("--timeout must be more than 0 seconds", "e.g. --timeout 600")
    template = resolve_source(source, "", vcs_ref, trust, registry=registry)
    _check_keep(options.keep)
    checked = (
        f"{template.source} at {template.vcs_ref}"
        if template.is_git
        else f"the files in {template.location}"
    )
    with checkout(template) as root:
        config = read_template_config(root)
        notes = _check_trust(template, config)
        pinned = _pinned(template, config, data)
        combinations = covering_set(
            config, pinned, exhaustive=options.exhaustive, refuses=_refusal(template)
        )
        if not combinations:
            raise UsageError(
                f"no combination of template {template.source}'s answers is valid"
                + (" with the --data given" if pinned else ""),
                "check its validators and the --data answers",
            )
        shown_commands = list(options.run) or _declared(config, template)
        report = MatrixReport(template.source, checked, shown_commands, notes=notes)
        secret = set(config.secret_keys)
        report.cases = [
            CaseResult(
                number,
                {k: v for k, v in c.answers.items() if k not in secret},
                {k: v for k, v in c.changed.items() if k not in secret},
            )
            for number, c in enumerate(combinations, 1)
        ]
        runner = _Runner(template, root, config, options, progress)
        runner.run(list(zip(combinations, report.cases, strict=True)))
    return report


def _check_keep(keep: Path | None) -> None:
    if keep is not None and keep.exists() and (not keep.is_dir() or any(keep.iterdir())):
        raise UsageError(
            f"--keep {keep} is not an empty folder", "give a new or empty folder for the renders"
        )


def _check_trust(template: TemplateSource, config: TemplateConfig) -> list[str]:
    """Jinja extensions load code even to render: refused without trust. Tasks are skipped."""
    if config.jinja_extensions and not template.trusted:
        raise UntrustedTemplateError(
            f"template {template.source} loads Jinja extensions, which run code on this "
            f"machine ({', '.join(config.jinja_extensions)})",
            "pass --trust if you trust its author",
        )
    if config.settings.get("_tasks") and not template.trusted:
        return ["its tasks did not run: pass --trust to run them in each case"]
    return []


def _pinned(
    template: TemplateSource, config: TemplateConfig, data: Mapping[str, Any]
) -> dict[str, Any]:
    questions = config.question_list()
    given = dict(data)
    if template.kind == "builtin" and template.framework:
        given.setdefault("framework", template.framework)
    unknown_keys(given, questions, template.source)
    pinned = checked_answers(questions, given, template.source)
    missing = config.required_keys(pinned)
    if missing:
        raise MissingAnswersError(missing)
    return pinned


def _is_builtin(template: TemplateSource) -> bool:
    return Path(template.location).resolve() == builtin_templates_dir().resolve()


def _refusal(template: TemplateSource) -> Refusal | None:
    """The built-in template's option rules (some are pystarter's, not its copier.yml's)."""
    if not _is_builtin(template):
        return None
    from pystarter.options import clashes

    return lambda answers: bool(clashes(str(answers.get("framework")), answers))


def _declared(config: TemplateConfig, template: TemplateSource) -> list[str]:
    declared = config.commands
    if not declared.get("test"):
        raise UsageError(
            f"template {template.source} declares no _pystarter.commands.test",
            "add one to its copier.yml, or say what to run with --run CMD",
        )
    return [str(declared[key]) for key in ("install", "test") if declared.get(key)]


class _Skip(Exception):
    """The case needs what this machine lacks."""


class _RenderFailed(Exception):
    """copier could not render the case: a failure of the case, not of the run."""


class _Runner:
    """Runs the cases ``jobs`` at a time in threads, each in its own temporary folder; every
    folder is removed and every command stopped when it ends, however it ends."""

    def __init__(
        self,
        template: TemplateSource,
        root: Path,
        config: TemplateConfig,
        options: Options,
        progress: Progress | None,
    ) -> None:
        self.template = template
        self.root = root
        self.config = config
        self.options = options
        self.progress = progress or (lambda event, case: None)
        self.vcs_ref = "HEAD" if git.is_repo_root(root) else None
        self.run_id = secrets.token_hex(3)
        self.render_lock = threading.Lock()  # copier's settings and warnings are process-wide
        self.processes: set[subprocess.Popen[str]] = set()
        self.processes_lock = threading.Lock()
        self.stopping = threading.Event()

    def run(self, cases: list[tuple[Combination, CaseResult]]) -> None:
        for _, case in cases:
            self.progress("planned", case)
        workdir = Path(tempfile.mkdtemp(prefix="pystarter-test-"))
        pool = ThreadPoolExecutor(max_workers=self.options.jobs)
        try:
            pending: set[Future[None]] = {
                pool.submit(self._case, combination, case, workdir) for combination, case in cases
            }
            while pending:
                _, pending = wait(pending, return_when=FIRST_COMPLETED)
        finally:
            self.stopping.set()
            self._stop_all()
            pool.shutdown(wait=True, cancel_futures=True)
            shutil.rmtree(workdir, ignore_errors=True)

    def _case(self, combination: Combination, case: CaseResult, workdir: Path) -> None:
        if self.stopping.is_set():
            return
        self.progress("started", case)
        started = time.monotonic()
        folder = workdir / f"case-{case.number:02d}"
        target = folder / "project"
        try:
            self._render(combination, target)
            with self._environment(combination, case) as env:
                _check_python(target, env)
                if _is_builtin(self.template):  # what new adds to the built-in's render
                    export = combination.context.get("deploy") == "elastic-beanstalk"
                    install.lock(target, [], export)
                case.commands = self._commands(combination)
                for command in case.commands:
                    problem = self._shell(command, target, env, started, folder / "output.log")
                    if problem is not None:
                        case.result, case.command, case.reason = "failed", command, problem
                        break
                else:
                    case.result = "passed"
        except _Skip as exc:
            case.result, case.reason = "skipped", str(exc)
        except case_database.NoDatabaseClient as exc:
            case.result, case.reason = "skipped", str(exc)
        except _RenderFailed as exc:
            case.result, case.command, case.reason = "failed", "render", str(exc)
        case.seconds = time.monotonic() - started
        if case.result == "failed" and self.options.keep is not None and not self.stopping.is_set():
            case.kept = self._keep(folder, case)
        shutil.rmtree(folder, ignore_errors=True)
        if not self.stopping.is_set():
            self.progress("done", case)

    def _render(self, combination: Combination, target: Path) -> None:
        with self.render_lock:
            try:
                render.check_copy(
                    self.root, target, combination.answers, self.template.trusted, self.vcs_ref
                )
            except Exception as exc:  # the template's own errors come in many types
                raise _RenderFailed(_describe(exc)) from exc

    @contextmanager
    def _environment(self, combination: Combination, case: CaseResult) -> Iterator[dict[str, str]]:
        """The commands' environment: this one (without an active virtualenv, which would
        stand in for the project's), then ``--env``, rendered with the case's answers (and
        ``_case``, a tag unique to the case in this run); a database URL gets a fresh
        database."""
        env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
        tag = f"c{case.number:02d}_{self.run_id}"
        context = {**combination.context, "_case": tag, "_index": case.number}
        with ExitStack() as stack:
            for key, value in self.options.env.items():
                rendered = str(render_maybe(value, context) or "")
                if rendered:
                    env[key] = stack.enter_context(case_database.fresh_database(rendered, tag))
            yield env

    def _commands(self, combination: Combination) -> list[str]:
        if self.options.run:
            return [str(render_maybe(c, combination.context) or c) for c in self.options.run]
        rendered = self.config.commands_for(combination.context)
        return [rendered[key] for key in ("install", "test") if rendered.get(key)]

    def _shell(
        self, command: str, cwd: Path, env: dict[str, str], started: float, log: Path
    ) -> str | None:
        """Run ``command``; None when it succeeds, else the line that says why it failed."""
        left = self.options.timeout - (time.monotonic() - started)
        if left <= 0:
            return f"timed out after {self.options.timeout:g} seconds"
        with self.processes_lock:
            if self.stopping.is_set():
                return "stopped"
            process = subprocess.Popen(
                command,
                shell=True,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                start_new_session=True,  # its own process group: stopped as a whole
            )
            self.processes.add(process)
        try:
            output, _ = process.communicate(timeout=left)
        except subprocess.TimeoutExpired:
            _kill(process)
            output, _ = process.communicate()
            _append(log, command, output)
            return f"timed out after {self.options.timeout:g} seconds"
        finally:
            with self.processes_lock:
                self.processes.discard(process)
        _append(log, command, output)
        if process.returncode == 0:
            return None
        return _failure_line(output) or f"exit code {process.returncode}"

    def _stop_all(self) -> None:
        with self.processes_lock:
            for process in self.processes:
                _kill(process)

    def _keep(self, folder: Path, case: CaseResult) -> str | None:
        keep = self.options.keep
        assert keep is not None
        kept = keep / folder.name
        try:
            keep.mkdir(parents=True, exist_ok=True)
            shutil.move(str(folder), str(kept))
        except OSError as exc:
            case.reason += f" (not kept: {exc.strerror or exc})"
            return None
        return str(kept.resolve())


def _check_python(project: Path, env: Mapping[str, str]) -> None:
    """The Python version the render's ``.python-version`` names must be here: uv finds it
    (it fetches none here on its own), or ``pythonX.Y`` on PATH runs."""
    pinned = project / ".python-version"
    if not pinned.is_file():
        return
    version = pinned.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    if not version or not version[0].strip():
        return
    wanted = version[0].strip()
    uv = shutil.which("uv", path=env.get("PATH"))
    if uv is not None:
        found = subprocess.run(
            [uv, "python", "find", "--no-python-downloads", wanted],
            cwd=project,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if found.returncode == 0:
            return
    elif install.interpreter(wanted) is not None:
        return
    raise _Skip(f"needs Python {wanted}, which is not installed here")


def _kill(process: subprocess.Popen[str]) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _append(log: Path, command: str, output: str) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as stream:
        stream.write(f"$ {command}\n{output}\n")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, PystarterError):
        return exc.message
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def _failure_line(output: str) -> str:
    """The line of a failed command's output that says why: pytest's first ``FAILED`` or
    ``ERROR`` line, else the last exception of a traceback, else the first line naming an
    error, else the last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("FAILED ", "ERROR ")):
            return line
    for line in reversed(lines):
        if EXCEPTION_LINE.match(line):
            return line
    for line in lines:
        if ERROR_WORD.search(line):
            return line
    return lines[-1] if lines else ""
