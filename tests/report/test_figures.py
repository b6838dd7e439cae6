"""Figures: numbers at risk counted by hand, and each figure renders to SVG and PNG."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure

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
    texts = [t.get_text() for t in ax.texts]
    assert "Number at risk" in texts
    assert texts.count("6") == 2  # both arms at time 0
    svg, png = _render(ax.figure)
    assert svg.startswith(b"<?xml")
    assert png.startswith(b"\x89PNG")


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
                   "not clear-cell (n=6)"):
        assert needle in text
    _render(ax.figure)


@pytest.mark.parametrize("futility", [None, [0.1, -6.0]])
def test_boundary_plot_renders(futility: list[float] | None) -> None:
    ax = plot_boundaries([0.5, 1.0], [2.96, 1.97], futility_bounds=futility,
                         observed_information=[0.45], observed_z=[-0.6])
    assert len(ax.lines) >= 2
    _render(ax.figure)
