"""Engines and sessions from a database URL; nothing is built at import time.

The URL comes from the caller, else ``TRIALDESK_DATABASE_URL``, else a SQLite file
``trialdesk.db`` in the working directory. SQLite connections run in WAL mode with a busy
timeout and foreign keys on, and every transaction starts with ``BEGIN IMMEDIATE``: a
writer takes the database's write lock when its transaction begins, so two writers never
interleave (the randomiser and the audit chain rely on that). PostgreSQL transactions
serialise on the audit chain head row instead (``trialdesk.store.audit.audited_transaction``).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "DATABASE_URL_VARIABLE",
    "DEFAULT_SQLITE_FILE",
    "create_engine",
    "database_url",
    "session_factory",
]

logger = logging.getLogger(__name__)

#: The environment variable naming the database when no URL is given.
DATABASE_URL_VARIABLE = "TRIALDESK_DATABASE_URL"
#: The SQLite file used when neither a URL nor the environment names a database.
DEFAULT_SQLITE_FILE = "trialdesk.db"
#: Milliseconds a SQLite writer waits for the write lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 60_000
_HOLDS_WRITER_LOCK = "trialdesk.holds_writer_lock"


def database_url(url: str | URL | None = None) -> URL:
    """The database to use: ``url``, else ``$TRIALDESK_DATABASE_URL``, else ``sqlite:///trialdesk.db``.

    A plain ``postgresql://`` URL is given the psycopg 3 driver (``postgresql+psycopg``).
    """
    chosen = url or os.environ.get(DATABASE_URL_VARIABLE) or f"sqlite:///{DEFAULT_SQLITE_FILE}"
    parsed = make_url(chosen)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_engine(url: str | URL | None = None, *, echo: bool = False) -> Engine:
    """An engine for ``database_url(url)``, configured for trialdesk's transactions.

    SQLite: WAL journal, ``busy_timeout`` of 60 s, foreign keys on, ``BEGIN IMMEDIATE`` for
    every transaction (the pysqlite driver's own transaction handling is switched off, as
    SQLAlchemy's documentation recommends), threads of this engine queued in turn before it
    (``_WriterQueue``). A file database's folder is created if missing.
    PostgreSQL: psycopg 3, ``READ COMMITTED`` (writers serialise on explicit row locks).
    """
    from sqlalchemy import create_engine as sqlalchemy_create_engine

    parsed = database_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sqlalchemy_create_engine(parsed, echo=echo, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sqlalchemy_create_engine(parsed, echo=echo)
    writers = _WriterQueue()
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", writers.begin_immediate)
    event.listen(engine, "commit", writers.release)
    event.listen(engine, "rollback", writers.release)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on ``engine``; services open their own transaction (``with session.begin():``).

    ``expire_on_commit=False`` keeps returned results readable after the transaction ends.
    """
    return sessionmaker(bind=engine, expire_on_commit=False, autobegin=True)


def _configure_sqlite_connection(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _begin_immediate)
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


class _WriterQueue:
    """The threads of one process queue on a lock before ``BEGIN IMMEDIATE``.

    SQLite's busy handler makes waiting writers poll with growing sleeps, so under
    contention from threads of one server the slowest waits seconds; a lock per engine
    lets them take turns in order. Other processes still meet SQLite's ``busy_timeout``.
    If the lock is not had within that timeout the transaction begins anyway and SQLite
    decides, so a lost release can slow writers down but never deadlock them.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def begin_immediate(self, connection: Connection) -> None:
        if self._lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            connection.info[_HOLDS_WRITER_LOCK] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.release(connection)
            raise

    def release(self, connection: Connection) -> None:
        if connection.info.pop(_HOLDS_WRITER_LOCK, False):
            self._lock.release()
