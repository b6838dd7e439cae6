"""Coercion of raw screening values to the protocol's field types."""

from __future__ import annotations

import datetime as dt

import pytest

from trialdesk.errors import InputError
from trialdesk.protocol import load_protocol


@pytest.fixture(scope="module")
def resort():
    return load_protocol("resort")


def test_texts_become_typed_values(resort) -> None:
    parsed = resort.parse_screening({
        "birth_date": "1950-06-01", "sex": "female", "prior_nephrectomy": "Yes",
        "metastases_resected": "2", "resection_complete": "0", "metastasis_site": " lung "})
    assert parsed == {"birth_date": dt.date(1950, 6, 1), "sex": "female", "prior_nephrectomy": True,
                      "metastasis_site": "lung", "metastases_resected": 2, "resection_complete": False}


def test_typed_values_pass_unchanged(resort) -> None:
    raw = {"nephrectomy_date": dt.date(2010, 1, 1), "prior_nephrectomy": False, "metastases_resected": 3.0}
    assert resort.parse_screening(raw) == {"prior_nephrectomy": False,
                                           "nephrectomy_date": dt.date(2010, 1, 1),
                                           "metastases_resected": 3}


def test_blank_values_are_not_given(resort) -> None:
    assert resort.parse_screening({"sex": "", "birth_date": None, "histology": "  ",
                                   "metastases_resected": float("nan")}) == {}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("birth_date", "01/06/1950", "must be of type date"),
        ("birth_date", dt.datetime(1950, 6, 1, 12), "without a time of day"),
        ("prior_nephrectomy", "maybe", "must be true or false"),
        ("metastases_resected", "2.5", "whole number"),
        ("metastases_resected", True, "whole number"),
        ("metastases_resected", 0, "must be >= 1"),
        ("metastasis_site", "liver", "must be one of lung, other"),
        ("metastases_resected", "two", "must be of type int"),
    ],
)
def test_wrong_values_name_the_field(resort, field: str, value: object, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        resort.parse_screening({field: value})
    assert caught.value.field == field


def test_unknown_field_is_refused(resort) -> None:
    with pytest.raises(InputError, match="not a screening field") as caught:
        resort.parse_screening({"ecog": "0"})
    assert caught.value.field == "ecog"


def test_float_fields_refuse_infinity() -> None:
    example = load_protocol("three_arm_example")
    assert example.parse_screening({"creatinine_clearance": "61.5"}) == {"creatinine_clearance": 61.5}
    with pytest.raises(InputError, match="finite"):
        example.parse_screening({"creatinine_clearance": "inf"})
