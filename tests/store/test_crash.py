"""A writer SIGKILLed mid-stream: acknowledged writes survive, nothing is half-written, the chain verifies."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from trialdesk.store import AuditContext, audited_transaction, create_engine, session_factory, verify_audit
from trialdesk.store.models import Site, Trial

WRITER = Path(__file__).with_name("_crash_writer.py")
ACKS_BEFORE_KILL = 40


@pytest.mark.slow
def test_sigkill_mid_stream_loses_no_acknowledged_write(make_database: Callable[[], str]) -> None:
    url = make_database()
    engine = create_engine(url)
    session = session_factory(engine)()
    with audited_transaction(session, AuditContext(user_id=None, username="tester", reason="set-up")):
        session.add(Trial(code="T1", protocol_version="1", protocol_fingerprint="f", protocol_yaml="id: T1",
                          randomisation_seed=1, created_at=dt.datetime.now(dt.UTC)))
    writer = subprocess.Popen([sys.executable, str(WRITER), url], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    acknowledged = 0
    assert writer.stdout is not None
    for line in writer.stdout:
        acknowledged = int(line.split()[1])
        if acknowledged >= ACKS_BEFORE_KILL:
            break
    writer.send_signal(signal.SIGKILL)  # mid-stream: the next transaction is already under way
    writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL

    with session.begin():
        sites = session.execute(select(Site.code, Site.name).order_by(Site.code)).all()
    written = len(sites)
    assert written >= acknowledged  # every acknowledged write is there (one more may have committed)
    assert [code for code, _ in sites] == [f"S{n:06d}" for n in range(1, written + 1)]
    expected_names = [f"site {n} (renamed)" for n in range(1, written)] + [f"site {written}"]
    assert [name for _, name in sites] == expected_names  # each write whole: insert and rename together
    verification = verify_audit(session)
    assert verification.ok, verification.chain_problems + verification.replay_problems
    session.close()
    engine.dispose()
