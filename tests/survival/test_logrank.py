"""Log-rank: a hand-worked data set, G-rho weights, strata, input checks and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import chi2

from trialdesk.errors import InputError
from trialdesk.survival import kaplan_meier, logrank_test

# a: events at 1, 3; censored at 5.  b: events at 2, 4, 6.
TIME = [1, 2, 3, 4, 5, 6]
EVENT = [1, 1, 1, 1, 0, 1]
GROUP = ["a", "b", "a", "b", "a", "b"]


def test_hand_worked_two_groups() -> None:
    lr = logrank_test(TIME, EVENT, GROUP)
    # event times 1, 2, 3, 4, 6 with (n_a, n_b) at risk (3,3), (2,3), (2,2), (1,2), (0,1)
    n_a = np.array([3, 2, 2, 1, 0])
    n = np.array([6, 5, 4, 3, 1])
    expected_a = np.sum(n_a / n)
    variance_a = np.sum(n_a / n * (1 - n_a / n))  # one death per time: no ties factor
    assert lr.groups == ("a", "b")
    assert_array_equal(lr.n, [3, 3])
    assert_allclose(lr.observed, [2, 3])
    assert_allclose(lr.expected, [expected_a, 5 - expected_a])
    assert_allclose(lr.variance, [[variance_a, -variance_a], [-variance_a, variance_a]])
    assert lr.chisq == pytest.approx((2 - expected_a) ** 2 / variance_a)
    assert lr.df == 1
    assert lr.p_value == pytest.approx(chi2.sf(lr.chisq, 1))


def test_ties_use_the_hypergeometric_factor() -> None:
    lr = logrank_test([1, 1, 2, 2], [1, 1, 1, 1], ["a", "b", "a", "b"])
    # time 1: n = 4, d = 2, n_a = 2: var = d (n-d)/(n-1) * n_a/n (1 - n_a/n) = 2*2/3*1/4
    # time 2: n = 2, d = 2: factor (n-d)/(n-1) = 0
    assert lr.variance[0, 0] == pytest.approx(2 * 2 / 3 / 4)
    assert lr.chisq == pytest.approx(0.0)


def test_peto_weights_are_the_pooled_km_before_each_time() -> None:
    lr = logrank_test(TIME, EVENT, GROUP, rho=1.0)
    pooled = kaplan_meier(TIME, EVENT)
    before = np.concatenate(([1.0], pooled.survival[:-1]))[pooled.n_event > 0]
    assert lr.observed[0] == pytest.approx(before[0] + before[2])  # a's deaths at 1 and 3
    assert lr.observed[1] == pytest.approx(before[1] + before[3] + before[4])


def test_three_groups_have_two_degrees_of_freedom() -> None:
    rng = np.random.default_rng(7)
    time, event = rng.exponential(1, 90), rng.integers(0, 2, 90)
    group = np.repeat(["x", "y", "z"], 30)
    lr = logrank_test(time, event, group)
    assert lr.df == 2
    assert lr.variance.shape == (3, 3)
    assert_allclose(lr.variance.sum(axis=1), 0, atol=1e-12)
    assert lr.expected.sum() == pytest.approx(lr.observed.sum())


def test_group_with_no_expected_events_is_left_out_of_df() -> None:
    # group c's only patient is censored before the first event
    lr = logrank_test([1, 2, 3, 4, 0.5], [1, 1, 1, 1, 0], ["a", "b", "a", "b", "c"])
    assert lr.expected[2] == 0
    assert lr.df == 1


def test_single_stratum_equals_unstratified() -> None:
    plain = logrank_test(TIME, EVENT, GROUP)
    stratified = logrank_test(TIME, EVENT, GROUP, strata=["s"] * 6)
    assert stratified.chisq == pytest.approx(plain.chisq)
    assert stratified.strata == ("s",)
    assert_allclose(stratified.observed_by_stratum[:, 0], plain.observed)


def test_strata_sum_per_stratum_tests() -> None:
    strata = ["u", "u", "u", "v", "v", "v"]
    lr = logrank_test(TIME, EVENT, GROUP, strata=strata)
    first = logrank_test(TIME[:3], EVENT[:3], GROUP[:3])
    second = logrank_test(TIME[3:], EVENT[3:], GROUP[3:])
    assert_allclose(lr.expected, first.expected + second.expected)
    assert_allclose(lr.variance, first.variance + second.variance)
    assert_allclose(lr.expected_by_stratum, np.column_stack([first.expected, second.expected]))


def test_summary_has_r_columns() -> None:
    table = logrank_test(TIME, EVENT, GROUP).summary()
    assert list(table.columns) == ["group", "N", "Observed", "Expected", "(O-E)^2/E", "(O-E)^2/V"]
    assert "degrees of freedom" in table.title


@pytest.mark.parametrize(
    ("group", "kwargs", "message"),
    [
        (["a"] * 6, {}, "needs at least 2 groups"),
        (pd.Categorical(GROUP, categories=["a", "b", "c"]), {}, "group 'c' has no patients"),
        (GROUP, {"rho": float("inf")}, "rho: must be a finite number"),
        (["a", "b", None, "a", "b", "a"], {}, "row 2, group: is missing"),
        (GROUP[:5], {}, "group: has length 5"),
    ],
)
def test_bad_input_is_an_input_error(group: object, kwargs: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        logrank_test(TIME, EVENT, group, **kwargs)


two_groups = st.integers(4, 50).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 8).map(float), min_size=n, max_size=n),
    st.lists(st.integers(0, 1), min_size=n, max_size=n),
    st.lists(st.integers(0, 1), min_size=n, max_size=n).filter(lambda g: 0 < sum(g) < len(g))))


@settings(max_examples=100, deadline=None)
@given(two_groups, st.sampled_from([0.0, 0.5, 1.0]))
def test_statistic_does_not_depend_on_label_names(data: tuple, rho: float) -> None:
    time, event, group = data
    forward = logrank_test(time, event, np.array(group), rho=rho)
    swapped = logrank_test(time, event, np.where(np.array(group) == 1, "first", "second"), rho=rho)
    assert swapped.chisq == pytest.approx(forward.chisq, abs=1e-9)
    assert_allclose(swapped.observed[::-1], forward.observed)
    assert forward.observed.sum() == pytest.approx(forward.expected.sum())
    assert 0 <= forward.p_value <= 1


def naive_logrank_sums(time: np.ndarray, event: np.ndarray, group: np.ndarray, groups: int,
                       rho: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """O, E and V by their definition, one distinct event time at a time (survdiff's formulas)."""
    observed, expected = np.zeros(groups), np.zeros(groups)
    variance = np.zeros((groups, groups))
    survival = 1.0  # pooled Kaplan-Meier just before t
    for t in np.unique(time[event == 1]):
        at_risk = np.array([np.sum((time >= t) & (group == g)) for g in range(groups)], float)
        deaths = np.array([np.sum((time == t) & (event == 1) & (group == g)) for g in range(groups)])
        n, d = at_risk.sum(), deaths.sum()
        weight = survival**rho
        observed += weight * deaths
        expected += weight * d * at_risk / n
        ties = d * (n - d) / (n - 1) if n > 1 else 0.0
        variance += weight**2 * ties * (np.diag(at_risk / n) - np.outer(at_risk, at_risk) / n**2)
        survival *= 1 - d / n
    return observed, expected, variance


def continuous_or_tied(n: int) -> st.SearchStrategy:
    return st.one_of(st.lists(st.integers(0, 5).map(float), min_size=n, max_size=n),
                     st.lists(st.floats(0, 50), min_size=n, max_size=n, unique=True))


several_groups = st.integers(3, 40).flatmap(lambda n: st.tuples(
    continuous_or_tied(n),
    st.lists(st.integers(0, 1), min_size=n, max_size=n),
    st.lists(st.integers(0, 3), min_size=n, max_size=n).filter(lambda g: len(set(g)) >= 2)))


@settings(max_examples=150, deadline=None)
@given(several_groups, st.sampled_from([0.0, 1.0]))
def test_sums_equal_their_definition(data: tuple, rho: float) -> None:
    # continuous times take the one-event-per-time path, tied times the runs path
    time, event, group = (np.array(v) for v in data)
    codes = np.unique(group, return_inverse=True)[1]
    lr = logrank_test(time, event, group, rho=rho)
    observed, expected, variance = naive_logrank_sums(time, event, codes, len(lr.groups), rho)
    assert_allclose(lr.observed, observed, atol=1e-10)
    assert_allclose(lr.expected, expected, atol=1e-10)
    assert_allclose(lr.variance, variance, atol=1e-10)
    assert lr.df == max(int(np.sum(expected > 1e-12)) - 1, 0)


@pytest.mark.parametrize("time", [[0.5, 1.0, 2.0, 3.0, 4.0], [0.5, 1.0, 1.0, 3.0, 3.0]])
def test_group_out_of_every_risk_set_expects_exactly_zero(time: list) -> None:
    # 'a' is censored before the first event: R's survdiff gives expected 0 and leaves it out
    # of df, with distinct times (one-event path) and with ties (runs path) alike
    lr = logrank_test(time, [0, 1, 1, 1, 0], ["a", "b", "c", "b", "c"])
    assert lr.expected[0] == 0.0
    assert_array_equal(lr.variance[0], 0.0)
    assert lr.df == 1


def test_without_events_df_is_zero_and_p_one() -> None:
    # R's survdiff gives df = -1 and p = NaN here; trialdesk reports no evidence instead
    lr = logrank_test([1, 2, 3, 4], [0, 0, 0, 0], ["a", "b", "a", "b"])
    assert (lr.chisq, lr.df, lr.p_value) == (0.0, 0, 1.0)


def test_zero_variance_uses_the_pseudo_inverse() -> None:
    """One patient per group, both events at time 3: N = D = 2, so O = E = 1 and V = 0.

    R: survdiff(Surv(c(3, 3), c(1, 1)) ~ c("a", "b")) stops ("system is exactly singular").
    """
    lr = logrank_test([3.0, 3.0], [1, 1], ["a", "b"])
    assert_array_equal(lr.observed, lr.expected)
    assert_array_equal(lr.variance, np.zeros((2, 2)))
    assert (lr.chisq, lr.df, lr.p_value) == (0.0, 1, 1.0)


@pytest.mark.parametrize("labels", [["a", float("nan"), "b", "a", "b", "a"],
                                    pd.Series(["a", None, "b", "a", "b", "a"], dtype="category")])
def test_missing_label_in_list_or_categorical_names_its_row(labels: object) -> None:
    with pytest.raises(InputError, match="row 1, group: is missing"):
        logrank_test(TIME, EVENT, labels)
