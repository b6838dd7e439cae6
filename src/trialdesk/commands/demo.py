"""``trialdesk demo``: run the built-in RESORT trial end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


def demo(
    out: Annotated[Path, typer.Option(help="Folder for the database and reports.")] = Path(
        "trialdesk-demo"),
    seed: Annotated[int, typer.Option(help="Seed of the simulated RESORT trial.")] = 20121101,
    serve: Annotated[bool, typer.Option(help="Serve the web app on the demo database.")] = False,
) -> None:
    """Run RESORT end to end: screen, randomise, follow up, analyse and report."""
    typer.echo(
        "trialdesk demo will: create an SQLite database in "
        f"{out}/ with the built-in RESORT protocol, replay a simulated RESORT trial "
        f"(seed {seed}) through the services, run the interim analysis and write "
        f"{out}/report.html, report.pdf, results.json and the ADaM datasets."
        + (" Then serve the web app." if serve else "")
    )
    typer.echo("The survival engine is ready; the trial pipeline is being built (issues 3-10).")


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the root app."""
    app.command("demo")(demo)
