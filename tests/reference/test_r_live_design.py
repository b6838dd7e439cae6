"""Configurations design.json does not hold, against rpact run live (needs Rscript and rpact).

One Rscript run (about 1.5 s) computes every case; each test docstring holds its R call.
Tolerances as for the stored reference: boundaries and probabilities 1e-4 absolute,
events, patients and times 1e-4 relative.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.reference.r_session import requires_r
from trialdesk.design import (
    conditional_power,
    group_sequential,
    repeated_confidence_interval,
    repeated_p_value,
    survival_sample_size,
)

pytestmark = [pytest.mark.r_live, requires_r("rpact")]

DESIGN_TOLERANCE = 1e-4

#: name -> (rpact call, trialdesk keyword arguments of group_sequential)
DESIGNS: dict[str, tuple[str, dict[str, Any]]] = {
    "asOF_two_sided": ("getDesignGroupSequential(typeOfDesign = 'asOF', sided = 2, alpha = 0.05, "
                       "informationRates = c(0.3, 0.7, 1))",
                       {"information_rates": [0.3, 0.7, 1], "sided": 2, "alpha": 0.05}),
    "asHSD_gamma_-4": ("getDesignGroupSequential(typeOfDesign = 'asHSD', gammaA = -4, alpha = 0.025, "
                       "informationRates = c(0.3, 0.7, 1))",
                       {"information_rates": [0.3, 0.7, 1], "spending": "asHSD", "spending_parameter": -4}),
    "asKD_rho_2": ("getDesignGroupSequential(typeOfDesign = 'asKD', gammaA = 2, alpha = 0.025, "
                   "informationRates = c(0.3, 0.7, 1))",
                   {"information_rates": [0.3, 0.7, 1], "spending": "kim_demets", "spending_parameter": 2}),
    "OF_3": ("getDesignGroupSequential(typeOfDesign = 'OF', alpha = 0.025, kMax = 3)",
             {"information_rates": [1 / 3, 2 / 3, 1], "spending": "OF"}),
    "WT_0.25": ("getDesignGroupSequential(typeOfDesign = 'WT', deltaWT = 0.25, alpha = 0.025, kMax = 3)",
                {"information_rates": [1 / 3, 2 / 3, 1], "spending": "WT", "spending_parameter": 0.25}),
    "asOF_bsOF_binding": ("getDesignGroupSequential(typeOfDesign = 'asOF', typeBetaSpending = 'bsOF', "
                          "bindingFutility = TRUE, alpha = 0.025, informationRates = c(0.5, 0.75, 1))",
                          {"information_rates": [0.5, 0.75, 1], "beta_spending": "bsOF", "binding": True}),
    "asHSD_bsHSD": ("getDesignGroupSequential(typeOfDesign = 'asHSD', gammaA = -2, "
                    "typeBetaSpending = 'bsHSD', gammaB = -2, alpha = 0.025, "
                    "informationRates = c(0.4, 0.7, 1))",
                    {"information_rates": [0.4, 0.7, 1], "spending": "asHSD", "spending_parameter": -2,
                     "beta_spending": "bsHSD", "beta_spending_parameter": -2}),
}

SAMPLE_SIZE_CALL = (
    "getSampleSizeSurvival(design = getDesignGroupSequential(typeOfDesign = 'asOF', "
    "informationRates = c(0.5, 1)), hazardRatio = 0.7, piecewiseSurvivalTime = c(0, 6, 12), "
    "lambda2 = c(0.03, 0.05, 0.02), accrualTime = c(0, 24), followUpTime = 18, "
    "allocationRatioPlanned = 2, dropoutRate1 = 0.1, dropoutRate2 = 0.1, dropoutTime = 12)")

SCRIPT = """
suppressPackageStartupMessages({library(rpact); library(jsonlite)})
designs <- list(%s)
out <- lapply(designs, function(d) {
  dc <- getDesignCharacteristics(d)
  list(criticalValues = d$criticalValues, futilityBounds = d$futilityBounds,
       alphaSpent = d$alphaSpent, inflationFactor = dc$inflationFactor, power = dc$power,
       averageSampleNumber0 = dc$averageSampleNumber0, averageSampleNumber1 = dc$averageSampleNumber1)
})
ss <- %s
out$sample_size <- list(maxNumberOfEvents = ss$maxNumberOfEvents,
                        maxNumberOfSubjects = ss$maxNumberOfSubjects,
                        analysisTime = as.vector(ss$analysisTime),
                        numberOfSubjects = as.vector(ss$numberOfSubjects),
                        expectedEventsH1 = ss$expectedEventsH1)
d3 <- getDesignGroupSequential(typeOfDesign = 'asOF', typeBetaSpending = 'bsOF',
                               informationRates = c(0.5, 0.75, 1))
cp <- getConditionalPower(getStageResults(d3, dataInput = getDataset(cumulativeEvents = c(50),
  cumulativeLogRanks = c(-1.2), cumulativeAllocationRatios = c(1)), stage = 1, directionUpper = FALSE),
  nPlanned = c(25, 25), thetaH1 = 0.7)
d2 <- getDesignGroupSequential(typeOfDesign = 'asOF', sided = 2, alpha = 0.05,
                               informationRates = c(0.4, 0.7, 1))
invisible(capture.output(ar <- getAnalysisResults(d2, dataInput = getDataset(
  cumulativeEvents = c(40, 70), cumulativeLogRanks = c(-1.5, -2.1), cumulativeAllocationRatios = c(1, 1)),
  directionUpper = FALSE, nPlanned = c(30), thetaH1 = 0.7)))
out$monitoring <- list(conditionalPowerThreeLooks = cp$conditionalPower[3],
                       conditionalPowerTwoSided = ar$conditionalPower[3],
                       rciLower = ar$repeatedConfidenceIntervalLowerBounds[1:2],
                       rciUpper = ar$repeatedConfidenceIntervalUpperBounds[1:2],
                       repeatedPValues = ar$repeatedPValues[1:2])
cat(toJSON(out, digits = NA))
"""


@pytest.fixture(scope="module")
def rpact(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    calls = ", ".join(f"`{name}` = {call}" for name, (call, _) in DESIGNS.items())
    script = Path(tmp_path_factory.mktemp("rpact")) / "design.R"
    script.write_text(SCRIPT % (calls, SAMPLE_SIZE_CALL))
    completed = subprocess.run(["Rscript", str(script)], capture_output=True, text=True, check=False,
                               timeout=120)
    if completed.returncode != 0:
        pytest.fail(f"Rscript failed: {completed.stderr[-2000:]}")
    return json.loads(completed.stdout)


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_design_matches_live_rpact(rpact: dict[str, Any], name: str) -> None:
    """R: the call in DESIGNS[name], then getDesignCharacteristics(design) (e.g.
    getDesignGroupSequential(typeOfDesign = 'asHSD', gammaA = -4, alpha = 0.025,
    informationRates = c(0.3, 0.7, 1)))."""
    expected = rpact[name]
    design = group_sequential(**DESIGNS[name][1])
    futility = np.where(np.isneginf(design.futility_bounds), -6.0, design.futility_bounds)
    for ours, key in [(design.critical_values, "criticalValues"), (futility, "futilityBounds"),
                      (design.alpha_spent, "alphaSpent"), (design.inflation_factor, "inflationFactor"),
                      (design.power, "power"), (design.expected_information_h0, "averageSampleNumber0"),
                      (design.expected_information_h1, "averageSampleNumber1")]:
        np.testing.assert_allclose(ours, expected[key], atol=DESIGN_TOLERANCE, rtol=0, err_msg=key)


def test_piecewise_sample_size_with_dropout_matches_live_rpact(rpact: dict[str, Any]) -> None:
    """R: getSampleSizeSurvival(design = getDesignGroupSequential(typeOfDesign = 'asOF',
    informationRates = c(0.5, 1)), hazardRatio = 0.7, piecewiseSurvivalTime = c(0, 6, 12),
    lambda2 = c(0.03, 0.05, 0.02), accrualTime = c(0, 24), followUpTime = 18,
    allocationRatioPlanned = 2, dropoutRate1 = 0.1, dropoutRate2 = 0.1, dropoutTime = 12)."""
    expected = rpact["sample_size"]
    plan = survival_sample_size(hazard_ratio=0.7, hazard_control=[0.03, 0.05, 0.02],
                                piecewise_times=[0, 6, 12], accrual_time=24.0, follow_up_time=18.0,
                                allocation_ratio=2.0, dropout_rate=0.1, dropout_time=12.0,
                                design=group_sequential([0.5, 1.0]))
    for ours, key in [(plan.events, "maxNumberOfEvents"), (plan.subjects, "maxNumberOfSubjects"),
                      (plan.analysis_times, "analysisTime"), (plan.subjects_per_stage, "numberOfSubjects"),
                      (plan.expected_events_h1, "expectedEventsH1")]:
        np.testing.assert_allclose(ours, expected[key], rtol=DESIGN_TOLERANCE, atol=0, err_msg=key)


def test_monitoring_matches_live_rpact(rpact: dict[str, Any]) -> None:
    """R: getConditionalPower(getStageResults(getDesignGroupSequential(typeOfDesign = 'asOF',
    typeBetaSpending = 'bsOF', informationRates = c(0.5, 0.75, 1)), dataInput = getDataset(
    cumulativeEvents = c(50), cumulativeLogRanks = c(-1.2), cumulativeAllocationRatios = c(1)),
    stage = 1, directionUpper = FALSE), nPlanned = c(25, 25), thetaH1 = 0.7); and
    getAnalysisResults(getDesignGroupSequential(typeOfDesign = 'asOF', sided = 2, alpha = 0.05,
    informationRates = c(0.4, 0.7, 1)), dataInput = getDataset(cumulativeEvents = c(40, 70),
    cumulativeLogRanks = c(-1.5, -2.1), cumulativeAllocationRatios = c(1, 1)),
    directionUpper = FALSE, nPlanned = c(30), thetaH1 = 0.7). rpact's -z is our z."""
    expected = rpact["monitoring"]
    with_futility = group_sequential([0.5, 0.75, 1.0], beta_spending="bsOF")
    two_sided = group_sequential([0.4, 0.7, 1.0], alpha=0.05, sided=2)
    looks = [(1, 1.5, 40), (2, 2.1, 70)]
    ours = {
        "conditionalPowerThreeLooks": conditional_power(with_futility, 1.2, stage=1, events_planned=100,
                                                        hazard_ratio=0.7),
        "conditionalPowerTwoSided": conditional_power(two_sided, 2.1, stage=2, events_planned=100,
                                                      hazard_ratio=0.7),
        "rciLower": [repeated_confidence_interval(two_sided, z, stage=k, events=e)[0] for k, z, e in looks],
        "rciUpper": [repeated_confidence_interval(two_sided, z, stage=k, events=e)[1] for k, z, e in looks],
        "repeatedPValues": [repeated_p_value(two_sided, z, stage=k) for k, z, _ in looks],
    }
    for key, value in ours.items():
        np.testing.assert_allclose(value, expected[key], atol=DESIGN_TOLERANCE, rtol=0, err_msg=key)
