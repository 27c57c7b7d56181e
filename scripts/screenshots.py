#!/usr/bin/env python3
"""Make the README's pictures of `pystarter recommend` and the wizard from real runs.

Each run happens in a pseudo-terminal (pexpect); a terminal emulator (pyte) keeps the final
screen, which rich exports as SVG into docs/. Run it after changing what the CLI shows:

    .venv/bin/pip install pyte && .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

import pexpect
import pyte
from rich.console import Console
from rich.text import Text

DOCS = Path(__file__).resolve().parents[1] / "docs"
COLUMNS, ROWS = 100, 60
ENTER, DOWN, SPACE = "\r", "\x1b[B", " "
#: questionary's "?" mark, then colour codes, then the question
PROMPT = r"\?(?:\x1b\[[0-9;]*m)* \S"


class Terminal:
    def __init__(self, *args: str, cwd: str) -> None:
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self.stream = pyte.Stream(self.screen)
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(ROWS)}
        self.child = pexpect.spawn(
            sys.executable, ["-m", "pystarter", *args], cwd=cwd, env=env,
            dimensions=(ROWS, COLUMNS), encoding="utf-8", timeout=300,
        )  # fmt: skip

    def expect(self, pattern: str) -> None:
        self.child.expect(pattern)
        self._feed()

    def send(self, keys: str) -> None:
        self.child.send(keys)
        time.sleep(0.4)
        self._feed()

    def finish(self) -> None:
        self.child.expect(pexpect.EOF)
        self._feed()

    def _feed(self) -> None:
        self.stream.feed(self.child.before or "")
        if isinstance(self.child.after, str):
            self.stream.feed(self.child.after)
        with contextlib.suppress(pexpect.TIMEOUT, pexpect.EOF):
            self.stream.feed(self.child.read_nonblocking(100_000, timeout=0.3))

    def text(self) -> Text:
        lines = []
        for row in range(self.screen.lines):
            line = Text()
            for column in range(self.screen.columns):
                char = self.screen.buffer[row][column]
                style = " ".join(
                    part
                    for part in (
                        "bold" if char.bold else "",
                        char.fg if char.fg not in ("default", "") else "",
                    )
                    if part
                )
                line.append(char.data, style=_rich_color(style))
            line.rstrip()
            lines.append(line)
        while lines and not lines[-1].plain:
            lines.pop()
        return Text("\n").join(lines)


def _rich_color(style: str) -> str:
    words = []
    for word in style.split():
        if word in ("bold", "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"):
            words.append(word)
        elif len(word) == 6 and all(c in "0123456789abcdef" for c in word.lower()):
            words.append(f"#{word}")
    return " ".join(words)


def save(text: Text, name: str, title: str) -> Path:
    console = Console(record=True, width=COLUMNS, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(text)
    path = DOCS / name
    console.save_svg(str(path), title=title)
    return path


def recommend_picture(workdir: str) -> Path:
    term = Terminal(
        "recommend", "--need", "rest-api", "--need", "async", "--need", "openapi", cwd=workdir
    )
    term.finish()
    return save(term.text(), "recommend.svg", "pystarter recommend")


def wizard_pictures(workdir: str) -> list[Path]:
    term = Terminal("new", "shop", cwd=workdir)
    term.expect("What are you building")
    term.send(SPACE + DOWN + SPACE + DOWN + SPACE + DOWN + SPACE)  # admin, auth, orm, html
    term.send(ENTER)
    term.expect("Framework")
    first = save(term.text(), "wizard-recommendation.svg", "pystarter new: the recommendation")
    term.send(ENTER)
    for _ in range(40):  # Enter at every question, but do not install (quicker picture)
        index = term.child.expect([r"install the dependencies now\?", PROMPT, pexpect.EOF])
        term._feed()
        if index == 0:
            term.send("n" + ENTER)
        elif index == 2:
            break
        else:
            term.send(ENTER)
    return [first, save(term.text(), "wizard-done.svg", "pystarter new: done")]


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        made = [recommend_picture(workdir), *wizard_pictures(workdir)]
    for path in made:
        print(path.relative_to(DOCS.parent))


if __name__ == "__main__":
    main()
