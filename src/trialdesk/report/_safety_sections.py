"""Report sections on treatment: adverse events (safety population) and dose intensity."""

from __future__ import annotations

from trialdesk.analysis.dose_intensity import DoseIntensity
from trialdesk.analysis.hazard_ratio import MIN_EVENTS_PER_COVARIATE
from trialdesk.analysis.safety import ANY_EVENT, SafetySummary
from trialdesk.report._tables import shown_with
from trialdesk.report.document import ReportFigure, ReportSection
from trialdesk.report.dose_intensity_plot import plot_rdi_distribution
from trialdesk.table import Table

__all__ = ["dose_intensity_section", "safety_section"]


def patients_with_events_table(safety: SafetySummary) -> Table:
    """Per arm: patients with any AE and with grade >= 3, % and exact (Clopper-Pearson) CIs."""
    overall = safety.row(ANY_EVENT)
    rows = []
    for k, (arm, n) in enumerate(zip(safety.arms, safety.n, strict=True)):
        rows.append((arm, n, overall.any_grade[k], 100 * overall.any_grade[k] / n if n else
                     float("nan"), 100 * overall.any_grade_ci[k][0], 100 * overall.any_grade_ci[k][1],
                     overall.grade3[k], 100 * overall.grade3[k] / n if n else float("nan"),
                     100 * overall.grade3_ci[k][0], 100 * overall.grade3_ci[k][1]))
    return shown_with(Table.from_rows(
        ("arm", "N", "any grade n", "any grade %", "lower .95", "upper .95", "grade>=3 n",
         "grade>=3 %", "grade>=3 lower .95", "grade>=3 upper .95"), rows,
        title="Patients with at least one adverse event (worst grade per patient)"), 3)


def _count(count: int, n: int) -> str:
    return f"{count} ({100 * count / n:.0f}%)" if n else str(count)


def events_by_term_table(safety: SafetySummary) -> Table:
    """Per term: patients with it per arm, any grade and grade >= 3, as n (%); Fisher p."""
    names = ["term"]
    for arm in safety.arms:
        names += [f"{arm} any", f"{arm} >=3"]
    rows = [(r.term, *(cell for k, n in enumerate(safety.n)
                       for cell in (_count(r.any_grade[k], n), _count(r.grade3[k], n))),
             r.p_any, r.p_grade3) for r in safety.rows]
    return shown_with(Table.from_rows((*names, "p any", "p >=3"), rows,
                                      title="Patients by adverse-event term (worst grade)"), 3)


def safety_section(safety: SafetySummary) -> ReportSection:
    """Worst grade per patient by arm, grade >= 3 rates with exact CIs and Fisher's test."""
    overall = safety.row(ANY_EVENT)
    emergent = "treatment-emergent " if safety.treatment_emergent_only else ""
    return ReportSection(
        anchor="safety", title="Safety",
        paragraphs=(
            f"Safety population by treatment received; {emergent}adverse events graded by "
            "CTCAE, each patient counted once per row at the worst grade recorded. Rates are "
            "percentages of the arm's patients with exact (Clopper-Pearson) 95% intervals; arms "
            "are compared by Fisher's exact test (two-sided).",
            f"Grade >= 3: Fisher p = {overall.p_grade3:.4f}; any grade: Fisher p = "
            f"{overall.p_any:.4f}.",
        ),
        tables=(patients_with_events_table(safety), safety.worst_grade_summary(),
                events_by_term_table(safety)))


def cox_models_table(dose: DoseIntensity) -> Table:
    """The fixed and time-varying Cox models of RFS on RDI side by side (HR per 10 points)."""
    rows = [(model, hr.n, hr.n_events, hr.events_per_covariate, hr.hazard_ratio, hr.lower,
             hr.upper, hr.p_value)
            for model, hr in (("RDI fixed at baseline", dose.fixed),
                              ("RDI time-varying (cumulative)", dose.time_varying))]
    return shown_with(Table.from_rows(
        ("Cox model of RFS", "n", "events", "events per covariate", "HR per 10% RDI", "lower .95",
         "upper .95", "p"), rows, title=f"RFS and relative dose intensity, {dose.arm}"))


def _dose_paragraphs(dose: DoseIntensity) -> tuple[str, ...]:
    paragraphs = [
        f"{dose.arm}: planned {dose.planned_daily_dose_mg:g} mg/day for {dose.planned_days} days "
        "from the first dose (cut at the data cut-off). Relative dose intensity (RDI) = "
        "administered / planned dose over that period, per treated patient: "
        f"{dose.n_full_dose} of {len(dose.patient_id)} took the full dose, "
        f"{dose.n_interruption_or_reduction} had at least one interruption or reduction.",
        "Caveat: RDI over the planned period is only known after follow-up has started, so the "
        "Cox model with RDI fixed at baseline has a guarantee-time (immortal-time) bias (a "
        "patient who relapses early cannot accumulate a high dose). The time-varying model, "
        "with the cumulative RDI at each event time in counting-process form, avoids it.",
    ]
    few = [hr for hr in (dose.fixed, dose.time_varying)
           if not hr.events_per_covariate >= MIN_EVENTS_PER_COVARIATE]
    if few:
        paragraphs.append(
            f"Warning: {few[0].n_events} events for {few[0].n_terms} covariate, fewer than "
            f"{MIN_EVENTS_PER_COVARIATE} events per covariate: the hazard ratios are unreliable.")
    return tuple(paragraphs)


def dose_intensity_section(doses: tuple[DoseIntensity, ...]) -> ReportSection:
    """Per dosing arm: RDI counts and distribution, Cox fixed vs time-varying, caveats."""
    title = "Dose intensity"
    if not doses:
        return ReportSection(anchor="dose-intensity", title=title,
                             paragraphs=("No patient of an arm with study drug was treated by "
                                         "the cut-off.",))
    paragraphs: list[str] = []
    tables: list[Table] = []
    figures: list[ReportFigure] = []
    for dose in doses:
        paragraphs += _dose_paragraphs(dose)
        tables += [shown_with(dose.summary()), cox_models_table(dose)]
        axes = plot_rdi_distribution(dose.rdi, arm=dose.arm, n_full_dose=dose.n_full_dose,
                                     n_interruption_or_reduction=dose.n_interruption_or_reduction)
        figures.append(ReportFigure(f"rdi_{dose.arm}", f"Relative dose intensity, {dose.arm} "
                                    "(treated patients)", axes.figure))
    return ReportSection(anchor="dose-intensity", title=title, paragraphs=tuple(paragraphs),
                         tables=tuple(tables), figures=tuple(figures))
