"""Event-time models: survival, inverse sampling and hazard ratios, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from trialdesk.errors import InputError
from trialdesk.simulate.event_time_models import PiecewiseExponential, Weibull


def test_piecewise_survival_by_hand() -> None:
    model = PiecewiseExponential(np.array([12.0]), np.array([0.1, 0.05]))
    # H(6) = 0.6; H(12) = 1.2; H(20) = 1.2 + 0.4
    np.testing.assert_allclose(model.survival([6.0, 12.0, 20.0]), np.exp([-0.6, -1.2, -1.6]))
    np.testing.assert_allclose(model.hazard([0.0, 11.9, 12.0]), [0.1, 0.1, 0.05])


@pytest.mark.parametrize("model", [PiecewiseExponential(np.array([6.0, 18.0]), np.array([0.05, 0.02, 0.04])),
                                   Weibull(shape=0.7, scale=40.0)])
def test_time_to_event_inverts_the_cumulative_hazard(model) -> None:
    draws = np.random.default_rng(3).standard_exponential(1000)
    times = model.time_to_event(draws)
    np.testing.assert_allclose(model.cumulative_hazard(times), draws, rtol=1e-12)
    assert float(model.survival(model.median())) == pytest.approx(0.5)


@pytest.mark.parametrize("model", [PiecewiseExponential(np.array([12.0]), np.array([0.03, 0.02])),
                                   Weibull(shape=1.3, scale=30.0)])
def test_hazard_ratio_scales_the_hazard(model) -> None:
    times = np.array([3.0, 15.0, 40.0])
    np.testing.assert_allclose(model.with_hazard_ratio(0.6).hazard(times), 0.6 * model.hazard(times))


def test_bad_hazards_name_the_piece() -> None:
    with pytest.raises(InputError, match=r"row 1, hazards"):
        PiecewiseExponential(np.array([12.0]), np.array([0.1, -0.2]))
    with pytest.raises(InputError, match="breaks"):
        PiecewiseExponential(np.array([12.0, 6.0]), np.array([0.1, 0.1, 0.1]))
