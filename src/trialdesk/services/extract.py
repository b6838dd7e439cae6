"""The store's trial data as ``TrialData`` tables, the hand-over to the analysis.

Columns are exactly those documented in ``trialdesk.trial.data``: dates are
``datetime.date`` objects, ``eligible`` is True, False or None (not assessable), missing
values are None. With a ``cutoff`` date, every record dated after it is dropped: patients
screened after it, randomisations after it (the patient then shows as not randomised),
dosing periods starting after it, scans, events and adverse events (by start date) after
it; a dosing period or adverse event that started on or before the cut-off keeps its
recorded stop date (the analysis clips at the cut-off). The tables are read in one
transaction that shares the audit chain head's lock, so no write is seen half-done.
Stratification factors and screening fields get a column each, by name; the protocol
refuses names that would overwrite a documented column (``site`` is the hospital code).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.protocol import Protocol
from trialdesk.services.patients import RECORD_DATE_FIELD, RECORD_MODELS, RECORD_TABLE, record_fields
from trialdesk.services.trials import protocol_of, trial_by_code
from trialdesk.store.audit import read_consistently
from trialdesk.store.models import Patient, Randomisation, Site
from trialdesk.trial.data import TRIAL_DATA_COLUMNS, TrialData

__all__ = ["protocol_and_data", "trial_data"]

logger = logging.getLogger(__name__)


def trial_data(session: Session, trial_code: str | None = None, *,
               cutoff: dt.date | None = None) -> TrialData:
    """Every patient and follow-up record of a trial, as of ``cutoff`` (default: everything).

    Parameters
    ----------
    trial_code
        The protocol id (``"RESORT"``); None for the database's only trial.
    cutoff
        The data cut-off date: records dated after it are left out (module docstring).
    """
    return protocol_and_data(session, trial_code, cutoff=cutoff)[1]


def protocol_and_data(session: Session, trial_code: str | None = None, *,
                      cutoff: dt.date | None = None) -> tuple[Protocol, TrialData]:
    """The trial's protocol and ``trial_data(session, trial_code, cutoff=cutoff)``, read together."""
    with session.begin():
        read_consistently(session)
        trial = trial_by_code(session, trial_code)
        protocol = protocol_of(trial)
        factors = [factor.name for factor in protocol.stratification_factors]
        screening_fields = [spec.name for spec in protocol.screening_fields]
        query = (select(Patient, Site.code, Randomisation).join(Site, Patient.site_id == Site.id)
                 .outerjoin(Randomisation, Randomisation.patient_id == Patient.id)
                 .where(Patient.trial_id == trial.id).order_by(Patient.subject_id))
        if cutoff is not None:
            query = query.where(Patient.screening_date <= cutoff)
        subject_of: dict[int, str] = {}
        patient_rows = []
        for patient, site_code, randomisation in session.execute(query):
            subject_of[patient.id] = patient.subject_id
            if randomisation is not None and cutoff is not None and randomisation.randomisation_date > cutoff:
                randomisation = None
            patient_rows.append(_patient_row(patient, site_code, randomisation, factors,
                                             protocol.parse_screening(patient.screening), screening_fields))
        frames: dict[str, pd.DataFrame] = {"patients": _frame("patients", patient_rows,
                                                              [*factors, *screening_fields])}
        for kind, model in RECORD_MODELS.items():
            date_column = getattr(model, RECORD_DATE_FIELD[kind])
            query = select(model).where(model.patient_id.in_(list(subject_of))).order_by(
                model.patient_id, date_column, model.id)
            if cutoff is not None:
                query = query.where(date_column <= cutoff)
            rows = [{"patient_id": subject_of[record.patient_id],
                     **{field: getattr(record, field) for field in record_fields(model)}}
                    for record in session.scalars(query)]
            frames[RECORD_TABLE[kind]] = _frame(RECORD_TABLE[kind], rows, [])
    logger.info("extracted %s: %d patients (cut-off %s)", trial.code, len(patient_rows), cutoff)
    return protocol, TrialData(protocol_id=trial.code, **frames)


def _patient_row(patient: Patient, site_code: str, randomisation: Randomisation | None,
                 factors: list[str], screening: dict[str, object],
                 screening_fields: list[str]) -> dict[str, Any]:
    levels = randomisation.stratum_levels if randomisation is not None else {}
    return {
        "patient_id": patient.subject_id, "site": site_code,
        "screening_date": patient.screening_date,
        "eligible": patient.eligible, "screen_failure_reasons": patient.screen_failure_reasons,
        "randomised": randomisation is not None,
        "randomization_number": randomisation.number if randomisation else None,
        "randomization_date": randomisation.randomisation_date if randomisation else None,
        "arm": randomisation.arm if randomisation else None,
        "stratum": randomisation.stratum if randomisation else None,
        **{factor: levels.get(factor) for factor in factors},
        **{name: screening.get(name) for name in screening_fields},
    }


def _frame(name: str, rows: list[dict[str, Any]], extra: list[str]) -> pd.DataFrame:
    columns = list(dict.fromkeys([*TRIAL_DATA_COLUMNS[name], *extra]))
    return pd.DataFrame({column: pd.Series([row.get(column) for row in rows], dtype=object)
                         for column in columns})
