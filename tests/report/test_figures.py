"""Figures: numbers at risk counted by hand, and each figure renders to SVG and PNG."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from trialdesk.report.boundary_plot import plot_boundaries
from trialdesk.report.consort_diagram import ConsortArm, plot_consort
from trialdesk.report.forest_plot import ForestRow, plot_forest
from trialdesk.report.km_plot import numbers_at_risk, plot_km


class HandKM:
    """Times 1, 2, 2+, 3, 4+, 5: S = 5/6, 2/3, 4/9, 4/9(censor at 4), 0 (by hand)."""

    time = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    survival = np.array([5 / 6, 2 / 3, 4 / 9, 4 / 9, 0.0])
    lower = np.array([0.5, 0.3, 0.1, 0.1, np.nan])
    upper = np.array([1.0, 1.0, 1.0, 1.0, np.nan])
    n_event = np.array([1, 1, 1, 0, 1])
    n_censor = np.array([0, 1, 0, 1, 0])


def test_numbers_at_risk_count_patients_still_observed_just_before_t() -> None:
    # at 0: 6; at 2: 5 (the 2 and 2+ are still at risk); at 2.5: 3; at 4: 2; at 6: 0
    assert numbers_at_risk(HandKM(), [0, 2, 2.5, 4, 6]).tolist() == [6, 5, 3, 2, 0]


def _render(ax_figure: Figure) -> tuple[bytes, bytes]:
    svg, png = io.BytesIO(), io.BytesIO()
    ax_figure.savefig(svg, format="svg")
    ax_figure.savefig(png, format="png", dpi=60)
    return svg.getvalue(), png.getvalue()


def test_km_plot_draws_risk_table_and_censor_marks() -> None:
    ax = plot_km({"sorafenib": HandKM(), "observation": HandKM()}, risk_table_at=[0, 2, 4])
    (table,) = ax.child_axes
    assert table.get_title(loc="left") == "Number at risk"
    assert [label.get_text() for label in table.get_yticklabels()] == ["sorafenib", "observation"]
    texts = [t.get_text() for t in table.texts]
    assert texts == ["6", "5", "2", "6", "5", "2"]  # per arm at 0, 2, 4 (counted by hand above)
    censor_marks = [line for line in ax.lines if line.get_marker() == "+"]
    assert [mark.get_xdata().tolist() for mark in censor_marks] == [[2.0, 4.0], [2.0, 4.0]]
    svg, png = _render(ax.figure)
    assert svg.startswith(b"<?xml")
    assert png.startswith(b"\x89PNG")


def _boxes(artists: list[Any], renderer: Any) -> list[Bbox]:
    return [a.get_window_extent(renderer) for a in artists if a.get_text()]


def test_km_risk_table_overlaps_neither_axis_labels_nor_itself() -> None:
    """The rendered layout: arm names clear of the column at 0, the table below the x label."""
    ax = plot_km({"sorafenib": HandKM(), "observation": HandKM()}, risk_table_at=[0, 2, 4, 6])
    canvas = FigureCanvasAgg(ax.figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    (table,) = ax.child_axes
    names = _boxes(table.get_yticklabels(), renderer)
    numbers = _boxes(table.texts, renderer)
    assert not any(name.overlaps(number) for name in names for number in numbers)
    lowest_axis_text = min(box.y0 for box in _boxes([ax.xaxis.label, *ax.get_xticklabels()],
                                                    renderer))
    assert max(box.y1 for box in numbers + names) < lowest_axis_text
    assert max(box.y1 for box in numbers[:1]) < table.title.get_window_extent(renderer).y0


def test_forest_plot_marks_non_estimable_rows() -> None:
    rows = [ForestRow("Site of disease", np.nan, np.nan, np.nan, is_heading=True),
            ForestRow("lung", 0.8, 0.4, 1.6, "10/20 vs 12/21"),
            ForestRow("other", 1.0, np.nan, np.nan, "0/3 vs 2/4")]
    ax = plot_forest(rows, interaction_p={"Site of disease": 0.41})
    texts = [t.get_text() for t in ax.texts]
    assert any("not estimable" in t for t in texts)
    assert any("interaction p = 0.410" in t for t in texts)
    _render(ax.figure)


def test_consort_diagram_shows_every_count() -> None:
    arms = [ConsortArm("sorafenib", 32, 30, 2, 1, 5, 32),
            ConsortArm("observation", 36, 36, 0, 0, 0, 36)]
    ax = plot_consort(assessed=82, excluded=6, exclusion_reasons={"not clear-cell": 6},
                      randomised=68, arms=arms)
    text = "\n".join(t.get_text() for t in ax.texts)
    for needle in ("Assessed for eligibility (n=82)", "Randomised (n=68)",
                   "Allocated to sorafenib (n=32)", "Did not receive it (n=2)",
                   "- not clear-cell (n=6)", "Withdrew (n=0)"):
        assert needle in text
    assert len([t for t in ax.texts if not t.get_text()]) == 8  # arrows: 2 + 3 per arm
    _render(ax.figure)


@pytest.mark.parametrize(("futility", "futility_points"),
                         [(None, 0), ([0.1, -6.0], 1), ([0.2], 1), ([-np.inf], 0)])
def test_boundary_plot_draws_futility_bounds_of_the_first_looks(
        futility: list[float] | None, futility_points: int) -> None:
    """rpact gives futility bounds for the looks before the last only; -6 or -inf: none."""
    ax = plot_boundaries([0.5, 1.0], [2.96, 1.97], futility_bounds=futility,
                         observed_information=[0.45], observed_z=[-0.6])
    drawn = {line.get_label(): np.asarray(line.get_xdata()).tolist() for line in ax.lines}
    assert drawn["efficacy boundary"] == [0.5, 1.0]
    assert drawn["observed z"] == [0.45]
    assert len(drawn.get("futility bound", [])) == futility_points
    _render(ax.figure)


def test_forest_columns_stand_clear_of_the_plot() -> None:
    rows = [ForestRow("All patients", 1.3, 0.7, 2.5, "19/38 vs 17/38"),
            ForestRow("Number of lesions resected at metastasectomy", np.nan, np.nan, np.nan,
                      is_heading=True),
            ForestRow("multiple (2-3 resected metastases)", 1.26, 0.05, 30.0, "10/18 vs 9/19")]
    ax = plot_forest(rows, interaction_p={"Number of lesions resected at metastasectomy": 0.906})
    canvas = FigureCanvasAgg(ax.figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    plot = ax.get_window_extent(renderer)
    texts = _boxes(ax.texts, renderer)
    labels = [b for b, t in zip(texts, [t for t in ax.texts if t.get_text()], strict=True)
              if t.get_text() in {"Subgroup", "All patients", "multiple (2-3 resected metastases)",
                                  "Number of lesions resected at metastasectomy"}]
    assert len(labels) == 4
    assert all(box.x1 < plot.x0 for box in labels)
    assert all(box.x0 > plot.x1 for box in texts if box not in labels)
    assert not any(a.overlaps(b) for k, a in enumerate(texts) for b in texts[k + 1:])
