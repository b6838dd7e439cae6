"""Nothing in the services is RESORT-only: a three-arm 2:1:1 trial randomised by minimisation."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy.orm import Session

from tests.seeds import TEST_RANDOMISATION_SEED
from tests.services.service_factory import PASSWORD
from trialdesk.errors import ConflictError, InputError, RandomizationError
from trialdesk.protocol import load_protocol
from trialdesk.services import (
    SYSTEM,
    allocation_sequence,
    create_site,
    create_trial,
    create_user,
    randomise,
    record_exposure,
    screen,
)
from trialdesk.services.accounts import actor_for

CONSENT = dt.date(2024, 3, 1)


def test_minimisation_trial_runs_through_the_same_services(db: Session) -> None:
    create_trial(db, SYSTEM, load_protocol("three_arm_example"), randomisation_seed=TEST_RANDOMISATION_SEED)
    create_site(db, SYSTEM, "BO01", "Bologna")
    create_user(db, SYSTEM, "nurse", PASSWORD, "data_manager", ["BO01"])
    create_user(db, SYSTEM, "stats", PASSWORD, "statistician")
    with db.begin():
        nurse, stats = actor_for(db, "nurse"), actor_for(db, "stats")
    arms = {}
    for index in range(12):
        screening = {"consent_date": CONSENT.isoformat(), "ecog": ("0", "1")[index % 2],
                     "stage": ("II", "III")[(index // 2) % 2], "prior_chemotherapy": False}
        subject_id = screen(db, nurse, "BO01", screening, screening_date=CONSENT).subject_id
        allocation = randomise(db, nurse, subject_id, randomisation_date=CONSENT + dt.timedelta(days=3))
        assert allocation.randomization_number == index + 1
        arms[subject_id] = allocation.arm
    assert subject_id == "EXAMPLE-3ARM-BO01-0012"
    counts = Counter(arms.values())
    assert set(counts) <= {"high_dose", "low_dose", "control"}
    assert counts["high_dose"] >= 4  # 2:1:1 minimisation keeps the high-dose arm near half
    with pytest.raises(RandomizationError, match="minimisation"):
        allocation_sequence(db, stats, "ecog:0|stage:II", 4)

    by_arm = {arm: subject for subject, arm in arms.items()}
    start = CONSENT + dt.timedelta(days=4)
    if "control" in by_arm:
        with pytest.raises(ConflictError, match="no treatment"):
            record_exposure(db, nurse, by_arm["control"], start_date=start, daily_dose_mg=100)
    with pytest.raises(InputError, match="planned 200 mg/day"):
        record_exposure(db, nurse, by_arm["high_dose"], start_date=start, daily_dose_mg=250)
    with pytest.raises(ConflictError, match="at most 26 weeks"):
        record_exposure(db, nurse, by_arm["high_dose"], start_date=start, daily_dose_mg=200,
                        stop_date=start + dt.timedelta(weeks=26))
