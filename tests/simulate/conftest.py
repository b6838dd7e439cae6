"""Small scenarios for the simulator's tests, built without the protocol file."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from trialdesk.simulate.calibration import calibrate, resort_published
from trialdesk.simulate.characteristics import OperatingCharacteristics
from trialdesk.simulate.scenario import (
    Accrual,
    AnalysisTiming,
    ArmScenario,
    Boundaries,
    Scenario,
    StratificationFactor,
)


def make_scenario(**overrides: object) -> Scenario:
    """A RESORT-like two-arm scenario (calibrated arms, 76 patients over 60 months)."""
    published = resort_published()
    settings: dict[str, object] = {
        "name": "test",
        "protocol_id": "resort",
        "arms": (ArmScenario("observation", calibrate(published["observation"]).model, grade3_ae_rate=0.03),
                 ArmScenario("sorafenib", calibrate(published["sorafenib"]).model, daily_dose_mg=800.0,
                             max_duration_weeks=52.0, grade3_ae_rate=0.22)),
        "accrual": Accrual(60.0, patients=76),
        "analyses": (AnalysisTiming(events=20), AnalysisTiming(events=40)),
        "boundaries": Boundaries((2.96, 1.97)),
        "block_sizes": (2, 4),
        "strata": (StratificationFactor("interval", ("gt12", "le12"), (0.6, 0.4)),
                   StratificationFactor("disease_site", ("lung", "other"), (0.5, 0.5)),
                   StratificationFactor("lesions", ("single", "multiple"), (0.6, 0.4))),
        "screen_failure_rate": 6 / 82,
        "death_hazard": 0.002,
        "dropout_hazard": 0.004,
    }
    settings.update(overrides)
    return Scenario(**settings)


@pytest.fixture
def scenario() -> Scenario:
    return make_scenario()


def _assert_identical(a: OperatingCharacteristics, b: OperatingCharacteristics) -> None:
    assert a.to_dict() == b.to_dict()
    np.testing.assert_array_equal(a.totals.rejections, b.totals.rejections)
    for name, d in a.totals.distributions.items():
        other = b.totals.distributions[name]
        np.testing.assert_array_equal(d.histogram, other.histogram)
        assert (d.total, d.n, d.n_missing) == (other.total, other.n, other.n_missing)


@pytest.fixture
def assert_identical() -> Callable[[OperatingCharacteristics, OperatingCharacteristics], None]:
    """Checks that two results agree bit for bit: every count, sum and histogram."""
    return _assert_identical
