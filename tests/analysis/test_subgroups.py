"""Subgroup HRs equal the engine's Cox on each subset; interaction LR test by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy import stats

from tests.analysis.trial_factory import FACTORS, RESORT_ARMS, START, build_trial, exponential_trial
from trialdesk.analysis.datasets import build_analysis_datasets
from trialdesk.analysis.subgroups import subgroup_analysis
from trialdesk.survival import cox_ph


@pytest.fixture(scope="module")
def rfs():
    datasets = build_analysis_datasets(
        build_trial(exponential_trial(150, hazard_ratio=0.6, seed=21)),
        cutoff=START + dt.timedelta(days=1200), arms=RESORT_ARMS, control_arm="observation",
        stratification_factors=FACTORS)
    return datasets.rfs_for("itt")


def test_rows_per_level_equal_the_engine(rfs):
    result = subgroup_analysis(rfs, factors=FACTORS, control="observation", experimental="sorafenib")
    labels = [r.label for r in result.rows]
    assert labels[:4] == ["All patients", "nephrectomy_to_metastases", "<=12m", ">12m"]
    assert len(result.rows) == 1 + 3 * 3
    row = next(r for r in result.rows if r.factor == "disease_site" and r.level == "lung")
    subset = rfs[rfs["disease_site"] == "lung"]
    fit = cox_ph(subset["rfs_months"].to_numpy(), subset["event"].to_numpy(),
                 (subset["arm"] == "sorafenib").to_numpy(dtype=float)[:, None])
    assert row.hazard_ratio == pytest.approx(float(fit.hazard_ratio[0]), abs=1e-12)
    assert row.lower == pytest.approx(float(fit.ci.lower[0]), abs=1e-12)
    treated = subset[subset["arm"] == "sorafenib"]
    assert row.events[0] == int(treated["event"].sum())
    assert row.n[0] == len(treated)
    assert row.events_n == f"{row.events[0]}/{row.n[0]} vs {row.events[1]}/{row.n[1]}"


def test_interaction_is_a_likelihood_ratio_test(rfs):
    result = subgroup_analysis(rfs, factors=["lesions"], control="observation",
                               experimental="sorafenib")
    time, event = rfs["rfs_months"].to_numpy(), rfs["event"].to_numpy()
    treated = (rfs["arm"] == "sorafenib").to_numpy(dtype=float)
    single = (rfs["lesions"] == "single").to_numpy(dtype=float)
    reduced = cox_ph(time, event, np.column_stack([treated, single]))
    full = cox_ph(time, event, np.column_stack([treated, single, treated * single]))
    chisq = 2 * (full.loglik[1] - reduced.loglik[1])
    (test,) = result.interactions
    assert test.chisq == pytest.approx(chisq, abs=1e-9)
    assert test.p_value == pytest.approx(stats.chi2.sf(chisq, 1), abs=1e-12)
    assert result.interaction_p() == {"lesions": test.p_value}


def test_no_events_in_an_arm_is_not_estimable(rfs):
    subset = rfs.copy()
    subset.loc[(subset["arm"] == "sorafenib") & (subset["disease_site"] == "other"), "event"] = 0
    result = subgroup_analysis(subset, factors=["disease_site"], control="observation",
                               experimental="sorafenib")
    other = next(r for r in result.rows if r.level == "other")
    assert np.isnan(other.hazard_ratio)
    assert other.events[0] == 0
