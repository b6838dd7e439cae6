"""Median follow-up by reverse Kaplan-Meier, against the engine and by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trialdesk.analysis.follow_up import follow_up
from trialdesk.survival import median_follow_up


def test_reverse_km_median_by_hand():
    """Censored at 10, 20, 30, 40 and an event at 5: the reverse KM drops 1/4 at each
    censoring (the event at 5 leaves the risk set), so it is exactly 0.5 from 20 to 30
    months and R's median is the midpoint, 25."""
    rfs = pd.DataFrame({"arm": ["a", "a", "b", "b", "b"], "rfs_months": [10, 20, 30, 40, 5.0],
                        "event": [0, 0, 0, 0, 1]})
    result = follow_up(rfs, arms=["a", "b"])
    assert result.overall.median == 25.0
    assert result.overall.n == 5
    assert [g.group for g in result.groups] == ["all", "a", "b"]


def test_equals_the_engine_per_arm():
    rng = np.random.default_rng(4)
    rfs = pd.DataFrame({"arm": np.repeat(["a", "b"], 50), "rfs_months": rng.uniform(0, 40, 100),
                        "event": rng.integers(0, 2, 100)})
    result = follow_up(rfs, arms=["a", "b"])
    mine = rfs[rfs["arm"] == "b"]
    expected = median_follow_up(mine["rfs_months"].to_numpy(), mine["event"].to_numpy())
    got = result.groups[2]
    assert (got.median, got.lower, got.upper) == pytest.approx(tuple(expected), nan_ok=True)
    assert "reverse Kaplan-Meier" in result.summary().title
