"""The engine's validation funnel: group labels (fast paths and order), events, times."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from trialdesk.errors import InputError
from trialdesk.survival._validation import (
    as_event_array,
    as_event_flags,
    as_group_labels,
    as_groups,
    as_time_array,
)


@pytest.mark.parametrize(
    ("values", "labels", "codes"),
    [
        ([1, 0, 1], ("0", "1"), [1, 0, 1]),
        ([3, 1, 10, 2], ("1", "10", "2", "3"), [3, 0, 1, 2]),  # sorted as strings
        ([5, 7, 5], ("5", "7"), [0, 1, 0]),  # values not starting at 0, with a gap
        (np.array([True, False]), ("False", "True"), [1, 0]),
        (["b", "a", "b"], ("a", "b"), [1, 0, 1]),
        (np.array(["b", "a"], dtype=object), ("a", "b"), [1, 0]),
        ([1.5, 2.0, 1.5], ("1.5", "2.0"), [0, 1, 0]),
        ([10**12, 0], ("0", "1000000000000"), [1, 0]),  # a range too wide to count
    ],
)
def test_labels_and_codes(values: object, labels: tuple, codes: list) -> None:
    got_labels, got_codes = as_group_labels(values)
    assert got_labels == labels
    assert_array_equal(got_codes, codes)


def test_categorical_keeps_its_order_and_uses_its_codes() -> None:
    values = pd.Series(["x", "y", "x"], dtype=pd.CategoricalDtype(["y", "x"]))
    labels, codes = as_group_labels(values)
    assert labels == ("y", "x")
    assert_array_equal(codes, [1, 0, 1])
    assert as_group_labels(pd.Categorical(["x"], categories=["y", "x"]))[0] == ("y", "x")


@pytest.mark.parametrize("values", [["a", None], ["a", float("nan")], np.array([1.0, np.nan]),
                                    pd.Series(["a", None], dtype="category")])
def test_missing_label_names_the_row(values: object) -> None:
    with pytest.raises(InputError, match="row 1, group: is missing"):
        as_group_labels(values)


def test_empty_group_and_too_few_groups() -> None:
    with pytest.raises(InputError, match="group 'c' has no patients"):
        as_groups(pd.Categorical(["a", "b"], categories=["a", "b", "c"]))
    with pytest.raises(InputError, match="needs at least 2 groups"):
        as_groups(np.array([3, 3]), at_least=2)
    assert_array_equal(as_groups(["a", "b", "b"])[2], [1, 2])


@pytest.mark.parametrize(("values", "labels", "sizes"), [
    (np.array([1, 0, 1, 1]), ("0", "1"), [1, 3]),           # two arms: one count
    (np.array([7, 7]), ("7",), [2]),                         # one value
    (np.array([5, -1, 10, 5, 10, 10]), ("-1", "10", "5"), [1, 3, 2]),  # string order
    (np.array([2, 0, 2]), ("0", "2"), [1, 2]),               # a gap in the values
    (np.array([True, False, True]), ("False", "True"), [1, 2]),
    (np.array([10**12, 0, 10**12]), ("0", "1000000000000"), [1, 2]),  # far apart: np.unique
])
def test_group_sizes_come_with_the_codes(values: np.ndarray, labels: tuple, sizes: list) -> None:
    got_labels, codes, got_sizes = as_groups(values)
    assert got_labels == labels
    assert_array_equal(got_sizes, sizes)
    assert_array_equal(got_sizes, np.bincount(codes, minlength=len(labels)))
    assert [got_labels[c] for c in codes] == [str(v) for v in values.tolist()]


def test_events_and_times() -> None:
    assert_array_equal(as_event_array([True, False]), [1.0, 0.0])
    with pytest.raises(InputError, match=r"row 2, event: must be 0 \(censored\) or 1"):
        as_event_array([0, 1, 0.5])
    with pytest.raises(InputError, match="time: must be 1-D"):
        as_time_array([[1.0]])
    with pytest.raises(InputError, match="row 0, time: must be finite"):
        as_time_array([np.inf])


def test_event_flags_keep_booleans_and_name_a_bad_code() -> None:
    flags = np.array([True, False])
    assert as_event_flags(flags) is flags
    assert_array_equal(as_event_flags([1, 0, 1.0]), [True, False, True])
    with pytest.raises(InputError, match=r"row 1, event: must be 0 \(censored\) or 1"):
        as_event_flags([0, float("nan"), 1])
    with pytest.raises(InputError, match=r"row 0, event: must be 0 \(censored\) or 1 .*got 2"):
        as_event_flags(np.array([2, 1]))
