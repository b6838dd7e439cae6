"""``/auth/token``: sign in for a bearer token (OAuth2 password form), sign out (revoke it)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.security import OAuth2PasswordRequestForm

from trialdesk.api.deps import ClientAddress, CurrentUser, DbSession, State, bearer_token
from trialdesk.api.errors import error_responses
from trialdesk.api.schemas.auth import TokenOut
from trialdesk.api.throttle import LoginThrottle
from trialdesk.services.tokens import AuthenticationError, issue_token, revoke_token

__all__ = ["router"]

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=TokenOut, responses=error_responses(400, 401, 422, 429))
def sign_in(form: Annotated[OAuth2PasswordRequestForm, Depends()], db: DbSession, state: State,
            client: ClientAddress) -> TokenOut:
    """Exchange username and password for a bearer token valid for the configured lifetime.

    Repeated failures for a username, or from a client address, are answered with 429 and
    ``Retry-After`` for a delay that doubles with each further failure.
    """
    keys = LoginThrottle.keys(form.username, client)
    state.throttle.check(keys)
    try:
        issued = issue_token(db, form.username, form.password,
                             lifetime=state.settings.token_lifetime, kind="api")
    except AuthenticationError:
        state.throttle.record_failure(keys)
        raise
    state.throttle.record_success(form.username)
    return TokenOut(access_token=issued.token, expires_at=issued.expires_at)


@router.delete("/token", status_code=204, response_class=Response,
               responses=error_responses(401))
def sign_out(user: CurrentUser, db: DbSession,
             token: Annotated[str | None, Depends(bearer_token)]) -> Response:
    """Revoke the bearer token of this request; it is refused from now on."""
    if token is not None:
        revoke_token(db, token)
    logger.info("user %s revoked a token", user.username)
    return Response(status_code=204)
