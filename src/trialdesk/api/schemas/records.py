"""Schemas of follow-up records: dosing periods, restaging scans, clinical events, adverse events.

Field names and codes are those of ``TrialData`` (``trialdesk.trial.data``); dates are ISO
``YYYY-MM-DD``, doses in mg per day, grades CTCAE 1-5.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from trialdesk.api.schemas._base import InputSchema, OutputSchema, Text

__all__ = [
    "AdverseEventIn",
    "AdverseEventOut",
    "AssessmentIn",
    "AssessmentOut",
    "CorrectionIn",
    "EventIn",
    "EventOut",
    "ExposureIn",
    "ExposureOut",
    "RecordRef",
]

DoseChange = Literal["start", "continue", "interruption", "reduction", "re-escalation",
                     "discontinuation"]
ScanResult = Literal["no_evidence_of_disease", "relapse", "not_evaluable"]
EventType = Literal["relapse", "death", "withdrawal", "lost_to_follow_up"]


class _ExposureFields(BaseModel):
    start_date: dt.date
    stop_date: dt.date | None = Field(default=None, description="Inclusive; empty while ongoing.")
    daily_dose_mg: Annotated[float, Field(ge=0, le=10_000, description="mg per day; 0 for an "
                                                                       "interruption.")]
    change: DoseChange = "start"
    reason: Text | None = Field(default=None, description="Why the dose changed (needed for an "
                                                          "interruption or reduction).")


class _AssessmentFields(BaseModel):
    assessment_date: dt.date
    result: ScanResult
    relapse_site: Text | None = Field(default=None, description="Where relapse was seen.")


class _EventFields(BaseModel):
    event_date: dt.date
    event_type: EventType
    cause: Text | None = Field(default=None, description="Cause of death, reason of withdrawal.")


class _AdverseEventFields(BaseModel):
    term: Text = Field(description="CTCAE term, e.g. 'Hand-foot skin reaction'.")
    grade: Annotated[int, Field(ge=1, le=5, description="CTCAE grade 1 (mild) to 5 (death).")]
    start_date: dt.date
    stop_date: dt.date | None = None
    serious: bool = False
    related: bool = Field(default=False, description="Related to study treatment.")


class RecordRef(OutputSchema):
    """Where a stored record is."""

    id: int = Field(description="The record's id within its kind.")
    patient_id: str


class ExposureIn(_ExposureFields, InputSchema):
    """A dosing period (start, change, interruption, reduction, discontinuation)."""


class ExposureOut(_ExposureFields, RecordRef):
    """A stored dosing period."""


class AssessmentIn(_AssessmentFields, InputSchema):
    """A restaging scan and its result."""


class AssessmentOut(_AssessmentFields, RecordRef):
    """A stored restaging scan."""


class EventIn(_EventFields, InputSchema):
    """A clinical event: relapse, death, withdrawal of consent, lost to follow-up."""


class EventOut(_EventFields, RecordRef):
    """A stored clinical event."""


class AdverseEventIn(_AdverseEventFields, InputSchema):
    """An adverse event."""


class AdverseEventOut(_AdverseEventFields, RecordRef):
    """A stored adverse event."""


class CorrectionIn(InputSchema):
    """A correction of one field of a stored record; the reason goes into the audit trail."""

    field: Annotated[str, Field(min_length=1, max_length=64)]
    value: Annotated[str, Field(max_length=500)] | int | float | bool | None
    reason: Text = Field(description="Why the value is corrected (mandatory, audited).")
