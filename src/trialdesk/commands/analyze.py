"""``trialdesk analyze``: run the protocol's analysis plan on a trial in the store.

Results go to stdout (tables, or JSON with ``--json``); diagnostics to stderr.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated

import typer

from trialdesk.analysis.plan import run_analysis_plan
from trialdesk.services.extract import trial_data
from trialdesk.services.trials import protocol_of, trial_by_code
from trialdesk.store import create_engine, session_factory

__all__ = ["analyze", "register"]

logger = logging.getLogger(__name__)


def analyze(
    db: Annotated[str, typer.Option(
        "--db", help="Database URL (sqlite:///file.db, postgresql+psycopg://...).")],
    cutoff: Annotated[dt.datetime, typer.Option(
        formats=["%Y-%m-%d"], help="Data cut-off date (YYYY-MM-DD).")],
    trial: Annotated[str | None, typer.Option(
        help="Trial code (needed when the database holds several).")] = None,
    events_planned: Annotated[float | None, typer.Option(
        help="Events planned for the final analysis (when the protocol gives only fractions).")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Run every analysis of the trial's protocol at a data cut-off."""
    engine = create_engine(db)
    try:
        with session_factory(engine)() as session:
            with session.begin():
                record = trial_by_code(session, trial)
                protocol, code = protocol_of(record), record.code
            data = trial_data(session, code, cutoff=cutoff.date())
    finally:
        engine.dispose()
    logger.info("analysing %s at cut-off %s", code, cutoff.date())
    results = run_analysis_plan(protocol, data, cutoff=cutoff.date(), events_planned=events_planned)
    if json_output:
        typer.echo(results.to_json())
        return
    sections = [results, results.consort, results.baseline, results.follow_up, results.primary,
                results.scan_aware, results.subgroups, results.safety, *results.dose_intensity,
                results.interim]
    typer.echo("\n\n".join(str(section.summary()) for section in sections if section is not None))


def register(app: typer.Typer) -> None:
    """Add ``analyze`` to the root app."""
    app.command("analyze")(analyze)
