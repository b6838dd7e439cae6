"""Factory of synthetic trials whose answers are known by construction.

A patient is a plain dict (``make_patient(**overrides)``); days are counted from the
randomisation date, so a test reads ``scans=[(84, "no_evidence_of_disease"), (168, "relapse")]``
and knows RFS is 168 days with an event. ``build_trial(patients)`` turns the dicts into a
``TrialData``; ``exponential_trial(...)`` draws a larger trial with a known hazard ratio.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from trialdesk.trial.data import TrialData

START = dt.date(2015, 1, 5)
FACTORS = ("nephrectomy_to_metastases", "disease_site", "lesions")  # as the built-in RESORT protocol
LEVELS = {"nephrectomy_to_metastases": (">12m", "<=12m"), "disease_site": ("lung", "other"),
          "lesions": ("single", "multiple")}
SCAN_EVERY = 84


@dataclass(frozen=True)
class Arm:
    """A protocol arm as the analysis reads it."""

    code: str
    daily_dose_mg: float | None
    max_duration_weeks: float | None


RESORT_ARMS = (Arm("sorafenib", 800.0, 52.0), Arm("observation", None, None))


def make_patient(**overrides: Any) -> dict[str, Any]:
    """A randomised, eligible sorafenib patient; override any key."""
    patient: dict[str, Any] = {
        "patient_id": "P001", "arm": "sorafenib", "randomised": True, "eligible": True,
        "screen_failure_reasons": "", "randomization_date": START, "screening_date": None,
        "factors": {"nephrectomy_to_metastases": ">12m", "disease_site": "lung", "lesions": "single"},
        "sex": "male", "birth_date": dt.date(1955, 1, 5),
        "scans": [], "events": [], "doses": [], "aes": [],
    }
    patient.update(overrides)
    if patient["screening_date"] is None:
        patient["screening_date"] = patient["randomization_date"] - dt.timedelta(days=7)
    return patient


def _day(patient: dict[str, Any], day: float) -> dt.date:
    return patient["randomization_date"] + dt.timedelta(days=int(day))


def build_trial(patients: Iterable[dict[str, Any]]) -> TrialData:
    """A ``TrialData`` from patient dicts (see ``make_patient``)."""
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in (
        "patients", "exposures", "assessments", "events", "adverse_events")}
    for number, p in enumerate(patients, start=1):
        factors = p["factors"]
        stratum = "|".join(f"{f}:{factors[f]}" for f in FACTORS) if p["randomised"] else None
        rows["patients"].append({
            "patient_id": p["patient_id"], "site": "S01", "screening_date": p["screening_date"],
            "eligible": p["eligible"], "screen_failure_reasons": p["screen_failure_reasons"],
            "randomised": p["randomised"],
            "randomization_number": number if p["randomised"] else None,
            "randomization_date": p["randomization_date"] if p["randomised"] else None,
            "arm": p["arm"] if p["randomised"] else None, "stratum": stratum,
            **factors, "sex": p["sex"], "birth_date": p["birth_date"],
        })
        for start, stop, dose, change in p["doses"]:
            rows["exposures"].append({
                "patient_id": p["patient_id"], "start_date": _day(p, start),
                "stop_date": _day(p, stop), "daily_dose_mg": dose, "change": change, "reason": ""})
        for day, result in p["scans"]:
            rows["assessments"].append({
                "patient_id": p["patient_id"], "assessment_date": _day(p, day), "result": result,
                "relapse_site": "lung" if result == "relapse" else None})
        for day, kind in p["events"]:
            rows["events"].append({"patient_id": p["patient_id"], "event_date": _day(p, day),
                                   "event_type": kind, "cause": None})
        for term, grade, day in p["aes"]:
            rows["adverse_events"].append({
                "patient_id": p["patient_id"], "term": term, "grade": grade,
                "start_date": _day(p, day), "stop_date": None, "serious": grade >= 3,
                "related": True})
    empty = TrialData.empty("RESORT")
    frames = {name: pd.DataFrame(rows[name]) if rows[name] else getattr(empty, name)
              for name in rows}
    return TrialData(protocol_id="RESORT", **frames)


def scans_until(last_day: float, *, every: int = SCAN_EVERY) -> list[tuple[int, str]]:
    """Clear restaging scans every ``every`` days up to ``last_day``."""
    return [(d, "no_evidence_of_disease") for d in range(every, int(last_day) + 1, every)]


def exponential_trial(n_per_arm: int, *, hazard_ratio: float, seed: int,
                      median_control_days: float = 700.0, follow_up_days: int = 1000,
                      ) -> list[dict[str, Any]]:
    """Patients with exponential RFS (death, exact day) and a known hazard ratio.

    Sorafenib's hazard is ``hazard_ratio`` times observation's; everyone is followed
    ``follow_up_days`` with clear scans every 84 days; strata are drawn at random.
    """
    rng = np.random.default_rng(seed)
    rate_control = np.log(2) / median_control_days
    patients = []
    for k in range(2 * n_per_arm):
        arm = "sorafenib" if k % 2 == 0 else "observation"
        rate = rate_control * (hazard_ratio if arm == "sorafenib" else 1.0)
        day = int(np.ceil(rng.exponential(1 / rate)))
        factors = {f: LEVELS[f][int(rng.integers(2))] for f in FACTORS}
        died = day <= follow_up_days
        patients.append(make_patient(
            patient_id=f"E{k:04d}", arm=arm, factors=factors,
            scans=scans_until(day - 1 if died else follow_up_days),
            events=[(day, "death")] if died else [],
            doses=[(0, 363, 800.0, "start")] if arm == "sorafenib" else []))
    return patients
