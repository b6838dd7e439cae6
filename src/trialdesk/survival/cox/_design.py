"""The Cox model's design matrix: numeric columns as they are, labels as treatment contrasts.

Accepts a 1-D array (one term ``x``), a 2-D array (terms ``x1 .. xp``), or a table of columns
(a pandas DataFrame or any mapping of name to column; pandas is never imported). A column of
labels (strings, booleans, categories) becomes one 0/1 column per level but the first, named
``term + level`` as R's ``model.matrix`` names them (``armECOG2-3``); levels are sorted as
strings unless the column is categorical, whose category order is kept (R's factor levels).
Missing values stay NaN here; the front end drops those rows and counts them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from trialdesk.errors import InputError
from trialdesk.survival._validation import as_group_labels

__all__ = ["DesignMatrix", "design_matrix", "is_missing"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DesignMatrix:
    """Model columns and the terms they came from.

    Attributes
    ----------
    values
        ``(n, p)`` float64; NaN marks a missing value.
    columns
        Coefficient names, as R names them.
    terms
        Term names (one per input column).
    term_columns
        For each term, the indices of its columns in ``values`` (a label term with k levels
        has k - 1 columns; the proportional-hazards test tests them jointly).
    """

    values: np.ndarray
    columns: tuple[str, ...]
    terms: tuple[str, ...]
    term_columns: tuple[tuple[int, ...], ...]


def is_missing(values: np.ndarray) -> np.ndarray:
    """Missing entries: NaN / NaT in numeric and date arrays; None, NaN, pandas NA or NaT in
    object arrays (integer, boolean and string arrays have none)."""
    kind = values.dtype.kind
    if kind in "fc":
        return np.isnan(values)
    if kind in "mM":
        return np.isnat(values)
    if kind != "O":
        return np.zeros(values.shape[0], dtype=bool)
    return np.fromiter(
        (v is None or (isinstance(v, float) and math.isnan(v))
         or type(v).__name__ in ("NAType", "NaTType") for v in values.tolist()),
        dtype=bool, count=values.shape[0])


def _label_columns(name: str, column: Any) -> tuple[np.ndarray, list[str]]:
    """Treatment-contrast columns for a label column (first level = reference); NaN rows where
    the label is missing. Booleans are R's logicals (levels FALSE, TRUE)."""
    raw = np.asarray(column)
    missing = is_missing(raw)
    present = raw[~missing]
    if present.dtype == bool or (present.dtype == object and present.size
                                 and all(isinstance(v, (bool, np.bool_)) for v in present.tolist())):
        labels: tuple[str, ...] = ("FALSE", "TRUE")
        codes = present.astype(bool).astype(np.intp)
    else:
        labels, codes = as_group_labels(column[~missing] if hasattr(column, "cat") else present, name=name)
    dummies = np.full((raw.shape[0], len(labels) - 1), np.nan)
    dummies[~missing] = codes[:, None] == np.arange(1, len(labels))[None, :]
    return dummies, [f"{name}{level}" for level in labels[1:]]


def _is_numeric(column: Any) -> bool:
    dtype = getattr(column, "dtype", None)
    if dtype is None:
        dtype = np.asarray(column).dtype
    return getattr(dtype, "kind", "O") in "iuf" and getattr(column, "cat", None) is None


def _numeric_matrix(array: np.ndarray, n: int) -> DesignMatrix:
    """A numeric 1-D or 2-D array as it is (float64, read-only; no copy when already float64)."""
    values = array.astype(np.float64, copy=False).reshape(array.shape[0], -1).view()
    values.flags.writeable = False
    names = ("x",) if array.ndim == 1 else tuple(f"x{j + 1}" for j in range(values.shape[1]))
    if values.shape[0] != n:
        raise InputError(f"has length {values.shape[0]}, expected {n} (as time)", field=f"X[{names[0]!r}]")
    if not np.isfinite(values).all():  # NaN is a missing value; infinity is an error
        infinite = np.isinf(values)
        if infinite.any():
            column = int(np.flatnonzero(infinite.any(axis=0))[0])
            row = int(np.flatnonzero(infinite[:, column])[0])
            raise InputError("is infinite", field=f"X[{names[column]!r}]", row=row,
                             value=float(values[row, column]))
    return DesignMatrix(values=values, columns=names, terms=names,
                        term_columns=tuple((j,) for j in range(values.shape[1])))


def design_matrix(X: Any, *, n: int) -> DesignMatrix:
    """Turn ``X`` into model columns of length ``n`` (see the module docstring)."""
    if isinstance(X, np.ndarray) and X.dtype.kind in "iuf" and X.ndim in (1, 2) and X.size:
        return _numeric_matrix(X, n)
    if hasattr(X, "columns") or isinstance(X, Mapping):
        names = [str(c) for c in (X.columns if hasattr(X, "columns") else X.keys())]
        columns = [X[c] for c in (X.columns if hasattr(X, "columns") else X.keys())]
    else:
        array = np.asarray(X)
        if array.ndim == 1:
            array = array[:, None]
            names = ["x"]
        elif array.ndim == 2:
            names = [f"x{j + 1}" for j in range(array.shape[1])]
        else:
            raise InputError(f"must be 1-D or 2-D, got shape {array.shape}", field="X")
        columns = [array[:, j] for j in range(array.shape[1])]
    if not columns:
        raise InputError("has no columns; a Cox model needs at least one covariate", field="X")
    blocks, column_names, term_columns = [], [], []
    for name, column in zip(names, columns, strict=True):
        length = np.shape(column)[0]
        if length != n:
            raise InputError(f"has length {length}, expected {n} (as time)", field=f"X[{name!r}]")
        if _is_numeric(column):
            values = np.asarray(column, dtype=np.float64)[:, None]
            labels = [name]
            bad = np.isinf(values[:, 0])
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                raise InputError("is infinite", field=f"X[{name!r}]", row=row, value=float(values[row, 0]))
        else:
            values, labels = _label_columns(name, column)
        term_columns.append(tuple(range(len(column_names), len(column_names) + len(labels))))
        blocks.append(values)
        column_names.extend(labels)
    return DesignMatrix(values=np.concatenate(blocks, axis=1), columns=tuple(column_names),
                        terms=tuple(names), term_columns=tuple(term_columns))
