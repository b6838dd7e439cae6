"""Scan-aware RFS: Turnbull's NPMLE per arm and Finkelstein's score test between arms.

A relapse is only seen at a restaging scan, so its time is known to lie in (L, R]: L the
last scan without relapse, R the first scan with it. Deaths are exact ([t, t]), censored
patients (t, infinity). ``docs/analysis.md#interval-censored`` gives the details.

* **Turnbull NPMLE.** The mass of the nonparametric maximum likelihood estimate sits on
  Turnbull's innermost intervals (a left end immediately followed by a right end among all
  the ends sorted; open left ends after closed right ends at a tie, exact points closed).
  The masses are found by the self-consistency (EM) iteration of Turnbull (1976),
  accelerated by squared extrapolation (SQUAREM, Varadhan and Roland 2008; every step keeps
  the likelihood from falling), until no mass changes by more than ``tol`` in a step. Each
  patient's interval covers a contiguous run of innermost intervals, so a step costs
  O(n + m) (cumulative sums, no n x m matrix). Within an innermost interval the curve is not
  identified; ``survival`` is S at each interval's right end. With only exact and
  right-censored times the NPMLE is the Kaplan-Meier estimate.
  R ``survfit(Surv(L, R, type = "interval2") ~ 1)`` runs the plain EM but stops at a
  change of 5e-5 and reports its own time points, so it agrees only to its printed digits.
* **Test.** Finkelstein's (1986) score test of beta = 0 in the grouped proportional-hazards
  model S_z(t) = S(t)^exp(beta z): with S the pooled NPMLE, patient i's score is
  c_i = (S(L_i) log S(L_i) - S(R_i) log S(R_i)) / (S(L_i) - S(R_i)) (0 log 0 = 0), and the
  statistic U = sum of c_i in the experimental arm minus its permutation mean, with the
  permutation variance n1 n0 / (n (n - 1)) sum (c_i - mean c)^2 (the asymptotic
  permutation form of Fay 1999). As R ``interval::ictest(L, R, arm, scores = "logrank2",
  method = "pclt")`` and SAS ``PROC ICLIFETEST ... TEST arm / WEIGHT=FINKELSTEIN`` with
  ``PROC NPAR1WAY SCORES=DATA`` (SAS's breast cosmesis example is reproduced to its printed
  digits: tests/reference/test_analysis_finkelstein_sas.py). ``z`` is signed so that
  z > 0 favours the experimental arm (fewer or later events); the two-sided p-value is from
  z^2 ~ chi-square(1).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from trialdesk.analysis._serialise import JsonResult, read_only
from trialdesk.analysis.datasets import DAYS_PER_MONTH
from trialdesk.analysis.primary import PrimaryAnalysis
from trialdesk.errors import ConvergenceError, InputError
from trialdesk.survival._validation import as_group_labels, as_time_array
from trialdesk.table import Table

__all__ = ["FinkelsteinTest", "ScanAwareAnalysis", "ScanAwareArm", "TurnbullEstimate",
           "finkelstein_scores", "finkelstein_test", "scan_aware_analysis", "turnbull"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TurnbullEstimate(JsonResult):
    """Turnbull NPMLE of S(t) for (L, R] data.

    ``left``, ``right``: the innermost intervals (``left_open`` false for an exact point
    [t, t]); ``mass``: probability on each; ``survival``: S at each interval's right end.
    """

    left: np.ndarray
    right: np.ndarray
    left_open: np.ndarray
    mass: np.ndarray
    survival: np.ndarray
    n: int
    iterations: int

    def at(self, times: ArrayLike) -> np.ndarray:
        """S(t): 1 minus the mass of the innermost intervals ending by t.

        Inside an innermost interval S is not identified; this returns its value at the
        interval's left end (an upper bound), as a step function like Kaplan-Meier.
        """
        t = np.atleast_1d(np.asarray(times, dtype=float))
        ended = self.right[None, :] <= t[:, None]
        return 1.0 - ended.astype(float) @ self.mass

    def median(self) -> float:
        """First right end where S <= 0.5 (nan when never reached)."""
        reached = np.flatnonzero(self.survival <= 0.5 + 1e-12)
        return float(self.right[reached[0]]) if reached.size else math.nan

    def summary(self) -> Table:
        """One row per innermost interval with positive mass."""
        shown = self.mass > 0
        return Table({"left": self.left[shown], "right": self.right[shown],
                      "mass": self.mass[shown], "survival": self.survival[shown]},
                     title=f"Turnbull NPMLE (n={self.n})")


@dataclass(frozen=True, slots=True)
class FinkelsteinTest(JsonResult):
    """Finkelstein's interval-censored log-rank score test (permutation variance).

    ``score``: U, the experimental arm's scores minus their permutation mean (U > 0: more
    or earlier events than expected); ``variance``: its permutation variance;
    ``z = -U / sqrt(variance)`` (z > 0 favours the experimental arm); ``chisq = z^2``.
    """

    control: str
    experimental: str
    score: float
    variance: float
    z: float
    chisq: float
    p_value: float

    def summary(self) -> Table:
        """Score, variance, z, chi-square and p."""
        return Table.from_rows(
            ("comparison", "U", "var(U)", "z", "chisq", "p"),
            [(f"{self.experimental} vs {self.control}", self.score, self.variance, self.z,
              self.chisq, self.p_value)],
            title="Finkelstein score test (interval-censored)")


def _doubled_grid(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Closed integer intervals [a, b] standing for (L, R], [t, t] and (L, inf)."""
    values = np.unique(np.concatenate([left, right[np.isfinite(right)]]))
    exact = left == right
    a = 2 * np.searchsorted(values, left) + (~exact).astype(int)
    b = np.where(np.isfinite(right), 2 * np.searchsorted(values, np.where(
        np.isfinite(right), right, 0.0)), 2 * values.size + 1)
    return values, a, b


def _innermost(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Innermost intervals: a left end immediately followed by a right end (lefts first on ties)."""
    ends = sorted([(int(v), 0) for v in np.unique(a)] + [(int(v), 1) for v in np.unique(b)])
    pairs = [(ends[k][0], ends[k + 1][0]) for k in range(len(ends) - 1)
             if ends[k][1] == 0 and ends[k + 1][1] == 1]
    q, p = (np.array(side, dtype=int) for side in zip(*pairs, strict=True))
    return q, p


def _validated(left: ArrayLike, right: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    lower = as_time_array(left, name="left")
    upper = np.asarray(right, dtype=float)
    if upper.shape != lower.shape or np.isnan(upper).any():
        raise InputError("must have the length of left and no NaN (use inf for censored)",
                         field="right")
    bad = upper < lower
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError("is below left; intervals are (left, right]", field="right", row=i,
                         value=float(upper[i]))
    return lower, upper


@dataclass(frozen=True, slots=True)
class _Npmle:
    """The NPMLE on the doubled integer grid: data [a, b], innermost [q, p], masses.

    Observation i contains exactly the innermost intervals ``first[i] .. last[i]`` (the
    intervals are disjoint and sorted), so every EM step is a cumulative sum, O(n + m).
    """

    values: np.ndarray
    a: np.ndarray
    b: np.ndarray
    q: np.ndarray
    p: np.ndarray
    first: np.ndarray
    last: np.ndarray
    mass: np.ndarray
    iterations: int

    def tail(self, index: np.ndarray) -> np.ndarray:
        """Mass of the innermost intervals from ``index`` on."""
        return 1.0 - np.concatenate([[0.0], np.cumsum(self.mass)])[index]


def _probability(first: np.ndarray, last: np.ndarray, mass: np.ndarray) -> np.ndarray:
    """Each observation's probability: the mass of its innermost intervals."""
    cumulative = np.concatenate([[0.0], np.cumsum(mass)])
    return cumulative[last + 1] - cumulative[first]


def _em_step(first: np.ndarray, last: np.ndarray, mass: np.ndarray) -> np.ndarray:
    """One self-consistency (EM) update of Turnbull (1976)."""
    weight = 1.0 / _probability(first, last, mass)
    m = mass.size
    share = np.cumsum(np.bincount(first, weight, m + 1) - np.bincount(last + 1, weight, m + 1))
    return mass * share[:m] / first.size


def _loglik(first: np.ndarray, last: np.ndarray, mass: np.ndarray) -> float:
    with np.errstate(divide="ignore"):
        return float(np.sum(np.log(_probability(first, last, mass))))


def _squarem_step(first: np.ndarray, last: np.ndarray, mass: np.ndarray) -> np.ndarray:
    """Two EM steps extrapolated (SQUAREM, scheme S3 of Varadhan and Roland 2008), then one
    EM step; falls back to the plain two steps when the extrapolation lowers the likelihood."""
    one = _em_step(first, last, mass)
    two = _em_step(first, last, one)
    r, v = one - mass, two - 2 * one + mass
    if not np.any(v):
        return two
    step = min(-np.linalg.norm(r) / np.linalg.norm(v), -1.0)
    jump = np.clip(mass - 2 * step * r + step * step * v, 0.0, None)
    jump = _em_step(first, last, jump / jump.sum())
    return jump if _loglik(first, last, jump) >= _loglik(first, last, two) else two


def _npmle(lower: np.ndarray, upper: np.ndarray, *, tol: float, max_iter: int) -> _Npmle:
    values, a, b = _doubled_grid(lower, upper)
    q, p = _innermost(a, b)
    first = np.searchsorted(q, a, side="left")
    last = np.searchsorted(p, b, side="right") - 1
    mass = np.full(q.size, 1.0 / q.size)
    for iteration in range(1, max_iter + 1):
        updated = _squarem_step(first, last, mass)
        change = np.max(np.abs(updated - mass))
        mass = updated
        if change < tol:
            return _Npmle(values, a, b, q, p, first, last, mass, iteration)
    raise ConvergenceError(f"Turnbull EM did not converge in {max_iter} iterations")


def turnbull(left: ArrayLike, right: ArrayLike, *, tol: float = 1e-10,
             max_iter: int = 100_000) -> TurnbullEstimate:
    """Turnbull's NPMLE for data in (left, right] (exact: left == right; censored: inf).

    Raises ``ConvergenceError`` when the EM has not converged in ``max_iter`` steps.
    """
    fit = _npmle(*_validated(left, right), tol=tol, max_iter=max_iter)
    with_inf = np.append(fit.values, np.inf)
    return TurnbullEstimate(
        left=read_only(with_inf[fit.q // 2]),
        right=read_only(with_inf[np.minimum(fit.p // 2, fit.values.size)]),
        left_open=read_only(fit.q % 2 == 1, dtype=bool), mass=read_only(fit.mass),
        survival=read_only(np.clip(1.0 - np.cumsum(fit.mass), 0.0, 1.0)), n=int(fit.a.size),
        iterations=fit.iterations)


def _x_log_x(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x * np.log(np.where(x > 0, x, 1.0)), 0.0)


def finkelstein_scores(left: ArrayLike, right: ArrayLike, *, tol: float = 1e-10) -> np.ndarray:
    """Each patient's Finkelstein score c_i from the pooled NPMLE (module doc)."""
    fit = _npmle(*_validated(left, right), tol=tol, max_iter=100_000)
    s_left = fit.tail(fit.first)  # S(L): the intervals from the first one inside (L, R]
    s_right = fit.tail(np.searchsorted(fit.q, fit.b, side="right"))  # S(R): those after R
    return (_x_log_x(s_left) - _x_log_x(s_right)) / (s_left - s_right)


def finkelstein_test(left: ArrayLike, right: ArrayLike, arm: Sequence[str], *,
                     control: str) -> FinkelsteinTest:
    """Two-arm Finkelstein score test for (left, right] data (module doc)."""
    labels, codes = as_group_labels(arm, name="arm", n=len(np.asarray(left)))
    if len(labels) != 2 or control not in labels:
        raise InputError("needs exactly two arms, one of them the control", field="arm",
                         value=labels, hint=f"control is {control!r}")
    experimental = labels[1 - labels.index(control)]
    in_experimental = codes == labels.index(experimental)
    scores = finkelstein_scores(left, right)
    n, n1 = scores.size, int(in_experimental.sum())
    u = float(scores[in_experimental].sum() - n1 * scores.mean())
    variance = float(n1 * (n - n1) / (n * (n - 1)) * np.sum((scores - scores.mean()) ** 2))
    z = -u / math.sqrt(variance) if variance > 0 else math.nan
    logger.debug("Finkelstein test: U=%g var=%g", u, variance)
    return FinkelsteinTest(control=control, experimental=experimental, score=u,
                           variance=variance, z=z, chisq=z * z,
                           p_value=float(stats.chi2.sf(z * z, 1)) if variance > 0 else math.nan)


@dataclass(frozen=True, slots=True)
class ScanAwareArm:
    """One arm's Turnbull estimate (months) beside its right-endpoint Kaplan-Meier numbers."""

    arm: str
    turnbull: TurnbullEstimate
    median: float
    median_right_endpoint: float
    landmark_times: tuple[float, ...]
    landmark_survival: tuple[float, ...]
    landmark_right_endpoint: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class ScanAwareAnalysis(JsonResult):
    """RFS as interval-censored data, shown beside the conventional analysis."""

    arms: tuple[ScanAwareArm, ...]
    test: FinkelsteinTest
    logrank_p_value: float

    def summary(self) -> Table:
        """Per arm: medians and landmark rates, Turnbull vs right endpoint; then the tests."""
        rows = []
        for a in self.arms:
            rows.append((a.arm, "median RFS (months)", a.median, a.median_right_endpoint))
            rows += [(a.arm, f"RFS at {t:g} months", s, km) for t, s, km in zip(
                a.landmark_times, a.landmark_survival, a.landmark_right_endpoint, strict=True)]
        rows.append(("all", "p (Finkelstein vs unstratified log-rank)", self.test.p_value,
                     self.logrank_p_value))
        return Table.from_rows(("arm", "quantity", "interval-censored (Turnbull)",
                                "right endpoint (Kaplan-Meier)"), rows,
                               title="Scan-aware sensitivity analysis of RFS")


def scan_aware_analysis(rfs: pd.DataFrame, primary: PrimaryAnalysis) -> ScanAwareAnalysis:
    """Turnbull per arm and Finkelstein's test on ``rfs``'s intervals, beside ``primary``.

    ``rfs`` is the table the primary analysis ran on (``interval_left_days``,
    ``interval_right_days``, ``arm``); intervals are converted to months.
    """
    left = rfs["interval_left_days"].to_numpy(dtype=float) / DAYS_PER_MONTH
    right = rfs["interval_right_days"].to_numpy(dtype=float) / DAYS_PER_MONTH
    arm = rfs["arm"].to_numpy(dtype=object)
    arms = []
    for code in primary.arms:
        fit = turnbull(left[arm == code], right[arm == code])
        landmarks = [lm for lm in primary.landmarks if lm.arm == code]
        times = tuple(lm.time for lm in landmarks)
        arms.append(ScanAwareArm(
            arm=code, turnbull=fit, median=fit.median(),
            median_right_endpoint=primary.curve(code).median, landmark_times=times,
            landmark_survival=tuple(float(s) for s in fit.at(times)),
            landmark_right_endpoint=tuple(lm.survival for lm in landmarks)))
    test = finkelstein_test(left, right, arm, control=primary.arms[0])
    return ScanAwareAnalysis(arms=tuple(arms), test=test,
                             logrank_p_value=primary.logrank_unstratified.p_value)
