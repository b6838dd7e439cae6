"""Report sections on efficacy: primary RFS, the scan-aware sensitivity analysis, subgroups.

Tables keep the analysis's numbers at full precision (``Table.columns``) and print them with
``REPORT_DIGITS`` significant digits; times are in months (days / 30.4375).
"""

from __future__ import annotations

import math

from trialdesk.analysis.interval_censored import ScanAwareAnalysis
from trialdesk.analysis.primary import PrimaryAnalysis
from trialdesk.analysis.subgroups import SubgroupAnalysis
from trialdesk.report._tables import shown_with
from trialdesk.report.document import ReportFigure, ReportSection
from trialdesk.report.forest_plot import ForestRow, plot_forest
from trialdesk.report.interval_plot import plot_turnbull_beside_km
from trialdesk.report.km_plot import numbers_at_risk, plot_km
from trialdesk.table import Table

__all__ = ["primary_section", "risk_table_months", "scan_aware_section", "subgroup_section"]

#: Numbers at risk are printed every RISK_TABLE_STEP months from 0 to at least RISK_TABLE_UNTIL.
RISK_TABLE_STEP = 6.0
RISK_TABLE_UNTIL = 36.0


def risk_table_months(primary: PrimaryAnalysis) -> list[float]:
    """0, 6, ..., 36 months, extended by 6 months at a time until it covers the longest time."""
    longest = max((float(c.km.time.max()) for c in primary.curves if c.km.time.size), default=0.0)
    last = max(RISK_TABLE_UNTIL, RISK_TABLE_STEP * math.ceil(longest / RISK_TABLE_STEP))
    return [RISK_TABLE_STEP * k for k in range(int(last / RISK_TABLE_STEP) + 1)]


def _ci_labels(conf_level: float) -> tuple[str, str]:
    """CI column labels as R's ``summary(coxph)`` prints them (``lower .95``)."""
    percent = f"{100 * conf_level:g}"
    return f"lower .{percent}", f"upper .{percent}"


def median_table(primary: PrimaryAnalysis) -> Table:
    """Per arm: n, events, median RFS and its CI (months), as R ``print(survfit)``."""
    level = f"{primary.conf_level:g}"
    return shown_with(Table.from_rows(
        ("arm", "n", "events", "median", f"{level}LCL", f"{level}UCL"),
        [(c.arm, c.n, c.n_events, c.median, c.median_lower, c.median_upper)
         for c in primary.curves], title="Median RFS, months (NA: not reached)"))


def landmark_table(primary: PrimaryAnalysis) -> Table:
    """Per arm and landmark: numbers at risk, S(t) and its CI, as R ``summary(fit, times=)``."""
    percent = f"{100 * primary.conf_level:g}"
    rows = []
    for lm in primary.landmarks:
        (n_risk,) = numbers_at_risk(primary.curve(lm.arm).km, [lm.time])
        rows.append((lm.arm, lm.time, int(n_risk), lm.survival, lm.lower, lm.upper))
    return shown_with(Table.from_rows(
        ("arm", "time", "n.risk", "survival", f"lower {percent}% CI", f"upper {percent}% CI"), rows,
        title=f"Landmark RFS ({primary.conf_type} CI)"))


def logrank_table(primary: PrimaryAnalysis) -> Table:
    """The stratified (primary) and unstratified log-rank tests, as R ``survdiff``."""
    rows = [(("stratified by randomisation stratum" if test.stratified else "unstratified"),
             test.chisq, test.df, test.p_value)
            for test in (primary.logrank_stratified, primary.logrank_unstratified)]
    return shown_with(Table.from_rows(("log-rank test", "chisq", "df", "p"), rows,
                                      title="Log-rank tests"))


def cox_table(primary: PrimaryAnalysis) -> Table:
    """Stratified (primary) and unstratified Cox models, columns as R ``summary(coxph)``."""
    lower, upper = _ci_labels(primary.conf_level)
    rows = [(model, hr.term, hr.coef, hr.se, hr.hazard_ratio, hr.lower, hr.upper, hr.p_value)
            for model, hrs in (("stratified", primary.cox_stratified),
                               ("unstratified", primary.cox_unstratified)) for hr in hrs]
    return shown_with(Table.from_rows(
        ("Cox model", "term", "coef", "se(coef)", "exp(coef)", lower, upper, "Pr(>|z|)"), rows,
        title="Cox proportional hazards (Efron ties)"))


def rmst_table(primary: PrimaryAnalysis) -> Table:
    """RMST per arm and the difference experimental minus control (months)."""
    r = primary.rmst
    lower, upper = _ci_labels(primary.conf_level)
    rows: list[tuple[object, ...]] = [(arm, rmst, se, "", "", "")
                                      for arm, rmst, se in zip(r.arms, r.rmst, r.se, strict=True)]
    rows.append((f"{r.arms[1]} - {r.arms[0]}", r.difference, r.difference_se, r.lower, r.upper,
                 r.p_value))
    return shown_with(Table.from_rows(("RMST", "estimate", "se", lower, upper, "p"), rows,
                                      title=f"Restricted mean RFS time up to {r.tau:g} months"))


def primary_section(primary: PrimaryAnalysis) -> ReportSection:
    """KM figure with numbers at risk, medians, landmarks, log-rank, Cox and RMST."""
    times = risk_table_months(primary)
    km_axes = plot_km({c.arm: c.km for c in primary.curves}, risk_table_at=times)
    stratified = primary.cox_stratified[0]
    return ReportSection(
        anchor="primary", title="Primary endpoint: recurrence-free survival",
        paragraphs=(
            "RFS runs from randomisation to the restaging scan showing relapse or death from any "
            "cause, whichever comes first; patients without either are censored at their last "
            "adequate scan. Times in months (days / 30.4375), ITT population by assigned arm.",
            f"Kaplan-Meier estimates with Greenwood variance and {primary.conf_type}-transformed "
            f"{100 * primary.conf_level:g}% intervals (R survfit). The primary test is the "
            "log-rank test stratified by the randomisation stratum as recorded, the hazard ratio "
            "that of the stratified Cox model (Efron ties); unstratified versions are sensitivity "
            "analyses.",
            f"Stratified hazard ratio {stratified.term}: {stratified.hazard_ratio:.2f} "
            f"({stratified.lower:.2f} - {stratified.upper:.2f}); stratified log-rank "
            f"p = {primary.logrank_stratified.p_value:.4f}.",
        ),
        tables=(median_table(primary), landmark_table(primary), logrank_table(primary),
                cox_table(primary), rmst_table(primary)),
        figures=(ReportFigure(
            "km_rfs", "Kaplan-Meier estimate of RFS by arm (ITT); shaded: pointwise "
            f"{100 * primary.conf_level:g}% CI; +: censored; numbers at risk below the axis.",
            km_axes.figure),))


def scan_aware_section(scan_aware: ScanAwareAnalysis, primary: PrimaryAnalysis) -> ReportSection:
    """Turnbull curves beside Kaplan-Meier, landmark/median comparison, Finkelstein's test."""
    axes = plot_turnbull_beside_km({c.arm: c.km for c in primary.curves},
                                   {a.arm: a.turnbull for a in scan_aware.arms})
    return ReportSection(
        anchor="scan-aware", title="Sensitivity analysis: relapse known only between scans",
        paragraphs=(
            "A relapse is only seen at a restaging scan, so its time lies between the last scan "
            "without relapse and the first scan with it. Treating RFS as interval-censored, "
            "Turnbull's nonparametric maximum likelihood estimate is shown beside the "
            "conventional analysis, which places each relapse at the scan that showed it. The "
            "arms are compared by Finkelstein's score test (z > 0 favours "
            f"{scan_aware.test.experimental}).",),
        tables=(shown_with(scan_aware.summary()), shown_with(scan_aware.test.summary())),
        figures=(ReportFigure(
            "turnbull_rfs", "RFS by arm: Turnbull's interval-censored estimate (solid) beside "
            "the Kaplan-Meier curve with relapse at the scan (dashed).", axes.figure),))


def _readable(factor: str) -> str:
    return factor.replace("_", " ")


def subgroup_section(subgroups: SubgroupAnalysis | None) -> ReportSection:
    """Forest plot and table of hazard ratios per level of each stratification factor."""
    title = "Subgroups"
    if subgroups is None:
        return ReportSection(anchor="subgroups", title=title,
                             paragraphs=("The protocol's analysis plan names no subgroups.",))
    rows = [ForestRow(label=_readable(r.label) if r.is_heading else r.label,
                      hazard_ratio=r.hazard_ratio, lower=r.lower, upper=r.upper,
                      events_n=r.events_n, is_heading=r.is_heading) for r in subgroups.rows]
    interaction = {_readable(factor): p for factor, p in subgroups.interaction_p().items()}
    axes = plot_forest(rows, interaction_p=interaction,
                       favours=(f"favours {subgroups.experimental}",
                                f"favours {subgroups.control}"),
                       events_header=f"events/N\n{subgroups.experimental} vs {subgroups.control}")
    return ReportSection(
        anchor="subgroups", title=title,
        paragraphs=(
            "Per level of each stratification factor (as recorded at randomisation): the "
            f"unstratified Cox hazard ratio of {subgroups.experimental} versus "
            f"{subgroups.control} with its 95% CI, not estimable when an arm has no event in "
            "the subgroup; the treatment-by-subgroup interaction is a likelihood-ratio test. "
            "Subgroup analyses are exploratory.",),
        tables=(shown_with(subgroups.summary()),),
        figures=(ReportFigure("forest_subgroups", "Hazard ratio of RFS by subgroup (log scale), "
                              "with the treatment-by-subgroup interaction p-value per factor.",
                              axes.figure),))
