"""``trialdesk export adam``: a trial in the store as CDISC ADaM datasets (``docs/interop.md``)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Annotated

import typer

from trialdesk.commands._trial_source import DatabaseOption, TrialOption, stored_trial
from trialdesk.interop import export_adam

__all__ = ["adam", "register"]

logger = logging.getLogger(__name__)

export_app = typer.Typer(help="Export trial data for exchange (CDISC ADaM).", no_args_is_help=True)


@export_app.command("adam")
def adam(
    db: DatabaseOption,
    out: Annotated[Path, typer.Option("--out", help="Folder to write the datasets to.")],
    format_list: Annotated[str, typer.Option(
        "--format", help="Comma-separated formats: csv, xpt (SAS XPORT v5), json (Dataset-JSON).")
    ] = "csv,xpt,json",
    cutoff: Annotated[dt.datetime | None, typer.Option(
        formats=["%Y-%m-%d"], help="Data cut-off date (default: the latest recorded date).")] = None,
    trial: TrialOption = None,
) -> None:
    """Write ADSL, ADTTE, ADAE, ADEX, define.csv and protocol.yaml; print the files written."""
    day = cutoff.date() if cutoff else None
    protocol, data = stored_trial(db, cutoff=day, trial=trial)
    formats = [part.strip() for part in format_list.split(",") if part.strip()]
    for path in export_adam(data, protocol, out, formats=formats, cutoff=day):
        typer.echo(str(path))


def register(app: typer.Typer) -> None:
    """Add the ``export`` group to the root app."""
    app.add_typer(export_app, name="export")
