"""Fixtures of the service tests: a RESORT trial with two sites and one user per role."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.seeds import TEST_RANDOMISATION_SEED
from tests.services.service_factory import PASSWORD, TrialUsers
from trialdesk.protocol import load_protocol
from trialdesk.services import SYSTEM, create_site, create_trial, create_user
from trialdesk.services.accounts import actor_for


@pytest.fixture(autouse=True)
def _fast_hashing(cheap_password_hashing: None) -> None:
    """Every service test hashes passwords with the cheap Argon2id parameters."""


@pytest.fixture
def users(db: Session) -> TrialUsers:
    """A RESORT trial with sites MI01 and RM01 and a user of every role."""
    create_trial(db, SYSTEM, load_protocol("resort"), randomisation_seed=TEST_RANDOMISATION_SEED)
    create_site(db, SYSTEM, "MI01", "Milano")
    create_site(db, SYSTEM, "RM01", "Roma")
    accounts = {"admin": ("admin", ()), "statistician": ("statistician", ()),
                "monitor": ("monitor", ()), "investigator": ("investigator", ("MI01",)),
                "data_manager": ("data_manager", ("MI01",)), "other_site": ("investigator", ("RM01",))}
    for username, (role, sites) in accounts.items():
        create_user(db, SYSTEM, username, PASSWORD, role, sites)
    with db.begin():
        actors = {username: actor_for(db, username) for username in accounts}
    return TrialUsers(**actors)
