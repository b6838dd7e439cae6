"""Entry forms are drawn from, and parsed by, the API's request schemas."""

from __future__ import annotations

from datetime import date

import pytest

from trialdesk.api.schemas.records import AdverseEventIn, ExposureIn
from trialdesk.errors import InputError
from trialdesk.web.forms import form_fields, parse_form


def test_fields_follow_the_schema() -> None:
    fields = {f.name: f for f in form_fields(AdverseEventIn)}
    assert fields["grade"].type == "int"
    assert fields["grade"].required
    assert fields["start_date"].type == "date"
    assert fields["stop_date"].required is False
    assert fields["serious"].choices == ("false", "true")
    change = {f.name: f for f in form_fields(ExposureIn)}["change"]
    assert change.type == "choice"
    assert "interruption" in change.choices


def test_posted_strings_become_typed_values_and_blanks_are_dropped() -> None:
    exposure = parse_form(ExposureIn, {"csrf_token": "x", "start_date": "2013-03-01",
                                       "stop_date": "", "daily_dose_mg": "800",
                                       "change": "start", "reason": " "}, source="dosing form")
    assert exposure.start_date == date(2013, 3, 1)
    assert exposure.stop_date is None
    assert exposure.daily_dose_mg == 800.0
    assert exposure.reason is None


def test_a_bad_value_names_the_field() -> None:
    with pytest.raises(InputError) as caught:
        parse_form(AdverseEventIn, {"term": "Fatigue", "grade": "7", "start_date": "2013-03-01"},
                   source="adverse event form")
    assert caught.value.field == "grade"
    assert caught.value.source == "adverse event form"
