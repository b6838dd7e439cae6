"""Batch Kaplan-Meier: survival at landmark times (with confidence limits) and medians.

Each trial's patients are sorted by time (``_rows.sort_rows``); at the last position of each
tie run the product-limit value, the Greenwood sum and the bands are those of
:func:`trialdesk.survival.kaplan_meier` (same kernels: ``product_limit``, ``greenwood_terms``,
``confidence_band``, ``median_times``; positions inside a run multiply by 1 and add 0), so the
results agree with the single-trial functions in a loop to 1e-10. Trials run in chunks of
about half a million patient cells.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.survival._confidence import (
    ConfType,
    check_conf_level,
    check_conf_type,
    confidence_band,
    z_value,
)
from trialdesk.survival._km_kernel import greenwood_terms
from trialdesk.survival._quantile import median_times
from trialdesk.survival._read_only import read_only
from trialdesk.survival._validation import as_time_array
from trialdesk.survival.batch._rows import (
    SortedRows,
    as_batch_input,
    row_chunks,
    sort_rows,
    survival_after,
)
from trialdesk.survival.kaplan_meier import SurvivalAt

__all__ = ["BatchMedian", "km_at", "km_ci_at", "km_median", "median_follow_up"]

logger = logging.getLogger(__name__)


class BatchMedian(NamedTuple):
    """Per-trial medians and confidence limits (shape: the inputs' leading axes; NaN = not reached)."""

    median: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def km_at(time: ArrayLike, event: ArrayLike, times: ArrayLike,
          mask: ArrayLike | None = None) -> np.ndarray:
    """Kaplan-Meier S(t) at each landmark in ``times``, per trial.

    Matches R: ``summary(survfit(Surv(time, event) ~ 1), times = times)$surv`` for each trial.

    Parameters
    ----------
    time, event
        Arrays of shape ``(..., n)``: leading axes index trials, the last axis patients;
        ``event`` is 0/1 (or booleans).
    times
        1-D landmark times in the unit of ``time``.
    mask
        Optional booleans of the same shape: false marks padding; padded cells may hold anything.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., len(times))``: S at each landmark (1 before a trial's first time; NaN
        beyond its last observed time, as ``KaplanMeier.at``).

    Examples
    --------
    >>> km_at([[1, 2, 3, 4], [1, 1, 3, 4]], [[1, 0, 1, 1], [1, 1, 0, 1]], [0.5, 1, 3]).tolist()
    [[1.0, 0.75, 0.375], [1.0, 0.5, 0.5]]
    """
    return _at_landmarks(time, event, times, mask, None, 0.0)[0]


def km_ci_at(time: ArrayLike, event: ArrayLike, times: ArrayLike, mask: ArrayLike | None = None,
             *, conf_type: ConfType = "log", conf_level: float = 0.95) -> SurvivalAt:
    """Kaplan-Meier S(t) and its pointwise confidence limits at landmark times, per trial.

    Identical (to 1e-10) to ``kaplan_meier(time[i], event[i], conf_type=, conf_level=).at(times)``
    in a loop (R: ``summary(survfit(Surv(time, event) ~ 1, conf.type=, conf.int=), times=)``).
    Arguments as :func:`km_at`; the limits use the Greenwood standard error of -log S and the
    ``conf_type`` transform ("log", R's default; "log-log"; "plain").

    Returns
    -------
    SurvivalAt
        ``survival``, ``lower``, ``upper``, each of shape ``(..., len(times))``: 1 before a
        trial's first time, NaN beyond its last observed time and where a limit is undefined.

    Examples
    --------
    >>> at = km_ci_at([[1, 2, 3, 4]], [[1, 0, 1, 1]], [1.0])
    >>> round(float(at.survival[0, 0]), 4), round(float(at.lower[0, 0]), 4)
    (0.75, 0.4259)
    """
    conf_type = check_conf_type(conf_type)
    z = z_value(check_conf_level(conf_level))
    return SurvivalAt(*_at_landmarks(time, event, times, mask, conf_type, z))


def km_median(time: ArrayLike, event: ArrayLike, mask: ArrayLike | None = None, *,
              conf_type: ConfType = "log", conf_level: float = 0.95) -> BatchMedian:
    """Kaplan-Meier median survival time and its confidence limits, per trial.

    Identical (to 1e-10) to ``km = kaplan_meier(time[i], event[i], conf_type=, conf_level=)``;
    ``km.median, *km.median_ci`` in a loop: R's ``print(survfit)`` rule (the first time S(t)
    <= 0.5, the midpoint where S is 0.5 until a later drop) on the curve and on its lower and
    upper bands (docs/methods.md#median). A trial without patients gives NaN.

    Parameters
    ----------
    time, event, mask
        As :func:`km_at`.
    conf_type, conf_level
        The band whose crossings give the limits, as ``kaplan_meier``.

    Examples
    --------
    >>> km_median([[1, 2, 3, 4], [1, 2, 3, 4]], [[1, 1, 1, 1], [0, 0, 1, 1]]).median.tolist()
    [2.5, 3.5]
    """
    conf_type = check_conf_type(conf_type)
    return _medians(time, event, mask, conf_type, z_value(check_conf_level(conf_level)),
                    reverse=False)


def median_follow_up(time: ArrayLike, event: ArrayLike, mask: ArrayLike | None = None, *,
                     conf_level: float = 0.95) -> BatchMedian:
    """Median follow-up by reverse Kaplan-Meier ("log" band), per trial.

    Identical (to 1e-10) to :func:`trialdesk.survival.median_follow_up` in a loop (R:
    ``survfit(Surv(time, 1 - event) ~ 1)`` and its printed median): :func:`km_median` with the
    event indicator flipped, so censorings are the events.

    Examples
    --------
    >>> median_follow_up([[3, 5, 7, 9]], [[1, 0, 0, 1]]).median.tolist()
    [7.0]
    """
    return _medians(time, event, mask, "log", z_value(check_conf_level(conf_level)),
                    reverse=True)


def _medians(time: ArrayLike, event: ArrayLike, mask: ArrayLike | None, conf_type: ConfType,
             z: float, *, reverse: bool) -> BatchMedian:
    """Medians of the curve and its bands per trial; ``reverse``: censorings are the events
    (flipped chunk by chunk as the checked rows are read; padding has no events either way)."""
    batch = as_batch_input(time, event, None, mask)
    n_trials, n = batch.time.shape
    out = np.empty((3, n_trials))
    for rows in row_chunks(n_trials, n):
        chunk = batch.rows(rows)
        sorted_rows = sort_rows(chunk.time, ~chunk.event if reverse else chunk.event, chunk.valid)
        for k, curve in enumerate(_curves(sorted_rows, conf_type, z)):
            out[k, rows] = median_times(sorted_rows.time, curve, sorted_rows.run_last)
    logger.debug("batch KM medians (reverse=%s): %d trials of %d patients", reverse, n_trials, n)
    return BatchMedian(*(read_only(values.reshape(batch.lead_shape)) for values in out))


def _curves(rows: SortedRows, conf_type: ConfType | None, z: float) -> list[np.ndarray]:
    """S after each position and, with a ``conf_type``, its lower and upper limits."""
    survival = survival_after(rows)
    if conf_type is None:
        return [survival]
    terms = greenwood_terms(np.where(rows.run_last, rows.n_risk, 1.0), rows.n_event)
    std_err_cumhaz = np.sqrt(np.cumsum(terms, axis=1))
    with np.errstate(invalid="ignore"):
        return [survival, *confidence_band(survival, std_err_cumhaz, conf_type, z)]


def _at_landmarks(time: ArrayLike, event: ArrayLike, times: ArrayLike, mask: ArrayLike | None,
                  conf_type: ConfType | None, z: float) -> list[np.ndarray]:
    """The curves of :func:`_curves` read at each landmark, shape ``(..., len(times))`` each."""
    landmarks = as_time_array(times, name="times")
    batch = as_batch_input(time, event, None, mask)
    n_trials, n = batch.time.shape
    n_curves = 1 if conf_type is None else 3
    out = np.empty((n_curves, n_trials, landmarks.shape[0]))
    for rows in row_chunks(n_trials, n):
        chunk = batch.rows(rows)
        sorted_rows = sort_rows(chunk.time, chunk.event, chunk.valid)
        passed = (sorted_rows.time[:, :, None] <= landmarks).sum(axis=1)
        n_valid = chunk.valid.sum(axis=1)
        last_time = np.take_along_axis(sorted_rows.time, np.maximum(n_valid - 1, 0)[:, None],
                                       axis=1)
        beyond = (landmarks > last_time) | (n_valid == 0)[:, None]
        for k, curve in enumerate(_curves(sorted_rows, conf_type, z)):
            values = np.take_along_axis(curve, np.maximum(passed - 1, 0), axis=1)
            out[k, rows] = np.where(beyond, np.nan, np.where(passed == 0, 1.0, values))
    logger.debug("batch KM at %d landmarks: %d trials", landmarks.shape[0], n_trials)
    shape = (*batch.lead_shape, landmarks.shape[0])
    return [values.reshape(shape) for values in out]
