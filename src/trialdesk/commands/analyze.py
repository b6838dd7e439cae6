"""``trialdesk analyze``: run the protocol's analysis plan on a trial in the store, on ADaM
datasets (``--adsl``/``--adtte``) or on a plain CSV (``--csv``; see ``_file_source``).

Results go to stdout (tables, or JSON with ``--json``); diagnostics to stderr.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from trialdesk.analysis.plan import AnalysisResults
from trialdesk.commands._file_source import adam_analysis, csv_analysis, render_time_to_event
from trialdesk.commands._trial_source import EventsPlannedOption, TrialOption, analyse_stored_trial
from trialdesk.errors import InputError
from trialdesk.interop.time_to_event import TimeUnit

__all__ = ["analyze", "register"]


def _render(results: AnalysisResults, *, as_json: bool) -> str:
    if as_json:
        return results.to_json()
    sections = [results, results.consort, results.baseline, results.follow_up, results.primary,
                results.scan_aware, results.subgroups, results.safety, *results.dose_intensity,
                results.interim]
    return "\n\n".join(str(section.summary()) for section in sections if section is not None)


def analyze(
    db: Annotated[str | None, typer.Option(
        "--db", help="Database URL (sqlite:///file.db, postgresql+psycopg://...).")] = None,
    cutoff: Annotated[dt.datetime | None, typer.Option(
        formats=["%Y-%m-%d"], help="Data cut-off date (YYYY-MM-DD); with ADaM default DCUTDT.")] = None,
    trial: TrialOption = None,
    events_planned: EventsPlannedOption = None,
    adsl: Annotated[Path | None, typer.Option(help="ADSL dataset (.csv, .xpt or .json).")] = None,
    adtte: Annotated[Path | None, typer.Option(help="ADTTE dataset.")] = None,
    adae: Annotated[Path | None, typer.Option(help="ADAE dataset (default: beside ADSL).")] = None,
    adex: Annotated[Path | None, typer.Option(help="ADEX dataset (default: beside ADSL).")] = None,
    protocol: Annotated[str | None, typer.Option(
        help="Protocol name or YAML file (default: protocol.yaml beside ADSL).")] = None,
    paramcd: Annotated[str | None, typer.Option(help="ADTTE parameter (default: the only one).")] = None,
    csv: Annotated[Path | None, typer.Option(help="A plain CSV of time-to-event records.")] = None,
    time: Annotated[str | None, typer.Option(help="CSV column of the times.")] = None,
    event: Annotated[str | None, typer.Option(help="CSV column of the event (1) / censored (0).")] = None,
    arm: Annotated[str | None, typer.Option(help="Column of the arm (ADSL default ARMCD).")] = None,
    strata: Annotated[str | None, typer.Option(help="Column of the stratum.")] = None,
    unit: Annotated[TimeUnit | None, typer.Option(help="CSV time unit: days or months.")] = None,
    arm_level: Annotated[list[str] | None, typer.Option(
        help="Arm levels, reference first (repeat the option).")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Run every analysis of the trial's protocol at a data cut-off."""
    sources = [name for name, given in (("--db", db), ("--adsl", adsl), ("--csv", csv)) if given]
    if len(sources) != 1:
        raise InputError("give exactly one data source", field="source", value=sources,
                         hint="--db URL, --adsl/--adtte files, or --csv with declared columns")
    if csv is not None:
        typer.echo(render_time_to_event(csv_analysis(
            csv, time=time, event=event, arm=arm, strata=strata, unit=unit, arm_levels=arm_level),
            as_json=json_output))
        return
    if adsl is not None:
        if adtte is None:
            raise InputError("is needed with --adsl", field="--adtte")
        analysis = adam_analysis(adsl, adtte, adae=adae, adex=adex, protocol_name=protocol,
                                 cutoff=cutoff.date() if cutoff else None,
                                 events_planned=events_planned, paramcd=paramcd,
                                 arm=arm or "ARMCD", strata=strata, arm_levels=arm_level)
        typer.echo(_render(analysis, as_json=json_output) if isinstance(analysis, AnalysisResults)
                   else render_time_to_event(analysis, as_json=json_output))
        return
    if db is None or cutoff is None:
        raise InputError("is needed with --db", field="--cutoff", hint="give a date, YYYY-MM-DD")
    results = analyse_stored_trial(db, cutoff=cutoff.date(), trial=trial,
                                   events_planned=events_planned)
    typer.echo(_render(results, as_json=json_output))


def register(app: typer.Typer) -> None:
    """Add ``analyze`` to the root app."""
    app.command("analyze")(analyze)
