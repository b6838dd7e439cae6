"""Reading and writing one dataset as CSV, SAS XPORT version 5 or CDISC Dataset-JSON 1.1.

The format is the file's suffix: ``.csv``, ``.xpt``, ``.json`` (``docs/interop.md#formats``).

* CSV: a header line of variable names, then one line per record; dates ISO 8601
  (``YYYY-MM-DD``), missing values empty. Labels and types live in ``define.csv``.
* XPT: written by ``pyreadstat.write_xport(..., file_format_version=5)`` (regulators accept
  version 5 only; pyreadstat and haven write version 8 unless told): dataset name and label,
  variable labels, dates as SAS dates with format ``DATE9.``.
* Dataset-JSON 1.1: ``datasetJSONVersion`` ``1.1.0``, ``itemGroupOID`` ``IG.<name>``,
  ``columns`` with ``itemOID`` (``IT.<name>.<variable>``), ``name``, ``label``,
  ``dataType`` (``string``, ``double``, ``date`` with ``targetDataType`` ``integer``), and
  ``rows`` as arrays in column order (null for missing).

Reading returns a ``RawDataset``: the values as the file holds them (CSV: all text) indexed
by the row number the user sees (CSV: the line, the header being line 1; XPT and
Dataset-JSON: the record number from 1), so every error can name the row.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
import pyreadstat

from trialdesk import __version__
from trialdesk.errors import DataImportError
from trialdesk.interop.metadata import DATASET_LABELS, Variable

__all__ = ["FORMATS", "Format", "RawDataset", "read_dataset", "write_dataset"]

logger = logging.getLogger(__name__)

Format = Literal["csv", "xpt", "json"]
FORMATS: tuple[Format, ...] = ("csv", "xpt", "json")
DATASET_JSON_VERSION = "1.1.0"
_JSON_TYPES = {"Char": "string", "Num": "double", "Date": "date"}
SAS_EPOCH = dt.date(1960, 1, 1)


@dataclass(frozen=True)
class RawDataset:
    """One dataset as read: ``frame`` (values as the file holds them, indexed by the row
    number the user sees), ``source`` (the file name shown in errors) and ``labels``
    (variable labels the file carries; empty for CSV)."""

    frame: pd.DataFrame
    source: str
    labels: dict[str, str]

    @classmethod
    def numbered(cls, frame: pd.DataFrame, source: str, first_row: int,
                 labels: dict[str, str]) -> RawDataset:
        """The dataset with rows numbered from ``first_row``."""
        return cls(frame.set_axis(pd.RangeIndex(first_row, first_row + len(frame))), source, labels)


def _cell(value: object) -> object:
    """A value for Dataset-JSON: None for missing, ISO text for dates."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


def _write_json(frame: pd.DataFrame, variables: Sequence[Variable], name: str, path: Path) -> None:
    study = str(frame["STUDYID"].iloc[0]) if len(frame) and "STUDYID" in frame.columns else ""
    columns = []
    for v in variables:
        column: dict[str, object] = {"itemOID": f"IT.{name}.{v.name}", "name": v.name, "label": v.label,
                                     "dataType": _JSON_TYPES[v.type]}
        if v.type == "Date":
            column.update(targetDataType="integer", displayFormat="DATE9.")
        columns.append(column)
    document = {
        "datasetJSONCreationDateTime": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "datasetJSONVersion": DATASET_JSON_VERSION, "fileOID": f"trialdesk.{study}.{name}",
        "originator": "trialdesk", "sourceSystem": {"name": "trialdesk", "version": __version__},
        "studyOID": study, "metaDataVersionOID": "MDV.trialdesk.ADaM", "itemGroupOID": f"IG.{name}",
        "records": len(frame), "name": name, "label": DATASET_LABELS.get(name, name),
        "columns": columns,
        "rows": [[_cell(value) for value in row] for row in frame.itertuples(index=False)],
    }
    path.write_text(json.dumps(document, indent=1))


def _write_xpt(frame: pd.DataFrame, variables: Sequence[Variable], name: str, path: Path) -> None:
    typed = frame.copy()
    for v in variables:
        if v.type == "Num":
            typed[v.name] = typed[v.name].astype(float)
        elif v.type == "Char":
            typed[v.name] = typed[v.name].astype(str)
        else:  # SAS date: days since 1960-01-01, so an all-missing column stays numeric
            typed[v.name] = [math.nan if pd.isna(d) else float((d - SAS_EPOCH).days) for d in typed[v.name]]
    pyreadstat.write_xport(typed, str(path), file_format_version=5, table_name=name,
                           file_label=DATASET_LABELS.get(name, name),
                           column_labels={v.name: v.label for v in variables},
                           variable_format={v.name: "DATE9." for v in variables if v.type == "Date"})


def write_dataset(frame: pd.DataFrame, variables: Sequence[Variable], name: str, out_dir: Path,
                  fmt: Format) -> Path:
    """Write ``frame`` (columns = ``variables``) as ``<out_dir>/<name lower-case>.<fmt>``."""
    path = out_dir / f"{name.lower()}.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "xpt":
        _write_xpt(frame, variables, name, path)
    else:
        _write_json(frame, variables, name, path)
    logger.info("wrote %s (%d records)", path, len(frame))
    return path


def _read_json(path: Path) -> RawDataset:
    try:
        document = json.loads(path.read_text())
        names = [column["name"] for column in document["columns"]]
        labels = {column["name"]: column.get("label", "") for column in document["columns"]}
        frame = pd.DataFrame(document["rows"], columns=names, dtype=object)
    except (ValueError, KeyError, TypeError) as exc:
        raise DataImportError("is not a Dataset-JSON file (needs columns and rows)", source=path.name,
                              hint="write it as CDISC Dataset-JSON 1.1") from exc
    return RawDataset.numbered(frame, path.name, 1, labels)


def read_dataset(path: Path) -> RawDataset:
    """Read one dataset; the format is the suffix (``.csv``, ``.xpt``, ``.json``)."""
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise DataImportError("has an unknown file type", source=path.name, value=path.suffix,
                              hint="use .csv, .xpt or .json")
    if not path.is_file():
        raise DataImportError("does not exist", source=str(path))
    if suffix == "json":
        return _read_json(path)
    if suffix == "xpt":
        try:
            frame, meta = pyreadstat.read_xport(str(path))
        except pyreadstat.ReadstatError as exc:
            raise DataImportError(f"is not a SAS transport file ({exc})", source=path.name) from exc
        return RawDataset.numbered(frame, path.name, 1, dict(meta.column_names_to_labels))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False)
    return RawDataset.numbered(frame, path.name, 2, {})
