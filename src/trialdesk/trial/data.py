"""``TrialData``: a trial's recorded data as tables, the hand-over between store and analysis.

The store's extractor (``trialdesk.services.extract.trial_data``), the CSV/ADaM importers and
the simulator all produce a ``TrialData``; the analysis plan consumes one. Dates are
``datetime.date`` objects (pandas ``object`` columns) or pandas datetimes; the analysis
converts them to days from randomisation (months = days / 30.4375).

Columns (a frame may carry more; these are the ones analyses rely on):

``patients`` (one row per screened patient)
    patient_id (str, the study's subject id), site (site code), screening_date (date),
    eligible (bool), screen_failure_reasons (str, "; "-joined, empty when eligible),
    randomised (bool), randomization_number (int or NA), randomization_date (date or NaT),
    arm (arm code or NA), stratum (stratum label or NA), one column per stratification
    factor (its level at randomisation, as recorded), and the protocol's screening fields
    (RESORT: birth_date, sex, prior_nephrectomy, nephrectomy_date, histology,
    metastases_diagnosis_date, metastasis_site, metastases_resected, resection_complete,
    metastasectomy_date).
``exposures`` (one row per dosing period)
    patient_id, start_date, stop_date (date; inclusive), daily_dose_mg (float; 0 for an
    interruption), change ("start" | "continue" | "interruption" | "reduction" |
    "re-escalation" | "discontinuation"), reason (str).
``assessments`` (one row per restaging scan)
    patient_id, assessment_date, result ("no_evidence_of_disease" | "relapse" |
    "not_evaluable"), relapse_site (str or NA).
``events`` (one row per clinical event)
    patient_id, event_date, event_type ("relapse" | "death" | "withdrawal" |
    "lost_to_follow_up"), cause (str or NA).
``adverse_events`` (one row per AE)
    patient_id, term (CTCAE term), grade (int 1-5), start_date, stop_date (date or NaT),
    serious (bool), related (bool).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["TRIAL_DATA_COLUMNS", "TrialData"]

#: The columns every producer of ``TrialData`` must supply, per frame.
TRIAL_DATA_COLUMNS: dict[str, tuple[str, ...]] = {
    "patients": ("patient_id", "site", "screening_date", "eligible", "screen_failure_reasons",
                 "randomised", "randomization_number", "randomization_date", "arm", "stratum"),
    "exposures": ("patient_id", "start_date", "stop_date", "daily_dose_mg", "change", "reason"),
    "assessments": ("patient_id", "assessment_date", "result", "relapse_site"),
    "events": ("patient_id", "event_date", "event_type", "cause"),
    "adverse_events": ("patient_id", "term", "grade", "start_date", "stop_date", "serious",
                       "related"),
}


@dataclass(frozen=True)
class TrialData:
    """A trial's recorded data, one DataFrame per kind of record (columns in the module doc)."""

    protocol_id: str
    patients: pd.DataFrame
    exposures: pd.DataFrame
    assessments: pd.DataFrame
    events: pd.DataFrame
    adverse_events: pd.DataFrame

    def __post_init__(self) -> None:
        for name, required in TRIAL_DATA_COLUMNS.items():
            frame: pd.DataFrame = getattr(self, name)
            missing = [c for c in required if c not in frame.columns]
            if missing:
                raise ValueError(f"TrialData.{name}: missing columns {missing}")

    @classmethod
    def empty(cls, protocol_id: str) -> TrialData:
        """A trial with no records yet."""
        frames = {name: pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
                  for name, cols in TRIAL_DATA_COLUMNS.items()}
        return cls(protocol_id=protocol_id, **frames)
