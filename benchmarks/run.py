"""Time pystarter against the floor of its stack and against raw copier; print ratios.

Why this script is short: hyperfine does the timing (warm-ups, runs, a fresh folder per run
through ``--prepare``, statistics, JSON and Markdown exports). This file only says *what* is
compared with *what*, and times the one thing hyperfine cannot: how long until the first
wizard question is on screen in a pseudo-terminal. Run it with the project's venv::

    .venv/bin/python benchmarks/run.py [--quick] [--green] [--check] [--update-readme]

See benchmarks/README.md for the rows, the targets and the fairness rules.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent  # the venv that runs this script holds pystarter and copier
PYTHON, PYSTARTER, COPIER = sys.executable, str(BIN / "pystarter"), str(BIN / "copier")
FRAMEWORKS = ("django", "flask", "fastapi")
PROJECT = "my-api"  # pystarter derives the names below from the folder; copier is given them
NAMES = ["-d", f"project_name={PROJECT}", "-d", f"project_slug={PROJECT}",
         "-d", f"package_name={PROJECT.replace('-', '_')}"]  # fmt: skip
QUESTION = "What are you building"  # the wizard's first question (and minimal_prompt.py's)
TEST_COMMAND = "uv run pytest -q"
ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[@-Z\\-_])")
MARKERS = ("<!-- results:start -->", "<!-- results:end -->")
RUNS = {"startup": (30, 3), "render": (10, 2), "prompt": (10, 1), "green": (1, 1)}
QUICK = {"startup": (10, 1), "render": (3, 1), "prompt": (4, 1), "green": (1, 1)}


@dataclass
class Row:
    what: str
    ours: float | None  # median seconds
    ref: float | None
    ref_label: str
    target: float | None = None  # largest ratio allowed
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.ours / self.ref if self.ours and self.ref else None

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.ratio is not None and self.ratio <= self.target


def hyperfine(name: str, ours: str, ref: str, runs: tuple[int, int], work: Path,
              prepare: tuple[str, str] | None = None, shell: bool = False,
              ) -> tuple[float | None, float | None]:  # fmt: skip
    """Medians of both commands from one hyperfine call; exports land in benchmarks/results/."""
    out = HERE / "results" / name
    out.parent.mkdir(exist_ok=True)
    argv = ["hyperfine", "--style", "basic", "--runs", str(runs[0]), "--warmup", str(runs[1]),
            "--export-json", f"{out}.json", "--export-markdown", f"{out}.md"]  # fmt: skip
    argv += [] if shell else ["-N"]
    for step in prepare or ():
        argv += ["--prepare", step]
    argv += ["-n", "pystarter", ours, "-n", "reference", ref]
    done = subprocess.run(argv, cwd=work, env=ENV, stdout=sys.stderr)
    if done.returncode:  # say why: run each command once more, show the end of its output
        for command in (ours, ref):
            again = subprocess.run(command if shell else shlex.split(command), shell=shell, cwd=work,
                                   env=ENV, capture_output=True, text=True)  # fmt: skip
            print(f"{command}: exit {again.returncode}: {again.stderr[-400:]}", file=sys.stderr)
        return None, None
    results = json.loads(Path(f"{out}.json").read_text())["results"]
    return results[0]["median"], results[1]["median"]


def cmd(*argv: str | Path) -> str:
    return shlex.join(str(a) for a in argv)


def startup_rows(work: Path, runs: tuple[int, int]) -> list[Row]:
    bare, typer_app = cmd(PYTHON, "-c", "pass"), cmd(PYTHON, HERE / "minimal_typer.py", "--help")
    cache = work / "cache"
    pairs = [
        ("version", "pystarter --version", cmd(PYSTARTER, "--version"), bare, "python -c pass", 2.0, None),
        ("help", "pystarter --help", cmd(PYSTARTER, "--help"), typer_app, "minimal_typer.py --help", 1.3, None),
        ("help-first-run", "pystarter --help, empty help cache", cmd(PYSTARTER, "--help"), typer_app,
         "minimal_typer.py --help", None, (cmd("rm", "-rf", cache), "true")),
        ("import-typer", "python -c 'import typer' (for scale)", cmd(PYTHON, "-c", "import typer"), bare,
         "python -c pass", None, None),
    ]  # fmt: skip
    rows = []
    for name, what, ours, ref, label, target, prepare in pairs:
        rows.append(Row(what, *hyperfine(name, ours, ref, runs, work, prepare), label, target))
    return rows


def same_files(a: Path, b: Path) -> str:
    """After hyperfine both folders hold the last run's output: do they hold the same files?"""
    files = [sorted(p.relative_to(d).as_posix() for p in d.rglob("*") if p.is_file()) for d in (a, b)]
    if files[0] == files[1]:
        return f"same {len(files[0])} files"
    return "files differ: only pystarter " + ", ".join(sorted(set(files[0]) - set(files[1]))[:3]) + \
        "; only copier " + ", ".join(sorted(set(files[1]) - set(files[0]))[:3])  # fmt: skip


def render_row(name: str, what: str, ours: list[str], ref: list[str], work: Path,
               runs: tuple[int, int]) -> Row:  # fmt: skip
    """``ours`` and ``ref`` end in the destination; each run starts with it removed."""
    prepare = (cmd("rm", "-rf", ours[-1]), cmd("rm", "-rf", ref[-1]))
    medians = hyperfine(name, cmd(*ours), cmd(*ref), runs, work, prepare)
    note = same_files(Path(ours[-1]), Path(ref[-1])) if medians[0] and medians[1] else "failed"
    return Row(what, *medians, "copier copy", 1.15, note)


def render_rows(work: Path, runs: tuple[int, int], templates: Path, frameworks: list[str]) -> list[Row]:
    rows = []
    for fw in frameworks:
        ours, ref = work / "ours" / fw / PROJECT, work / "ref" / fw / PROJECT
        ours.parent.mkdir(parents=True), ref.parent.mkdir(parents=True)
        rows.append(render_row(f"new-{fw}", f"new {fw} --no-input --no-git",
                               [PYSTARTER, "new", "-f", fw, "--no-input", "--no-git", str(ours)],
                               [COPIER, "copy", "--defaults", "--trust", "-d", f"framework={fw}",
                                *NAMES, str(templates), str(ref)], work, runs))  # fmt: skip
    template = write_custom_template(work / "custom-template")
    data = ["-d", "project_name=demo", "-d", "description=A demo", "-d", "use_docker=true"]
    ours, ref = work / "ours" / "custom" / "demo", work / "ref" / "custom" / "demo"
    ours.parent.mkdir(parents=True), ref.parent.mkdir(parents=True)
    rows.append(render_row("new-custom", "new -t <custom template> --no-input --no-git",
                           [PYSTARTER, "new", "-t", str(template), "--no-input", "--no-git", *data,
                            str(ours)],
                           [COPIER, "copy", "--defaults", "--trust", *data, str(template), str(ref)],
                           work, runs))  # fmt: skip
    return rows


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


def until_question(argv: list[str], text: str, cwd: Path) -> float:
    """Seconds from spawning ``argv`` in a pty until ``text`` shows; answers prompt_toolkit's
    cursor-position request as a terminal would, then sends Ctrl-C."""
    import pexpect

    start = time.perf_counter()
    child = pexpect.spawn(argv[0], argv[1:], cwd=str(cwd), env={**ENV, "TERM": "xterm-256color"},
                          dimensions=(40, 120), encoding="utf-8", codec_errors="replace")  # fmt: skip
    output, answered = "", 0
    try:
        while text not in ANSI.sub("", output):
            output += child.read_nonblocking(65536, timeout=30)  # raises on EOF or timeout
            while output.count("\x1b[6n") > answered:
                child.send("\x1b[1;1R")
                answered += 1
        return time.perf_counter() - start
    finally:
        child.sendcontrol("c")
        child.close(force=True)


def prompt_row(work: Path, runs: tuple[int, int]) -> Row:
    """Interleaved by hand (hyperfine cannot stop at a prompt): the order alternates per round."""
    sides = {"ours": [PYSTARTER, "new"], "ref": [PYTHON, str(HERE / "minimal_prompt.py")]}
    times: dict[str, list[float]] = {"ours": [], "ref": []}
    try:
        for i in range(runs[1] + runs[0]):
            for side in sides if i % 2 else reversed(list(sides)):
                seconds = until_question(sides[side], QUESTION, work)
                if i >= runs[1]:
                    times[side].append(seconds)
    except Exception as exc:  # pexpect.EOF or TIMEOUT: the question never showed
        print(f"first question: {side} failed: {exc!r:.300}", file=sys.stderr)
        return Row("first wizard question (pty)", None, None, "minimal_prompt.py", 1.3, "failed")
    medians = [statistics.median(times[s]) for s in ("ours", "ref")]
    return Row("first wizard question (pty)", *medians, "minimal_prompt.py", 1.3,
               f"{runs[0]} interleaved rounds")  # fmt: skip


def green_row(work: Path, runs: tuple[int, int], templates: Path) -> Row:
    """Render, install, run the tests: what a person waits for before the first green run."""
    ours, ref = work / "green-ours" / PROJECT, work / "green-ref" / PROJECT
    ours_cmd = f"{cmd(PYSTARTER, 'new', ours, '-f', 'fastapi', '--no-input', '--no-git', '--install')}" \
        f" && cd {ours} && {TEST_COMMAND}"  # fmt: skip
    ref_cmd = f"{cmd(COPIER, 'copy', '--defaults', '--trust', '-d', 'framework=fastapi', *NAMES, templates, ref)}" \
        f" && cd {ref} && uv sync --quiet && {TEST_COMMAND}"  # fmt: skip
    prepare = (f"rm -rf {ours.parent} && mkdir {ours.parent}", f"rm -rf {ref.parent} && mkdir {ref.parent}")
    medians = hyperfine("green-fastapi", ours_cmd, ref_cmd, runs, work, prepare, shell=True)
    return Row("time to green, fastapi", *medians, "copier + uv sync + pytest", None, "warm uv cache")


def ms(seconds: float | None) -> str:
    return "FAILED" if seconds is None else f"{seconds * 1000:,.0f} ms"


def report(rows: list[Row], header: str) -> str:
    lines = [header, "", "| row | pystarter | reference | ratio | target | met? |", "|---|---|---|---|---|---|"]
    for r in rows:
        ratio = f"{r.ratio:.2f}x" if r.ratio else "-"
        target = f"<= {r.target:g}x" if r.target else ""
        met = {True: "yes", False: "**no**", None: ""}[r.met]
        note = f" ({r.note})" if r.note else ""
        lines.append(f"| {r.what}{note} | {ms(r.ours)} | {ms(r.ref)} ({r.ref_label}) | {ratio} | {target} | {met} |")
    return "\n".join(lines) + "\n"


def update_readmes(text: str) -> None:
    """Replace what sits between the result markers in README.md and benchmarks/README.md."""
    for readme in (REPO / "README.md", HERE / "README.md"):
        old = readme.read_text()
        start, end = old.find(MARKERS[0]), old.find(MARKERS[1])
        if 0 <= start < end:
            readme.write_text(old[: start + len(MARKERS[0])] + "\n" + text + old[end:])
            print(f"updated {readme}", file=sys.stderr)
        else:
            print(f"note: {readme} has no {MARKERS[0]} ... {MARKERS[1]} markers", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--green", action="store_true", help="also time to green (slow: installs)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--update-readme", action="store_true", help="write the table between the markers")
    parser.add_argument("--templates", type=Path, default=REPO / "templates", help="copier template root")
    parser.add_argument("--framework", action="append", choices=FRAMEWORKS, help="render rows for these only")
    args = parser.parse_args()
    runs, templates = QUICK if args.quick else RUNS, args.templates.resolve()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="pystarter-bench-") as tmp:
        work = Path(tmp)
        ENV.update(PYSTARTER_CONFIG=str(work / "no-config.toml"), PYSTARTER_CACHE_DIR=str(work / "cache"))
        rows = startup_rows(work, runs["startup"])
        rows += render_rows(work, runs["render"], templates, args.framework or list(FRAMEWORKS))
        rows.append(prompt_row(work, runs["prompt"]))
        if args.green:
            rows.append(green_row(work, runs["green"], templates))
    versions = ", ".join(f"{d} {metadata.version(d)}" for d in ("copier", "typer", "questionary", "rich"))
    hyperfine_version = subprocess.run(["hyperfine", "--version"], capture_output=True, text=True).stdout
    header = (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load average {load:.2f} at "
              f"start and {os.getloadavg()[0]:.2f} at the end{', --quick' if args.quick else ''}; "
              f"Python {sys.version.split()[0]}, {versions}, {hyperfine_version.strip()}; "
              f"templates: {templates}. Medians; runs (warm-ups) per command: "
              + ", ".join(f"{k} {n} ({w})" for k, (n, w) in runs.items() if k != "green" or args.green) + ".")  # fmt: skip
    text = report(rows, header)
    print(text)
    (HERE / "results.md").write_text(text)
    if args.update_readme:
        update_readmes(text)
    return 1 if args.check and any(r.met is False or r.ours is None or r.ref is None for r in rows) else 0


ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "VIRTUAL_ENV")}
ENV.update(PATH=f"{BIN}{os.pathsep}{ENV.get('PATH', '')}", COLUMNS="100",
           UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1")  # fmt: skip

if __name__ == "__main__":
    sys.exit(main())
