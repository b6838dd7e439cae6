"""The demo's plan: RESORT's counts, potential outcomes per arm, dosing records the services accept."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from trialdesk.demo.plan import DATA_CUTOFF, START_DATE, DemoPlan, _discontinuation_on_last_day, demo_plan
from trialdesk.protocol import load_protocol
from trialdesk.trial.eligibility import assess_eligibility

D0 = dt.date(2014, 1, 1)


def _day(k: int) -> dt.date:
    return D0 + dt.timedelta(days=k)


@pytest.fixture(scope="module")
def plan() -> DemoPlan:
    return demo_plan(load_protocol("resort"), seed=11)


def test_plan_screens_76_with_6_failures_over_five_years(plan: DemoPlan) -> None:
    protocol = load_protocol("resort")
    numbers = sorted(p.number for p in plan.patients if p.number is not None)
    assert (len(plan.patients), numbers) == (76, list(range(1, 71)))
    failures = [p for p in plan.patients if p.number is None]
    assert all(assess_eligibility(protocol, p.screening).eligible is False for p in failures)
    assert all(START_DATE <= p.screening_date <= START_DATE + dt.timedelta(days=5 * 366)
               for p in plan.patients)
    assert [p.screening_date for p in plan.patients] == sorted(p.screening_date for p in plan.patients)
    assert len(plan.sites) == 5


def test_every_patient_has_follow_up_under_each_arm_within_the_cutoff(plan: DemoPlan) -> None:
    randomised_on = {p.number: p.randomisation_date for p in plan.patients if p.number is not None}
    assert set(plan.follow_up) == {"sorafenib", "observation"}
    for records in plan.follow_up.values():
        assert set(records) == set(randomised_on)
        for number, rows in records.items():
            assert all(randomised_on[number] <= r.date <= DATA_CUTOFF for r in rows)
            assert [r.date for r in rows] == sorted(r.date for r in rows)
    assert not any(r.kind == "exposure" for rows in plan.follow_up["observation"].values() for r in rows)
    assert any(r.kind == "exposure" for rows in plan.follow_up["sorafenib"].values() for r in rows)


def test_same_seed_same_plan(plan: DemoPlan) -> None:
    assert demo_plan(load_protocol("resort"), seed=11) == plan
    assert demo_plan(load_protocol("resort"), seed=12).patients != plan.patients


def _fields(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(r["start_date"], r["stop_date"], r["daily_dose_mg"], r["change"], r["reason"]) for r in rows]


def _periods(*rows: tuple[int, int, float, str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"patient_id": "P", "start_date": _day(a), "stop_date": _day(b),
                          "daily_dose_mg": dose, "change": change, "reason": reason}
                         for a, b, dose, change, reason in rows])


def test_discontinuation_becomes_the_last_dosing_day_with_its_dose() -> None:
    rows = _discontinuation_on_last_day(_periods((0, 9, 800.0, "start", "planned dose"),
                                                 (10, 10, 0.0, "discontinuation", "relapse")))
    assert _fields(rows) == [
        (_day(0), _day(8), 800.0, "start", "planned dose"),
        (_day(9), _day(9), 800.0, "discontinuation", "relapse")]


def test_discontinuation_of_a_one_day_period_relabels_it_and_keeps_an_interruption() -> None:
    rows = _discontinuation_on_last_day(_periods((0, 0, 800.0, "start", "planned dose"),
                                                 (1, 5, 0.0, "interruption", "adverse event"),
                                                 (6, 6, 0.0, "discontinuation", "")))
    assert _fields(rows) == [
        (_day(0), _day(0), 800.0, "discontinuation", "end of follow-up"),
        (_day(1), _day(5), 0.0, "interruption", "adverse event")]
