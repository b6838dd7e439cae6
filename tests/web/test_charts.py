"""The dashboard's enrolment chart: counts per group, counted by hand."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from trialdesk.web.charts import enrolment_lines, enrolment_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_cumulative_counts_per_group_sorted_as_strings() -> None:
    dates = [date(2013, 1, 5), date(2013, 1, 2), date(2013, 1, 5), date(2013, 2, 1)]
    arms = ["sorafenib", "observation", "sorafenib", "observation"]
    lines = enrolment_lines(dates, arms)
    assert [line.label for line in lines] == ["observation", "sorafenib"]
    assert lines[0].dates == (date(2013, 1, 2), date(2013, 2, 1))
    assert lines[0].counts == (1, 2)
    # two on the same day make one step of two
    assert lines[1].dates == (date(2013, 1, 5),)
    assert lines[1].counts == (2,)


def test_svg_is_well_formed_with_one_line_per_group_and_escaped_labels() -> None:
    lines = enrolment_lines([date(2013, 1, 1), date(2013, 3, 1)], ["<b>A&B</b>", "MI01"])
    svg = enrolment_svg(lines, title="Enrolment by site")
    root = ET.fromstring(svg)
    polylines = root.findall(f"{SVG}polyline")
    assert len(polylines) == 2
    assert "<b>" not in svg
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert "<b>A&B</b> (1)" in legend


def test_svg_without_patients_says_so() -> None:
    svg = enrolment_svg((), title="Enrolment by arm")
    assert "no patients randomised yet" in svg
    ET.fromstring(svg)
