"""Verification: any edit of an audit row or a trial row behind the application's back is named."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from trialdesk.errors import AuditIntegrityError
from trialdesk.store import AuditContext, audited_transaction, verify_audit
from trialdesk.store.audit import record_hash
from trialdesk.store.models import AuditRecord, Site, Trial

WHO = AuditContext(user_id=None, username="tester", reason="set-up")


@pytest.fixture
def history(db: Session) -> dict[str, int]:
    """A trial and two sites, one renamed: 7 + 4 + 4 + 1 = 16 audit records (fields sorted by name).

    Returns the row ids (PostgreSQL sequences do not roll back, so they vary between tests).
    """
    with audited_transaction(db, WHO):
        trial = Trial(code="T1", protocol_version="1.0", protocol_fingerprint="f", protocol_yaml="id: T1",
                      randomisation_seed=42, created_at=dt.datetime(2024, 1, 2, tzinfo=dt.UTC))
        db.add(trial)
        db.flush()
        db.add_all([Site(trial_id=trial.id, code="MI01", name="Milno"),
                    Site(trial_id=trial.id, code="RM01", name="Roma")])
    with audited_transaction(db, AuditContext(user_id=None, username="tester", reason="typo")):
        db.query(Site).filter_by(code="MI01").one().name = "Milano"
    with db.begin():
        ids = {site.code: site.id for site in db.query(Site)}
    return {"trial": trial.id, "mi01": ids["MI01"], "rm01": ids["RM01"], "new": ids["RM01"] + 100}


def test_an_untouched_history_verifies(db: Session, history: dict[str, int]) -> None:
    verification = verify_audit(db)
    assert verification.ok
    assert (verification.records_checked, verification.rows_checked) == (16, 3)
    verification.raise_if_broken()


def _rehash_record_5(session: Session) -> None:
    """A forger who edits record 5 and recomputes its hash: the next link breaks."""
    row = session.execute(select(AuditRecord.__table__).where(AuditRecord.seq == 5)).mappings().one()
    forged = {**row, "new_value": '"forged"'}
    session.execute(text("UPDATE audit_records SET new_value = :new, hash = :hash WHERE seq = 5"),
                    {"new": forged["new_value"], "hash": record_hash(forged)})


TAMPERING = {
    "audit value edited": (
        "UPDATE audit_records SET new_value = '\"Roma!\"' WHERE seq = 14",
        "audit record 14, sites row {rm01}, field name: hash does not match the record's content"),
    "audit reason edited": (
        "UPDATE audit_records SET reason = 'nothing to see' WHERE seq = 16",
        "audit record 16, sites row {mi01}, field name: hash does not match"),
    "audit record deleted": (
        "DELETE FROM audit_records WHERE seq = 3",
        "audit record 4, trials row {trial}, field protocol_fingerprint: out of sequence: expected record 3"),
    "last audit record deleted": (
        "DELETE FROM audit_records WHERE seq = 16",
        "audit record 16: chain head does not name the last record 15"),
    "audit record rehashed after an edit": (
        _rehash_record_5,
        "audit record 6, trials row {trial}, field protocol_yaml: previous-hash link broken"),
    "trial row edited": (
        "UPDATE sites SET name = 'Napoli' WHERE code = 'RM01'",
        'sites row {rm01}, field name: database holds "Napoli", the audit trail says "Roma"'),
    "secret edited": (
        "UPDATE trials SET randomisation_seed = 43",
        'trials row {trial}, field randomisation_seed: database holds "sha256:'),
    "trial row inserted": (
        "INSERT INTO sites (id, trial_id, code, name) VALUES ({new}, {trial}, 'NA01', 'Napoli')",
        "sites row {new}: row has no audit history"),
    "trial row deleted": (
        "DELETE FROM sites WHERE code = 'RM01'",
        "sites row {rm01}: deleted behind the application's back"),
}


@pytest.mark.parametrize("tampering", TAMPERING, ids=list(TAMPERING))
def test_tampering_is_found_and_the_first_broken_item_named(db: Session, history: dict[str, int],
                                                             tampering: str) -> None:
    statement, expected = TAMPERING[tampering]
    if callable(statement):
        statement(db)
    else:
        db.execute(text(statement.format(**history)))
    verification = verify_audit(db)
    assert not verification.ok
    first = (verification.chain_problems + verification.replay_problems)[0]
    assert str(first).startswith(expected.format(**history))
    with pytest.raises(AuditIntegrityError) as raised:
        verification.raise_if_broken()
    assert str(raised.value).startswith(expected.format(**history))
