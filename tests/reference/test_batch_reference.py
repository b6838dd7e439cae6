"""The batch forms against R survival 3.5-3 on aml and lung (../shared/reference).

Each data set is analysed as a small batch: the pooled curve and one trial per arm (the other
arm masked out as padding), or the trial in its own order and reversed. Compared with the
same numbers as the single-trial reference tests: estimates 1e-6 absolute, p-values 1e-4,
medians exactly. ``d`` is read as each JSON's meta.data_setup says.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from tests.reference.reference_data import as_float, reference_frame
from tests.reference.tolerances import ESTIMATE, P_VALUE
from trialdesk.survival import batch

NAMES = ("aml", "lung")
CONF_TYPES = ("log", "log-log", "plain")


def _two_arm_batch(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """The trial in its own order and reversed: time, event, arm (1 = second level), reference."""
    data, reference = reference_frame(name)
    time, event = data["time"].to_numpy(float), data["event"].to_numpy(float)
    arm = data["arm"].cat.codes.to_numpy(float)
    return (*(np.stack([values, values[::-1]]) for values in (time, event, arm)), reference)


def _by_arm_batch(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], dict[str, Any]]:
    """Rows pooled, then one per arm (padding = the other arms): time, event, mask, curves."""
    data, reference = reference_frame(name)
    arms = list(reference["km"]["by_arm"])
    n = len(data)
    mask = np.array([np.ones(n, dtype=bool), *((data["arm"] == arm).to_numpy() for arm in arms)])
    time = np.broadcast_to(data["time"].to_numpy(float), mask.shape)
    event = np.broadcast_to(data["event"].to_numpy(float), mask.shape)
    return time, event, mask, ["pooled", *arms], reference


def _curve(block: dict[str, Any], curve: str) -> dict[str, Any]:
    return block["pooled"] if curve == "pooled" else block["by_arm"][curve]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("block", "rho"), [("logrank", 0.0), ("logrank_rho1", 1.0)])
def test_batch_logrank_matches_survdiff(name: str, block: str, rho: float) -> None:
    """R: survdiff(Surv(time, event) ~ arm, data = d, rho = rho)."""
    time, event, arm, reference = _two_arm_batch(name)
    expected = reference[block]
    for lr in (batch.logrank_test(time, event, arm, rho=rho),
               batch.logrank_and_cox(time, event, arm, rho=rho)[0]):
        assert_array_equal(lr.df, [expected["df"]] * 2)
        assert_allclose(lr.chisq, [expected["chisq"]] * 2, rtol=0, atol=ESTIMATE)
        assert_allclose(lr.p_value, [expected["p"]] * 2, rtol=0, atol=P_VALUE)
        for field in ("observed", "expected"):
            assert_allclose(getattr(lr, field), [expected[field]] * 2, rtol=0, atol=ESTIMATE)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_batch_cox_matches_coxph(name: str, ties: str) -> None:
    """R: coxph(Surv(time, event) ~ arm, data = d, ties = ties) (meta.calls cox_a_*)."""
    time, event, arm, reference = _two_arm_batch(name)
    expected = reference["cox"]["a_arm"][ties]
    for fit in (batch.cox_ph(time, event, arm, ties=ties),
                batch.logrank_and_cox(time, event, arm, ties=ties)[1]):
        assert_allclose(fit.coef, expected["coef"] * 2, rtol=0, atol=ESTIMATE)
        assert_allclose(fit.se, expected["se"] * 2, rtol=0, atol=ESTIMATE)
        assert fit.converged.all()


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("conf_type", CONF_TYPES)
def test_batch_km_matches_survfit(name: str, conf_type: str) -> None:
    """R: survfit(Surv(time, event) ~ 1 and ~ arm, data = d, conf.type = ct): print(fit)'s
    median and CI; summary(fit, times = meta$landmark_times)."""
    time, event, mask, curves, reference = _by_arm_batch(name)
    medians = batch.km_median(time, event, mask, conf_type=conf_type)
    landmarks = reference["km"]["pooled"]["ci"][conf_type]["landmark"]["times_requested"]
    at = batch.km_ci_at(time, event, landmarks, mask, conf_type=conf_type)
    survival = batch.km_at(time, event, landmarks, mask)
    for i, curve in enumerate(curves):
        expected = _curve(reference["km"], curve)["ci"][conf_type]
        printed = expected["median_print"]
        assert_array_equal([medians.median[i], medians.lower[i], medians.upper[i]],
                           as_float([printed["estimate"], printed["lower"], printed["upper"]]))
        landmark = expected["landmark"]
        assert landmark["times_requested"] == landmarks
        for got, key in ((at.survival, "surv"), (at.lower, "lower"), (at.upper, "upper"),
                         (survival, "surv")):
            assert_allclose(got[i], as_float(landmark[key]), rtol=0, atol=ESTIMATE, err_msg=key)


@pytest.mark.parametrize("name", NAMES)
def test_batch_median_follow_up_matches_reverse_survfit(name: str) -> None:
    """R: survfit(Surv(time, 1 - event) ~ 1 and ~ arm, data = d, conf.type = 'log'), printed."""
    time, event, mask, curves, reference = _by_arm_batch(name)
    follow_up = batch.median_follow_up(time, event, mask)
    for i, curve in enumerate(curves):
        expected = _curve(reference["median_followup_reverse_km"], curve)
        assert_array_equal([follow_up.median[i], follow_up.lower[i], follow_up.upper[i]],
                           as_float([expected["median"], expected["lower"], expected["upper"]]))
