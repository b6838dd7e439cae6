"""The O(n log n) concordance counts against a direct loop over every pair (R's definitions)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdesk.survival.cox._concordance import concordance


def _by_pairs(stop: np.ndarray, death: np.ndarray, score: np.ndarray, stratum: np.ndarray,
              start: np.ndarray | None) -> tuple[tuple[float, ...], float, float]:
    """Every pair looked at once: counts, C and its infinitesimal-jackknife se (R's formulas)."""
    n = stop.shape[0]
    share = np.zeros((n, 3))  # concordant, discordant, tied on score: per row, either member
    tied_y = tied_xy = 0.0
    for d in np.flatnonzero(death):
        for j in range(n):
            if j == d or stratum[j] != stratum[d]:
                continue
            if death[j] and stop[j] == stop[d]:
                if j > d:
                    tied_y += 1
                    tied_xy += score[j] == score[d]
                continue
            at_risk = stop[j] > stop[d] or (stop[j] == stop[d] and not death[j])
            if not at_risk or (start is not None and start[j] >= stop[d]):
                continue
            kind = 0 if score[d] > score[j] else (1 if score[d] < score[j] else 2)
            share[d, kind] += 1
            share[j, kind] += 1
    concordant, discordant, tied = share.sum(axis=0) / 2
    counts = (concordant, discordant, tied, tied_y - tied_xy, tied_xy)
    pairs = concordant + discordant + tied
    if pairs == 0:
        return counts, float("nan"), float("nan")
    somers_d = (concordant - discordant) / pairs
    influence = (share[:, 0] - share[:, 1]) / pairs - somers_d / pairs * share.sum(axis=1)
    return counts, (somers_d + 1) / 2, float(np.sqrt(np.sum(influence**2) / 4))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 40), st.integers(1, 3), st.booleans(), st.booleans())
def test_counts_and_standard_error_equal_the_pairwise_definition(
        seed: int, n: int, n_strata: int, with_entry: bool, few_scores: bool) -> None:
    rng = np.random.default_rng(seed)
    stop = rng.integers(1, 8, n).astype(float)  # many tied times
    death = (rng.random(n) < 0.6).astype(float)
    death[0] = 1.0
    score = rng.integers(0, 3, n).astype(float) if few_scores else rng.normal(size=n)
    stratum = rng.integers(0, n_strata, n)
    start = np.floor(stop * rng.random(n)) if with_entry else None
    expected_counts, expected_c, expected_se = _by_pairs(stop, death, score, stratum, start)
    result = concordance(stop, death, score, stratum, start)
    assert tuple(result.pairs) == pytest.approx(expected_counts)
    if sum(expected_counts[:3]) > 0:
        assert result.estimate == pytest.approx(expected_c, abs=1e-12)
        assert result.std_err == pytest.approx(expected_se, abs=1e-12)


@pytest.mark.parametrize("tied_times", [True, False])
@pytest.mark.parametrize("distinct_scores", [True, False])
def test_counts_equal_the_pairwise_definition_at_a_few_hundred_rows(tied_times: bool,
                                                                     distinct_scores: bool) -> None:
    """Enough distinct keys for several levels of the wavelet matrix, over either key: scores
    all distinct (counted over time keys when those have fewer bits) or few (over scores)."""
    rng = np.random.default_rng(7)
    n = 300
    stop = rng.integers(1, 40, n).astype(float) if tied_times else rng.exponential(10.0, n)
    death = (rng.random(n) < 0.6).astype(float)
    score = rng.normal(size=n) if distinct_scores else rng.integers(0, 20, n).astype(float)
    stratum = rng.integers(0, 2, n)
    start = np.floor(stop * rng.random(n) * 0.9)
    for entry in (None, start):
        expected_counts, expected_c, expected_se = _by_pairs(stop, death, score, stratum, entry)
        order = np.lexsort((-death, stop, stratum))
        result = concordance(stop, death, score, stratum, entry, order=order)
        assert tuple(result.pairs) == pytest.approx(expected_counts)
        assert result.estimate == pytest.approx(expected_c, abs=1e-12)
        assert result.std_err == pytest.approx(expected_se, abs=1e-12)
