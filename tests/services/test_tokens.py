"""Bearer and session tokens: only a hash is stored; they expire, can be revoked, need an active user."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.services.service_factory import PASSWORD, TrialUsers
from trialdesk.errors import NotFoundError, PermissionDeniedError
from trialdesk.services.tokens import (
    AuthenticationError,
    authenticate,
    issue_token,
    revoke_token,
    revoke_user_tokens,
    token_hash,
)
from trialdesk.store.models import User
from trialdesk.store.tokens import ApiToken

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_the_token_is_returned_once_and_only_its_hash_is_stored(db: Session, users: TrialUsers) -> None:
    issued = issue_token(db, "investigator", PASSWORD, lifetime=HOUR, now=T0)
    assert len(issued.token) >= 43  # 256 random bits, URL-safe base64
    assert issued.actor == users.investigator
    with db.begin():
        stored = db.scalars(select(ApiToken)).all()
    assert [row.token_hash for row in stored] == [token_hash(issued.token)]
    assert issued.token not in {row.token_hash for row in stored}
    assert stored[0].expires_at == T0 + HOUR
    assert stored[0].kind == "api"


def test_a_token_authenticates_until_it_expires(db: Session, users: TrialUsers) -> None:
    issued = issue_token(db, "monitor", PASSWORD, lifetime=HOUR, now=T0)
    assert authenticate(db, issued.token, now=T0 + HOUR - timedelta(seconds=1)) == users.monitor
    with pytest.raises(AuthenticationError):
        authenticate(db, issued.token, now=T0 + HOUR)


def test_wrong_passwords_and_unknown_tokens_are_refused(db: Session, users: TrialUsers) -> None:
    with pytest.raises(AuthenticationError, match="wrong username or password"):
        issue_token(db, "monitor", "not the password", lifetime=HOUR)
    with pytest.raises(AuthenticationError, match="wrong username or password"):
        issue_token(db, "nobody", PASSWORD, lifetime=HOUR)
    with pytest.raises(AuthenticationError):
        authenticate(db, "made-up-token")


def test_revoked_tokens_and_inactive_users_are_refused(db: Session, users: TrialUsers) -> None:
    first = issue_token(db, "data_manager", PASSWORD, lifetime=HOUR, now=T0)
    second = issue_token(db, "data_manager", PASSWORD, lifetime=HOUR, now=T0, kind="session")
    revoke_token(db, first.token, now=T0)
    with pytest.raises(AuthenticationError):
        authenticate(db, first.token, now=T0)
    assert authenticate(db, second.token, now=T0) == users.data_manager
    with db.begin():
        db.execute(update(User).where(User.username == "data_manager").values(active=False))
    with pytest.raises(AuthenticationError, match="no longer active"):
        authenticate(db, second.token, now=T0)


def test_only_an_admin_revokes_another_users_tokens(db: Session, users: TrialUsers) -> None:
    tokens = [issue_token(db, "statistician", PASSWORD, lifetime=HOUR, now=T0) for _ in range(2)]
    with pytest.raises(PermissionDeniedError):
        revoke_user_tokens(db, users.monitor, "statistician")
    assert revoke_user_tokens(db, users.admin, "statistician", now=T0) == 2
    assert revoke_user_tokens(db, users.admin, "statistician", now=T0) == 0
    for issued in tokens:
        with pytest.raises(AuthenticationError):
            authenticate(db, issued.token, now=T0)
    with pytest.raises(NotFoundError):
        revoke_user_tokens(db, users.admin, "nobody")
