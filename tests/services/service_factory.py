"""Factories of the service tests: RESORT screening data, the example dates, the users of a trial."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from trialdesk.services import Actor

#: Dates of the example patient: surgery, screening, randomisation 26 days after surgery.
METASTASECTOMY = dt.date(2024, 1, 10)
SCREENED = dt.date(2024, 1, 30)
RANDOMISED = dt.date(2024, 2, 5)
PASSWORD = "correct horse battery staple"


def make_screening(**overrides: Any) -> dict[str, Any]:
    """RESORT screening data of an eligible patient (stratum >12m, lung, single); override any field."""
    screening: dict[str, Any] = {
        "birth_date": "1958-04-02", "sex": "female", "prior_nephrectomy": True,
        "nephrectomy_date": "2019-06-01", "histology": "clear_cell_predominant",
        "metastases_diagnosis_date": "2023-12-01", "metastasis_site": "lung",
        "metastases_resected": 1, "resection_complete": True,
        "metastasectomy_date": METASTASECTOMY.isoformat(),
    }
    screening.update(overrides)
    return screening


@dataclass(frozen=True)
class TrialUsers:
    """One actor per role; the investigator and data manager work at MI01, ``other_site`` at RM01."""

    admin: Actor
    statistician: Actor
    monitor: Actor
    investigator: Actor
    data_manager: Actor
    other_site: Actor
