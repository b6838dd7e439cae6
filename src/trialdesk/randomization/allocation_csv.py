"""Allocation lists as CSV: export for the trial statistician, import of lists made elsewhere.

The file has one row per list entry, a header and these columns::

    protocol,stratum,position,block,block_size,arm
    RESORT,nephrectomy_to_metastases:>12m|disease_site:lung|lesions:single,1,1,4,observation

``position`` counts the stratum's patients from 1, ``block`` numbers its blocks from 1 and
``block_size`` is that block's size. An imported file is checked whole before anything is
used: the protocol id, stratum labels (protocol order), arm codes, consecutive positions and
block numbers, block sizes that are multiples of the ratio's sum, and every block complete and
in the exact allocation ratio. Errors name the file, the line (the header is line 1) and the
column.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from trialdesk.errors import DataImportError, InputError
from trialdesk.protocol import Protocol
from trialdesk.randomization.blocks import AllocationList, allocation_list
from trialdesk.trial.strata import all_strata, parse_stratum_label

__all__ = ["COLUMNS", "generate_allocation_lists", "read_allocation_file", "read_allocation_lists",
           "write_allocation_lists"]

logger = logging.getLogger(__name__)

COLUMNS: tuple[str, ...] = ("protocol", "stratum", "position", "block", "block_size", "arm")


def generate_allocation_lists(protocol: Protocol, *, seed: int, per_stratum: int
                              ) -> dict[str, AllocationList]:
    """Every stratum's permuted-block list, whole blocks covering ``per_stratum`` patients."""
    plan = protocol.randomisation
    if not plan.block_sizes:
        raise InputError("the protocol gives no block sizes", field="randomisation.block_sizes")
    return {stratum.label: allocation_list(seed, stratum.label, per_stratum,
                                           block_sizes=plan.block_sizes, ratio=protocol.allocation_ratio,
                                           arms=protocol.arm_codes)
            for stratum in all_strata(protocol)}


def write_allocation_lists(protocol: Protocol, lists: Iterable[AllocationList]) -> str:
    """The lists as CSV text (``COLUMNS``), stratum by stratum."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for entries in lists:
        for i, (arm, block, size) in enumerate(zip(entries.arm, entries.block, entries.block_size,
                                                   strict=True)):
            writer.writerow((protocol.id, entries.stratum, i + 1, int(block), int(size),
                             entries.arms[arm]))
    return out.getvalue()


def _int(row: Mapping[str, str], column: str, line: int, source: str) -> int:
    text = (row.get(column) or "").strip()
    try:
        return int(text)
    except ValueError as exc:
        raise DataImportError("must be a whole number", source=source, row=line, field=column,
                              value=text) from exc


def _check_blocks(entries: list[tuple[int, int, int, int]], ratio: tuple[int, ...],
                  source: str) -> None:
    """entries: (line, block, block_size, arm index) of one stratum, in position order."""
    by_block: dict[int, list[tuple[int, int, int, int]]] = {}
    for entry in entries:
        by_block.setdefault(entry[1], []).append(entry)
    total = sum(ratio)
    for block, rows in by_block.items():
        line, _, size, _ = rows[0]
        if size <= 0 or size % total:
            raise DataImportError(f"must be a positive multiple of the ratio's sum {total}", source=source,
                                  row=line, field="block_size", value=size)
        for other_line, _, other_size, _ in rows:
            if other_size != size:
                raise DataImportError(f"differs within block {block} ({size} above)", source=source,
                                      row=other_line, field="block_size", value=other_size)
        counts = np.bincount([arm for *_, arm in rows], minlength=len(ratio))
        expected = np.asarray(ratio) * (size // total)
        if len(rows) != size or (counts != expected).any():
            raise DataImportError(
                f"block {block} holds {len(rows)} entries with arm counts {counts.tolist()}; a block of "
                f"{size} must hold {expected.tolist()}", source=source, row=rows[-1][0], field="arm")


def read_allocation_lists(protocol: Protocol, text: str, *, source: str = "allocation list"
                          ) -> dict[str, AllocationList]:
    """Validate CSV text (``COLUMNS``) and return its lists by stratum label.

    Raises
    ------
    DataImportError
        The first problem found, naming ``source``, line and column.
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise DataImportError(f"is missing the columns {missing}", source=source, row=1,
                              hint=f"the header must be {','.join(COLUMNS)}")
    arm_index = {code: a for a, code in enumerate(protocol.arm_codes)}
    strata: dict[str, list[tuple[int, int, int, int]]] = {}
    for line, row in enumerate(reader, start=2):
        if row["protocol"] != protocol.id:
            raise DataImportError(f"must be {protocol.id}", source=source, row=line, field="protocol",
                                  value=row["protocol"])
        try:
            label = parse_stratum_label(protocol, row["stratum"]).label
        except InputError as exc:
            raise DataImportError(exc.message, source=source, row=line, field="stratum",
                                  value=row["stratum"]) from exc
        if row["arm"] not in arm_index:
            raise DataImportError(f"must be one of {', '.join(arm_index)}", source=source, row=line,
                                  field="arm", value=row["arm"])
        entries = strata.setdefault(label, [])
        position, block = _int(row, "position", line, source), _int(row, "block", line, source)
        if position != len(entries) + 1:
            raise DataImportError(f"must be {len(entries) + 1} (positions count from 1 per stratum)",
                                  source=source, row=line, field="position", value=position)
        previous_block = entries[-1][1] if entries else 0
        if block not in (previous_block, previous_block + 1):
            raise DataImportError(f"must be {previous_block} or {previous_block + 1}", source=source,
                                  row=line, field="block", value=block)
        entries.append((line, block, _int(row, "block_size", line, source), arm_index[row["arm"]]))
    if not strata:
        raise DataImportError("holds no allocation rows", source=source, row=2)
    lists = {}
    for label, entries in strata.items():
        _check_blocks(entries, protocol.allocation_ratio, source)
        lists[label] = AllocationList(
            stratum=label, arms=protocol.arm_codes, arm=np.array([e[3] for e in entries]),
            block=np.array([e[1] for e in entries]), block_size=np.array([e[2] for e in entries]))
    logger.info("read %d allocation lists for %s from %s", len(lists), protocol.id, source)
    return lists


def read_allocation_file(protocol: Protocol, path: Path) -> dict[str, AllocationList]:
    """``read_allocation_lists`` on a file; the error names the file."""
    return read_allocation_lists(protocol, path.read_text(encoding="utf-8"), source=path.name)
