"""Reproducing RESORT: the published interim analysis simulated, each figure placed in it."""

from __future__ import annotations

import pytest

from trialdesk.simulate.reproduction import RESORT_INTERIM_PATIENTS, comparison_table, resort_interim_scenario
from trialdesk.simulate.runner import simulate


def test_interim_is_when_68_of_76_were_randomised_and_never_stops() -> None:
    scenario = resort_interim_scenario()
    (timing,) = scenario.analyses
    assert timing.calendar_month == pytest.approx(60 * 68 / 76)
    oc = simulate(scenario, 1000, seed=4)
    assert oc.rejection_rate == 0.0
    assert abs(oc.expected("patients") - RESORT_INTERIM_PATIENTS) < 0.5
    table = comparison_table(oc, {"rfs_12m_observation": 0.74, "patients": 68.0})
    rows = {r["quantity"]: r for r in table.to_records()}
    assert 20 < rows["rfs_12m_observation"]["percentile"] < 80
    assert 30 < rows["patients"]["percentile"] < 70
