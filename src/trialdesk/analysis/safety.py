"""Adverse events by worst grade per patient and arm, with exact CIs and Fisher's test.

Conventions (``docs/analysis.md#safety``):

* population: the safety population, by treatment actually received; by default only
  treatment-emergent AEs (started on or after the first dose; for patients of an arm
  without study drug, on or after randomisation), dated by the cut-off;
* each patient counts once per row at the worst CTCAE grade recorded ("grade >= 3 in 22%"
  = 22% of the arm's patients had at least one AE of grade 3 or worse); the first row is
  any AE, then one row per term, most frequent first;
* rates: % of the arm's safety patients; 95% CI exact (Clopper-Pearson), as R
  ``binom.test(x, n)$conf.int``;
* between two arms: Fisher's exact test, two-sided, as R ``fisher.test(matrix(c(x1, n1 - x1,
  x2, n2 - x2), 2))$p.value`` (NaN with more than two arms).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from trialdesk.analysis._serialise import JsonResult
from trialdesk.table import Table

__all__ = ["AdverseEventRow", "SafetySummary", "clopper_pearson", "safety_summary"]

logger = logging.getLogger(__name__)

ANY_EVENT = "Any adverse event"


def clopper_pearson(count: int, n: int, *, conf_level: float = 0.95) -> tuple[float, float]:
    """Exact binomial CI for count / n (R ``binom.test``); (nan, nan) when n is 0."""
    if n == 0:
        return (np.nan, np.nan)
    alpha = 1.0 - conf_level
    lower = 0.0 if count == 0 else float(stats.beta.ppf(alpha / 2, count, n - count + 1))
    upper = 1.0 if count == n else float(stats.beta.ppf(1 - alpha / 2, count + 1, n - count))
    return (lower, upper)


@dataclass(frozen=True, slots=True)
class AdverseEventRow:
    """Patients with the AE per arm: any grade and grade >= 3, rates with exact CIs.

    Rates and CI limits are proportions (0-1); ``p_any``/``p_grade3`` Fisher's exact test.
    """

    term: str
    any_grade: tuple[int, ...]
    any_grade_ci: tuple[tuple[float, float], ...]
    grade3: tuple[int, ...]
    grade3_ci: tuple[tuple[float, float], ...]
    p_any: float
    p_grade3: float


@dataclass(frozen=True, slots=True)
class SafetySummary(JsonResult):
    """AE table of the safety population by actual arm.

    ``worst_grade`` gives per arm the number of patients whose worst grade is 0 (no AE),
    1, ..., 5.
    """

    arms: tuple[str, ...]
    n: tuple[int, ...]
    worst_grade: tuple[tuple[int, ...], ...]
    rows: tuple[AdverseEventRow, ...]
    treatment_emergent_only: bool

    def row(self, term: str) -> AdverseEventRow:
        """The row of one term (or ``ANY_EVENT``)."""
        return next(r for r in self.rows if r.term == term)

    def worst_grade_summary(self) -> Table:
        """Patients by worst grade (none, 1-5) per arm: ``n (%)``."""
        rows = [(("none", "1", "2", "3", "4", "5")[grade],
                 *(f"{counts[grade]} ({100 * counts[grade] / n:.1f}%)" if n else "0"
                   for counts, n in zip(self.worst_grade, self.n, strict=True)))
                for grade in range(6)]
        return Table.from_rows(("worst grade", *(f"{a} (N={n})" for a, n in zip(self.arms, self.n,
                                                                              strict=True))),
                               rows, title="Patients by worst adverse-event grade")

    def summary(self) -> Table:
        """Per term and arm: ``n (%) [95% CI]`` for any grade and grade >= 3, Fisher p."""
        names = ["term"]
        for arm, n in zip(self.arms, self.n, strict=True):
            names += [f"{arm} (N={n}) any grade", f"{arm} grade>=3"]
        names += ["p (any grade)", "p (grade>=3)"]
        table_rows = []
        for r in self.rows:
            cells: list[object] = [r.term]
            for k, n in enumerate(self.n):
                cells += [_cell(r.any_grade[k], n, r.any_grade_ci[k]),
                          _cell(r.grade3[k], n, r.grade3_ci[k])]
            table_rows.append((*cells, r.p_any, r.p_grade3))
        return Table.from_rows(names, table_rows, title="Adverse events, worst grade per patient")


def _cell(count: int, n: int, ci: tuple[float, float]) -> str:
    if n == 0:
        return "0"
    return f"{count} ({100 * count / n:.1f}%) [{100 * ci[0]:.1f}-{100 * ci[1]:.1f}]"


def _fisher(counts: tuple[int, ...], sizes: tuple[int, ...]) -> float:
    if len(counts) != 2:
        return np.nan
    table = [[counts[0], sizes[0] - counts[0]], [counts[1], sizes[1] - counts[1]]]
    return float(stats.fisher_exact(table, alternative="two-sided").pvalue)


def _row(term: str, worst: pd.DataFrame, arms: Sequence[str], sizes: tuple[int, ...],
         conf_level: float) -> AdverseEventRow:
    any_grade = tuple(int((worst["actual_arm"] == a).sum()) for a in arms)
    grade3 = tuple(int(((worst["actual_arm"] == a) & (worst["grade"] >= 3)).sum()) for a in arms)
    return AdverseEventRow(
        term=term, any_grade=any_grade,
        any_grade_ci=tuple(clopper_pearson(c, n, conf_level=conf_level)
                           for c, n in zip(any_grade, sizes, strict=True)),
        grade3=grade3,
        grade3_ci=tuple(clopper_pearson(c, n, conf_level=conf_level)
                        for c, n in zip(grade3, sizes, strict=True)),
        p_any=_fisher(any_grade, sizes), p_grade3=_fisher(grade3, sizes))


def safety_summary(safety_subjects: pd.DataFrame, adverse_events: pd.DataFrame, *,
                   arms: Sequence[str], treatment_emergent_only: bool = True,
                   conf_level: float = 0.95) -> SafetySummary:
    """Tabulate AEs by worst grade per patient (rules in the module docstring).

    Parameters
    ----------
    safety_subjects
        The safety population (``AnalysisDatasets.population("safety")``), with ``actual_arm``.
    adverse_events
        ``AnalysisDatasets.adverse_events`` (patient_id, term, grade, actual_arm,
        treatment_emergent).
    arms
        Arm codes in column order.
    """
    sizes = tuple(int((safety_subjects["actual_arm"] == a).sum()) for a in arms)
    events = adverse_events[adverse_events["patient_id"].isin(safety_subjects["patient_id"])]
    if treatment_emergent_only:
        events = events[events["treatment_emergent"].astype(bool)]
    worst_any = events.groupby(["patient_id", "actual_arm"], as_index=False)["grade"].max()
    worst_by_term = events.groupby(["term", "patient_id", "actual_arm"], as_index=False)[
        "grade"].max()
    rows = [_row(ANY_EVENT, worst_any, arms, sizes, conf_level)]
    frequency = worst_by_term.groupby("term").size()
    for term in sorted(frequency.index, key=lambda t: (-frequency[t], t)):
        rows.append(_row(term, worst_by_term[worst_by_term["term"] == term], arms, sizes,
                         conf_level))
    worst_grade = []
    for arm, n in zip(arms, sizes, strict=True):
        grades = worst_any.loc[worst_any["actual_arm"] == arm, "grade"].to_numpy(dtype=int)
        counts = np.bincount(grades, minlength=6)
        counts[0] = n - len(grades)
        worst_grade.append(tuple(int(c) for c in counts))
    logger.info("safety: %d AEs in %d patients", len(events), int(sum(sizes)))
    return SafetySummary(arms=tuple(arms), n=sizes, worst_grade=tuple(worst_grade),
                         rows=tuple(rows), treatment_emergent_only=treatment_emergent_only)
