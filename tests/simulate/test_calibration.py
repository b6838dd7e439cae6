"""Calibration to published summaries: RESORT's points are reproduced within 1 percentage point."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from trialdesk.errors import InputError
from trialdesk.simulate.calibration import (
    PublishedArm,
    PublishedCounts,
    PublishedLandmark,
    PublishedMedian,
    calibrate,
    resort_published,
)
from trialdesk.simulate.event_time_models import PiecewiseExponential


@pytest.mark.parametrize("arm", ["sorafenib", "observation"])
def test_piecewise_reproduces_resort_points_within_one_point(arm: str) -> None:
    published = resort_published()[arm]
    fit = calibrate(published)
    assert fit.max_abs_error_pp < 1.0
    model = fit.model
    for landmark in published.landmarks:
        assert abs(float(model.survival(landmark.time)) - landmark.survival) < 0.01
    assert model.median() == pytest.approx(published.median.median, abs=0.1)


@pytest.mark.parametrize("arm", ["sorafenib", "observation"])
def test_weibull_reports_its_error_at_every_point(arm: str) -> None:
    fit = calibrate(resort_published()[arm], family="weibull")
    points = fit.points.columns
    assert list(points["point"]) == ["S(12)", "S(24)", "median"]
    fitted = np.asarray(points["fitted"], dtype=float)
    published = np.asarray(points["published"], dtype=float)
    assert np.allclose(np.asarray(points["error"], dtype=float), fitted - published)
    # two parameters for three points: close (RESORT's rates are nearly Weibull) but not exact
    assert 0.0 < fit.max_abs_error_pp < 1.0


def test_three_points_three_pieces_is_the_closed_form() -> None:
    """Observation arm by hand: S(12) = .74, S(24) = .59, S(35) = .5 fix the three hazards."""
    model = calibrate(resort_published()["observation"]).model
    assert isinstance(model, PiecewiseExponential)
    expected = [-np.log(0.74) / 12, -np.log(0.59 / 0.74) / 12, -np.log(0.5 / 0.59) / 11]
    np.testing.assert_allclose(model.hazards, expected, rtol=1e-8)
    np.testing.assert_allclose(model.breaks, [12.0, 24.0])


def test_points_are_weighted_by_their_confidence_intervals() -> None:
    """One hazard, two conflicting points: the narrow-CI point wins."""
    narrow = PublishedLandmark(12.0, 0.70, 0.68, 0.72)
    wide = PublishedLandmark(24.0, 0.40, 0.20, 0.80)
    fit = calibrate(PublishedArm("x", landmarks=(narrow, wide)), breaks=())
    errors = np.abs(np.asarray(fit.points.columns["error_pp"], dtype=float))
    assert errors[0] < errors[1]


def test_patients_and_events_enter_the_fit() -> None:
    """Median 24 alone is an exponential; adding many events pulls the hazard up."""
    base = PublishedArm("x", median=PublishedMedian(24.0, 18.0, 30.0))
    alone = calibrate(base, breaks=())
    counts = PublishedCounts(patients=100, events=80, accrual_months=12.0, analysis_month=36.0)
    with_counts = calibrate(dataclasses.replace(base, counts=counts), breaks=())
    assert alone.model.median() == pytest.approx(24.0, rel=1e-8)
    assert with_counts.model.median() < 24.0
    assert list(with_counts.points.columns["point"]) == ["median", "events"]


def test_nothing_to_fit_names_the_arm() -> None:
    with pytest.raises(InputError, match="published"):
        calibrate(PublishedArm("x"))
