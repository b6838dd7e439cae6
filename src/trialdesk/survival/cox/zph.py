"""Test of proportional hazards for a Cox fit, as R's ``cox.zph`` (survival >= 3.0).

The score test of adding ``x * g(t)`` for each term, at the fitted coefficients: the score of
the added columns is ``sum over deaths of g(t) (x - zbar)``, the information is the full
2p x 2p matrix of (x, x g(t)), and the term's statistic is ``u' I^-1 u`` over all p original
columns plus the term's added ones (global: all of them). ``g`` is the transformed time, centred
on its mean over deaths: ``"km"`` (R's default) 1 minus the left-continuous Kaplan-Meier of all
rows pooled, ``"identity"`` the time itself, ``"rank"`` the rank of the time among all rows
(average ranks for ties). docs/methods.md#cox-zph.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy import stats

from trialdesk.errors import InputError
from trialdesk.survival._km_kernel import product_limit
from trialdesk.survival.cox._model import CoxModelData
from trialdesk.survival.cox._partial_likelihood import (
    Workspace,
    death_time_sums,
    information,
    risk_set_sums,
    score,
)
from trialdesk.survival.cox._risk_sets import build_risk_sets, sort_blocks
from trialdesk.survival.cox.result import Transform
from trialdesk.table import Table

__all__ = ["ProportionalHazardsTest", "ph_test"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProportionalHazardsTest:
    """``cox.zph`` table: per term ``chisq``, ``df``, ``p_value``, then the global test."""

    terms: tuple[str, ...]
    chisq: np.ndarray
    df: np.ndarray
    p_value: np.ndarray
    global_chisq: float
    global_df: int
    global_p_value: float
    transform: Transform

    def summary(self) -> Table:
        """R's printed table: rows per term and GLOBAL; columns chisq, df, p."""
        return Table({"term": np.array([*self.terms, "GLOBAL"], dtype=object),
                      "chisq": np.append(self.chisq, self.global_chisq),
                      "df": np.append(self.df, self.global_df),
                      "p": np.append(self.p_value, self.global_p_value)},
                     title=f"Test of proportional hazards (cox.zph, transform = {self.transform!r})")

    def _repr_html_(self) -> str:
        return self.summary().to_html()


def _km_before(model: CoxModelData) -> np.ndarray:
    """Pooled Kaplan-Meier just before each cell's stop time, ``S(t-)`` (block layout)."""
    valid = model.risk_sets.valid
    stop, death = model.risk_sets.stop[valid], model.risk_sets.death[valid]
    start = None if model.start is None else model.start[valid]
    order = sort_blocks(stop[None], death[None], np.ones((1, stop.shape[0]), dtype=bool))[0]
    pooled = build_risk_sets(stop[order][None], death[order][None], np.ones((1, stop.shape[0]), dtype=bool),
                             None if start is None else start[order][None])
    n_risk = risk_set_sums(pooled, np.ones((1, stop.shape[0], 1)), np.zeros((1, 1)),
                           ties="breslow").denominator[0]
    first_death = (pooled.death[0] > 0) & (np.arange(stop.shape[0]) == pooled.run_first[0])
    survival = product_limit(np.where(first_death, n_risk, 1.0),
                             np.where(first_death, pooled.n_deaths_in_run[0], 0.0))
    before_run = np.concatenate(([1.0], survival))[pooled.run_first[0]]
    km_before = np.empty(stop.shape[0])
    km_before[order] = before_run
    out = np.ones(valid.shape)
    out[valid] = km_before
    return out


def _time_weight(model: CoxModelData, transform: Transform) -> np.ndarray:
    """Centred ``g(t)`` per cell of the block layout (0 on padding)."""
    valid, stop = model.risk_sets.valid, model.risk_sets.stop
    if transform == "identity":
        g = np.where(valid, stop, 0.0)
    elif transform == "rank":
        g = np.zeros(valid.shape)
        g[valid] = stats.rankdata(stop[valid])
    elif transform == "km":
        g = 1.0 - _km_before(model)
    else:
        raise InputError("must be 'km', 'identity' or 'rank'", field="transform", value=transform)
    dead = model.risk_sets.death > 0
    return np.where(valid, g - g[dead].mean(), 0.0)


def ph_test(model: CoxModelData, term_columns: tuple[tuple[str, tuple[int, ...]], ...], *,
            transform: Transform = "km") -> ProportionalHazardsTest:
    """R: ``cox.zph(fit, transform = transform, terms = TRUE)`` for the fit behind ``model``."""
    g = _time_weight(model, transform)
    beta = np.broadcast_to(model.coef, (model.X.shape[0], model.coef.shape[0]))
    work = Workspace.allocate(model.risk_sets, model.X)
    sums = death_time_sums(model.risk_sets, model.X, beta, ties=model.ties, work=work)
    p = model.coef.shape[0]
    u = score(model.risk_sets, model.X, sums, time_weight=g).sum(axis=0)
    full = np.empty((2 * p, 2 * p))
    full[:p, :p] = information(model.risk_sets, model.X, sums, work).sum(axis=0)
    full[:p, p:] = information(model.risk_sets, model.X, sums, work, time_weight=g).sum(axis=0)
    full[p:, :p] = full[:p, p:].T
    full[p:, p:] = information(model.risk_sets, model.X, sums, work, time_weight=g * g).sum(axis=0)

    def statistic(columns: list[int]) -> float:
        keep = list(range(p)) + [p + j for j in columns]
        rhs = np.concatenate((np.zeros(p), u[columns]))
        return float(rhs @ np.linalg.solve(full[np.ix_(keep, keep)], rhs))

    chisq = np.array([statistic(list(columns)) for _, columns in term_columns])
    df = np.array([len(columns) for _, columns in term_columns])
    global_chisq = statistic(list(range(p)))
    return ProportionalHazardsTest(
        terms=tuple(name for name, _ in term_columns), chisq=chisq, df=df,
        p_value=stats.chi2.sf(chisq, df), global_chisq=global_chisq, global_df=p,
        global_p_value=float(stats.chi2.sf(global_chisq, p)), transform=transform)
