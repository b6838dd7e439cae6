"""``export_adam``: write a trial's ADaM datasets, their metadata and the protocol to a folder.

Files (``docs/interop.md#export``): ``adsl``, ``adtte``, ``adae``, ``adex`` in each requested
format (``.csv``, ``.xpt`` SAS XPORT version 5, ``.json`` CDISC Dataset-JSON 1.1),
``define.csv`` (one row per dataset and variable: label, type, format, origin) and
``protocol.yaml`` (the protocol the datasets were derived with; ``trialdesk analyze
--adsl`` reads it from the same folder to run the same analysis plan).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from trialdesk.errors import InputError
from trialdesk.interop.adam import build_adam, latest_record_date
from trialdesk.interop.formats import FORMATS, Format, write_dataset
from trialdesk.interop.metadata import define_table
from trialdesk.protocol import Protocol
from trialdesk.trial.data import TrialData

__all__ = ["DEFINE_FILE", "PROTOCOL_FILE", "export_adam"]

logger = logging.getLogger(__name__)

DEFINE_FILE = "define.csv"
PROTOCOL_FILE = "protocol.yaml"


def export_adam(data: TrialData, protocol: Protocol, out_dir: Path, *,
                formats: Sequence[str] = ("csv", "xpt", "json"),
                cutoff: dt.date | None = None) -> tuple[Path, ...]:
    """Write ADSL, ADTTE, ADAE and ADEX of a trial (derivations: ``trialdesk.interop.adam``).

    Parameters
    ----------
    data
        The trial's recorded data (``trialdesk.services.extract.trial_data``, the simulator).
    protocol
        The trial's ``trialdesk.protocol.Protocol``.
    out_dir
        Folder to write to (created if needed); existing files of the same names are replaced.
    formats
        Any of ``csv``, ``xpt`` (SAS XPORT version 5) and ``json`` (Dataset-JSON 1.1).
    cutoff
        Data cut-off date; default the latest date anything was recorded.

    Returns
    -------
    tuple of Path
        The files written: the datasets (per format, ADSL first), ``define.csv``,
        ``protocol.yaml``.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise InputError("unknown export format", field="formats", value=unknown or list(formats),
                         hint=f"use any of {', '.join(FORMATS)}")
    cut = cutoff or latest_record_date(data)
    adam = build_adam(data, protocol, cutoff=cut)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    chosen: list[Format] = [f for f in FORMATS if f in formats]
    paths = [write_dataset(adam.frames[name], adam.variables[name], name, out_dir, fmt)
             for fmt in chosen for name in adam.frames]
    define = define_table(adam.variables.items())
    pd.DataFrame(dict(define.columns)).to_csv(out_dir / DEFINE_FILE, index=False)
    (out_dir / PROTOCOL_FILE).write_text(protocol.to_yaml())
    logger.info("exported ADaM of %s at %s to %s (%s)", data.protocol_id, cut, out_dir, ", ".join(chosen))
    return (*paths, out_dir / DEFINE_FILE, out_dir / PROTOCOL_FILE)
