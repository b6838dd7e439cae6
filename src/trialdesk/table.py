"""``Table``: a labelled set of equal-length columns that renders as text and HTML.

Result objects return one from ``summary()``. The engine never imports pandas; edges call
``pd.DataFrame(table.columns)``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

__all__ = ["Table"]


def _format_cell(value: object, digits: int) -> str:
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return "NA"
        if math.isinf(value):
            return "Inf" if value > 0 else "-Inf"
        return f"{value:.{digits}g}"
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    return str(value)


@dataclass(frozen=True)
class Table:
    """Columns (name -> 1-D array) with a title; every column has the same length.

    Column names are labelled as R prints them (``n.risk``, ``exp(coef)``, ``Pr(>|z|)``).
    """

    columns: Mapping[str, np.ndarray]
    title: str = ""
    digits: int = field(default=6)

    def __post_init__(self) -> None:
        frozen: dict[str, np.ndarray] = {}
        lengths = set()
        for name, column in self.columns.items():
            array = np.array(column)  # a copy, so the caller's array stays writable
            if array.ndim != 1:
                raise ValueError(f"column {name!r}: must be 1-D, got shape {array.shape}")
            array.setflags(write=False)
            frozen[name] = array
            lengths.add(array.shape[0])
        if len(lengths) > 1:
            raise ValueError(f"columns differ in length: {sorted(lengths)}")
        object.__setattr__(self, "columns", MappingProxyType(frozen))

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return next(iter(self.columns.values())).shape[0] if self.columns else 0

    def rows(self) -> list[tuple[object, ...]]:
        """The rows as tuples of Python scalars, in column order."""
        arrays = list(self.columns.values())
        return [tuple(a[i].item() if hasattr(a[i], "item") else a[i] for a in arrays)
                for i in range(self.n_rows)]

    def to_records(self) -> list[dict[str, object]]:
        """JSON-ready rows (NaN becomes None)."""
        names = list(self.columns)
        records = []
        for row in self.rows():
            records.append({
                name: (None if isinstance(v, float) and math.isnan(v) else v)
                for name, v in zip(names, row, strict=True)
            })
        return records

    def _cells(self) -> tuple[list[str], list[list[str]]]:
        header = list(self.columns)
        body = [[_format_cell(v, self.digits) for v in row] for row in self.rows()]
        return header, body

    def to_text(self) -> str:
        """Fixed-width text, right-aligned as R prints a matrix."""
        header, body = self._cells()
        widths = [max([len(h)] + [len(r[j]) for r in body]) for j, h in enumerate(header)]
        lines = [self.title] if self.title else []
        lines.append("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
        lines.extend("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in body)
        return "\n".join(lines)

    def to_html(self) -> str:
        """An HTML ``<table>`` (escaped), with the title as caption."""
        header, body = self._cells()
        parts = ['<table class="trialdesk-table">']
        if self.title:
            parts.append(f"<caption>{html.escape(self.title)}</caption>")
        parts.append("<thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header)
                     + "</tr></thead><tbody>")
        parts.extend("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                     for r in body)
        parts.append("</tbody></table>")
        return "".join(parts)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        return self.to_html()

    @classmethod
    def from_rows(cls, names: Sequence[str], rows: Sequence[Sequence[object]], *,
                  title: str = "") -> Table:
        """Build a table from row tuples (mixed types stay as object columns)."""
        columns = {name: np.array([r[j] for r in rows], dtype=object if rows and any(
            isinstance(r[j], str) for r in rows) else None) for j, name in enumerate(names)}
        if not rows:
            columns = {name: np.array([], dtype=float) for name in names}
        return cls(columns, title=title)
