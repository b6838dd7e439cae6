"""Trials: one per protocol id, the protocol stored with it and read back unchanged."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.services.service_factory import TrialUsers
from trialdesk.errors import ConflictError, PermissionDeniedError
from trialdesk.protocol import load_protocol
from trialdesk.services import create_trial
from trialdesk.services.trials import protocol_of, trial_by_code


def test_the_stored_protocol_is_the_one_bound(db: Session, users: TrialUsers) -> None:
    with db.begin():
        trial = trial_by_code(db)
        assert protocol_of(trial) == load_protocol("resort")
        assert trial.protocol_fingerprint == load_protocol("resort").fingerprint


def test_a_protocol_id_is_bound_once_and_by_an_admin(db: Session, users: TrialUsers) -> None:
    with pytest.raises(ConflictError):
        create_trial(db, users.admin, load_protocol("resort"))
    with pytest.raises(PermissionDeniedError):
        create_trial(db, users.statistician, load_protocol("three_arm_example"))
    assert create_trial(db, users.admin, load_protocol("three_arm_example")).code != "RESORT"


def test_a_fixed_randomisation_seed_is_stored_for_replays(db: Session, users: TrialUsers) -> None:
    create_trial(db, users.admin, load_protocol("three_arm_example"), randomisation_seed=20121101)
    with db.begin():
        trial = trial_by_code(db, load_protocol("three_arm_example").id)
        assert trial.randomisation_seed == 20121101
