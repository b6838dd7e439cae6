"""A4 layout of the PDF: wide tables shrink to the text width, figures keep their captions."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from trialdesk.report._pdf_layout import PAGE_SIZE, PdfPageWriter


def _inside_page(page: Figure) -> bool:
    canvas = FigureCanvasAgg(page)
    canvas.draw()
    width, height = (v * page.dpi for v in PAGE_SIZE)
    boxes = [t.get_window_extent(canvas.get_renderer()) for t in page.texts]
    return all(b.x0 >= 0 and b.x1 <= width and b.y0 >= 0 and b.y1 <= height for b in boxes)


@pytest.mark.parametrize("width", [40, 160])
def test_a_table_line_of_any_width_stays_on_the_page(tmp_path: Path, width: int) -> None:
    with PdfPages(tmp_path / "wide.pdf") as pdf:
        writer = PdfPageWriter(pdf)
        writer.heading("Safety")
        writer.table(["x" * width, "y" * width], continued="Safety (continued)")
        assert writer.page is not None
        assert _inside_page(writer.page)
        writer.close_page()


def test_a_long_table_continues_on_new_pages(tmp_path: Path) -> None:
    with PdfPages(tmp_path / "long.pdf") as pdf:
        writer = PdfPageWriter(pdf)
        writer.heading("Baseline")
        writer.table([f"row {k}" for k in range(200)], continued="Baseline (continued)")
        assert writer.page is not None
        assert writer.page.texts[0].get_text() == "Baseline (continued)"
        assert _inside_page(writer.page)
        writer.close_page()
    assert writer.pages == 3  # 200 lines of 8.5 pt: about 85 lines fit on a page


def test_a_figure_that_does_not_fit_starts_a_page_with_its_caption(tmp_path: Path) -> None:
    figure = Figure(figsize=(7.0, 6.0))
    figure.add_subplot().plot([0, 1], [1, 0])
    with PdfPages(tmp_path / "figures.pdf") as pdf:
        writer = PdfPageWriter(pdf)
        writer.heading("Primary")
        writer.table([f"line {k}" for k in range(60)], continued="Primary (continued)")
        writer.figure(figure, "Kaplan-Meier estimate")
        page = writer.page
        assert page is not None
        assert writer.pages == 1  # the figure moved to a second page
        assert [t.get_text() for t in page.texts] == ["Kaplan-Meier estimate"]
        assert len(page.axes) == 1
        assert _inside_page(page)
        writer.close_page()
