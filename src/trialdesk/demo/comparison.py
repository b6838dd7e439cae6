"""The demo's headline numbers beside RESORT's published interim results.

Published figures (``../shared/RESORT.md``; Procopio G et al., ASCO 2018): ITT population,
median follow-up (reverse Kaplan-Meier), median RFS per arm with its 95% CI ("NR": the upper
limit not reached), 12- and 24-month RFS with log-transform 95% CIs, and the share of
patients with a grade >= 3 adverse event. The demo's figures are the same quantities of its
interim analysis, computed the same way (``trialdesk.analysis``); months are days / 30.4375.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

from trialdesk.analysis import AnalysisResults
from trialdesk.simulate import resort_published
from trialdesk.simulate.reproduction import RESORT_INTERIM_PATIENTS, RESORT_MEDIAN_FOLLOW_UP_MONTHS
from trialdesk.table import Table

__all__ = ["RESORT_GRADE3_AE", "comparison_table"]

logger = logging.getLogger(__name__)

#: Share of patients with a grade >= 3 adverse event, as reported, per arm.
RESORT_GRADE3_AE: Mapping[str, float] = {"sorafenib": 0.22, "observation": 0.03}


def _months(value: float) -> str:
    return "NR" if math.isnan(value) else f"{value:.0f}"


def _median(median: float, lower: float, upper: float) -> str:
    return f"{_months(median)} ({_months(lower)} - {_months(upper)})"


def _rate(survival: float, lower: float, upper: float) -> str:
    return f"{100 * survival:.0f}% ({100 * lower:.0f} - {100 * upper:.0f})"


def comparison_table(results: AnalysisResults) -> Table:
    """One row per headline figure: the quantity, RESORT's published value, the demo's."""
    published = resort_published()
    rows: list[tuple[str, str, str]] = [
        ("ITT population", str(RESORT_INTERIM_PATIENTS), str(results.population_sizes["itt"])),
        ("median follow-up, months", f"{RESORT_MEDIAN_FOLLOW_UP_MONTHS:.0f}",
         f"{results.follow_up.overall.median:.0f}")]
    curves = {curve.arm: curve for curve in results.primary.curves}
    for arm in reversed(results.arms):
        reported = published[arm].median
        curve = curves[arm]
        rows.append((f"median RFS {arm}, months (95% CI)",
                     _median(reported.median, reported.lower or math.nan, reported.upper or math.nan),
                     _median(curve.median, curve.median_lower, curve.median_upper)))
    for landmark in sorted({rate.time for rate in results.primary.landmarks}):
        for arm in reversed(results.arms):
            reported = next(p for p in published[arm].landmarks if p.time == landmark)
            demo = next(r for r in results.primary.landmarks if r.arm == arm and r.time == landmark)
            rows.append((f"{landmark:g}-month RFS {arm} (95% CI)",
                         _rate(reported.survival, reported.lower, reported.upper),
                         _rate(demo.survival, demo.lower, demo.upper)))
    safety = results.safety
    any_event = safety.rows[0]
    for k, arm in reversed(list(enumerate(safety.arms))):
        share = any_event.grade3[k] / safety.n[k] if safety.n[k] else math.nan
        rows.append((f"grade >= 3 adverse events {arm}", f"{100 * RESORT_GRADE3_AE[arm]:.0f}%",
                     f"{100 * share:.0f}%"))
    return Table.from_rows(("quantity", "RESORT (published)", "demo"), rows,
                           title=f"RESORT interim: published vs demo (data cut-off {results.cutoff})")
