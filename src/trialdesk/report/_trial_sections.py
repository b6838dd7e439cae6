"""Report sections on the trial as a whole: summary, CONSORT flow, baseline, follow-up, interim."""

from __future__ import annotations

from trialdesk.analysis.consort import ConsortCounts
from trialdesk.analysis.interim import InterimAnalysis
from trialdesk.analysis.plan import AnalysisResults
from trialdesk.report._tables import as_quantity_value, shown_with
from trialdesk.report.boundary_plot import plot_boundaries
from trialdesk.report.consort_diagram import ConsortArm, plot_consort
from trialdesk.report.document import ReportFigure, ReportSection

__all__ = ["baseline_section", "consort_section", "follow_up_section", "interim_section",
           "summary_section"]


def summary_section(results: AnalysisResults) -> ReportSection:
    """Headline numbers of the analysis at the cut-off."""
    return ReportSection(
        anchor="summary", title="Summary",
        paragraphs=(f"Analysis of {results.protocol_id} at the data cut-off "
                    f"{results.cutoff.isoformat()}: records dated after it are ignored. Arms: "
                    f"{', '.join(results.arms)} (the first is the control arm).",),
        tables=(results.summary(),))


def consort_section(consort: ConsortCounts) -> ReportSection:
    """The CONSORT 2010 flow diagram and its counts per arm."""
    arms = [ConsortArm(label=a.label, allocated=a.allocated, received_allocated=a.received_allocated,
                       did_not_receive=a.did_not_receive, lost_to_follow_up=a.lost_to_follow_up,
                       discontinued=a.discontinued, analysed=a.analysed, withdrawn=a.withdrawn)
            for a in consort.arms]
    axes = plot_consort(assessed=consort.assessed, excluded=consort.excluded,
                        exclusion_reasons=consort.exclusion_reasons,
                        randomised=consort.randomised, arms=arms)
    return ReportSection(
        anchor="consort", title="Patient flow (CONSORT)",
        paragraphs=("Patients screened by the cut-off; analysed = the intention-to-treat "
                    "population (everyone randomised, in the arm assigned).",),
        tables=(consort.summary(),),
        figures=(ReportFigure("consort", "CONSORT flow diagram", axes.figure),))


def baseline_section(results: AnalysisResults) -> ReportSection:
    """Baseline characteristics of the ITT population by arm, with SMDs."""
    return ReportSection(
        anchor="baseline", title="Baseline characteristics",
        paragraphs=("ITT population by assigned arm: categorical variables as n (% of the arm), "
                    "continuous ones as median (interquartile range); SMD: absolute standardised "
                    "mean difference between arms (values above 0.1 are commonly read as "
                    "imbalance).",),
        tables=(shown_with(results.baseline.summary(), 3),))


def follow_up_section(results: AnalysisResults) -> ReportSection:
    """Median follow-up by the reverse Kaplan-Meier method."""
    overall = results.follow_up.overall
    return ReportSection(
        anchor="follow-up", title="Median follow-up",
        paragraphs=(f"Median follow-up {overall.median:.1f} months (95% CI {overall.lower:.1f} - "
                    f"{overall.upper:.1f}) by the reverse Kaplan-Meier method (censoring treated "
                    "as the event), overall and per arm.",),
        tables=(shown_with(results.follow_up.summary()),))


def _interim_paragraphs(interim: InterimAnalysis) -> tuple[str, ...]:
    low, high = interim.repeated_ci
    return (
        f"Look {interim.stage}: {interim.events_observed} of {interim.events_planned:g} planned RFS "
        f"events (information fraction {interim.information_fraction:.3f}). Stratified log-rank "
        f"z = {interim.z:.3f} (z > 0 favours {interim.experimental}) against the efficacy "
        f"boundary {interim.critical_value:.3f}, recomputed at the observed information by the "
        "design's spending function.",
        f"Decision: {interim.decision.replace('_', ' ')}. Conditional power "
        f"{interim.conditional_power_planned:.3f} under the planned effect and "
        f"{interim.conditional_power_observed:.3f} under the observed hazard ratio "
        f"{interim.hazard_ratio:.2f} (repeated CI {low:.2f} - {high:.2f}).",
    )


def interim_section(interim: InterimAnalysis | None) -> ReportSection:
    """Boundary plot with the observed z, decision and conditional power."""
    title = "Interim monitoring"
    if interim is None:
        return ReportSection(anchor="interim", title=title, paragraphs=(
            "No interim look: the protocol plans none, no RFS event has been observed, or the "
            "events planned for the final analysis are unknown (give --events-planned).",))
    axes = plot_boundaries(interim.information_rates, interim.critical_values,
                           futility_bounds=interim.futility_bounds,
                           observed_information=[interim.information_fraction],
                           observed_z=[interim.z])
    return ReportSection(
        anchor="interim", title=title, paragraphs=_interim_paragraphs(interim),
        tables=(as_quantity_value(interim.summary()),),
        figures=(ReportFigure("interim_boundaries", "Group-sequential boundaries by information "
                              "fraction, with the observed log-rank z", axes.figure),))
