"""Kaplan-Meier: hand-worked data sets, input checks and invariants (hypothesis)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from trialdesk.errors import InputError
from trialdesk.survival import kaplan_meier, kaplan_meier_by_group

# times 1, 2, 2+, 3, 4+, 5 (STYLE.md): n_risk 6, 5, 3, 2, 1 counted by eye
HAND_TIME = [1, 2, 2, 3, 4, 5]
HAND_EVENT = [1, 1, 0, 1, 0, 1]


def test_hand_worked_product_limit() -> None:
    km = kaplan_meier(HAND_TIME, HAND_EVENT)
    assert_array_equal(km.time, [1, 2, 3, 4, 5])
    assert_array_equal(km.n_risk, [6, 5, 3, 2, 1])
    assert_array_equal(km.n_event, [1, 1, 1, 0, 1])
    assert_array_equal(km.n_censor, [0, 1, 0, 1, 0])
    assert_allclose(km.survival, [5 / 6, 2 / 3, 4 / 9, 4 / 9, 0])
    # Greenwood: var(-log S) sums d / (n (n - d)); the last step has n = d, so it is infinite
    var_cumhaz = np.cumsum([1 / 30, 1 / 20, 1 / 6, 0])
    assert_allclose(km.std_err_cumhaz[:4], np.sqrt(var_cumhaz))
    assert km.std_err_cumhaz[4] == np.inf
    assert_allclose(km.std_err[:4], km.survival[:4] * np.sqrt(var_cumhaz))
    assert np.isnan(km.std_err[4])
    assert km.n == 6
    assert km.median == 3.0


def test_log_interval_by_hand() -> None:
    km = kaplan_meier(HAND_TIME, HAND_EVENT, conf_level=0.9)
    z = 1.6448536269514722
    se = np.sqrt(1 / 30)
    assert km.lower[0] == pytest.approx(5 / 6 * np.exp(-z * se))
    assert km.upper[0] == 1.0  # exp(+z se) 5/6 > 1 is capped
    assert np.isnan(km.lower[4])
    assert np.isnan(km.upper[4])


def test_log_log_interval_is_undefined_at_one_and_zero() -> None:
    km = kaplan_meier([1, 2, 3], [0, 1, 1], conf_type="log-log")
    assert km.survival[0] == 1.0
    assert np.isnan(km.lower[0])
    assert np.isnan(km.upper[0])
    assert np.isnan(km.lower[-1])
    assert np.isnan(km.upper[-1])


def test_plain_interval_is_cut_to_unit_interval() -> None:
    km = kaplan_meier([1, 2, 3, 4], [1, 1, 1, 0], conf_type="plain")
    half = 1.959963984540054 * km.survival * km.std_err_cumhaz
    assert_allclose(km.lower, np.maximum(km.survival - half, 0))
    assert_allclose(km.upper, np.minimum(km.survival + half, 1))


def test_median_midpoint_when_curve_sits_at_one_half() -> None:
    """R: f <- survfit(Surv(1:4, rep(1, 4)) ~ 1); print(f) gives median 2.5, LCL 1, UCL NA;
    quantile(f) gives 1.5, 2.5, 3.5 (S sits at 0.75, 0.5, 0.25 until the next drop)."""
    km = kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
    assert km.median == 2.5
    assert km.median_ci[0] == 1.0
    assert np.isnan(km.median_ci[1])
    assert [km.quantile(p).estimate for p in (0.25, 0.5, 0.75)] == [1.5, 2.5, 3.5]
    assert [km.quantile(p).lower for p in (0.25, 0.5, 0.75)] == [1.0, 1.0, 2.0]


def test_level_held_to_the_last_time_gives_midpoint_with_it() -> None:
    """R: quantile(survfit(Surv(1:4, c(1, 0, 0, 0)) ~ 1)) gives 25% = 2.5, 50% = NA, LCL 1, 1."""
    km = kaplan_meier([1, 2, 3, 4], [1, 0, 0, 0])
    assert km.quantile(0.25).estimate == 2.5
    assert np.isnan(km.median)
    assert np.isnan(km.quantile(0.5).estimate)
    assert km.quantile(0.5).lower == 1.0


def test_at_reads_the_step_function() -> None:
    km = kaplan_meier(HAND_TIME, HAND_EVENT)
    survival, lower, upper = km.at([0, 1, 2.5, 5, 6])
    assert_allclose(survival[:4], [1, 5 / 6, 2 / 3, 0])
    assert np.isnan(survival[4])  # beyond the last observed time
    assert lower[0] == upper[0] == 1.0
    assert not survival.flags.writeable


def test_landmark_summary_counts_since_previous_landmark() -> None:
    km = kaplan_meier(HAND_TIME, HAND_EVENT)
    table = km.summary(times=[2, 4, 9]).columns
    assert_array_equal(table["time"], [2, 4])  # 9 lies beyond the last time: left out
    assert_array_equal(table["n.risk"], [5, 2])
    assert_array_equal(table["n.event"], [2, 1])
    assert_array_equal(table["n.censor"], [1, 1])


def test_summary_lists_event_times_with_r_labels() -> None:
    table = kaplan_meier(HAND_TIME, HAND_EVENT).summary()
    assert list(table.columns) == ["time", "n.risk", "n.event", "survival", "std.err",
                                   "lower 95% CI", "upper 95% CI"]
    assert_array_equal(table.columns["time"], [1, 2, 3, 5])


def test_rmst_by_hand() -> None:
    km = kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
    estimate, std_err = km.rmst(4)
    assert estimate == pytest.approx(1 + 0.75 + 0.5 + 0.25)
    # area after t_i times d/(n(n-d)); the last term has n = d and counts 0
    areas = np.array([1.5, 0.75, 0.25])
    terms = np.array([1 / 12, 1 / 6, 1 / 2])
    assert std_err == pytest.approx(np.sqrt(np.sum(areas**2 * terms)))
    assert km.rmst(10).estimate == pytest.approx(2.5)  # S = 0 after 4 adds nothing
    assert km.rmst(0.5) == (0.5, 0.0)


def test_result_is_frozen_and_read_only() -> None:
    km = kaplan_meier(HAND_TIME, HAND_EVENT)
    with pytest.raises(dataclasses.FrozenInstanceError):
        km.conf_level = 0.9  # type: ignore[misc]
    for field in ("time", "n_risk", "survival", "std_err", "lower", "upper"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(km, field)[0] = 0


@pytest.mark.parametrize(
    ("time", "event", "kwargs", "message"),
    [
        ([1, -2, 3], [1, 1, 1], {}, "row 1, time: is negative"),
        ([1, np.nan, 3], [1, 1, 1], {}, "row 1, time: must be finite"),
        ([1, 2, 3], [1, 2, 0], {}, "row 1, event: must be 0"),
        ([1, 2, 3], [1, 0], {}, "event: has length 2, expected 3"),
        ([], [], {}, "time: is empty"),
        ([1, 2], [1, 0], {"conf_type": "logit"}, "conf_type: must be"),
        ([1, 2], [1, 0], {"conf_level": 95}, "conf_level: must lie"),
    ],
)
def test_bad_input_names_argument_and_index(time: list, event: list, kwargs: dict,
                                            message: str) -> None:
    with pytest.raises(InputError, match=message):
        kaplan_meier(time, event, **kwargs)


def test_booleans_are_events() -> None:
    assert_array_equal(kaplan_meier([1, 2], [True, False]).n_event, [1, 0])


def test_by_group_orders_labels_as_strings_or_categories() -> None:
    time, event = [1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 1, 0]
    curves = kaplan_meier_by_group(time, event, ["b", "a", "b", "a", "c", "c"])
    assert list(curves) == ["a", "b", "c"]
    assert_array_equal(curves["a"].time, [2, 4])
    ordered = pd.Categorical(["b", "a", "b", "a", "c", "c"], categories=["c", "b", "a"])
    assert list(kaplan_meier_by_group(time, event, ordered)) == ["c", "b", "a"]


def test_by_group_equals_separate_fits() -> None:
    rng = np.random.default_rng(3)
    time, event = rng.integers(0, 20, 200), rng.integers(0, 2, 200)
    arm = rng.choice(["x", "y"], 200)
    for label, km in kaplan_meier_by_group(time, event, arm).items():
        alone = kaplan_meier(time[arm == label], event[arm == label])
        assert_array_equal(km.survival, alone.survival)
        assert_array_equal(km.upper, alone.upper)


curves_data = st.integers(1, 40).flatmap(lambda n: st.tuples(
    st.one_of(st.lists(st.integers(0, 6).map(float), min_size=n, max_size=n),       # ties
              st.lists(st.floats(0, 100), min_size=n, max_size=n, unique=True)),   # continuous
    st.lists(st.integers(0, 1), min_size=n, max_size=n),
    st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n)))


@settings(max_examples=150, deadline=None)
@given(curves_data, st.sampled_from(["log", "log-log", "plain"]))
def test_by_group_fits_all_curves_at_once_as_separate_fits(data: tuple, conf_type: str) -> None:
    # one vectorised pass over every group: the running products restart per group, and a
    # curve that reaches 0 (NaN limits) is followed by others that do not
    time, event, group = (np.array(v) for v in data)
    for label, km in kaplan_meier_by_group(time, event, group, conf_type=conf_type).items():
        alone = kaplan_meier(time[group == label], event[group == label], conf_type=conf_type)
        for field in ("time", "n_risk", "n_event", "n_censor", "survival", "std_err",
                      "std_err_cumhaz", "lower", "upper"):
            assert_array_equal(getattr(km, field), getattr(alone, field), err_msg=field)


@pytest.mark.parametrize("time", [[3.0, 0.0, 1.5, 0.0, 7.25, 2.0],        # distinct, with zeros
                                  [3.0, 0.0, 1.5, 1.5, 7.25, 0.0],        # tied
                                  [1e300, 0.0, 5e-324, 1.0, 1e-300, 2.0]])  # coded by rank
def test_by_group_decodes_every_time_coding_as_separate_fits(time: list) -> None:
    time, event, group = np.array(time), np.array([1, 0, 1, 1, 0, 1]), np.array(list("abbaba"))
    for label, km in kaplan_meier_by_group(time, event, group).items():
        alone = kaplan_meier(time[group == label], event[group == label])
        assert_array_equal(km.time, np.unique(time[group == label]))
        for field in ("time", "n_risk", "n_event", "n_censor", "survival", "upper"):
            assert_array_equal(getattr(km, field), getattr(alone, field), err_msg=field)


def test_limits_are_nan_only_where_that_curve_is_zero() -> None:
    curves = kaplan_meier_by_group([1, 2, 3, 1, 2, 3, 4], [1, 1, 1, 1, 0, 1, 0], list("aaabbbb"))
    assert np.isnan(curves["a"].lower).tolist() == [False, False, True]
    assert np.isnan(curves["a"].std_err).tolist() == [False, False, True]
    assert not np.isnan(curves["b"].lower).any()


def test_by_group_rejects_an_empty_category() -> None:
    group = pd.Categorical(["a", "a"], categories=["a", "b"])
    with pytest.raises(InputError, match="group 'b' has no patients"):
        kaplan_meier_by_group([1, 2], [1, 1], group)


survival_data = st.integers(1, 60).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 12).map(float) | st.floats(0, 50, allow_nan=False), min_size=n,
             max_size=n),
    st.lists(st.integers(0, 1), min_size=n, max_size=n)))


@settings(max_examples=150, deadline=None)
@given(survival_data, st.sampled_from(["log", "log-log", "plain"]), st.floats(0.5, 0.99))
def test_bands_bracket_the_curve_inside_the_unit_interval(data: tuple, conf_type: str,
                                                          conf_level: float) -> None:
    km = kaplan_meier(*data, conf_type=conf_type, conf_level=conf_level)
    defined = ~np.isnan(km.lower)
    assert np.array_equal(defined, ~np.isnan(km.upper))
    lower, upper, survival = km.lower[defined], km.upper[defined], km.survival[defined]
    tol = 1e-12
    assert np.all((lower >= -tol) & (lower <= survival + tol))
    assert np.all((survival <= upper + tol) & (upper <= 1 + tol))


@settings(max_examples=150, deadline=None)
@given(survival_data)
def test_survival_and_numbers_at_risk_never_rise(data: tuple) -> None:
    km = kaplan_meier(*data)
    assert np.all(np.diff(km.survival) <= 0)
    assert np.all(np.diff(km.n_risk) < 0)
    assert km.n_risk[0] == len(data[0])
    assert km.n_event.sum() == sum(data[1])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 12).map(float) | st.floats(0, 50, allow_nan=False), min_size=1,
                max_size=60))
def test_without_censoring_km_is_one_minus_ecdf(times: list) -> None:
    km = kaplan_meier(times, np.ones(len(times)))
    ecdf = np.searchsorted(np.sort(times), km.time, side="right") / len(times)
    assert_allclose(km.survival, 1 - ecdf, atol=1e-12)


@pytest.mark.parametrize(("call", "message"), [
    (lambda km: km.rmst(0), "tau: must be a positive finite time"),
    (lambda km: km.rmst(float("nan")), "tau: must be a positive finite time"),
    (lambda km: km.quantile(1.5), r"p: must lie in \[0, 1\]"),
    (lambda km: km.at([-1.0]), "row 0, times: is negative"),
])
def test_method_arguments_are_checked(call: object, message: str) -> None:
    km = kaplan_meier(HAND_TIME, HAND_EVENT)
    with pytest.raises(InputError, match=message):
        call(km)  # type: ignore[operator]
