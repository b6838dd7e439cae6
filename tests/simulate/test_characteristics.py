"""Operating characteristics of the simulated RESORT design: type I error, power, summaries."""

from __future__ import annotations

import dataclasses
import json

import numpy as np

from trialdesk.protocol import load_protocol
from trialdesk.simulate.presets import analytic_power, protocol_design, resort_scenario
from trialdesk.simulate.runner import simulate
from trialdesk.simulate.scenario import Accrual


def test_type_one_error_at_hr_one_is_nominal_alpha_within_monte_carlo_error() -> None:
    """RESORT's design (asOF, one-sided alpha 0.025, looks at 20 and 40 events) under HR = 1."""
    n = 20_000
    oc = simulate(resort_scenario("null"), n, seed=2018)
    se = np.sqrt(0.025 * 0.975 / n)
    assert abs(oc.rejection_rate - 0.025) <= 3 * se
    assert oc.rejection_by_look[0] < 0.004  # the O'Brien-Fleming-type interim spends little alpha
    assert 0.93 <= oc.coverage("hazard_ratio") <= 0.97


def test_power_close_to_the_design_modules_analytic_power() -> None:
    """At the design HR for 100 events (0.57), with enough patients that 100 events are reached.

    Analytic: 80% by design (Schoenfeld information D/4, trialdesk.design); the simulation runs
    the log-rank test on relapses seen at 12-weekly scans, so it may fall a little short.
    """
    events = 100
    scenario = dataclasses.replace(resort_scenario("design", events=events),
                                   accrual=Accrual(24.0, patients=300))
    design = protocol_design(load_protocol("resort"))
    analytic = analytic_power(design, scenario.true_hazard_ratio, events)
    assert abs(analytic - 0.8) < 1e-9
    oc = simulate(scenario, 4000, seed=5)
    assert abs(oc.rejection_rate - analytic) < 0.03
    assert abs(oc.stop_at_interim - design.rejection_probabilities[0]) < 0.04


def test_summary_and_json_carry_every_quantity() -> None:
    oc = simulate(resort_scenario("published"), 1000, seed=1)
    table = oc.summary()
    names = list(table.columns["quantity"])
    for expected in ("patients", "events", "duration_months", "hazard_ratio", "median_sorafenib",
                     "rfs_12m_observation", "rfs_24m_sorafenib", "grade3_ae_sorafenib", "mean_rdi"):
        assert expected in names
    assert oc.expected("patients") <= 76
    assert abs(oc.expected("grade3_ae_sorafenib") - 0.22) < 0.01
    data = json.loads(json.dumps(oc.to_dict()))
    assert data["n_trials"] == 1000
    assert len(data["rejection_by_look"]) == 2
    # the published scenario's arms are the report's: estimates centre on the published figures
    assert abs(oc.distribution("rfs_12m_observation").quantile(0.5) - 0.74) < 0.03
