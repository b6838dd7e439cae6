"""The rule language: what it accepts, what it refuses, how it evaluates (by hand)."""

from __future__ import annotations

import datetime as dt

import pytest

from trialdesk.protocol.conditions import Condition

TYPES = {
    "count": ("int", ()),
    "done": ("bool", ()),
    "site": ("choice", ("lung", "other")),
    "start": ("date", ()),
    "end": ("date", ()),
}


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("count <= 3", {"count": 3}, True),
        ("count <= 3", {"count": 4}, False),
        ("done == true", {"done": True}, True),
        ("not done", {"done": True}, False),
        ("site in ['lung']", {"site": "other"}, False),
        ("site == 'lung' or count > 1", {"site": "other", "count": 2}, True),
        ("0 <= days_between(start, end) <= 84", {"start": dt.date(2020, 1, 1), "end": dt.date(2020, 3, 25)},
         True),   # 84 days: 31 + 29 (leap year) + 24
        ("0 <= days_between(start, end) <= 84", {"start": dt.date(2020, 1, 1), "end": dt.date(2020, 3, 26)},
         False),
        ("months_between(start, end) > 12", {"start": dt.date(2019, 1, 1), "end": dt.date(2020, 1, 2)},
         True),   # 366 days / 30.4375 = 12.02 months
        ("months_between(start, end) > 12", {"start": dt.date(2019, 1, 1), "end": dt.date(2020, 1, 1)},
         False),  # 365 days / 30.4375 = 11.99 months
        ("count > -1", {"count": 0}, True),
    ],
)
def test_rules_evaluate_as_written(text: str, values: dict, expected: bool) -> None:
    rule = Condition.parse(text)
    rule.check_types(TYPES)
    assert rule.evaluate(values) is expected


def test_fields_are_the_names_read() -> None:
    rule = Condition.parse("0 <= days_between(start, randomisation_date) <= 84 and done == true")
    assert rule.fields == {"start", "randomisation_date", "done"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os').system('ls')", "unknown function"),
        ("count.real > 1", "not allowed"),
        ("count + 1 > 2", "not allowed"),
        ("[c for c in site]", "not allowed"),
        ("lambda: 1", "not allowed"),
        ("count >", "not valid"),
        ("", "non-empty"),
        ("site in [count]", "only literals"),
        ("days_between(start)", "two date field names"),
    ],
)
def test_anything_outside_the_language_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Condition.parse(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("count <= 'three'", "cannot compare int with str"),
        ("site == 'liver'", "not one of the choices"),
        ("site < 'lung'", "no order"),
        ("count", "not true/false"),
        ("age > 18", "not a screening field"),
        ("days_between(count, end) > 1", "must be date fields"),
        ("site in 'lung'", "needs a list"),
        ("done < true", "no order"),
    ],
)
def test_type_errors_are_found_when_the_protocol_loads(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Condition.parse(text).check_types(TYPES)


def test_conditions_compare_by_text() -> None:
    assert Condition.parse(" count <= 3 ") == Condition.parse("count <= 3")
    assert str(Condition.parse("count <= 3")) == "count <= 3"
