"""Inline SVG charts for the dashboard: cumulative enrolment over time, one line per group.

Drawn as plain SVG text (no JavaScript, no image files), so a page renders the chart
without a build step and a printed dashboard keeps it. Labels are HTML-escaped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

__all__ = ["EnrolmentLine", "enrolment_lines", "enrolment_svg"]

logger = logging.getLogger(__name__)

#: Line colours, cycled (colour-blind safe Okabe-Ito palette).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

_WIDTH, _HEIGHT = 640, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 150, 16, 36


@dataclass(frozen=True, slots=True)
class EnrolmentLine:
    """Cumulative enrolment of one group: ``counts[k]`` patients by ``dates[k]``."""

    label: str
    dates: tuple[date, ...]
    counts: tuple[int, ...]


def enrolment_lines(dates: Sequence[date], groups: Sequence[str]) -> tuple[EnrolmentLine, ...]:
    """Cumulative counts per group (groups sorted as strings), one step per enrolment date."""
    by_group: dict[str, list[date]] = {}
    for day, group in zip(dates, groups, strict=True):
        by_group.setdefault(str(group), []).append(day)
    lines = []
    for label in sorted(by_group):
        ordered = sorted(by_group[label])
        steps: dict[date, int] = {}
        for count, day in enumerate(ordered, start=1):
            steps[day] = count
        lines.append(EnrolmentLine(label, tuple(steps), tuple(steps.values())))
    return tuple(lines)


def _x_ticks(start: date, end: date) -> list[date]:
    span = max((end - start).days, 1)
    return [date.fromordinal(start.toordinal() + round(span * k / 4)) for k in range(5)]


def enrolment_svg(lines: Sequence[EnrolmentLine], *, title: str) -> str:
    """An SVG of cumulative enrolment (patients, y) over calendar time (x), one step line per group.

    Returns a short "no patients randomised yet" SVG when ``lines`` is empty.
    """
    header = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
              f'role="img" aria-label="{escape(title)}" class="chart">'
              f"<title>{escape(title)}</title>")
    if not lines:
        return (header + f'<text x="{_WIDTH / 2}" y="{_HEIGHT / 2}" text-anchor="middle">'
                "no patients randomised yet</text></svg>")
    start = min(line.dates[0] for line in lines)
    end = max(line.dates[-1] for line in lines)
    span = max((end - start).days, 1)
    top = max(max(line.counts) for line in lines)
    plot_w = _WIDTH - _LEFT - _RIGHT
    plot_h = _HEIGHT - _TOP - _BOTTOM

    def x(day: date) -> float:
        return _LEFT + plot_w * (day - start).days / span

    def y(count: int) -> float:
        return _TOP + plot_h * (1 - count / top)

    parts = [header,
             f'<line x1="{_LEFT}" y1="{_TOP + plot_h}" x2="{_LEFT + plot_w}" y2="{_TOP + plot_h}" '
             'stroke="#444"/>',
             f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{_TOP + plot_h}" stroke="#444"/>',
             f'<text x="{_LEFT - 6}" y="{_TOP + 4}" text-anchor="end" font-size="11">{top}</text>',
             f'<text x="{_LEFT - 6}" y="{_TOP + plot_h}" text-anchor="end" font-size="11">0</text>',
             f'<text x="12" y="{_TOP + plot_h / 2}" font-size="11" '
             f'transform="rotate(-90 12 {_TOP + plot_h / 2})" text-anchor="middle">patients</text>']
    for tick in _x_ticks(start, end):
        parts.append(f'<text x="{x(tick):.1f}" y="{_HEIGHT - 14}" text-anchor="middle" '
                     f'font-size="10">{tick.isoformat()}</text>')
    for k, line in enumerate(lines):
        colour = PALETTE[k % len(PALETTE)]
        points = [f"{x(line.dates[0]):.1f},{y(0):.1f}"]
        previous = 0
        for day, count in zip(line.dates, line.counts, strict=True):
            points.append(f"{x(day):.1f},{y(previous):.1f}")
            points.append(f"{x(day):.1f},{y(count):.1f}")
            previous = count
        points.append(f"{x(end):.1f},{y(previous):.1f}")
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                     f'points="{" ".join(points)}"><title>{escape(line.label)}: {previous}</title>'
                     "</polyline>")
        legend_y = _TOP + 14 + 18 * k
        parts.append(f'<rect x="{_WIDTH - _RIGHT + 12}" y="{legend_y - 9}" width="12" height="4" '
                     f'fill="{colour}"/>'
                     f'<text x="{_WIDTH - _RIGHT + 30}" y="{legend_y}" font-size="11">'
                     f"{escape(line.label)} ({previous})</text>")
    parts.append("</svg>")
    return "".join(parts)
