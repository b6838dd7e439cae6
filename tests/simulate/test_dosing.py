"""Dosing courses and relative dose intensity, checked by hand."""

from __future__ import annotations

import numpy as np

from trialdesk.simulate.dosing import DosingDraws, DosingModel


def draws(**overrides) -> DosingDraws:
    values = {"planned_days": 364.0, "stop_day": np.array([364.0, 364.0, 364.0, 0.0]),
              "modification_day": np.array([np.inf, 100.0, 50.0, np.inf]),
              "is_reduction": np.array([False, True, False, False]),
              "interruption_days": np.array([7.0, 7.0, 10.0, 7.0])}
    values.update(overrides)
    return DosingDraws(**values)


def test_relative_dose_intensity_by_hand() -> None:
    """Full course; reduction to 400 mg on day 100; 10-day interruption on day 50; never started."""
    rdi = draws().relative_dose_intensity(np.full(4, np.inf), daily_dose_mg=800.0,
                                          reduced_daily_dose_mg=400.0)
    expected = [1.0, (800 * 100 + 400 * 264) / (800 * 364), (364 - 10) / 364, 0.0]
    np.testing.assert_allclose(rdi, expected)


def test_treatment_stops_at_the_rfs_event() -> None:
    """A relapse on day 60: the reduction on day 100 never happens; the interruption is cut short."""
    end, start, stop = draws().course(np.full(4, 60.0))
    np.testing.assert_array_equal(end, [60, 60, 60, 0])
    np.testing.assert_array_equal(start, [np.inf, np.inf, 50, np.inf])
    np.testing.assert_array_equal(stop, [60, 60, 60, 0])


def test_resort_like_model_leaves_few_patients_at_full_dose() -> None:
    model = DosingModel()
    drawn = model.draw(np.random.default_rng(3), (20_000,), planned_days=364.0)
    rdi = drawn.relative_dose_intensity(np.full(20_000, np.inf), daily_dose_mg=800.0,
                                        reduced_daily_dose_mg=model.reduced_daily_dose_mg)
    assert abs((drawn.stop_day == 0).mean() - 2 / 32) < 0.01
    assert (rdi == 1.0).mean() < 0.1  # RESORT: 2 of 32 took the full dose
    assert ((rdi >= 0) & (rdi <= 1)).all()
