"""Log-rank test and its G-rho family for two or more groups, optionally stratified.

Matches R ``survdiff`` (survival 3.5); docs/methods.md#logrank.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.survival._km_kernel import product_limit
from trialdesk.survival._logrank_kernel import (
    LogRankSums,
    check_rho,
    chisq_statistic,
    logrank_sums,
    p_value,
    single_event_sums,
)
from trialdesk.survival._read_only import read_only
from trialdesk.survival._sort_key import KeyLayout, KeyRuns, key_runs, pack_keys, time_starts
from trialdesk.survival._validation import (
    as_event_flags,
    as_group_labels,
    as_groups,
    as_time_array_and_range,
)
from trialdesk.table import Table

__all__ = ["LogRankTest", "logrank_test"]

logger = logging.getLogger(__name__)

_ONE = np.uint64(1)


@dataclass(frozen=True, slots=True)
class LogRankTest:
    """G-rho log-rank test. Matches R: ``survdiff(Surv(time, event) ~ group + strata(s), rho=)``.

    Attributes
    ----------
    groups
        Group labels, sorted as strings unless given as a categorical (whose order is kept).
    n
        Patients per group.
    observed, expected
        Events per group and their expectation under H0, weighted by S(t-)^rho for rho != 0
        (S the pooled Kaplan-Meier within the stratum), summed over strata.
    variance
        Variance matrix of observed - expected (hypergeometric, with the (N-D)/(N-1) ties
        factor), summed over strata.
    chisq, df, p_value
        (O-E)' V^- (O-E) with R's generalized inverse (groups with expected 0 and then the
        first group left out), df = groups with expected > 0 minus 1, upper chi-square tail
        (1 when df = 0, as R). Unlike scipy's ``logrank``, ``chisq`` is the chi-square, not
        its square root.
    rho
        The G-rho weight exponent (0 = log-rank, 1 = Peto-Peto as R's survdiff).
    strata
        Stratum labels (empty when unstratified).
    observed_by_stratum, expected_by_stratum
        (groups, strata) arrays of the per-stratum values.
    """

    groups: tuple[str, ...]
    n: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    variance: np.ndarray
    chisq: float
    df: int
    p_value: float
    rho: float
    strata: tuple[str, ...]
    observed_by_stratum: np.ndarray
    expected_by_stratum: np.ndarray

    def summary(self) -> Table:
        """R's printed survdiff table: N, Observed, Expected, (O-E)^2/E, (O-E)^2/V per group."""
        difference = self.observed - self.expected
        with np.errstate(divide="ignore", invalid="ignore"):
            columns = {"group": np.array(self.groups, dtype=object), "N": self.n,
                       "Observed": self.observed, "Expected": self.expected,
                       "(O-E)^2/E": difference**2 / self.expected,
                       "(O-E)^2/V": difference**2 / np.diag(self.variance)}
        title = (f"Chisq= {self.chisq:.1f}  on {self.df} degrees of freedom, "
                 f"p= {self.p_value:.2g}")
        return Table(columns, title=title)

    def _repr_html_(self) -> str:
        return self.summary().to_html()


def logrank_test(time: ArrayLike, event: ArrayLike, group: ArrayLike, *,
                 strata: ArrayLike | None = None, rho: float = 0.0) -> LogRankTest:
    """Compare survival between groups with the G-rho family of log-rank tests.

    Matches R: ``survdiff(Surv(time, event) ~ group + strata(strata), rho = rho)``.

    Parameters
    ----------
    time
        Follow-up times (>= 0, finite), in the caller's unit (the test is invariant to it).
    event
        1 (or True) = event, 0 (or False) = censored.
    group
        Group label per patient; at least two groups, none empty.
    strata
        Optional stratum label per patient: observed, expected and variance are summed over
        strata before the chi-square is formed.
    rho
        Weight each event time by S(t-)^rho, S the pooled Kaplan-Meier (left-continuous) within
        the stratum: 0 is the log-rank test, 1 the Peto & Peto modification of the
        Gehan-Wilcoxon test.

    Examples
    --------
    >>> lr = logrank_test([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 0, 1], ["a", "b", "a", "b", "a", "b"])
    >>> lr.groups, lr.observed.tolist(), lr.df
    (('a', 'b'), [2.0, 3.0], 1)
    """
    time_array, time_range = as_time_array_and_range(time)
    n = time_array.shape[0]
    event_array = as_event_flags(event, n=n)
    groups, codes, group_sizes = as_groups(group, n=n, at_least=2)
    rho = check_rho(rho)
    if strata is None:
        stratum_labels: tuple[str, ...] = ()
        stratum_codes, stratum_sizes = None, np.array([n])
    else:
        stratum_labels, stratum_codes = as_group_labels(strata, name="strata", n=n)
        stratum_sizes = np.bincount(stratum_codes, minlength=len(stratum_labels))
    keys, layout = pack_keys(time_array, event_array, major=stratum_codes,
                             n_major=stratum_sizes.shape[0], minor=codes, n_minor=len(groups),
                             time_range=time_range)
    keys.sort()
    ends = np.cumsum(stratum_sizes)
    per_stratum = [_stratum_sums(keys[start:end], layout, len(groups), rho)
                   for start, end in zip(ends - stratum_sizes, ends, strict=True)]
    total = per_stratum[0] if len(per_stratum) == 1 else LogRankSums(
        *(np.sum([getattr(s, name) for s in per_stratum], axis=0) for name in LogRankSums._fields))
    chisq, df = chisq_statistic(total)
    return LogRankTest(
        groups=groups, n=read_only(group_sizes), observed=read_only(total.observed),
        expected=read_only(total.expected), variance=read_only(total.variance),
        chisq=float(chisq), df=int(df), p_value=float(p_value(chisq, df)), rho=rho,
        strata=stratum_labels,
        observed_by_stratum=read_only(_by_stratum([s.observed for s in per_stratum])),
        expected_by_stratum=read_only(_by_stratum([s.expected for s in per_stratum])),
    )


def _by_stratum(values: list[np.ndarray]) -> np.ndarray:
    """Per-stratum vectors as columns of a (groups, strata) array."""
    return values[0][:, None].copy() if len(values) == 1 else np.stack(values, axis=-1)


def _stratum_sums(sorted_keys: np.ndarray, layout: KeyLayout, groups: int, rho: float
                  ) -> LogRankSums:
    """Log-rank sums of one stratum from its sorted keys (group as minor code; consumed).

    Only event times contribute; the pooled Kaplan-Meier weight is the product over earlier
    event times (censoring-only times leave it unchanged). Every time distinct (continuous
    times) takes a shorter path: each patient is a time of its own, with at most one event.
    """
    low_bits = np.uint64(1 + layout.minor_bits)  # the censored bit and the group
    mask = (_ONE << low_bits) - _ONE
    low = np.bitwise_and(sorted_keys, mask, casting="unsafe",
                         out=np.empty(sorted_keys.shape[0], dtype=np.min_scalar_type(mask)))
    time_code = np.right_shift(sorted_keys, low_bits, out=sorted_keys)
    if (time_code[1:] != time_code[:-1]).all():
        return _single_event_stratum_sums(low, layout.minor_bits, groups, rho, spare=time_code)
    sorted_keys <<= low_bits  # back to the keys, for the runs of equal keys
    sorted_keys |= low
    n_risk, n_event = _counts_by_run(key_runs(sorted_keys, layout), groups)
    weight = None
    if rho != 0:
        weight = _pooled_weight(product_limit(n_risk.sum(axis=0), n_event.sum(axis=0)), rho)
    return logrank_sums(n_risk, n_event, weight)


def _single_event_stratum_sums(low: np.ndarray, minor_bits: int, groups: int, rho: float, *,
                               spare: np.ndarray) -> LogRankSums:
    """Log-rank sums when every time is distinct.

    ``low``: each sorted patient's censored bit and group code (``minor_bits`` bits). The event
    times are the events' positions p; N = n - p are at risk, and in group g the group's
    patients at positions >= p, a cumulative count from the end. ``spare`` is a 64-bit array
    of the patients' length to count in, then to hold N (at 1e6 each fresh array costs more to
    fault in than the arithmetic on it).
    """
    n = low.shape[0]
    at = (low < (1 << minor_bits)).nonzero()[0]  # censored bit 0: the events (low = the group)
    share = np.empty((groups - 1, at.shape[0]))  # p_g = n_g / N (g >= 1), counted as int64 first
    counts = share.view(np.int64)
    at_or_after = spare.view(np.int64)
    group_code = low & low.dtype.type((1 << minor_bits) - 1)
    for g in range(1, groups):
        member = (group_code == g).view(np.uint8)  # counts faster than booleans
        np.cumsum(member[::-1], out=at_or_after[::-1])  # from the end: faster than forwards
        np.take(at_or_after, at, out=counts[g - 1], mode="clip")
    group0_at_risk = at.shape[0] > 0 and n - at[0] > counts[:, 0].sum()  # at the first event
    total_risk = np.subtract(n, at, dtype=np.float64, out=spare.view(np.float64)[: at.shape[0]])
    np.divide(counts, total_risk, out=share)  # in place: each count is read before written
    return single_event_sums(share, *_events_and_weight(low, at, total_risk, groups, rho),
                             group0_at_risk=bool(group0_at_risk))


def _events_and_weight(low: np.ndarray, at: np.ndarray, total_risk: np.ndarray, groups: int,
                       rho: float) -> tuple[np.ndarray, np.ndarray | None]:
    """Weighted events per group and the weights S(t-)^rho (None for rho = 0), every time distinct.

    ``low`` as in ``_single_event_stratum_sums`` (an event's low bits are its group), ``at`` the
    events' positions and ``total_risk`` N there: the pooled Kaplan-Meier drops by a factor
    (N - 1) / N at each.
    """
    if rho == 0:
        return np.array([np.count_nonzero(low == g) for g in range(groups)], dtype=np.float64), None
    weight = _pooled_weight(product_limit(total_risk, np.ones(at.shape[0])), rho)
    return np.bincount(low.take(at), weights=weight, minlength=groups), weight


def _pooled_weight(survival: np.ndarray, rho: float) -> np.ndarray:
    """S(t-)^rho at each event time from the pooled S(t) after each (1 at the first)."""
    weight = np.ones(survival.shape[0])
    weight[1:] = survival[:-1] ** rho
    return weight


def _counts_by_run(runs: KeyRuns, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """(groups, k) at risk and events at the k distinct times, from the runs of equal keys.

    Times with censorings only are kept (they add 0 to every sum and leave the pooled
    Kaplan-Meier weight unchanged). At risk in group g at time t: the group's patients minus
    those in runs before t's first run.
    """
    time_start = time_starts(runs)
    events = runs.length * runs.event
    n_risk = np.empty((groups, time_start.shape[0]))
    n_event = np.empty((groups, time_start.shape[0]))
    np.subtract(runs.start[-1] + runs.length[-1], runs.start.take(time_start), out=n_risk[0])
    n_event[0] = np.add.reduceat(events, time_start)
    for g in range(1, groups):
        member = runs.minor == g
        before = _exclusive_cumsum(runs.length * member)
        np.subtract(before[-1], before.take(time_start), out=n_risk[g])
        n_event[g] = np.add.reduceat(events * member, time_start)
        n_risk[0] -= n_risk[g]
        n_event[0] -= n_event[g]
    return n_risk, n_event


def _exclusive_cumsum(values: np.ndarray) -> np.ndarray:
    """(m + 1,) sums of ``values`` before each position, and the total last (int64 for counts)."""
    out = np.empty(values.shape[0] + 1, dtype=np.int64 if values.dtype.kind in "biu" else values.dtype)
    out[0] = 0
    values.cumsum(out=out[1:])
    return out
