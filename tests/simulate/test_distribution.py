"""Mergeable distributions: exact counts and means, quantiles to the bin width, order of merging."""

from __future__ import annotations

import numpy as np
import pytest

from trialdesk.simulate.distribution import Distribution, QuantityGrid

GRID = QuantityGrid(0.0, 10.0, 0.01)


def test_quantiles_mean_and_missing_match_numpy() -> None:
    values = np.random.default_rng(1).uniform(0, 10, 5000)
    values[:100] = np.nan
    d = Distribution.of(values, GRID)
    finite = values[np.isfinite(values)]
    assert d.n == 4900
    assert d.n_missing == 100
    assert d.mean == pytest.approx(finite.mean(), rel=1e-12)
    for p in (0.05, 0.5, 0.95):
        assert abs(d.quantile(p) - np.quantile(finite, p)) <= GRID.width
    assert abs(d.percentile_of(np.quantile(finite, 0.3)) - 30.0) < 0.1


def test_merging_blocks_equals_one_block_for_counts() -> None:
    values = np.random.default_rng(2).uniform(0, 10, 3000)
    parts = [Distribution.of(v, GRID) for v in np.split(values, 3)]
    merged = parts[0].merge(parts[1]).merge(parts[2])
    whole = Distribution.of(values, GRID)
    np.testing.assert_array_equal(merged.histogram, whole.histogram)
    assert merged.n == whole.n
    assert merged.mean == pytest.approx(whole.mean, rel=1e-12)


def test_discrete_quantiles_are_values_and_percentiles_mid_rank() -> None:
    d = Distribution.of(np.array([1.0, 2.0, 2.0, 3.0]), QuantityGrid(0.0, 5.0, 1.0, discrete=True))
    assert [d.quantile(p) for p in (0.1, 0.5, 0.9)] == [1.0, 2.0, 3.0]
    assert d.percentile_of(2.0) == pytest.approx(50.0)
    assert d.percentile_of(1.5) == pytest.approx(25.0)
