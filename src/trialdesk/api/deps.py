"""Request dependencies as named types: the database session, the caller, role checks.

``def randomise(body: RandomiseIn, db: DbSession, user: CurrentUser) -> RandomiseOut``:
the session is opened per request and closed after it (services own the transactions);
the caller comes from the ``Authorization: Bearer`` token. Site-level access and most role
rules are enforced by the services themselves; the role aliases here guard endpoints
whose whole purpose belongs to one role (the audit trail, the interim report).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from trialdesk.api.state import AppState
from trialdesk.services.actors import Actor, Role, require_role
from trialdesk.services.audit_trail import AUDIT_READERS
from trialdesk.services.tokens import AuthenticationError, authenticate

__all__ = [
    "TOKEN_URL",
    "AuditReader",
    "ClientAddress",
    "CurrentUser",
    "DbSession",
    "State",
    "StatisticianUser",
    "bearer_token",
]

logger = logging.getLogger(__name__)

#: Where clients obtain a token (absolute: the API is mounted under /api/v1).
TOKEN_URL = "/api/v1/auth/token"

bearer_token = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False,
                                    description="A token from POST /api/v1/auth/token.")


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.trialdesk
    return state


State = Annotated[AppState, Depends(_state)]


def _db(state: State) -> Iterator[Session]:
    with state.sessions() as session:
        yield session


DbSession = Annotated[Session, Depends(_db)]


def _client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


#: The client's address (the proxy's X-Forwarded-For when uvicorn trusts it).
ClientAddress = Annotated[str | None, Depends(_client_address)]


def _current_actor(db: DbSession, token: Annotated[str | None, Depends(bearer_token)]) -> Actor:
    if not token:
        raise AuthenticationError("send a bearer token (POST /api/v1/auth/token)")
    return authenticate(db, token)


CurrentUser = Annotated[Actor, Depends(_current_actor)]


def _require(*roles: Role, action: str) -> Callable[[Actor], Actor]:
    def check(user: CurrentUser) -> Actor:
        require_role(user, set(roles), action)
        return user

    return check


AuditReader = Annotated[Actor, Depends(_require(*AUDIT_READERS, action="read the audit trail"))]
StatisticianUser = Annotated[Actor, Depends(_require("statistician",
                                                     action="run the interim analysis"))]
