"""Benchmark: concurrent screen + randomise requests against a served trial, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_api_load.py
    .venv/bin/python benchmarks/bench_api_load.py --patients 400 --clients 8 \
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

For each database: a fresh database (a temporary SQLite file; a temporary PostgreSQL
database on a loopback server, dropped afterwards) set up like ``trialdesk init`` with one
site and one data manager; then ``trialdesk serve`` started in a subprocess on 127.0.0.1
and a free port (one uvicorn worker); then ``--clients`` threads, each with its own HTTP
connection and bearer token, screen an eligible patient (``POST /api/v1/patients``) and
randomise them (``POST /api/v1/patients/{id}/randomize``) until ``--patients`` patients are
done. Reported: requests per second over the wall time, p50 and p99 latency per request
kind; the run then checks that every randomisation number is unique. Bounded: loopback
only, at most ``--patients`` pairs, stops early after ``--max-seconds``; the server is
stopped at the end of each run.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import create_engine as plain_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench_store_randomisation import _screening  # the same 8-stratum spread of candidates
from trialdesk.protocol import load_protocol
from trialdesk.services import SYSTEM, create_site, create_trial, create_user
from trialdesk.store import create_engine, session_factory, upgrade

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PASSWORD = "benchmark password"
SCREENED = "2024-01-30"
RANDOMISED = "2024-02-05"


def _prepare(url: str) -> None:
    upgrade(url)
    engine = create_engine(url)
    session = session_factory(engine)()
    create_trial(session, SYSTEM, load_protocol("resort"))
    create_site(session, SYSTEM, "MI01", "Milano")
    create_user(session, SYSTEM, "bench", PASSWORD, "data_manager", ["MI01"])
    session.close()
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TRIALDESK_SECRET_KEY": secrets.token_hex(32), "TRIALDESK_ENV": "test"}
    server = subprocess.Popen(
        [sys.executable, "-c", "from trialdesk.cli import main; main()", "serve", "--db", url,
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start within 30 s")


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def _load(base: str, patients: int, clients: int, max_seconds: float) -> dict[str, object]:
    token = httpx.post(f"{base}/api/v1/auth/token",
                       data={"username": "bench", "password": PASSWORD}).json()["access_token"]
    counter = iter(range(patients))
    lock = threading.Lock()
    latencies: dict[str, list[float]] = {"screen": [], "randomise": []}
    numbers: list[int] = []
    failures: list[str] = []
    deadline = time.perf_counter() + max_seconds

    def client_loop() -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                          timeout=60) as http:
            while time.perf_counter() < deadline:
                with lock:
                    index = next(counter, None)
                if index is None:
                    return
                start = time.perf_counter()
                screened = http.post("/api/v1/patients", json={
                    "site": "MI01", "screening": _screening(index), "screening_date": SCREENED})
                middle = time.perf_counter()
                if screened.status_code != 201:
                    failures.append(screened.text)
                    continue
                allocated = http.post(f"/api/v1/patients/{screened.json()['id']}/randomize",
                                      json={"date": RANDOMISED})
                end = time.perf_counter()
                with lock:
                    latencies["screen"].append(middle - start)
                    latencies["randomise"].append(end - middle)
                    if allocated.status_code == 201:
                        numbers.append(allocated.json()["randomization_number"])
                    else:
                        failures.append(allocated.text)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for future in [pool.submit(client_loop) for _ in range(clients)]:
            future.result()
    wall = time.perf_counter() - started
    requests = len(latencies["screen"]) + len(latencies["randomise"])
    return {
        "pairs": len(latencies["screen"]), "requests": requests, "seconds": round(wall, 2),
        "requests_per_second": round(requests / wall, 1),
        **{f"{kind}_p50_ms": round(1000 * statistics.median(values), 1)
           for kind, values in latencies.items() if values},
        **{f"{kind}_p99_ms": round(1000 * _percentile(values, 99), 1)
           for kind, values in latencies.items() if values},
        "unique_numbers": len(numbers) == len(set(numbers)), "failures": len(failures),
    }


def _run(name: str, url: str, args: argparse.Namespace) -> dict[str, object]:
    _prepare(url)
    port = _free_port()
    server = _serve(url, port)
    try:
        result = _load(f"http://127.0.0.1:{port}", args.patients, args.clients, args.max_seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"database": name, "clients": args.clients, **result}


def _postgres_database(server_url: str) -> tuple[str, object]:
    parsed = make_url(server_url)
    if parsed.host not in LOOPBACK:
        raise SystemExit(f"refusing a non-loopback PostgreSQL server: {parsed.host}")
    admin = plain_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"trialdesk_bench_api_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return parsed.set(database=name).render_as_string(hide_password=False), (admin, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=200, help="screen+randomise pairs per run")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="stop a run after this")
    parser.add_argument("--postgres", default=os.environ.get(
        "TRIALDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
        help="loopback PostgreSQL server URL ('' to skip)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(_run("SQLite", f"sqlite:///{folder}/bench.db", args))
    if args.postgres:
        url, (admin, name) = _postgres_database(args.postgres)
        try:
            results.append(_run("PostgreSQL", url, args))
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print("| database | clients | pairs | requests/s | screen p50 / p99 ms | randomise p50 / p99 ms "
          "| unique numbers |")
    print("|---|---|---|---|---|---|---|")
    for row in results:
        print(f"| {row['database']} | {row['clients']} | {row['pairs']} | {row['requests_per_second']} "
              f"| {row.get('screen_p50_ms')} / {row.get('screen_p99_ms')} "
              f"| {row.get('randomise_p50_ms')} / {row.get('randomise_p99_ms')} "
              f"| {row['unique_numbers']} ({row['failures']} failures) |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
