"""Rich renderables shared by the CLI and the wizard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pystarter.recommend import FRAMEWORK_TITLES, TIE_BREAK_ORDER

if TYPE_CHECKING:
    from pystarter.recommend import Recommendation


def scores_table(rec: Recommendation) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
    table.add_column("framework")
    table.add_column("score", justify="right")
    table.add_column("")
    top = max(rec.scores.values()) or 1
    for framework in sorted(TIE_BREAK_ORDER, key=lambda fw: -rec.scores[fw]):
        score = rec.scores[framework]
        bar = "█" * round(12 * score / top) if score else ""
        style = "bold green" if framework == rec.framework else ""
        table.add_row(
            Text(FRAMEWORK_TITLES[framework], style=style),
            str(score),
            Text(bar, style=style or "dim"),
        )
    return table


def recommendation_panel(rec: Recommendation) -> Panel:
    reasons = Text()
    for reason in rec.reasons:
        reasons.append("  • ")
        reasons.append(reason + "\n")
    body = Group(
        Text("Needs: " + (", ".join(rec.needs) or "none"), style="dim"),
        Text(),
        scores_table(rec),
        Text(),
        Text("Why", style="bold"),
        reasons,
        Text(
            f"Runner-up: {FRAMEWORK_TITLES[rec.runner_up]}. {rec.runner_up_when}.", style="italic"
        ),
    )
    return Panel(
        body,
        title=f"[bold]Recommended: {FRAMEWORK_TITLES[rec.framework]}[/]",
        title_align="left",
        border_style="green",
        expand=False,
    )
