"""What the demo replays: RESORT's screened patients and each one's follow-up under every arm.

The randomisation service, not the simulator, decides each patient's arm, so the plan holds
*potential outcomes*: one simulated follow-up per patient and arm, from which the replay
takes the arm the service assigned. They come from ``simulate_trial_records`` run once per
arm on the calibrated ``published`` RESORT scenario with both arm slots carrying that arm's
RFS model, dosing and adverse-event rate. Every run uses the same seed; entry times and
strata are the generator's first draws, so the runs agree on who is randomised when, and
each patient's follow-up under an arm is a draw from that arm's model
(docs/simulate.md#records).

Counts follow RESORT (``../shared/RESORT.md``): 76 patients screened over five years at the
protocol's sites, 6 of them screen failures (drawn from the first arm's run, among those
ineligible at screening), so 70 are randomised. Dates are real calendar dates from
``START_DATE``; the follow-up runs to ``DATA_CUTOFF``; months are days / 30.4375.

Dosing discontinuations: the simulator writes one as a 0 mg/day day after the last dose,
which the services refuse (0 mg/day is an interruption). The plan records the last dosing
day instead as its own period with ``change="discontinuation"``, the dose given that day and
the reason ("end of follow-up" where the simulator gives none), so the administered dose is
unchanged. Adverse events end by death or
withdrawal at the latest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from trialdesk.protocol import Protocol
from trialdesk.services.patients import RECORD_DATE_FIELD, RECORD_TABLE, RecordKind
from trialdesk.simulate import (
    Accrual,
    AnalysisTiming,
    Boundaries,
    Scenario,
    resort_scenario,
    simulate_trial_records,
)
from trialdesk.simulate.dosing import DAYS_PER_MONTH
from trialdesk.trial.data import TrialData
from trialdesk.trial.eligibility import assess_eligibility

__all__ = ["DATA_CUTOFF", "START_DATE", "DemoPlan", "FollowUpRecord", "PlannedPatient", "demo_plan"]

logger = logging.getLogger(__name__)

#: First day of enrolment (RESORT: November 2012).
START_DATE = dt.date(2012, 11, 1)
#: Data cut-off of the demo's interim analysis: three months after enrolment closed
#: (RESORT: enrolment until November 2017, interim reported in June 2018).
DATA_CUTOFF = dt.date(2018, 2, 1)
#: Patients screened and screen failures, as RESORT reported.
SCREENED = 76
SCREEN_FAILURES = 6
#: Screen-failure rate of the simulated runs: high, so that the pool to draw the 6 from is large.
_FAILURE_POOL_RATE = 0.4

#: Order of a day's records: dosing, scans, adverse events, then the event that may end follow-up.
_DAY_ORDER: Mapping[RecordKind, int] = {"exposure": 0, "assessment": 1, "adverse_event": 2, "event": 3}


@dataclass(frozen=True, slots=True)
class FollowUpRecord:
    """One follow-up record to enter: its kind, the date that orders it, the service's fields."""

    kind: RecordKind
    date: dt.date
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class PlannedPatient:
    """A patient to screen; ``number`` (1, 2, ... in order of randomisation) None for a failure."""

    site: str
    screening_date: dt.date
    screening: Mapping[str, Any]
    number: int | None
    randomisation_date: dt.date | None


@dataclass(frozen=True, slots=True)
class DemoPlan:
    """The patients in screening order and ``follow_up[arm][number]``: records in date order."""

    seed: int
    cutoff: dt.date
    patients: tuple[PlannedPatient, ...]
    follow_up: Mapping[str, Mapping[int, tuple[FollowUpRecord, ...]]]

    @property
    def sites(self) -> tuple[str, ...]:
        """The site codes patients are screened at, sorted."""
        return tuple(sorted({patient.site for patient in self.patients}))


def _python(value: Any) -> Any:
    """A pandas/numpy cell as a plain Python value: NaN/NaT to None, numpy scalars unwrapped."""
    if value is None or (not isinstance(value, (str, bool)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value.item() if isinstance(value, np.generic) else value


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as dicts of plain Python values."""
    return [{k: _python(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _arm_scenario(scenario: Scenario, arm: str, cutoff_month: float) -> Scenario:
    """``scenario`` with every patient on ``arm``'s model, followed to ``cutoff_month``."""
    model = next(a for a in scenario.arms if a.code == arm)
    return dataclasses.replace(
        scenario, name=f"{scenario.name}-all-{arm}",
        arms=tuple(dataclasses.replace(model, code=slot.code) for slot in scenario.arms),
        accrual=Accrual(scenario.accrual.period_months, patients=SCREENED - SCREEN_FAILURES),
        screen_failure_rate=_FAILURE_POOL_RATE,
        analyses=(AnalysisTiming(calendar_month=cutoff_month),),
        boundaries=Boundaries((np.inf,), alpha=scenario.boundaries.alpha))


def _discontinuation_on_last_day(periods: pd.DataFrame) -> list[dict[str, Any]]:
    """A patient's dosing periods with a 0 mg discontinuation turned into the last dosing day."""
    rows = _rows(periods)
    stops = [row for row in rows if row["change"] == "discontinuation"]
    kept = [row for row in rows if row["change"] != "discontinuation"]
    dosed = [row for row in kept if row["daily_dose_mg"] > 0]
    if not stops or not dosed:
        return kept
    last = dosed[-1]
    final_day = {**last, "start_date": last["stop_date"], "change": "discontinuation",
                 "reason": stops[0]["reason"] or "end of follow-up"}
    if last["stop_date"] > last["start_date"]:
        last["stop_date"] -= dt.timedelta(days=1)
        kept.insert(kept.index(last) + 1, final_day)
    else:
        kept[kept.index(last)] = final_day
    return kept


def _records_by_number(data: TrialData) -> dict[int, tuple[FollowUpRecord, ...]]:
    """One simulated run's follow-up records per randomisation number, in date order."""
    randomised = data.patients[data.patients["randomised"].astype(bool)]
    number_of = dict(zip(randomised["patient_id"], randomised["randomization_number"].astype(int),
                         strict=True))
    end_of = {row.patient_id: row.event_date for row in data.events.itertuples()
              if row.event_type in ("death", "withdrawal")}
    records: dict[int, list[FollowUpRecord]] = {int(n): [] for n in number_of.values()}
    for kind, frame_name in RECORD_TABLE.items():
        frame: pd.DataFrame = getattr(data, frame_name)
        for patient_id, rows in frame.groupby("patient_id", sort=False):
            values = _discontinuation_on_last_day(rows) if kind == "exposure" else _rows(rows)
            for row in values:
                row.pop("patient_id")
                end = end_of.get(patient_id)
                if kind == "adverse_event" and end is not None and row["stop_date"] is not None:
                    row["stop_date"] = min(row["stop_date"], end)
                records[number_of[patient_id]].append(
                    FollowUpRecord(kind, row[RECORD_DATE_FIELD[kind]], row))
    return {number: tuple(sorted(rows, key=lambda r: (r.date, _DAY_ORDER[r.kind])))
            for number, rows in records.items()}


def _planned_patients(protocol: Protocol, data: TrialData, rng: np.random.Generator
                      ) -> tuple[PlannedPatient, ...]:
    fields = [spec.name for spec in protocol.screening_fields]
    rows = data.patients.to_dict("records")

    def planned(row: dict[str, Any], randomised: bool) -> PlannedPatient:
        return PlannedPatient(
            site=str(row["site"]),
            screening_date=_python(row["screening_date"]),
            screening={name: _python(row[name]) for name in fields},
            number=int(row["randomization_number"]) if randomised else None,
            randomisation_date=_python(row["randomization_date"]) if randomised else None)

    randomised = [planned(row, True) for row in rows if row["randomised"]]
    pool = [row for row in rows if not row["randomised"]
            and assess_eligibility(protocol, {n: _python(row[n]) for n in fields}).eligible is False]
    chosen = sorted(rng.choice(len(pool), size=min(SCREEN_FAILURES, len(pool)), replace=False))
    failures = [planned(pool[k], False) for k in chosen]
    return tuple(sorted(randomised + failures, key=lambda p: (p.screening_date, p.number or 0)))


def demo_plan(protocol: Protocol, *, seed: int, start_date: dt.date = START_DATE,
              cutoff: dt.date = DATA_CUTOFF) -> DemoPlan:
    """RESORT's 76 screened patients and their follow-up under each arm (module doc).

    Parameters
    ----------
    protocol
        The built-in RESORT protocol (or one with its screening fields and two arms).
    seed
        The same seed gives the same plan.
    start_date, cutoff
        First day of enrolment; the data cut-off (no record is dated after it).
    """
    scenario = resort_scenario("published", protocol=protocol)
    cutoff_month = (cutoff - start_date).days / DAYS_PER_MONTH
    runs = {arm.code: simulate_trial_records(protocol, _arm_scenario(scenario, arm.code, cutoff_month),
                                             seed=seed, start_date=start_date)
            for arm in scenario.arms}
    first = runs[scenario.arms[0].code]
    patients = _planned_patients(protocol, first, np.random.default_rng([seed, SCREENED]))
    follow_up = {arm: _records_by_number(data) for arm, data in runs.items()}
    logger.info("demo plan (seed %d): %d screened, %d to randomise, cut-off %s", seed,
                len(patients), sum(p.number is not None for p in patients), cutoff)
    return DemoPlan(seed=seed, cutoff=cutoff, patients=patients, follow_up=follow_up)
