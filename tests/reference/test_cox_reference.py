"""Cox models and cox.zph against R survival 3.5-3 on aml and lung (../shared/reference).

Every number under "cox" and "cox_zph" in aml.json and lung.json is compared: estimates 1e-6
absolute, p-values 1e-4, counts exactly. The R calls are in each JSON's meta.calls; `d` is
read as meta.data_setup says (arm a factor with meta.arm_levels, first level the reference).
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.conftest import load_reference
from tests.reference.reference_data import reference_frame
from tests.reference.tolerances import ESTIMATE, P_VALUE
from trialdesk.errors import TrialdeskWarning
from trialdesk.survival.cox import CoxFit, cox_ph


def _cases() -> list[Any]:
    cases = []
    for name in ("aml", "lung"):
        reference = load_reference(name)
        for model, entry in reference["cox"].items():
            if not entry:
                continue
            blocks = entry.items() if model == "c_stratified" else [(None, entry)]
            for stratum in (key for key, _ in blocks):
                for ties in ("efron", "breslow"):
                    cases.append(pytest.param(name, model, stratum, ties,
                                              id=f"{name}-{model}-{stratum or 'none'}-{ties}"))
    return cases


def _fit(name: str, model: str, stratum: str | None, ties: str, *, robust: bool) -> tuple[CoxFit, dict]:
    data, reference = reference_frame(name)
    terms = ["arm"] + (reference["meta"]["covariates_model_b"] if model == "b_adjusted" else [])
    expected = (reference["cox"][model][stratum] if stratum else reference["cox"][model])[ties]
    with _missing_rows_warning(data, terms):
        fit = cox_ph(data["time"], data["event"], data[terms], ties=ties, robust=robust,
                     strata=None if stratum is None else data[stratum])
    return fit, expected


def _missing_rows_warning(data: pd.DataFrame, terms: list[str]) -> Any:
    """Expect the dropped-rows warning exactly when a model variable has missing values."""
    if data[terms].isna().any().any():
        return pytest.warns(TrialdeskWarning, match=r"dropped \d+ of \d+ rows with missing values")
    return contextlib.nullcontext()


def _all_close(expected: dict[str, Any], actual: dict[str, Any]) -> None:
    """Each ``actual[key]`` against ``expected[key]``: p-values (keys ending in p) to 1e-4,
    everything else to 1e-6."""
    for key, value in actual.items():
        tolerance = P_VALUE if key == "p" else ESTIMATE
        np.testing.assert_allclose(value, expected[key], rtol=0, atol=tolerance, err_msg=key)


def _test_matches(actual: tuple, expected: dict[str, Any]) -> None:
    assert actual.statistic == pytest.approx(expected["statistic"], abs=ESTIMATE)
    assert actual.df == expected["df"]
    assert actual.p_value == pytest.approx(expected["p"], abs=P_VALUE)


@pytest.mark.parametrize(("name", "model", "stratum", "ties"), _cases())
def test_model_based_results_match_R(name: str, model: str, stratum: str | None, ties: str) -> None:
    """R: coxph(Surv(time, event) ~ arm [+ age + sex + wt_loss] [+ strata(sex)], data = d,
    ties = ties, na.action = na.omit): coef, se, hr with CI, z, p, variance, loglik, the three
    tests, n, nevent, n_excluded, iterations and concordance (meta.calls cox_*)."""
    fit, expected = _fit(name, model, stratum, ties, robust=False)
    assert fit.terms == tuple(expected["terms"])
    assert (fit.n, fit.n_events, fit.n_dropped) == (expected["n"], expected["nevent"], expected["n_excluded"])
    assert fit.iterations == expected["iterations"]
    _all_close(expected, {"coef": fit.coef, "se": fit.se, "hr": fit.hazard_ratio, "hr_lower": fit.ci.lower,
                          "hr_upper": fit.ci.upper, "z": fit.z, "p": fit.p_value, "variance": fit.variance,
                          "loglik_null": fit.loglik[0], "loglik_final": fit.loglik[1]})
    _test_matches(fit.lr_test, expected["lrt"])
    _test_matches(fit.wald_test, expected["wald"])
    _test_matches(fit.score_test, expected["score"])
    concordance = expected["concordance"]
    assert fit.concordance_pairs == tuple(float(concordance[k]) for k in
                                          ("concordant", "discordant", "tied_x", "tied_y", "tied_xy"))
    assert fit.concordance == pytest.approx(concordance["concordance"], abs=ESTIMATE)
    assert fit.concordance_se == pytest.approx(concordance["std"], abs=ESTIMATE)


@pytest.mark.parametrize(("name", "model", "stratum", "ties"), _cases())
def test_robust_results_match_R(name: str, model: str, stratum: str | None, ties: str) -> None:
    """R: coxph(Surv(time, event) ~ arm [+ age + sex + wt_loss] [+ strata(sex)], data = d,
    ties = ties, na.action = na.omit, robust = TRUE): robust se and variance, naive se, z, p,
    CI, robust Wald and robust score tests (meta.calls cox_*_robust)."""
    fit, expected = _fit(name, model, stratum, ties, robust=True)
    robust = expected["robust"]
    assert fit.terms == tuple(robust["terms"])
    _all_close(robust, {"coef": fit.coef, "robust_se": fit.robust_se, "naive_se": fit.se, "z": fit.z,
                        "p": fit.p_value, "hr_lower": fit.ci.lower, "hr_upper": fit.ci.upper,
                        "robust_variance": fit.robust_variance})
    _test_matches(fit.wald_test, robust["robust_wald"])
    _test_matches(fit.robust_score_test, robust["robust_score"])


@pytest.mark.parametrize("name", ["aml", "lung"])
@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("transform", ["km", "identity", "rank"])
def test_ph_test_matches_R_cox_zph(name: str, ties: str, transform: str) -> None:
    """R: cox.zph(coxph(Surv(time, event) ~ arm [+ age + sex + wt_loss], data = d, ties = ties,
    na.action = na.omit), transform = transform, terms = TRUE) (meta.calls zph_*)."""
    data, reference = reference_frame(name)
    terms = ["arm", *reference["meta"]["covariates_model_b"]]
    with _missing_rows_warning(data, terms):
        fit = cox_ph(data["time"], data["event"], data[terms], ties=ties)
    expected = reference["cox_zph"][ties][transform]
    zph = fit.ph_test(transform)
    assert [*zph.terms, "GLOBAL"] == expected["rows"]
    np.testing.assert_allclose(np.append(zph.chisq, zph.global_chisq), expected["chisq"],
                               rtol=0, atol=ESTIMATE)
    np.testing.assert_array_equal(np.append(zph.df, zph.global_df), expected["df"])
    np.testing.assert_allclose(np.append(zph.p_value, zph.global_p_value), expected["p"],
                               rtol=0, atol=P_VALUE)
