"""JSON-ready conversion shared by every analysis result (``to_dict()``, ``to_json()``).

Conventions: numpy arrays become lists, NaN becomes ``None`` (R's ``NA``), infinities become
the strings ``"Inf"`` / ``"-Inf"`` (as the reference JSON files write them), dates become ISO
strings, nested results become dicts, ``Table`` becomes its records.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

import numpy as np

from trialdesk.table import Table

__all__ = ["JsonResult", "json_ready", "read_only"]


def json_ready(value: Any) -> Any:
    """``value`` as plain JSON-ready Python data (recursively)."""
    if isinstance(value, Table):
        return {"title": value.title, "rows": json_ready(value.to_records())}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: json_ready(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not f.name.startswith("_")}
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [json_ready(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        return json_ready(value.item())
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "Inf" if value > 0 else "-Inf"
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def read_only(values: Any, *, dtype: Any = np.float64) -> np.ndarray:
    """A read-only copy of ``values`` as an array (result objects hold no writable arrays)."""
    array = np.array(values, dtype=dtype)
    array.setflags(write=False)
    return array


class JsonResult(ABC):
    """Base of frozen result dataclasses: ``to_dict``, ``to_json`` and HTML display.

    Subclasses define ``summary() -> Table``.
    """

    __slots__ = ()

    @abstractmethod
    def summary(self) -> Table:
        """The result as a table, labelled as a report prints it."""

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data: every field, plus the summary table's rows."""
        data = json_ready(self)
        data["summary"] = json_ready(self.summary())
        return data

    def to_json(self, *, indent: int | None = 2) -> str:
        """``to_dict()`` as a JSON string (strict JSON: no NaN)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def _repr_html_(self) -> str:
        return self.summary().to_html()
