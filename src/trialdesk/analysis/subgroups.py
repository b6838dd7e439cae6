"""Subgroup analysis: HR per level of each stratification factor, interaction tests, forest rows.

Conventions (``docs/analysis.md#subgroups``), on the ITT RFS table, times in months:

* per level of each factor (as recorded at randomisation): the unstratified Cox hazard ratio
  of the experimental versus the control arm (Efron ties) with its Wald 95% CI, as R
  ``coxph(Surv(rfs_months, event) ~ arm, subset = factor == level)``; not estimable (NaN)
  when an arm has no event in the subgroup (the estimate would run off to 0 or infinity);
* events/N per arm, shown as ``"events/N experimental vs events/N control"``;
* treatment-by-subgroup interaction: likelihood-ratio test of the arm x factor terms,
  R ``anova(coxph(Surv(rfs_months, event) ~ arm + factor),
  coxph(Surv(rfs_months, event) ~ arm * factor))``, df = levels - 1.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from scipy import stats

from trialdesk.analysis._serialise import JsonResult
from trialdesk.analysis.hazard_ratio import HazardRatio, estimable_cox
from trialdesk.analysis.primary import arm_hazard_ratios
from trialdesk.table import Table

__all__ = ["InteractionTest", "SubgroupAnalysis", "SubgroupRow", "subgroup_analysis"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SubgroupRow:
    """One line of the forest plot (field names as ``report.forest_plot.ForestRow``).

    A heading row (a factor's name) has ``is_heading`` and NaN estimates.
    ``events``/``n`` are per arm, experimental first then control.
    """

    label: str
    factor: str
    level: str
    hazard_ratio: float
    lower: float
    upper: float
    p_value: float
    events: tuple[int, int]
    n: tuple[int, int]
    is_heading: bool = False

    @property
    def events_n(self) -> str:
        """``"e1/n1 vs e0/n0"`` (experimental vs control); empty on headings."""
        if self.is_heading:
            return ""
        return f"{self.events[0]}/{self.n[0]} vs {self.events[1]}/{self.n[1]}"


@dataclass(frozen=True, slots=True)
class InteractionTest:
    """Likelihood-ratio test of treatment-by-factor interaction."""

    factor: str
    chisq: float
    df: int
    p_value: float


@dataclass(frozen=True, slots=True)
class SubgroupAnalysis(JsonResult):
    """Forest rows (overall first, then each factor's heading and levels) and interactions."""

    experimental: str
    control: str
    rows: tuple[SubgroupRow, ...]
    interactions: tuple[InteractionTest, ...]

    def interaction_p(self) -> dict[str, float]:
        """Interaction p-value by factor name (the forest plot's heading labels)."""
        return {test.factor: test.p_value for test in self.interactions}

    def summary(self) -> Table:
        """Subgroup, events/N per arm, HR (95% CI), p; interaction p on the headings."""
        p_by_factor = self.interaction_p()
        rows = [(r.label, r.events_n, r.hazard_ratio, r.lower, r.upper,
                 p_by_factor.get(r.factor, math.nan) if r.is_heading else r.p_value)
                for r in self.rows]
        return Table.from_rows(
            ("subgroup", f"events/N {self.experimental} vs {self.control}", "HR", "lower .95",
             "upper .95", "p (interaction on headings)"), rows,
            title=f"RFS by subgroup: {self.experimental} vs {self.control}")


def _row(label: str, factor: str, level: str, rfs: pd.DataFrame, arms: tuple[str, str]) -> SubgroupRow:
    """``arms`` = (control, experimental)."""
    control, experimental = arms
    counts = {a: (int(rfs.loc[rfs["arm"] == a, "event"].sum()), int((rfs["arm"] == a).sum()))
              for a in arms}
    events = (counts[experimental][0], counts[control][0])
    n = (counts[experimental][1], counts[control][1])
    if min(events) == 0:
        hr = HazardRatio.not_estimable(label, n=sum(n), n_events=sum(events))
    else:
        hr = arm_hazard_ratios(rfs["rfs_months"].to_numpy(dtype=float),
                               rfs["event"].to_numpy(dtype=float),
                               rfs["arm"].to_numpy(dtype=object), arms)[0]
    return SubgroupRow(label=label, factor=factor, level=level, hazard_ratio=hr.hazard_ratio,
                       lower=hr.lower, upper=hr.upper, p_value=hr.p_value, events=events, n=n)


def _interaction(rfs: pd.DataFrame, factor: str, experimental: str) -> InteractionTest:
    levels = sorted(rfs[factor].astype(str).unique())
    treated = (rfs["arm"] == experimental).to_numpy(dtype=float)
    dummies = {f"{factor}={lv}": (rfs[factor].astype(str) == lv).to_numpy(dtype=float)
               for lv in levels[1:]}
    time = rfs["rfs_months"].to_numpy(dtype=float)
    event = rfs["event"].to_numpy(dtype=float)
    reduced = pd.DataFrame({f"arm={experimental}": treated, **dummies})
    full = reduced.assign(**{f"arm={experimental}:{name}": column * treated
                             for name, column in dummies.items()})
    df = len(levels) - 1
    if df == 0 or event.sum() == 0:
        return InteractionTest(factor, math.nan, df, math.nan)
    fits = [estimable_cox(time, event, X) for X in (full, reduced)]
    if any(fit is None for fit in fits):
        return InteractionTest(factor, math.nan, df, math.nan)
    chisq = 2.0 * (fits[0].loglik[1] - fits[1].loglik[1])
    return InteractionTest(factor, float(chisq), df, float(stats.chi2.sf(chisq, df)))


def subgroup_analysis(rfs: pd.DataFrame, *, factors: Sequence[str], control: str,
                      experimental: str) -> SubgroupAnalysis:
    """HR per level of each factor, with interaction tests (module doc).

    Parameters
    ----------
    rfs
        ITT RFS table with ``arm``, ``rfs_months``, ``event`` and the factor columns.
    factors
        Stratification factor columns.
    control, experimental
        The two arms compared.
    """
    rfs = rfs[rfs["arm"].isin([control, experimental])]
    arms = (control, experimental)
    rows = [_row("All patients", "", "", rfs, arms)]
    interactions = []
    for factor in factors:
        rows.append(SubgroupRow(label=factor, factor=factor, level="", hazard_ratio=math.nan,
                                lower=math.nan, upper=math.nan, p_value=math.nan, events=(0, 0),
                                n=(0, 0), is_heading=True))
        for level in sorted(rfs[factor].astype(str).unique()):
            subset = rfs[rfs[factor].astype(str) == level]
            rows.append(_row(level, factor, level, subset, arms))
        interactions.append(_interaction(rfs, factor, experimental))
    logger.info("subgroups: %d rows over %d factors", len(rows), len(factors))
    return SubgroupAnalysis(experimental=experimental, control=control, rows=tuple(rows),
                            interactions=tuple(interactions))
