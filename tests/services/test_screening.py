"""Screening: subject ids, eligibility stored with reasons, site and role rules."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.services.service_factory import SCREENED, TrialUsers, make_screening
from trialdesk.errors import InputError, NotFoundError, PermissionDeniedError
from trialdesk.services import get_patient, list_patients, screen


def test_eligible_patient_gets_a_subject_id_numbered_per_site(db: Session, users: TrialUsers) -> None:
    first = screen(db, users.investigator, "MI01", make_screening(), screening_date=SCREENED)
    second = screen(db, users.data_manager, "MI01", make_screening(), screening_date=SCREENED)
    other = screen(db, users.other_site, "RM01", make_screening(), screening_date=SCREENED)
    assert (first.subject_id, second.subject_id, other.subject_id) == (
        "RESORT-MI01-0001", "RESORT-MI01-0002", "RESORT-RM01-0001")
    assert first.eligible is True
    assert first.reasons == first.missing == ()


def test_screen_failure_keeps_every_reason(db: Session, users: TrialUsers) -> None:
    result = screen(db, users.investigator, "MI01",
                    make_screening(histology="other", metastases_resected=4), screening_date=SCREENED)
    assert result.eligible is False
    assert result.reasons == ("The histology must be predominantly clear-cell.",
                              "No more than 3 metastases may have been resected.")
    assert get_patient(db, users.monitor, result.subject_id).reasons == result.reasons


def test_missing_field_makes_the_patient_not_assessable(db: Session, users: TrialUsers) -> None:
    result = screen(db, users.investigator, "MI01", make_screening(histology=None),
                    screening_date=SCREENED)
    assert result.eligible is None
    assert result.missing == ("histology",)


def test_badly_typed_value_names_the_field_and_stores_nothing(db: Session, users: TrialUsers) -> None:
    with pytest.raises(InputError) as raised:
        screen(db, users.investigator, "MI01", make_screening(metastases_resected="two"))
    assert raised.value.field == "metastases_resected"
    assert list_patients(db, users.monitor) == ()


@pytest.mark.parametrize("role", ["admin", "statistician", "monitor"])
def test_roles_without_data_entry_may_not_screen(db: Session, users: TrialUsers, role: str) -> None:
    with pytest.raises(PermissionDeniedError):
        screen(db, getattr(users, role), "MI01", make_screening())


def test_a_site_screens_only_at_its_own_site(db: Session, users: TrialUsers) -> None:
    with pytest.raises(PermissionDeniedError):
        screen(db, users.investigator, "RM01", make_screening())


def test_another_sites_patient_is_not_found(db: Session, users: TrialUsers) -> None:
    result = screen(db, users.other_site, "RM01", make_screening(), screening_date=SCREENED)
    with pytest.raises(NotFoundError):
        get_patient(db, users.investigator, result.subject_id)
    assert [p.subject_id for p in list_patients(db, users.investigator)] == []
    assert [p.subject_id for p in list_patients(db, users.statistician)] == [result.subject_id]
    with pytest.raises(PermissionDeniedError):
        list_patients(db, users.admin)
