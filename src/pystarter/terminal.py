"""What the CLI prints with, loaded on demand so that start-up imports neither rich nor json."""

from __future__ import annotations

from typing import Any


def make_console(stderr: bool = False, soft_wrap: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=soft_wrap)


def echo_json(payload: Any) -> None:
    """One JSON document on stdout (``--json``)."""
    import json

    import typer

    typer.echo(json.dumps(payload, indent=2))
