"""A4 page layout of the PDF report with matplotlib alone: text, monospace tables, figures.

A cursor runs down the page; a block that does not fit starts a new page. Paragraphs are
set in the sans-serif font, wrapped; tables in monospace, shrunk so the widest line fits
the text width (down to ``_MIN_TABLE_FONT``; long tables continue on the next page under
"(continued)"). Figures are placed as 200-dpi images below the text when they fit (scaled
down to no less than ``_MIN_FIGURE_SCALE``), else on the next page, each with its caption.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.image import imread

__all__ = ["PdfPageWriter"]

PAGE_SIZE = (8.27, 11.69)  # A4 portrait, inches
_MARGIN = 0.7  # inches on every side
_TEXT_WIDTH = PAGE_SIZE[0] - 2 * _MARGIN
_LINE_SPACING = 1.2  # matplotlib's default, in multiples of the font size
_BODY_FONT = 9.0  # points
_TABLE_FONT = 8.5
_MIN_TABLE_FONT = 5.0
_MONO_EM = 0.602  # width of a DejaVu Sans Mono character, in ems
_WRAP_CHARS = 105  # paragraph characters per line at _BODY_FONT
_FIGURE_DPI = 200
_MIN_FIGURE_SCALE = 0.6


def _height(n_lines: int, size: float) -> float:
    """Height in inches of ``n_lines`` of text at ``size`` points."""
    return n_lines * size * _LINE_SPACING / 72.0


def _as_image(figure: Figure) -> tuple[object, float, float]:
    """The figure as an RGBA array and its natural width and height in inches."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_FIGURE_DPI, bbox_inches="tight")
    buffer.seek(0)
    image = imread(buffer)
    return image, image.shape[1] / _FIGURE_DPI, image.shape[0] / _FIGURE_DPI


@dataclass
class PdfPageWriter:
    """Writes blocks onto A4 pages of ``pdf``; ``close_page()`` flushes the last page."""

    pdf: PdfPages
    page: Figure | None = None
    top: float = 0.0  # the cursor: inches from the top of the page
    pages: int = field(default=0)

    @property
    def room(self) -> float:
        """Inches left above the bottom margin."""
        return PAGE_SIZE[1] - _MARGIN - self.top

    def new_page(self) -> Figure:
        """Flush the current page and start an empty one."""
        self.close_page()
        self.page = Figure(figsize=PAGE_SIZE)
        self.top = _MARGIN
        return self.page

    def close_page(self) -> None:
        """Write the current page, if any."""
        if self.page is not None:
            self.pdf.savefig(self.page)
            self.pages += 1
            self.page = None

    def _page_with_room(self, height: float) -> Figure:
        """The current page if ``height`` inches still fit on it, else a new page."""
        if self.page is None or height > self.room:
            return self.new_page()
        return self.page

    def _text(self, text: str, *, size: float, n_lines: int, **style: object) -> None:
        page = self._page_with_room(_height(n_lines, size))
        page.text(_MARGIN / PAGE_SIZE[0], 1.0 - self.top / PAGE_SIZE[1], text, va="top",
                       ha="left", fontsize=size, **style)
        self.top += _height(n_lines, size) + 0.12

    def heading(self, title: str) -> None:
        """A section title; always starts a new page."""
        self.new_page()
        self._text(title, size=14, n_lines=1, fontweight="bold")

    def paragraph(self, text: str) -> None:
        """Wrapped body text."""
        lines = textwrap.wrap(text, _WRAP_CHARS)
        self._text("\n".join(lines), size=_BODY_FONT, n_lines=len(lines))

    def table(self, lines: list[str], *, continued: str) -> None:
        """Monospace lines, split across pages; each continuation headed by ``continued``."""
        widest = max((len(line) for line in lines), default=1)
        fitting = _TEXT_WIDTH * 72.0 / (_MONO_EM * widest)
        size = max(_MIN_TABLE_FONT, min(_TABLE_FONT, fitting))
        while lines:
            fit = int(self.room / _height(1, size)) if self.page is not None else 0
            if fit < min(len(lines), 4):  # never strand a header with a line or two
                self.new_page()
                self._text(continued, size=11, n_lines=1, fontweight="bold")
                fit = int(self.room / _height(1, size))
            chunk, lines = lines[:fit], lines[fit:]
            self._text("\n".join(chunk), size=size, n_lines=len(chunk), family="monospace")

    def figure(self, figure: Figure, caption: str) -> None:
        """The figure as an image across the text width (never wider than drawn), captioned."""
        image, width, height = _as_image(figure)
        caption_lines = textwrap.wrap(caption, _WRAP_CHARS)
        caption_height = _height(len(caption_lines), _BODY_FONT) + 0.25
        scale = min(1.0, _TEXT_WIDTH / width)
        page = self._page_with_room(height * scale * _MIN_FIGURE_SCALE + caption_height)
        scale = min(scale, (self.room - caption_height) / height)
        w, h = width * scale, height * scale
        axes = page.add_axes((_MARGIN / PAGE_SIZE[0] + (_TEXT_WIDTH - w) / 2 / PAGE_SIZE[0],
                                   1.0 - (self.top + h) / PAGE_SIZE[1], w / PAGE_SIZE[0],
                                   h / PAGE_SIZE[1]))
        axes.imshow(image, interpolation="none")
        axes.set_axis_off()
        self.top += h + 0.1
        self._text("\n".join(caption_lines), size=_BODY_FONT, n_lines=len(caption_lines),
                   style="italic", color="#333333")
