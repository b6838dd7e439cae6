"""Analysis datasets: populations and the RFS time-to-event table, from a ``TrialData``.

Every derivation is stated here and in ``docs/analysis.md#datasets``:

* **Data cut-off.** A record dated after the cut-off does not exist for the analysis: patients
  screened or randomised after it, scans, clinical events and AEs after it are dropped, and
  dosing periods are cut at it. A record dated on the cut-off day is kept.
* **Days.** Study day 0 is the randomisation date; ``*_days`` are whole days since then and
  months are days / 30.4375 (``DAYS_PER_MONTH``).
* **Populations.** ITT: every patient randomised by the cut-off, in the arm assigned.
  Safety: every randomised patient who received any dose, by the treatment actually received,
  plus patients of arms without study drug (observation) who received none. Per-protocol:
  ITT patients who were eligible at screening and received the allocated treatment (a dosing
  arm: at least one dose; an arm without drug: no dose).
* **Strata** are the levels recorded at randomisation: read from the ``stratum`` label
  (``factor:level|...``) when it names the factor, else from the factor's column; never
  recomputed from later corrections of the screening data.
* **RFS** (recurrence-free survival). Relapse day = the first post-baseline restaging scan
  whose result is ``relapse`` (a ``relapse`` clinical event without such a scan counts at its
  own date); the event is relapse or death (any cause), whichever comes first (relapse on a
  tie). Without either, RFS is censored at the last adequate assessment: the last
  post-baseline scan with result ``no_evidence_of_disease`` (``not_evaluable`` scans are not
  adequate). No adequate post-baseline scan: censored at day 0. Post-baseline means dated
  after the randomisation date.
* **Interval for the scan-aware analysis.** A relapse lies in (L, R]: L = the last adequate
  scan before the relapse day (0 if none), R = the relapse day. A death without relapse is
  exact (L = R = death day); a censored patient is (censoring day, infinity).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from trialdesk.errors import InputError
from trialdesk.protocol.conditions import DAYS_PER_MONTH
from trialdesk.trial.data import TrialData

__all__ = [
    "DAYS_PER_MONTH",
    "AnalysisDatasets",
    "ArmLike",
    "Population",
    "build_analysis_datasets",
]

logger = logging.getLogger(__name__)

Population = Literal["itt", "safety", "per_protocol"]

_SCAN_RESULTS = frozenset({"no_evidence_of_disease", "relapse", "not_evaluable"})
_EVENT_TYPES = frozenset({"relapse", "death", "withdrawal", "lost_to_follow_up"})


class ArmLike(Protocol):
    """What the datasets read from a protocol arm (``trialdesk.protocol`` arms fit)."""

    @property
    def code(self) -> str: ...
    @property
    def daily_dose_mg(self) -> float | None: ...
    @property
    def max_duration_weeks(self) -> float | None: ...


@dataclass(frozen=True)
class AnalysisDatasets:
    """The analysis-ready tables of one trial at one data cut-off.

    Attributes
    ----------
    cutoff
        The data cut-off date (records dated after it are ignored).
    arms
        Arm codes, the reference (control) arm first.
    dosing_arms
        Codes of the arms that give study drug (planned daily dose > 0).
    stratification_factors
        Names of the stratification factor columns, as recorded at randomisation.
    screening
        One row per patient screened by the cut-off (``TrialData.patients`` columns).
    subjects
        One row per randomised patient: the ``patients`` columns plus ``age_years`` (when
        ``birth_date`` is recorded), ``actual_arm`` (treatment received; NA when a dosing-arm
        patient never started), ``treated``, ``first_dose_date``, ``last_dose_date``,
        ``itt``, ``safety``, ``per_protocol``, ``withdrawn``, ``lost_to_follow_up``,
        ``discontinued`` (bool).
    rfs
        The RFS time-to-event table, one row per randomised patient: patient_id, arm,
        stratum, the factor columns, ``rfs_days``, ``rfs_months``, ``event`` (1 relapse or
        death, 0 censored), ``event_type`` (``relapse`` / ``death`` / ``censored``),
        ``interval_left_days``, ``interval_right_days`` (inf when censored).
    exposures
        Dosing periods of randomised patients cut at the cut-off, with ``start_day`` and
        ``stop_day`` (inclusive, days since randomisation) and ``days`` (length).
    adverse_events
        AEs of safety-population patients starting by the cut-off, with ``actual_arm``
        and ``treatment_emergent`` (started on or after the first dose; for patients of an
        arm without drug, on or after randomisation).
    """

    cutoff: dt.date
    arms: tuple[str, ...]
    dosing_arms: tuple[str, ...]
    stratification_factors: tuple[str, ...]
    screening: pd.DataFrame
    subjects: pd.DataFrame
    rfs: pd.DataFrame
    exposures: pd.DataFrame
    adverse_events: pd.DataFrame

    @property
    def control_arm(self) -> str:
        """The reference arm (hazard ratios compare the other arms with it)."""
        return self.arms[0]

    def population(self, name: Population) -> pd.DataFrame:
        """The subjects of one population (``itt``, ``safety``, ``per_protocol``)."""
        if name not in ("itt", "safety", "per_protocol"):
            raise InputError("unknown population", field="population", value=name,
                             hint="use itt, safety or per_protocol")
        return self.subjects[self.subjects[name].to_numpy(dtype=bool)].reset_index(drop=True)

    def rfs_for(self, name: Population) -> pd.DataFrame:
        """The RFS table restricted to a population's patients."""
        ids = set(self.population(name)["patient_id"])
        return self.rfs[self.rfs["patient_id"].isin(ids)].reset_index(drop=True)


def _dates(column: pd.Series, *, field: str) -> pd.Series:
    """Calendar dates as naive datetimes at midnight (time-zone-aware values taken in UTC)."""
    try:
        values = pd.to_datetime(column, errors="raise")
    except (TypeError, ValueError) as exc:
        raise InputError("must hold dates", field=field, hint="use ISO dates (YYYY-MM-DD)") from exc
    if values.dt.tz is not None:
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values.dt.normalize()


def _check_codes(frame: pd.DataFrame, column: str, allowed: frozenset[str], *, table: str) -> None:
    bad = ~frame[column].isin(allowed)
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"unknown code; expected one of {sorted(allowed)}", field=column,
                         row=int(frame.index[first]), value=frame[column].iloc[first],
                         source=table)


def _randomised_patients(patients: pd.DataFrame, cutoff: pd.Timestamp,
                         arms: tuple[str, ...]) -> pd.DataFrame:
    randomised = patients[patients["randomised"].eq(True)].copy()
    randomised["randomization_date"] = _dates(randomised["randomization_date"],
                                              field="randomization_date")
    missing = randomised["randomization_date"].isna() | randomised["arm"].isna()
    if missing.any():
        first = int(np.flatnonzero(missing.to_numpy())[0])
        raise InputError("randomised patient without randomisation date or arm",
                         field="randomization_date", row=int(randomised.index[first]),
                         source="patients", value=randomised["patient_id"].iloc[first])
    randomised = randomised[randomised["randomization_date"] <= cutoff]
    _check_codes(randomised, "arm", frozenset(arms), table="patients")
    return randomised.reset_index(drop=True)


def _recorded_levels(subjects: pd.DataFrame, factors: tuple[str, ...]) -> pd.DataFrame:
    """Factor levels as recorded at randomisation: from the stratum label when it names them.

    The store and the simulator label a stratum ``factor:level|factor:level`` in protocol
    order (``trialdesk.trial.strata``); a factor the labels do not name is read from its own
    column (the protocol refuses factor names that collide with documented columns).
    """
    parsed = subjects["stratum"].map(
        lambda label: dict(part.partition(":")[::2] for part in str(label).split("|")))
    for factor in factors:
        from_label = parsed.map(lambda levels, name=factor: levels.get(name))
        if len(subjects) and from_label.notna().all():
            subjects[factor] = from_label
        elif factor not in subjects.columns:
            raise InputError("stratification factor missing from patients and stratum labels",
                             field="stratification_factors", value=factor)
    return subjects


def _study_day(frame: pd.DataFrame, date_column: str, origin: pd.Series) -> pd.Series:
    """Whole days from each row's patient's randomisation date (``origin`` by patient_id)."""
    return (frame[date_column] - frame["patient_id"].map(origin)).dt.days


def _exposures(data: TrialData, subjects: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    exposures = data.exposures[data.exposures["patient_id"].isin(subjects["patient_id"])].copy()
    exposures["start_date"] = _dates(exposures["start_date"], field="start_date")
    exposures["stop_date"] = _dates(exposures["stop_date"], field="stop_date").fillna(cutoff)
    exposures = exposures[exposures["start_date"] <= cutoff]
    exposures["stop_date"] = exposures["stop_date"].clip(upper=cutoff)
    exposures["daily_dose_mg"] = exposures["daily_dose_mg"].astype(float)
    origin = subjects.set_index("patient_id")["randomization_date"]
    exposures["start_day"] = _study_day(exposures, "start_date", origin)
    exposures["stop_day"] = _study_day(exposures, "stop_date", origin)
    exposures["days"] = exposures["stop_day"] - exposures["start_day"] + 1
    return exposures.sort_values(["patient_id", "start_day"]).reset_index(drop=True)


def _dated_records(frame: pd.DataFrame, date_column: str, subjects: pd.DataFrame,
                   cutoff: pd.Timestamp) -> pd.DataFrame:
    """Rows of randomised patients dated by the cut-off, with ``day`` since randomisation."""
    records = frame[frame["patient_id"].isin(subjects["patient_id"])].copy()
    records[date_column] = _dates(records[date_column], field=date_column)
    records = records[records[date_column] <= cutoff]
    records["day"] = _study_day(records, date_column, subjects.set_index("patient_id")[
        "randomization_date"])
    return records


def _first_day(records: pd.DataFrame, mask: pd.Series, ids: pd.Series) -> np.ndarray:
    days = records[mask].groupby("patient_id")["day"].min()
    return ids.map(days).to_numpy(dtype=float)


def _derive_rfs(subjects: pd.DataFrame, assessments: pd.DataFrame, events: pd.DataFrame,
                factors: tuple[str, ...]) -> pd.DataFrame:
    ids = subjects["patient_id"]
    scans = assessments[assessments["day"] > 0]
    relapse_scan = _first_day(scans, scans["result"] == "relapse", ids)
    relapse_clinical = _first_day(events, events["event_type"] == "relapse", ids)
    relapse = np.fmin(relapse_scan, relapse_clinical)
    death = _first_day(events, events["event_type"] == "death", ids)
    event_day = np.fmin(relapse, death)
    is_event = ~np.isnan(event_day)
    is_relapse = is_event & (relapse == event_day)

    adequate = scans[scans["result"] == "no_evidence_of_disease"][["patient_id", "day"]]
    # last adequate scan before the event (relapse interval's left end, censoring day)
    adequate = adequate.merge(pd.DataFrame({"patient_id": ids, "limit": event_day}), on="patient_id")
    adequate = adequate[np.isnan(adequate["limit"]) | (adequate["day"] < adequate["limit"])]
    last_adequate = ids.map(adequate.groupby("patient_id")["day"].max()).fillna(0.0).to_numpy(
        dtype=float)

    rfs_days = np.where(is_event, event_day, last_adequate)
    left = np.where(is_relapse, last_adequate, rfs_days)
    right = np.where(is_event, rfs_days, np.inf)
    columns = ["patient_id", "arm", "stratum", *factors]
    rfs = subjects[columns].copy()
    rfs["rfs_days"] = rfs_days
    rfs["rfs_months"] = rfs_days / DAYS_PER_MONTH
    rfs["event"] = is_event.astype(int)
    rfs["event_type"] = np.where(is_relapse, "relapse", np.where(is_event, "death", "censored"))
    rfs["interval_left_days"] = left
    rfs["interval_right_days"] = right
    return rfs


def _treatment(subjects: pd.DataFrame, exposures: pd.DataFrame,
               dosing_arms: tuple[str, ...]) -> pd.DataFrame:
    dosed = exposures[exposures["daily_dose_mg"] > 0]
    first = dosed.groupby("patient_id")["start_date"].min()
    last = dosed.groupby("patient_id")["stop_date"].max()
    subjects["first_dose_date"] = subjects["patient_id"].map(first)
    subjects["last_dose_date"] = subjects["patient_id"].map(last)
    subjects["treated"] = subjects["first_dose_date"].notna()
    assigned_dosing = subjects["arm"].isin(dosing_arms)
    received = np.where(assigned_dosing, subjects["arm"],
                        dosing_arms[0] if len(dosing_arms) == 1 else subjects["arm"])
    subjects["actual_arm"] = np.where(subjects["treated"], received,
                                      np.where(assigned_dosing, None, subjects["arm"]))
    return subjects


def build_analysis_datasets(
    data: TrialData,
    *,
    cutoff: dt.date,
    arms: Sequence[ArmLike],
    control_arm: str,
    stratification_factors: Sequence[str] = (),
) -> AnalysisDatasets:
    """Derive populations, RFS and the safety tables at a data cut-off (rules: module doc).

    Parameters
    ----------
    data
        The trial's recorded data.
    cutoff
        Data cut-off date; records dated after it are ignored.
    arms
        The protocol's arms (``code``, ``daily_dose_mg``: 0 or None for no study drug).
    control_arm
        Code of the reference arm.
    stratification_factors
        Names of the factor columns recorded at randomisation (in ``data.patients``).

    Returns
    -------
    AnalysisDatasets
    """
    codes = [arm.code for arm in arms]
    if control_arm not in codes:
        raise InputError("is not one of the protocol's arms", field="control_arm",
                         value=control_arm, hint=f"use one of {codes}")
    ordered = (control_arm, *[c for c in codes if c != control_arm])
    dosing_arms = tuple(arm.code for arm in arms if (arm.daily_dose_mg or 0) > 0)
    cut = pd.Timestamp(cutoff)
    patients = data.patients.copy()
    patients["screening_date"] = _dates(patients["screening_date"], field="screening_date")
    screening = patients[patients["screening_date"].isna() | (patients["screening_date"] <= cut)]
    subjects = _randomised_patients(screening, cut, ordered)
    subjects = _recorded_levels(subjects, tuple(stratification_factors))
    if "birth_date" in subjects.columns:
        born = _dates(subjects["birth_date"], field="birth_date")
        subjects["age_years"] = (subjects["randomization_date"] - born).dt.days / 365.25

    exposures = _exposures(data, subjects, cut)
    subjects = _treatment(subjects, exposures, dosing_arms)
    assessments = _dated_records(data.assessments, "assessment_date", subjects, cut)
    _check_codes(assessments, "result", _SCAN_RESULTS, table="assessments")
    events = _dated_records(data.events, "event_date", subjects, cut)
    _check_codes(events, "event_type", _EVENT_TYPES, table="events")

    for column, kind in (("withdrawn", "withdrawal"), ("lost_to_follow_up", "lost_to_follow_up")):
        subjects[column] = subjects["patient_id"].isin(events.loc[events["event_type"] == kind,
                                                                  "patient_id"])
    subjects["discontinued"] = subjects["patient_id"].isin(
        exposures.loc[exposures["change"] == "discontinuation", "patient_id"])
    subjects["itt"] = True
    subjects["safety"] = subjects["actual_arm"].notna()
    as_allocated = subjects["treated"] == subjects["arm"].isin(dosing_arms)
    subjects["per_protocol"] = subjects["eligible"].eq(True) & as_allocated

    rfs = _derive_rfs(subjects, assessments, events, tuple(stratification_factors))
    adverse_events = _adverse_events(data, subjects, cut)
    logger.info("analysis datasets at %s: %d screened, %d randomised, %d RFS events",
                cutoff, len(screening), len(subjects), int(rfs["event"].sum()))
    return AnalysisDatasets(
        cutoff=cutoff, arms=ordered, dosing_arms=dosing_arms,
        stratification_factors=tuple(stratification_factors),
        screening=screening.reset_index(drop=True), subjects=subjects, rfs=rfs,
        exposures=exposures, adverse_events=adverse_events,
    )


def _adverse_events(data: TrialData, subjects: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    safety = subjects[subjects["safety"]]
    events = _dated_records(data.adverse_events, "start_date", safety, cutoff)
    events["grade"] = events["grade"].astype(int)
    bad = ~events["grade"].between(1, 5)
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError("CTCAE grade must be 1 to 5", field="grade", row=int(events.index[first]),
                         value=int(events["grade"].iloc[first]), source="adverse_events")
    by_id = safety.set_index("patient_id")
    events["actual_arm"] = events["patient_id"].map(by_id["actual_arm"])
    reference = by_id["first_dose_date"].fillna(by_id["randomization_date"])
    events["treatment_emergent"] = events["start_date"] >= events["patient_id"].map(reference)
    return events.reset_index(drop=True)
