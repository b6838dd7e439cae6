"""The store as the source of an analysis: options shared by ``analyze`` and ``report``,
and one function that reads a trial at a cut-off and runs its protocol's analysis plan."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated

import typer

from trialdesk.analysis.plan import AnalysisResults, run_analysis_plan
from trialdesk.protocol import Protocol
from trialdesk.services.extract import protocol_and_data
from trialdesk.store import create_engine, session_factory
from trialdesk.trial.data import TrialData

__all__ = ["CutoffOption", "DatabaseOption", "EventsPlannedOption", "TrialOption",
           "analyse_stored_trial", "stored_trial"]

logger = logging.getLogger(__name__)

DatabaseOption = Annotated[str, typer.Option(
    "--db", help="Database URL (sqlite:///file.db, postgresql+psycopg://...).")]
CutoffOption = Annotated[dt.datetime, typer.Option(
    formats=["%Y-%m-%d"], help="Data cut-off date (YYYY-MM-DD).")]
TrialOption = Annotated[str | None, typer.Option(
    help="Trial code (needed when the database holds several).")]
EventsPlannedOption = Annotated[float | None, typer.Option(
    help="Events planned for the final analysis (when the protocol gives only fractions).")]


def stored_trial(db: str, *, cutoff: dt.date | None, trial: str | None = None
                 ) -> tuple[Protocol, TrialData]:
    """The protocol and recorded data of ``trial`` (the only one when None) in the store at
    ``db``, as of ``cutoff`` (None: everything)."""
    engine = create_engine(db)
    try:
        with session_factory(engine)() as session:
            return protocol_and_data(session, trial, cutoff=cutoff)
    finally:
        engine.dispose()


def analyse_stored_trial(db: str, *, cutoff: dt.date, trial: str | None = None,
                         events_planned: float | None = None) -> AnalysisResults:
    """Read ``trial`` (the only one when None) from the store at ``db`` as of ``cutoff`` and
    run its protocol's analysis plan (``trialdesk.analysis.run_analysis_plan``)."""
    protocol, data = stored_trial(db, cutoff=cutoff, trial=trial)
    logger.info("analysing %s at cut-off %s", data.protocol_id, cutoff)
    return run_analysis_plan(protocol, data, cutoff=cutoff, events_planned=events_planned)
