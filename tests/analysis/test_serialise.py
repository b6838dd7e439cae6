"""``json_ready``: the JSON conventions every result's ``to_dict()`` follows."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass

import numpy as np

from trialdesk.analysis import json_ready
from trialdesk.table import Table


@dataclass(frozen=True)
class _Result:
    estimate: float
    limits: np.ndarray
    cutoff: dt.date
    _cache: int = 0


def test_nan_is_null_infinity_is_text_and_private_fields_are_left_out() -> None:
    result = _Result(estimate=math.nan, limits=np.array([0.5, np.inf, -np.inf]),
                     cutoff=dt.date(2018, 3, 1))
    assert json_ready(result) == {"estimate": None, "limits": [0.5, "Inf", "-Inf"],
                                  "cutoff": "2018-03-01"}
    json.dumps(json_ready(result), allow_nan=False)  # strict JSON


def test_numpy_scalars_tuples_and_tables() -> None:
    table = Table({"n": np.array([3, 4]), "upper": np.array([0.8, math.nan])}, title="t")
    assert json_ready({1: (np.int64(2), np.float64(0.25)), "table": table}) == {
        "1": [2, 0.25], "table": {"title": "t", "rows": [{"n": 3, "upper": 0.8},
                                                         {"n": 4, "upper": None}]}}
