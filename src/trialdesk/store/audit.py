"""The audit trail: every change of trial data, field by field, hash-chained.

A service opens its transaction with ``audited_transaction(session, who, reason)``: that
takes the chain head's row lock (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` already holds the write lock) and registers who acts and why. At every
flush, ``_write_audit_records`` turns each inserted, updated and deleted ``Audited`` row into
audit records (one per field: table, row id, field, old and new value as canonical JSON),
appends them to the chain and moves the head, all on the same connection, so they commit or
roll back with the change. The listener is registered on SQLAlchemy's ``Session`` class, so
no session escapes it; a flush of trial data without an audit context is refused.

Hash rule (docs/store.md#audit-hash): ``hash = sha256(canonical_json(record))`` where the
record holds seq, at (ISO 8601 UTC, microseconds), user_id, username, table_name, row_id,
action, field, old_value, new_value, reason and prev_hash; the first record's prev_hash is
64 zeros. Canonical JSON sorts keys, uses no spaces and keeps non-ASCII text as is.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.orm import Session, UOWTransaction

from trialdesk.errors import AuditIntegrityError
from trialdesk.store.models import AuditChainHead, Audited, AuditRecord

__all__ = [
    "GENESIS_HASH",
    "AuditContext",
    "audited_transaction",
    "canonical_json",
    "column_values",
    "encode_value",
    "read_consistently",
    "record_hash",
]

logger = logging.getLogger(__name__)

#: ``prev_hash`` of the first record of a chain.
GENESIS_HASH = "0" * 64
#: The id of the one chain head row.
CHAIN_HEAD_ID = 1
_CONTEXT_KEY = "trialdesk.audit_context"
_HEAD_KEY = "trialdesk.audit_chain_head"  # (last seq, last hash) while this transaction holds the lock

Action = Literal["insert", "update", "delete"]


@dataclass(frozen=True, slots=True)
class AuditContext:
    """Who is changing trial data and why; ``user_id`` is None for the system (``trialdesk init``)."""

    user_id: int | None
    username: str
    reason: str | None = None


def canonical_json(value: object) -> str:
    """JSON with sorted keys, no spaces, non-ASCII kept: the one text form that is hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def encode_value(value: object) -> str | None:
    """A column value as canonical JSON text; dates ISO, timestamps ISO UTC; None stays None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return canonical_json(value.astimezone(UTC).isoformat(timespec="microseconds"))
    if isinstance(value, date):
        return canonical_json(value.isoformat())
    return canonical_json(value)


def column_values(values: Mapping[str, object], redact: frozenset[str]) -> dict[str, str | None]:
    """A row's audited form: field -> ``encode_value``; secrets as ``"sha256:<hex>"`` digests."""
    return {name: _encode_field(name, value, redact) for name, value in values.items()}


def _encode_field(name: str, value: object, redact: frozenset[str]) -> str | None:
    text = encode_value(value)
    if name in redact and text is not None:
        return canonical_json("sha256:" + hashlib.sha256(text.encode()).hexdigest())
    return text


def record_hash(record: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of an audit record's canonical JSON; ``record`` excludes ``hash`` itself."""
    fields = {key: value for key, value in record.items() if key != "hash"}
    if isinstance(fields.get("at"), datetime):
        fields["at"] = fields["at"].astimezone(UTC).isoformat(timespec="microseconds")
    return hashlib.sha256(canonical_json(fields).encode()).hexdigest()


@contextmanager
def audited_transaction(session: Session, context: AuditContext) -> Iterator[Session]:
    """One write transaction: begin, lock the chain head, audit every flush, commit or roll back.

    Raises
    ------
    AuditIntegrityError
        When the database has no chain head (its schema was not created by ``upgrade``).
    """
    with session.begin():
        session.info[_CONTEXT_KEY] = context
        try:
            session.info[_HEAD_KEY] = _lock_chain_head(session)
            yield session
            session.flush()
        finally:
            session.info.pop(_CONTEXT_KEY, None)
            session.info.pop(_HEAD_KEY, None)


def read_consistently(session: Session) -> None:
    """Share the chain head's lock for the rest of the transaction: no writer is half-way.

    Writers hold the head's row lock for their whole transaction, so the reads that follow
    see one consistent state of all trial data (PostgreSQL ``FOR SHARE``; SQLite's
    ``BEGIN IMMEDIATE`` already excludes writers).
    """
    session.execute(select(AuditChainHead.id).where(AuditChainHead.id == CHAIN_HEAD_ID)
                    .with_for_update(read=True))


def _lock_chain_head(session: Session) -> tuple[int, str]:
    head = session.execute(
        select(AuditChainHead.last_seq, AuditChainHead.last_hash)
        .where(AuditChainHead.id == CHAIN_HEAD_ID).with_for_update()
    ).one_or_none()
    if head is None:
        raise AuditIntegrityError("the audit chain has no head row; create the schema with "
                                  "trialdesk init (or trialdesk.store.upgrade)")
    return int(head.last_seq), str(head.last_hash)


def _changes(session: Session) -> Iterator[tuple[Action, Audited, dict[str, tuple[str | None, str | None]]]]:
    for obj in session.new:
        if isinstance(obj, Audited):
            yield "insert", obj, {name: (None, new) for name, new in _current(obj).items()}
    for obj in session.dirty:
        if isinstance(obj, Audited) and session.is_modified(obj, include_collections=False):
            yield "update", obj, _updated_fields(obj)
    for obj in session.deleted:
        if isinstance(obj, Audited):
            yield "delete", obj, {name: (old, None) for name, old in _current(obj).items()}


def _current(obj: Audited) -> dict[str, str | None]:
    mapper = inspect(type(obj))
    values = {column.key: getattr(obj, column.key) for column in mapper.column_attrs}
    return column_values(values, obj.__audit_redact__)


def _updated_fields(obj: Audited) -> dict[str, tuple[str | None, str | None]]:
    state = inspect(obj)
    changed = {}
    for attr in inspect(type(obj)).column_attrs:
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        old = _encode_field(attr.key, history.deleted[0] if history.deleted else None,
                            obj.__audit_redact__)
        new = _encode_field(attr.key, history.added[0] if history.added else None,
                            obj.__audit_redact__)
        if old != new:
            changed[attr.key] = (old, new)
    return changed


@event.listens_for(Session, "before_flush")
def _refuse_unaudited_writes(session: Session, _flush_context: UOWTransaction, _instances: object) -> None:
    """Stop a flush of trial data without an audit context before any SQL is sent."""
    pending = (*session.new, *session.dirty, *session.deleted)
    if session.info.get(_CONTEXT_KEY) is None and any(isinstance(obj, Audited) for obj in pending):
        raise AuditIntegrityError("trial data written outside an audited transaction; "
                                  "use trialdesk.store.audited_transaction")


@event.listens_for(Session, "after_flush")
def _write_audit_records(session: Session, _flush_context: UOWTransaction) -> None:
    """Append the flush's changes of trial data to the chain (every ORM session, by design)."""
    changes = sorted(_changes(session), key=lambda change: (change[1].__tablename__, change[1].id))
    if not changes:
        return
    context: AuditContext = session.info[_CONTEXT_KEY]
    last_seq, last_hash = session.info[_HEAD_KEY]
    at = datetime.now(UTC)
    rows = []
    for action, obj, fields in changes:
        for field, (old, new) in sorted(fields.items()):
            record = {"seq": last_seq + 1, "at": at, "user_id": context.user_id,
                      "username": context.username, "table_name": obj.__tablename__,
                      "row_id": obj.id, "action": action, "field": field, "old_value": old,
                      "new_value": new, "reason": context.reason, "prev_hash": last_hash}
            record["hash"] = record_hash(record)
            rows.append(record)
            last_seq, last_hash = record["seq"], record["hash"]
    connection = session.connection()
    connection.execute(insert(AuditRecord), rows)
    connection.execute(update(AuditChainHead).where(AuditChainHead.id == CHAIN_HEAD_ID)
                       .values(last_seq=last_seq, last_hash=last_hash))
    session.info[_HEAD_KEY] = (last_seq, last_hash)
    logger.debug("audit: %d records, chain now at %d", len(rows), last_seq)
