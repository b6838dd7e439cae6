"""Assessing allocation schemes on the planned accrual, before choosing one (Monte Carlo).

Each run simulates ``n_patients`` arriving in random order: every stratification factor's
level drawn independently with the protocol's planned prevalence (equal when none), the site
uniformly among ``n_sites``. The same patients are then allocated by each scheme (stratified
permuted blocks with the protocol's block sizes, Pocock-Simon minimisation with the
protocol's settings, simple randomisation) and measured:

Imbalance (``range`` of ratio-scaled counts at the end of accrual; for 1:1 the difference in
patient numbers): overall, in the worst stratum, and in the worst factor level of each run.

Predictability (Blackwell and Hodges 1957, the convergence strategy): before each patient a
guesser who knows earlier assignments guesses the arm that restores balance, i.e. the arm
with the fewest patients per ratio unit among the known earlier patients of the same stratum
(permuted blocks), the arm minimisation would prefer given the known patients (minimisation),
or the arm with the fewest known patients overall (simple). Ties are guessed at random, so a
tie among m arms earns 1/m when the true arm is one of them (the expected score). Two
guessers: a ``site`` that knows only its own earlier patients, and ``all`` knowing every
earlier patient (e.g. a central coordinator). Pure chance is 1/n_arms for 1:1 designs.

All draws come from keyed streams of ``seed`` (chunk by chunk of ``CHUNK_RUNS`` runs), so an
assessment is reproducible bit for bit.

Blackwell D, Hodges JL. Design for the control of selection bias. Ann Math Stat 1957;28:449-460.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from trialdesk.errors import InputError
from trialdesk.protocol import Protocol
from trialdesk.protocol.model import Scheme
from trialdesk.randomization._streams import check_seed, keyed_generator
from trialdesk.randomization.assign import factor_weights
from trialdesk.randomization.blocks import permuted_blocks_batch
from trialdesk.randomization.imbalance import imbalance
from trialdesk.randomization.minimisation import arm_scores, choose_arm
from trialdesk.randomization.simple import simple_arm
from trialdesk.table import Table

__all__ = ["CHUNK_RUNS", "MEASURES", "RandomisationAssessment", "SchemeAssessment", "assess_randomisation"]

logger = logging.getLogger(__name__)

CHUNK_RUNS = 1000
SCHEMES: tuple[Scheme, ...] = ("permuted_blocks", "minimisation", "simple")
#: Measures per run, in the order of the summary table.
MEASURES: tuple[str, ...] = ("overall", "worst_stratum", "worst_level", "guess_site", "guess_all")


@dataclass(frozen=True, slots=True)
class _Patients:
    """A chunk of simulated accruals: (runs, n) arrays."""

    levels: np.ndarray      # (runs, n, n_factors) level index per factor
    stratum: np.ndarray     # (runs, n) stratum index, first factor slowest (as all_strata)
    site: np.ndarray        # (runs, n) site index
    n_strata: int
    n_levels: int           # most levels of any factor


@dataclass(frozen=True, slots=True)
class SchemeAssessment:
    """Per-run measures of one scheme: ``values[measure]`` is a (runs,) read-only array."""

    scheme: Scheme
    settings: str
    values: dict[str, np.ndarray]

    def describe(self, measure: str) -> dict[str, float]:
        """Mean, median, 95th and 99th percentile and maximum (worst case) of a measure."""
        x = self.values[measure]
        return {"mean": float(x.mean()), "median": float(np.median(x)),
                "p95": float(np.quantile(x, 0.95)), "p99": float(np.quantile(x, 0.99)),
                "max": float(x.max())}


@dataclass(frozen=True, slots=True)
class RandomisationAssessment:
    """The schemes side by side on the same simulated accruals."""

    protocol_id: str
    n_patients: int
    n_sites: int
    n_runs: int
    seed: int
    ratio: tuple[int, ...]
    schemes: tuple[SchemeAssessment, ...]

    def summary(self) -> Table:
        """One row per scheme and measure: mean, median, p95, p99, max over runs."""
        rows = []
        for scheme in self.schemes:
            for measure in MEASURES:
                d = scheme.describe(measure)
                rows.append((scheme.scheme, measure, d["mean"], d["median"], d["p95"], d["p99"], d["max"]))
        return Table.from_rows(("scheme", "measure", "mean", "median", "p95", "p99", "max"), rows,
                               title=(f"{self.protocol_id}: {self.n_patients} patients, {self.n_sites} "
                                      f"sites, {self.n_runs} runs (seed {self.seed}); imbalance = max - "
                                      "min of n/ratio; guess_* = proportion of correct guesses"))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: settings and, per scheme and measure, the distribution summary and counts."""
        return {
            "protocol": self.protocol_id, "patients": self.n_patients, "sites": self.n_sites,
            "runs": self.n_runs, "seed": self.seed, "ratio": list(self.ratio),
            "schemes": [{
                "scheme": s.scheme, "settings": s.settings,
                "measures": {m: s.describe(m) for m in MEASURES},
                "imbalance_distribution": {
                    m: {str(float(v)): int(c) for v, c in zip(*np.unique(s.values[m], return_counts=True),
                                                              strict=True)}
                    for m in MEASURES[:3]},
            } for s in self.schemes],
        }


def _draw_patients(protocol: Protocol, rng: np.random.Generator, runs: int, n: int,
                   n_sites: int) -> _Patients:
    factors = protocol.stratification_factors
    levels = np.zeros((runs, n, len(factors)), dtype=np.int64)
    stratum = np.zeros((runs, n), dtype=np.int64)
    for f, factor in enumerate(factors):
        levels[:, :, f] = rng.choice(len(factor.levels), size=(runs, n), p=factor.level_probabilities)
        stratum = stratum * len(factor.levels) + levels[:, :, f]
    return _Patients(levels=levels, stratum=stratum, site=rng.integers(0, n_sites, size=(runs, n)),
                     n_strata=int(np.prod([len(f.levels) for f in factors])),
                     n_levels=max((len(f.levels) for f in factors), default=1))


def _gather_levels(counts: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """counts (runs, F, L, k) at each run's levels (runs, F) -> (runs, F, k)."""
    runs, n_factors = levels.shape
    return counts[np.arange(runs)[:, None], np.arange(n_factors)[None, :], levels]


def _minimise(protocol: Protocol, patients: _Patients, rng: np.random.Generator) -> np.ndarray:
    plan, ratio = protocol.randomisation, protocol.allocation_ratio
    runs, n, n_factors = patients.levels.shape
    counts = np.zeros((runs, n_factors, patients.n_levels, len(ratio)), dtype=np.int64)
    arms = np.empty((runs, n), dtype=np.int64)
    weights = factor_weights(protocol)
    for t in range(n):
        levels = patients.levels[:, t]
        scores = arm_scores(_gather_levels(counts, levels), ratio, criterion=plan.criterion, weights=weights)
        arms[:, t] = choose_arm(scores, rng.random((runs, 3)), p_best=plan.p_best)
        counts[np.arange(runs)[:, None], np.arange(n_factors)[None, :], levels, arms[:, t, None]] += 1
    return arms


def _allocate(scheme: Scheme, protocol: Protocol, patients: _Patients, block_sizes: tuple[int, ...],
              rng: np.random.Generator) -> np.ndarray:
    if scheme == "permuted_blocks":
        return permuted_blocks_batch(rng, patients.stratum, n_strata=patients.n_strata,
                                     block_sizes=block_sizes, ratio=protocol.allocation_ratio)
    if scheme == "minimisation":
        return _minimise(protocol, patients, rng)
    return simple_arm(rng.random(patients.stratum.shape), protocol.allocation_ratio)


def _group_counts(group: np.ndarray, arms: np.ndarray, n_groups: int, n_arms: int) -> np.ndarray:
    """(runs, n) group index and arm -> (runs, n_groups, n_arms) counts."""
    runs = group.shape[0]
    flat = (np.arange(runs)[:, None] * n_groups + group) * n_arms + arms
    return np.bincount(flat.ravel(), minlength=runs * n_groups * n_arms).reshape(runs, n_groups, n_arms)


def _guess_rate(scheme: Scheme, protocol: Protocol, patients: _Patients, arms: np.ndarray,
                site: np.ndarray, n_sites: int) -> np.ndarray:
    """Proportion of correct convergence-strategy guesses per run, knowing own-site history."""
    ratio = protocol.allocation_ratio
    runs, n, n_factors = patients.levels.shape
    k = len(ratio)
    rows = np.arange(runs)
    known_strata = np.zeros((runs, n_sites, patients.n_strata, k), dtype=np.int64)
    known_levels = np.zeros((runs, n_sites, n_factors, patients.n_levels, k), dtype=np.int64)
    weights = factor_weights(protocol)
    score = np.zeros(runs)
    for t in range(n):
        s, arm, levels = site[:, t], arms[:, t], patients.levels[:, t]
        if scheme == "minimisation":
            merit = arm_scores(_gather_levels(known_levels[rows, s], levels), ratio,
                               criterion=protocol.randomisation.criterion, weights=weights)
        elif scheme == "permuted_blocks":
            merit = known_strata[rows, s, patients.stratum[:, t]] / np.asarray(ratio)
        else:
            merit = known_strata[rows, s].sum(axis=1) / np.asarray(ratio)
        guessed = merit <= merit.min(axis=1, keepdims=True) + 1e-9
        score += guessed[rows, arm] / guessed.sum(axis=1)
        known_strata[rows, s, patients.stratum[:, t], arm] += 1
        known_levels[rows[:, None], s[:, None], np.arange(n_factors)[None, :], levels, arm[:, None]] += 1
    return score / n


def _measure(scheme: Scheme, protocol: Protocol, patients: _Patients, arms: np.ndarray,
             n_sites: int) -> dict[str, np.ndarray]:
    ratio, k = protocol.allocation_ratio, len(protocol.allocation_ratio)
    runs, n, n_factors = patients.levels.shape
    overall = imbalance(_group_counts(np.zeros_like(arms), arms, 1, k)[:, 0], ratio)
    strata = imbalance(_group_counts(patients.stratum, arms, patients.n_strata, k), ratio).max(axis=1)
    level_group = (patients.levels + patients.n_levels * np.arange(n_factors)).reshape(runs, n * n_factors)
    level_counts = _group_counts(level_group, np.repeat(arms, n_factors, axis=1),
                                 max(1, n_factors * patients.n_levels), k)
    return {"overall": overall, "worst_stratum": strata,
            "worst_level": imbalance(level_counts, ratio).max(axis=1),
            "guess_site": _guess_rate(scheme, protocol, patients, arms, patients.site, n_sites),
            "guess_all": _guess_rate(scheme, protocol, patients, arms, np.zeros_like(patients.site), 1)}


def _settings(scheme: Scheme, protocol: Protocol, block_sizes: tuple[int, ...]) -> str:
    plan = protocol.randomisation
    text = f"ratio {':'.join(map(str, protocol.allocation_ratio))}"
    if scheme == "permuted_blocks":
        text += f", block sizes {', '.join(map(str, block_sizes))}, stratified by all factors"
    elif scheme == "minimisation":
        text += f", p_best {plan.p_best:g}, criterion {plan.criterion}"
    return text + (" (the protocol's scheme)" if scheme == plan.scheme else "")


def assess_randomisation(protocol: Protocol, *, n_patients: int, n_sites: int, n_runs: int,
                         seed: int) -> RandomisationAssessment:
    """Simulate the planned accrual ``n_runs`` times and measure every scheme on it.

    Permuted blocks use the protocol's block sizes (or ``R, 2R, 3R`` for ratio sum ``R`` when it
    gives none); minimisation the protocol's ``p_best``, criterion and weights.
    """
    check_seed(seed)
    for name, value in (("patients", n_patients), ("sites", n_sites), ("runs", n_runs)):
        if value < 1:
            raise InputError("must be at least 1", field=name, value=value)
    total = sum(protocol.allocation_ratio)
    block_sizes = protocol.randomisation.block_sizes or (total, 2 * total, 3 * total)
    parts: dict[Scheme, list[dict[str, np.ndarray]]] = {scheme: [] for scheme in SCHEMES}
    for chunk, start in enumerate(range(0, n_runs, CHUNK_RUNS)):
        runs = min(CHUNK_RUNS, n_runs - start)
        patients = _draw_patients(protocol, keyed_generator(seed, "assess", "patients", chunk), runs,
                                  n_patients, n_sites)
        for scheme in SCHEMES:
            arms = _allocate(scheme, protocol, patients, block_sizes,
                             keyed_generator(seed, "assess", scheme, chunk))
            parts[scheme].append(_measure(scheme, protocol, patients, arms, n_sites))
        logger.info("assessed runs %d-%d of %d", start + 1, start + runs, n_runs)
    schemes = []
    for scheme in SCHEMES:
        values = {m: np.concatenate([p[m] for p in parts[scheme]]) for m in MEASURES}
        for array in values.values():
            array.setflags(write=False)
        schemes.append(SchemeAssessment(scheme=scheme, settings=_settings(scheme, protocol, block_sizes),
                                        values=values))
    return RandomisationAssessment(protocol_id=protocol.id, n_patients=n_patients, n_sites=n_sites,
                                   n_runs=n_runs, seed=seed, ratio=protocol.allocation_ratio,
                                   schemes=tuple(schemes))
