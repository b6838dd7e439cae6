"""A report renders to one self-contained HTML file, a PDF with every section, and images."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from trialdesk.report.document import (
    Report,
    ReportFigure,
    ReportSection,
    render_html,
    render_pdf,
    save_figures,
)
from trialdesk.table import Table


def _report() -> Report:
    figure = Figure(figsize=(4, 3))
    figure.add_subplot().plot([0, 1], [1, 0.5])
    long_table = Table({"term": np.array([f"row {k}" for k in range(150)]),
                        "n": np.arange(150)}, title="Long table")
    return Report(
        title="RESORT interim <analysis>",
        subtitle="Data cut-off 2018-01-31",
        sections=[
            ReportSection("primary", "Primary endpoint", ["Median RFS & its CI."],
                          [Table({"arm": np.array(["sorafenib"]), "median": np.array([29.0])})],
                          [ReportFigure("km_rfs", "Kaplan-Meier RFS", figure)]),
            ReportSection("safety", "Safety", tables=[long_table]),
        ],
    )


def test_html_is_self_contained_and_escaped() -> None:
    html = render_html(_report())
    assert "<svg" in html
    assert 'href="#primary"' in html
    assert "RESORT interim &lt;analysis&gt;" in html
    assert "Median RFS &amp; its CI." in html
    assert "<script" not in html
    assert "http://" not in html.split("<svg", 1)[0]  # no external resources before figures


def test_pdf_and_images(tmp_path: Path) -> None:
    report = _report()
    pdf = tmp_path / "report.pdf"
    render_pdf(report, pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    written = save_figures(report, tmp_path / "figures")
    assert sorted(p.name for p in written) == ["km_rfs.png", "km_rfs.svg"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_holds_every_section_and_continues_long_tables(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    render_pdf(_report(), pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Primary endpoint" in text
    assert "Safety (continued)" in text
    assert "row 149" in text
