"""Baseline table: counts, medians and standardised mean differences by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from trialdesk.analysis.baseline import baseline_characteristics, standardised_mean_difference

SUBJECTS = pd.DataFrame({
    "arm": ["a", "a", "a", "a", "b", "b", "b", "b"],
    "age_years": [50.0, 60.0, 70.0, 80.0, 40.0, 50.0, 60.0, np.nan],
    "sex": ["female", "male", "male", "male", "female", "female", "male", None],
})


def test_counts_percent_and_missing_level():
    table = baseline_characteristics(SUBJECTS, ["sex"], arms=["a", "b"])
    by_level = {r.level: r for r in table.rows}
    assert by_level["female"].count == (1, 2)
    assert by_level["male"].percent == (75.0, 25.0)
    assert by_level["missing"].count == (0, 1)
    assert table.n == (4, 4)


def test_median_and_iqr_as_r_quantile_type_7():
    """R: quantile(c(50, 60, 70, 80)) gives 57.5, 65, 72.5; NA dropped in arm b: 45, 50, 55."""
    row = baseline_characteristics(SUBJECTS, ["age_years"], arms=["a", "b"]).rows[0]
    assert (row.median, row.q1, row.q3) == ((65.0, 50.0), (57.5, 45.0), (72.5, 55.0))
    assert row.cells() == ("65.0 (57.5-72.5)", "50.0 (45.0-55.0)")


def test_continuous_smd_by_hand():
    """Means 65 and 50, sample variances 166.67 and 100: 15 / sqrt(133.33) = 1.299."""
    table = baseline_characteristics(SUBJECTS, ["age_years"], arms=["a", "b"])
    assert table.smd("age_years") == pytest.approx(15 / math.sqrt((500 / 3 + 100) / 2))


def test_binary_smd_equals_the_two_proportion_formula():
    a = pd.Series(["x"] * 3 + ["y"] * 7)
    b = pd.Series(["x"] * 6 + ["y"] * 4)
    expected = abs(0.3 - 0.6) / math.sqrt((0.3 * 0.7 + 0.6 * 0.4) / 2)
    assert standardised_mean_difference([a, b], categorical=True) == pytest.approx(expected)


def test_identical_arms_have_zero_smd_and_table_renders():
    same = pd.concat([SUBJECTS.assign(arm="a"), SUBJECTS.assign(arm="b")])
    table = baseline_characteristics(same, ["age_years", "sex"], arms=["a", "b"])
    assert table.smd("age_years") == pytest.approx(0.0)
    assert table.smd("sex") == pytest.approx(0.0, abs=1e-12)
    text = table.summary().to_text()
    assert "a (N=8)" in text
    assert "median (IQR)" in text


def test_multilevel_smd_does_not_depend_on_the_dropped_level():
    """Yang-Dalton's SMD is a Mahalanobis distance of the level frequencies: renaming the
    levels so that another one sorts first (and is dropped) leaves it unchanged."""
    a = pd.Series(["x"] * 5 + ["y"] * 3 + ["z"] * 2)
    b = pd.Series(["x"] * 2 + ["y"] * 3 + ["z"] * 5)
    renamed = {"x": "c", "y": "a", "z": "b"}
    first = standardised_mean_difference([a, b], categorical=True)
    second = standardised_mean_difference([a.map(renamed), b.map(renamed)], categorical=True)
    assert first == pytest.approx(second)
    assert first > standardised_mean_difference([a, a.sample(frac=1, random_state=1)],
                                                 categorical=True)
