"""Benchmark: randomisations per second through the services and the store, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_store_randomisation.py
    .venv/bin/python benchmarks/bench_store_randomisation.py --patients 400 --workers 1 4 \
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

For each database and each worker count: a fresh database (a temporary SQLite file; a
temporary PostgreSQL database on a loopback server, dropped afterwards), a RESORT trial,
``--patients`` eligible patients screened beforehand (not timed); then the workers, one
thread and one connection each, call ``randomise`` for their share. Each call is one
audited transaction (lock the chain head, read the history, draw, insert the allocation
and its audit records, commit). Reported: randomisations per second over the wall time,
p50 and p99 latency of one call. Bounded: at most ``--patients`` calls per run, loopback
servers only, and a run stops early after ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from argon2 import PasswordHasher, profiles
from sqlalchemy import create_engine as plain_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url

from trialdesk.protocol import load_protocol
from trialdesk.services import SYSTEM, accounts, create_site, create_trial, create_user, randomise, screen
from trialdesk.services.accounts import actor_for
from trialdesk.store import create_engine, session_factory, upgrade, verify_audit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
SCREENED = dt.date(2024, 1, 30)
RANDOMISED = dt.date(2024, 2, 5)


def _screening(index: int) -> dict[str, object]:
    return {"birth_date": "1958-04-02", "sex": "female", "prior_nephrectomy": True,
            "nephrectomy_date": "2019-06-01", "histology": "clear_cell_predominant",
            "metastases_diagnosis_date": ("2023-12-01", "2019-12-01")[(index // 4) % 2],
            "metastasis_site": ("lung", "other")[index % 2], "metastases_resected": 1 + (index // 2) % 2,
            "resection_complete": True, "metastasectomy_date": "2024-01-10"}


def _prepare(url: str, patients: int) -> list[str]:
    upgrade(url)
    engine = create_engine(url)
    session = session_factory(engine)()
    create_trial(session, SYSTEM, load_protocol("resort"))
    create_site(session, SYSTEM, "MI01", "Milano")
    create_user(session, SYSTEM, "bench", "benchmark password", "data_manager", ["MI01"])
    with session.begin():
        actor = actor_for(session, "bench")
    subject_ids = [screen(session, actor, "MI01", _screening(i), screening_date=SCREENED).subject_id
                   for i in range(patients)]
    session.close()
    engine.dispose()
    return subject_ids


def _run(url: str, subject_ids: list[str], workers: int, max_seconds: float) -> dict[str, float]:
    engine = create_engine(url)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        actor = actor_for(session, "bench")
    deadline = time.perf_counter() + max_seconds

    def work(share: list[str]) -> list[float]:
        latencies = []
        with factory() as session:
            for subject_id in share:
                if time.perf_counter() > deadline:
                    break
                start = time.perf_counter()
                randomise(session, actor, subject_id, randomisation_date=RANDOMISED)
                latencies.append(time.perf_counter() - start)
        return latencies

    shares = [subject_ids[w::workers] for w in range(workers)]
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        latencies = sorted(x for part in pool.map(work, shares) for x in part)
    wall = time.perf_counter() - start
    with factory() as session:
        intact = verify_audit(session).ok
    engine.dispose()
    return {"n": len(latencies), "per_second": len(latencies) / wall,
            "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
            "audit_ok": float(intact)}


def _postgres_database(server: str) -> tuple[str, str]:
    parsed = make_url(server)
    if parsed.host not in LOOPBACK:
        raise SystemExit(f"refusing {parsed.host}: the benchmark runs on loopback servers only")
    name = f"trialdesk_bench_{uuid.uuid4().hex[:10]}"
    return name, parsed.set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="Loopback server's maintenance database; 'none' to skip PostgreSQL.")
    parser.add_argument("--max-seconds", type=float, default=60.0)
    options = parser.parse_args()
    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)  # set-up only; not what is timed
    accounts._hasher = lambda: cheap  # type: ignore[attr-defined]

    print("| database | workers | randomisations | per second | p50 ms | p99 ms | audit verifies |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        targets = [("SQLite (WAL, synchronous=FULL)", None)]
        if options.postgres != "none":
            targets.append(("PostgreSQL 127.0.0.1", options.postgres))
        for label, server in targets:
            for workers in options.workers:
                admin = None
                if server is None:
                    url = f"sqlite:///{Path(folder) / f'bench_{workers}.db'}"
                else:
                    name, url = _postgres_database(server)
                    admin = plain_engine(server, isolation_level="AUTOCOMMIT")
                    with admin.connect() as connection:
                        connection.execute(text(f'CREATE DATABASE "{name}"'))
                try:
                    result = _run(url, _prepare(url, options.patients), workers, options.max_seconds)
                finally:
                    if admin is not None:
                        with admin.connect() as connection:
                            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                        admin.dispose()
                print(f"| {label} | {workers} | {result['n']:.0f} | {result['per_second']:.0f} | "
                      f"{result['p50_ms']:.1f} | {result['p99_ms']:.1f} | {bool(result['audit_ok'])} |",
                      flush=True)


if __name__ == "__main__":
    main()
