"""Allocation list CSV: export, import round trip, and validation naming line and column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trialdesk.errors import DataImportError, InputError
from trialdesk.randomization.allocation_csv import (
    COLUMNS,
    generate_allocation_lists,
    read_allocation_file,
    read_allocation_lists,
    write_allocation_lists,
)

LABEL = "nephrectomy_to_metastases:>12m|disease_site:lung|lesions:single"
HEADER = ",".join(COLUMNS)


def _csv(*rows: str) -> str:
    return "\n".join((HEADER, *rows)) + "\n"


def test_export_then_import_gives_the_same_lists(resort, tmp_path: Path) -> None:
    lists = generate_allocation_lists(resort, seed=5, per_stratum=20)
    assert len(lists) == 8
    assert all(len(entries) >= 20 for entries in lists.values())
    path = tmp_path / "lists.csv"
    path.write_text(write_allocation_lists(resort, lists.values()))
    again = read_allocation_file(resort, path)
    assert list(again) == list(lists)
    for label, entries in lists.items():
        for name in ("arm", "block", "block_size"):
            assert np.array_equal(getattr(again[label], name), getattr(entries, name))


def test_export_format(resort) -> None:
    lists = generate_allocation_lists(resort, seed=5, per_stratum=1)
    lines = write_allocation_lists(resort, lists.values()).splitlines()
    assert lines[0] == HEADER
    protocol, stratum, position, block, size, arm = lines[1].split(",")
    assert (protocol, stratum, position, block) == ("RESORT", LABEL, "1", "1")
    assert int(size) in (2, 4, 6)
    assert arm in ("sorafenib", "observation")


def test_three_arm_lists_round_trip(three_arm) -> None:
    lists = generate_allocation_lists(three_arm, seed=1, per_stratum=9)
    again = read_allocation_lists(three_arm, write_allocation_lists(three_arm, lists.values()))
    assert {k: v.arm_codes for k, v in again.items()} == {k: v.arm_codes for k, v in lists.items()}


def test_a_protocol_without_block_sizes_has_no_lists(resort) -> None:
    simple = resort.model_copy(update={"randomisation": resort.randomisation.model_copy(
        update={"scheme": "simple", "block_sizes": ()})})
    with pytest.raises(InputError, match="no block sizes"):
        generate_allocation_lists(simple, seed=1, per_stratum=4)


GOOD = (f"RESORT,{LABEL},1,1,2,sorafenib", f"RESORT,{LABEL},2,1,2,observation")


@pytest.mark.parametrize(
    ("rows", "line", "field", "message"),
    [
        ((f"TRIAL2,{LABEL},1,1,2,sorafenib",), 2, "protocol", "must be RESORT"),
        (("RESORT,disease_site:lung,1,1,2,sorafenib",), 2, "stratum", "must be one of"),
        ((f"RESORT,{LABEL},1,1,2,placebo",), 2, "arm", "must be one of sorafenib, observation"),
        ((f"RESORT,{LABEL},one,1,2,sorafenib",), 2, "position", "whole number"),
        ((*GOOD, f"RESORT,{LABEL},4,2,2,sorafenib"), 4, "position", "must be 3"),
        ((*GOOD, f"RESORT,{LABEL},3,3,2,sorafenib"), 4, "block", "must be 1 or 2"),
        ((f"RESORT,{LABEL},1,1,3,sorafenib",), 2, "block_size", "multiple of the ratio's sum 2"),
        ((f"RESORT,{LABEL},1,1,4,sorafenib", f"RESORT,{LABEL},2,1,2,observation"), 3, "block_size",
         "differs"),
        ((f"RESORT,{LABEL},1,1,2,sorafenib", f"RESORT,{LABEL},2,1,2,sorafenib"), 3, "arm",
         "must hold [1, 1]"),
        ((*GOOD, f"RESORT,{LABEL},3,2,2,sorafenib"), 4, "arm", "holds 1 entries"),
    ],
)
def test_import_names_line_and_column(resort, rows, line: int, field: str, message: str) -> None:
    with pytest.raises(DataImportError, match=message.replace("[", r"\[").replace("]", r"\]")) as caught:
        read_allocation_lists(resort, _csv(*rows), source="list.csv")
    assert (caught.value.source, caught.value.row, caught.value.field) == ("list.csv", line, field)


def test_import_needs_the_header_and_rows(resort) -> None:
    with pytest.raises(DataImportError, match="missing the columns") as caught:
        read_allocation_lists(resort, "stratum,arm\nx,y\n")
    assert caught.value.row == 1
    with pytest.raises(DataImportError, match="no allocation rows"):
        read_allocation_lists(resort, HEADER + "\n")


def test_valid_good_rows(resort) -> None:
    lists = read_allocation_lists(resort, _csv(*GOOD))
    assert lists[LABEL].arm_codes == ("sorafenib", "observation")
