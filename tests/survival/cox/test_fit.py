"""cox_ph on a six-row data set worked by hand, its input checks, warnings and invariants.

Hand-worked data: times 1, 2, 2, 3+, 4, 5+ with x = 1, 0, 1, 0, 1, 0 (+ = censored).
At beta = 0 every risk score is 1, so each death contributes (counted by eye):
t=1: 6 at risk (x sum 3), death x=1; t=2: 5 at risk (x sum 2), tied deaths x=0 and x=1;
t=4: 2 at risk (x sum 1), death x=1.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdesk.errors import InputError, TrialdeskWarning
from trialdesk.survival import cox_ph
from trialdesk.survival.cox._model import blocks_from_strata
from trialdesk.survival.cox._partial_likelihood import Workspace, death_time_sums, information, loglik, score

TIME = np.array([1.0, 2, 2, 3, 4, 5])
EVENT = np.array([1, 1, 1, 0, 1, 0])
X = np.array([1.0, 0, 1, 0, 1, 0])


def test_breslow_loglik_score_and_information_at_zero_by_hand() -> None:
    fit = cox_ph(TIME, EVENT, X, ties="breslow")
    # loglik(0) = -log 6 - 2 log 5 - log 2; score = (1 - 3/6) + (1 - 2*2/5) + (1 - 1/2) = 1.2;
    # information = 3/6*3/6 + 2*(2/5)(3/5) + 1/2*1/2 = 0.98
    assert fit.loglik[0] == pytest.approx(-math.log(6) - 2 * math.log(5) - math.log(2), abs=1e-12)
    assert fit.score_test.statistic == pytest.approx(1.2**2 / 0.98, abs=1e-12)
    assert fit.score_test.df == 1


def test_efron_loglik_score_and_information_at_zero_by_hand() -> None:
    fit = cox_ph(TIME, EVENT, X)
    # Efron at t=2: denominators 5 and 5 - 2/2 = 4, means 2/5 and (2 - 1/2)/4 = 0.375;
    # score = 0.5 + (1 - 0.4 - 0.375) + 0.5 = 1.225;
    # information = 0.25 + (2/5 - 0.16) + ((2 - 0.5)/4 - 0.375**2) + 0.25 = 0.974375
    assert fit.loglik[0] == pytest.approx(-math.log(6) - math.log(5) - math.log(4) - math.log(2), abs=1e-12)
    assert fit.score_test.statistic == pytest.approx(1.225**2 / 0.974375, abs=1e-12)


def test_estimate_solves_the_score_equation_and_tests_agree_in_form() -> None:
    fit = cox_ph(TIME, EVENT, X)
    assert fit.converged
    assert fit.lr_test.statistic == pytest.approx(2 * (fit.loglik[1] - fit.loglik[0]))
    assert fit.wald_test.statistic == pytest.approx((fit.coef[0] / fit.se[0]) ** 2)
    assert fit.loglik[1] >= fit.loglik[0]


def test_summary_uses_R_labels_and_confidence_level() -> None:
    fit = cox_ph(TIME, EVENT, {"arm": np.array(["a", "b", "b", "a", "b", "a"])})
    table = fit.summary()
    assert list(table.columns) == ["term", "coef", "exp(coef)", "se(coef)", "z", "Pr(>|z|)"]
    assert fit.terms == ("armb",)
    narrow, wide = fit.confidence_interval(0.80), fit.confidence_interval(0.99)
    assert narrow.lower[0] > wide.lower[0]
    assert narrow.upper[0] < wide.upper[0]


def test_categorical_order_is_the_reference_choice() -> None:
    pd = pytest.importorskip("pandas")
    labels = ["a", "b", "b", "a", "b", "a"]
    sorted_fit = cox_ph(TIME, EVENT, pd.DataFrame({"arm": labels}))
    reversed_fit = cox_ph(TIME, EVENT, pd.DataFrame({"arm": pd.Categorical(labels, categories=["b", "a"])}))
    assert reversed_fit.terms == ("arma",)
    assert reversed_fit.coef[0] == pytest.approx(-sorted_fit.coef[0])


@pytest.mark.parametrize(("kwargs", "field", "row"), [
    ({"time": [1, 2, -2, 3, 4, 5]}, "time", 2),
    ({"event": [1, 1, 2, 0, 1, 0]}, "event", 2),
    ({"start": [0, 0, 0, 3, 0, 0]}, "start", 3),
])
def test_bad_input_names_field_and_row(kwargs: dict, field: str, row: int) -> None:
    arguments = {"time": TIME, "event": EVENT} | kwargs
    with pytest.raises(InputError) as error:
        cox_ph(arguments.pop("time"), arguments.pop("event"), X, **arguments)
    assert (error.value.field, error.value.row) == (field, row)


def test_length_mismatch_and_no_events_are_input_errors() -> None:
    with pytest.raises(InputError, match="length 5"):
        cox_ph(TIME, EVENT[:5], X)
    with pytest.raises(InputError, match="no events"):
        cox_ph(TIME, np.zeros(6), X)


def test_collinear_columns_are_named() -> None:
    with pytest.raises(InputError, match="columns double"):
        cox_ph(TIME, EVENT, {"x": X, "double": 2 * X})
    with pytest.raises(InputError, match="columns constant"):
        cox_ph(TIME, EVENT, {"x": X, "constant": np.ones(6)})


def test_missing_rows_are_dropped_counted_and_announced() -> None:
    x = X.copy()
    x[[0, 4]] = np.nan
    with pytest.warns(TrialdeskWarning, match="dropped 2 of 6 rows"):
        fit = cox_ph(TIME, EVENT, x)
    assert (fit.n, fit.n_dropped, fit.n_events) == (4, 2, 2)
    kept = ~np.isnan(x)
    assert fit.coef[0] == pytest.approx(cox_ph(TIME[kept], EVENT[kept], X[kept]).coef[0])


def test_monotone_likelihood_warns_naming_the_term_and_stops_where_R_stops() -> None:
    """R: coxph(Surv(time, event) ~ arm, data.frame(time = 1:10, event = c(1,1,1,1,0,0,0,0,0,0),
    arm = rep(0:1, each = 5))) warns 'Loglik converged before variable 1' at coef
    -21.765347009008764 after 20 iterations, loglik c(-8.5251613610654147, -4.7874917450453314)."""
    with pytest.warns(TrialdeskWarning, match="Loglik converged before variable arm"):
        fit = cox_ph(np.arange(1.0, 11.0), [1, 1, 1, 1, 0, 0, 0, 0, 0, 0], {"arm": np.repeat([0.0, 1.0], 5)})
    assert fit.coef[0] == pytest.approx(-21.765347009008764, abs=1e-6)
    assert fit.iterations == 20
    assert fit.loglik == pytest.approx((-8.5251613610654147, -4.7874917450453314), abs=1e-6)


def test_non_convergence_warns_as_R_does() -> None:
    """R: coxph(Surv(time, event) ~ arm + x, data.frame(time = c(1,2,2,3,4,5),
    event = c(1,1,1,0,1,0), x = 0:5, arm = event)) warns 'Ran out of iterations and did not
    converge' with coef c(19.253692, -1.199747) and iter 21."""
    with pytest.warns(TrialdeskWarning, match="did not converge"):
        fit = cox_ph(TIME, EVENT, {"arm": EVENT.astype(float), "x": np.arange(6.0)})
    assert not fit.converged
    assert fit.iterations == 21
    np.testing.assert_allclose(fit.coef, [19.253692, -1.199747], atol=1e-6)


def _data(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whole-day times (ties), a 0/1 and a normal covariate; the first four patients die
    together first with covariates (0, -1), (0, 1), (1, -1), (1, 1), so no direction of the
    coefficients separates deaths from survivors (the estimate is finite)."""
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.integers(0, 2, n), rng.normal(size=n)])
    time = np.ceil(rng.exponential(10.0, n) * np.exp(-0.5 * x[:, 0]))
    event = (rng.random(n) < 0.7).astype(float)
    x[:4] = [[0, -1], [0, 1], [1, -1], [1, 1]]
    time[:4], event[:4] = 0.5, 1.0
    return time, event, x


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(8, 60), st.sampled_from(["efron", "breslow"]))
def test_row_order_shift_and_scale_do_not_change_the_model(seed: int, n: int, ties: str) -> None:
    time, event, x = _data(seed, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrialdeskWarning)
        fit = cox_ph(time, event, x, ties=ties)
        order = np.random.default_rng(seed).permutation(n)
        permuted = cox_ph(time[order], event[order], x[order], ties=ties)
        rescaled = cox_ph(time, event, x * [1.0, 3.0] + [5.0, -2.0], ties=ties)
        flipped = cox_ph(time, event, np.column_stack([1 - x[:, 0], x[:, 1]]), ties=ties)
    np.testing.assert_allclose(permuted.coef, fit.coef, atol=1e-8)
    np.testing.assert_allclose(rescaled.coef * [1.0, 3.0], fit.coef, atol=1e-8)
    np.testing.assert_allclose(flipped.coef * [-1.0, 1.0], fit.coef, atol=1e-8)
    assert permuted.loglik == pytest.approx(fit.loglik, abs=1e-8)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(8, 60), st.sampled_from(["efron", "breslow"]))
def test_splitting_rows_into_start_stop_pieces_changes_nothing(seed: int, n: int, ties: str) -> None:
    """(0, t] cut at s into (0, s] and (s, t] with the same covariates is the same likelihood,
    and the robust variance clustered by patient equals the unsplit robust variance."""
    time, event, x = _data(seed, n)
    cut = np.floor(time / 2)
    split = cut > 0
    patient = np.concatenate([np.arange(n), np.flatnonzero(split)])
    start = np.concatenate([np.where(split, cut, 0.0), np.zeros(split.sum())])
    stop = np.concatenate([time, cut[split]])
    died = np.concatenate([event, np.zeros(split.sum())])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrialdeskWarning)
        whole = cox_ph(time, event, x, ties=ties, robust=True)
        pieces = cox_ph(stop, died, x[patient], ties=ties, start=start, cluster=patient)
    np.testing.assert_allclose(pieces.coef, whole.coef, atol=1e-8)
    np.testing.assert_allclose(pieces.se, whole.se, atol=1e-8)
    np.testing.assert_allclose(pieces.robust_se, whole.robust_se, atol=1e-8)
    assert pieces.loglik == pytest.approx(whole.loglik, abs=1e-8)
    assert pieces.concordance == pytest.approx(whole.concordance, abs=1e-12)


def test_one_stratum_is_the_unstratified_model() -> None:
    time, event, x = _data(3, 40)
    fit = cox_ph(time, event, x)
    stratified = cox_ph(time, event, x, strata=np.full(40, "all"))
    np.testing.assert_allclose(stratified.coef, fit.coef, atol=1e-12)
    assert stratified.concordance_se == pytest.approx(fit.concordance_se, abs=1e-12)


def test_a_numeric_matrix_is_its_columns_x1_to_xp() -> None:
    """A plain array is used as it is (no copy): the same model as its columns given by name,
    the caller's array left unchanged, an infinite entry named by column and row."""
    time, event, x = _data(5, 40)
    x_int = np.column_stack([x[:, 0].astype(int), np.arange(40) % 3])
    for matrix in (x, x_int):
        before = matrix.copy()
        fit = cox_ph(time, event, matrix)
        by_name = cox_ph(time, event, {"x1": matrix[:, 0], "x2": matrix[:, 1]})
        assert fit.terms == by_name.terms == ("x1", "x2")
        np.testing.assert_allclose(fit.coef, by_name.coef, atol=1e-12)
        assert fit.concordance_pairs == by_name.concordance_pairs
        np.testing.assert_array_equal(matrix, before)
    bad = x.copy()
    bad[7, 1] = -np.inf
    with pytest.raises(InputError) as error:
        cox_ph(time, event, bad)
    assert (error.value.field, error.value.row) == ("X['x2']", 7)


def _efron_by_loop(stop: np.ndarray, death: np.ndarray, x: np.ndarray, stratum: np.ndarray,
                   start: np.ndarray, beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Efron's loglik, score and information summed death time by death time (docs/methods.md#efron)."""
    risk = np.exp(x @ beta)
    loglik, u, info = 0.0, np.zeros(x.shape[1]), np.zeros((x.shape[1],) * 2)
    for s, t in {(s, t) for s, t, d in zip(stratum, stop, death, strict=True) if d}:
        at_risk = (stratum == s) & (start < t) & (stop >= t)
        dying = (stratum == s) & (stop == t) & (death > 0)
        sums = [(risk[rows].sum(), risk[rows] @ x[rows], (x[rows] * risk[rows, None]).T @ x[rows])
                for rows in (at_risk, dying)]
        n_dying = int(dying.sum())
        loglik += float(np.log(risk[dying]).sum())
        u += x[dying].sum(axis=0)
        for k in range(n_dying):
            (s0, s1, s2), (d0, d1, d2) = sums
            fraction = k / n_dying
            denominator = s0 - fraction * d0
            zbar = (s1 - fraction * d1) / denominator
            loglik -= math.log(denominator)
            u -= zbar
            info += (s2 - fraction * d2) / denominator - np.outer(zbar, zbar)
    return loglik, u, info


def test_kernels_match_a_loop_over_death_times_and_reuse_their_workspace() -> None:
    """Strata, (start, stop] rows and tied deaths: the per-death-time sums equal Efron's formulas
    summed time by time, and an evaluation into a reused workspace equals a fresh one."""
    rng = np.random.default_rng(11)
    n = 120
    stop = rng.integers(1, 15, n).astype(float)
    start = np.where(rng.random(n) < 0.4, np.floor(stop * rng.random(n)), 0.0)
    death = (rng.random(n) < 0.7).astype(float)
    x = rng.normal(size=(n, 3))
    stratum = rng.integers(0, 3, n)
    risk_sets, blocked_x, _, _ = blocks_from_strata(stop, death, x, stratum, start)
    work = Workspace.allocate(risk_sets, blocked_x)
    beta = np.array([0.3, -0.2, 0.1])

    def evaluate(at: np.ndarray, workspace: Workspace) -> tuple[np.ndarray, ...]:
        beta_by_block = np.broadcast_to(at, (3, 3))
        sums = death_time_sums(risk_sets, blocked_x, beta_by_block, ties="efron", work=workspace)
        return (loglik(risk_sets, sums).sum(), score(risk_sets, blocked_x, sums).sum(axis=0),
                information(risk_sets, blocked_x, sums, workspace).sum(axis=0))

    evaluate(-2 * beta, work)
    reused = evaluate(beta, work)
    for got, fresh, by_loop in zip(reused, evaluate(beta, Workspace.allocate(risk_sets, blocked_x)),
                                   _efron_by_loop(stop, death, x, stratum, start, beta), strict=True):
        np.testing.assert_array_equal(got, fresh)
        np.testing.assert_allclose(got, by_loop, rtol=1e-12, atol=1e-12)
