"""trialdesk.design against rpact 3.3.4: every value in ../shared/reference/design.json.

Boundaries, probabilities and other design values: 1e-4 absolute; events, patients and
times: 1e-4 relative (../shared/reference/README.md). Each section's R call is in the JSON
(``call`` next to the numbers, and meta.calls); the test docstrings repeat them.

rpact orientation: the survival calls use ``directionUpper = FALSE`` and take the log-rank z
with the sign of HR < 1 (negative favours treatment); trialdesk's z is positive when
treatment is better, so rpact's -1 is our 1. rpact stores "no futility bound" as -6, ours is
-inf. Keys that are settings rather than results are listed in SETTINGS with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tests.conftest import load_reference
from trialdesk.design import (
    GroupSequentialDesign,
    SurvivalPlan,
    conditional_power,
    group_sequential,
    hazard_ratio_estimate,
    interim_decision,
    repeated_confidence_interval,
    repeated_p_value,
    survival_power,
    survival_sample_size,
)

DESIGN_TOLERANCE = 1e-4
RPACT_NO_FUTILITY = -6.0

REFERENCE = load_reference("design")

#: rpact keys that describe the call, not a result, and why nothing is compared.
SETTINGS = {
    "tolerance": "rpact's root-finding tolerance (1e-8); trialdesk solves to 1e-12",
    "twoSidedPower": "rpact option; trialdesk's power always counts the upper bound only (FALSE)",
    "thetaH0": "the null hazard ratio; trialdesk tests H0: HR = 1 only",
    "typeOfComputation": "trialdesk computes events by Schoenfeld's formula only",
    "directionUpper": "rpact's orientation; trialdesk's z > 0 favours treatment (module doc)",
    "pi1": "rates endpoints only (null here)",
    "pi2": "rates endpoints only (null here)",
    "optimumAllocationRatio": "rpact option (FALSE)",
    "accountForObservationTimes": "rpact option (TRUE: trialdesk always models accrual and follow-up)",
    "eventTime": "only for event probabilities given at a time (null here)",
    "kappa": "Weibull shape; trialdesk's survival is (piecewise) exponential, kappa = 1",
    "accrualIntensityRelative": "rpact's internal relative accrual intensity, not a result",
}

Getter = Callable[[Any], Any]


def _rpact_futility(bounds: np.ndarray) -> np.ndarray:
    return np.where(np.isneginf(bounds), RPACT_NO_FUTILITY, bounds)


def _spending_name(rpact_name: str) -> str | None:
    return {"asOF": "obrien_fleming_spending", "asP": "pocock_spending", "bsOF": "obrien_fleming_spending",
            "none": None}[rpact_name]


DESIGN_FIELDS: dict[str, Getter] = {
    "kMax": lambda d: d.n_looks,
    "alpha": lambda d: d.alpha,
    "beta": lambda d: d.beta,
    "sided": lambda d: d.sided,
    "typeOfDesign": lambda d: d.spending,
    "typeBetaSpending": lambda d: d.beta_spending,
    "informationRates": lambda d: d.information_rates,
    "criticalValues": lambda d: d.critical_values,
    "alphaSpent": lambda d: d.alpha_spent,
    "stageLevels": lambda d: d.stage_levels,
    "futilityBounds": lambda d: _rpact_futility(d.futility_bounds),
    "betaSpent": lambda d: d.beta_spent,
    # rpact fills design$power only for beta-spending designs (NA otherwise)
    "power": lambda d: d.power if d.beta_spending is not None else None,
    "bindingFutility": lambda d: d.binding,
    "deltaWT": lambda d: d.spending_parameter,
}

CHARACTERISTICS_FIELDS: dict[str, Getter] = {
    "nFixed": lambda d: d.fixed_information,
    "shift": lambda d: d.max_information,
    "inflationFactor": lambda d: d.inflation_factor,
    "stages": lambda d: np.arange(1, d.n_looks + 1),
    "information": lambda d: d.max_information * d.information_rates,
    "power": lambda d: d.power,
    "rejectionProbabilities": lambda d: d.rejection_probabilities,
    "futilityProbabilities": lambda d: d.futility_probabilities,
    "averageSampleNumber1": lambda d: d.expected_information_h1,
    "averageSampleNumber01": lambda d: d.expected_information_h01,
    "averageSampleNumber0": lambda d: d.expected_information_h0,
}


def _share(plan: SurvivalPlan, arm: int) -> float:
    treated = plan.allocation_ratio / (1.0 + plan.allocation_ratio)
    return treated if arm == 1 else 1.0 - treated


#: rpact getSampleSizeSurvival / getPowerSurvival keys -> trialdesk's SurvivalPlan.
PLAN_FIELDS: dict[str, Getter] = {
    "median1": lambda p: p.median_treatment,
    "median2": lambda p: p.median_control,
    "lambda1": lambda p: p.hazard_treatment[0],
    "lambda2": lambda p: p.hazard_control[0],
    "hazardRatio": lambda p: p.hazard_ratio,
    "maxNumberOfSubjects": lambda p: p.subjects,
    "maxNumberOfSubjects1": lambda p: p.subjects_treatment,
    "maxNumberOfSubjects2": lambda p: p.subjects_control,
    "maxNumberOfEvents": lambda p: p.events,
    "allocationRatioPlanned": lambda p: p.allocation_ratio,
    "accrualTime": lambda p: [p.accrual_time],
    "totalAccrualTime": lambda p: p.accrual_time,
    "accrualIntensity": lambda p: [p.accrual_rate],
    "piecewiseSurvivalTime": lambda p: p.piecewise_times,
    "followUpTime": lambda p: p.follow_up_time,
    "dropoutRate1": lambda p: p.dropout_rate,
    "dropoutRate2": lambda p: p.dropout_rate,
    "dropoutTime": lambda p: p.dropout_time,
    "omega": lambda p: p.event_probability,
    "eventsFixed": lambda p: p.events_fixed,
    "nFixed": lambda p: p.subjects_fixed,
    "nFixed1": lambda p: p.subjects_fixed * _share(p, 1),
    "nFixed2": lambda p: p.subjects_fixed * _share(p, 2),
    "informationRates": lambda p: p.design.information_rates,
    "rejectPerStage": lambda p: p.rejection_probabilities,
    "overallReject": lambda p: p.power,
    "futilityPerStage": lambda p: p.futility_probabilities,
    # NA in rpact for a one-look design, which has no interim to stop at
    "futilityStop": lambda p: p.futility_probabilities.sum() if p.design.n_looks > 1 else None,
    "earlyStop": lambda p: p.early_stop,
    "analysisTime": lambda p: p.analysis_times,
    "studyDuration": lambda p: p.expected_duration_h1,
    "studyDurationH1": lambda p: p.expected_duration_h1,
    "maxStudyDuration": lambda p: p.analysis_times[-1],
    "eventsPerStage": lambda p: p.events_per_stage,
    "expectedEventsH0": lambda p: p.expected_events_h0,
    "expectedEventsH01": lambda p: p.expected_events_h01,
    "expectedEventsH1": lambda p: p.expected_events_h1,
    "expectedNumberOfEvents": lambda p: p.expected_events_h1,
    "numberOfSubjects": lambda p: p.subjects_per_stage,
    "numberOfSubjects1": lambda p: p.subjects_per_stage * _share(p, 1),
    "numberOfSubjects2": lambda p: p.subjects_per_stage * _share(p, 2),
    "expectedNumberOfSubjectsH1": lambda p: p.expected_subjects_h1,
    "expectedNumberOfSubjects": lambda p: p.expected_subjects_h1,
    "criticalValuesEffectScale": lambda p: p.critical_hazard_ratios,
    "criticalValuesPValueScale": lambda p: p.design.stage_levels,
}

#: Values counted or timed: compared relative to their size.
RELATIVE = {"median1", "median2", "maxNumberOfSubjects", "maxNumberOfSubjects1", "maxNumberOfSubjects2",
            "maxNumberOfEvents", "accrualTime", "totalAccrualTime", "accrualIntensity", "followUpTime",
            "eventsFixed", "nFixed", "nFixed1", "nFixed2", "analysisTime", "studyDuration",
            "studyDurationH1", "maxStudyDuration", "eventsPerStage", "expectedEventsH0",
            "expectedEventsH01", "expectedEventsH1", "expectedNumberOfEvents", "numberOfSubjects",
            "numberOfSubjects1", "numberOfSubjects2", "expectedNumberOfSubjectsH1",
            "expectedNumberOfSubjects", "expected_events"}


def _assert_matches(key: str, ours: Any, expected: Any, where: str) -> None:
    """Compare one rpact value (JSON null = NA: ours must be None, NaN or absent)."""
    if isinstance(expected, (str, bool)) or expected is None:
        if isinstance(expected, str) and key in ("typeOfDesign", "typeBetaSpending"):
            expected = _spending_name(expected)
        assert ours == expected or (expected is None and ours is None), f"{where}.{key}: {ours!r}"
        return
    if isinstance(expected, list) and all(v is None for v in expected):
        assert ours is None or np.all(np.isnan(np.asarray(ours, dtype=float))), f"{where}.{key}"
        return
    wanted = np.array([math.nan if v is None else v for v in np.atleast_1d(expected)], dtype=float)
    got = np.atleast_1d(np.asarray(ours, dtype=float))
    defined = ~np.isnan(wanted)
    assert got.shape == wanted.shape, f"{where}.{key}: shape {got.shape} vs {wanted.shape}"
    if key in RELATIVE:
        np.testing.assert_allclose(got[defined], wanted[defined], rtol=DESIGN_TOLERANCE, atol=0,
                                   err_msg=f"{where}.{key}")
    else:
        np.testing.assert_allclose(got[defined], wanted[defined], rtol=0, atol=DESIGN_TOLERANCE,
                                   err_msg=f"{where}.{key}")


def _compare_block(block: dict[str, Any], fields: dict[str, Getter], result: Any, where: str) -> None:
    unmapped = set(block) - set(fields) - set(SETTINGS) - {"call"}
    assert not unmapped, f"{where}: rpact keys without a trialdesk counterpart: {sorted(unmapped)}"
    for key, getter in fields.items():
        if key in block:
            _assert_matches(key, getter(result), block[key], where)


def _design_from_call(entry: dict[str, Any]) -> GroupSequentialDesign:
    settings = entry["design"]
    beta_spending = None if settings["typeBetaSpending"] == "none" else settings["typeBetaSpending"]
    return group_sequential(settings["informationRates"], alpha=settings["alpha"], beta=settings["beta"],
                            sided=settings["sided"], spending=settings["typeOfDesign"],
                            beta_spending=beta_spending, binding=settings["bindingFutility"])


@pytest.mark.parametrize("name", sorted(REFERENCE["group_sequential_designs"]))
def test_group_sequential_design_matches_rpact(name: str) -> None:
    """R: getDesignGroupSequential(typeOfDesign = ..., sided = 1, alpha = 0.025, beta = 0.2,
    informationRates = ...) and getDesignCharacteristics(design); the exact call is the
    entry's ``call`` (e.g. typeOfDesign = 'asOF', typeBetaSpending = 'bsOF',
    bindingFutility = FALSE, informationRates = c(0.5, 0.75, 1))."""
    entry = REFERENCE["group_sequential_designs"][name]
    design = _design_from_call(entry)
    _compare_block(entry["design"], DESIGN_FIELDS, design, f"{name}.design")
    _compare_block(entry["characteristics"], CHARACTERISTICS_FIELDS, design, f"{name}.characteristics")


def _two_stage_design() -> GroupSequentialDesign:
    """R: design_asOF2 <- getDesignGroupSequential(typeOfDesign = 'asOF', sided = 1,
    alpha = 0.025, beta = 0.2, informationRates = c(0.6, 1))."""
    return group_sequential([0.6, 1.0], alpha=0.025, beta=0.2, sided=1, spending="asOF")


def _design_named(name: str) -> GroupSequentialDesign | None:
    return {"fixed": None, "asOF2": _two_stage_design()}[name]


@pytest.mark.parametrize("design_name", ["fixed", "asOF2"])
def test_survival_sample_size_matches_rpact(design_name: str) -> None:
    """R: getSampleSizeSurvival(design = design_fixed / design_asOF2, hazardRatio = 0.65,
    lambda2 = log(2) / 18, accrualTime = c(0, 36), followUpTime = 12, allocationRatioPlanned = 1)
    with design_fixed <- getDesignGroupSequential(kMax = 1, sided = 1, alpha = 0.025, beta = 0.2)."""
    case = REFERENCE["sample_size_survival"]["HR0.65"]
    plan = survival_sample_size(hazard_ratio=case["hazard_ratio"], median_control=case["median2"],
                                accrual_time=case["accrual_time"], follow_up_time=case["follow_up_time"],
                                allocation_ratio=1.0, design=_design_named(design_name))
    assert plan.hazard_control[0] == pytest.approx(case["lambda2"], abs=1e-12)
    _compare_block(case[design_name], PLAN_FIELDS, plan, f"sample_size.{design_name}")


EVENT_PROBABILITY_FIELDS: dict[str, Getter] = {
    **{key: PLAN_FIELDS[key] for key in ("piecewiseSurvivalTime", "lambda1", "lambda2", "hazardRatio",
                                         "allocationRatioPlanned", "dropoutRate1", "dropoutRate2",
                                         "dropoutTime")},
    "time": lambda p: p.accrual_time + p.follow_up_time,
    "accrualTime": lambda p: p.accrual_time,
    "accrualIntensity": lambda p: p.accrual_rate,
    "maxNumberOfSubjects": lambda p: p.subjects,
    "overallEventProbabilities": lambda p: p.event_probability,
    "cumulativeEventProbabilities": lambda p: p.event_probability,
    "eventProbabilities1": lambda p: p.event_probability_treatment,
    "eventProbabilities2": lambda p: p.event_probability_control,
}


@pytest.mark.parametrize("design_name", ["fixed", "asOF2"])
def test_survival_power_matches_rpact(design_name: str) -> None:
    """R: getPowerSurvival(design = design_fixed / design_asOF2, hazardRatio = 0.65,
    lambda2 = log(2) / 18, accrualTime = c(0, 36), maxNumberOfSubjects = 120,
    maxNumberOfEvents = 70.26708763589588, allocationRatioPlanned = 1, directionUpper = FALSE),
    the events being 120 * getEventProbabilities(time = 36 + 12, ...)$overallEventProbabilities."""
    case = REFERENCE["power_survival"]["N120_HR0.65"]
    plan = survival_power(hazard_ratio=case["hazard_ratio"], median_control=case["median2"],
                          subjects=case["n_subjects"], accrual_time=case["accrual_time"],
                          follow_up_time=case["follow_up_after_accrual"], design=_design_named(design_name))
    _assert_matches("expected_events", plan.events, case["expected_events"], "power")
    _compare_block(case["event_probabilities"], EVENT_PROBABILITY_FIELDS, plan, "power.event_probabilities")
    _compare_block(case[design_name], PLAN_FIELDS, plan, f"power.{design_name}")


CONDITIONAL = REFERENCE["conditional_power"]["z1"]
Z = CONDITIONAL["interim_z_favouring_treatment"]
EVENTS_INTERIM = CONDITIONAL["events_interim"]
EVENTS_FINAL = CONDITIONAL["events_final"]


def test_stage_results_effect_size_matches_rpact() -> None:
    """R: getStageResults(design_asOF2, dataInput = getDataset(cumulativeEvents = c(48),
    cumulativeLogRanks = c(-1), cumulativeAllocationRatios = c(1)), stage = 1,
    directionUpper = FALSE)$effectSizes; its test statistics are -z (rpact's orientation),
    its p-values 1 - pnorm(z) and its events the 48 entered."""
    results = CONDITIONAL["stage_results"]
    assert results["overallTestStatistics"][0] == -Z
    assert results["overallEvents"][0] == EVENTS_INTERIM
    _assert_matches("effectSizes", hazard_ratio_estimate(Z, EVENTS_INTERIM), results["effectSizes"][0],
                    "stage_results")


@pytest.mark.parametrize(("block", "hazard_ratio"), [
    ("observed_effect", None),
    ("planned_effect", 0.65),
    ("check_upper_orientation", 0.65),
])
def test_conditional_power_matches_rpact(block: str, hazard_ratio: float | None) -> None:
    """R: getConditionalPower(stageResults, nPlanned = c(32)) (observed effect) and
    getConditionalPower(stageResults, nPlanned = c(32), thetaH1 = 0.65) (planned effect),
    stageResults as in test_stage_results_effect_size_matches_rpact; and the same with
    cumulativeLogRanks = c(1), directionUpper = TRUE, thetaH1 = 1 / 0.65."""
    entry = CONDITIONAL[block]
    if hazard_ratio is None:
        hazard_ratio = hazard_ratio_estimate(Z, EVENTS_INTERIM)
        _assert_matches("hazard_ratio", hazard_ratio, entry["hazard_ratio"], block)
    power = conditional_power(_two_stage_design(), Z, stage=1, events_planned=EVENTS_FINAL,
                              hazard_ratio=hazard_ratio)
    _assert_matches("conditionalPower", [math.nan, power], entry["conditionalPower"], block)


@pytest.mark.parametrize(("block", "hazard_ratio_planned"), [
    ("analysis_results_observed", None),
    ("analysis_results_planned", 0.65),
])
def test_analysis_results_match_rpact(block: str, hazard_ratio_planned: float | None) -> None:
    """R: getAnalysisResults(design_asOF2, dataInput = getDataset(cumulativeEvents = c(48),
    cumulativeLogRanks = c(-1), cumulativeAllocationRatios = c(1)), directionUpper = FALSE,
    nPlanned = c(32)) and the same with thetaH1 = 0.65; getTestActions(stageResults)."""
    entry = CONDITIONAL[block]
    design = _two_stage_design()
    decision = interim_decision(design, EVENTS_INTERIM, EVENTS_FINAL, Z,
                                hazard_ratio_planned=hazard_ratio_planned)
    theta = hazard_ratio_planned if hazard_ratio_planned is not None else decision.hazard_ratio
    power = (decision.conditional_power_observed if hazard_ratio_planned is None
             else decision.conditional_power_planned)
    lower, upper = repeated_confidence_interval(design, Z, stage=1, events=EVENTS_INTERIM)
    ours = {
        "testActions": [decision.decision, None],
        "conditionalRejectionProbabilities": [
            conditional_power(design, Z, stage=1, events_planned=EVENTS_FINAL, hazard_ratio=1.0), math.nan],
        "conditionalPower": [math.nan, power],
        "thetaH1": theta,
        "repeatedConfidenceIntervalLowerBounds": [lower, math.nan],
        "repeatedConfidenceIntervalUpperBounds": [upper, math.nan],
        "repeatedPValues": [repeated_p_value(design, Z, stage=1), math.nan],
    }
    assert set(entry) - {"call"} == set(ours)
    assert entry["testActions"] == ours["testActions"]
    assert CONDITIONAL["test_actions"]["actions"] == ours["testActions"]
    assert decision.repeated_ci == (lower, upper)
    for key, value in ours.items():
        if key != "testActions":
            _assert_matches(key, value, entry[key], block)
