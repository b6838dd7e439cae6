"""Corrections: a mandatory reason, the same checks as at entry, old and new values audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tests.services.service_factory import RANDOMISED, SCREENED, TrialUsers, make_screening
from trialdesk.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from trialdesk.services import (
    audit_trail,
    correct_record,
    correct_screening,
    get_patient,
    patient_timeline,
    randomise,
    record_adverse_event,
    screen,
)
from trialdesk.store import verify_audit


@pytest.fixture
def adverse_event(db: Session, users: TrialUsers) -> tuple[str, int]:
    subject_id = screen(db, users.investigator, "MI01", make_screening(), screening_date=SCREENED).subject_id
    randomise(db, users.investigator, subject_id, randomisation_date=RANDOMISED)
    view = record_adverse_event(db, users.investigator, subject_id, term="Fatigue", grade=2,
                                start_date=RANDOMISED + dt.timedelta(days=3))
    return subject_id, view.id


def test_correction_changes_the_value_and_audits_old_new_and_reason(
        db: Session, users: TrialUsers, adverse_event: tuple[str, int]) -> None:
    subject_id, record_id = adverse_event
    assert correct_record(db, users.data_manager, subject_id, "adverse_event", record_id, "grade", "3",
                          "source document says grade 3") == 3
    assert patient_timeline(db, users.monitor, subject_id).adverse_events[0].values["grade"] == 3
    latest = audit_trail(db, users.monitor, table_name="adverse_events", limit=1)[0]
    assert (latest.action, latest.field, latest.old_value, latest.new_value, latest.reason,
            latest.username) == ("update", "grade", "2", "3", "source document says grade 3", "data_manager")
    assert verify_audit(db).ok


@pytest.mark.parametrize(("field", "value", "reason", "error", "named"), [
    ("grade", 3, " ", InputError, "reason"),
    ("grade", 9, "typo", InputError, "grade"),
    ("grade", "high", "typo", InputError, "grade"),
    ("colour", "red", "typo", InputError, "colour"),
    ("stop_date", "2024-02-06", "typo", InputError, "stop_date"),
    ("grade", 2, "typo", ConflictError, "grade"),
])
def test_bad_corrections_name_the_field_and_change_nothing(
        db: Session, users: TrialUsers, adverse_event: tuple[str, int], field: str, value: object,
        reason: str, error: type[InputError], named: str) -> None:
    subject_id, record_id = adverse_event
    with pytest.raises(error) as raised:
        correct_record(db, users.investigator, subject_id, "adverse_event", record_id, field, value, reason)
    assert raised.value.field == named
    assert patient_timeline(db, users.monitor, subject_id).adverse_events[0].values["grade"] == 2


def test_corrections_follow_site_and_role_rules(db: Session, users: TrialUsers,
                                                adverse_event: tuple[str, int]) -> None:
    subject_id, record_id = adverse_event
    with pytest.raises(NotFoundError):
        correct_record(db, users.other_site, subject_id, "adverse_event", record_id, "grade", 3, "typo")
    with pytest.raises(NotFoundError):
        correct_record(db, users.investigator, subject_id, "adverse_event", record_id + 1000, "grade", 3, "x")
    with pytest.raises(PermissionDeniedError):
        correct_record(db, users.monitor, subject_id, "adverse_event", record_id, "grade", 3, "typo")


def test_screening_correction_reassesses_eligibility(db: Session, users: TrialUsers) -> None:
    subject_id = screen(db, users.investigator, "MI01", make_screening(histology=None),
                        screening_date=SCREENED).subject_id
    assert correct_screening(db, users.investigator, subject_id, "histology", "other",
                             "pathology report arrived") is False
    assert get_patient(db, users.investigator, subject_id).reasons == (
        "The histology must be predominantly clear-cell.",)
    assert correct_screening(db, users.investigator, subject_id, "histology", "clear_cell_predominant",
                             "pathology report misread") is True
    with pytest.raises(InputError) as raised:
        correct_screening(db, users.investigator, subject_id, "shoe_size", 42, "typo")
    assert raised.value.field == "shoe_size"
