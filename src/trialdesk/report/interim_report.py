"""The interim analysis report: every result of the analysis plan as HTML, PDF, images, JSON.

``write_interim_report(results, out_dir)`` writes into ``out_dir``::

    report.html     one self-contained file (figures as inline SVG)
    report.pdf      the same sections on A4 pages (matplotlib only)
    figures/        every figure as PNG and SVG (km_rfs, turnbull_rfs, forest_subgroups, ...)
    results.json    ``results.to_json()``: every number at full precision

Sections, in order: summary, CONSORT flow, baseline, median follow-up, primary RFS (KM with
numbers at risk, medians, landmarks, log-rank, Cox, RMST), the scan-aware sensitivity
analysis, subgroups, safety, dose intensity, interim monitoring. Stratification factors and
arms are read from the results (which read them from the protocol), never assumed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from trialdesk.analysis.plan import AnalysisResults
from trialdesk.report._efficacy_sections import primary_section, scan_aware_section, subgroup_section
from trialdesk.report._safety_sections import dose_intensity_section, safety_section
from trialdesk.report._trial_sections import (
    baseline_section,
    consort_section,
    follow_up_section,
    interim_section,
    summary_section,
)
from trialdesk.report.document import Report, render_html, render_pdf, save_figures

__all__ = ["ReportFiles", "interim_report", "write_interim_report"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """Paths written by ``write_interim_report``."""

    html: Path
    pdf: Path
    figures: tuple[Path, ...]
    json: Path


def interim_report(results: AnalysisResults, *, title: str | None = None) -> Report:
    """The report (sections of text, tables and figures) of one run of the analysis plan.

    Parameters
    ----------
    results
        ``trialdesk.analysis.run_analysis_plan(...)`` at the data cut-off.
    title
        The report's title; default ``"<protocol id> interim analysis"``.
    """
    itt = results.population_sizes.get("itt", results.consort.randomised)
    return Report(
        title=title or f"{results.protocol_id} interim analysis",
        subtitle=f"Data cut-off {results.cutoff.isoformat()}; {itt} patients randomised "
                 f"(ITT); arms {' vs '.join(reversed(results.arms))}",
        sections=(
            summary_section(results),
            consort_section(results.consort),
            baseline_section(results),
            follow_up_section(results),
            primary_section(results.primary),
            scan_aware_section(results.scan_aware, results.primary),
            subgroup_section(results.subgroups),
            safety_section(results.safety),
            dose_intensity_section(results.dose_intensity),
            interim_section(results.interim),
        ))


def write_interim_report(results: AnalysisResults, out_dir: Path, *,
                         title: str | None = None) -> ReportFiles:
    """Write the interim report's HTML, PDF, figures and JSON into ``out_dir`` (module doc).

    ``out_dir`` is created when missing; existing files of the same names are replaced.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = interim_report(results, title=title)
    files = ReportFiles(html=out_dir / "report.html", pdf=out_dir / "report.pdf",
                        figures=(), json=out_dir / "results.json")
    files.html.write_text(render_html(report), encoding="utf-8")
    figures = tuple(save_figures(report, out_dir / "figures"))
    render_pdf(report, files.pdf)
    files.json.write_text(results.to_json(), encoding="utf-8")
    logger.info("wrote the %s report to %s", results.protocol_id, out_dir)
    return ReportFiles(html=files.html, pdf=files.pdf, figures=figures, json=files.json)
