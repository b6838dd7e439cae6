"""Operating characteristics: per-block summaries of trial outcomes, merged into one result.

A ``BlockSummary`` condenses one block's ``TrialOutcomes`` into integer counts and
``Distribution`` summaries; blocks are merged in block order, so the result does not depend on
how blocks were batched or where they ran (docs/simulate.md#seeds-and-chunks).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from trialdesk.simulate.distribution import QUANTILE_NAMES, Distribution, QuantityGrid
from trialdesk.simulate.outcomes import TrialOutcomes
from trialdesk.simulate.scenario import Scenario
from trialdesk.table import Table

__all__ = ["BlockSummary", "OperatingCharacteristics", "summarise_block"]

logger = logging.getLogger(__name__)

_SURVIVAL = QuantityGrid(0.0, 1.0, 1e-4)
_MONTHS = QuantityGrid(0.0, 400.0, 0.01)
_HAZARD_RATIO = QuantityGrid(0.0, 20.0, 1e-3)


def _count_grid(maximum: int) -> QuantityGrid:
    return QuantityGrid(0.0, float(maximum + 1), 1.0, discrete=True)


@dataclass(frozen=True)
class BlockSummary:
    """Counts and distributions of one block (or of several merged in order)."""

    n_trials: int
    rejections: np.ndarray
    futility_stops: np.ndarray
    coverage: dict[str, tuple[int, int]]
    distributions: dict[str, Distribution]

    def merge(self, later: BlockSummary) -> BlockSummary:
        """This summary followed by ``later``'s."""
        return BlockSummary(
            n_trials=self.n_trials + later.n_trials,
            rejections=self.rejections + later.rejections,
            futility_stops=self.futility_stops + later.futility_stops,
            coverage={name: (hits + later.coverage[name][0], n + later.coverage[name][1])
                      for name, (hits, n) in self.coverage.items()},
            distributions={name: d.merge(later.distributions[name])
                           for name, d in self.distributions.items()})


def _coverage(covered: np.ndarray) -> tuple[int, int]:
    known = np.isfinite(covered)
    return int(covered[known].sum()), int(known.sum())


def summarise_block(outcomes: TrialOutcomes, scenario: Scenario) -> BlockSummary:
    """Condense one block's per-trial outcomes."""
    n_looks = len(scenario.analyses)
    max_patients = scenario.accrual.max_patients
    values: dict[str, tuple[np.ndarray, QuantityGrid]] = {
        "patients": (outcomes.n_patients.astype(float), _count_grid(max_patients)),
        "screened": (outcomes.n_screened.astype(float), _count_grid(4 * max_patients)),
        "events": (outcomes.n_events.astype(float), _count_grid(max_patients)),
        "duration_months": (outcomes.duration, _MONTHS),
        "median_follow_up_months": (outcomes.median_follow_up, _MONTHS),
        "hazard_ratio": (np.exp(outcomes.log_hr), _HAZARD_RATIO),
        "mean_rdi": (outcomes.mean_rdi, _SURVIVAL),
    }
    coverage = {"hazard_ratio": _coverage(outcomes.hr_covered)}
    for k, arm in enumerate(scenario.arms):
        values[f"median_{arm.code}"] = (outcomes.median[:, k], _MONTHS)
        values[f"grade3_ae_{arm.code}"] = (outcomes.grade3_ae[:, k], _SURVIVAL)
        for j, landmark in enumerate(scenario.landmarks):
            name = f"rfs_{landmark:g}m_{arm.code}"
            values[name] = (outcomes.landmark[:, k, j], _SURVIVAL)
            coverage[name] = _coverage(outcomes.landmark_covered[:, k, j])
    stops = np.bincount(outcomes.stopped_at, minlength=n_looks)
    rejections = np.bincount(outcomes.stopped_at[outcomes.rejected], minlength=n_looks)
    futility = np.bincount(outcomes.stopped_at[outcomes.futility_stop], minlength=n_looks)
    logger.debug("block of %d trials: stops per look %s", outcomes.z.shape[0], stops.tolist())
    return BlockSummary(n_trials=int(outcomes.z.shape[0]), rejections=rejections,
                        futility_stops=futility, coverage=coverage,
                        distributions={name: Distribution.of(v, grid) for name, (v, grid) in values.items()})


@dataclass(frozen=True)
class OperatingCharacteristics:
    """A design's operating characteristics under a scenario, from ``n_trials`` simulated trials.

    Rejection = the efficacy bound crossed at some look (power, or type I error under H0).
    Expected values are means over trials at the look where each trial stopped. Quantiles of
    the distributions are exact to their grid's bin width (0.01 months, 1e-4 for rates,
    1e-3 for the hazard ratio). Coverage is the share of 95% CIs holding the true value.
    """

    scenario: str
    seed: int
    totals: BlockSummary
    alpha: float
    true_values: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        arrays = [self.totals.rejections, self.totals.futility_stops,
                  *(d.histogram for d in self.totals.distributions.values())]
        for array in arrays:
            array.setflags(write=False)

    @property
    def n_trials(self) -> int:
        """Number of simulated trials."""
        return self.totals.n_trials

    @property
    def rejection_rate(self) -> float:
        """Share of trials that crossed an efficacy bound."""
        return float(self.totals.rejections.sum()) / self.n_trials

    @property
    def rejection_rate_se(self) -> float:
        """Monte Carlo standard error of ``rejection_rate``."""
        p = self.rejection_rate
        return float(np.sqrt(p * (1.0 - p) / self.n_trials))

    @property
    def rejection_by_look(self) -> np.ndarray:
        """Share of trials rejecting H0 at each look."""
        return self.totals.rejections / self.n_trials

    @property
    def futility_by_look(self) -> np.ndarray:
        """Share of trials stopping for futility at each look."""
        return self.totals.futility_stops / self.n_trials

    @property
    def stop_at_interim(self) -> float:
        """Share of trials stopping (efficacy or futility) before the final look."""
        early = self.totals.rejections[:-1].sum() + self.totals.futility_stops[:-1].sum()
        return float(early) / self.n_trials

    def distribution(self, name: str) -> Distribution:
        """The summary of one quantity (``summary()`` lists the names)."""
        return self.totals.distributions[name]

    def expected(self, name: str) -> float:
        """Mean of a quantity over trials (``patients``, ``events``, ``duration_months``, ...)."""
        return self.distribution(name).mean

    def coverage(self, name: str) -> float:
        """Share of 95% CIs covering the true value (NaN when the scenario has none)."""
        hits, n = self.totals.coverage[name]
        return hits / n if n else float("nan")

    def summary(self) -> Table:
        """One row per simulated quantity: mean, quantiles, share not estimable, CI coverage."""
        rows = []
        for name, d in self.totals.distributions.items():
            quantiles = d.quantiles()
            coverage = self.coverage(name) if name in self.totals.coverage else float("nan")
            rows.append((name, d.mean, *quantiles.values(), d.missing_fraction, coverage))
        names = ["quantity", "mean", *QUANTILE_NAMES, "not_estimable", "ci_coverage"]
        return Table.from_rows(names, rows, title=(
            f"{self.scenario}: {self.n_trials} trials, seed {self.seed}; rejection rate "
            f"{self.rejection_rate:.4f} (MC se {self.rejection_rate_se:.4f}), "
            f"stop at interim {self.stop_at_interim:.4f}"))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready operating characteristics."""
        return {
            "scenario": self.scenario, "seed": self.seed, "n_trials": self.n_trials,
            "alpha": self.alpha, "rejection_rate": self.rejection_rate,
            "rejection_rate_se": self.rejection_rate_se,
            "rejection_by_look": self.rejection_by_look.tolist(),
            "futility_by_look": self.futility_by_look.tolist(),
            "stop_at_interim": self.stop_at_interim,
            "quantities": self.summary().to_records(),
            "true_values": self.true_values,
        }
