"""Schemas of screening, patients and randomisation (the integration contract of issue 5).

``POST /patients`` takes ``{"site", "screening": {...}}`` and returns ``{"id", "site",
"eligible", "reasons", "missing"}``; ``POST /patients/{id}/randomize`` takes ``{"date"}``
(default today) and returns ``{"randomization_number", "arm", "stratum"}``. Dates are ISO
``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema

from trialdesk.api.schemas._base import Code, InputSchema, OutputSchema

__all__ = ["PatientIn", "PatientOut", "RandomiseIn", "RandomiseOut", "ScreeningOut"]

#: Longest text accepted as one screening value.
MAX_SCREENING_TEXT = 200


def _single_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        if len(value) > MAX_SCREENING_TEXT:
            raise ValueError(f"must have at most {MAX_SCREENING_TEXT} characters")
        return value
    raise ValueError("must be a single value: text, number, true/false or null")


#: One screening value as JSON carries it; the protocol coerces and checks it (dates as ISO
#: text). Validated as one value, so an error names the field alone (not a union member).
ScreeningValue = Annotated[Any, AfterValidator(_single_value), WithJsonSchema({"anyOf": [
    {"type": "string", "maxLength": MAX_SCREENING_TEXT}, {"type": "number"}, {"type": "boolean"},
    {"type": "null"}]})]

RESORT_EXAMPLE = {
    "birth_date": "1960-05-17", "sex": "male", "prior_nephrectomy": True,
    "nephrectomy_date": "2010-03-01", "histology": "clear_cell_predominant",
    "metastases_diagnosis_date": "2013-01-10", "metastasis_site": "lung",
    "metastases_resected": 1, "resection_complete": True, "metastasectomy_date": "2013-02-01",
}


class PatientIn(InputSchema):
    """A candidate to screen at a site."""

    site: Code = Field(description="Code of the site screening the patient.")
    screening: Annotated[dict[Annotated[str, StringConstraints(max_length=64)], ScreeningValue],
                         Field(max_length=100)] = Field(
        description="The protocol's screening fields (RESORT: docs/api.md). A field left out "
                    "makes the patient not assessable, with the field listed in `missing`; an "
                    "unknown field or a value of the wrong type is a 422 naming it.",
        json_schema_extra={"example": RESORT_EXAMPLE})
    screening_date: dt.date | None = Field(default=None, description="Default: today (UTC).")


class ScreeningOut(OutputSchema):
    """The outcome of screening: the patient's study id and eligibility with reasons."""

    id: str = Field(description="Study subject id, e.g. RESORT-MI01-0001.")
    site: str
    eligible: bool = Field(description="True only when every criterion is met on complete data.")
    assessable: bool = Field(description="False while required screening fields are missing.")
    reasons: list[str] = Field(description="Messages of the criteria that fail.")
    missing: list[str] = Field(description="Screening fields needed but not given "
                                           "(the patient is not assessable until they are).")


class PatientOut(ScreeningOut):
    """A patient as the caller may see them; arm and stratum once randomised."""

    screening_date: dt.date
    screening: dict[str, ScreeningValue]
    randomization_number: int | None = None
    randomization_date: dt.date | None = None
    arm: str | None = None
    stratum: str | None = None


class RandomiseIn(InputSchema):
    """Randomise an eligible patient."""

    date: dt.date | None = Field(default=None, description="Randomisation date; default today "
                                                           "(UTC). Must be within the protocol's "
                                                           "window after surgery.")


class RandomiseOut(OutputSchema):
    """The allocation made."""

    randomization_number: int
    arm: str
    stratum: str
