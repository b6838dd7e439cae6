"""``run_demo``: RESORT from screening to interim report in one folder.

Steps (each a module of ``trialdesk.demo`` or a public trialdesk function):

1. claim the folder (``workspace.claim_folder``): refuse someone else's files, clear a
   previous demo's;
2. plan the simulated trial (``plan.demo_plan``: the calibrated ``published`` scenario);
3. create ``trialdesk.sqlite`` with the built-in RESORT protocol, sites and users
   (``workspace.create_demo_database``);
4. replay the plan through the services in calendar order (``replay.replay_plan``), which
   writes the audit trail as it goes, then verify the audit chain and extract the data as of
   the cut-off (``trialdesk.services.trial_data``);
5. run the analysis plan at the cut-off (``trialdesk.analysis.run_analysis_plan``), with the
   final analysis planned at ``RESORT_PLANNED_EVENTS`` RFS events for the interim look;
6. write ``report.html``, ``report.pdf``, ``figures/`` and ``results.json``
   (``trialdesk.report``) and the ADaM datasets in ``adam/`` (``trialdesk.interop``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from trialdesk.analysis import AnalysisResults, run_analysis_plan
from trialdesk.demo import DEFAULT_SEED
from trialdesk.demo.comparison import comparison_table
from trialdesk.demo.plan import demo_plan
from trialdesk.demo.replay import ReplayCounts, replay_plan
from trialdesk.demo.workspace import (
    CREDENTIALS_FILE,
    DemoDatabase,
    claim_folder,
    create_demo_database,
    record_entries,
)
from trialdesk.interop.export import export_adam
from trialdesk.protocol import Protocol, load_protocol
from trialdesk.report.interim_report import ReportFiles, write_interim_report
from trialdesk.services import trial_data
from trialdesk.simulate.presets import RESORT_PLANNED_EVENTS
from trialdesk.store import create_engine, session_factory, verify_audit
from trialdesk.table import Table
from trialdesk.trial.data import TrialData

__all__ = ["ADAM_FOLDER", "DemoRun", "DemoTrial", "StepProgress", "replay_demo_trial", "run_demo"]

logger = logging.getLogger(__name__)

#: Sub-folder of the ADaM datasets.
ADAM_FOLDER = "adam"

#: Told (step description, steps done, steps known) as the demo goes.
StepProgress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class DemoTrial:
    """The replayed trial: its database, what was entered, the data and results at the cut-off."""

    database: DemoDatabase
    counts: ReplayCounts
    audit_records: int
    data: TrialData
    results: AnalysisResults


@dataclass(frozen=True, slots=True)
class DemoRun:
    """A whole demo run: the folder, the trial, the comparison table and the files written."""

    folder: Path
    seed: int
    trial: DemoTrial
    comparison: Table
    report: ReportFiles
    adam: tuple[Path, ...]
    credentials: Path


def _ignore(_step: str, _done: int, _total: int) -> None:
    """The progress of a run nobody watches."""


def replay_demo_trial(folder: Path, protocol: Protocol, *, seed: int,
                      progress: StepProgress = _ignore) -> DemoTrial:
    """Steps 2-5 of the module doc: a fresh database in ``folder``, replayed and analysed.

    ``folder`` must have been claimed (``claim_folder``).

    Raises
    ------
    AuditIntegrityError
        The audit chain does not verify after the replay.
    """
    progress("planning the simulated RESORT trial", 0, 1)
    plan = demo_plan(protocol, seed=seed)
    progress("creating the trial database", 0, 1)
    database = create_demo_database(folder, protocol, plan.sites, seed=seed)
    engine = create_engine(database.url)
    try:
        with session_factory(engine)() as session:
            counts = replay_plan(session, database, plan, progress=lambda done, total: progress(
                "screening, randomising and following up patients", done, total))
            progress("verifying the audit trail", 0, 1)
            verification = verify_audit(session)
            verification.raise_if_broken()
            data = trial_data(session, cutoff=plan.cutoff)
    finally:
        engine.dispose()
    progress("running the interim analysis", 0, 1)
    results = run_analysis_plan(protocol, data, cutoff=plan.cutoff, events_planned=RESORT_PLANNED_EVENTS)
    return DemoTrial(database=database, counts=counts, audit_records=verification.records_checked,
                     data=data, results=results)


def run_demo(folder: Path, *, seed: int = DEFAULT_SEED, progress: StepProgress = _ignore) -> DemoRun:
    """Run RESORT end to end in ``folder`` (module doc); the same seed gives the same results.

    Raises
    ------
    ConflictError
        ``folder`` is not empty and not a previous demo's.
    AuditIntegrityError
        The audit chain does not verify after the replay.
    """
    folder = Path(folder)
    others = claim_folder(folder)
    protocol = load_protocol("resort")
    trial = replay_demo_trial(folder, protocol, seed=seed, progress=progress)
    progress("writing the report and ADaM datasets", 0, 1)
    cutoff = trial.results.cutoff
    report = write_interim_report(trial.results, folder,
                                  title=f"{protocol.id} interim analysis (trialdesk demo)")
    adam = export_adam(trial.data, protocol, folder / ADAM_FOLDER, cutoff=cutoff)
    record_entries(folder, {path.name for path in folder.iterdir()} - others)
    logger.info("demo in %s: %d audit records", folder, trial.audit_records)
    return DemoRun(folder=folder, seed=seed, trial=trial, comparison=comparison_table(trial.results),
                   report=report, adam=adam, credentials=folder / CREDENTIALS_FILE)
