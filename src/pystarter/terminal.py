"""The rich console the CLI prints with, made on demand so that start-up never imports rich."""

from __future__ import annotations

from typing import Any


def make_console(stderr: bool = False, soft_wrap: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=soft_wrap)
