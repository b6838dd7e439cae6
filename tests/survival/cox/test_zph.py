"""ph_test: table shape, joint test of a label term, and its input check."""

from __future__ import annotations

import numpy as np
import pytest

from trialdesk.errors import InputError
from trialdesk.survival import CoxFit, cox_ph


def _fit(seed: int = 5, n: int = 90) -> CoxFit:
    rng = np.random.default_rng(seed)
    group = rng.choice(np.array(["a", "b", "c"], dtype=object), n)
    age = rng.normal(60, 10, n)
    time = np.ceil(rng.exponential(20, n) * np.where(group == "a", 1.0, 0.7))
    event = (rng.random(n) < 0.8).astype(float)
    return cox_ph(time, event, {"group": group, "age": age})


def test_label_term_is_tested_jointly_with_levels_minus_one_df() -> None:
    zph = _fit().ph_test("km")
    assert zph.terms == ("group", "age")
    np.testing.assert_array_equal(zph.df, [2, 1])
    assert zph.global_df == 3
    assert np.all(zph.chisq >= 0)
    assert zph.global_chisq >= max(zph.chisq) - 1e-12
    table = zph.summary()
    assert list(table.columns) == ["term", "chisq", "df", "p"]
    assert table.columns["term"].tolist() == ["group", "age", "GLOBAL"]


def test_transforms_differ_and_unknown_transform_is_an_input_error() -> None:
    fit = _fit()
    statistics = {transform: fit.ph_test(transform).global_chisq for transform in ("km", "identity", "rank")}
    assert len(set(statistics.values())) == 3
    with pytest.raises(InputError, match="transform"):
        fit.ph_test("log")  # type: ignore[arg-type]
