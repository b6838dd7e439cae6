"""Exposure and adverse-event records of one simulated trial (``TrialData`` rows).

Exposure follows the ``DosingModel`` course of each patient on a treated arm: first dose 1-14
days after randomisation; a ``start`` period at the planned daily dose; then either an
``interruption`` (0 mg) followed by ``continue`` at the planned dose, or a ``reduction`` to
the reduced dose; a ``discontinuation`` row (0 mg, one day) when treatment ends before its
planned duration for a reason other than the data cut-off. Treatment ends at the RFS event.

Adverse events: the grade >= 3 event the generator drew for a patient (grade 4 in one of
ten), plus Poisson-many grade 1-2 events (mean 2 on a treated arm, 0.7 otherwise), starting on
treatment (treated arm) or during follow-up, never after the cut-off (docs/simulate.md#records).
"""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np

from trialdesk.simulate.dosing import DAYS_PER_MONTH
from trialdesk.simulate.generator import SimulatedTrials
from trialdesk.simulate.scenario import Scenario

__all__ = ["adverse_event_rows", "exposure_rows"]

logger = logging.getLogger(__name__)

TREATMENT_AE_TERMS = ("Palmar-plantar erythrodysesthesia syndrome", "Hypertension", "Diarrhea",
                      "Fatigue", "Rash maculo-papular", "Alanine aminotransferase increased")
FOLLOW_UP_AE_TERMS = ("Fatigue", "Pain", "Hypertension", "Cough")
LOW_GRADE_MEAN = {True: 2.0, False: 0.7}


def _period(patient_id: str, first: dt.date, start: float, stop: float, dose: float, change: str,
            reason: str) -> dict[str, object]:
    return {"patient_id": patient_id, "start_date": first + dt.timedelta(days=int(start)),
            "stop_date": first + dt.timedelta(days=int(stop) - 1), "daily_dose_mg": dose,
            "change": change, "reason": reason}


def exposure_rows(rng: np.random.Generator, scenario: Scenario, trials: SimulatedTrials,
                  patient_ids: list[str], randomised_on: list[dt.date], follow_up_end: np.ndarray,
                  ended_by: list[str], cutoff: dt.date) -> list[dict[str, object]]:
    """Dosing periods of every patient on a treated arm, up to the cut-off.

    ``follow_up_end`` (months from randomisation) is when follow-up ended, ``ended_by`` why
    ("relapse", "death", "withdrawal", or "" at the cut-off).
    """
    rows: list[dict[str, object]] = []
    dosing = scenario.dosing
    for k, arm in enumerate(scenario.arms):
        if not arm.treated:
            continue
        patients = np.flatnonzero(trials.arm[0, : len(patient_ids)] == k)
        planned_days = arm.max_duration_weeks * 7.0
        draws = dosing.draw(rng, (patients.size,), planned_days=planned_days)
        offset = rng.integers(1, 15, size=patients.size)
        firsts = [randomised_on[i] + dt.timedelta(days=int(d)) for i, d in zip(patients, offset, strict=True)]
        available = np.array([max((cutoff - first).days + 1, 0) for first in firsts], dtype=float)
        follow_up_day = np.floor(follow_up_end[patients] * DAYS_PER_MONTH) - offset
        end, mod_start, mod_stop = draws.course(np.clip(np.minimum(follow_up_day, available), 0.0, None))
        for j, i in enumerate(patients):
            if end[j] <= 0:
                continue
            pid, first, full = patient_ids[i], firsts[j], arm.daily_dose_mg
            rows.append(_period(pid, first, 0, min(mod_start[j], end[j]), full, "start", "planned dose"))
            if np.isfinite(mod_start[j]) and draws.is_reduction[j]:
                rows.append(_period(pid, first, mod_start[j], end[j], dosing.reduced_daily_dose_mg,
                                    "reduction", "adverse event"))
            elif np.isfinite(mod_start[j]):
                rows.append(_period(pid, first, mod_start[j], mod_stop[j], 0.0, "interruption",
                                    "adverse event"))
                if mod_stop[j] < end[j]:
                    rows.append(_period(pid, first, mod_stop[j], end[j], full, "continue", "resumed"))
            if end[j] < min(planned_days, available[j]):
                reason = ended_by[i] if end[j] >= follow_up_day[j] else "adverse event"
                rows.append(_period(pid, first, end[j], end[j] + 1, 0.0, "discontinuation", reason))
    return rows


def adverse_event_rows(rng: np.random.Generator, scenario: Scenario, trials: SimulatedTrials,
                       patient_ids: list[str], randomised_on: list[dt.date], follow_up_end: np.ndarray,
                       cutoff: dt.date) -> list[dict[str, object]]:
    """Adverse events of every randomised patient, starting by the cut-off."""
    rows: list[dict[str, object]] = []
    for i, patient_id in enumerate(patient_ids):
        arm = scenario.arms[trials.arm[0, i]]
        window = max(min(follow_up_end[i], 12.0) * DAYS_PER_MONTH, 1.0)
        terms = TREATMENT_AE_TERMS if arm.treated else FOLLOW_UP_AE_TERMS
        grades = list(rng.integers(1, 3, size=rng.poisson(LOW_GRADE_MEAN[arm.treated])))
        if trials.grade3_ae[0, i]:
            grades.append(4 if rng.random() < 0.1 else 3)
        for grade in grades:
            start = randomised_on[i] + dt.timedelta(days=int(rng.uniform(1, window)))
            stop = start + dt.timedelta(days=int(rng.integers(3, 31)))
            if start > cutoff:
                continue
            rows.append({"patient_id": patient_id, "term": terms[rng.integers(len(terms))],
                         "grade": int(grade),
                         "start_date": start, "stop_date": stop if stop <= cutoff else None,
                         "serious": bool(grade >= 3 and rng.random() < 0.5),
                         "related": bool(arm.treated and rng.random() < 0.8)})
    return rows
