"""Time pystarter against the floor of its stack and against raw copier; print the ratios.

Why this script is short: hyperfine does the timing (warm-ups, runs, a fresh folder before
every run through ``--prepare``, statistics, JSON and Markdown exports). This file only says
*what* is compared with *what*, and times the one thing hyperfine cannot: how long until the
first wizard question is on screen in a pseudo-terminal. Run it with the project's venv::

    .venv/bin/python benchmarks/run.py [--quick] [--green] [--check] [--update-readme]

benchmarks/README.md lists the rows, the targets and what keeps the comparison fair.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent  # the venv running this script holds pystarter and copier
PYTHON, PYSTARTER, COPIER = sys.executable, str(BIN / "pystarter"), str(BIN / "copier")
FRAMEWORKS = ("django", "flask", "fastapi")
PROJECT = "my-api"  # pystarter derives these names from the folder; copier is given them
NAMES = [f"project_name={PROJECT}", f"project_slug={PROJECT}", "package_name=my_api"]
QUESTION = "What are you building"  # the wizard's first question, and minimal_prompt.py's
TEST_COMMAND = "uv run pytest -q"  # the fastapi template's commands.test
ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[@-Z\\-_])")
MARKERS = ("<!-- results:start -->", "<!-- results:end -->")
#: runs and warm-ups per command, per section
RUNS = {"startup": (30, 3), "render": (15, 2), "prompt": (10, 1), "green": (1, 1)}
QUICK = {"startup": (10, 1), "render": (3, 1), "prompt": (4, 1), "green": (1, 1)}
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "VIRTUAL_ENV")}
ENV.update(PATH=f"{BIN}{os.pathsep}{ENV.get('PATH', '')}", COLUMNS="100")
ENV.update(UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1")
#: The renders run as a user runs them: both CLIs by their path, on the user's own PATH (not
#: the venv's bin folder first, which would lend pystarter the venv's uv).
USER_ENV = {**ENV, "PATH": os.environ.get("PATH", "")}


@dataclass
class Row:
    what: str
    ours: float | None  # median seconds; None when a command failed
    ref: float | None
    ref_label: str
    target: float | None = None  # the largest ratio allowed
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.ours / self.ref if self.ours and self.ref else None

    @property
    def met(self) -> bool | None:
        return None if self.target is None else bool(self.ratio and self.ratio <= self.target)


def cmd(*argv: str | Path) -> str:
    return shlex.join(str(a) for a in argv)


def data(*pairs: str) -> list[str]:
    return [arg for pair in pairs for arg in ("-d", pair)]


def write_custom_template(root: Path) -> Path:
    """A small plain-folder copier template: four questions, ten files."""
    files = {
        "copier.yml": "project_name: {type: str, default: demo}\n"
        "package_name: {type: str, default: \"{{ project_name | lower | replace('-', '_') }}\"}\n"
        "description: {type: str, default: ''}\nuse_docker: {type: bool, default: false}\n",
        "README.md.jinja": "# {{ project_name }}\n\n{{ description }}\n",
        "pyproject.toml.jinja": '[project]\nname = "{{ project_name }}"\nversion = "0.1.0"\n',
        "{{ package_name }}/__init__.py.jinja": '"""{{ description }}"""\n',
        "{{ package_name }}/main.py.jinja": 'def main() -> str:\n    return "{{ project_name }}"\n',
        "tests/test_main.py.jinja": "from {{ package_name }}.main import main\n\n\n"
        "def test_main() -> None:\n    assert main() == '{{ project_name }}'\n",
        ".gitignore": ".venv/\n__pycache__/\n",
        "LICENSE.jinja": "MIT License, {{ project_name }}\n",
        "Makefile": "test:\n\tuv run pytest\n",
        ".env.example": "DEBUG=1\n",
        "{% if use_docker %}Dockerfile{% endif %}.jinja": "FROM python:3.12-slim\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def until_question(argv: list[str], cwd: Path) -> float:
    """Seconds from spawning ``argv`` in a pty until QUESTION is on screen (ANSI stripped).
    Answers prompt_toolkit's cursor-position request as a terminal would; then Ctrl-C."""
    import pexpect  # type: ignore[import-untyped]

    start = time.perf_counter()
    env = {**ENV, "TERM": "xterm-256color"}
    child = pexpect.spawn(argv[0], argv[1:], cwd=str(cwd), env=env, dimensions=(40, 120),
                          encoding="utf-8", codec_errors="replace")  # fmt: skip
    output, answered = "", 0
    try:
        while QUESTION not in ANSI.sub("", output):
            output += child.read_nonblocking(65536, timeout=30)  # raises on EOF or timeout
            while output.count("\x1b[6n") > answered:
                child.send("\x1b[1;1R")
                answered += 1
        return time.perf_counter() - start
    finally:
        child.sendcontrol("c")
        child.close(force=True)


class Bench:
    """Where the commands run, how often, and which copier template root they render."""

    def __init__(self, work: Path, runs: dict[str, tuple[int, int]], templates: Path) -> None:
        self.work, self.runs, self.templates = work, runs, templates

    def compare(self, section: str, what: str, ours: str, ref: str, ref_label: str,
                target: float | None = None, prepare: tuple[str, str] | None = None,
                shell: bool = False) -> Row:  # fmt: skip
        """One hyperfine call runs both commands; its exports go to benchmarks/results/."""
        out = HERE / "results" / re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-")
        out.parent.mkdir(exist_ok=True)
        runs, warmup = self.runs[section]
        argv = ["hyperfine", "--style", "basic", "--runs", str(runs), "--warmup", str(warmup)]
        argv += ["--export-json", f"{out}.json", "--export-markdown", f"{out}.md"]
        argv += [] if shell else ["--shell=none"]
        for step in prepare or ():
            argv += ["--prepare", step]
        argv += ["-n", "pystarter", ours, "-n", "reference", ref]
        if subprocess.run(argv, cwd=self.work, env=ENV, stdout=sys.stderr).returncode:
            for step, command in zip(prepare or ("true", "true"), (ours, ref), strict=True):
                for line in (step, command):  # say why: once more, show the end of its output
                    args = line if shell else shlex.split(line)
                    again = subprocess.run(args, shell=shell, cwd=self.work, env=ENV,
                                           capture_output=True, text=True)  # fmt: skip
                print(f"{command}: exit {again.returncode}: {again.stderr[-400:]}", file=sys.stderr)
            return Row(what, None, None, ref_label, target, "failed")
        medians = [r["median"] for r in json.loads(Path(f"{out}.json").read_text())["results"]]
        return Row(what, medians[0], medians[1], ref_label, target)

    def startup_rows(self) -> list[Row]:
        bare, version = cmd(PYTHON, "-c", "pass"), cmd(PYSTARTER, "--version")
        typer_help = cmd(PYTHON, HERE / "minimal_typer.py", "--help")
        help_ = cmd(PYSTARTER, "--help")
        typer = cmd(PYTHON, "-c", "import typer")
        return [
            self.compare("startup", "pystarter --version", version, bare, "python -c pass", 2.0),
            self.compare("startup", "pystarter --help", help_, typer_help, "minimal_typer.py", 1.3),
            self.compare("startup", "import typer (for scale)", typer, bare, "python -c pass"),
        ]  # fmt: skip

    def render_row(self, what: str, ours: list[str], ref: list[str]) -> Row:
        """Both argvs end in their destination, removed before every run. Interleaved by hand,
        the order flipping each round, so both sides share whatever load the machine has."""
        import shutil

        sides = {"ours": ours, "ref": ref}
        dests = {side: Path(argv[-1]) for side, argv in sides.items()}
        for dest in dests.values():
            dest.parent.mkdir(parents=True)
        times: dict[str, list[float]] = {"ours": [], "ref": []}
        cpu: dict[str, list[float]] = {"ours": [], "ref": []}
        runs, warmup = self.runs["render"]
        for i in range(warmup + runs):
            for side in ("ours", "ref") if i % 2 else ("ref", "ours"):
                shutil.rmtree(dests[side], ignore_errors=True)
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                done = subprocess.run(sides[side], cwd=self.work, env=USER_ENV,
                                      capture_output=True, text=True)  # fmt: skip
                seconds = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                if done.returncode:
                    print(f"{cmd(*sides[side])}: exit {done.returncode}: {done.stderr[-400:]}",
                          file=sys.stderr)  # fmt: skip
                    return Row(what, None, None, "copier copy", 1.15, "failed")
                if i >= warmup:
                    times[side].append(seconds)
                    cpu[side].append(used)
        row = Row(what, statistics.median(times["ours"]), statistics.median(times["ref"]),
                  "copier copy", 1.15)  # fmt: skip
        files = [{p.relative_to(d).as_posix() for p in d.rglob("*") if p.is_file()}
                 for d in dests.values()]  # fmt: skip
        diff = sorted(files[0] ^ files[1])[:4]
        cpu_ratio = statistics.median(cpu["ours"]) / statistics.median(cpu["ref"])
        row.note = f"differ: {diff}" if diff else f"same {len(files[0])} files, {runs} rounds"
        row.note += f"; CPU time {cpu_ratio:.2f}x"
        return row

    def render_rows(self, frameworks: list[str]) -> list[Row]:
        copier, rows, work = [COPIER, "copy", "--defaults", "--trust"], [], self.work
        for fw in frameworks:
            ours, ref = str(work / "ours" / fw / PROJECT), str(work / "ref" / fw / PROJECT)
            new = [PYSTARTER, "new", "-f", fw, "--no-input", "--no-git", ours]
            copy = [*copier, *data(f"framework={fw}", *NAMES), str(self.templates), ref]
            rows.append(self.render_row(f"new -f {fw} --no-input --no-git", new, copy))
        template = str(write_custom_template(work / "custom-template"))
        answers = data("project_name=demo", "description=A demo", "use_docker=true")
        ours, ref = str(work / "ours" / "custom" / "demo"), str(work / "ref" / "custom" / "demo")
        new = [PYSTARTER, "new", "-t", template, "--no-input", "--no-git", *answers, ours]
        copy = [*copier, *answers, template, ref]
        return [*rows, self.render_row("new -t <custom template>", new, copy)]

    def prompt_row(self) -> Row:
        """Interleaved by hand, order flipping each round: hyperfine cannot stop at a prompt."""
        sides = {"ours": [PYSTARTER, "new"], "ref": [PYTHON, str(HERE / "minimal_prompt.py")]}
        times: dict[str, list[float]] = {"ours": [], "ref": []}
        runs, warmup = self.runs["prompt"]
        row = Row("first wizard question (pty)", None, None, "minimal_prompt.py", 1.3, "failed")
        try:
            for i in range(warmup + runs):
                for side in ("ours", "ref") if i % 2 else ("ref", "ours"):
                    seconds = until_question(sides[side], self.work)
                    if i >= warmup:
                        times[side].append(seconds)
        except Exception as exc:  # pexpect.EOF or TIMEOUT: the question never showed
            print(f"first question: {sides[side]} failed: {exc!r:.400}", file=sys.stderr)
            return row
        row.ours, row.ref = statistics.median(times["ours"]), statistics.median(times["ref"])
        row.note = f"{runs} interleaved rounds"
        return row

    def green_row(self) -> Row:
        """Render, install, run the tests: the wait until a new project's first green run."""
        ours, ref = self.work / "green-ours" / PROJECT, self.work / "green-ref" / PROJECT
        new = cmd(PYSTARTER, "new", "-f", "fastapi", "--no-input", "--no-git", "--install", ours)
        copy = cmd(COPIER, "copy", "--defaults", "--trust", *data("framework=fastapi", *NAMES),
                   self.templates, ref)  # fmt: skip
        ours_cmd = f"{new} && cd {ours} && {TEST_COMMAND}"
        ref_cmd = f"{copy} && cd {ref} && uv sync --quiet && {TEST_COMMAND}"
        prepare = (f"rm -rf {ours}; mkdir -p {ours.parent}", f"rm -rf {ref}; mkdir -p {ref.parent}")
        return self.compare("green", "time to green, fastapi", ours_cmd, ref_cmd,
                            "copier + uv sync + pytest", None, prepare, shell=True)  # fmt: skip


def builtin_templates() -> Path:
    """The template tree pystarter renders (inside the installed wheel, or the checkout's)."""
    ask = "from pystarter.builtin import builtin_templates_dir as d; print(d())"
    return Path(subprocess.run([PYTHON, "-c", ask], capture_output=True, text=True,
                               check=True).stdout.strip())  # fmt: skip


def report(rows: list[Row], header: str) -> str:
    def ms(seconds: float | None) -> str:
        return "FAILED" if seconds is None else f"{seconds * 1000:,.0f} ms"

    lines = [header, "", "| row | pystarter | reference | ratio | target | met? |"]
    lines.append("|---|---|---|---|---|---|")
    for r in rows:
        ratio = f"{r.ratio:.2f}x" if r.ratio else "-"
        target = f"<= {r.target:g}x" if r.target else ""
        met = {True: "yes", False: "**no**", None: ""}[r.met]
        what = f"{r.what} ({r.note})" if r.note else r.what
        lines.append(
            f"| {what} | {ms(r.ours)} | {ms(r.ref)} ({r.ref_label}) | {ratio} | {target} | {met} |"
        )
    return "\n".join(lines) + "\n"


def update_readmes(text: str) -> None:
    """Replace what sits between the result markers of README.md and benchmarks/README.md."""
    for readme in (REPO / "README.md", HERE / "README.md"):
        old = readme.read_text()
        start, end = old.find(MARKERS[0]), old.find(MARKERS[1])
        if 0 <= start < end:
            readme.write_text(old[: start + len(MARKERS[0])] + "\n" + text + old[end:])
            print(f"updated {readme}", file=sys.stderr)
        else:
            print(f"note: {readme} has no {' ... '.join(MARKERS)} markers", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--green", action="store_true", help="also time to green (installs)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--update-readme", action="store_true", help="fill the README markers")
    parser.add_argument("--templates", type=Path, default=builtin_templates(), help="copier root")
    parser.add_argument("--framework", action="append", choices=FRAMEWORKS, help="render these")
    args = parser.parse_args()
    runs, templates = QUICK if args.quick else RUNS, args.templates.resolve()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="pystarter-bench-") as tmp:
        work = Path(tmp)
        ENV["PYSTARTER_CONFIG"] = str(work / "none.toml")  # a user's config changes no row
        bench = Bench(work, runs, templates)
        rows = bench.startup_rows() + bench.render_rows(args.framework or list(FRAMEWORKS))
        rows += [bench.prompt_row()] + ([bench.green_row()] if args.green else [])
    tools = [f"{d} {metadata.version(d)}" for d in ("copier", "typer", "questionary", "rich")]
    spec = find_spec("pystarter")
    tools.insert(
        0, f"pystarter from {Path(spec.origin).parents[2]}" if spec and spec.origin else ""
    )
    tools.append(subprocess.run(["hyperfine", "-V"], capture_output=True, text=True).stdout.strip())
    counts = [f"{k} {n} ({w})" for k, (n, w) in runs.items() if k != "green" or args.green]
    header = (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC{', --quick' if args.quick else ''}: "
        f"{os.cpu_count()} CPUs, load average {load:.2f} at start, {os.getloadavg()[0]:.2f} at "
        f"the end; Python {sys.version.split()[0]}, {', '.join(tools)}; templates {templates}. "
        f"Medians; runs (warm-ups) per command: {', '.join(counts)}."
    )
    text = report(rows, header)
    print(text)
    (HERE / "results.md").write_text(text)
    if args.update_readme:
        update_readmes(text)
    failed = any(r.met is False or r.ours is None or r.ref is None for r in rows)
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
