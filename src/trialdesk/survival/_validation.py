"""One validation funnel for the engine's inputs: each check names the argument and index.

Every public survival function passes its arrays through these, so a user always reads
``event[17]: must be 0 or 1 (got 2)`` and never a numpy broadcasting error.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.errors import InputError

__all__ = ["as_event_array", "as_group_labels", "as_time_array", "first_bad_index"]


def first_bad_index(bad: np.ndarray) -> int:
    """The first flat index where ``bad`` is true (as a tuple index for >1-D arrays' rows)."""
    return int(np.flatnonzero(bad.ravel())[0])


def as_time_array(values: ArrayLike, *, name: str = "time", n: int | None = None,
                  ndim: int = 1) -> np.ndarray:
    """Times as float64: finite, non-negative, of length ``n`` along the last axis."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError("must be numeric", field=name) from exc
    if array.ndim != ndim:
        raise InputError(f"must be {ndim}-D, got shape {array.shape}", field=name)
    if n is not None and array.shape[-1] != n:
        raise InputError(f"has length {array.shape[-1]}, expected {n} (as time)", field=name)
    bad = ~np.isfinite(array)
    if bad.any():
        i = first_bad_index(bad)
        raise InputError("must be finite (no NaN or infinity)", field=name, row=i,
                         value=float(array.ravel()[i]), hint="drop or impute missing times")
    bad = array < 0
    if bad.any():
        i = first_bad_index(bad)
        raise InputError("is negative; times must be >= 0", field=name, row=i,
                         value=float(array.ravel()[i]))
    return array


def as_event_array(values: ArrayLike, *, name: str = "event", n: int | None = None,
                   ndim: int = 1) -> np.ndarray:
    """Event indicators as float64 0/1 (booleans accepted); length ``n`` on the last axis."""
    raw = np.asarray(values)
    if raw.dtype == bool:
        array = raw.astype(np.float64)
    else:
        try:
            array = raw.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError("must be 0/1 or boolean", field=name) from exc
    if array.ndim != ndim:
        raise InputError(f"must be {ndim}-D, got shape {array.shape}", field=name)
    if n is not None and array.shape[-1] != n:
        raise InputError(f"has length {array.shape[-1]}, expected {n} (as time)", field=name)
    bad = ~((array == 0) | (array == 1))
    if bad.any():
        i = first_bad_index(bad)
        raise InputError("must be 0 (censored) or 1 (event)", field=name, row=i,
                         value=raw.ravel()[i].item(), hint="code an event as 1")
    return array


def as_group_labels(values: ArrayLike, *, name: str = "group", n: int | None = None
                    ) -> tuple[tuple[str, ...], np.ndarray]:
    """Group labels and integer codes.

    Labels are sorted as strings, unless ``values`` is a pandas ordered categorical (or any
    object with ``.cat.categories``/``.categories`` and ``ordered``), whose order is kept.
    Missing labels (None/NaN) are an error naming the first index.
    """
    categories = getattr(values, "categories", None)
    if categories is None and hasattr(values, "cat"):
        categories = values.cat.categories
    raw = np.asarray(values, dtype=object)
    if raw.ndim != 1:
        raise InputError(f"must be 1-D, got shape {raw.shape}", field=name)
    if n is not None and raw.shape[0] != n:
        raise InputError(f"has length {raw.shape[0]}, expected {n} (as time)", field=name)
    missing = np.array([v is None or (isinstance(v, float) and np.isnan(v)) for v in raw],
                       dtype=bool)
    if missing.any():
        raise InputError("is missing", field=name, row=first_bad_index(missing))
    as_text = np.array([str(v) for v in raw], dtype=object)
    if categories is not None:
        labels = tuple(str(c) for c in categories)
    else:
        labels = tuple(sorted(set(as_text.tolist())))
    index = {label: k for k, label in enumerate(labels)}
    codes = np.fromiter((index[v] for v in as_text), dtype=np.intp, count=as_text.shape[0])
    return labels, codes
