"""Scenario checks name the field at fault."""

from __future__ import annotations

import dataclasses

import pytest

from trialdesk.errors import InputError
from trialdesk.simulate.scenario import Accrual, RestagingSchedule, StratificationFactor


def test_accrual_needs_exactly_one_of_total_and_rate() -> None:
    with pytest.raises(InputError, match="accrual"):
        Accrual(60.0, patients=76, rate_per_month=1.2)
    assert Accrual(60.0, rate_per_month=1.0).max_patients > 100  # Poisson(60) tail


def test_window_less_than_half_the_interval() -> None:
    with pytest.raises(InputError, match="window_days"):
        RestagingSchedule(interval_weeks=12, window_days=42)


def test_prevalences_sum_to_one() -> None:
    with pytest.raises(InputError, match="prevalences"):
        StratificationFactor("disease_site", ("lung", "other"), (0.5, 0.6))


def test_one_bound_per_analysis(scenario) -> None:
    with pytest.raises(InputError, match="efficacy"):
        dataclasses.replace(scenario, analyses=scenario.analyses[:1])
