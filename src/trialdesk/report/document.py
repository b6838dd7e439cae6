"""A report as data (sections of text, tables and figures) and its HTML, PDF and image forms.

The HTML is one self-contained file: figures are embedded as inline SVG, styles inline. The
PDF is drawn with matplotlib alone (no system libraries): a title page, then per section its
text and tables (long tables continue on further pages) and one page per figure. Every
figure is also written as PNG and SVG beside the report.
"""

from __future__ import annotations

import io
import logging
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import jinja2
from markupsafe import Markup
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from trialdesk import __version__
from trialdesk.table import Table

__all__ = ["Report", "ReportFigure", "ReportSection", "render_html", "render_pdf", "save_figures"]

logger = logging.getLogger(__name__)

_PAGE = (8.27, 11.69)  # A4 portrait, inches
_LINES_PER_PAGE = 70
_FONT_SIZE = 8.5  # points, monospace
_CHARS_AT_FONT_SIZE = 105  # characters of a line that fit the page width at _FONT_SIZE


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


def _text_page(pdf: PdfPages, heading: str, lines: list[str]) -> None:
    """One A4 page; the monospace font shrinks so the widest line (a wide table) fits."""
    figure = Figure(figsize=_PAGE)
    figure.text(0.08, 0.95, heading, fontsize=14, fontweight="bold", va="top")
    widest = max((len(line) for line in lines), default=0)
    size = min(_FONT_SIZE, _FONT_SIZE * _CHARS_AT_FONT_SIZE / max(widest, 1))
    figure.text(0.08, 0.91, "\n".join(lines), fontsize=size, va="top", family="monospace")
    pdf.savefig(figure)


def render_pdf(report: Report, path: Path) -> None:
    """Write the report as a PDF (A4 pages) to ``path``."""
    with PdfPages(path) as pdf:
        cover = Figure(figsize=_PAGE)
        cover.text(0.5, 0.62, report.title, ha="center", fontsize=20, fontweight="bold",
                   wrap=True)
        cover.text(0.5, 0.56, report.subtitle, ha="center", fontsize=12, wrap=True)
        cover.text(0.5, 0.50, f"Generated {report.generated:%Y-%m-%d %H:%M} UTC by trialdesk "
                   f"{__version__}", ha="center", fontsize=9, color="#555555")
        contents = [f"{k + 1}. {s.title}" for k, s in enumerate(report.sections)]
        cover.text(0.2, 0.42, "\n".join(contents), fontsize=10, va="top")
        pdf.savefig(cover)
        for section in report.sections:
            lines: list[str] = []
            for paragraph in section.paragraphs:
                lines.extend([*textwrap.wrap(paragraph, 95), ""])
            for table in section.tables:
                lines.extend([*table.to_text().splitlines(), ""])
            pages = [lines[k:k + _LINES_PER_PAGE]
                     for k in range(0, max(len(lines), 1), _LINES_PER_PAGE)]
            for k, page in enumerate(pages):
                heading = section.title if k == 0 else f"{section.title} (continued)"
                _text_page(pdf, heading, page)
            for report_figure in section.figures:
                caption = report_figure.figure.text(0.5, 1.0, report_figure.caption, ha="center",
                                                    va="bottom", fontsize=10, wrap=True)
                pdf.savefig(report_figure.figure, bbox_inches="tight")
                caption.remove()  # the caption belongs to the PDF page, not the figure
        metadata = pdf.infodict()
        metadata["Title"] = report.title
        metadata["Creator"] = f"trialdesk {__version__}"
    logger.info("wrote PDF report %s", path)


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
