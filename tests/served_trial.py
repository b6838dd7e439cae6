"""Fixtures of a served RESORT trial (pytest plugin, loaded by tests/conftest.py).

One database per backend and worker from the suite's ``make_database`` (SQLite and, when
a server is configured, PostgreSQL), set up as ``trialdesk init`` would, with two sites and
one user per role; ``create_app`` on it; bearer tokens per user; factories of screening
payloads. Session scope: tests add their own patients and never assume an empty trial.
Used by tests/api, tests/web and tests/e2e.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from argon2 import PasswordHasher, profiles
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.seeds import TEST_RANDOMISATION_SEED
from trialdesk.api import Settings, create_app
from trialdesk.protocol import load_protocol
from trialdesk.services import SYSTEM, accounts, create_site, create_trial, create_user
from trialdesk.store import create_engine, session_factory, upgrade

SECRET_KEY = "served-trial-test-secret-" + "0123456789abcdef" * 2
PASSWORD = "correct horse battery staple"
SITES = {"MI01": "Istituto Nazionale Tumori, Milano", "RM02": "Policlinico Gemelli, Roma"}


@dataclass(frozen=True, slots=True)
class SeededUser:
    """A user of the served trial."""

    username: str
    role: str
    sites: tuple[str, ...]


USERS: dict[str, SeededUser] = {user.username: user for user in (
    SeededUser("admin", "admin", ()),
    SeededUser("stat", "statistician", ()),
    SeededUser("monitor", "monitor", ()),
    SeededUser("inv_mi", "investigator", ("MI01",)),
    SeededUser("dm_mi", "data_manager", ("MI01",)),
    SeededUser("inv_rm", "investigator", ("RM02",)),
)}


def eligible_screening(*, on: dt.date | None = None, **overrides: Any) -> dict[str, Any]:
    """RESORT screening data of an eligible patient randomisable on ``on`` (default today)."""
    anchor = on or dt.datetime.now(dt.UTC).date()
    data: dict[str, Any] = {
        "birth_date": "1958-04-02", "sex": "female", "prior_nephrectomy": True,
        "nephrectomy_date": (anchor - dt.timedelta(days=900)).isoformat(),
        "histology": "clear_cell_predominant",
        "metastases_diagnosis_date": (anchor - dt.timedelta(days=60)).isoformat(),
        "metastasis_site": "lung", "metastases_resected": 1, "resection_complete": True,
        "metastasectomy_date": (anchor - dt.timedelta(days=30)).isoformat(),
    }
    data.update(overrides)
    return data


#: The randomisation date of ``randomised_patient``: ten days ago, so follow-up can be dated.
RANDOMISED_ON = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=10)


def day(offset: int) -> str:
    """ISO date ``offset`` days after ``RANDOMISED_ON``."""
    return (RANDOMISED_ON + dt.timedelta(days=offset)).isoformat()


def screened_patient(client: TestClient, headers: dict[str, str], *, site: str = "MI01",
                     on: dt.date = RANDOMISED_ON) -> str:
    """The id of a newly screened, eligible patient, screened on ``on``."""
    response = client.post("/api/v1/patients", headers=headers, json={
        "site": site, "screening": eligible_screening(on=on), "screening_date": on.isoformat()})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def randomised_patient(client: TestClient, headers: dict[str, str], arm: str, *,
                       site: str = "MI01", on: dt.date = RANDOMISED_ON) -> str:
    """A patient randomised on ``on`` to ``arm`` (screens until the list gives it)."""
    for _ in range(12):
        patient = screened_patient(client, headers, site=site, on=on)
        allocation = client.post(f"/api/v1/patients/{patient}/randomize", headers=headers,
                                 json={"date": on.isoformat()})
        assert allocation.status_code == 201, allocation.text
        if allocation.json()["arm"] == arm:
            return patient
    raise AssertionError(f"no {arm} allocation in 12 randomisations")


def seed_trial(url: str) -> None:
    """Create the schema, the RESORT trial, the sites and one user per role."""
    engine = create_engine(url)
    try:
        upgrade(engine)
        session = session_factory(engine)()
        create_trial(session, SYSTEM, load_protocol("resort"), randomisation_seed=TEST_RANDOMISATION_SEED)
        for code, name in SITES.items():
            create_site(session, SYSTEM, code, name)
        for user in USERS.values():
            create_user(session, SYSTEM, user.username, PASSWORD, user.role, user.sites)
        session.close()
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def trial_database_url(make_database: Callable[[], str]) -> str:
    """URL of a seeded trial database (one per backend and worker); tests add their own patients."""
    url = make_database()
    with pytest.MonkeyPatch.context() as patch:
        # the seeded users' hashes carry the cheapest Argon2id parameters, so every later
        # sign-in verifies in milliseconds; the code path is the production one
        cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
        patch.setattr(accounts, "_hasher", lambda: cheap)
        seed_trial(url)
    return url


def served_settings(url: str, **overrides: Any) -> Settings:
    """Test settings: a real secret, cookies usable over plain http://testserver."""
    options: dict[str, Any] = {"environment": "test", "cookie_secure": False, **overrides}
    return Settings(database_url=url, secret_key=SECRET_KEY, **options)


@pytest.fixture(scope="session")
def served_app(trial_database_url: str) -> Iterator[FastAPI]:
    """``create_app`` on the session's trial database."""
    # tests share this app and its login throttle (every test client is "testclient"), so
    # deliberate wrong passwords must not slow the others; test_app checks the throttle
    app = create_app(served_settings(trial_database_url, login_free_attempts=10_000))
    yield app
    app.state.trialdesk.engine.dispose()


@pytest.fixture(scope="session")
def api(served_app: FastAPI) -> Iterator[TestClient]:
    """A client of the served app (base URL http://testserver)."""
    with TestClient(served_app) as client:
        yield client


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """A bearer token for ``username`` (asserts the sign-in worked)."""
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture(scope="session")
def tokens(api: TestClient) -> dict[str, str]:
    """One bearer token per test user."""
    return {name: sign_in(api, name) for name in USERS}


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {token}"}
