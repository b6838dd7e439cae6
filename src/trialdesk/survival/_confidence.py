"""Pointwise confidence bands for S(t) from the Greenwood standard error of -log S(t).

The three transforms of R ``survfit`` (R/survfitCI.R, ``survfit_confint``); see
docs/methods.md#confidence-intervals. NaN marks a limit that is not defined.
"""

from __future__ import annotations

import functools
import logging
from typing import Literal, get_args

import numpy as np
from scipy.special import ndtri

from trialdesk.errors import InputError

__all__ = ["ConfType", "check_conf_level", "check_conf_type", "confidence_band", "z_value"]

logger = logging.getLogger(__name__)

ConfType = Literal["log", "log-log", "plain"]
_CONF_TYPES = get_args(ConfType)


def check_conf_type(conf_type: str) -> ConfType:
    """``conf_type`` if it is one of "log", "log-log", "plain"; an InputError otherwise."""
    if conf_type not in _CONF_TYPES:
        raise InputError("must be 'log', 'log-log' or 'plain'", field="conf_type", value=conf_type)
    return conf_type  # type: ignore[return-value]


def check_conf_level(conf_level: float) -> float:
    """``conf_level`` as a float strictly between 0 and 1."""
    level = float(conf_level)
    if not 0.0 < level < 1.0:
        raise InputError("must lie strictly between 0 and 1", field="conf_level", value=conf_level)
    return level


@functools.lru_cache(maxsize=64)
def z_value(conf_level: float) -> float:
    """The two-sided normal quantile for ``conf_level`` (1.959964 for 0.95)."""
    return float(ndtri(1.0 - (1.0 - conf_level) / 2.0))


def confidence_band(survival: np.ndarray, se_cumhaz: np.ndarray, conf_type: ConfType,
                    z: float, *, out: tuple[np.ndarray, np.ndarray] | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper limits for S(t), elementwise.

    ``se_cumhaz`` is the standard error of -log S (R's ``survfit$std.err``). ``out``: two
    float64 arrays of the same shape to write the limits into (fresh ones when None).

    - ``log``: S exp(-/+ z se), upper capped at 1; NaN where S = 0.
    - ``log-log``: exp(-exp(log(-log S) -/+ z se / log S)); NaN where S is 0 or 1.
    - ``plain``: S -/+ z S se, cut to [0, 1]; NaN where S = 0 (se is infinite there).
    """
    lower, upper = (np.empty(survival.shape), np.empty(survival.shape)) if out is None else out
    with np.errstate(invalid="ignore", over="ignore"):  # S = 0 where se is infinite
        if conf_type == "log":  # S exp(-/+ h) = exp(log S -/+ h), one exp instead of a log and two
            factor = np.multiply(se_cumhaz, z, out=upper)
            np.exp(factor, out=factor)
            np.divide(survival, factor, out=lower)
            np.minimum(np.multiply(survival, factor, out=upper), 1.0, out=upper)
            return _nan_where_zero(survival, lower, upper)
        if conf_type == "log-log":
            log_s = np.log(np.where((survival == 0) | (survival == 1), np.nan, survival))
            half = z * se_cumhaz / log_s
            log_minus_log = np.log(-log_s)
            np.exp(-np.exp(log_minus_log - half), out=lower)
            np.exp(-np.exp(log_minus_log + half), out=upper)
            return lower, upper
        half = se_cumhaz * survival * z  # 0 * inf is NaN where S = 0, as wanted
        np.maximum(survival - half, 0.0, out=lower)
        np.minimum(survival + half, 1.0, out=upper)
        return lower, upper


def _nan_where_zero(survival: np.ndarray, lower: np.ndarray, upper: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The limits with NaN where S(t) = 0 (any shape)."""
    if not survival.all():
        zero = survival == 0
        lower[zero] = np.nan
        upper[zero] = np.nan
    return lower, upper
