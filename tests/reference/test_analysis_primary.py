"""The analysis plan's primary step and follow-up on R's reference data equal R's numbers.

The reference ``lung`` data stand in for a trial's RFS table: ``arm`` (reference ECOG0-1),
``time`` in days, ``sex`` as the stratum; landmarks 180, 365, 730 days, tau 730 days.
Estimates 1e-6, p-values 1e-4 (tests/conftest.py: ``load_reference``).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from trialdesk.analysis.follow_up import follow_up
from trialdesk.analysis.primary import primary_analysis

ARMS = ("ECOG0-1", "ECOG2-3")
EST = 1e-6
P = 1e-4


def _na(value: float | None) -> float:
    """R's NA (JSON null) as nan."""
    return float("nan") if value is None else float(value)


@pytest.fixture(scope="module")
def lung(reference_dir):
    reference = json.loads((reference_dir / "lung.json").read_text())
    data = pd.read_csv(reference_dir / "lung.csv")
    rfs = pd.DataFrame({"arm": data["arm"], "rfs_months": data["time"].astype(float),
                        "event": data["event"], "stratum": data["sex"].astype(str)})
    primary = primary_analysis(rfs, arms=ARMS, landmarks=(180, 365, 730), rmst_tau=730)
    return reference, rfs, primary


def test_medians_and_landmarks_per_arm(lung):
    """R: print(survfit(Surv(time, event) ~ arm, data = d)); summary(fit, times = c(180, 365, 730))."""
    reference, _, primary = lung
    for arm in ARMS:
        expected = reference["km"]["by_arm"][arm]["ci"]["log"]
        curve = primary.curve(arm)
        median = expected["median_print"]
        assert (curve.median, curve.median_lower, curve.median_upper) == pytest.approx(
            [_na(median["estimate"]), _na(median["lower"]), _na(median["upper"])], nan_ok=True)
        landmarks = [lm for lm in primary.landmarks if lm.arm == arm]
        assert [lm.survival for lm in landmarks] == pytest.approx(expected["landmark"]["surv"], abs=EST)
        assert [lm.lower for lm in landmarks] == pytest.approx(expected["landmark"]["lower"], abs=EST)
        assert [lm.upper for lm in landmarks] == pytest.approx(expected["landmark"]["upper"], abs=EST)


def test_stratified_and_unstratified_logrank(lung):
    """R: survdiff(Surv(time, event) ~ arm + strata(sex), data = d); survdiff(Surv(time, event) ~ arm)."""
    reference, _, primary = lung
    stratified = reference["logrank_stratified"]["sex"]
    assert primary.logrank_stratified.chisq == pytest.approx(stratified["chisq"], abs=EST)
    assert primary.logrank_stratified.p_value == pytest.approx(stratified["p"], abs=P)
    assert primary.logrank_stratified.expected == pytest.approx(stratified["expected"], abs=EST)
    assert primary.logrank_unstratified.chisq == pytest.approx(reference["logrank"]["chisq"], abs=EST)
    assert primary.logrank_unstratified.p_value == pytest.approx(reference["logrank"]["p"], abs=P)


def test_stratified_cox_hazard_ratio(lung):
    """R: coxph(Surv(time, event) ~ arm + strata(sex), data = d, ties = 'efron')."""
    reference, _, primary = lung
    expected = reference["cox"]["c_stratified"]["sex"]["efron"]
    hr = primary.cox_stratified[0]
    assert hr.term == "ECOG2-3 vs ECOG0-1"
    assert hr.coef == pytest.approx(expected["coef"][0], abs=EST)
    assert hr.se == pytest.approx(expected["se"][0], abs=EST)
    assert hr.hazard_ratio == pytest.approx(expected["hr"][0], abs=EST)
    assert hr.lower == pytest.approx(expected["hr_lower"][0], abs=EST)
    assert hr.upper == pytest.approx(expected["hr_upper"][0], abs=EST)
    assert hr.p_value == pytest.approx(expected["p"][0], abs=P)


def test_rmst_difference(lung):
    """R: summary(survfit(Surv(time, event) ~ arm, data = d), rmean = 730)$table, difference by hand."""
    reference, _, primary = lung
    rmst = reference["rmst"]
    assert primary.rmst.rmst == pytest.approx([rmst["by_arm"][a]["rmean"] for a in ARMS], abs=EST)
    assert primary.rmst.se == pytest.approx([rmst["by_arm"][a]["se"] for a in ARMS], abs=EST)
    derived = rmst["derived_difference_vs_reference"]["ECOG2-3"]
    assert primary.rmst.difference == pytest.approx(derived["diff"], abs=EST)
    assert primary.rmst.difference_se == pytest.approx(derived["se"], abs=EST)
    assert primary.rmst.p_value == pytest.approx(derived["p"], abs=P)


def test_median_follow_up(lung):
    """R: survfit(Surv(time, 1 - event) ~ 1, data = d, conf.type = 'log'); the same ~ arm."""
    reference, rfs, _ = lung
    result = follow_up(rfs, arms=ARMS)
    expected = reference["median_followup_reverse_km"]["pooled"]
    overall = result.overall
    assert (overall.median, overall.lower, overall.upper) == (
        expected["median"], expected["lower"], expected["upper"])
    by_arm = reference["median_followup_reverse_km"]["by_arm"]
    for group in result.groups[1:]:
        expected = by_arm[group.group]
        assert group.n == expected["counts"]["records"]
        assert (group.median, group.lower, group.upper) == pytest.approx(
            [_na(expected["median"]), _na(expected["lower"]), _na(expected["upper"])], nan_ok=True)
