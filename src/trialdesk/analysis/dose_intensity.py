"""Relative dose intensity (RDI) and its association with RFS, fixed and time-varying.

Conventions (``docs/analysis.md#dose-intensity``):

* patients: those who received at least one dose of a dosing arm's drug (safety
  population of that arm);
* planned period: from the first dose for the arm's maximum duration (RESORT: 52 weeks =
  364 days), cut at the data cut-off; planned dose = planned daily dose x days of the period;
* RDI = administered / planned over the planned period (dosing records clipped to it);
  full dose = RDI >= 1 with no interruption and no reduction; interruption = a record with
  0 mg/day or ``change == "interruption"``, or a gap between dosing records (a
  ``discontinuation`` record ends treatment and is not an interruption); reduction = a
  record with 0 < dose < planned daily dose or ``change == "reduction"``;
* fixed Cox model: RFS (months) on RDI in percent, hazard ratio per 10 percentage points, as
  R ``coxph(Surv(rfs_months, event) ~ I(rdi_percent / 10))``. RDI over 52 weeks is only known
  after follow-up has started, so this model has a guarantee-time (immortal-time) bias:
  a patient who relapses early cannot have a high RDI;
* time-varying Cox model: the same covariate as the cumulative RDI at time t (dose given
  before day t over dose planned before day t; 100% before the first dose, when nothing
  planned has been missed; constant after the planned period), in (start, stop]
  counting-process rows split at every event time of the group, as R
  ``coxph(Surv(start, stop, event) ~ I(rdi_percent / 10))`` on ``survSplit(..., cut =
  event times)`` data. Only the covariate at event times enters the partial likelihood,
  so the split makes the continuously changing covariate exact;
* fewer than 10 events per covariate draws a ``TrialdeskWarning``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from trialdesk.analysis._serialise import JsonResult, read_only
from trialdesk.analysis.datasets import DAYS_PER_MONTH, AnalysisDatasets
from trialdesk.analysis.hazard_ratio import HazardRatio, estimable_cox, hazard_ratio_from_fit
from trialdesk.errors import InputError
from trialdesk.table import Table

__all__ = ["DoseIntensity", "dose_intensity", "patient_dose_intensity", "relative_dose_intensity",
           "time_varying_dose_intensity"]

logger = logging.getLogger(__name__)

#: The Cox models' covariate unit: hazard ratio per 10 percentage points of RDI.
RDI_UNIT_PERCENT = 10.0


@dataclass(frozen=True, slots=True)
class DoseIntensity(JsonResult):
    """RDI of one dosing arm and the Cox models of RFS on it.

    ``patient_id`` and ``rdi`` (proportion, 0-1) are per treated patient.
    ``fixed`` and ``time_varying`` are hazard ratios per 10 percentage points of RDI.
    """

    arm: str
    planned_daily_dose_mg: float
    planned_days: int
    patient_id: tuple[str, ...]
    rdi: np.ndarray
    n_full_dose: int
    n_interruption: int
    n_reduction: int
    n_interruption_or_reduction: int
    fixed: HazardRatio
    time_varying: HazardRatio
    n_counting_process_rows: int

    def summary(self) -> Table:
        """Counts, RDI median (IQR) and both Cox models."""
        q1, median, q3 = np.quantile(self.rdi, [0.25, 0.5, 0.75]) if self.rdi.size else [np.nan] * 3
        rows = [
            ("patients treated", float(len(self.patient_id))),
            ("full dose", float(self.n_full_dose)),
            ("any interruption", float(self.n_interruption)),
            ("any reduction", float(self.n_reduction)),
            ("any interruption or reduction", float(self.n_interruption_or_reduction)),
            ("RDI median", float(median)), ("RDI Q1", float(q1)), ("RDI Q3", float(q3)),
        ]
        for label, hr in (("fixed", self.fixed), ("time-varying", self.time_varying)):
            rows += [(f"HR per 10% RDI ({label})", hr.hazard_ratio),
                     (f"lower .95 ({label})", hr.lower), (f"upper .95 ({label})", hr.upper),
                     (f"p ({label})", hr.p_value),
                     (f"events per covariate ({label})", hr.events_per_covariate)]
        return Table.from_rows(("quantity", "value"), rows,
                               title=f"Dose intensity, {self.arm} (planned {self.planned_daily_dose_mg:g}"
                                     f" mg/day for {self.planned_days} days)")


def _administered_mg(doses: pd.DataFrame, first: int, last: np.ndarray) -> np.ndarray:
    """Dose given from day ``first`` to each of ``last`` (inclusive), per entry of ``last``."""
    start = np.maximum(doses["start_day"].to_numpy(dtype=float), first)
    stop = doses["stop_day"].to_numpy(dtype=float)
    overlap = np.clip(np.minimum(stop[None, :], last[:, None]) - start[None, :] + 1, 0, None)
    return overlap @ doses["daily_dose_mg"].to_numpy(dtype=float)


def patient_dose_intensity(exposures: pd.DataFrame, *, planned_daily_dose_mg: float,
                           planned_days: int, cutoff_day: int) -> dict[str, object]:
    """One patient's RDI and modifications from their dosing records (module doc)."""
    doses = exposures.sort_values("start_day")
    dosed = doses[doses["daily_dose_mg"] > 0]
    first = int(dosed["start_day"].min())
    period_end = min(first + planned_days - 1, cutoff_day)
    planned = planned_daily_dose_mg * (period_end - first + 1)
    administered = float(_administered_mg(doses, first, np.array([period_end]))[0])
    on_treatment = doses[doses["change"] != "discontinuation"]  # stopping is not an interruption
    gaps = (on_treatment["start_day"].to_numpy()[1:]
            > on_treatment["stop_day"].to_numpy()[:-1] + 1).any()
    interruption = bool(gaps or (on_treatment["daily_dose_mg"] == 0).any()
                        or (on_treatment["change"] == "interruption").any())
    reduction = bool(((doses["daily_dose_mg"] > 0)
                      & (doses["daily_dose_mg"] < planned_daily_dose_mg)).any()
                     or (doses["change"] == "reduction").any())
    rdi = administered / planned if planned > 0 else np.nan
    return {"rdi": rdi, "interruption": interruption, "reduction": reduction,
            "full_dose": bool(rdi >= 1 - 1e-12 and not interruption and not reduction),
            "first_dose_day": first}


def cumulative_rdi(doses: pd.DataFrame, days: np.ndarray, *, planned_daily_dose_mg: float,
                   planned_days: int) -> np.ndarray:
    """Cumulative RDI before each of ``days``: dose given / dose planned before that day.

    1 before (and on) the first dose day; constant after the planned period.
    """
    first = int(doses.loc[doses["daily_dose_mg"] > 0, "start_day"].min())
    last = np.minimum(np.asarray(days, dtype=float) - 1, first + planned_days - 1)
    planned = planned_daily_dose_mg * (last - first + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = _administered_mg(doses, first, last) / planned
    return np.where(last < first, 1.0, ratio)


def time_varying_dose_intensity(rfs: pd.DataFrame, exposures: pd.DataFrame, *,
                                planned_daily_dose_mg: float, planned_days: int) -> pd.DataFrame:
    """Counting-process rows (start, stop] in months with ``rdi_percent`` at each stop.

    Each patient's follow-up is split at every RFS event day of ``rfs`` before their own
    end; ``event`` is 1 only on the row ending at the patient's event.
    """
    event_days = np.unique(rfs.loc[rfs["event"] == 1, "rfs_days"].to_numpy(dtype=float))
    by_patient = dict(tuple(exposures.groupby("patient_id")))
    pieces = []
    for row in rfs.itertuples(index=False):
        stops = np.append(event_days[event_days < row.rfs_days], row.rfs_days)
        stops = stops[stops > 0]
        if stops.size == 0:
            continue
        starts = np.concatenate([[0.0], stops[:-1]])
        rdi = cumulative_rdi(by_patient[row.patient_id], stops,
                             planned_daily_dose_mg=planned_daily_dose_mg, planned_days=planned_days)
        events = np.zeros(stops.size, dtype=int)
        events[-1] = row.event
        pieces.append(pd.DataFrame({
            "patient_id": row.patient_id, "start": starts / DAYS_PER_MONTH,
            "stop": stops / DAYS_PER_MONTH, "event": events, "rdi_percent": 100.0 * rdi}))
    columns = ["patient_id", "start", "stop", "event", "rdi_percent"]
    return pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(columns=columns)


def _fit(time: np.ndarray, event: np.ndarray, rdi_percent: np.ndarray, *, term: str, n: int,
         start: np.ndarray | None = None) -> HazardRatio:
    n_events = int(event.sum())
    fit = estimable_cox(time, event, rdi_percent[:, None], start=start) if n_events else None
    if fit is None:
        return HazardRatio.not_estimable(term, n=n, n_events=n_events)
    return hazard_ratio_from_fit(fit, term=term, n=n, n_events=n_events, unit=RDI_UNIT_PERCENT,
                                 warn_few_events=True)


def _planned_days(max_duration_weeks: float) -> int:
    return round(max_duration_weeks * 7)


def relative_dose_intensity(datasets: AnalysisDatasets, *, arm: str, planned_daily_dose_mg: float,
                            max_duration_weeks: float) -> pd.DataFrame:
    """Per treated patient of ``arm``: ``patient_id`` and ``patient_dose_intensity``'s fields.

    The RDI alone, without the Cox models of ``dose_intensity`` (ADEX's ``RDI`` records).
    """
    if planned_daily_dose_mg <= 0:
        raise InputError("must be > 0 for a dose-intensity analysis",
                         field="planned_daily_dose_mg", value=planned_daily_dose_mg)
    planned_days = _planned_days(max_duration_weeks)
    subjects = datasets.subjects
    treated = subjects[(subjects["actual_arm"] == arm) & subjects["treated"].astype(bool)]
    exposures = datasets.exposures[datasets.exposures["patient_id"].isin(treated["patient_id"])]
    cutoff_days = (pd.Timestamp(datasets.cutoff) - treated.set_index("patient_id")[
        "randomization_date"]).dt.days
    return pd.DataFrame([
        {"patient_id": pid, **patient_dose_intensity(
            doses, planned_daily_dose_mg=planned_daily_dose_mg, planned_days=planned_days,
            cutoff_day=int(cutoff_days[pid]))}
        for pid, doses in exposures.groupby("patient_id")])


def dose_intensity(datasets: AnalysisDatasets, *, arm: str, planned_daily_dose_mg: float,
                   max_duration_weeks: float) -> DoseIntensity:
    """RDI per treated patient of ``arm`` and Cox models of RFS on it (module doc).

    Parameters
    ----------
    datasets
        The analysis datasets at the cut-off.
    arm
        A dosing arm's code.
    planned_daily_dose_mg, max_duration_weeks
        The protocol's planned dose and maximum treatment duration for ``arm``.
    """
    per_patient = relative_dose_intensity(datasets, arm=arm,
                                          planned_daily_dose_mg=planned_daily_dose_mg,
                                          max_duration_weeks=max_duration_weeks)
    planned_days = _planned_days(max_duration_weeks)
    exposures = datasets.exposures[datasets.exposures["patient_id"].isin(per_patient["patient_id"])]
    rfs = datasets.rfs.set_index("patient_id").loc[per_patient["patient_id"]].reset_index()
    rdi_percent = 100.0 * per_patient["rdi"].to_numpy(dtype=float)
    fixed = _fit(rfs["rfs_months"].to_numpy(dtype=float), rfs["event"].to_numpy(dtype=float),
                 rdi_percent, term="RDI (fixed, per 10%)", n=len(rfs))
    counting = time_varying_dose_intensity(rfs, exposures, planned_daily_dose_mg=planned_daily_dose_mg,
                                           planned_days=planned_days)
    time_varying = _fit(counting["stop"].to_numpy(dtype=float), counting["event"].to_numpy(dtype=float),
                        counting["rdi_percent"].to_numpy(dtype=float),
                        term="RDI (time-varying, per 10%)", n=len(rfs),
                        start=counting["start"].to_numpy(dtype=float))
    logger.info("dose intensity %s: %d treated, %d counting-process rows", arm, len(rfs),
                len(counting))
    return DoseIntensity(
        arm=arm, planned_daily_dose_mg=planned_daily_dose_mg, planned_days=planned_days,
        patient_id=tuple(per_patient["patient_id"]), rdi=read_only(per_patient["rdi"]),
        n_full_dose=int(per_patient["full_dose"].sum()),
        n_interruption=int(per_patient["interruption"].sum()),
        n_reduction=int(per_patient["reduction"].sum()),
        n_interruption_or_reduction=int((per_patient["interruption"] | per_patient["reduction"]).sum()),
        fixed=fixed, time_varying=time_varying, n_counting_process_rows=len(counting))
