"""``trial_data``: the store as TrialData tables, with the documented columns and the cut-off."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tests.services.service_factory import RANDOMISED, SCREENED, TrialUsers, make_screening
from trialdesk.services import randomise, record_adverse_event, record_assessment, screen, trial_data
from trialdesk.trial.data import TRIAL_DATA_COLUMNS

DAY = dt.timedelta(days=1)


def test_extract_fills_every_documented_column_and_applies_the_cutoff(db: Session, users: TrialUsers) -> None:
    randomised = screen(db, users.investigator, "MI01", make_screening(), screening_date=SCREENED).subject_id
    allocation = randomise(db, users.investigator, randomised, randomisation_date=RANDOMISED)
    failed = screen(db, users.other_site, "RM01", make_screening(histology="other"),
                    screening_date=SCREENED + DAY).subject_id
    record_assessment(db, users.investigator, randomised, assessment_date=RANDOMISED + 84 * DAY,
                      result="no_evidence_of_disease")
    record_assessment(db, users.investigator, randomised, assessment_date=RANDOMISED + 168 * DAY,
                      result="relapse", relapse_site="lung")
    record_adverse_event(db, users.investigator, randomised, term="Fatigue", grade=1,
                         start_date=RANDOMISED + 10 * DAY, stop_date=RANDOMISED + 200 * DAY)

    data = trial_data(db, "RESORT")
    for name, columns in TRIAL_DATA_COLUMNS.items():
        assert set(columns) <= set(getattr(data, name).columns), name
    patients = data.patients.set_index("patient_id")
    row = patients.loc[randomised]
    assert (row["site"], row["screening_date"], row["eligible"], row["randomised"]) == (
        "MI01", SCREENED, True, True)
    assert (row["randomization_number"], row["randomization_date"], row["arm"], row["stratum"]) == (
        1, RANDOMISED, allocation.arm, allocation.stratum)
    assert (row["nephrectomy_to_metastases"], row["disease_site"], row["lesions"]) == (
        ">12m", "lung", "single")
    assert row["metastasectomy_date"] == dt.date(2024, 1, 10)
    assert row["metastases_resected"] == 1
    screen_failure = patients.loc[failed]
    assert screen_failure["eligible"] is False
    assert screen_failure["screen_failure_reasons"] == "The histology must be predominantly clear-cell."
    assert screen_failure["randomised"] is False
    assert screen_failure["arm"] is None
    assert list(data.assessments["result"]) == ["no_evidence_of_disease", "relapse"]
    assert data.adverse_events.iloc[0]["grade"] == 1

    at_cutoff = trial_data(db, cutoff=RANDOMISED + 100 * DAY)
    assert list(at_cutoff.assessments["result"]) == ["no_evidence_of_disease"]
    assert at_cutoff.adverse_events.iloc[0]["stop_date"] == RANDOMISED + 200 * DAY  # started before
    before_randomisation = trial_data(db, cutoff=SCREENED)
    assert list(before_randomisation.patients["patient_id"]) == [randomised]
    assert before_randomisation.patients.iloc[0]["randomised"] is False
    assert before_randomisation.assessments.empty
