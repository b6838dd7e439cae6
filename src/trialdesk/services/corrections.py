"""Correcting a stored record: one field, a mandatory reason, the same checks as at entry.

The old and new values and the reason go to the audit trail (21 CFR Part 11: changes never
obscure the old value). Follow-up records (exposure, assessment, event, adverse event) are
re-checked whole after the change; a patient's screening field is re-coerced by the
protocol and eligibility is assessed again (the stratum of a randomised patient stays as
recorded at randomisation).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.errors import ConflictError, InputError, NotFoundError
from trialdesk.services.actors import DATA_ENTRY_ROLES, Actor, require_role
from trialdesk.services.patients import RECORD_MODELS, RecordKind, load_patient
from trialdesk.services.record_rules import check_record
from trialdesk.services.records import coerce_field, patient_follow_up
from trialdesk.services.screening import eligibility_columns, screening_json
from trialdesk.services.trials import protocol_of
from trialdesk.store.audit import audited_transaction
from trialdesk.store.models import Trial
from trialdesk.trial.eligibility import assess_eligibility

__all__ = ["correct_record", "correct_screening"]

logger = logging.getLogger(__name__)

def _require_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise InputError("is mandatory for a correction", field="reason")
    return reason.strip()


def correct_record(session: Session, actor: Actor, subject_id: str, kind: RecordKind, record_id: int,
                   field: str, value: Any, reason: str) -> Any:
    """Set one field of a follow-up record; returns the new, typed value.

    Raises
    ------
    PermissionDeniedError
        The actor does not enter data.
    NotFoundError
        No such patient (or of another site), or no such record of this patient.
    InputError, ConflictError
        No reason, an unknown field, a bad value, or a check of ``record_rules`` failed.
    """
    require_role(actor, DATA_ENTRY_ROLES, "correct records")
    why = _require_reason(reason)
    model = RECORD_MODELS[kind]
    typed = coerce_field(model, field, value)
    with audited_transaction(session, actor.audit_context(why)):
        context = patient_follow_up(session, actor, subject_id)
        record = session.scalar(select(model).where(model.id == record_id,
                                                     model.patient_id == context.patient.id))
        if record is None:
            raise NotFoundError(f"no {kind.replace('_', ' ')} {record_id} for patient {subject_id}")
        if getattr(record, field) == typed:
            raise ConflictError("already holds this value: nothing to correct", field=field, value=typed)
        setattr(record, field, typed)
        check_record(session, context, record)
    logger.info("%s %d of %s corrected: %s", kind, record_id, subject_id, field)
    return typed


def correct_screening(session: Session, actor: Actor, subject_id: str, field: str, value: Any,
                      reason: str) -> bool | None:
    """Set (or clear, with None) one screening field and re-assess eligibility; returns it.

    Raises
    ------
    InputError
        No reason, an unknown screening field or a badly typed value.
    """
    require_role(actor, DATA_ENTRY_ROLES, "correct records")
    why = _require_reason(reason)
    with audited_transaction(session, actor.audit_context(why)):
        patient, _site = load_patient(session, actor, subject_id)
        protocol = protocol_of(session.get_one(Trial, patient.trial_id))
        if field not in {spec.name for spec in protocol.screening_fields}:
            raise InputError("is not a screening field of this protocol", field=field)
        values = {**patient.screening, field: value}
        parsed = protocol.parse_screening(values)
        eligibility = assess_eligibility(protocol, parsed)
        patient.screening = screening_json(parsed)
        for column, stored in eligibility_columns(eligibility).items():
            setattr(patient, column, stored)
    logger.info("screening field %s of %s corrected", field, subject_id)
    return eligibility.eligible
