"""Baseline characteristics by arm with standardised mean differences (``tableone`` style).

Conventions (``docs/analysis.md#baseline``):

* categorical variables: n (%) per level, % of the arm's patients; a missing value is its
  own level ``missing``; levels sorted as strings (pandas ordered categoricals keep order);
* continuous variables: median and interquartile range (R ``quantile(type = 7)``, numpy's
  default), missing values dropped;
* standardised mean difference (SMD), absolute: continuous (m1 - m0) / sqrt((s1^2 + s0^2) / 2)
  with sample variances; categorical the multivariate form of Yang and Dalton (2012) over
  the levels but the first, which for two levels is |p1 - p0| / sqrt((p1 q1 + p0 q0) / 2);
  with more than two arms, the mean over all pairs of arms. Matches R ``tableone``:
  ``ExtractSmd(CreateTableOne(vars, strata = "arm", data = d))``.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from trialdesk.analysis._serialise import JsonResult
from trialdesk.errors import InputError
from trialdesk.table import Table

__all__ = ["BaselineCharacteristics", "BaselineRow", "baseline_characteristics",
           "standardised_mean_difference"]

logger = logging.getLogger(__name__)

MISSING = "missing"


@dataclass(frozen=True, slots=True)
class BaselineRow:
    """One line of the baseline table.

    ``count``/``percent`` per arm for a categorical level; ``median``, ``q1``, ``q3`` per
    arm for a continuous variable (the other fields empty). ``smd`` sits on the variable's
    first line and is NaN on the others.
    """

    variable: str
    level: str
    kind: Literal["categorical", "continuous"]
    count: tuple[int, ...]
    percent: tuple[float, ...]
    median: tuple[float, ...]
    q1: tuple[float, ...]
    q3: tuple[float, ...]
    smd: float

    def cells(self) -> tuple[str, ...]:
        """The per-arm cells as printed: ``12 (40.0%)`` or ``61.2 (54.0-68.9)``."""
        if self.kind == "categorical":
            return tuple(f"{n} ({p:.1f}%)" for n, p in zip(self.count, self.percent, strict=True))
        return tuple(f"{m:.1f} ({lo:.1f}-{hi:.1f})"
                     for m, lo, hi in zip(self.median, self.q1, self.q3, strict=True))


@dataclass(frozen=True, slots=True)
class BaselineCharacteristics(JsonResult):
    """Baseline table: arms (with N) and one row per level or continuous variable."""

    arms: tuple[str, ...]
    n: tuple[int, ...]
    rows: tuple[BaselineRow, ...]

    def smd(self, variable: str) -> float:
        """The SMD of ``variable``."""
        return next(r.smd for r in self.rows if r.variable == variable)

    def summary(self) -> Table:
        """Variable, level, one column per arm (``arm (N=..)``), SMD."""
        names = ["variable", "level", *(f"{a} (N={n})" for a, n in zip(self.arms, self.n,
                                                                          strict=True)), "SMD"]
        rows = [(r.variable, r.level or "median (IQR)", *r.cells(), r.smd) for r in self.rows]
        return Table.from_rows(names, rows, title="Baseline characteristics")


def standardised_mean_difference(values: Sequence[pd.Series], *, categorical: bool) -> float:
    """Absolute SMD between groups (mean over pairs when more than two; module doc)."""
    pairs = list(itertools.combinations(values, 2))
    return float(np.mean([_smd_pair(a, b, categorical=categorical) for a, b in pairs]))


def _smd_pair(a: pd.Series, b: pd.Series, *, categorical: bool) -> float:
    if not categorical:
        x, y = a.dropna().to_numpy(dtype=float), b.dropna().to_numpy(dtype=float)
        pooled = np.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 2.0)
        return float(abs(x.mean() - y.mean()) / pooled) if pooled > 0 else 0.0
    levels = sorted(set(a) | set(b))[1:]
    if not levels:
        return 0.0
    p = np.array([[np.mean(a == level) for level in levels]])
    q = np.array([[np.mean(b == level) for level in levels]])

    def covariance(freq: np.ndarray) -> np.ndarray:
        return np.diag(freq[0]) - freq.T @ freq

    difference = (p - q)[0]
    pooled = (covariance(p) + covariance(q)) / 2.0
    return float(np.sqrt(difference @ np.linalg.pinv(pooled) @ difference))


def _as_levels(column: pd.Series) -> pd.Series:
    return column.map(lambda v: MISSING if pd.isna(v) else str(v))


def _is_continuous(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def baseline_characteristics(subjects: pd.DataFrame, variables: Sequence[str], *,
                             arms: Sequence[str], arm_column: str = "arm",
                             ) -> BaselineCharacteristics:
    """Summarise ``variables`` of ``subjects`` by arm (numeric columns are continuous).

    Parameters
    ----------
    subjects
        One row per patient (``AnalysisDatasets.population("itt")``).
    variables
        Columns to describe, in the table's order.
    arms
        Arm codes in column order.
    arm_column
        The column holding each patient's arm.
    """
    missing = [v for v in variables if v not in subjects.columns]
    if missing:
        raise InputError("not a column of the subjects table", field="variables", value=missing)
    groups = [subjects[subjects[arm_column] == arm] for arm in arms]
    sizes = tuple(len(g) for g in groups)
    rows: list[BaselineRow] = []
    for variable in variables:
        if _is_continuous(subjects[variable]):
            values = [g[variable].astype(float) for g in groups]
            quartiles = [np.nanquantile(v, [0.25, 0.5, 0.75]) if v.notna().any()
                         else np.full(3, np.nan) for v in values]
            rows.append(BaselineRow(
                variable=variable, level="", kind="continuous", count=(), percent=(),
                median=tuple(float(q[1]) for q in quartiles),
                q1=tuple(float(q[0]) for q in quartiles), q3=tuple(float(q[2]) for q in quartiles),
                smd=standardised_mean_difference(values, categorical=False)))
            continue
        levels_by_arm = [_as_levels(g[variable]) for g in groups]
        smd = standardised_mean_difference(levels_by_arm, categorical=True)
        for k, level in enumerate(sorted(set(_as_levels(subjects[variable])))):
            counts = tuple(int((v == level).sum()) for v in levels_by_arm)
            rows.append(BaselineRow(
                variable=variable, level=level, kind="categorical", count=counts,
                percent=tuple(100.0 * c / n if n else np.nan for c, n in zip(counts, sizes,
                                                                              strict=True)),
                median=(), q1=(), q3=(), smd=smd if k == 0 else np.nan))
    logger.debug("baseline table: %d rows for %d variables", len(rows), len(variables))
    return BaselineCharacteristics(arms=tuple(arms), n=sizes, rows=tuple(rows))
