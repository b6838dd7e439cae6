"""RESORT screening records for the domain-rule tests: ``make_screening(**overrides)``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from trialdesk.protocol import Protocol, load_protocol

ELIGIBLE_SCREENING: dict[str, object] = {
    "birth_date": "1955-03-14", "sex": "male", "prior_nephrectomy": True,
    "nephrectomy_date": "2010-02-01", "histology": "clear_cell_predominant",
    "metastases_diagnosis_date": "2013-05-20", "metastasis_site": "lung", "metastases_resected": 1,
    "resection_complete": True, "metastasectomy_date": "2013-06-10",
}


@pytest.fixture(scope="session")
def resort() -> Protocol:
    return load_protocol("resort")


@pytest.fixture
def make_screening() -> Callable[..., dict[str, object]]:
    """An eligible RESORT screening record; keyword overrides replace (None removes) fields."""
    def make(**overrides: object) -> dict[str, object]:
        record = {**ELIGIBLE_SCREENING, **overrides}
        return {k: v for k, v in record.items() if v is not None}
    return make
