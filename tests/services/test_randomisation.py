"""Randomisation: eligibility and window checks, one allocation per patient, the list followed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tests.services.service_factory import METASTASECTOMY, RANDOMISED, SCREENED, TrialUsers, make_screening
from trialdesk.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from trialdesk.services import allocation_sequence, get_patient, randomise, screen

LUNG_SINGLE_LATE = "nephrectomy_to_metastases:>12m|disease_site:lung|lesions:single"


def _screened(db: Session, users: TrialUsers, **overrides: object) -> str:
    return screen(db, users.investigator, "MI01", make_screening(**overrides),
                  screening_date=SCREENED).subject_id


def test_eligible_patient_is_randomised_and_the_arm_is_shown(db: Session, users: TrialUsers) -> None:
    subject_id = _screened(db, users)
    allocation = randomise(db, users.investigator, subject_id, randomisation_date=RANDOMISED)
    assert allocation.randomization_number == 1
    assert allocation.stratum == LUNG_SINGLE_LATE
    assert allocation.arm in ("sorafenib", "observation")
    patient = get_patient(db, users.monitor, subject_id)
    assert (patient.arm, patient.stratum, patient.randomization_number) == (
        allocation.arm, allocation.stratum, 1)


def test_second_randomisation_of_a_patient_is_a_conflict(db: Session, users: TrialUsers) -> None:
    subject_id = _screened(db, users)
    randomise(db, users.investigator, subject_id, randomisation_date=RANDOMISED)
    with pytest.raises(ConflictError, match="already randomised"):
        randomise(db, users.data_manager, subject_id, randomisation_date=RANDOMISED)


def test_ineligible_patient_is_refused_with_the_reason(db: Session, users: TrialUsers) -> None:
    subject_id = _screened(db, users, resection_complete=False)
    with pytest.raises(ConflictError, match="excised radically"):
        randomise(db, users.investigator, subject_id, randomisation_date=RANDOMISED)
    assert get_patient(db, users.investigator, subject_id).arm is None


def test_randomisation_after_the_12_week_window_is_refused(db: Session, users: TrialUsers) -> None:
    subject_id = _screened(db, users)
    day_85 = METASTASECTOMY + dt.timedelta(days=85)
    with pytest.raises(ConflictError, match="within 12 weeks"):
        randomise(db, users.investigator, subject_id, randomisation_date=day_85)
    on_day_84 = randomise(db, users.investigator, subject_id,
                          randomisation_date=METASTASECTOMY + dt.timedelta(days=84))
    assert on_day_84.randomization_number == 1


def test_not_assessable_patient_is_refused_naming_the_missing_field(db: Session, users: TrialUsers) -> None:
    subject_id = _screened(db, users, prior_nephrectomy=None)
    with pytest.raises(ConflictError) as raised:
        randomise(db, users.investigator, subject_id, randomisation_date=RANDOMISED)
    assert "prior_nephrectomy" in str(raised.value)


def test_dates_in_the_future_or_before_screening_are_refused(db: Session, users: TrialUsers) -> None:
    subject_id = _screened(db, users)
    with pytest.raises(InputError) as raised:
        randomise(db, users.investigator, subject_id,
                  randomisation_date=dt.date.today() + dt.timedelta(days=2))
    assert raised.value.field == "date"
    with pytest.raises(InputError, match="before screening"):
        randomise(db, users.investigator, subject_id, randomisation_date=SCREENED - dt.timedelta(days=1))


def test_site_and_role_rules(db: Session, users: TrialUsers) -> None:
    subject_id = _screened(db, users)
    with pytest.raises(NotFoundError):
        randomise(db, users.other_site, subject_id, randomisation_date=RANDOMISED)
    for reader in (users.monitor, users.statistician, users.admin):
        with pytest.raises(PermissionDeniedError):
            randomise(db, reader, subject_id, randomisation_date=RANDOMISED)


def test_allocations_follow_the_statisticians_list_which_only_they_read(db: Session,
                                                                       users: TrialUsers) -> None:
    arms = [randomise(db, users.investigator, _screened(db, users), randomisation_date=RANDOMISED).arm
            for _ in range(8)]
    planned = allocation_sequence(db, users.statistician, LUNG_SINGLE_LATE, 8)
    assert arms == list(planned.arm_codes[:8])
    for actor in (users.investigator, users.monitor, users.admin):
        with pytest.raises(PermissionDeniedError):
            allocation_sequence(db, actor, LUNG_SINGLE_LATE, 8)
