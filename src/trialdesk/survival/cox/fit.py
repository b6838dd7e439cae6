"""``cox_ph``: the Cox proportional hazards model, as R's ``coxph`` fits and reports it.

This front end alone sees labels, DataFrames and missing values; it hands sorted blocks to
the kernels (:mod:`._risk_sets`, :mod:`._partial_likelihood`, :mod:`._newton`).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.errors import ConvergenceError, InputError, TrialdeskWarning
from trialdesk.survival._validation import as_event_array, as_group_labels, as_time_array
from trialdesk.survival.cox._concordance import concordance
from trialdesk.survival.cox._design import DesignMatrix, design_matrix, is_missing
from trialdesk.survival.cox._model import CoxModelData, blocks_from_strata
from trialdesk.survival.cox._newton import EPS, fit_newton, solve_symmetric
from trialdesk.survival.cox._risk_sets import Ties
from trialdesk.survival.cox._robust import robust_score_statistic, robust_variance
from trialdesk.survival.cox.result import ChiSquareTest, CoxFit

__all__ = ["cox_ph"]

logger = logging.getLogger(__name__)

#: R's coxph.control(): toler.inf = sqrt(eps), the relative size of a remaining Newton step
#: that marks a coefficient running to infinity.
_TOLER_INF = np.sqrt(EPS)
#: A column whose information, given the columns before it, is below this fraction of its
#: own is a linear combination of them (R's cholesky2 tolerance on scaled columns).
_TOLER_SINGULAR = 1e-10


def _labels_or_none(values: ArrayLike | None, name: str, n: int) -> np.ndarray | None:
    """Labels as an array of length n (missing kept, to be dropped), or None."""
    if values is None:
        return None
    raw = np.asarray(values)
    if raw.ndim != 1 or raw.shape[0] != n:
        raise InputError(f"must be 1-D of length {n} (as time), got shape {raw.shape}", field=name)
    return raw


def _missing_rows(design: DesignMatrix, *labels: np.ndarray | None) -> np.ndarray:
    matrix = design.values  # one fast pass when nothing is missing
    missing = np.isnan(matrix).any(axis=1) if np.isnan(matrix).any() else np.zeros(len(matrix), dtype=bool)
    for values in labels:
        if values is not None:
            missing |= is_missing(values)
    return missing


def _singular_columns(information: np.ndarray) -> list[int]:
    """Columns whose information, given the earlier non-singular columns, is (near) zero."""
    diagonal = np.diag(information)
    kept: list[int] = []
    singular: list[int] = []
    for j in range(information.shape[0]):
        residual = diagonal[j]
        if kept and diagonal[j] > 0:
            block = information[np.ix_(kept, kept)]
            cross = information[kept, j]
            residual = diagonal[j] - cross @ np.linalg.solve(block, cross)
        if diagonal[j] <= 0 or residual <= _TOLER_SINGULAR * diagonal[j]:
            singular.append(j)
        else:
            kept.append(j)
    return singular


def _warn_infinite(newton_score: np.ndarray, variance: np.ndarray, coef: np.ndarray,
                   columns: tuple[str, ...]) -> None:
    """R's 'Loglik converged before variable ...; coefficient may be infinite.'"""
    remaining = np.abs(newton_score @ variance)
    infinite = ~np.isfinite(newton_score) | ((remaining > EPS) & (remaining > _TOLER_INF * np.abs(coef)))
    if infinite.any():
        names = ", ".join(columns[j] for j in np.flatnonzero(infinite))
        warnings.warn(f"cox_ph: Loglik converged before variable {names}; coefficient may be infinite "
                      "(monotone likelihood: a group with no events, or perfect separation)",
                      TrialdeskWarning, stacklevel=3)


def cox_ph(time: ArrayLike, event: ArrayLike, X: Any, *, strata: ArrayLike | None = None,
           ties: Ties = "efron", start: ArrayLike | None = None, robust: bool = False,
           cluster: ArrayLike | None = None) -> CoxFit:
    """Fit a Cox proportional hazards model by partial likelihood.

    Matches R: ``coxph(Surv(time, event) ~ X + strata(strata), ties = ties)``, and with
    ``start``: ``coxph(Surv(start, time, event) ~ ...)``; ``robust=True``: ``robust = TRUE``;
    ``cluster``: ``+ cluster(cluster)``.

    Parameters
    ----------
    time
        Event or censoring times (the stop time of (start, stop] rows), >= 0, in the caller's
        declared unit (the coefficients do not depend on it).
    event
        1 (or True) for an event, 0 for censored.
    X
        Covariates: a 1-D array (one term ``x``), a 2-D array (``x1 .. xp``) or a DataFrame /
        mapping of columns (names become terms). Label columns become treatment contrasts
        against their first level (sorted as strings unless categorical), named as R does.
    strata
        Stratum label per row: a separate baseline hazard per stratum (R's ``strata()``).
    ties
        ``"efron"`` (R's default) or ``"breslow"``.
    start
        Entry times for counting-process (start, stop] data: a row is at risk on
        ``start < t <= time``. Must be below ``time``.
    robust
        Add the sandwich variance (each row its own cluster unless ``cluster`` is given).
    cluster
        Cluster label per row (e.g. patient id for several (start, stop] rows); implies robust.

    Returns
    -------
    CoxFit
        Coefficients, tests, concordance, and ``ph_test`` for R's ``cox.zph``.

    Raises
    ------
    InputError
        Bad times or events (naming the first bad row), lengths that differ, no events, or
        covariates that are linear combinations of earlier ones or constant within strata
        (R would drop them with NA coefficients; here they are named so the model is stated
        deliberately).
    ConvergenceError
        The log-likelihood is not finite at the start (overflow of exp).

    Warns
    -----
    TrialdeskWarning
        Rows dropped for missing covariate, stratum or cluster values (counted in
        ``n_dropped``); a coefficient running to infinity (monotone likelihood); no
        convergence in 20 iterations.

    Notes
    -----
    Newton-Raphson from 0 with step halving, converged when the relative change of the
    log-likelihood is at most 1e-9 (R's coxph.control()). docs/methods.md#cox,
    docs/methods.md#efron.

    Examples
    --------
    >>> fit = cox_ph([1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 1, 0], [0, 1, 0, 1, 0, 1])
    >>> fit.terms
    ('x',)
    """
    rows = _rows_used(time, event, X, strata=strata, start=start, cluster=cluster)
    design = rows.design
    risk_sets, blocked_X, row, blocked_start = blocks_from_strata(rows.stop, rows.death, rows.values,
                                                                  rows.stratum, rows.entry)
    # centred in place (numerical stability), padding left at zero (one block has none)
    unpadded = True if row.shape[0] == 1 else risk_sets.valid[..., None]
    np.subtract(blocked_X, rows.means, out=blocked_X, where=unpadded)
    newton = fit_newton(risk_sets, blocked_X, np.zeros(risk_sets.shape[0], dtype=np.intp), ties=ties)
    if not np.isfinite(newton.loglik_null[0]):
        raise ConvergenceError("cox_ph: the log-likelihood at 0 is not finite (overflow of exp)")
    _check_singular(newton.information_null[0], design.columns)
    coef, variance = newton.coef[0], newton.variance[0]
    if not newton.converged[0]:
        warnings.warn("cox_ph: ran out of iterations (20) and did not converge", TrialdeskWarning,
                      stacklevel=2)
    else:
        _warn_infinite(newton.score[0], variance, coef, design.columns)
    model = CoxModelData(risk_sets=risk_sets, X=blocked_X, row=row, start=blocked_start, coef=coef, ties=ties)
    robust_var = robust_test = None
    if robust or rows.cluster is not None:
        cluster_codes = np.arange(rows.stop.shape[0]) if rows.cluster is None else rows.cluster
        robust_var = robust_variance(model, variance, cluster_codes)
        robust_test = ChiSquareTest.of(robust_score_statistic(model, cluster_codes), coef.shape[0])
    wald_variance = variance if robust_var is None else robust_var
    p = coef.shape[0]
    return CoxFit(
        terms=design.columns, coef=coef, se=np.sqrt(np.diag(variance)), variance=variance,
        loglik=(float(newton.loglik_null[0]), float(newton.loglik_final[0])),
        lr_test=ChiSquareTest.of(2.0 * (newton.loglik_final[0] - newton.loglik_null[0]), p),
        wald_test=ChiSquareTest.of(float(coef @ solve_symmetric(wald_variance[None], coef[None])[0]), p),
        score_test=ChiSquareTest.of(newton.score_test[0], p),
        robust_se=None if robust_var is None else np.sqrt(np.diag(robust_var)),
        robust_variance=robust_var, robust_score_test=robust_test,
        n=int(rows.stop.shape[0]), n_events=int(rows.death.sum()), n_dropped=rows.n_dropped,
        iterations=int(newton.iterations[0]), converged=bool(newton.converged[0]), ties=ties,
        term_columns=tuple(zip(design.terms, design.term_columns, strict=True)), _model=model,
        _concordance_of=partial(concordance, rows.stop, rows.death, rows.values @ coef - rows.means @ coef,
                                rows.stratum, rows.entry, rows.cluster, order=row[risk_sets.valid]))


@dataclass(frozen=True, slots=True)
class _Rows:
    """The rows a fit uses (missing ones dropped), with integer stratum and cluster codes."""

    design: DesignMatrix
    stop: np.ndarray
    death: np.ndarray
    values: np.ndarray
    means: np.ndarray
    entry: np.ndarray | None
    stratum: np.ndarray
    cluster: np.ndarray | None
    n_dropped: int


def _rows_used(time: ArrayLike, event: ArrayLike, X: Any, *, strata: ArrayLike | None,
               start: ArrayLike | None, cluster: ArrayLike | None) -> _Rows:
    """Check every input (naming the argument and first bad row) and drop rows with missing values."""
    stop = as_time_array(time, name="time")
    n_rows = stop.shape[0]
    death = as_event_array(event, name="event", n=n_rows)
    entry = None if start is None else as_time_array(start, name="start", n=n_rows)
    if entry is not None and (entry >= stop).any():
        row = int(np.flatnonzero(entry >= stop)[0])
        raise InputError("start must be below time", field="start", row=row, value=float(entry[row]),
                         hint="a (start, stop] interval needs start < stop")
    design = design_matrix(X, n=n_rows)
    strata_labels = _labels_or_none(strata, "strata", n_rows)
    cluster_labels = _labels_or_none(cluster, "cluster", n_rows)
    missing = _missing_rows(design, strata_labels, cluster_labels)
    n_dropped = int(missing.sum())
    values = design.values
    if n_dropped:
        warnings.warn(f"cox_ph: dropped {n_dropped} of {n_rows} rows with missing values "
                      f"(first at row {int(np.flatnonzero(missing)[0])})", TrialdeskWarning, stacklevel=3)
        keep = ~missing
        stop, death, values = stop[keep], death[keep], values[keep]
        entry = None if entry is None else entry[keep]
        strata_labels = None if strata_labels is None else strata_labels[keep]
        cluster_labels = None if cluster_labels is None else cluster_labels[keep]
    if not death.any():
        raise InputError("has no events among the rows used; a Cox model needs at least one",
                         field="event")
    return _Rows(design=design, stop=stop, death=death, values=values,
                 means=np.einsum("ij->j", values) / values.shape[0],  # mean(axis=0) in one fast pass
                 entry=entry,
                 stratum=(np.zeros(stop.shape[0], dtype=np.intp) if strata_labels is None
                          else as_group_labels(strata_labels, name="strata")[1]),
                 cluster=(None if cluster_labels is None
                          else as_group_labels(cluster_labels, name="cluster")[1]),
                 n_dropped=n_dropped)


def _check_singular(information_null: np.ndarray, columns: tuple[str, ...]) -> None:
    """Name covariates that cannot be estimated (R gives them NA coefficients)."""
    singular = _singular_columns(information_null)
    if singular:
        names = ", ".join(columns[j] for j in singular)
        raise InputError(f"columns {names} are constant (within strata) or linear combinations of "
                         "earlier columns, so their coefficients cannot be estimated", field="X",
                         hint="drop them (R's coxph would report NA for them)")
