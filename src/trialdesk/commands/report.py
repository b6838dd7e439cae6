"""``trialdesk report``: the interim report of a trial in the store (HTML, PDF, figures, JSON).

The HTML goes to ``--out``; beside it the PDF (same name, ``.pdf``), ``figures/`` (PNG and
SVG) and ``results.json``. The written paths are printed on stdout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trialdesk.commands._trial_source import (
    CutoffOption,
    DatabaseOption,
    EventsPlannedOption,
    TrialOption,
    analyse_stored_trial,
)
from trialdesk.errors import InputError
from trialdesk.report.interim_report import write_interim_report

__all__ = ["register", "report"]


def report(
    db: DatabaseOption,
    cutoff: CutoffOption,
    out: Annotated[Path, typer.Option(help="The HTML report to write (e.g. report.html).")],
    trial: TrialOption = None,
    events_planned: EventsPlannedOption = None,
    title: Annotated[str | None, typer.Option(help="Report title.")] = None,
) -> None:
    """Write the interim analysis report of the trial at a data cut-off."""
    if out.suffix.lower() not in {".html", ".htm"}:
        raise InputError("must name an .html file", field="--out", value=str(out),
                         hint="the PDF, figures/ and results.json are written beside it")
    results = analyse_stored_trial(db, cutoff=cutoff.date(), trial=trial,
                                   events_planned=events_planned)
    files = write_interim_report(results, out.parent, title=title)
    html, pdf = files.html.replace(out), files.pdf.replace(out.with_suffix(".pdf"))
    for path in (html, pdf, files.json, *files.figures):
        typer.echo(str(path))


def register(app: typer.Typer) -> None:
    """Add ``report`` to the root app."""
    app.command("report")(report)
