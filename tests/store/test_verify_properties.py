"""Hypothesis: any history of audited writes verifies, and any single edit behind its back does not."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

from trialdesk.store import AuditContext, audited_transaction, verify_audit
from trialdesk.store.models import AuditRecord, Site, Trial

WHO = AuditContext(user_id=None, username="tester", reason="property")
NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)
OPERATIONS = st.lists(st.one_of(
    st.tuples(st.just("add"), NAMES),
    st.tuples(st.just("rename"), st.integers(0, 9), NAMES),
    st.tuples(st.just("delete"), st.integers(0, 9))), min_size=1, max_size=6)


@pytest.fixture
def trial_id(db: Session) -> int:
    with audited_transaction(db, WHO):
        trial = Trial(code="T1", protocol_version="1", protocol_fingerprint="f", protocol_yaml="id: T1",
                      randomisation_seed=7, created_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        db.add(trial)
    return trial.id


def _apply(session: Session, trial_id: int, operations: list[tuple]) -> list[Site]:
    live: list[Site] = []
    for number, operation in enumerate(operations):
        with audited_transaction(session, WHO):
            if operation[0] == "add":
                site = Site(trial_id=trial_id, code=f"S{number}", name=operation[1])
                session.add(site)
                live.append(site)
            elif live and operation[0] == "rename":
                live[operation[1] % len(live)].name = operation[2]
            elif live:
                session.delete(live.pop(operation[1] % len(live)))
    return live


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS, tamper_audit=st.booleans(), pick=st.integers(0, 10_000))
def test_histories_verify_and_single_edits_are_found(db: Session, trial_id: int, operations: list[tuple],
                                                     tamper_audit: bool, pick: int) -> None:
    example = db.get_bind().begin_nested()  # each example is rolled back
    try:
        live = _apply(db, trial_id, operations)
        verification = verify_audit(db)
        assert verification.ok, verification.chain_problems + verification.replay_problems
        assert verification.rows_checked == 1 + len(live)
        with db.begin():
            last_seq = db.query(AuditRecord.seq).order_by(AuditRecord.seq.desc()).limit(1).scalar()
        if tamper_audit or not live:
            seq = 1 + pick % last_seq
            db.execute(text("UPDATE audit_records SET username = 'forger' WHERE seq = :seq"), {"seq": seq})
            expected = f"audit record {seq}"
        else:
            site = live[pick % len(live)]
            db.execute(text("UPDATE sites SET name = :name WHERE id = :id"),
                       {"name": site.name + "!", "id": site.id})
            expected = f"sites row {site.id}, field name"
        broken = verify_audit(db)
        assert str((broken.chain_problems + broken.replay_problems)[0]).startswith(expected)
    finally:
        example.rollback()
        db.expunge_all()
