"""``/users``: accounts (admin only): create, and lock out by revoking every token."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Path

from trialdesk.api.deps import CurrentUser, DbSession
from trialdesk.api.errors import error_responses
from trialdesk.api.schemas._base import OutputSchema
from trialdesk.api.schemas.admin import UserIn, UserOut
from trialdesk.services.accounts import create_user
from trialdesk.services.tokens import revoke_user_tokens

__all__ = ["RevokedOut", "router"]

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/users", tags=["admin"])


class RevokedOut(OutputSchema):
    """How many live tokens were revoked."""

    revoked: int


@router.post("", status_code=201, response_model=UserOut,
             responses=error_responses(400, 401, 403, 409, 422))
def add_user(body: UserIn, user: CurrentUser, db: DbSession) -> UserOut:
    """Create a user; investigators and data managers need their sites."""
    created = create_user(db, user, body.username, body.password, body.role, body.sites)
    return UserOut(username=created.username, role=created.role, sites=list(created.sites))


@router.delete("/{username}/tokens", response_model=RevokedOut,
               responses=error_responses(401, 403, 404, 422))
def revoke_tokens(username: str = Path(max_length=64), *, user: CurrentUser,
                  db: DbSession) -> RevokedOut:
    """Revoke every live token and page session of a user (admin only)."""
    return RevokedOut(revoked=revoke_user_tokens(db, user, username))
