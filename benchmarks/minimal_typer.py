"""The floor under ``pystarter --help``: a minimal two-command typer app with rich help.

Imports the installed typer (and rich, which typer uses to format help when it is there),
defines two commands and runs. The benchmark times ``python minimal_typer.py --help``.
"""

import typer

app = typer.Typer(rich_markup_mode="rich", help="A minimal [bold]typer[/bold] app.")


@app.command()
def new(dest: str, framework: str = typer.Option("auto", "-f", help="Framework.")) -> None:
    """Render a new project into DEST."""
    typer.echo(f"{dest} {framework}")


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo("0.0.0")


if __name__ == "__main__":
    app()
