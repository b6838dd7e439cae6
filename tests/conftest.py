"""Fixtures shared by the whole suite: where R's reference numbers live, and test databases."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Property tests: no per-example deadline (a loaded 2-core machine is slow, not wrong); in CI
# the examples are derived from the test itself (derandomize), so a CI run is reproducible,
# while a developer's run keeps exploring new examples.
settings.register_profile("trialdesk", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "trialdesk")

#: Fixtures of a served trial (tests/served_trial.py), shared by tests/api, tests/web, tests/e2e.
pytest_plugins = ("tests.served_trial",)

REFERENCE_DIR = Path(
    os.environ.get("TRIALDESK_REFERENCE_DIR",
                   Path(__file__).resolve().parents[2] / "shared" / "reference")
)


def load_reference(name: str) -> dict[str, Any]:
    """A reference JSON from ../shared/reference (``aml``, ``lung``, ``design``)."""
    return json.loads((REFERENCE_DIR / f"{name}.json").read_text())


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The folder of R's reference values; the suite fails loudly without it."""
    if not REFERENCE_DIR.is_dir():
        pytest.fail(f"reference values not found at {REFERENCE_DIR}; set TRIALDESK_REFERENCE_DIR")
    return REFERENCE_DIR


def postgres_url() -> str | None:
    """The PostgreSQL server for tests (scripts/test sets it); None when there is none."""
    return os.environ.get("TRIALDESK_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """URL of a PostgreSQL server's maintenance database; skips locally, fails in CI."""
    url = postgres_url()
    if url is None:
        if os.environ.get("CI"):
            pytest.fail("TRIALDESK_TEST_POSTGRES_URL is not set in CI; run through scripts/test")
        pytest.skip("no PostgreSQL server (set TRIALDESK_TEST_POSTGRES_URL or use scripts/test)")
    return url


# --- Databases: every store and service test runs on SQLite and on PostgreSQL -------------

DATABASE_BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session", params=DATABASE_BACKENDS)
def database_backend(request: pytest.FixtureRequest) -> str:
    """The backend a database test runs on (each such test runs once per backend)."""
    if request.param == "postgresql":
        request.getfixturevalue("postgres_server_url")  # skips without a server
    return request.param


@pytest.fixture(scope="session")
def make_database(database_backend: str, tmp_path_factory: pytest.TempPathFactory,
                  request: pytest.FixtureRequest) -> Iterator[Callable[[], str]]:
    """A factory of fresh, migrated, uniquely named databases; all are dropped at the end."""
    from uuid import uuid4

    from sqlalchemy import create_engine as plain_engine
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from trialdesk.store import upgrade

    created: list[str] = []
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    server = request.getfixturevalue("postgres_server_url") if database_backend == "postgresql" else None
    admin = plain_engine(server, isolation_level="AUTOCOMMIT") if server else None

    def fresh() -> str:
        name = f"trialdesk_test_{worker}_{uuid4().hex[:10]}"
        if admin is None:
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / (name + '.db')}"
        else:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            created.append(name)
            url = make_url(server).set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        return url

    yield fresh
    if admin is not None:
        with admin.connect() as connection:
            for name in created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with argon2-cffi's cheapest parameters: the same code path, milliseconds per hash."""
    from argon2 import PasswordHasher, profiles

    from trialdesk.services import accounts

    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    monkeypatch.setattr(accounts, "_hasher", lambda: cheap)


@pytest.fixture(scope="session")
def shared_db_url(make_database: Callable[[], str]) -> str:
    """One migrated database per backend and worker, for tests that roll back (``db``)."""
    return make_database()


@pytest.fixture
def db(shared_db_url: str) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test.

    Services' own ``session.begin()`` become savepoints, so each test starts from the empty
    migrated schema. Tests that need real commits from several connections (concurrency,
    crashes) take ``make_database`` instead.
    """
    from sqlalchemy.orm import Session as OrmSession

    from trialdesk.store import create_engine

    engine = create_engine(shared_db_url)
    connection = engine.connect()
    outer = connection.begin()
    session = OrmSession(bind=connection, join_transaction_mode="create_savepoint",
                         expire_on_commit=False)
    yield session
    session.close()
    outer.rollback()
    connection.close()
    engine.dispose()
