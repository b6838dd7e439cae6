"""API bearer tokens and page sessions: only a SHA-256 hash of each token is stored.

A token is 256 random bits shown once to its owner; the database keeps its SHA-256 (hex),
so a copy of the database cannot be replayed as credentials. Tokens are not trial data:
they are not in the audit trail (``Base``, not ``Audited``). Rows are kept after expiry or
revocation, so the history of who held access stays readable.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from trialdesk.store.models import Base
from trialdesk.store.types import UTCDateTime

__all__ = ["ApiToken"]


class ApiToken(Base):
    """One issued bearer token (``kind`` "api") or page session (``kind`` "session")."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
