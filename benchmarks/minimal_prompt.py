"""The floor under pystarter's first wizard question: a typer command asking one questionary
question. The benchmark times it in a pseudo-terminal until the question is on screen.
"""

import questionary
import typer

app = typer.Typer()


@app.command()
def main() -> None:
    questionary.checkbox(
        "What are you building? Pick what applies (space to select, enter to go on)",
        choices=["rest-api", "web-app", "auth", "background-jobs", "database"],
    ).ask()


if __name__ == "__main__":
    app()
