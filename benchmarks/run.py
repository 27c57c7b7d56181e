"""How fast pystarter is, side by side with what it competes with, in one interleaved run.

Run it from the repository with the development venv (pystarter installed, copier beside it)::

    .venv/bin/python benchmarks/run.py            # full run, about 5 minutes on 2 cores
    .venv/bin/python benchmarks/run.py --quick    # fewer repeats, about a minute

Every row times a pystarter command and the thing it is measured against, alternating the
order round by round, each round in a fresh folder, after one untimed warm-up of each. It
prints a table of medians and ratios, checks the targets of the speed issue, writes every
sample to ``benchmarks/results/latest.json`` (git-ignored) and the table to
``benchmarks/results.md``. ``python -X importtime`` profiles of each path are appended: the
slowest imports left, and any module a path must not import.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "templates"
BENCH_DIR = REPO / "benchmarks"
DEFAULT_JSON = BENCH_DIR / "results" / "latest.json"
DEFAULT_MARKDOWN = BENCH_DIR / "results.md"
README = BENCH_DIR / "README.md"
README_START, README_END = "<!-- results:start -->", "<!-- results:end -->"

#: The project folder for both tools. pystarter names the project after it; copier is given
#: the same names so both render the same package and files.
PROJECT_DIR = "my-api"
COPIER_SAME_NAME = (
    *("--data", f"project_name={PROJECT_DIR}"),
    *("--data", f"project_slug={PROJECT_DIR}"),
    *("--data", f"package_name={PROJECT_DIR.replace('-', '_')}"),
)
#: What the wizard asks first (``wizard.ask_needs``) when ``pystarter new`` gets no flags.
WIZARD_FIRST_QUESTION = "What are you building"
ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[@-Z\\-_])")
CURSOR_POSITION_REQUEST = "\x1b[6n"

SECTIONS = ("startup", "render", "prompt", "green", "imports")
REPEATS = {"startup": 15, "render": 6, "prompt": 8, "green": 2}
QUICK_REPEATS = {"startup": 5, "render": 2, "prompt": 3, "green": 1}
TIMEOUTS = {"startup": 60.0, "render": 180.0, "prompt": 30.0, "green": 900.0}


class BenchmarkError(Exception):
    """A command under measurement failed: the row is reported as failed, the run goes on."""


@dataclass(frozen=True)
class Target:
    """What the speed issue asks of a row: a ratio to the reference, or an absolute time."""

    limit: float
    kind: str  # "ratio" or "seconds"

    def describe(self) -> str:
        return f"<= {self.limit:g}x" if self.kind == "ratio" else f"<= {self.limit * 1000:.0f} ms"

    def met(self, subject_s: float, ratio: float | None) -> bool:
        if self.kind == "ratio":
            return ratio is not None and ratio <= self.limit
        return subject_s <= self.limit


@dataclass(frozen=True)
class Sample:
    wall: float
    """Seconds on the clock: what a person waits."""
    cpu: float | None
    """CPU seconds (user + system) of the processes measured: steadier on a busy machine."""


class Stopwatch:
    """Wall time, and the CPU time of child processes that finished meanwhile."""

    def __init__(self) -> None:
        self.start_wall = time.perf_counter()
        self.start_cpu = _children_cpu()

    def stop(self) -> Sample:
        return Sample(time.perf_counter() - self.start_wall, _children_cpu() - self.start_cpu)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Measure:
    """One side of a row: a label for the table and a callable returning one sample."""

    label: str
    command: str
    run: Callable[[], Sample]
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(s.wall for s in self.samples) if self.samples else None

    @property
    def median_cpu(self) -> float | None:
        cpu = [s.cpu for s in self.samples if s.cpu is not None]
        return statistics.median(cpu) if cpu else None

    def as_json(self) -> dict[str, Any]:
        walls = [s.wall for s in self.samples]
        return {
            "label": self.label,
            "command": self.command,
            "samples_s": [round(w, 5) for w in walls],
            "cpu_samples_s": [_round(s.cpu, 4) for s in self.samples],
            "median_s": _round(self.median),
            "median_cpu_s": _round(self.median_cpu, 4),
            "min_s": _round(min(walls) if walls else None),
            "max_s": _round(max(walls) if walls else None),
            "error": self.error,
        }


@dataclass
class Row:
    id: str
    section: str
    what: str
    subject: Measure
    reference: Measure
    target: Target | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        a, b = self.subject.median, self.reference.median
        return a / b if a is not None and b else None

    @property
    def cpu_ratio(self) -> float | None:
        a, b = self.subject.median_cpu, self.reference.median_cpu
        return a / b if a is not None and b else None

    @property
    def met(self) -> bool | None:
        if self.target is None or self.subject.median is None:
            return None
        return self.target.met(self.subject.median, self.ratio)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "section": self.section,
            "what": self.what,
            "subject": self.subject.as_json(),
            "reference": self.reference.as_json(),
            "ratio": _round(self.ratio, 3),
            "cpu_ratio": _round(self.cpu_ratio, 3),
            "target": (
                {"kind": self.target.kind, "limit": self.target.limit} if self.target else None
            ),
            "met": self.met,
            "note": self.note,
        }


def _round(value: float | None, digits: int = 5) -> float | None:
    return None if value is None else round(value, digits)


# --- the environment the commands run in ------------------------------------------------


@dataclass(frozen=True)
class Tools:
    python: str
    pystarter: str
    copier: str
    workdir: Path
    env: dict[str, str]

    @classmethod
    def find(cls, workdir: Path) -> Tools:
        """pystarter and copier from the venv of the running interpreter, else from PATH."""
        bindir = Path(sys.executable).parent
        found = {}
        for name in ("pystarter", "copier"):
            local = bindir / name
            path = str(local) if local.exists() else shutil.which(name)
            if path is None:
                raise SystemExit(f"error: {name} is not installed here (pip install -e '.[test]')")
            found[name] = path
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONPROFILE", "PYTEST"))}
        env.update(
            PATH=f"{bindir}{os.pathsep}{env.get('PATH', '')}",
            PYSTARTER_CONFIG=str(workdir / "no-config.toml"),  # no user config skews a row
            PYSTARTER_CACHE_DIR=str(workdir / "cache"),  # nor the user's kept help texts
            COLUMNS="100",
            UV_PYTHON_DOWNLOADS="never",
            UV_NO_PROGRESS="1",
        )
        env.pop("VIRTUAL_ENV", None)
        env.pop("PYSTARTER_DEBUG", None)
        # A user's Python writes bytecode caches; without them every run recompiles the
        # modules whose cache is stale (pystarter's own, while it is being edited).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return cls(sys.executable, found["pystarter"], found["copier"], workdir, env)

    def fresh_dir(self, tag: str) -> Path:
        """An empty parent folder; the tools create ``PROJECT_DIR`` inside it."""
        return Path(tempfile.mkdtemp(prefix=f"{tag}-", dir=self.workdir))


def run_command(
    argv: list[str],
    tools: Tools,
    timeout: float,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> str:
    """Run to completion, stdin closed; returns stdout; a non-zero exit is a BenchmarkError."""
    try:
        completed = subprocess.run(
            argv,
            cwd=cwd or tools.workdir,
            env=env or tools.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchmarkError(f"{shlex.join(argv)} took more than {timeout:.0f}s") from exc
    if completed.returncode != 0:
        lines = (completed.stderr or completed.stdout).strip().splitlines()
        raise BenchmarkError(
            f"{shlex.join(argv)} exited {completed.returncode}: {lines[-1] if lines else ''}"
        )
    return completed.stdout


def timed(
    argv: list[str],
    tools: Tools,
    timeout: float,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Sample:
    watch = Stopwatch()
    run_command(argv, tools, timeout, cwd, env)
    return watch.stop()


def builtin_frameworks() -> list[str]:
    return sorted(p.parent.name for p in TEMPLATES.glob("*/copier.yml"))


# --- rows -------------------------------------------------------------------------------


def startup_rows(tools: Tools) -> list[Row]:
    limit = TIMEOUTS["startup"]

    def command(*args: str) -> Callable[[], Sample]:
        return lambda: timed(list(args), tools, limit)

    def bare() -> Measure:
        return Measure("python -c pass", "python -c pass", command(tools.python, "-c", "pass"))

    def pystarter(*args: str) -> Measure:
        line = shlex.join(["pystarter", *args])
        return Measure(line, line, command(tools.pystarter, *args))

    def help_first_run() -> Sample:
        """``--help`` with no kept help text: typer prints it, pystarter keeps it."""
        cache = tools.fresh_dir("help-cache")
        try:
            env = {**tools.env, "PYSTARTER_CACHE_DIR": str(cache)}
            return timed([tools.pystarter, "--help"], tools, limit, env=env)
        finally:
            shutil.rmtree(cache, ignore_errors=True)

    need = ("recommend", "--need", "rest-api", "--json")
    first_help = "pystarter --help, first run"
    return [
        Row("version", "startup", "pystarter --version", pystarter("--version"), bare(),
            Target(2.0, "ratio")),
        Row("help", "startup", "pystarter --help", pystarter("--help"), bare(),
            Target(6.0, "ratio"), note="the help text kept from the run before (help_cache)"),
        Row("help-first-run", "startup", first_help,
            Measure(first_help, first_help, help_first_run), bare(),
            note="no kept help text yet: typer prints it, pystarter keeps it"),
        Row("recommend", "startup", "pystarter recommend --need rest-api --json",
            pystarter(*need), bare(), note="no target; must not import copier"),
        Row("typer-import", "startup", "python -c 'import typer' (for scale)",
            Measure("import typer", "python -c 'import typer'",
                    command(tools.python, "-c", "import typer")), bare(),
            note="the floor under --help: the CLI framework alone"),
        Row("questionary-import", "startup", "python -c 'import questionary' (for scale)",
            Measure("import questionary", "python -c 'import questionary'",
                    command(tools.python, "-c", "import questionary")), bare(),
            note="the floor under the first wizard question: the prompt library alone"),
        Row("copier-version", "startup", "copier --version (for scale)",
            Measure("copier --version", "copier --version",
                    command(tools.copier, "--version")), bare()),
    ]  # fmt: skip


def render_rows(tools: Tools, frameworks: list[str]) -> list[Row]:
    rows = []
    for framework in frameworks:
        template = TEMPLATES / framework
        rows.append(
            Row(
                f"new-{framework}",
                "render",
                f"new {framework} --no-input --no-git",
                _render_measure(tools, "pystarter", framework, template),
                _render_measure(tools, "copier", framework, template),
                Target(1.0, "ratio") if framework == "fastapi" else None,
                "reference: copier copy --defaults --trust, same template folder and names",
            )
        )
    return rows


def _render_argv(tools: Tools, tool: str, framework: str, template: Path, dest: Path) -> list[str]:
    if tool == "pystarter":
        return [tools.pystarter, "new", str(dest), "-f", framework, "--no-input", "--no-git"]
    return [
        tools.copier,
        "copy",
        "--defaults",
        "--trust",
        *COPIER_SAME_NAME,
        str(template),
        str(dest),
    ]


def _render_measure(tools: Tools, tool: str, framework: str, template: Path) -> Measure:
    def run() -> Sample:
        parent = tools.fresh_dir(f"{tool}-{framework}")
        try:
            argv = _render_argv(tools, tool, framework, template, parent / PROJECT_DIR)
            return timed(argv, tools, TIMEOUTS["render"])
        finally:
            shutil.rmtree(parent, ignore_errors=True)

    shown = (
        f"pystarter new {PROJECT_DIR} -f {framework} --no-input --no-git"
        if tool == "pystarter"
        else f"copier copy --defaults --trust -d <names> templates/{framework} {PROJECT_DIR}"
    )
    return Measure("pystarter new" if tool == "pystarter" else "copier copy", shown, run)


def compare_renders(tools: Tools, framework: str) -> str:
    """Render once with each tool; say whether they wrote the same files (fairness check)."""
    lists = {}
    for tool in ("pystarter", "copier"):
        parent = tools.fresh_dir(f"check-{tool}")
        try:
            dest = parent / PROJECT_DIR
            run_command(
                _render_argv(tools, tool, framework, TEMPLATES / framework, dest),
                tools,
                TIMEOUTS["render"],
            )
            lists[tool] = sorted(
                p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()
            )
        finally:
            shutil.rmtree(parent, ignore_errors=True)
    mine, theirs = lists["pystarter"], lists["copier"]
    if mine == theirs:
        return f"same {len(mine)} files from both"
    only_mine = sorted(set(mine) - set(theirs))
    only_theirs = sorted(set(theirs) - set(mine))
    return (
        f"files differ: pystarter {len(mine)}, copier {len(theirs)}; only pystarter: "
        f"{', '.join(only_mine[:4]) or '-'}; only copier: {', '.join(only_theirs[:4]) or '-'}"
    )


def prompt_rows(tools: Tools) -> tuple[list[Row], str | None]:
    wizard = REPO / "src" / "pystarter" / "wizard.py"
    if not wizard.exists():
        return [], "first prompt: skipped, src/pystarter/wizard.py does not exist yet"
    try:
        import pexpect  # noqa: F401
    except ImportError:
        return [], "first prompt: skipped, pexpect is not installed (pip install -e '.[test]')"
    template = TEMPLATES / "fastapi"
    pystarter = Measure(
        "pystarter new",
        f"pystarter new (pty), until {WIZARD_FIRST_QUESTION!r} shows",
        lambda: _prompt_run(tools, [tools.pystarter, "new"], WIZARD_FIRST_QUESTION),
    )
    rows = [Row("first-prompt", "prompt", "first wizard question (pty)", pystarter,
                _copier_prompt_measure(tools, template), Target(0.300, "seconds"),
                "reference: copier's first question for the fastapi template")]  # fmt: skip
    return rows, None


def _copier_prompt_measure(tools: Tools, template: Path) -> Measure:
    question = first_copier_question(template)

    def run() -> Sample:
        parent = tools.fresh_dir("copier-prompt")
        try:
            argv = [tools.copier, "copy", str(template), str(parent / PROJECT_DIR)]
            return _prompt_run(tools, argv, question, cwd=parent)
        finally:
            shutil.rmtree(parent, ignore_errors=True)

    return Measure("copier copy", f"copier copy (pty), until {question!r} shows", run)


def first_copier_question(template: Path) -> str:
    """The text copier shows first: the first question's help, else its name."""
    import yaml

    data = yaml.safe_load((template / "copier.yml").read_text(encoding="utf-8"))
    for key, value in data.items():
        if not key.startswith("_"):
            help_text = value.get("help") if isinstance(value, dict) else None
            return str(help_text or key).splitlines()[0]
    raise BenchmarkError(f"{template} asks no question")


def _prompt_run(tools: Tools, argv: list[str], text: str, cwd: Path | None = None) -> Sample:
    sample, _ = wait_for_prompt(argv, text, cwd or tools.workdir, tools.env)
    return sample


def wait_for_prompt(
    argv: list[str], text: str, cwd: Path, env: dict[str, str]
) -> tuple[Sample, str]:
    """Time from spawning ``argv`` in a pseudo-terminal until ``text`` is on screen, and the
    raw output before it. Answers cursor-position requests like a terminal, then sends Ctrl-C.
    """
    import pexpect

    deadline = time.perf_counter() + TIMEOUTS["prompt"]
    start = time.perf_counter()
    child = pexpect.spawn(
        argv[0],
        argv[1:],
        cwd=str(cwd),
        env={**env, "TERM": "xterm-256color"},
        dimensions=(40, 120),
        encoding="utf-8",
        codec_errors="replace",
    )
    output, answered = "", 0
    try:
        while True:
            remaining = deadline - time.perf_counter()
            try:
                output += child.read_nonblocking(65536, timeout=max(remaining, 0.01))
            except pexpect.TIMEOUT as exc:
                raise BenchmarkError(f"{text!r} did not show in {TIMEOUTS['prompt']:.0f}s") from exc
            except pexpect.EOF as exc:
                screen = ANSI_ESCAPE.sub("", output).strip().splitlines()
                last = screen[-1] if screen else ""
                raise BenchmarkError(f"{shlex.join(argv)} exited before asking: {last}") from exc
            while output.count(CURSOR_POSITION_REQUEST) > answered:
                child.send("\x1b[1;1R")
                answered += 1
            if text in ANSI_ESCAPE.sub("", output):
                wall = time.perf_counter() - start
                # the last read may run past the question (what loaded after it was drawn)
                shown_at = output.find(text)
                return Sample(wall, _process_cpu(child.pid)), output[: max(shown_at, 0) or None]
    finally:
        child.sendcontrol("c")
        with contextlib.suppress(pexpect.EOF, pexpect.TIMEOUT, OSError):
            child.expect(pexpect.EOF, timeout=10)
        child.close(force=True)


def _process_cpu(pid: int) -> float | None:
    """CPU seconds a running process has used so far, all threads (Linux ``/proc``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def green_rows(tools: Tools, frameworks: list[str]) -> list[Row]:
    rows = []
    for framework in frameworks:
        template = TEMPLATES / framework
        commands: dict[str, str] = {}
        rows.append(
            Row(
                f"green-{framework}",
                "green",
                f"time to green {framework}",
                Measure(
                    "new --install + test",
                    f"pystarter new {PROJECT_DIR} -f {framework} --no-input --no-git --install"
                    " && <next steps: install if still listed, test>",
                    lambda f=framework, c=commands: _green_pystarter(tools, f, c),
                ),
                Measure(
                    "copier + install + test",
                    f"copier copy --defaults --trust -d <names> templates/{framework} {PROJECT_DIR}"
                    " && <commands.install> && <commands.test>",
                    lambda f=framework, t=template, c=commands: _green_copier(tools, f, t, c),
                ),
                note="warm uv cache (untimed warm-up first), UV_PYTHON_DOWNLOADS=never",
            )
        )
    return rows


def _green_pystarter(tools: Tools, framework: str, commands: dict[str, str]) -> Sample:
    parent = tools.fresh_dir(f"green-pystarter-{framework}")
    dest = parent / PROJECT_DIR
    argv = [tools.pystarter, "new", str(dest), "-f", framework, "--no-input", "--no-git"]
    try:
        watch = Stopwatch()
        result = json.loads(run_command([*argv, "--install", "--json"], tools, TIMEOUTS["green"]))
        commands.update(result["commands"])
        # The steps a person still types: the install line too when --install did not do it all
        install_left = commands["install"] in result["next_steps"]
        for line in [commands["install"]] * install_left + [commands["test"]]:
            run_command(["bash", "-c", line], tools, TIMEOUTS["green"], cwd=dest)
        return watch.stop()
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def _green_copier(tools: Tools, framework: str, template: Path, commands: dict[str, str]) -> Sample:
    """The same work by hand: render, then the install and test commands pystarter reports."""
    if not commands:  # the pystarter side has not run yet: ask it which commands to run
        _green_pystarter(tools, framework, commands)
    parent = tools.fresh_dir(f"green-copier-{framework}")
    dest = parent / PROJECT_DIR
    try:
        watch = Stopwatch()
        argv = _render_argv(tools, "copier", framework, template, dest)
        run_command(argv, tools, TIMEOUTS["green"])
        for key in ("install", "test"):
            run_command(["bash", "-c", commands[key]], tools, TIMEOUTS["green"], cwd=dest)
        return watch.stop()
    finally:
        shutil.rmtree(parent, ignore_errors=True)


# --- running ----------------------------------------------------------------------------


def measure_interleaved(rows: list[Row], repeats: int, log: Callable[[str], None]) -> None:
    """One untimed warm-up of each measure, then ``repeats`` rounds; each round runs every
    measure once, the order rotated and reversed from round to round so no measure always
    runs first, last, or right after the same neighbour.
    """
    measures: list[Measure] = []
    for row in rows:
        for m in (row.subject, row.reference):
            if all(m is not seen for seen in measures):
                measures.append(m)
    for m in measures:
        _sample(m, keep=False)
    for round_no in range(repeats):
        shift = round_no % len(measures)
        order = measures[shift:] + measures[:shift]
        if round_no % 2:
            order.reverse()
        for m in order:
            _sample(m, keep=True)
        log(f"  round {round_no + 1}/{repeats}")


def _sample(measure: Measure, keep: bool) -> None:
    if measure.error:
        return
    try:
        sample = measure.run()
    except BenchmarkError as exc:
        measure.error = str(exc)
        return
    if keep:
        measure.samples.append(sample)


# --- import profiles (python -X importtime) ----------------------------------------------


@dataclass(frozen=True)
class ImportEntry:
    self_us: int
    cumulative_us: int
    depth: int
    name: str
    parent: str | None


def parse_importtime(text: str) -> list[ImportEntry]:
    """Entries in the order Python finished them, each with the module that imported it."""
    raw = []
    for line in text.replace("\r", "").splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        parts = line.split("|")
        if len(parts) != 3:
            continue
        name_part = parts[2]
        depth = (len(name_part) - len(name_part.lstrip(" ")) - 1) // 2
        raw.append((int(parts[0].split(":")[1]), int(parts[1]), depth, name_part.strip()))
    entries = []
    for i, (self_us, cumulative_us, depth, name) in enumerate(raw):
        # importtime prints children before their parent: the parent is the next shallower line
        parent = next((r[3] for r in raw[i + 1 :] if r[2] < depth), None)
        entries.append(ImportEntry(self_us, cumulative_us, depth, name, parent))
    return entries


@dataclass
class ImportPath:
    """The modules one command imports beyond a bare ``python -c pass``."""

    id: str
    what: str
    forbidden: tuple[str, ...]
    """Packages this path must not load (for the wizard: before its first question)."""
    entries: list[ImportEntry] = field(default_factory=list)
    error: str | None = None

    def keep_beyond(self, baseline: set[str]) -> None:
        self.entries = [e for e in self.entries if e.name not in baseline]

    @property
    def forbidden_found(self) -> dict[str, float]:
        """Forbidden package -> milliseconds spent in its modules (their own time)."""
        found: dict[str, float] = {}
        for e in self.entries:
            root = e.name.split(".")[0]
            if root in self.forbidden:
                found[root] = found.get(root, 0.0) + e.self_us / 1000
        return found

    @property
    def total_ms(self) -> float:
        return sum(e.self_us for e in self.entries) / 1000

    def slowest(self, count: int = 6) -> list[ImportEntry]:
        """The costliest imports started by pystarter's code or at run time by a library:
        entries imported from a pystarter module or from the top level, pystarter's own left out.
        """
        candidates = [
            e
            for e in self.entries
            if not _is_ours(e.name) and (e.parent is None or _is_ours(e.parent))
        ]
        return sorted(candidates, key=lambda e: -e.cumulative_us)[:count]

    def as_json(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "total_ms": round(self.total_ms, 1),
            "modules": len(self.entries),
            "forbidden": list(self.forbidden),
            "forbidden_found_ms": {k: round(v, 1) for k, v in self.forbidden_found.items()},
            "slowest": [
                {
                    "module": e.name,
                    "cumulative_ms": round(e.cumulative_us / 1000, 1),
                    "imported_by": _importer(e),
                }
                for e in self.slowest()
            ],
            "error": self.error,
        }


def _is_ours(module: str) -> bool:
    return module == "pystarter" or module.startswith("pystarter.")


def _importer(entry: ImportEntry) -> str:
    if entry.parent:
        return entry.parent
    # A nested entry whose parent never finished: an import still running in another thread
    return "run time" if entry.depth == 0 else "an unfinished import (another thread)"


def import_profiles(tools: Tools, frameworks: list[str]) -> list[ImportPath]:
    """One ``-X importtime`` run per path (``PYTHONPROFILEIMPORTTIME`` reaches the console
    script too). The wizard's profile stops at its first question: what it imported before.
    """
    # A help cache of their own: the first --help profiled is a first run, the second not.
    cache = tools.fresh_dir("imports-cache")
    env = {**tools.env, "PYTHONPROFILEIMPORTTIME": "1", "PYSTARTER_CACHE_DIR": str(cache)}
    baseline = {e.name for e in _profile_run([tools.python, "-c", "pass"], tools, env)[0]}
    heavy = ("copier", "questionary", "prompt_toolkit", "jinja2", "plumbum")
    paths = [
        (ImportPath("version", "pystarter --version", ("typer", "rich", "pydantic", *heavy)),
         ["--version"]),
        (ImportPath("help-first-run", "pystarter --help, first run", heavy), ["--help"]),
        (ImportPath("help", "pystarter --help", ("typer", "rich", *heavy)), ["--help"]),
        (ImportPath("recommend", "pystarter recommend --need rest-api --json", heavy),
         ["recommend", "--need", "rest-api", "--json"]),
    ]  # fmt: skip
    if "fastapi" in frameworks:
        new = ImportPath("new", "pystarter new -f fastapi --no-input --no-git", ())
        paths.append((new, ["new", PROJECT_DIR, "-f", "fastapi", "--no-input", "--no-git"]))
    profiles = []
    for profile, args in paths:
        profile.entries, profile.error = _profile_run([tools.pystarter, *args], tools, env)
        profiles.append(profile)
    if (REPO / "src" / "pystarter" / "wizard.py").exists():
        profiles.append(_wizard_import_profile(tools, env))
    for profile in profiles:
        profile.keep_beyond(baseline)
    return profiles


def _profile_run(
    argv: list[str], tools: Tools, env: dict[str, str]
) -> tuple[list[ImportEntry], str | None]:
    parent = tools.fresh_dir("imports")
    try:
        completed = subprocess.run(
            argv,
            cwd=parent,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUTS["render"],
        )
    finally:
        shutil.rmtree(parent, ignore_errors=True)
    error = f"exited {completed.returncode}" if completed.returncode else None
    return parse_importtime(completed.stderr), error


def _wizard_import_profile(tools: Tools, env: dict[str, str]) -> ImportPath:
    """Copier is warmed in a background thread; what of it (or of jinja2, plumbum) loaded
    before the first question competed with drawing it.
    """
    profile = ImportPath(
        "first-prompt",
        "pystarter new, until the first question shows",
        ("typer", "copier", "jinja2", "plumbum"),
    )
    try:
        _, output = wait_for_prompt(
            [tools.pystarter, "new"], WIZARD_FIRST_QUESTION, tools.workdir, env
        )
        profile.entries = parse_importtime(output)
    except (BenchmarkError, ImportError) as exc:
        profile.error = str(exc)
    return profile


# --- reporting --------------------------------------------------------------------------


def machine_info(tools: Tools) -> dict[str, Any]:
    versions = {}
    for dist in ("pystarter", "copier", "typer", "questionary", "rich", "pydantic", "jinja2"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[dist] = metadata.version(dist)
    uv = shutil.which("uv", path=tools.env["PATH"])
    if uv:
        versions["uv"] = run_command([uv, "--version"], tools, 30).split()[1]  # "uv X.Y.Z (...)"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=REPO,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if commit and dirty:
        commit += " with uncommitted changes"
    where = run_command(
        [tools.python, "-c", "import pystarter; print(pystarter.__file__)"], tools, 30
    )
    if not Path(where.strip()).resolve().is_relative_to(REPO):
        print(f"warning: the pystarter measured is not this checkout's: {where.strip()}",
              file=sys.stderr)  # fmt: skip
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "git_commit": commit or None,
        "versions": versions,
    }


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def table_lines(rows: list[Row], markdown: bool) -> list[str]:
    header = ["what", "pystarter", "reference", "ratio", "cpu ratio", "target", "verdict"]
    body = []
    for row in rows:
        verdict = {True: "ok", False: "MISSED", None: ""}[row.met]
        error = row.subject.error or row.reference.error
        if error:
            verdict = "FAILED"
        body.append(
            [
                row.what,
                _ms(row.subject.median),
                f"{_ms(row.reference.median)} ({row.reference.label})",
                f"{row.ratio:.2f}x" if row.ratio is not None else "-",
                f"{row.cpu_ratio:.2f}x" if row.cpu_ratio is not None else "-",
                row.target.describe() if row.target else "",
                verdict,
            ]
        )
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
        return lines
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*header), fmt.format(*("-" * w for w in widths))] + [
        fmt.format(*cells) for cells in body
    ]


def notes_lines(rows: list[Row], skipped: list[str]) -> list[str]:
    lines = []
    for row in rows:
        for side in (row.subject, row.reference):
            if side.error:
                lines.append(f"- {row.what}: FAILED: {side.error}")
        if row.note:
            lines.append(f"- {row.what}: {row.note}")
    lines += [f"- {text}" for text in skipped]
    return lines


def import_lines(profiles: list[ImportPath]) -> list[str]:
    lines = []
    for p in profiles:
        if p.error and not p.entries:
            lines.append(f"- `{p.what}`: not profiled: {p.error}")
            continue
        slowest = ", ".join(
            f"{e.name} {e.cumulative_us / 1000:.0f} ms (from {_importer(e)})" for e in p.slowest(5)
        )
        found = p.forbidden_found
        if found:
            loaded = ", ".join(f"{name} ({ms:.0f} ms)" for name, ms in found.items())
            verdict = f"loads {loaded}, which it should not"
        else:
            verdict = f"none of {', '.join(p.forbidden)}" if p.forbidden else ""
        lines.append(
            f"- `{p.what}`: {len(p.entries)} modules beyond bare Python, {p.total_ms:.0f} ms"
            + (f"; {verdict}" if verdict else "")
            + f". Slowest: {slowest or '-'}"
        )
    return lines


def markdown_report(
    info: dict[str, Any], repeats: dict[str, int], rows: list[Row], skipped: list[str],
    profiles: list[ImportPath], quick: bool,
) -> str:  # fmt: skip
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    lines = [
        f"Run {info['date']} at commit {info['git_commit']}{' (--quick)' if quick else ''}: "
        f"{info['platform']}, Python {info['python']}, {info['cpus']} CPUs, load average "
        f"{info['load_average_at_start'][0]} at start and {info['load_average_at_end'][0]} at"
        f" the end; {versions}.",
        "Medians over "
        + ", ".join(f"{n} {section} rounds" for section, n in repeats.items())
        + ", interleaved, each after an untimed warm-up.",
        "",
        *table_lines(rows, markdown=True),
        "",
        *notes_lines(rows, skipped),
    ]
    if profiles:
        lines += [
            "",
            "Imports (`python -X importtime`, one run each):",
            "",
            *import_lines(profiles),
        ]
    return "\n".join(lines) + "\n"


def update_readme(report: str) -> bool:
    """Replace the block between the README's result markers with the new report."""
    if not README.exists():
        return False
    text = README.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        return False
    new = text[: start + len(README_START)] + "\n" + report + text[end:]
    README.write_text(new, encoding="utf-8")
    return True


# --- main -------------------------------------------------------------------------------


def log(text: str) -> None:
    """Progress on stderr, so stdout holds only the report."""
    print(text, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (about a minute)")
    parser.add_argument("--repeats", type=int, help="rounds for every timed section")
    parser.add_argument(
        "--only", action="append", choices=SECTIONS, help="run only these sections (repeatable)"
    )
    parser.add_argument(
        "--framework",
        action="append",
        dest="frameworks",
        help="built-in(s) for the render and green rows; default: every one present",
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write samples")
    parser.add_argument(
        "--markdown", type=Path, default=DEFAULT_MARKDOWN, help="where to write the table"
    )
    parser.add_argument(
        "--update-readme", action="store_true", help="copy the table into benchmarks/README.md"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sections = args.only or list(SECTIONS)
    repeats = dict(QUICK_REPEATS if args.quick else REPEATS)
    if args.repeats:
        repeats = dict.fromkeys(repeats, args.repeats)
    present = builtin_frameworks()
    frameworks = args.frameworks or present
    unknown = sorted(set(frameworks) - set(present))
    if unknown:
        raise SystemExit(
            f"error: no template {', '.join(unknown)} (there are: {', '.join(present)})"
        )

    with tempfile.TemporaryDirectory(prefix="pystarter-bench-") as tmp:
        tools = Tools.find(Path(tmp))
        info = machine_info(tools)
        rows: list[Row] = []
        skipped: list[str] = []
        plan: list[tuple[str, Callable[[], list[Row]]]] = [
            ("startup", lambda: startup_rows(tools)),
            ("render", lambda: render_rows(tools, frameworks)),
            ("prompt", lambda: _prompt_rows_noting(tools, skipped)),
            ("green", lambda: green_rows(tools, frameworks)),
        ]
        for section, build in plan:
            if section not in sections:
                repeats.pop(section, None)
                continue
            section_rows = build()
            if not section_rows:
                repeats.pop(section, None)
                continue
            log(f"{section}: {len(section_rows)} row(s), {repeats[section]} rounds")
            measure_interleaved(section_rows, repeats[section], log)
            if section == "render":
                for row in section_rows:
                    row.note += f"; {compare_renders(tools, row.id.removeprefix('new-'))}"
            rows += section_rows
        profiles: list[ImportPath] = []
        if "imports" in sections:
            log("imports: one -X importtime run per path")
            profiles = import_profiles(tools, frameworks)

    print()
    print("\n".join(table_lines(rows, markdown=False)))
    print()
    print("\n".join(notes_lines(rows, skipped)))
    if profiles:
        print("\nImports (python -X importtime):")
        print("\n".join(import_lines(profiles)))

    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    quick = args.quick or bool(args.repeats)
    report = markdown_report(info, repeats, rows, skipped, profiles, quick)
    payload = {
        **info,
        "quick": quick,
        "repeats": repeats,
        "rows": [row.as_json() for row in rows],
        "skipped": skipped,
        "imports": {p.id: p.as_json() for p in profiles},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    written = [str(args.json)]
    if not args.only:  # a partial run must not replace the committed full table
        args.markdown.write_text(report, encoding="utf-8")
        written.append(str(args.markdown))
        if args.update_readme and update_readme(report):
            written.append(str(README))
    print(f"\nwrote {', '.join(written)}")
    missed = [row.id for row in rows if row.met is False or row.subject.error]
    if args.check and missed:
        print(f"targets missed: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


def _prompt_rows_noting(tools: Tools, skipped: list[str]) -> list[Row]:
    rows, reason = prompt_rows(tools)
    if reason:
        skipped.append(reason)
    return rows


if __name__ == "__main__":
    sys.exit(main())
