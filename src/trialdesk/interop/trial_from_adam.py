"""ADaM datasets back into a ``TrialData``, so the protocol's analysis plan runs on them unchanged.

The importer rebuilds the recorded data the analysis derives from, never the results
themselves: ``run_analysis_plan`` then derives populations, RFS and every table exactly as
from the database (``docs/interop.md#import``). Per table:

* ``patients`` from ADSL: ``SUBJID`` (else ``USUBJID``), ``SITEID``, ``SCRNDT``, ``ELIGFL``,
  ``SCRFREAS``, ``RANDFL``, ``RANDDT``, ``ARMCD`` (randomised patients), ``STRATAR`` and
  ``STRAT<k>R`` as the levels of the protocol's k-th stratification factor, and the
  screening fields under their ADSL names (``Y``/``N`` back to booleans);
* ``assessments`` and ``events`` from ADTTE's primary-endpoint records: an event with
  ``EVNTDESC`` ``RELAPSE`` is a relapse scan on ``ADT`` (with a no-evidence-of-disease scan
  on ``LSTNEDDT``), ``DEATH`` a death on ``ADT``; a censored record with ``AVAL`` > 0 is a
  no-evidence-of-disease scan on ``ADT``; ADSL's ``DTHDT`` adds deaths after relapse and
  ``DCSREAS``/``EOSDT`` the withdrawals and losses to follow-up;
* ``exposures`` from ADEX's ``DOSE`` records, ``adverse_events`` from ADAE.

The rebuilt scans are the ones that determine RFS; scans between them are not in ADaM and
are not needed by any analysis.
"""

from __future__ import annotations

import logging

import pandas as pd

from trialdesk.errors import DataImportError
from trialdesk.interop.adam import (
    DISCONTINUATION_REASONS,
    EVENT_DESCRIPTIONS,
    NOT_ASSIGNED,
    RELATED,
    SCREEN_FAILURE,
    AdamDatasets,
    adsl_variables,
)
from trialdesk.interop.adam_import import first_bad_row
from trialdesk.protocol import Protocol
from trialdesk.trial.data import TRIAL_DATA_COLUMNS, TrialData

__all__ = ["trial_data_from_adam"]

logger = logging.getLogger(__name__)

#: Variables needed to rebuild the recorded data (on top of the importer's required ones).
DATES_NEEDED = {"ADSL": ("RANDDT",), "ADTTE": ("ADT", "EVNTDESC")}


def _require(adam: AdamDatasets) -> None:
    for dataset, names in DATES_NEEDED.items():
        missing = [n for n in names if n not in adam.frames[dataset].columns]
        if missing:
            raise DataImportError("is needed to run a protocol's analysis plan",
                                  source=adam.sources.get(dataset, dataset),
                                  field=missing[0], hint="export the datasets with trialdesk export adam")


def _column(frame: pd.DataFrame, name: str, default: object = "") -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series(default, index=frame.index, dtype=object)


def _none_if_blank(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.astype(str).str.strip() != "", None)


def _yes_no(values: pd.Series) -> pd.Series:
    return values.map({"Y": True, "N": False}).astype(object).where(values.isin(["Y", "N"]), None)


def _patients(adsl: pd.DataFrame, protocol: Protocol) -> pd.DataFrame:
    ids = adsl["SUBJID"] if "SUBJID" in adsl.columns else adsl["USUBJID"]
    not_randomised = adsl["ARMCD"].isin([SCREEN_FAILURE[0], NOT_ASSIGNED[0]])
    randomised = (adsl["RANDFL"] == "Y") if "RANDFL" in adsl.columns else ~not_randomised
    eligibility = _column(adsl, "ELIGFL", "Y")
    patients = pd.DataFrame({
        "patient_id": ids, "site": _column(adsl, "SITEID"),
        "screening_date": _column(adsl, "SCRNDT", None).where(_column(adsl, "SCRNDT", None).notna(),
                                                               adsl["RANDDT"]),
        "eligible": _yes_no(eligibility), "screen_failure_reasons": _column(adsl, "SCRFREAS"),
        "randomised": randomised, "randomization_number": None,
        "randomization_date": adsl["RANDDT"].where(randomised, None),
        "arm": adsl["ARMCD"].where(randomised, None),
    })
    factors = protocol.stratification_factors
    for k, factor in enumerate(factors, start=1):
        patients[factor.name] = _none_if_blank(_column(adsl, f"STRAT{k}R")).where(randomised, None)
    built = pd.Series(["|".join(f"{f.name}:{row[f.name]}" for f in factors)
                       for _, row in patients.iterrows()], index=patients.index)
    stratum = _none_if_blank(_column(adsl, "STRATAR")) if "STRATAR" in adsl.columns else built
    patients["stratum"] = stratum.where(randomised, None)
    variables = adsl_variables(protocol)
    field_variables = variables[len(variables) - len(protocol.screening_fields):]
    for field, variable in zip(protocol.screening_fields, field_variables, strict=True):
        values = _column(adsl, variable.name, None)
        if field.type == "bool":
            values = _yes_no(values)
        elif field.type == "int":
            values = values.map(lambda v: None if pd.isna(v) else int(v)).astype(object)
        elif field.type != "date":
            values = _none_if_blank(values.astype(object).where(values.notna(), ""))
        patients[field.name] = values.astype(object).where(values.notna(), None)
    return patients


def _follow_up(adsl: pd.DataFrame, adtte: pd.DataFrame, ids: pd.Series, source: str
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    patient = adtte["USUBJID"].map(ids)
    descriptions = {text: kind for kind, text in EVENT_DESCRIPTIONS.items()}
    kind = adtte["EVNTDESC"].map(descriptions)
    event = adtte["CNSR"] == 0
    first_bad_row(adtte, source, event & ~kind.isin(["relapse", "death"]), "EVNTDESC",
                  "must say RELAPSE or DEATH for an event (CNSR 0)")
    scans = [pd.DataFrame({"patient_id": patient[event & (kind == "relapse")],
                           "assessment_date": adtte.loc[event & (kind == "relapse"), "ADT"],
                           "result": "relapse"}),
             pd.DataFrame({"patient_id": patient[~event & (adtte["AVAL"] > 0)],
                           "assessment_date": adtte.loc[~event & (adtte["AVAL"] > 0), "ADT"],
                           "result": "no_evidence_of_disease"})]
    if "LSTNEDDT" in adtte.columns:
        before = event & adtte["LSTNEDDT"].notna()
        scans.append(pd.DataFrame({"patient_id": patient[before],
                                   "assessment_date": adtte.loc[before, "LSTNEDDT"],
                                   "result": "no_evidence_of_disease"}))
    assessments = pd.concat(scans, ignore_index=True)
    assessments["relapse_site"] = None
    deaths = pd.DataFrame({"patient_id": patient[event & (kind == "death")],
                           "event_date": adtte.loc[event & (kind == "death"), "ADT"]})
    if "DTHDT" in adsl.columns:
        dead = adsl["DTHDT"].notna()
        deaths = pd.concat([deaths, pd.DataFrame({"patient_id": adsl.loc[dead, "USUBJID"].map(ids),
                                                  "event_date": adsl.loc[dead, "DTHDT"]})])
    events = [deaths.drop_duplicates("patient_id").assign(event_type="death")]
    if "DCSREAS" in adsl.columns and "EOSDT" in adsl.columns:
        reasons = {text: kind for kind, text in DISCONTINUATION_REASONS.items()}
        ended = adsl["DCSREAS"].isin(list(reasons))
        events.append(pd.DataFrame({"patient_id": adsl.loc[ended, "USUBJID"].map(ids),
                                    "event_date": adsl.loc[ended, "EOSDT"],
                                    "event_type": adsl.loc[ended, "DCSREAS"].map(reasons)}))
    events_frame = pd.concat(events, ignore_index=True)
    events_frame["cause"] = None
    return assessments, events_frame


def _exposures(adex: pd.DataFrame | None, ids: pd.Series) -> pd.DataFrame:
    if adex is None:
        return pd.DataFrame(columns=list(TRIAL_DATA_COLUMNS["exposures"]))
    doses = adex[adex["PARAMCD"] == "DOSE"]
    return pd.DataFrame({"patient_id": doses["USUBJID"].map(ids), "start_date": doses["ASTDT"],
                         "stop_date": doses["AENDT"], "daily_dose_mg": doses["AVAL"],
                         "change": _column(doses, "DOSECHG"), "reason": _column(doses, "EXADJ")})


def _adverse_events(adae: pd.DataFrame | None, ids: pd.Series) -> pd.DataFrame:
    if adae is None:
        return pd.DataFrame(columns=list(TRIAL_DATA_COLUMNS["adverse_events"]))
    return pd.DataFrame({"patient_id": adae["USUBJID"].map(ids), "term": adae["AEDECOD"],
                         "grade": adae["AETOXGR"].astype(float).astype(int),
                         "start_date": _column(adae, "ASTDT", None),
                         "stop_date": _column(adae, "AENDT", None),
                         "serious": _column(adae, "AESER", "N") == "Y",
                         "related": _column(adae, "AREL", RELATED[1]).isin([RELATED[0], "Y"])})


def trial_data_from_adam(adam: AdamDatasets, protocol: Protocol, *, paramcd: str | None = None) -> TrialData:
    """The recorded data behind ADaM datasets (rules: module doc), for ``run_analysis_plan``.

    Parameters
    ----------
    adam
        Validated datasets from ``read_adam`` (ADSL and ADTTE; ADAE and ADEX when given).
    protocol
        The trial's protocol (stratification factors, screening fields, primary endpoint).
    paramcd
        ADTTE parameter of the primary endpoint; default the endpoint's code in capitals.
    """
    _require(adam)
    adsl, adtte = adam.frames["ADSL"], adam.frames["ADTTE"]
    code = paramcd or protocol.primary_endpoint.code.upper()
    adtte = adtte[adtte["PARAMCD"] == code]
    if adtte.empty:
        raise DataImportError("has no record of the primary endpoint", field="PARAMCD", value=code,
                              source=adam.sources.get("ADTTE", "ADTTE"), hint="give --paramcd")
    patients = _patients(adsl, protocol)
    ids = pd.Series(patients["patient_id"].to_numpy(), index=adsl["USUBJID"].to_numpy())
    assessments, events = _follow_up(adsl, adtte, ids, adam.sources.get("ADTTE", "ADTTE"))
    logger.info("rebuilt %s from ADaM: %d patients, %d scans, %d events", protocol.id, len(patients),
                len(assessments), len(events))
    return TrialData(protocol_id=str(adsl["STUDYID"].iloc[0]) if "STUDYID" in adsl.columns else protocol.id,
                     patients=patients, exposures=_exposures(adam.frames.get("ADEX"), ids),
                     assessments=assessments, events=events,
                     adverse_events=_adverse_events(adam.frames.get("ADAE"), ids))
