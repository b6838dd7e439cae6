"""Figures, tables and reports: the interim report as HTML, PDF, images and JSON.

Example::

    files = write_interim_report(run_analysis_plan(protocol, data, cutoff=cutoff), Path("out"))
    files.html, files.pdf, files.figures, files.json

Building blocks: ``plot_km`` (numbers at risk, censor marks), ``plot_forest``,
``plot_consort``, ``plot_boundaries``, ``plot_turnbull_beside_km``,
``plot_rdi_distribution``; ``Report`` with ``render_html`` / ``render_pdf`` /
``save_figures``. ``docs/report.md``.
"""

from __future__ import annotations

from trialdesk.report.boundary_plot import plot_boundaries
from trialdesk.report.consort_diagram import ConsortArm, plot_consort
from trialdesk.report.document import (
    Report,
    ReportFigure,
    ReportSection,
    render_html,
    render_pdf,
    save_figures,
)
from trialdesk.report.dose_intensity_plot import plot_rdi_distribution
from trialdesk.report.forest_plot import ForestRow, plot_forest
from trialdesk.report.interim_report import ReportFiles, interim_report, write_interim_report
from trialdesk.report.interval_plot import plot_turnbull_beside_km
from trialdesk.report.km_plot import numbers_at_risk, plot_km

__all__ = [
    "ConsortArm",
    "ForestRow",
    "Report",
    "ReportFigure",
    "ReportFiles",
    "ReportSection",
    "interim_report",
    "numbers_at_risk",
    "plot_boundaries",
    "plot_consort",
    "plot_forest",
    "plot_km",
    "plot_rdi_distribution",
    "plot_turnbull_beside_km",
    "render_html",
    "render_pdf",
    "save_figures",
    "write_interim_report",
]
