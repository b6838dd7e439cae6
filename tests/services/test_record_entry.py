"""Follow-up records: the protocol's checks at entry, each naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tests.services.service_factory import RANDOMISED, SCREENED, TrialUsers, make_screening
from trialdesk.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from trialdesk.services import (
    patient_timeline,
    randomise,
    record_adverse_event,
    record_assessment,
    record_event,
    record_exposure,
    screen,
    withdraw,
)

DAY = dt.timedelta(days=1)


def _randomised(db: Session, users: TrialUsers, arm: str) -> str:
    """A patient randomised to ``arm``: enrol until the permuted blocks give it (a block holds both arms)."""
    for _ in range(6):
        subject_id = screen(db, users.investigator, "MI01", make_screening(),
                            screening_date=SCREENED).subject_id
        if randomise(db, users.investigator, subject_id, randomisation_date=RANDOMISED).arm == arm:
            return subject_id
    raise AssertionError(f"no {arm} allocation within a block of 6")


@pytest.fixture
def sorafenib(db: Session, users: TrialUsers) -> str:
    return _randomised(db, users, "sorafenib")


@pytest.fixture
def observation(db: Session, users: TrialUsers) -> str:
    return _randomised(db, users, "observation")


def test_a_full_follow_up_is_recorded_in_date_order(db: Session, users: TrialUsers, sorafenib: str) -> None:
    record_exposure(db, users.investigator, sorafenib, start_date=RANDOMISED + DAY,
                    stop_date=RANDOMISED + 30 * DAY, daily_dose_mg=800)
    record_exposure(db, users.data_manager, sorafenib, start_date=RANDOMISED + 31 * DAY,
                    daily_dose_mg=400, change="reduction", reason="hand-foot skin reaction")
    record_adverse_event(db, users.investigator, sorafenib, term="Hand-foot skin reaction", grade=3,
                         start_date=RANDOMISED + 20 * DAY, serious=False, related=True)
    record_assessment(db, users.investigator, sorafenib, assessment_date=RANDOMISED + 84 * DAY,
                      result="no_evidence_of_disease")
    record_assessment(db, users.investigator, sorafenib, assessment_date=RANDOMISED + 168 * DAY,
                      result="relapse", relapse_site="lung")
    record_event(db, users.investigator, sorafenib, event_date=RANDOMISED + 168 * DAY, event_type="relapse")
    timeline = patient_timeline(db, users.monitor, sorafenib)
    assert [e.values["daily_dose_mg"] for e in timeline.exposures] == [800.0, 400.0]
    assert [a.values["result"] for a in timeline.assessments] == ["no_evidence_of_disease", "relapse"]
    assert timeline.events[0].values == {"event_date": RANDOMISED + 168 * DAY, "event_type": "relapse",
                                         "cause": None}
    assert timeline.adverse_events[0].values["grade"] == 3


@pytest.mark.parametrize(("values", "error", "field"), [
    ({"daily_dose_mg": 900}, InputError, "daily_dose_mg"),
    ({"daily_dose_mg": 0}, InputError, "daily_dose_mg"),
    ({"change": "interruption", "daily_dose_mg": 0}, InputError, "reason"),
    ({"stop_date": RANDOMISED}, InputError, "stop_date"),
    ({"start_date": RANDOMISED - DAY}, ConflictError, "start_date"),
    ({"start_date": dt.date.today() + DAY}, InputError, "start_date"),
    ({"stop_date": RANDOMISED + 52 * 7 * DAY + DAY}, ConflictError, "stop_date"),
    ({"change": "more"}, InputError, "change"),
])
def test_exposure_checks(db: Session, users: TrialUsers, sorafenib: str, values: dict[str, object],
                         error: type[Exception], field: str) -> None:
    entry: dict[str, object] = {"start_date": RANDOMISED + DAY, "daily_dose_mg": 800, **values}
    with pytest.raises(error) as raised:
        record_exposure(db, users.investigator, sorafenib, **entry)  # type: ignore[arg-type]
    assert raised.value.field == field  # type: ignore[attr-defined]
    assert patient_timeline(db, users.monitor, sorafenib).exposures == ()


def test_no_dosing_in_the_observation_arm(db: Session, users: TrialUsers, observation: str) -> None:
    with pytest.raises(ConflictError, match="receives no treatment") as raised:
        record_exposure(db, users.investigator, observation, start_date=RANDOMISED + DAY, daily_dose_mg=800)
    assert raised.value.field == "daily_dose_mg"


@pytest.mark.parametrize(("values", "field"), [
    ({"grade": 6}, "grade"), ({"grade": 0}, "grade"), ({"term": " "}, "term"),
    ({"stop_date": RANDOMISED}, "stop_date"),
])
def test_adverse_event_checks(db: Session, users: TrialUsers, observation: str, values: dict[str, object],
                              field: str) -> None:
    entry: dict[str, object] = {"term": "Fatigue", "grade": 2, "start_date": RANDOMISED + DAY, **values}
    with pytest.raises(InputError) as raised:
        record_adverse_event(db, users.investigator, observation, **entry)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_scan_and_event_checks(db: Session, users: TrialUsers, observation: str) -> None:
    with pytest.raises(InputError) as raised:
        record_assessment(db, users.investigator, observation, assessment_date=RANDOMISED + DAY,
                          result="relapse")
    assert raised.value.field == "relapse_site"
    with pytest.raises(InputError) as raised:
        record_event(db, users.investigator, observation, event_date=RANDOMISED + DAY, event_type="death")
    assert raised.value.field == "cause"
    record_event(db, users.investigator, observation, event_date=RANDOMISED + 9 * DAY, event_type="death",
                 cause="renal cell carcinoma")
    with pytest.raises(ConflictError, match="after the patient's death") as conflict:
        record_assessment(db, users.investigator, observation, assessment_date=RANDOMISED + 10 * DAY,
                          result="no_evidence_of_disease")
    assert conflict.value.field == "assessment_date"
    with pytest.raises(ConflictError, match="already recorded"):
        record_event(db, users.investigator, observation, event_date=RANDOMISED + 9 * DAY, event_type="death",
                     cause="again")


def test_withdrawal_closes_follow_up(db: Session, users: TrialUsers, observation: str) -> None:
    with pytest.raises(InputError) as raised:
        withdraw(db, users.investigator, observation, withdrawal_date=RANDOMISED + DAY, reason=" ")
    assert raised.value.field == "reason"
    withdraw(db, users.investigator, observation, withdrawal_date=RANDOMISED + 5 * DAY, reason="moved abroad")
    timeline = patient_timeline(db, users.investigator, observation)
    assert timeline.patient.withdrawal_date == RANDOMISED + 5 * DAY
    assert timeline.events[0].values["event_type"] == "withdrawal"
    with pytest.raises(ConflictError, match="withdrawal of consent"):
        record_assessment(db, users.investigator, observation, assessment_date=RANDOMISED + 6 * DAY,
                          result="not_evaluable")
    with pytest.raises(ConflictError, match="withdrew consent"):
        record_event(db, users.investigator, observation, event_date=RANDOMISED + 5 * DAY,
                     event_type="withdrawal", cause="again")


def test_records_need_a_randomised_patient_of_a_visible_site(db: Session, users: TrialUsers) -> None:
    subject_id = screen(db, users.investigator, "MI01", make_screening(), screening_date=SCREENED).subject_id
    with pytest.raises(ConflictError, match="not randomised"):
        record_assessment(db, users.investigator, subject_id, assessment_date=RANDOMISED,
                          result="not_evaluable")
    with pytest.raises(NotFoundError):
        record_assessment(db, users.other_site, subject_id, assessment_date=RANDOMISED,
                          result="not_evaluable")
    with pytest.raises(PermissionDeniedError):
        record_assessment(db, users.monitor, subject_id, assessment_date=RANDOMISED, result="not_evaluable")
