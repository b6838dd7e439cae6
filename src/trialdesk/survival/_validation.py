"""One validation funnel for the engine's inputs: each check names the argument and index.

Every public survival function passes its arrays through these, so a user always reads
``event[17]: must be 0 or 1 (got 2)`` and never a numpy broadcasting error.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.errors import InputError

__all__ = [
    "as_event_array",
    "as_event_flags",
    "as_group_labels",
    "as_groups",
    "as_time_array",
    "as_time_array_and_range",
    "first_bad_index",
]


def first_bad_index(bad: np.ndarray) -> int:
    """The first flat index where ``bad`` is true (as a tuple index for >1-D arrays' rows)."""
    return int(np.flatnonzero(bad.ravel())[0])


def as_time_array(values: ArrayLike, *, name: str = "time", n: int | None = None,
                  ndim: int = 1) -> np.ndarray:
    """Times as float64: finite, non-negative, of length ``n`` along the last axis."""
    return as_time_array_and_range(values, name=name, n=n, ndim=ndim)[0]


def as_time_array_and_range(values: ArrayLike, *, name: str = "time", n: int | None = None,
                            ndim: int = 1) -> tuple[np.ndarray, tuple[float, float]]:
    """``as_time_array`` and the smallest and largest time (0, 0 when empty).

    The check computes both anyway; ``pack_keys`` needs them to code the times.
    """
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError("must be numeric", field=name) from exc
    if array.ndim != ndim:
        raise InputError(f"must be {ndim}-D, got shape {array.shape}", field=name)
    if n is not None and array.shape[-1] != n:
        raise InputError(f"has length {array.shape[-1]}, expected {n} (as time)", field=name)
    if not array.size:
        return array, (0.0, 0.0)
    smallest, largest = float(array.min()), float(array.max())
    if not (smallest >= 0.0 and largest < np.inf):  # NaN fails both
        bad = ~np.isfinite(array)
        if bad.any():
            i = first_bad_index(bad)
            raise InputError("must be finite (no NaN or infinity)", field=name, row=i,
                             value=float(array.ravel()[i]), hint="drop or impute missing times")
        i = first_bad_index(array < 0)
        raise InputError("is negative; times must be >= 0", field=name, row=i,
                         value=float(array.ravel()[i]))
    return array, (smallest, largest)


def as_event_flags(values: ArrayLike, *, name: str = "event", n: int | None = None,
                   ndim: int = 1) -> np.ndarray:
    """Event indicators as booleans (true = event) from 0/1 numbers or booleans.

    Booleans are returned as given (no copy); length ``n`` on the last axis.
    """
    raw = np.asarray(values)
    if raw.ndim != ndim:
        raise InputError(f"must be {ndim}-D, got shape {raw.shape}", field=name)
    if n is not None and raw.shape[-1] != n:
        raise InputError(f"has length {raw.shape[-1]}, expected {n} (as time)", field=name)
    if raw.dtype == bool:
        return raw
    if raw.dtype.kind not in "iuf":
        try:
            raw = raw.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError("must be 0/1 or boolean", field=name) from exc
    flags = raw == 1
    if np.count_nonzero(flags) != np.count_nonzero(raw):  # a value other than 0 and 1 (or NaN)
        i = first_bad_index((raw != 0) & ~flags)
        raise InputError("must be 0 (censored) or 1 (event)", field=name, row=i,
                         value=raw.ravel()[i].item(), hint="code an event as 1")
    return flags


def as_event_array(values: ArrayLike, *, name: str = "event", n: int | None = None,
                   ndim: int = 1) -> np.ndarray:
    """Event indicators as float64 0/1 (booleans accepted); length ``n`` on the last axis."""
    return as_event_flags(values, name=name, n=n, ndim=ndim).astype(np.float64)


def as_group_labels(values: ArrayLike, *, name: str = "group", n: int | None = None
                    ) -> tuple[tuple[str, ...], np.ndarray]:
    """Group labels and integer codes (``labels[codes[i]]`` is row i's label).

    Labels are sorted as strings, unless ``values`` is a pandas categorical (or any object
    with ``.cat.categories``/``.categories``), whose category order is kept. Missing labels
    (None/NaN) are an error naming the first index. Integer and boolean labels take a
    counting path (no sort), so a million rows cost a few milliseconds.
    """
    labels, codes, _ = _labels_codes_and_sizes(values, name=name, n=n)
    return labels, codes


def as_groups(values: ArrayLike, *, name: str = "group", n: int | None = None, at_least: int = 1
              ) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """``as_group_labels`` and the patients per group (int64), from one count.

    An error names the first group without patients (an unused category) or too few groups.
    """
    labels, codes, sizes = _labels_codes_and_sizes(values, name=name, n=n)
    if sizes is None:
        sizes = np.bincount(codes, minlength=len(labels))
    empty = () if sizes.all() else np.flatnonzero(sizes == 0)
    if len(empty):
        raise InputError(f"group {labels[empty[0]]!r} has no patients", field=name,
                         hint="drop unused categories")
    if len(labels) < at_least:
        raise InputError(f"needs at least {at_least} groups, got {len(labels)}", field=name,
                         value=labels)
    return labels, codes, sizes


def _labels_codes_and_sizes(values: ArrayLike, *, name: str, n: int | None
                            ) -> tuple[tuple[str, ...], np.ndarray, np.ndarray | None]:
    """Labels, codes and, where the counting path gave them, the patients per group (else None)."""
    categories = getattr(values, "categories", None)
    if categories is None and hasattr(values, "cat"):
        categories = values.cat.categories
    raw = np.asarray(values)
    if raw.dtype.kind in "US" and not isinstance(values, np.ndarray):
        raw = np.asarray(values, dtype=object)  # a list's NaN would otherwise become "nan"
    if raw.ndim != 1:
        raise InputError(f"must be 1-D, got shape {raw.shape}", field=name)
    if n is not None and raw.shape[0] != n:
        raise InputError(f"has length {raw.shape[0]}, expected {n} (as time)", field=name)
    if categories is not None:
        labels = tuple(str(c) for c in categories)
        category_codes = getattr(values, "codes", None)
        if category_codes is None and hasattr(values, "cat"):
            category_codes = values.cat.codes
        if category_codes is None:
            return (*_codes_for_categories(raw, labels, name=name), None)
        codes = np.asarray(category_codes).astype(np.intp)
        missing = codes < 0
        if missing.any():
            raise InputError("is missing", field=name, row=first_bad_index(missing))
        return labels, codes, None
    sizes = None
    if raw.dtype.kind in "biu" and raw.size:
        distinct, codes, sizes = _distinct_integers(raw)
    else:
        if raw.dtype.kind in "fcO":
            missing = _missing_mask(raw)
            if missing.any():
                raise InputError("is missing", field=name, row=first_bad_index(missing))
        if raw.dtype.kind == "O":
            raw = raw.astype(str)
        distinct, codes = np.unique(raw, return_inverse=True)
        codes = codes.reshape(-1)
    text = [str(v) for v in distinct.tolist()]
    by_text = sorted(range(len(text)), key=text.__getitem__)
    if by_text == list(range(len(text))):  # already in string order (0-9, False/True, ...)
        return tuple(text), codes, sizes
    rank = np.empty(len(text), dtype=np.intp)
    rank[by_text] = np.arange(len(text))
    return (tuple(text[k] for k in by_text), rank[codes],
            None if sizes is None else sizes[by_text])


def _distinct_integers(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted distinct integers, each row's index into them and how often each occurs.

    By counting when the values are compact; two adjacent values (two arms) by one count of
    the larger.
    """
    values = raw.astype(np.int64, copy=False)
    low, high = int(values.min()), int(values.max())
    if high - low > 4 * values.shape[0] + 1024:
        distinct, codes, counts = np.unique(values, return_inverse=True, return_counts=True)
        return distinct, codes.reshape(-1), counts
    offset = values - low if low else values
    if high - low <= 1:
        larger = np.count_nonzero(offset)
        counts = np.array([values.shape[0] - larger, larger][: high - low + 1])
    else:
        counts = np.bincount(offset, minlength=high - low + 1)
    present = counts > 0
    distinct = present.nonzero()[0]
    if low:
        distinct += low
    if raw.dtype == bool:
        distinct = distinct.astype(bool)
    if present.all():  # every value in low..high occurs: the offset is the code
        return distinct, offset.astype(np.intp, copy=False), counts
    return distinct, (np.cumsum(present) - 1)[offset], counts[present]


def _missing_mask(raw: np.ndarray) -> np.ndarray:
    """True where a label is None or NaN."""
    if raw.dtype.kind in "fc":
        return np.isnan(raw)
    is_none = np.equal(raw, None)
    not_itself = np.not_equal(raw, raw)  # NaN is the one value unequal to itself
    return np.asarray(is_none | not_itself, dtype=bool)


def _codes_for_categories(raw: np.ndarray, labels: tuple[str, ...], *, name: str
                          ) -> tuple[tuple[str, ...], np.ndarray]:
    """Codes for values of a categorical whose category order is kept."""
    as_object = raw.astype(object)
    missing = _missing_mask(as_object)
    if missing.any():
        raise InputError("is missing", field=name, row=first_bad_index(missing))
    index = {label: k for k, label in enumerate(labels)}
    codes = np.fromiter((index[str(v)] for v in as_object.tolist()), dtype=np.intp,
                        count=as_object.shape[0])
    return labels, codes
