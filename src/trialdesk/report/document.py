"""A report as data (sections of text, tables and figures) and its HTML, PDF and image forms.

The HTML is one self-contained file: figures are embedded as inline SVG, styles inline. The
PDF is drawn with matplotlib alone (no system libraries) on A4 pages: a title page with the
contents, then each section from a new page with its text, tables (long ones continue on
further pages) and captioned figures (``_pdf_layout``). Every figure is also written as PNG
and SVG beside the report.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import jinja2
from markupsafe import Markup
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from trialdesk import __version__
from trialdesk.report._pdf_layout import PAGE_SIZE, PdfPageWriter
from trialdesk.table import Table

__all__ = ["Report", "ReportFigure", "ReportSection", "render_html", "render_pdf", "save_figures"]

logger = logging.getLogger(__name__)



@dataclass(frozen=True)
class ReportFigure:
    """A figure with a file stem (``km_rfs``) and a caption."""

    name: str
    caption: str
    figure: Figure


@dataclass(frozen=True)
class ReportSection:
    """A titled section: paragraphs of plain text, then tables, then figures."""

    anchor: str
    title: str
    paragraphs: Sequence[str] = ()
    tables: Sequence[Table] = ()
    figures: Sequence[ReportFigure] = ()


@dataclass(frozen=True)
class Report:
    """A whole report; ``generated`` defaults to now (UTC)."""

    title: str
    subtitle: str
    sections: Sequence[ReportSection]
    generated: datetime = field(default_factory=lambda: datetime.now(UTC))


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    svg = buffer.getvalue()
    return svg[svg.find("<svg"):]  # drop the XML prologue and doctype for inline use


def render_html(report: Report) -> str:
    """The report as one self-contained HTML document."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("trialdesk.report", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    sections = [
        {
            "anchor": s.anchor,
            "title": s.title,
            "paragraphs": list(s.paragraphs),
            "tables": [Markup(t.to_html()) for t in s.tables],  # Table.to_html escapes cells
            "figures": [{"caption": f.caption, "name": f.name, "svg": Markup(_svg(f.figure))}
                        for f in s.figures],
        }
        for s in report.sections
    ]
    return environment.get_template("report.html").render(
        report=report, sections=sections, version=__version__,
        generated=report.generated.strftime("%Y-%m-%d %H:%M UTC"))


def _cover(report: Report) -> Figure:
    cover = Figure(figsize=PAGE_SIZE)
    cover.text(0.5, 0.62, report.title, ha="center", fontsize=20, fontweight="bold", wrap=True)
    cover.text(0.5, 0.56, report.subtitle, ha="center", fontsize=12, wrap=True)
    cover.text(0.5, 0.50, f"Generated {report.generated:%Y-%m-%d %H:%M} UTC by trialdesk "
               f"{__version__}", ha="center", fontsize=9, color="#555555")
    contents = [f"{k + 1}. {s.title}" for k, s in enumerate(report.sections)]
    cover.text(0.2, 0.42, "\n".join(contents), fontsize=10, va="top")
    return cover


def render_pdf(report: Report, path: Path) -> int:
    """Write the report as a PDF of A4 pages to ``path``; return the number of pages.

    A cover with the contents, then per section its title on a new page, paragraphs, tables
    (monospace, continued on further pages when long) and figures with captions
    (``trialdesk.report._pdf_layout``).
    """
    with PdfPages(path) as pdf:
        pdf.savefig(_cover(report))
        writer = PdfPageWriter(pdf)
        for section in report.sections:
            writer.heading(section.title)
            for paragraph in section.paragraphs:
                writer.paragraph(paragraph)
            for table in section.tables:
                writer.table(table.to_text().splitlines(), continued=f"{section.title} (continued)")
            for report_figure in section.figures:
                writer.figure(report_figure.figure, report_figure.caption)
        writer.close_page()
        metadata = pdf.infodict()
        metadata["Title"] = report.title
        metadata["Creator"] = f"trialdesk {__version__}"
    logger.info("wrote PDF report %s (%d pages)", path, writer.pages + 1)
    return writer.pages + 1


def save_figures(report: Report, folder: Path) -> list[Path]:
    """Write every figure as ``<name>.png`` and ``<name>.svg`` into ``folder``; return paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for section in report.sections:
        for report_figure in section.figures:
            for suffix in ("png", "svg"):
                target = folder / f"{report_figure.name}.{suffix}"
                report_figure.figure.savefig(target, format=suffix, dpi=150,
                                             bbox_inches="tight")
                written.append(target)
    return written
