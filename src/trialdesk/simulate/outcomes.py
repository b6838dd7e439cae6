"""Analyse a block of simulated trials at every planned look and apply the design's boundaries.

At each look the block's data at the cut-off go through the engine's batch forms
(``trialdesk.survival.batch``): the log-rank test (R ``survdiff``) and the Cox log hazard ratio
of the experimental arm vs the control (Efron ties) for every trial at once. The one-sided
statistic is z = sign(-log HR) * sqrt(chisq): positive favours the experimental arm. A trial
stops at the first look where z (|z| for a two-sided design) >= the efficacy bound (rejecting
H0) or z <= the futility bound; otherwise it runs to the last look (docs/simulate.md#analyses).

Estimates are taken at the look where the trial stops: log HR with its Wald CI, per arm the
Kaplan-Meier landmark rates and median, and the reverse Kaplan-Meier median follow-up.
Patients and events are those at that look; duration is its calendar month.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy import stats

from trialdesk.simulate.cutoff import AnalysisData, analysis_dates, data_at_cutoff
from trialdesk.simulate.generator import SimulatedTrials
from trialdesk.simulate.km_estimates import arm_estimates
from trialdesk.simulate.scenario import Scenario
from trialdesk.survival import batch

__all__ = ["TrialOutcomes", "analyse_trials"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrialOutcomes:
    """Per-trial results of a block (leading axis = trial).

    ``z``: (n_trials, n_looks) one-sided log-rank z; ``stopped_at``: look index of the
    decision; ``landmark``: (n_trials, n_arms, n_landmarks) KM survival, ``landmark_covered``
    whether its 95% log CI holds the arm model's S(t) (NaN without a CI); ``median``:
    (n_trials, n_arms) KM median in months (NaN when not reached); ``grade3_ae``:
    (n_trials, n_arms) share of patients with a grade >= 3 AE; ``hr_covered``: 1 where the
    95% Wald CI of the HR holds the scenario's true HR, 0 where not (NaN without one);
    ``mean_rdi``: mean relative dose intensity of the treated patients; ``median_follow_up``:
    the reverse Kaplan-Meier median follow-up in months (R: ``survfit(Surv(time, 1 - event) ~
    1)``; NaN when not reached).
    """

    z: np.ndarray
    stopped_at: np.ndarray
    rejected: np.ndarray
    futility_stop: np.ndarray
    n_patients: np.ndarray
    n_screened: np.ndarray
    n_events: np.ndarray
    duration: np.ndarray
    log_hr: np.ndarray
    log_hr_se: np.ndarray
    hr_covered: np.ndarray
    landmark: np.ndarray
    landmark_covered: np.ndarray
    median: np.ndarray
    grade3_ae: np.ndarray
    mean_rdi: np.ndarray
    median_follow_up: np.ndarray


def _looks(trials: SimulatedTrials, scenario: Scenario, cutoffs: np.ndarray
           ) -> tuple[list[AnalysisData], np.ndarray, np.ndarray, np.ndarray]:
    """Data at every look, and per (trial, look) the one-sided z, log HR and its se."""
    data = [data_at_cutoff(trials, scenario, cutoffs[:, k]) for k in range(cutoffs.shape[1])]
    time = np.stack([d.time for d in data], axis=1)
    event = np.stack([d.event for d in data], axis=1)
    included = np.stack([d.included for d in data], axis=1)
    experimental = np.broadcast_to((trials.arm == 1)[:, None, :], time.shape)
    logrank, cox = batch.logrank_and_cox(time, event, experimental, mask=included)
    z = -np.sign(cox.coef) * np.sqrt(logrank.chisq)
    return data, z, cox.coef, cox.se


def _decisions(z: np.ndarray, scenario: Scenario) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    efficacy = np.asarray(scenario.boundaries.efficacy)[None, :]
    futility = scenario.boundaries.futility_bounds[None, :]
    evidence = np.abs(z) if scenario.boundaries.sided == 2 else z
    crossed = (evidence >= efficacy) | (z <= futility)
    n_looks = z.shape[1]
    stopped_at = np.where(crossed.any(axis=1), np.argmax(crossed, axis=1), n_looks - 1)
    z_then = np.take_along_axis(z, stopped_at[:, None], axis=1)[:, 0]
    rejected = np.take_along_axis(evidence, stopped_at[:, None], axis=1)[:, 0] >= efficacy[0, stopped_at]
    futility_stop = (z_then <= futility[0, stopped_at]) & ~rejected
    return stopped_at, rejected, futility_stop


def _at(per_look: np.ndarray, stopped_at: np.ndarray) -> np.ndarray:
    """Pick, per trial, the value at the look where it stopped (look axis = 1)."""
    index = stopped_at.reshape((-1,) + (1,) * (per_look.ndim - 1))
    return np.take_along_axis(per_look, index, axis=1)[:, 0]


def _screened_by(trials: SimulatedTrials, included: np.ndarray) -> np.ndarray:
    """Patients screened by the decision: the trial's screened total in proportion to those randomised."""
    randomised = np.maximum(trials.n_randomised, 1)
    return np.rint(trials.n_screened * included.sum(axis=1) / randomised).astype(np.int64)


def _arm_shares(trials: SimulatedTrials, included: np.ndarray, n_arms: int) -> np.ndarray:
    shares = np.empty((trials.n_trials, n_arms))
    for k in range(n_arms):
        on_arm = included & (trials.arm == k)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares[:, k] = (trials.grade3_ae & on_arm).sum(axis=1) / on_arm.sum(axis=1)
    return shares


def analyse_trials(trials: SimulatedTrials, scenario: Scenario) -> TrialOutcomes:
    """Run every planned look on every trial of the block and apply the boundaries."""
    cutoffs = analysis_dates(trials, scenario)
    looks, z, log_hr_by_look, se_by_look = _looks(trials, scenario, cutoffs)
    stopped_at, rejected, futility_stop = _decisions(z, scenario)
    log_hr, log_hr_se = _at(log_hr_by_look, stopped_at), _at(se_by_look, stopped_at)
    included = _at(np.stack([look.included for look in looks], axis=1), stopped_at)
    n_arms = len(scenario.arms)
    landmark = np.full((trials.n_trials, n_arms, len(scenario.landmarks)), np.nan)
    landmark_covered = np.full_like(landmark, np.nan)
    median = np.full((trials.n_trials, n_arms), np.nan)
    follow_up = np.full(trials.n_trials, np.nan)
    for k, look in enumerate(looks):
        rows = np.flatnonzero(stopped_at == k)
        if rows.size:
            landmark[rows], landmark_covered[rows], median[rows] = arm_estimates(look, trials.arm, rows,
                                                                                  scenario)
            follow_up[rows] = batch.median_follow_up(look.time[rows], look.event[rows],
                                                     look.included[rows]).median
    hr_covered = np.full(trials.n_trials, np.nan)
    if scenario.true_hazard_ratio is not None:
        half_width = float(stats.norm.ppf(0.975)) * log_hr_se
        distance = np.abs(log_hr - np.log(scenario.true_hazard_ratio))
        hr_covered = np.where(np.isfinite(half_width), distance <= half_width, np.nan)
    rdi = np.where(included, trials.rdi, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_rdi = np.nansum(rdi, axis=1) / np.isfinite(rdi).sum(axis=1)
    return TrialOutcomes(
        z=z, stopped_at=stopped_at, rejected=rejected, futility_stop=futility_stop,
        n_patients=included.sum(axis=1), n_screened=_screened_by(trials, included),
        n_events=_at(np.stack([look.n_events for look in looks], axis=1), stopped_at),
        duration=_at(cutoffs, stopped_at), log_hr=log_hr, log_hr_se=log_hr_se, hr_covered=hr_covered,
        landmark=landmark, landmark_covered=landmark_covered, median=median,
        grade3_ae=_arm_shares(trials, included, n_arms), mean_rdi=mean_rdi, median_follow_up=follow_up)
