"""``pystarter templates test`` next to doing the same by hand: the same cases rendered with
``copier copy`` and their commands run one after the other. Prints both times and the ratio.

    .venv/bin/python benchmarks/templates_test.py [--template T] [-j 2] [templates test args...]

T defaults to the built-in template (``templates/``) with ``-d database=sqlite`` (no server
needed; add ``--env`` and drop the pin to include the others). The cases and each one's
commands are taken from pystarter's own ``--json`` report, so both sides do the same work; the
reference gets the same uv cache (warm after pystarter's run), so it is not slowed by downloads.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
ENV["PATH"] = f"{BIN}{os.pathsep}{ENV.get('PATH', '')}"


def ours(template: str, jobs: int, extra: list[str]) -> tuple[float, dict]:
    started = time.perf_counter()
    completed = subprocess.run(
        [str(BIN / "pystarter"), "templates", "test", template, "-j", str(jobs), "--json", *extra],
        env=ENV, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        sys.exit(f"pystarter templates test failed:\n{completed.stderr}")
    return seconds, json.loads(completed.stdout)


def by_hand(template: str, report: dict) -> tuple[float, int]:
    """Each case as a person scripts it: copier copy, then its commands, one case at a time."""
    failures = 0
    started = time.perf_counter()
    for case in report["cases"]:
        if case["result"] == "skipped":
            continue
        with tempfile.TemporaryDirectory() as scratch:
            target = Path(scratch) / "project"
            data = [f"--data={k}={_text(v)}" for k, v in case["answers"].items()]
            copier = [str(BIN / "copier"), "copy", "--defaults", "--quiet", *data]
            subprocess.run([*copier, template, str(target)], env=ENV, check=True)
            if (target / "pyproject.toml").is_file() and shutil.which("uv", path=ENV["PATH"]):
                subprocess.run(["uv", "lock", "--quiet"], cwd=target, env=ENV, check=False)
            for command in case["commands"]:
                done = subprocess.run(
                    command, shell=True, cwd=target, env=ENV, capture_output=True, check=False
                )
                if done.returncode != 0:
                    failures += 1
                    break
    return time.perf_counter() - started, failures


def _text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", default=str(HERE.parent / "templates"))
    parser.add_argument("-j", "--jobs", type=int, default=2)
    args, extra = parser.parse_known_args()  # the rest: templates test's own arguments
    if not extra and args.template.endswith("templates"):
        extra = ["-d", "database=sqlite"]
    seconds, report = ours(args.template, args.jobs, extra)
    run = [c for c in report["cases"] if c["result"] != "skipped"]
    print(f"templates test -j {args.jobs}: {seconds:.1f} s for {len(run)} cases", flush=True)
    reference, failures = by_hand(args.template, report)
    print(f"copier copy + commands, one by one: {reference:.1f} s ({failures} failed)")
    print(f"ratio (pystarter / by hand): {seconds / reference:.2f}")


if __name__ == "__main__":
    main()
