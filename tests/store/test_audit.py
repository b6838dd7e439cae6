"""The audit chain: one record per changed field, hashed by the documented rule, in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.errors import AuditIntegrityError
from trialdesk.store import AuditContext, audited_transaction
from trialdesk.store.audit import GENESIS_HASH, encode_value, record_hash
from trialdesk.store.models import AuditChainHead, AuditRecord, Site, Trial

WHO = AuditContext(user_id=None, username="tester", reason="set-up")


def _add_trial(session: Session) -> Trial:
    with audited_transaction(session, WHO):
        trial = Trial(code="T1", protocol_version="1.0", protocol_fingerprint="f" * 64,
                      protocol_yaml="id: T1", randomisation_seed=123456789,
                      created_at=dt.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC))
        session.add(trial)
    return trial


def _records(session: Session) -> list[AuditRecord]:
    with session.begin():
        return list(session.scalars(select(AuditRecord).order_by(AuditRecord.seq)))


def test_insert_writes_one_record_per_field_with_the_seed_only_as_a_digest(db: Session) -> None:
    trial = _add_trial(db)
    records = _records(db)
    assert [r.field for r in records] == sorted(
        ["code", "created_at", "id", "protocol_fingerprint", "protocol_version", "protocol_yaml",
         "randomisation_seed"])
    assert {(r.action, r.table_name, r.row_id, r.old_value) for r in records} == {
        ("insert", "trials", trial.id, None)}
    values = {r.field: r.new_value for r in records}
    assert values["code"] == '"T1"'
    assert values["created_at"] == '"2024-01-02T03:04:05.678901+00:00"'
    assert values["randomisation_seed"] == json.dumps(
        "sha256:" + hashlib.sha256(b"123456789").hexdigest())
    assert "123456789" not in "".join(r.new_value or "" for r in records)


def test_records_are_chained_by_the_documented_hash_rule(db: Session) -> None:
    _add_trial(db)
    records = _records(db)
    previous = GENESIS_HASH
    for seq, record in enumerate(records, start=1):
        content = {"seq": seq, "at": record.at.isoformat(timespec="microseconds"),
                   "user_id": None, "username": "tester", "table_name": "trials",
                   "row_id": record.row_id, "action": "insert", "field": record.field,
                   "old_value": None, "new_value": record.new_value, "reason": "set-up",
                   "prev_hash": previous}
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert record.hash == hashlib.sha256(canonical.encode()).hexdigest()
        assert record.prev_hash == previous
        previous = record.hash
    with db.begin():
        head = db.get_one(AuditChainHead, 1)
        assert (head.last_seq, head.last_hash) == (len(records), previous)


def test_update_records_old_new_and_reason_of_the_changed_field_only(db: Session) -> None:
    trial = _add_trial(db)
    with audited_transaction(db, AuditContext(user_id=7, username="dm", reason="typo in name")):
        site = Site(trial_id=trial.id, code="MI01", name="Milno")
        db.add(site)
        db.flush()
        site.name = "Milano"
    update = _records(db)[-1]
    assert (update.action, update.table_name, update.field) == ("update", "sites", "name")
    assert (update.old_value, update.new_value) == ('"Milno"', '"Milano"')
    assert (update.user_id, update.username, update.reason) == (7, "dm", "typo in name")


def test_delete_keeps_the_old_values(db: Session) -> None:
    trial = _add_trial(db)
    with audited_transaction(db, WHO):
        site = Site(trial_id=trial.id, code="MI01", name="Milano")
        db.add(site)
    with audited_transaction(db, WHO):
        db.delete(site)
    deletes = [r for r in _records(db) if r.action == "delete"]
    assert {r.field: (r.old_value, r.new_value) for r in deletes}["name"] == ('"Milano"', None)


def test_trial_data_written_outside_an_audited_transaction_is_refused(db: Session) -> None:
    with pytest.raises(AuditIntegrityError, match="outside an audited transaction"), db.begin():
        db.add(Site(trial_id=1, code="X", name="unaudited"))
    assert _records(db) == []


def test_a_failed_transaction_leaves_neither_data_nor_audit(db: Session) -> None:
    def write_then_crash() -> None:
        with audited_transaction(db, WHO):
            db.add(Trial(code="T2", protocol_version="1", protocol_fingerprint="x", protocol_yaml="",
                         randomisation_seed=1, created_at=dt.datetime.now(dt.UTC)))
            db.flush()
            raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        write_then_crash()
    assert _records(db) == []


def test_encoding_is_canonical() -> None:
    assert encode_value(dt.date(2024, 2, 29)) == '"2024-02-29"'
    assert encode_value({"b": 1, "a": "é"}) == '{"a":"é","b":1}'
    assert encode_value(None) is None
    assert record_hash({"a": 1, "hash": "ignored"}) == hashlib.sha256(b'{"a":1}').hexdigest()
