"""Generate many simulated trials at once: arrays of trials x patients with a padding mask.

For one block of trials, from one random stream, in this order of draws (so a block's
numbers depend only on its stream; docs/simulate.md#generation):

1. accrual: calendar entry times (months from the first randomisation), sorted;
2. screening failures: screened = randomised + negative binomial failures;
3. stratification factors by their prevalences, combined into a stratum index;
4. the protocol's randomisation in order of entry: stratified permuted blocks
   (``trialdesk.randomization.permuted_blocks_batch``, the same scheme as the services use);
5. RFS times from the arm's model by inverse cumulative hazard; whether the event is a
   death (probability death hazard / RFS hazard at that time) or a relapse;
6. dropout times (exponential);
7. restaging scans every ``interval_weeks`` on whole days, jittered uniformly within the visit
   window (``restaging``); a relapse is detected at the first scan on or after it, a death on
   its date;
8. grade >= 3 adverse events by arm; dosing courses and relative dose intensity for a
   treated arm (treatment stops at the detected RFS event).

Padding (``mask`` false) exists only with Poisson accrual; padded columns come last.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from trialdesk.randomization import permuted_blocks_batch
from trialdesk.simulate.dosing import DAYS_PER_MONTH, DAYS_PER_WEEK
from trialdesk.simulate.restaging import first_scan_on_or_after
from trialdesk.simulate.scenario import Scenario

__all__ = ["Allocation", "SimulatedTrials", "generate_trials"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SimulatedTrials:
    """A block of simulated trials; patient arrays are (n_trials, n_patients), months.

    ``rfs_time`` is the RFS event as the trial sees it (relapse at its detecting scan, death
    on its date; inf when none within follow-up); ``scan_jitter`` (n_trials, n_patients,
    n_visits) int8 days each scan lies off its planned day (``restaging``); ``rdi`` the
    relative dose intensity (NaN off drug).
    """

    mask: np.ndarray
    entry: np.ndarray
    stratum: np.ndarray
    arm: np.ndarray
    rfs_time: np.ndarray
    rfs_is_death: np.ndarray
    dropout: np.ndarray
    scan_jitter: np.ndarray
    grade3_ae: np.ndarray
    rdi: np.ndarray
    n_screened: np.ndarray

    @property
    def n_trials(self) -> int:
        """Number of trials in the block."""
        return int(self.mask.shape[0])

    @property
    def n_randomised(self) -> np.ndarray:
        """Randomised patients per trial."""
        return self.mask.sum(axis=1)


def _entry_times(rng: np.random.Generator, scenario: Scenario, n_trials: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    accrual = scenario.accrual
    width = accrual.max_patients
    entry = rng.uniform(0.0, accrual.period_months, size=(n_trials, width))
    if accrual.patients is not None:
        count = np.full(n_trials, width)
    else:
        count = np.minimum(rng.poisson(accrual.rate_per_month * accrual.period_months, n_trials), width)
    mask = np.arange(width)[None, :] < count[:, None]
    entry = np.sort(np.where(mask, entry, np.inf), axis=1)
    return mask, np.where(mask, entry, accrual.period_months)


def _screened(rng: np.random.Generator, scenario: Scenario, n_randomised: np.ndarray) -> np.ndarray:
    if scenario.screen_failure_rate <= 0:
        return n_randomised.copy()
    failures = rng.negative_binomial(np.maximum(n_randomised, 1), 1.0 - scenario.screen_failure_rate)
    return n_randomised + np.where(n_randomised > 0, failures, 0)


def _strata(rng: np.random.Generator, scenario: Scenario, shape: tuple[int, int]) -> np.ndarray:
    stratum = np.zeros(shape, dtype=np.int64)
    for factor in scenario.strata:
        cumulative = np.cumsum(factor.prevalences)[:-1]
        level = np.searchsorted(cumulative, rng.random(shape), side="right")
        stratum = stratum * len(factor.levels) + level
    return stratum


def _rfs(rng: np.random.Generator, scenario: Scenario, arm: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray]:
    exponential = rng.standard_exponential(arm.shape)
    time = np.empty(arm.shape)
    hazard = np.empty(arm.shape)
    for k, arm_scenario in enumerate(scenario.arms):
        on_arm = arm == k
        time[on_arm] = arm_scenario.rfs.time_to_event(exponential[on_arm])
        hazard[on_arm] = arm_scenario.rfs.hazard(time[on_arm])
    is_death = rng.random(arm.shape) * hazard < scenario.death_hazard
    return time, is_death


def _scan_jitter(rng: np.random.Generator, scenario: Scenario, shape: tuple[int, int]) -> np.ndarray:
    schedule = scenario.restaging
    n_visits = int(np.ceil(scenario.max_follow_up_months * DAYS_PER_MONTH / schedule.interval_days))
    return rng.integers(-schedule.window_days, schedule.window_days + 1, size=(*shape, n_visits),
                        dtype=np.int8)


def _dose_intensity(rng: np.random.Generator, scenario: Scenario, arm: np.ndarray,
                    rfs_time: np.ndarray) -> np.ndarray:
    rdi = np.full(arm.shape, np.nan)
    for k, arm_scenario in enumerate(scenario.arms):
        if not arm_scenario.treated:
            continue
        on_arm = arm == k
        draws = scenario.dosing.draw(rng, (int(on_arm.sum()),),
                                     planned_days=arm_scenario.max_duration_weeks * DAYS_PER_WEEK)
        rdi[on_arm] = draws.relative_dose_intensity(
            np.floor(rfs_time[on_arm] * DAYS_PER_MONTH), daily_dose_mg=arm_scenario.daily_dose_mg,
            reduced_daily_dose_mg=scenario.dosing.reduced_daily_dose_mg)
    return rdi


#: Assigns arms (index into ``scenario.arms``) to (n_trials, n_patients) stratum indices.
Allocation = Callable[[np.random.Generator, np.ndarray], np.ndarray]


def generate_trials(scenario: Scenario, n_trials: int, rng: np.random.Generator, *,
                    allocate: Allocation | None = None) -> SimulatedTrials:
    """Simulate ``n_trials`` trials of ``scenario`` from one random stream (see module doc).

    ``allocate`` replaces the vectorised permuted blocks (step 4); the record-level simulator
    passes the randomisation service's own scheme.
    """
    mask, entry = _entry_times(rng, scenario, n_trials)
    n_screened = _screened(rng, scenario, mask.sum(axis=1))
    stratum = _strata(rng, scenario, mask.shape)
    if allocate is None:
        arm = permuted_blocks_batch(rng, stratum, n_strata=scenario.n_strata,
                                    ratio=scenario.allocation_ratio, block_sizes=scenario.block_sizes)
    else:
        arm = allocate(rng, stratum)
    true_time, is_death = _rfs(rng, scenario, arm)
    dropout = (rng.exponential(1.0 / scenario.dropout_hazard, size=mask.shape)
               if scenario.dropout_hazard > 0 else np.full(mask.shape, np.inf))
    jitter = _scan_jitter(rng, scenario, mask.shape)
    detected = first_scan_on_or_after(jitter, true_time * DAYS_PER_MONTH, scenario.restaging) / DAYS_PER_MONTH
    seen = np.where(is_death, true_time, detected)
    rfs_time = np.where(seen <= scenario.max_follow_up_months, seen, np.inf)
    rates = np.array([a.grade3_ae_rate for a in scenario.arms])
    grade3 = rng.random(mask.shape) < rates[arm]
    rdi = _dose_intensity(rng, scenario, arm, rfs_time)
    return SimulatedTrials(mask=mask, entry=entry, stratum=stratum, arm=arm, rfs_time=rfs_time,
                           rfs_is_death=is_death & np.isfinite(rfs_time), dropout=dropout,
                           scan_jitter=jitter, grade3_ae=grade3 & mask, rdi=np.where(mask, rdi, np.nan),
                           n_screened=n_screened)
