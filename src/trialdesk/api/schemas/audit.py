"""Schema of ``GET /audit``: the hash-chained audit trail, newest first."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from trialdesk.api.schemas._base import OutputSchema

__all__ = ["AuditEntryOut"]


class AuditEntryOut(OutputSchema):
    """One field of one change of trial data (values as canonical JSON text; secrets hashed)."""

    seq: int = Field(description="Position in the chain: 1, 2, ... without gaps.")
    at: dt.datetime = Field(description="UTC time of the change.")
    username: str
    table_name: str
    row_id: int
    action: str = Field(description="insert, update or delete.")
    field: str
    old_value: str | None
    new_value: str | None
    reason: str | None
    hash: str = Field(description="SHA-256 of the record and the previous record's hash.")
