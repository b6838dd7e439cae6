"""Build ADSL, ADTTE, ADAE and ADEX from a trial's data, through the analysis datasets.

Nothing is derived a second way: populations, treatment received, RFS (event, day, the
last adequate scan), treatment-emergent AEs and cut dosing periods all come from
``trialdesk.analysis.datasets.build_analysis_datasets`` and relative dose intensity from
``trialdesk.analysis.dose_intensity.relative_dose_intensity`` (no Cox model is fitted); this
module renames and recodes them as the ADaM IG spells them (``docs/interop.md#export``):

* ADSL, one row per patient screened by the cut-off, ``USUBJID`` = ``STUDYID-SUBJID`` (the
  subject id itself when it already starts so); screen failures have ``ARMCD``
  ``SCRNFAIL``, eligible patients not randomised ``NOTASSGN`` (SDTM controlled terms),
  randomised patients of a dosing arm who never started ``ACTARMCD`` ``NOTTRT``;
  flags are ``Y``/``N``; the stratification factors are ``STRAT1R``, ``STRAT2R``, ... in
  the protocol's order with the levels recorded at randomisation, the stratum label is
  ``STRATAR``; screening fields keep their recorded values (booleans as ``Y``/``N``);
* ADTTE, one row per randomised patient and parameter (``PARAMCD`` = the primary
  endpoint's code in capitals, ``RFS``): ``AVAL`` in days from ``STARTDT`` (randomisation)
  to ``ADT``, ``AVALU`` ``DAYS``, ``CNSR`` 0 = event and 1 = censored (the ADaM
  convention, the reverse of the analysis tables' ``event``), ``LSTNEDDT`` the last
  adequate scan before ``ADT`` (the scan-aware analysis's interval start);
* ADAE, the safety population's AEs starting by the cut-off, with ``TRTEMFL``;
* ADEX, per dosing period ``PARAMCD`` ``DOSE`` (mg/day, periods cut at the cut-off) and per
  treated patient ``RDI`` (relative dose intensity, percent of the planned dose).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from trialdesk.analysis.datasets import AnalysisDatasets, build_analysis_datasets
from trialdesk.analysis.dose_intensity import relative_dose_intensity
from trialdesk.analysis.plan import control_arm
from trialdesk.errors import InputError
from trialdesk.interop.metadata import (
    ADAE_VARIABLES,
    ADEX_VARIABLES,
    ADSL_VARIABLES,
    ADTTE_VARIABLES,
    Variable,
    screening_variable_names,
)
from trialdesk.protocol import Protocol
from trialdesk.trial.data import TrialData

__all__ = ["AdamDatasets", "adsl_variables", "build_adam", "calendar_dates", "latest_record_date"]

logger = logging.getLogger(__name__)

SCREEN_FAILURE = ("SCRNFAIL", "Screen Failure")
NOT_ASSIGNED = ("NOTASSGN", "Not Assigned")
NOT_TREATED = ("NOTTRT", "Not Treated")
#: ``DCSREAS`` for the events that end a patient's study participation early.
DISCONTINUATION_REASONS = {"withdrawal": "WITHDRAWAL BY SUBJECT",
                           "lost_to_follow_up": "LOST TO FOLLOW-UP"}
EVENT_DESCRIPTIONS = {"relapse": "RELAPSE", "death": "DEATH", "censored": "NO RELAPSE OR DEATH"}
RELATED = ("RELATED", "NOT RELATED")


@dataclass(frozen=True)
class AdamDatasets:
    """ADaM datasets as DataFrames (dates as ``datetime.date`` or None) with their variables.

    ``variables`` maps each dataset name (``ADSL``, ``ADTTE``, ``ADAE``, ``ADEX``) to its
    variables in column order; a dataset not supplied (an import without ADAE) is absent.
    ``sources`` names each imported dataset's file (for error messages).
    """

    frames: Mapping[str, pd.DataFrame]
    variables: Mapping[str, tuple[Variable, ...]]
    sources: Mapping[str, str] = field(default_factory=dict)


def calendar_dates(column: pd.Series) -> pd.Series:
    """Dates as ``datetime.date`` objects, None where missing."""
    values = pd.to_datetime(column)
    return pd.Series([None if pd.isna(v) else v.date() for v in values], index=column.index,
                     dtype=object)


def latest_record_date(data: TrialData) -> dt.date:
    """The latest date on which anything was recorded (screening, randomisation, dosing
    start, scan, clinical event, AE start): the default data cut-off of an export."""
    columns = [(data.patients, "screening_date"), (data.patients, "randomization_date"),
               (data.exposures, "start_date"), (data.assessments, "assessment_date"),
               (data.events, "event_date"), (data.adverse_events, "start_date")]
    dates = [d for frame, name in columns for d in calendar_dates(frame[name]) if d is not None]
    if not dates:
        raise InputError("has no dated record, so no default cut-off", field="data",
                         value=data.protocol_id, hint="give the cut-off date")
    return max(dates)


def adsl_variables(protocol: Protocol) -> tuple[Variable, ...]:
    """ADSL's variables for a protocol: the fixed ones, one per factor, one per screening field."""
    fixed = [v.name for v in ADSL_VARIABLES]
    factors = tuple(Variable(f"STRAT{k}R", factor.label[:40].rstrip(), "Char",
                             f"Assigned (stratification factor {factor.name})")
                    for k, factor in enumerate(protocol.stratification_factors, start=1))
    names = screening_variable_names([f.name for f in protocol.screening_fields],
                                     taken=[*fixed, *(v.name for v in factors)])
    kinds = {"date": "Date", "int": "Num", "float": "Num"}
    fields = tuple(Variable(names[f.name], (f.label or f.name)[:40].rstrip(), kinds.get(f.type, "Char"),
                            f"Collected (screening field {f.name})")
                   for f in protocol.screening_fields)
    return (*ADSL_VARIABLES, *factors, *fields)


def _flag(values: pd.Series) -> pd.Series:
    return np.where(values.astype("boolean").fillna(False), "Y", "N")


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "").astype(str)


def _screening_value(values: pd.Series, kind: str) -> pd.Series:
    if kind == "date":
        return calendar_dates(values)
    if kind in ("int", "float"):
        return pd.to_numeric(values, errors="coerce").astype(float)
    if kind == "bool":
        return pd.Series(np.where(values.isna(), "", np.where(values.eq(True), "Y", "N")),
                         index=values.index)
    return _text(values)


def _study_events(data: TrialData, cutoff: dt.date) -> pd.DataFrame:
    events = data.events.copy()
    events["event_date"] = calendar_dates(events["event_date"])
    return events[events["event_date"].map(lambda d: d is not None and d <= cutoff)]


def _adsl(datasets: AnalysisDatasets, data: TrialData, protocol: Protocol, study: str) -> pd.DataFrame:
    screening = datasets.screening.set_index("patient_id", drop=False)
    subjects = datasets.subjects.set_index("patient_id")
    randomised = screening["patient_id"].isin(subjects.index)
    arm_names = {arm.code: arm.name for arm in protocol.arms}
    eligible = screening["eligible"]
    fallback = np.where(eligible.eq(False), SCREEN_FAILURE[0], NOT_ASSIGNED[0])
    armcd = screening["patient_id"].map(subjects["arm"]).where(randomised, fallback)
    names = {**arm_names, SCREEN_FAILURE[0]: SCREEN_FAILURE[1], NOT_ASSIGNED[0]: NOT_ASSIGNED[1],
             NOT_TREATED[0]: NOT_TREATED[1]}
    actual = screening["patient_id"].map(subjects["actual_arm"])
    actarmcd = actual.where(actual.notna(), NOT_TREATED[0]).where(randomised, armcd)
    adsl = pd.DataFrame({
        "STUDYID": study, "USUBJID": screening["patient_id"].astype(str).map(
            lambda subject: subject if subject.startswith(f"{study}-") else f"{study}-{subject}"),
        "SUBJID": screening["patient_id"].astype(str), "SITEID": _text(screening["site"]),
        "ARM": armcd.map(names), "ARMCD": armcd, "ACTARM": actarmcd.map(names), "ACTARMCD": actarmcd,
        "TRT01P": armcd.map(arm_names).fillna(""), "TRT01A": actual.map(arm_names).fillna(""),
        "SCRNDT": calendar_dates(screening["screening_date"]),
        "ELIGFL": np.where(eligible.isna(), "", _flag(eligible)),
        "SCRFREAS": _text(screening["screen_failure_reasons"]), "RANDFL": _flag(randomised)})
    per_subject = screening["patient_id"].map
    for name, column in (("RANDDT", "randomization_date"), ("TRTSDT", "first_dose_date"),
                         ("TRTEDT", "last_dose_date")):
        adsl[name] = calendar_dates(per_subject(subjects[column]))
    for name, column in (("ITTFL", "itt"), ("SAFFL", "safety"), ("PPROTFL", "per_protocol")):
        adsl[name] = _flag(per_subject(subjects[column]))
    age = per_subject(subjects["age_years"]) if "age_years" in subjects.columns else np.nan
    adsl["AGE"] = np.floor(pd.to_numeric(age))
    adsl["AGEU"] = np.where(adsl["AGE"].notna(), "YEARS", "")
    events = _study_events(data, datasets.cutoff)
    death = events[events["event_type"] == "death"].groupby("patient_id")["event_date"].min()
    adsl["DTHDT"] = per_subject(death).astype(object).where(per_subject(death).notna(), None)
    adsl["DTHFL"] = np.where(adsl["DTHDT"].notna(), "Y", "")
    ending = (events[events["event_type"].isin(list(DISCONTINUATION_REASONS))]
              .sort_values("event_date").groupby("patient_id").first())
    adsl["DCSREAS"] = _text(per_subject(ending["event_type"].map(DISCONTINUATION_REASONS)))
    adsl["EOSDT"] = per_subject(ending["event_date"]).astype(object).where(adsl["DCSREAS"] != "", None)
    adsl["EOSSTT"] = np.where(adsl["DCSREAS"] != "", "DISCONTINUED", np.where(randomised, "ONGOING", ""))
    adsl["DCUTDT"] = datasets.cutoff
    adsl["STRATAR"] = _text(per_subject(subjects["stratum"]))
    for k, factor in enumerate(protocol.stratification_factors, start=1):
        adsl[f"STRAT{k}R"] = _text(per_subject(subjects[factor.name]))
    variables = adsl_variables(protocol)
    field_variables = variables[len(variables) - len(protocol.screening_fields):]
    for spec, variable in zip(protocol.screening_fields, field_variables, strict=True):
        values = screening[spec.name] if spec.name in screening.columns else pd.Series(
            None, index=screening.index, dtype=object)
        adsl[variable.name] = _screening_value(values, spec.type)
    return adsl[[v.name for v in variables]].reset_index(drop=True)


def _adtte(datasets: AnalysisDatasets, protocol: Protocol, adsl: pd.DataFrame) -> pd.DataFrame:
    rfs = datasets.rfs
    subjects = datasets.subjects.set_index("patient_id")
    start = rfs["patient_id"].map(subjects["randomization_date"])
    by_subject = adsl.set_index("SUBJID")
    endpoint = protocol.primary_endpoint
    relapse_left = rfs["interval_left_days"].where(rfs["event_type"] == "relapse")
    adequate = np.where(rfs["event"] == 1, relapse_left, rfs["rfs_days"])
    last_adequate = (start + pd.to_timedelta(adequate, unit="D")).where(pd.Series(adequate) > 0)
    censored = rfs["event"] == 0
    adtte = pd.DataFrame({
        "STUDYID": rfs["patient_id"].map(by_subject["STUDYID"]),
        "USUBJID": rfs["patient_id"].map(by_subject["USUBJID"]),
        "TRT01P": rfs["patient_id"].map(by_subject["TRT01P"]),
        "PARAMCD": endpoint.code.upper()[:8], "PARAM": f"{endpoint.name} (days)"[:40],
        "AVAL": rfs["rfs_days"].astype(float), "AVALU": "DAYS",
        "CNSR": censored.astype(float),
        "STARTDT": calendar_dates(start),
        "ADT": calendar_dates(start + pd.to_timedelta(rfs["rfs_days"], unit="D")),
        "EVNTDESC": rfs["event_type"].map(EVENT_DESCRIPTIONS),
        "CNSDTDSC": np.where(censored, np.where(rfs["rfs_days"] > 0, "LAST ADEQUATE ASSESSMENT",
                                                "RANDOMIZATION (NO ADEQUATE ASSESSMENT)"), ""),
        "SRCDOM": np.where(rfs["event_type"] == "death", "DS",
                           np.where(censored & (rfs["rfs_days"] == 0), "ADSL", "RS")),
        "LSTNEDDT": calendar_dates(last_adequate)})
    return adtte[[v.name for v in ADTTE_VARIABLES]]


def _adae(datasets: AnalysisDatasets, adsl: pd.DataFrame) -> pd.DataFrame:
    events = datasets.adverse_events
    by_subject = adsl.set_index("SUBJID")
    ids = events["patient_id"]
    adae = pd.DataFrame({
        "STUDYID": ids.map(by_subject["STUDYID"]), "USUBJID": ids.map(by_subject["USUBJID"]),
        "TRTA": ids.map(by_subject["TRT01A"]), "AEDECOD": _text(events["term"]),
        "AETOXGR": events["grade"].astype(int).astype(str),
        "AESER": _flag(events["serious"]),
        "AREL": np.where(events["related"].astype("boolean").fillna(False), *RELATED),
        "ASTDT": calendar_dates(events["start_date"]), "AENDT": calendar_dates(events["stop_date"]),
        "ASTDY": events["day"].astype(float), "TRTEMFL": _flag(events["treatment_emergent"])})
    return adae[[v.name for v in ADAE_VARIABLES]].reset_index(drop=True)


def _adex(datasets: AnalysisDatasets, protocol: Protocol, adsl: pd.DataFrame) -> pd.DataFrame:
    by_subject = adsl.set_index("SUBJID")
    doses = datasets.exposures
    rows = pd.DataFrame({
        "patient_id": doses["patient_id"], "PARAMCD": "DOSE", "PARAM": "Daily Dose (mg/day)",
        "AVAL": doses["daily_dose_mg"].astype(float), "AVALU": "mg/day",
        "ASTDT": calendar_dates(doses["start_date"]), "AENDT": calendar_dates(doses["stop_date"]),
        "DOSECHG": _text(doses["change"]), "EXADJ": _text(doses["reason"])})
    intensity = [relative_dose_intensity(datasets, arm=arm.code,
                                         planned_daily_dose_mg=arm.daily_dose_mg,
                                         max_duration_weeks=arm.max_duration_weeks)
                 for arm in protocol.arms if arm.daily_dose_mg and arm.max_duration_weeks
                 and datasets.subjects["actual_arm"].eq(arm.code).any()]
    rdi = pd.DataFrame({
        "patient_id": [pid for di in intensity for pid in di["patient_id"]],
        "PARAMCD": "RDI", "PARAM": "Relative Dose Intensity (%)",
        "AVAL": [100.0 * value for di in intensity for value in di["rdi"]], "AVALU": "%",
        "ASTDT": None, "AENDT": None, "DOSECHG": "", "EXADJ": ""})
    adex = pd.concat([rows, rdi], ignore_index=True)
    adex["STUDYID"] = adex["patient_id"].map(by_subject["STUDYID"])
    adex["USUBJID"] = adex["patient_id"].map(by_subject["USUBJID"])
    adex["TRTA"] = adex["patient_id"].map(by_subject["TRT01A"])
    return adex[[v.name for v in ADEX_VARIABLES]]


def build_adam(data: TrialData, protocol: Protocol, *, cutoff: dt.date) -> AdamDatasets:
    """ADSL, ADTTE, ADAE and ADEX of a trial at a data cut-off (rules: module doc).

    Parameters
    ----------
    data
        The trial's recorded data.
    protocol
        Its ``trialdesk.protocol.Protocol`` (arms, factors, screening fields, endpoint).
    cutoff
        Data cut-off date: records dated after it are ignored, as in the analysis plan.
    """
    factors = tuple(factor.name for factor in protocol.stratification_factors)
    datasets = build_analysis_datasets(data, cutoff=cutoff, arms=protocol.arms,
                                       control_arm=control_arm(protocol), stratification_factors=factors)
    adsl = _adsl(datasets, data, protocol, str(data.protocol_id))
    frames = {"ADSL": adsl, "ADTTE": _adtte(datasets, protocol, adsl), "ADAE": _adae(datasets, adsl),
              "ADEX": _adex(datasets, protocol, adsl)}
    logger.info("ADaM at %s: %d ADSL, %d ADTTE, %d ADAE, %d ADEX rows", cutoff,
                *(len(frame) for frame in frames.values()))
    return AdamDatasets(frames=frames, variables={
        "ADSL": adsl_variables(protocol), "ADTTE": ADTTE_VARIABLES, "ADAE": ADAE_VARIABLES,
        "ADEX": ADEX_VARIABLES})
