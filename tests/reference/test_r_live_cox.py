"""cox_ph and ph_test against live R on random data: ties, strata, (start, stop] with clusters.

Hypothesis draws small data sets (whole-day or continuous times, heavy or light censoring,
one to three strata); each example runs Rscript once (tests/reference/r_session.py) with the
calls in ``R_SCRIPT`` and compares: estimates and test statistics 1e-6 absolute, counts exactly.
The first four patients die together first with covariates (0, -1), (0, 1), (1, -1), (1, 1),
so every estimate is finite (no monotone likelihood, where R and we stop at arbitrary values),
and the fifth dies amid the others (cox.zph needs deaths at two times at least; where R
still finds its information singular, that transform is not compared).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from tests.reference.r_session import requires_r, run_r
from tests.reference.tolerances import ESTIMATE
from trialdesk.survival import cox_ph

pytestmark = [pytest.mark.r_live, requires_r("survival")]

R_SCRIPT = """
describe <- function(m) {
  list(coef = unname(coef(m)), se = unname(sqrt(diag(m$naive.var %||% m$var))),
       var = unname(c(m$var)), loglik = m$loglik, score = m$score, wald = m$wald.test,
       rscore = m$rscore %||% NA, iter = m$iter,
       concordance = unname(m$concordance[c('concordant', 'discordant', 'tied.x', 'tied.y',
                                            'tied.xy', 'concordance', 'std')]))
}
`%||%` <- function(a, b) if (is.null(a)) b else a
zph <- function(m) lapply(c(km = 'km', identity = 'identity', rank = 'rank'), function(tr)
  tryCatch(unname(c(cox.zph(m, transform = tr)$table[, 'chisq'])), error = function(e) NA))
efron <- coxph(Surv(time, event) ~ arm + x + strata(stratum), data = d, ties = 'efron')
breslow <- coxph(Surv(time, event) ~ arm + x + strata(stratum), data = d, ties = 'breslow')
robust <- coxph(Surv(time, event) ~ arm + x, data = d, ties = 'efron', robust = TRUE)
pieces <- coxph(Surv(start, stop, event) ~ arm + x + strata(stratum) + cluster(id), data = p,
                ties = 'efron')
out <- list(efron = describe(efron), breslow = describe(breslow), robust = describe(robust),
            pieces = describe(pieces), zph_efron = zph(efron), zph_breslow = zph(breslow),
            zph_pieces = zph(pieces))
"""


@st.composite
def cox_data(draw: st.DrawFn) -> dict[str, Any]:
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(10, 60))
    rng = np.random.default_rng(seed)
    arm = rng.integers(0, 2, n).astype(float)
    x = np.round(rng.normal(size=n), 3)
    raw = rng.exponential(20.0, n) * np.exp(-0.5 * arm + 0.3 * x)
    time = np.ceil(raw) if draw(st.booleans()) else np.round(raw, 6) + 0.001
    event = (rng.random(n) < draw(st.sampled_from([0.3, 0.7, 1.0]))).astype(float)
    arm[:4], x[:4], time[:4], event[:4] = [0, 0, 1, 1], [-1, 1, -1, 1], 0.5, 1.0
    time[4], event[4] = np.median(time[5:]) + 0.25, 1.0  # a later death amid others at risk
    stratum = rng.integers(0, draw(st.integers(1, 3)), n)
    stratum[:5] = 0
    return {"time": time, "event": event, "arm": arm, "x": x, "stratum": stratum}


def _split(data: dict[str, Any]) -> dict[str, Any]:
    """Each follow-up cut at half its length into (0, s] and (s, t] rows of the same patient."""
    cut = np.floor(data["time"] / 2)
    split = cut > 0
    patient = np.concatenate([np.arange(data["time"].shape[0]), np.flatnonzero(split)])
    return {"id": patient,
            "start": np.concatenate([np.where(split, cut, 0.0), np.zeros(split.sum())]),
            "stop": np.concatenate([data["time"], cut[split]]),
            "event": np.concatenate([data["event"], np.zeros(split.sum())]),
            "arm": data["arm"][patient], "x": data["x"][patient], "stratum": data["stratum"][patient]}


def _compare(fit: Any, expected: dict[str, Any], *, robust: bool = False) -> None:
    assert_allclose(fit.coef, expected["coef"], rtol=0, atol=ESTIMATE)
    assert_allclose(fit.se, expected["se"], rtol=0, atol=ESTIMATE)
    variance = fit.robust_variance if robust else fit.variance
    assert_allclose(variance.ravel(), expected["var"], rtol=0, atol=ESTIMATE)
    assert_allclose(fit.loglik, expected["loglik"], rtol=0, atol=ESTIMATE)
    assert fit.score_test.statistic == pytest.approx(expected["score"], abs=ESTIMATE)
    assert fit.wald_test.statistic == pytest.approx(expected["wald"], abs=ESTIMATE)
    if robust:
        assert fit.robust_score_test.statistic == pytest.approx(expected["rscore"], abs=ESTIMATE)
    assert list(fit.concordance_pairs) == expected["concordance"][:5]
    assert fit.concordance == pytest.approx(expected["concordance"][5], abs=ESTIMATE)
    assert fit.concordance_se == pytest.approx(expected["concordance"][6], abs=ESTIMATE)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cox_data())
def test_cox_ph_matches_live_R(data: dict[str, Any]) -> None:
    """R: the calls in R_SCRIPT: coxph(Surv(time, event) ~ arm + x + strata(stratum), ties =
    'efron' / 'breslow'), robust = TRUE, coxph(Surv(start, stop, event) ~ arm + x +
    strata(stratum) + cluster(id)) on the split rows, and cox.zph(fit, transform = 'km' /
    'identity' / 'rank') of the stratified and the split fits."""
    pieces = _split(data)
    expected = run_r(R_SCRIPT, {"d": data, "p": pieces})
    covariates = np.column_stack([data["arm"], data["x"]])
    for ties in ("efron", "breslow"):
        fit = cox_ph(data["time"], data["event"], covariates, strata=data["stratum"], ties=ties)
        _compare(fit, expected[ties])
        if ties == "efron":
            assert fit.iterations == expected[ties]["iter"]
        _compare_zph(fit, expected[f"zph_{ties}"])
    robust = cox_ph(data["time"], data["event"], covariates, robust=True)
    _compare(robust, expected["robust"], robust=True)
    split = cox_ph(pieces["stop"], pieces["event"], np.column_stack([pieces["arm"], pieces["x"]]),
                   strata=pieces["stratum"], start=pieces["start"], cluster=pieces["id"])
    _compare(split, expected["pieces"], robust=True)
    _compare_zph(split, expected["zph_pieces"])


def _compare_zph(fit: Any, expected: dict[str, Any]) -> None:
    for transform, chisq in expected.items():
        if not isinstance(chisq, list):  # R: singular information (g(t) nearly constant)
            continue
        zph = fit.ph_test(transform)
        assert_allclose(np.append(zph.chisq, zph.global_chisq), chisq, rtol=0, atol=ESTIMATE)
