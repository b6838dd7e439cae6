"""Time-to-event data without a protocol: a plain CSV with declared columns, or one ADTTE parameter.

Both become a ``TimeToEventData`` and are analysed by the analysis plan's own primary step
(``trialdesk.analysis.primary.primary_analysis``: Kaplan-Meier per arm, log-rank, Cox, RMST)
and its reverse-KM follow-up (``docs/interop.md#plain-csv``). Conventions:

* the time unit is declared (``days`` or ``months``; ADTTE's ``AVALU``), never guessed;
  results are in months = days / 30.4375;
* the event column is 1 = event, 0 = censored (a plain CSV, as R's ``Surv``); ADTTE's
  ``CNSR`` is the reverse (0 = event, 1 = censored, the ADaM convention);
* arm levels are in order of first appearance unless given; the first is the reference
  (control) arm of hazard ratios and of the RMST difference;
* strata: an optional column (ADaM: an ADSL variable); without one, one stratum, so the
  "stratified" tests equal the unstratified ones.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from trialdesk.analysis.datasets import DAYS_PER_MONTH
from trialdesk.analysis.follow_up import FollowUpAnalysis, follow_up
from trialdesk.analysis.primary import PrimaryAnalysis, primary_analysis
from trialdesk.errors import DataImportError
from trialdesk.interop.adam import AdamDatasets
from trialdesk.interop.adam_import import first_bad_row
from trialdesk.interop.formats import RawDataset, read_dataset

__all__ = ["TimeToEventAnalysis", "TimeToEventData", "analyse_time_to_event", "read_survival_csv",
           "time_to_event_from_adam"]

logger = logging.getLogger(__name__)

TimeUnit = Literal["days", "months"]
#: Days per unit of ADTTE's AVALU (case-insensitive).
DAYS_PER_UNIT = {"DAYS": 1.0, "DAY": 1.0, "WEEKS": 7.0, "WEEK": 7.0, "MONTHS": DAYS_PER_MONTH,
                 "MONTH": DAYS_PER_MONTH, "YEARS": 365.25, "YEAR": 365.25}


@dataclass(frozen=True)
class TimeToEventData:
    """One time-to-event table: ``table`` has ``arm``, ``rfs_months``, ``event`` (1/0) and
    ``stratum`` (the primary analysis's columns); ``arms`` the levels, reference first."""

    table: pd.DataFrame
    arms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TimeToEventAnalysis:
    """KM, log-rank, Cox and RMST (``primary``) and median follow-up, times in months."""

    primary: PrimaryAnalysis
    follow_up: FollowUpAnalysis

    def to_dict(self) -> dict[str, object]:
        """Both results as JSON-ready data."""
        return {"primary": self.primary.to_dict(), "follow_up": self.follow_up.to_dict()}


def _arms(source: str, frame: pd.DataFrame, arm: pd.Series, field: str,
          levels: Sequence[str] | None) -> tuple[str, ...]:
    first_bad_row(frame, source, arm == "", field, "is missing; every record needs an arm")
    if levels is None:
        found = tuple(dict.fromkeys(arm))
    else:
        found = tuple(levels)
        first_bad_row(frame, source, ~arm.isin(found), field, f"is not one of the arm levels {list(found)}")
    if len(found) < 2:
        raise DataImportError("needs at least two arms", source=source, field=field, value=found)
    return found


def _numbers(raw: RawDataset, column: str, message: str) -> pd.Series:
    values = pd.to_numeric(raw.frame[column].replace("", np.nan), errors="coerce")
    first_bad_row(raw.frame, raw.source, values.isna(), column, message)
    return values.astype(float)


def read_survival_csv(path: Path, *, time: str, event: str, arm: str, unit: TimeUnit,
                      strata: str | None = None, arm_levels: Sequence[str] | None = None
                      ) -> TimeToEventData:
    """A plain CSV with declared columns as time-to-event data (conventions: module doc).

    Raises ``DataImportError`` naming file, line and column for a missing column, a time that
    is missing or negative, an event other than 0/1, or a missing or undeclared arm.
    """
    if unit not in ("days", "months"):
        raise DataImportError("unknown time unit", field="unit", value=unit, hint="use days or months")
    if Path(path).suffix.lower() != ".csv":
        raise DataImportError("must be a .csv file", source=Path(path).name)
    raw = read_dataset(Path(path))
    for column in (time, event, arm, *([strata] if strata else [])):
        if column not in raw.frame.columns:
            raise DataImportError("declared column is not in the file", source=raw.source, field=column,
                                  hint=f"columns: {', '.join(raw.frame.columns)}")
    times = _numbers(raw, time, "must be a number")
    first_bad_row(raw.frame, raw.source, times < 0, time, "is negative; times must be >= 0")
    events = _numbers(raw, event, "must be 0 (censored) or 1 (event)")
    first_bad_row(raw.frame, raw.source, ~events.isin([0.0, 1.0]), event, "must be 0 (censored) or 1 (event)")
    arm_values = raw.frame[arm].str.strip()
    arms = _arms(raw.source, raw.frame, arm_values, arm, arm_levels)
    months = times if unit == "months" else times / DAYS_PER_MONTH
    table = pd.DataFrame({"arm": arm_values, "rfs_months": months, "event": events.astype(int),
                          "stratum": raw.frame[strata].str.strip() if strata else "all"})
    logger.info("read %s: %d records, arms %s", raw.source, len(table), arms)
    return TimeToEventData(table=table.reset_index(drop=True), arms=arms)


def time_to_event_from_adam(adam: AdamDatasets, *, paramcd: str | None = None, arm: str = "ARMCD",
                            strata: str | None = None, arm_levels: Sequence[str] | None = None
                            ) -> TimeToEventData:
    """One ADTTE parameter with the arm (and strata) from ADSL (conventions: module doc).

    Parameters
    ----------
    adam
        Validated datasets (``read_adam``).
    paramcd
        The parameter; default the only one in ADTTE.
    arm, strata
        ADSL variables holding the arm and the stratum.
    arm_levels
        Arm levels, reference first; default in order of first appearance in ADTTE.
    """
    adsl, adtte = adam.frames["ADSL"], adam.frames["ADTTE"]
    source = adam.sources.get("ADTTE", "ADTTE")
    codes = tuple(dict.fromkeys(adtte["PARAMCD"]))
    if paramcd is None and len(codes) != 1:
        raise DataImportError("holds several parameters; choose one", field="PARAMCD", value=codes,
                              source=source)
    chosen = paramcd or codes[0]
    records = adtte[adtte["PARAMCD"] == chosen]
    if records.empty:
        raise DataImportError("has no record of this parameter", field="PARAMCD", value=chosen,
                              source=source, hint=f"parameters: {', '.join(codes)}")
    for name in (arm, *([strata] if strata else [])):
        if name not in adsl.columns:
            raise DataImportError("variable is not in ADSL", source=adam.sources.get("ADSL", "ADSL"),
                                  field=name)
    units = records["AVALU"].str.upper() if "AVALU" in records.columns else pd.Series("", index=records.index)
    first_bad_row(records, source, ~units.isin(list(DAYS_PER_UNIT)), "AVALU",
                  "must state the time unit (DAYS, WEEKS, MONTHS or YEARS)")
    by_subject = adsl.set_index("USUBJID")
    arm_values = records["USUBJID"].map(by_subject[arm]).astype(str)
    arms = _arms(source, records, arm_values, arm, arm_levels)
    table = pd.DataFrame({
        "arm": arm_values, "rfs_months": records["AVAL"] * units.map(DAYS_PER_UNIT) / DAYS_PER_MONTH,
        "event": (1 - records["CNSR"]).astype(int),
        "stratum": records["USUBJID"].map(by_subject[strata]).astype(str) if strata else "all"})
    return TimeToEventData(table=table.reset_index(drop=True), arms=arms)


def analyse_time_to_event(data: TimeToEventData, *, landmarks_months: Sequence[float] = (),
                          rmst_tau_months: float | None = None) -> TimeToEventAnalysis:
    """KM per arm (log CI), log-rank and Cox (Efron; stratified when strata were given), RMST
    (default tau: survRM2's) and reverse-KM follow-up, as the analysis plan's primary step."""
    primary = primary_analysis(data.table, arms=data.arms, landmarks=landmarks_months,
                               rmst_tau=rmst_tau_months)
    return TimeToEventAnalysis(primary=primary, follow_up=follow_up(data.table, arms=data.arms))
