"""Table: read-only columns rendered as text and HTML."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trialdesk.table import Table


def test_columns_are_copies_and_read_only() -> None:
    source = np.array([1.0, 2.0])
    table = Table({"time": source, "n.risk": np.array([5, 4])})
    source[0] = 99.0
    assert table.columns["time"][0] == 1.0
    with pytest.raises(ValueError):
        table.columns["time"][0] = 3.0


def test_text_renders_na_and_aligns() -> None:
    table = Table({"median": np.array([29.0, math.nan]), "arm": np.array(["a", "bb"])},
                  title="RFS")
    assert table.to_text().splitlines() == ["RFS", "median  arm", "    29    a", "    NA   bb"]


def test_html_escapes() -> None:
    html = Table({"x<y": np.array(["<b>"])}).to_html()
    assert "&lt;b&gt;" in html
    assert "x&lt;y" in html


def test_records_turn_nan_into_none() -> None:
    table = Table({"upper": np.array([0.8, math.nan])})
    assert table.to_records() == [{"upper": 0.8}, {"upper": None}]


def test_unequal_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        Table({"a": np.array([1]), "b": np.array([1, 2])})
