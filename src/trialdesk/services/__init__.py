"""Use cases of a running trial, each one transaction with its audit records.

Every service is a plain function ``service(session, actor, ...)``: ``session`` is a
SQLAlchemy session with no transaction open (the service opens and commits it), ``actor``
the caller (``Actor``: user id, role, sites). Roles and sites are enforced here, so the
API, the web pages and the CLI share one set of rules: another site's patient is
``NotFoundError``, a role without the right ``PermissionDeniedError``; a check against the
protocol fails with ``InputError`` or ``ConflictError`` naming the field.
"""

from __future__ import annotations

from trialdesk.services.accounts import (
    SiteView,
    UserView,
    actor_for,
    check_password,
    create_site,
    create_user,
    list_sites,
)
from trialdesk.services.actors import SYSTEM, Actor, Role
from trialdesk.services.audit_trail import AuditEntry, audit_trail
from trialdesk.services.corrections import correct_record, correct_screening
from trialdesk.services.extract import protocol_and_data, trial_data
from trialdesk.services.patients import (
    PatientTimeline,
    PatientView,
    RecordKind,
    RecordView,
    get_patient,
    list_patients,
    patient_timeline,
)
from trialdesk.services.randomisation import Allocation, allocation_sequence, randomise
from trialdesk.services.records import (
    record_adverse_event,
    record_assessment,
    record_event,
    record_exposure,
    withdraw,
)
from trialdesk.services.screening import ScreeningResult, screen
from trialdesk.services.trials import TrialView, create_trial, trial_view

__all__ = [
    "SYSTEM",
    "Actor",
    "Allocation",
    "AuditEntry",
    "PatientTimeline",
    "PatientView",
    "RecordKind",
    "RecordView",
    "Role",
    "ScreeningResult",
    "SiteView",
    "TrialView",
    "UserView",
    "actor_for",
    "allocation_sequence",
    "audit_trail",
    "check_password",
    "correct_record",
    "correct_screening",
    "create_site",
    "create_trial",
    "create_user",
    "get_patient",
    "list_patients",
    "list_sites",
    "patient_timeline",
    "protocol_and_data",
    "randomise",
    "record_adverse_event",
    "record_assessment",
    "record_event",
    "record_exposure",
    "screen",
    "trial_data",
    "trial_view",
    "withdraw",
]
