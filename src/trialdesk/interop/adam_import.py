"""Read and validate ADaM datasets (ADSL, ADTTE, optional ADAE and ADEX) from CSV, XPT or JSON.

Every file is read whole and checked before anything is returned, so a failed import loads
nothing (``docs/interop.md#import``). Checks, each failing with a
``trialdesk.errors.DataImportError`` that names the file, the row as the user sees it (CSV:
the line, header = line 1; XPT and Dataset-JSON: the record number) and the variable:

* the required variables are present (ADSL: ``USUBJID``, ``ARMCD``; ADTTE: ``USUBJID``,
  ``PARAMCD``, ``AVAL``, ``CNSR``; ADAE: ``USUBJID``, ``AEDECOD``, ``AETOXGR``; ADEX:
  ``USUBJID``, ``PARAMCD``, ``AVAL``);
* values have the variable's type (numbers; dates as ISO text, or SAS day numbers in an
  XPT without a date format; ``metadata``'s variables and the protocol's screening fields);
* ``USUBJID`` is given, once per subject in ADSL and once per subject and parameter in
  ADTTE, and every ADTTE, ADAE and ADEX subject is in ADSL;
* ``CNSR`` is 0 or 1, ``AVAL`` of ADTTE is given and >= 0, ``AETOXGR`` is a grade 1 to 5.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from trialdesk.errors import DataImportError
from trialdesk.interop.adam import AdamDatasets, adsl_variables
from trialdesk.interop.formats import SAS_EPOCH, RawDataset, read_dataset
from trialdesk.interop.metadata import (
    ADAE_VARIABLES,
    ADEX_VARIABLES,
    ADSL_VARIABLES,
    ADTTE_VARIABLES,
    Variable,
)
from trialdesk.protocol import Protocol

__all__ = ["REQUIRED_VARIABLES", "first_bad_row", "read_adam"]

logger = logging.getLogger(__name__)

REQUIRED_VARIABLES: dict[str, tuple[str, ...]] = {
    "ADSL": ("USUBJID", "ARMCD"),
    "ADTTE": ("USUBJID", "PARAMCD", "AVAL", "CNSR"),
    "ADAE": ("USUBJID", "AEDECOD", "AETOXGR"),
    "ADEX": ("USUBJID", "PARAMCD", "AVAL"),
}


def first_bad_row(frame: pd.DataFrame, source: str, bad: pd.Series, field: str, message: str, *,
                  hint: str | None = None) -> None:
    """Raise ``DataImportError`` at the first True of ``bad``; ``frame`` is indexed by the row
    number the user sees (``RawDataset``)."""
    if not bad.any():
        return
    position = int(np.flatnonzero(bad.to_numpy(dtype=bool))[0])
    value = frame[field].iloc[position] if field in frame.columns else None
    value = value.item() if isinstance(value, np.generic) else value
    raise DataImportError(message, source=source, row=int(frame.index[position]), field=field,
                          value=value, hint=hint)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and np.isnan(value))


def _date(value: object) -> dt.date | None:
    if _missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float, np.number)):  # a SAS date whose format was lost
        return SAS_EPOCH + dt.timedelta(days=int(value))
    return dt.date.fromisoformat(str(value).strip())


def _coerce(raw: RawDataset, variables: Mapping[str, Variable]) -> pd.DataFrame:
    """The frame with each known variable as its type; unknown variables as read."""
    frame = raw.frame.copy()
    for name in frame.columns:
        variable = variables.get(name)
        column = frame[name]
        if variable is None or variable.type == "Char":
            if variable is not None or column.dtype == object:
                frame[name] = column.map(lambda v: "" if _missing(v) else str(v).strip())
            continue
        if variable.type == "Num":
            numbers = pd.to_numeric(column.map(lambda v: np.nan if _missing(v) else v), errors="coerce")
            first_bad_row(raw.frame, raw.source, numbers.isna() & ~column.map(_missing), name,
                          "must be a number")
            frame[name] = numbers.astype(float)
            continue
        parsed = []
        for row, value in column.items():
            try:
                parsed.append(_date(value))
            except (TypeError, ValueError) as exc:
                raise DataImportError("must be a date", source=raw.source, field=name, value=value,
                                      row=int(row), hint="use YYYY-MM-DD") from exc
        frame[name] = pd.Series(parsed, index=frame.index, dtype=object)
    return frame


def _require(raw: RawDataset, dataset: str) -> None:
    missing = [name for name in REQUIRED_VARIABLES[dataset] if name not in raw.frame.columns]
    if missing:
        raise DataImportError(f"required {dataset} variable is missing", source=raw.source,
                              field=missing[0],
                              hint=f"{dataset} needs {', '.join(REQUIRED_VARIABLES[dataset])}")


def _validate(dataset: str, source: str, frame: pd.DataFrame, subjects: set[str]) -> None:
    check = partial(first_bad_row, frame, source)
    check(frame["USUBJID"] == "", "USUBJID", "is missing")
    if dataset == "ADSL":
        check(frame["USUBJID"].duplicated(), "USUBJID", "appears twice; ADSL has one record per subject")
        return
    check(~frame["USUBJID"].isin(subjects), "USUBJID", "is not a subject of ADSL")
    if dataset == "ADTTE":
        check(~frame["CNSR"].isin([0.0, 1.0]), "CNSR", "must be 0 (event) or 1 (censored)")
        check(frame["AVAL"].isna(), "AVAL", "is missing; every record needs a time")
        check(frame["AVAL"] < 0, "AVAL", "is negative; times must be >= 0")
        check(frame.duplicated(["USUBJID", "PARAMCD"]), "PARAMCD",
              "appears twice for this subject; ADTTE has one record per subject and parameter")
    if dataset == "ADAE":
        grade = pd.to_numeric(frame["AETOXGR"], errors="coerce")
        check(~grade.isin([1.0, 2.0, 3.0, 4.0, 5.0]), "AETOXGR", "must be a CTCAE grade 1 to 5")


def read_adam(adsl: Path, adtte: Path, adae: Path | None = None, adex: Path | None = None, *,
              protocol: Protocol | None = None) -> AdamDatasets:
    """Read ADSL and ADTTE (and ADAE, ADEX when given) and validate them (module doc).

    Parameters
    ----------
    adsl, adtte, adae, adex
        Paths to the datasets; each one's format is its suffix (``.csv``, ``.xpt``, ``.json``).
    protocol
        The trial's protocol, when known: its screening fields and stratification factors
        are then read as ``trialdesk.interop.adam`` writes them (types checked).

    Returns
    -------
    AdamDatasets
        The frames (indexed by the row number the user sees) with known variables typed
        (dates as ``datetime.date``), the file names and, per dataset,
        the known variables found in it (others are kept in the frames as read).
    """
    known: dict[str, tuple[Variable, ...]] = {
        "ADSL": adsl_variables(protocol) if protocol is not None else ADSL_VARIABLES,
        "ADTTE": ADTTE_VARIABLES, "ADAE": ADAE_VARIABLES, "ADEX": ADEX_VARIABLES}
    paths = {"ADSL": adsl, "ADTTE": adtte, "ADAE": adae, "ADEX": adex}
    frames: dict[str, pd.DataFrame] = {}
    variables: dict[str, tuple[Variable, ...]] = {}
    subjects: set[str] = set()
    for dataset, path in paths.items():
        if path is None:
            continue
        raw = read_dataset(Path(path))
        _require(raw, dataset)
        by_name = {v.name: v for v in known[dataset]}
        frame = _coerce(raw, by_name)
        _validate(dataset, raw.source, frame, subjects)
        if dataset == "ADSL":
            subjects = set(frame["USUBJID"])
        frames[dataset] = frame
        variables[dataset] = tuple(by_name[name] for name in frame.columns if name in by_name)
    logger.info("read ADaM: %s", ", ".join(f"{k} {len(v)} records" for k, v in frames.items()))
    return AdamDatasets(frames=frames, variables=variables,
                        sources={dataset: Path(path).name for dataset, path in paths.items() if path})
