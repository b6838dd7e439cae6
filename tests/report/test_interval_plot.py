"""Turnbull beside Kaplan-Meier: the polyline by hand, and with exact times it is the KM curve."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from numpy.testing import assert_allclose

from trialdesk.analysis.interval_censored import turnbull
from trialdesk.report.interval_plot import plot_turnbull_beside_km, turnbull_coordinates
from trialdesk.survival import kaplan_meier


def test_flat_between_intervals_straight_across_them_and_no_mass_at_infinity() -> None:
    # mass 0.4 on (1, 2], 0.4 on (3, 5], 0.2 beyond the last observation
    estimate = SimpleNamespace(left=np.array([1.0, 3.0, 6.0]), right=np.array([2.0, 5.0, np.inf]),
                               survival=np.array([0.6, 0.2, 0.0]))
    x, y = turnbull_coordinates(estimate)
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0, 5.0]
    assert_allclose(y, [1.0, 1.0, 0.6, 0.6, 0.2])


def test_only_censored_patients_give_a_flat_line_at_one() -> None:
    x, y = turnbull_coordinates(turnbull([2.0, 3.0], [np.inf, np.inf]))
    assert x.tolist() == [0.0]
    assert y.tolist() == [1.0]


def test_with_exact_times_the_turnbull_line_passes_through_the_km_steps() -> None:
    time = np.array([1.0, 2.0, 2.0, 3.0, 4.0, 5.0])
    event = np.array([1, 1, 0, 1, 0, 1])
    km = kaplan_meier(time, event)
    right = np.where(event == 1, time, np.inf)
    x, y = turnbull_coordinates(turnbull(time, right))
    at_event_times = [y[np.flatnonzero(x == t)[-1]] for t in km.time[km.n_event > 0]]
    assert_allclose(at_event_times, km.survival[km.n_event > 0], atol=1e-8)
    ax = plot_turnbull_beside_km({"all": km}, {"all": turnbull(time, right)})
    assert [line.get_label() for line in ax.lines] == [
        "all: Kaplan-Meier (relapse at the scan)", "all: Turnbull (interval-censored)"]
