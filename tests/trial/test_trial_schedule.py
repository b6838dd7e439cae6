"""Restaging visits: RESORT every 12 weeks (days 84, 168, ...) with a +/- 7 day window."""

from __future__ import annotations

import datetime as dt

import pytest

from trialdesk.errors import InputError
from trialdesk.protocol import load_protocol
from trialdesk.trial.schedule import match_visit, overdue_visits, planned_visits

RANDOMISED = dt.date(2014, 1, 6)


def test_planned_dates_every_84_days(resort) -> None:
    visits = planned_visits(resort, RANDOMISED, until=RANDOMISED + dt.timedelta(days=365))
    assert [v.day for v in visits] == [84, 168, 252, 336]
    assert visits[0].planned_date == dt.date(2014, 3, 31)
    assert (visits[0].window_start, visits[0].window_end) == (dt.date(2014, 3, 24), dt.date(2014, 4, 7))


def test_first_visit_can_differ_from_the_interval() -> None:
    example = load_protocol("three_arm_example")
    visits = planned_visits(example, RANDOMISED, until=RANDOMISED + dt.timedelta(days=120))
    assert [v.day for v in visits] == [42, 98]


@pytest.mark.parametrize(
    ("day", "number", "on_time"),
    [(84, 1, True), (77, 1, True), (91, 1, True), (92, 1, False), (126, 1, False), (127, 2, False),
     (161, 2, True), (10, 1, False), (1001, 12, True), (1000, 12, False)],
)
def test_an_assessment_matches_the_nearest_visit(resort, day: int, number: int, on_time: bool) -> None:
    visit, in_window = match_visit(resort, RANDOMISED, RANDOMISED + dt.timedelta(days=day))
    assert (visit.number, in_window) == (number, on_time)


def test_overdue_visits_have_a_closed_window_and_no_scan(resort) -> None:
    scans = [RANDOMISED + dt.timedelta(days=86)]          # visit 1 done, visit 2 missed
    today = RANDOMISED + dt.timedelta(days=176)            # visit 2's window closed on day 175
    assert [v.number for v in overdue_visits(resort, RANDOMISED, scans, today=today)] == [2]
    assert overdue_visits(resort, RANDOMISED, scans, today=today - dt.timedelta(days=1)) == ()


def test_dates_before_randomisation_are_refused(resort) -> None:
    with pytest.raises(InputError):
        planned_visits(resort, RANDOMISED, until=RANDOMISED - dt.timedelta(days=1))
    with pytest.raises(InputError):
        match_visit(resort, RANDOMISED, RANDOMISED - dt.timedelta(days=1))
