"""Report-side table shaping: digits shown, one-row tables turned into quantity/value lists."""

from __future__ import annotations

import dataclasses

from trialdesk.table import Table

__all__ = ["REPORT_DIGITS", "as_quantity_value", "shown_with"]

#: Significant digits of numbers in report tables (the JSON keeps full precision).
REPORT_DIGITS = 4


def shown_with(table: Table, digits: int = REPORT_DIGITS) -> Table:
    """The same table printed with ``digits`` significant digits (values are unchanged)."""
    return dataclasses.replace(table, digits=digits)


def as_quantity_value(table: Table, digits: int = REPORT_DIGITS) -> Table:
    """A one-row table as two columns, one line per original column (narrow enough to print)."""
    (row,) = table.rows()
    return shown_with(Table.from_rows(("quantity", "value"),
                                      list(zip(table.columns, row, strict=True)),
                                      title=table.title), digits)
