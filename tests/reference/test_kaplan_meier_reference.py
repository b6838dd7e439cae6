"""Kaplan-Meier, median, quantiles, landmarks, reverse KM and RMST against R survival 3.5-3.

Every number under "km", "median_followup_reverse_km" and "rmst" in aml.json and lung.json
(../shared/reference) is compared: estimates 1e-6 absolute, counts and times exactly, null as
NaN. R calls (``d`` read as each JSON's meta.data_setup says):

- ``survfit(Surv(time, event) ~ 1, data = d, conf.type = ct, conf.int = 0.95)`` and ``~ arm``
- ``quantile(fit, probs = c(0.25, 0.5, 0.75), conf.int = TRUE)``
- ``summary(fit, times = meta$landmark_times)``
- ``survfit(Surv(time, 1 - event) ~ 1, data = d, conf.type = 'log')`` and ``~ arm``
- ``summary(survfit(Surv(time, event) ~ arm, data = d), rmean = tau)$table``

Cumulative-hazard (Nelson-Aalen) columns are not part of trialdesk's Kaplan-Meier result and
are not compared.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.stats import norm

from tests.conftest import load_reference
from tests.reference.reference_data import as_float, reference_frame
from tests.reference.tolerances import ESTIMATE, P_VALUE
from trialdesk.survival import (
    KaplanMeier,
    kaplan_meier,
    kaplan_meier_by_group,
    median_follow_up,
    median_follow_up_by_group,
)

CONF_TYPES = ("log", "log-log", "plain")
QUANTILES = {"p25": 0.25, "median": 0.5, "p75": 0.75}


def assert_estimate(actual: Any, expected: Any) -> None:
    """Equal within 1e-6 absolute, NaN exactly where R has null."""
    np.testing.assert_allclose(np.asarray(actual, dtype=float), as_float(expected), rtol=0,
                               atol=ESTIMATE)


def assert_exact(actual: Any, expected: Any) -> None:
    """Counts, times, medians and percentiles: identical (NaN where R has null)."""
    np.testing.assert_array_equal(np.asarray(actual, dtype=float), as_float(expected))


def _curves(name: str, conf_type: str, *, reverse: bool = False) -> dict[str, KaplanMeier]:
    data, _ = reference_frame(name)
    event = 1 - data["event"] if reverse else data["event"]
    curves = {"pooled": kaplan_meier(data["time"], event, conf_type=conf_type)}
    curves.update(kaplan_meier_by_group(data["time"], event, data["arm"], conf_type=conf_type))
    return curves


def _curve_cases() -> list[Any]:
    cases = []
    for name in ("aml", "lung"):
        reference = load_reference(name)
        for curve in ["pooled", *reference["km"]["by_arm"]]:
            for conf_type in CONF_TYPES:
                cases.append(pytest.param(name, curve, conf_type, id=f"{name}-{curve}-{conf_type}"))
    return cases


def _km_reference(reference: dict[str, Any], curve: str) -> dict[str, Any]:
    return reference["km"]["pooled"] if curve == "pooled" else reference["km"]["by_arm"][curve]


@pytest.mark.parametrize(("name", "curve", "conf_type"), _curve_cases())
def test_curve_matches_survfit(name: str, curve: str, conf_type: str) -> None:
    """R: survfit(Surv(time, event) ~ arm, data = d, conf.type = ct, conf.int = 0.95)."""
    km = _curves(name, conf_type)[curve]
    expected = _km_reference(load_reference(name), curve)
    for field in ("time", "n_risk", "n_event", "n_censor"):
        assert_exact(getattr(km, field), expected[field])
    assert_estimate(km.survival, expected["surv"])
    assert_estimate(km.std_err_cumhaz, expected["std_err_cumhaz"])
    assert_estimate(km.std_err**2, expected["greenwood_var_surv"])
    assert_estimate(km.lower, expected["ci"][conf_type]["lower"])
    assert_estimate(km.upper, expected["ci"][conf_type]["upper"])
    counts = expected["counts"]
    assert (km.n, int(km.n_risk.max()), int(km.n_risk[0]), int(km.n_event.sum())) == (
        counts["records"], counts["n_max"], counts["n_start"], counts["events"])


@pytest.mark.parametrize(("name", "curve", "conf_type"), _curve_cases())
def test_median_matches_print_survfit(name: str, curve: str, conf_type: str) -> None:
    """R: summary(fit, rmean = 'none')$table[c('median', '0.95LCL', '0.95UCL')] (print(fit))."""
    km = _curves(name, conf_type)[curve]
    printed = _km_reference(load_reference(name), curve)["ci"][conf_type]["median_print"]
    assert_exact([km.median, *km.median_ci],
                 [printed["estimate"], printed["lower"], printed["upper"]])


@pytest.mark.parametrize(("name", "curve", "conf_type"), _curve_cases())
def test_quantiles_match_quantile_survfit(name: str, curve: str, conf_type: str) -> None:
    """R: quantile(fit, probs = c(0.25, 0.5, 0.75), conf.int = TRUE)."""
    km = _curves(name, conf_type)[curve]
    expected = _km_reference(load_reference(name), curve)["ci"][conf_type]["quantiles"]
    for key, p in QUANTILES.items():
        row = expected[key]
        assert_exact(km.quantile(p), [row["estimate"], row["lower"], row["upper"]])


@pytest.mark.parametrize(("name", "curve", "conf_type"), _curve_cases())
def test_landmarks_match_summary_times(name: str, curve: str, conf_type: str) -> None:
    """R: summary(fit, times = meta$landmark_times) with conf.type = ct."""
    km = _curves(name, conf_type)[curve]
    expected = _km_reference(load_reference(name), curve)["ci"][conf_type]["landmark"]
    table = km.summary(times=expected["times_requested"]).columns
    assert_exact(table["time"], expected["time"])
    assert_exact(table["n.risk"], expected["n_risk"])
    assert_exact(table["n.event"], expected["n_event"])
    assert_exact(table["n.censor"], expected["n_censor"])
    assert_estimate(table["survival"], expected["surv"])
    assert_estimate(table["std.err"], expected["std_err_surv"])
    assert_estimate(table["lower 95% CI"], expected["lower"])
    assert_estimate(table["upper 95% CI"], expected["upper"])
    survival, lower, upper = km.at(expected["times_requested"])
    assert_estimate(survival, expected["surv"])
    assert_estimate(lower, expected["lower"])
    assert_estimate(upper, expected["upper"])


def test_aml_median_upper_limit_differs_between_print_and_quantile() -> None:
    """R: print(survfit(Surv(time, event) ~ 1, aml)) gives UCL 45; quantile() gives 48."""
    km = _curves("aml", "log")["pooled"]
    assert km.median_ci[1] == 45
    assert km.quantile(0.5).upper == 48


def _reverse_cases() -> list[Any]:
    return [pytest.param(name, curve, id=f"{name}-{curve}") for name in ("aml", "lung")
            for curve in ["pooled", *load_reference(name)["median_followup_reverse_km"]["by_arm"]]]


@pytest.mark.parametrize(("name", "curve"), _reverse_cases())
def test_median_follow_up_matches_reverse_survfit(name: str, curve: str) -> None:
    """R: survfit(Surv(time, 1 - event) ~ arm, data = d, conf.type = 'log'); print and quantile."""
    data, reference = reference_frame(name)
    block = reference["median_followup_reverse_km"]
    expected = block["pooled"] if curve == "pooled" else block["by_arm"][curve]
    if curve == "pooled":
        follow_up = median_follow_up(data["time"], data["event"])
    else:
        follow_up = median_follow_up_by_group(data["time"], data["event"], data["arm"])[curve]
    assert_exact(follow_up, [expected["median"], expected["lower"], expected["upper"]])
    reverse = _curves(name, "log", reverse=True)[curve]
    for key, p in QUANTILES.items():
        row = expected["quantiles"][key]
        assert_exact(reverse.quantile(p), [row["estimate"], row["lower"], row["upper"]])
    counts = expected["counts"]
    assert (reverse.n, int(reverse.n_risk.max()), int(reverse.n_risk[0]),
            int(reverse.n_event.sum())) == (
        counts["records"], counts["n_max"], counts["n_start"], counts["events"])


@pytest.mark.parametrize("name", ["aml", "lung"])
def test_rmst_matches_print_rmean(name: str) -> None:
    """R: summary(survfit(Surv(time, event) ~ arm, data = d), rmean = tau)$table; ~ 1 pooled."""
    expected = load_reference(name)["rmst"]
    tau = expected["tau"]
    curves = _curves(name, "log")
    estimates = {curve: curves[curve].rmst(tau) for curve in curves}
    assert_estimate(estimates["pooled"], [expected["pooled"]["rmean"], expected["pooled"]["se"]])
    for arm, row in expected["by_arm"].items():
        assert_estimate(estimates[arm], [row["rmean"], row["se"]])
    reference_arm = load_reference(name)["meta"]["reference_arm"]
    for arm, row in expected["derived_difference_vs_reference"].items():
        difference = estimates[arm].estimate - estimates[reference_arm].estimate
        se = np.hypot(estimates[arm].std_err, estimates[reference_arm].std_err)
        assert_estimate([difference, se, difference / se], [row["diff"], row["se"], row["z"]])
        assert 2 * norm.sf(abs(difference / se)) == pytest.approx(row["p"], abs=P_VALUE)
