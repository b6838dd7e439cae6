"""The primary RFS analysis: KM per arm, medians, landmarks, log-rank, Cox, RMST.

Conventions (``docs/analysis.md#primary``), all on the ITT RFS table, time in months
(days / 30.4375):

* Kaplan-Meier per arm with Greenwood variance and the protocol's CI transform (R's default
  ``log``): R ``survfit(Surv(rfs_months, event) ~ arm, conf.type = "log")``; medians and
  their CIs as ``print(survfit)``; landmark rates as ``summary(fit, times = c(12, 24))``;
* log-rank stratified by the randomisation stratum as recorded:
  ``survdiff(Surv(rfs_months, event) ~ arm + strata(stratum))``; unstratified as sensitivity;
* Cox hazard ratio of each experimental arm versus the control arm, Efron ties (the
  protocol's ``ties``; intervals at its ``conf_level``, 95% for RESORT), stratified
  by stratum: ``coxph(Surv(rfs_months, event) ~ arm + strata(stratum))`` with the control
  arm as reference level; unstratified as sensitivity;
* RMST up to tau per arm (area under the KM curve) and the difference experimental minus
  control with the root of the summed variances, normal CI and two-sided p, as the
  reference files' ``derived_difference_vs_reference`` (and R ``survRM2::rmst2``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from trialdesk.analysis._serialise import JsonResult
from trialdesk.analysis.hazard_ratio import HazardRatio, estimable_cox, hazard_ratio_from_fit
from trialdesk.errors import InputError
from trialdesk.survival import KaplanMeier, kaplan_meier, logrank_test
from trialdesk.table import Table

__all__ = ["LandmarkRate", "LogRankSummary", "PrimaryAnalysis", "RmstDifference",
           "SurvivalCurve", "primary_analysis"]

logger = logging.getLogger(__name__)

ConfType = Literal["log", "log-log", "plain"]
Ties = Literal["efron", "breslow"]


@dataclass(frozen=True, slots=True)
class SurvivalCurve:
    """One arm's Kaplan-Meier estimate (times in months), the engine's result kept whole.

    ``km`` holds the arrays per distinct time as ``survfit`` stores them (``std_err`` is the
    Greenwood standard error of S itself) and the median with its CI by the
    ``print(survfit)`` rule (nan: not reached); it is what ``report.km_plot`` draws.
    """

    arm: str
    km: KaplanMeier

    @property
    def n(self) -> int:
        """Patients in the arm."""
        return self.km.n

    @property
    def n_events(self) -> int:
        """RFS events in the arm."""
        return int(np.sum(self.km.n_event))

    @property
    def censor_times(self) -> np.ndarray:
        """Times with a censoring (the plot's "+" marks)."""
        return self.km.time[self.km.n_censor > 0]

    @property
    def median(self) -> float:
        """Median RFS (nan: not reached)."""
        return float(self.km.median)

    @property
    def median_lower(self) -> float:
        """Lower limit of the median's CI."""
        return float(self.km.median_ci[0])

    @property
    def median_upper(self) -> float:
        """Upper limit of the median's CI (nan: the band never falls to 0.5)."""
        return float(self.km.median_ci[1])


@dataclass(frozen=True, slots=True)
class LandmarkRate:
    """S(t) of one arm at a landmark time (months) with its pointwise CI."""

    arm: str
    time: float
    survival: float
    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class LogRankSummary:
    """A log-rank test as ``survdiff`` prints it; per-arm arrays in ``arms`` order."""

    arms: tuple[str, ...]
    observed: tuple[float, ...]
    expected: tuple[float, ...]
    chisq: float
    df: int
    p_value: float
    stratified: bool

    def z(self, experimental: str) -> float:
        """Signed root of chisq for two arms: z > 0 when ``experimental`` has fewer events
        than expected (favours it)."""
        k = self.arms.index(experimental)
        return -math.copysign(math.sqrt(self.chisq), self.observed[k] - self.expected[k])


@dataclass(frozen=True, slots=True)
class RmstDifference:
    """RMST up to ``tau`` months per arm and experimental minus control."""

    tau: float
    arms: tuple[str, ...]
    rmst: tuple[float, ...]
    se: tuple[float, ...]
    difference: float
    difference_se: float
    lower: float
    upper: float
    p_value: float


@dataclass(frozen=True, slots=True)
class PrimaryAnalysis(JsonResult):
    """The primary RFS analysis (module doc); ``arms`` control first, times in months."""

    arms: tuple[str, ...]
    conf_type: str
    conf_level: float
    curves: tuple[SurvivalCurve, ...]
    landmarks: tuple[LandmarkRate, ...]
    logrank_stratified: LogRankSummary
    logrank_unstratified: LogRankSummary
    cox_stratified: tuple[HazardRatio, ...]
    cox_unstratified: tuple[HazardRatio, ...]
    rmst: RmstDifference

    def curve(self, arm: str) -> SurvivalCurve:
        """The KM curve of ``arm``."""
        return self.curves[self.arms.index(arm)]

    def summary(self) -> Table:
        """Per arm: N, events, median (CI), landmark rates, then HR and log-rank p."""
        ci = f"{100 * self.conf_level:g}% CI"
        rows = []
        for c in self.curves:
            rows.append((c.arm, "N / events", f"{c.n} / {c.n_events}"))
            rows.append((c.arm, f"median RFS, months ({ci})",
                         f"{_fmt(c.median)} ({_fmt(c.median_lower)} - {_fmt(c.median_upper)})"))
        for lm in self.landmarks:
            rows.append((lm.arm, f"RFS at {lm.time:g} months ({ci})",
                         f"{100 * lm.survival:.0f}% ({100 * lm.lower:.0f} - {100 * lm.upper:.0f})"))
        for label, hrs in (("stratified", self.cox_stratified),
                           ("unstratified", self.cox_unstratified)):
            for hr in hrs:
                rows.append((hr.term, f"HR, {label} Cox ({ci})",
                             f"{hr.hazard_ratio:.2f} ({hr.lower:.2f} - {hr.upper:.2f})"))
        for lr in (self.logrank_stratified, self.logrank_unstratified):
            kind = "stratified" if lr.stratified else "unstratified"
            rows.append(("all", f"log-rank p, {kind}", f"{lr.p_value:.4f}"))
        r = self.rmst
        rows.append(("all", f"RMST difference at {r.tau:g} months ({ci})",
                     f"{r.difference:.2f} ({r.lower:.2f} - {r.upper:.2f}), p = {r.p_value:.4f}"))
        return Table.from_rows(("arm", "quantity", "value"), rows, title="Primary analysis: RFS")


def _fmt(value: float) -> str:
    return "NR" if math.isnan(value) else f"{value:.1f}"


def logrank_summary(time: np.ndarray, event: np.ndarray, arm: np.ndarray, arms: Sequence[str],
                    *, strata: np.ndarray | None = None) -> LogRankSummary:
    """The engine's log-rank test with observed/expected reordered to ``arms``."""
    test = logrank_test(time, event, arm, strata=strata)
    order = [list(test.groups).index(a) for a in arms]
    return LogRankSummary(
        arms=tuple(arms), observed=tuple(float(test.observed[k]) for k in order),
        expected=tuple(float(test.expected[k]) for k in order), chisq=float(test.chisq),
        df=int(test.df), p_value=float(test.p_value), stratified=strata is not None)


def arm_hazard_ratios(time: np.ndarray, event: np.ndarray, arm: np.ndarray, arms: Sequence[str],
                      *, strata: np.ndarray | None = None, ties: Ties = "efron",
                      conf_level: float = 0.95) -> tuple[HazardRatio, ...]:
    """Cox hazard ratios of each non-control arm versus ``arms[0]``."""
    experimental = arms[1:]
    X = pd.DataFrame({f"arm={a}": (arm == a).astype(float) for a in experimental})
    n_events = int(event.sum())
    fit = estimable_cox(time, event, X, strata=strata, ties=ties) if n_events else None
    if fit is None:
        return tuple(HazardRatio.not_estimable(f"{a} vs {arms[0]}", n=int(time.size),
                                               n_events=n_events) for a in experimental)
    return tuple(hazard_ratio_from_fit(fit, term=f"{a} vs {arms[0]}", column=k, n=int(time.size),
                                       n_events=n_events, conf_level=conf_level)
                 for k, a in enumerate(experimental))


def rmst_difference(curves: Sequence[SurvivalCurve], *, tau: float,
                    conf_level: float = 0.95) -> RmstDifference:
    """RMST up to ``tau`` of the control (first) and experimental (second) curve, and their
    difference experimental minus control."""
    arms = [curve.arm for curve in curves]
    estimates = [curve.km.rmst(tau) for curve in curves]
    rmst = tuple(float(est) for est, _ in estimates)
    se = tuple(float(s) for _, s in estimates)
    difference = rmst[1] - rmst[0]
    difference_se = math.hypot(se[1], se[0])
    z = stats.norm.ppf(0.5 + conf_level / 2)
    return RmstDifference(
        tau=tau, arms=tuple(arms), rmst=rmst, se=se, difference=difference,
        difference_se=difference_se, lower=difference - z * difference_se,
        upper=difference + z * difference_se,
        p_value=float(2 * stats.norm.sf(abs(difference / difference_se)))
        if difference_se > 0 else math.nan)


def default_rmst_tau(rfs: pd.DataFrame, arms: Sequence[str]) -> float:
    """The smallest over arms of the largest follow-up time (months): survRM2's default."""
    return float(min(rfs.loc[rfs["arm"] == a, "rfs_months"].max() for a in arms))


def primary_analysis(rfs: pd.DataFrame, *, arms: Sequence[str], landmarks: Sequence[float],
                     rmst_tau: float | None = None, conf_type: ConfType = "log",
                     conf_level: float = 0.95, ties: Ties = "efron",
                     strata_column: str = "stratum") -> PrimaryAnalysis:
    """Run the primary RFS analysis on an RFS table (``AnalysisDatasets.rfs_for("itt")``).

    Parameters
    ----------
    rfs
        One row per patient: arm, rfs_months, event, and ``strata_column``.
    arms
        Arm codes, control first.
    landmarks
        Landmark times in months (RESORT: 12 and 24).
    rmst_tau
        RMST horizon in months; default ``default_rmst_tau``.
    conf_type, conf_level
        KM CI transform and level of every interval (R's ``conf.type``, ``conf.int``).
    ties
        Cox ties method (R's ``ties``).
    """
    if len(arms) < 2:
        raise InputError("needs at least two arms", field="arms", value=tuple(arms))
    time = rfs["rfs_months"].to_numpy(dtype=float)
    event = rfs["event"].to_numpy(dtype=float)
    arm = rfs["arm"].astype(str).to_numpy(dtype=object)
    strata = rfs[strata_column].astype(str).to_numpy(dtype=object)
    curves = tuple(SurvivalCurve(a, kaplan_meier(time[arm == a], event[arm == a], conf_type=conf_type,
                                                 conf_level=conf_level)) for a in arms)
    landmark_rates = []
    for curve in curves:
        survival, lower, upper = curve.km.at(np.asarray(landmarks))
        landmark_rates += [LandmarkRate(curve.arm, float(lm), float(s), float(lo), float(hi))
                           for lm, s, lo, hi in zip(landmarks, survival, lower, upper, strict=True)]
    tau = default_rmst_tau(rfs, arms) if rmst_tau is None else float(rmst_tau)
    logger.info("primary analysis: %d patients, %d events", time.size, int(event.sum()))
    return PrimaryAnalysis(
        arms=tuple(arms), conf_type=conf_type, conf_level=conf_level, curves=curves,
        landmarks=tuple(landmark_rates),
        logrank_stratified=logrank_summary(time, event, arm, arms, strata=strata),
        logrank_unstratified=logrank_summary(time, event, arm, arms),
        cox_stratified=arm_hazard_ratios(time, event, arm, arms, strata=strata, ties=ties,
                                         conf_level=conf_level),
        cox_unstratified=arm_hazard_ratios(time, event, arm, arms, ties=ties, conf_level=conf_level),
        rmst=rmst_difference(curves[:2], tau=tau, conf_level=conf_level))
