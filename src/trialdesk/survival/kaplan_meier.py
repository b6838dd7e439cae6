"""Kaplan-Meier estimate of S(t) with Greenwood standard errors, as R ``survfit`` reports it.

``kaplan_meier(time, event)`` gives one curve; ``kaplan_meier_by_group(time, event, group)`` one
curve per group from one call. Conventions are in docs/methods.md (#kaplan-meier, #greenwood,
#confidence-intervals, #median, #rmst).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.errors import InputError
from trialdesk.survival._confidence import (
    ConfType,
    check_conf_level,
    check_conf_type,
    confidence_band,
    z_value,
)
from trialdesk.survival._km_kernel import product_limit_terms, risk_table, running
from trialdesk.survival._quantile import median_time, quantile_times
from trialdesk.survival._read_only import read_only
from trialdesk.survival._rmst import restricted_mean
from trialdesk.survival._sort_key import KeyLayout, pack_keys
from trialdesk.survival._validation import (
    as_event_flags,
    as_groups,
    as_time_array,
    as_time_array_and_range,
)
from trialdesk.table import Table

__all__ = [
    "KaplanMeier",
    "QuantileEstimate",
    "RestrictedMean",
    "SurvivalAt",
    "kaplan_meier",
    "kaplan_meier_by_group",
]

logger = logging.getLogger(__name__)


class QuantileEstimate(NamedTuple):
    """A time quantile with its confidence limits (NaN = not reached)."""

    estimate: float
    lower: float
    upper: float


class SurvivalAt(NamedTuple):
    """S(t) and its confidence limits at requested times (arrays aligned with the times)."""

    survival: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


class RestrictedMean(NamedTuple):
    """Restricted mean survival time up to tau, in the unit of the times, and its standard error."""

    estimate: float
    std_err: float


@dataclass(frozen=True, slots=True)
class KaplanMeier:
    """Kaplan-Meier estimate. Matches R: ``survfit(Surv(time, event) ~ 1, conf.type=, conf.int=)``.

    Arrays run over every distinct observed time (event or censoring), ascending; S(t) is
    right-continuous (the drop is at the event time). At a time with both events and censorings
    the events come first: a patient censored at t is still at risk at t.

    Attributes
    ----------
    time
        Distinct observed times, in the caller's unit.
    n_risk, n_event, n_censor
        Patients with time >= t; events at t; censorings at t.
    survival
        S(t), the product of (n_risk - n_event) / n_risk up to t.
    std_err
        Greenwood standard error of S(t) itself (as ``summary(survfit)`` prints it); NaN where
        S = 0.
    std_err_cumhaz
        Greenwood standard error of -log S(t): what R's survfit object stores as ``std.err``;
        +inf where S = 0.
    lower, upper
        Pointwise confidence limits for S(t) by ``conf_type``; NaN where not defined.
    conf_type, conf_level
        The confidence interval transform ("log" is R's default) and level.

    Examples
    --------
    >>> km = kaplan_meier([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1])
    >>> km.survival.round(4).tolist()
    [0.8333, 0.6667, 0.4444, 0.4444, 0.0]
    >>> km.median
    3.0
    """

    time: np.ndarray
    n_risk: np.ndarray
    n_event: np.ndarray
    n_censor: np.ndarray
    survival: np.ndarray
    std_err: np.ndarray
    std_err_cumhaz: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    conf_type: ConfType
    conf_level: float

    @property
    def median(self) -> float:
        """Median survival time by the ``print(survfit)`` rule; NaN = not reached.

        The first time S(t) <= 0.5; where S(t) is exactly 0.5 (within sqrt(machine epsilon))
        until a later drop, the midpoint of the two times (docs/methods.md#median).
        """
        return median_time(self.time, self.survival)

    @property
    def median_ci(self) -> tuple[float, float]:
        """Confidence limits of the median: the same rule on the lower and the upper band.

        NaN = the band never comes down to 0.5 ("not reached"); R's 0.95LCL and 0.95UCL.
        """
        return median_time(self.time, self.lower), median_time(self.time, self.upper)

    @property
    def n(self) -> int:
        """Number of patients (R's ``records``)."""
        return int(self.n_risk[0])

    def quantile(self, p: float) -> QuantileEstimate:
        """The time by which a fraction ``p`` has had the event, with its confidence limits.

        ``p = 0.5`` is the median, ``p = 0.25`` the first time S(t) <= 0.75. The rule is R's
        ``quantile(survfit, probs = p)``: the limits come from the lower and upper bands, and
        a level held exactly to a later drop gives the midpoint of the two times. Where a band
        rises again after a step this can differ from ``median_ci`` (which follows
        ``print(survfit)``); docs/methods.md#median.
        """
        if not 0.0 <= p <= 1.0:
            raise InputError("must lie in [0, 1]", field="p", value=p)
        probs = np.array([p], dtype=float)
        return QuantileEstimate(
            float(quantile_times(self.time, self.survival, probs)[0]),
            float(quantile_times(self.time, self.lower, probs)[0]),
            float(quantile_times(self.time, self.upper, probs)[0]),
        )

    def at(self, times: ArrayLike) -> SurvivalAt:
        """S(t) and its confidence limits at ``times``, like R's ``summary(fit, times=)``.

        The values of the step functions at each time (1 before the first observed time);
        NaN beyond the last observed time, where R's ``summary`` (``extend = FALSE``) drops
        the time.
        """
        times = as_time_array(times, name="times")
        index = self._index_at(times)
        beyond = times > self.time[-1]

        def step(values: np.ndarray) -> np.ndarray:
            out = np.where(index < 0, 1.0, values[np.maximum(index, 0)])
            out[beyond] = np.nan
            return read_only(out)

        return SurvivalAt(step(self.survival), step(self.lower), step(self.upper))

    def rmst(self, tau: float) -> RestrictedMean:
        """Restricted mean survival time up to ``tau`` and its standard error.

        Matches R: ``print(survfit, rmean = tau)`` (``rmean``, ``se(rmean)``). The last step is
        extended to ``tau`` if ``tau`` lies beyond the last time. docs/methods.md#rmst.
        """
        tau = float(tau)
        if not np.isfinite(tau) or tau <= 0:
            raise InputError("must be a positive finite time", field="tau", value=tau)
        return RestrictedMean(*restricted_mean(self.time, self.survival, self.n_risk,
                                               self.n_event, tau))

    def summary(self, times: ArrayLike | None = None) -> Table:
        """R's ``summary(fit)`` table: every event time, or the landmark ``times`` given.

        With ``times``, ``n.risk`` is the number at risk just before each time and ``n.event``
        / ``n.censor`` count what happened since the previous time (the first from 0), as
        ``summary(fit, times=)``; times beyond the last observed time are left out.
        """
        level = f"{round(self.conf_level * 100, 6):g}%"
        if times is None:
            rows = np.flatnonzero(self.n_event > 0)
            columns = {"time": self.time[rows], "n.risk": self.n_risk[rows],
                       "n.event": self.n_event[rows], "survival": self.survival[rows],
                       "std.err": self.std_err[rows], f"lower {level} CI": self.lower[rows],
                       f"upper {level} CI": self.upper[rows]}
            return Table(columns, title="Kaplan-Meier estimate")
        times = as_time_array(times, name="times")
        times = times[times <= self.time[-1]]
        index = self._index_at(times)
        next_index = np.searchsorted(self.time, times, side="left")
        events_by = np.concatenate(([0], np.cumsum(self.n_event)))[index + 1]
        censored_by = np.concatenate(([0], np.cumsum(self.n_censor)))[index + 1]
        estimate = self.at(times)
        std_err = np.where(index < 0, 0.0, self.std_err[np.maximum(index, 0)])
        columns = {"time": times, "n.risk": self.n_risk[next_index],
                   "n.event": np.diff(events_by, prepend=0),
                   "n.censor": np.diff(censored_by, prepend=0),
                   "survival": estimate.survival, "std.err": std_err,
                   f"lower {level} CI": estimate.lower, f"upper {level} CI": estimate.upper}
        return Table(columns, title="Kaplan-Meier estimate at landmark times")

    def _index_at(self, times: np.ndarray) -> np.ndarray:
        """Index of the last observed time <= each of ``times`` (-1 before the first)."""
        return np.searchsorted(self.time, times, side="right") - 1

    def _repr_html_(self) -> str:
        return self.summary().to_html()


def kaplan_meier(time: ArrayLike, event: ArrayLike, *, conf_type: ConfType = "log",
                 conf_level: float = 0.95) -> KaplanMeier:
    """Kaplan-Meier estimate of S(t) for one group of patients.

    Matches R: ``survfit(Surv(time, event) ~ 1, conf.type = conf_type, conf.int = conf_level)``.

    Parameters
    ----------
    time
        Follow-up times (>= 0, finite), in the caller's declared unit.
    event
        1 (or True) = event, 0 (or False) = censored.
    conf_type
        "log" (R's default: S exp(-/+ z se)), "log-log" or "plain"; lifelines' intervals
        are "log-log".
    conf_level
        Level of the pointwise intervals and of the median's interval.

    Raises
    ------
    InputError
        Naming the argument and the first offending index (negative or NaN time, event code
        other than 0/1, length mismatch, no patients).

    Examples
    --------
    >>> kaplan_meier([2, 4, 4, 6], [1, 0, 1, 1]).n_risk.tolist()
    [4, 3, 1]
    """
    time_array, time_range = as_time_array_and_range(time)
    event_array = as_event_flags(event, n=time_array.shape[0])
    _check_not_empty(time_array)
    conf_type, conf_level = check_conf_type(conf_type), check_conf_level(conf_level)
    keys, layout = pack_keys(time_array, event_array, time_range=time_range)
    keys.sort()
    return _fit_curves(keys, layout, np.array([keys.shape[0]]), conf_type, conf_level)[0]


def kaplan_meier_by_group(time: ArrayLike, event: ArrayLike, group: ArrayLike, *,
                          conf_type: ConfType = "log", conf_level: float = 0.95
                          ) -> Mapping[str, KaplanMeier]:
    """One Kaplan-Meier estimate per group, from one call.

    Matches R: ``survfit(Surv(time, event) ~ group, conf.type=, conf.int=)``. Returns a
    read-only mapping label -> :class:`KaplanMeier` in label order (labels sorted as strings
    unless ``group`` is a categorical, whose order is kept). One integer sort of keys packing
    (group, time, censored) orders every group at once.

    Examples
    --------
    >>> curves = kaplan_meier_by_group([1, 2, 3, 4], [1, 1, 0, 1], ["b", "a", "b", "a"])
    >>> list(curves)
    ['a', 'b']
    """
    time_array, time_range = as_time_array_and_range(time)
    event_array = as_event_flags(event, n=time_array.shape[0])
    labels, codes, sizes = as_groups(group, n=time_array.shape[0])
    group_ends = np.cumsum(sizes)
    conf_type = check_conf_type(conf_type)
    conf_level = check_conf_level(conf_level)
    keys, layout = pack_keys(time_array, event_array, major=codes, n_major=len(labels),
                             time_range=time_range)
    keys.sort()
    curves = _fit_curves(keys, layout, group_ends, conf_type, conf_level)
    return MappingProxyType(dict(zip(labels, curves, strict=True)))


def _check_not_empty(time: np.ndarray) -> None:
    if time.shape[0] == 0:
        raise InputError("is empty; a Kaplan-Meier estimate needs at least one patient",
                         field="time")


def _fit_curves(sorted_keys: np.ndarray, layout: KeyLayout, ends: np.ndarray,
                conf_type: ConfType, conf_level: float) -> list[KaplanMeier]:
    """One estimate per curve from keys sorted by (curve, time, censored) (``pack_keys``).

    Curve c's patients are ``sorted_keys[ends[c - 1]:ends[c]]`` (none empty). Every column is
    computed once for all curves; only the running product and sum restart at each curve.
    """
    table = risk_table(sorted_keys, layout, ends)
    rows = table.time.shape[0]
    survival, std_err_cumhaz = np.empty((2, rows))  # two blocks: fewer, larger allocations
    std_err, lower, upper = np.empty((3, rows))      # fault in faster than five
    product_limit_terms(table.n_risk, table.n_event, out=(survival, std_err_cumhaz))
    running(np.multiply, survival, table.row_ends)
    running(np.add, std_err_cumhaz, table.row_ends)
    np.sqrt(std_err_cumhaz, out=std_err_cumhaz)
    with np.errstate(invalid="ignore"):  # S = 0 exactly where se is infinite: NaN there, wanted
        np.multiply(survival, std_err_cumhaz, out=std_err)
    confidence_band(survival, std_err_cumhaz, conf_type, z_value(conf_level), out=(lower, upper))
    columns = [read_only(column) for column in (table.time, table.n_risk, table.n_event,
                                                table.n_censor, survival, std_err,
                                                std_err_cumhaz, lower, upper)]
    curves = []
    first = 0
    for last in table.row_ends.tolist():
        curves.append(KaplanMeier(*(column[first:last] for column in columns),
                                  conf_type=conf_type, conf_level=conf_level))
        first = last
    return curves
