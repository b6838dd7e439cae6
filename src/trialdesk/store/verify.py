"""Verify the audit trail: walk the hash chain, then replay it against the trial data.

1. Chain: records are numbered 1, 2, ... without gaps; each ``prev_hash`` equals the hash of
   the record before (64 zeros for the first); each ``hash`` equals the SHA-256 of the
   record's canonical JSON (``trialdesk.store.audit.record_hash``); the chain head names the
   last record. An edited, deleted or inserted audit row breaks one of these.
2. Replay: applying every record in order (insert sets a row's fields, update one field,
   delete removes the row; each update or delete must start from the value the trail
   holds) rebuilds every trial row; each current row must equal its rebuilt self, field by
   field, and no row may exist or be missing without the trail saying so. An edit of trial
   data behind the application's back is found here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.errors import AuditIntegrityError
from trialdesk.store.audit import CHAIN_HEAD_ID, GENESIS_HASH, column_values, read_consistently, record_hash
from trialdesk.store.models import AuditChainHead, Audited, AuditRecord, Base

__all__ = ["AuditProblem", "AuditVerification", "audited_models", "verify_audit"]

logger = logging.getLogger(__name__)

RowKey = tuple[str, int]


@dataclass(frozen=True, slots=True)
class AuditProblem:
    """One disagreement: which audit record (``seq``) or trial row (``table_name``, ``row_id``)."""

    message: str
    seq: int | None = None
    table_name: str | None = None
    row_id: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.seq is not None:
            where.append(f"audit record {self.seq}")
        if self.table_name is not None:
            where.append(f"{self.table_name} row {self.row_id}")
        if self.field is not None:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass(frozen=True, slots=True)
class AuditVerification:
    """The outcome of ``verify_audit``: counts checked and the problems found (first first)."""

    records_checked: int
    rows_checked: int
    chain_problems: tuple[AuditProblem, ...]
    replay_problems: tuple[AuditProblem, ...]

    @property
    def ok(self) -> bool:
        """True when the chain is intact and every trial row equals its history."""
        return not self.chain_problems and not self.replay_problems

    def raise_if_broken(self) -> None:
        """Raise ``AuditIntegrityError`` naming the first broken record, else the first bad row."""
        problems = self.chain_problems + self.replay_problems
        if problems:
            more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
            raise AuditIntegrityError(f"{problems[0]}{more}")


def audited_models() -> tuple[type[Audited], ...]:
    """Every ORM class of trial data, in table-creation order."""
    by_table = {mapper.class_.__tablename__: mapper.class_ for mapper in Base.registry.mappers
                if issubclass(mapper.class_, Audited)}
    return tuple(by_table[table.name] for table in Base.metadata.sorted_tables if table.name in by_table)


def verify_audit(session: Session, *, max_problems: int = 20) -> AuditVerification:
    """Walk the chain and replay it against the current trial data (read-only).

    Parameters
    ----------
    session
        A session on the database with no transaction in progress; the check runs in its own
        transaction, which it rolls back.
    max_problems
        Stop collecting after this many problems of each kind.
    """
    try:
        read_consistently(session)
        head = session.get(AuditChainHead, CHAIN_HEAD_ID, populate_existing=True)
        records = list(session.execute(select(AuditRecord).order_by(AuditRecord.seq)).scalars())
        chain = tuple(_limit(_chain_problems(records, head), max_problems))
        history = _replay(records)
        replay, rows_checked = _compare_rows(session, history.rows)
        replay_problems = tuple(_limit(iter(history.problems + replay), max_problems))
    finally:
        session.rollback()
    logger.info("audit verify: %d records, %d rows, %d chain and %d replay problems",
                len(records), rows_checked, len(chain), len(replay_problems))
    return AuditVerification(records_checked=len(records), rows_checked=rows_checked,
                             chain_problems=chain, replay_problems=replay_problems)


def _limit(problems: Iterator[AuditProblem], count: int) -> Iterator[AuditProblem]:
    for index, problem in enumerate(problems):
        if index >= count:
            return
        yield problem


def _record_fields(record: AuditRecord) -> dict[str, object]:
    return {column.key: getattr(record, column.key) for column in AuditRecord.__table__.columns}


def _chain_problems(records: list[AuditRecord], head: AuditChainHead | None) -> Iterator[AuditProblem]:
    previous_hash = GENESIS_HASH
    for expected_seq, record in enumerate(records, start=1):
        where = {"seq": record.seq, "table_name": record.table_name, "row_id": record.row_id,
                 "field": record.field}
        if record.seq != expected_seq:
            yield AuditProblem(f"out of sequence: expected record {expected_seq} here "
                               "(a record was deleted or inserted)", **where)
            return
        if record.prev_hash != previous_hash:
            yield AuditProblem("previous-hash link broken (the record before it was changed, "
                               "deleted or inserted)", **where)
            return
        if record_hash(_record_fields(record)) != record.hash:
            yield AuditProblem("hash does not match the record's content (the record was edited)",
                               **where)
            return
        previous_hash = record.hash
    last_seq = records[-1].seq if records else 0
    if head is None or (head.last_seq, head.last_hash) != (last_seq, previous_hash):
        yield AuditProblem(f"chain head does not name the last record {last_seq} "
                           "(records were removed from the end or the head was edited)",
                           seq=head.last_seq if head is not None else None)


@dataclass(slots=True)
class _History:
    rows: dict[RowKey, dict[str, str | None]]
    problems: list[AuditProblem]


def _replay(records: list[AuditRecord]) -> _History:
    history = _History(rows={}, problems=[])
    for record in records:
        key = (record.table_name, record.row_id)
        where = {"seq": record.seq, "table_name": record.table_name, "row_id": record.row_id,
                 "field": record.field}
        row = history.rows.get(key)
        if record.action == "insert":
            if row is not None and record.field in row:
                history.problems.append(AuditProblem("inserts a field the row already has", **where))
            history.rows.setdefault(key, {})[record.field] = record.new_value
            continue
        if row is None or record.field not in row:
            history.problems.append(AuditProblem(f"{record.action} of a row the trail never inserted",
                                                 **where))
            continue
        if row[record.field] != record.old_value:
            history.problems.append(AuditProblem(
                f"old value {record.old_value} differs from the trail's {row[record.field]}", **where))
        if record.action == "update":
            row[record.field] = record.new_value
        else:
            del row[record.field]
            if not row:
                del history.rows[key]
    return history


def _compare_rows(session: Session,
                  expected: dict[RowKey, dict[str, str | None]]) -> tuple[list[AuditProblem], int]:
    problems: list[AuditProblem] = []
    seen: set[RowKey] = set()
    for model in audited_models():
        columns = [attr.columns[0].label(attr.key) for attr in model.__mapper__.column_attrs]
        for row in session.execute(select(*columns).order_by(model.__table__.c.id)).mappings():
            key = (model.__tablename__, int(row["id"]))
            seen.add(key)
            problems.extend(_compare_row(key, column_values(row, model.__audit_redact__),
                                         expected.get(key)))
    for table_name, row_id in sorted(set(expected) - seen):
        problems.append(AuditProblem("deleted behind the application's back: the trail says the "
                                     "row exists", table_name=table_name, row_id=row_id))
    return problems, len(seen)


def _compare_row(key: RowKey, actual: dict[str, str | None],
                 expected: dict[str, str | None] | None) -> Iterator[AuditProblem]:
    table_name, row_id = key
    if expected is None:
        yield AuditProblem("row has no audit history (inserted behind the application's back)",
                           table_name=table_name, row_id=row_id)
        return
    for field in sorted(set(actual) | set(expected)):
        if actual.get(field) != expected.get(field):
            yield AuditProblem(f"database holds {actual.get(field)}, the audit trail says "
                               f"{expected.get(field)}", table_name=table_name, row_id=row_id,
                               field=field)
