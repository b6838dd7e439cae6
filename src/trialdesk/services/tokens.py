"""Bearer tokens for the API and session tokens for the pages: issue, authenticate, revoke.

A token is ``secrets.token_urlsafe(32)`` (256 bits), returned once; the database keeps only
its SHA-256 (``trialdesk.store.tokens``). A token is valid until ``expires_at`` (UTC) unless
revoked earlier, and only while its user is active. A fast hash is right here: the token is
random, so there is nothing to guess that a slow password hash would protect (passwords
themselves are Argon2id, ``trialdesk.services.accounts``).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from trialdesk.errors import NotFoundError, TrialdeskError
from trialdesk.services.accounts import actor_for, check_password
from trialdesk.services.actors import Actor, require_role
from trialdesk.store.models import User
from trialdesk.store.tokens import ApiToken

__all__ = [
    "AuthenticationError",
    "IssuedToken",
    "TokenKind",
    "authenticate",
    "issue_token",
    "revoke_token",
    "revoke_user_tokens",
    "token_hash",
]

logger = logging.getLogger(__name__)

TokenKind = Literal["api", "session"]


class AuthenticationError(TrialdeskError):
    """The caller is not signed in: wrong password, or an unknown, expired or revoked token."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly issued token: ``token`` is shown to its owner once and never stored."""

    token: str
    expires_at: datetime
    actor: Actor


def token_hash(token: str) -> str:
    """SHA-256 (hex) of a token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _now(now: datetime | None) -> datetime:
    return datetime.now(UTC) if now is None else now


def issue_token(session: Session, username: str, password: str, *, lifetime: timedelta,
                kind: TokenKind = "api", now: datetime | None = None) -> IssuedToken:
    """Check the password and issue a token valid for ``lifetime``.

    Raises
    ------
    AuthenticationError
        Wrong username or password (one message for both: it does not tell which).
    """
    actor = check_password(session, username, password)
    if actor is None or actor.user_id is None:
        raise AuthenticationError("wrong username or password")
    issued_at = _now(now)
    token = secrets.token_urlsafe(32)
    with session.begin():
        session.add(ApiToken(token_hash=token_hash(token), user_id=actor.user_id, kind=kind,
                             issued_at=issued_at, expires_at=issued_at + lifetime, revoked_at=None))
    logger.info("%s token issued to user %d", kind, actor.user_id)
    return IssuedToken(token=token, expires_at=issued_at + lifetime, actor=actor)


def authenticate(session: Session, token: str, *, now: datetime | None = None) -> Actor:
    """The actor holding ``token``.

    Raises
    ------
    AuthenticationError
        Unknown, expired or revoked token, or a user who is no longer active.
    """
    with session.begin():
        row = session.execute(
            select(ApiToken.expires_at, ApiToken.revoked_at, User.username)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == token_hash(token))
        ).one_or_none()
        if row is None or row.revoked_at is not None or row.expires_at <= _now(now):
            raise AuthenticationError("the token is unknown, expired or revoked; sign in again")
        try:
            return actor_for(session, row.username)
        except NotFoundError as exc:
            raise AuthenticationError("the account is no longer active") from exc


def revoke_token(session: Session, token: str, *, now: datetime | None = None) -> None:
    """Revoke one token (signing out); revoking an unknown or revoked token does nothing."""
    with session.begin():
        session.execute(update(ApiToken)
                        .where(ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None))
                        .values(revoked_at=_now(now)))


def revoke_user_tokens(session: Session, actor: Actor, username: str, *,
                       now: datetime | None = None) -> int:
    """Revoke every live token of ``username`` (an admin locking an account out); the count.

    Raises
    ------
    PermissionDeniedError
        Unless the actor is an admin.
    NotFoundError
        No such user.
    """
    require_role(actor, {"admin"}, "revoke other users' tokens")
    with session.begin():
        user_id = session.scalar(select(User.id).where(User.username == username))
        if user_id is None:
            raise NotFoundError(f"no user {username!r}")
        result = session.execute(update(ApiToken)
                                 .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                                 .values(revoked_at=_now(now)))
    logger.info("revoked %d token(s) of user %d", result.rowcount, user_id)
    return int(result.rowcount)
