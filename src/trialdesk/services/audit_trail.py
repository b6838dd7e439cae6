"""Reading the audit trail (admin, monitor) and verifying it.

Secrets (the randomisation seed, password hashes) appear only as SHA-256 digests.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.services.actors import Actor, require_role
from trialdesk.store.models import AuditRecord

__all__ = ["AUDIT_READERS", "AuditEntry", "audit_trail"]

logger = logging.getLogger(__name__)

#: Roles that read the audit trail.
AUDIT_READERS = frozenset({"admin", "monitor"})


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit record: when (UTC), who, which table/row/field, old and new value (JSON text), why."""

    seq: int
    at: dt.datetime
    username: str
    table_name: str
    row_id: int
    action: str
    field: str
    old_value: str | None
    new_value: str | None
    reason: str | None
    hash: str


def audit_trail(session: Session, actor: Actor, *, table_name: str | None = None,
                row_id: int | None = None, username: str | None = None, since: dt.datetime | None = None,
                limit: int = 500, before_seq: int | None = None) -> tuple[AuditEntry, ...]:
    """Audit records, newest first, filtered; page with ``before_seq`` (the last seq seen).

    Raises
    ------
    PermissionDeniedError
        Unless the actor is an admin or a monitor.
    """
    require_role(actor, AUDIT_READERS, "read the audit trail")
    query = select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(limit)
    for column, value in ((AuditRecord.table_name, table_name), (AuditRecord.row_id, row_id),
                          (AuditRecord.username, username)):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(AuditRecord.at >= since)
    if before_seq is not None:
        query = query.where(AuditRecord.seq < before_seq)
    with session.begin():
        records = session.scalars(query).all()
    return tuple(AuditEntry(seq=r.seq, at=r.at, username=r.username, table_name=r.table_name,
                            row_id=r.row_id, action=r.action, field=r.field, old_value=r.old_value,
                            new_value=r.new_value, reason=r.reason, hash=r.hash) for r in records)
