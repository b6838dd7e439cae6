"""Sign in and out of the pages (a session token in an HttpOnly cookie)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from trialdesk.api.deps import ClientAddress, DbSession, State
from trialdesk.api.throttle import LoginThrottle, LoginThrottledError
from trialdesk.services.tokens import AuthenticationError, issue_token, revoke_token
from trialdesk.web.pages import SESSION_COOKIE, CsrfForm, PageUser, render, set_cookie

__all__ = ["router"]

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)


@router.get("/login")
def login_page(request: Request) -> Response:
    """The sign-in form."""
    return render(request, "login.html", {"title": "Sign in"})


@router.post("/login")
def login(request: Request, form: CsrfForm, db: DbSession, state: State,
          client: ClientAddress) -> Response:
    """Check the password (throttled like the API) and start a page session."""
    username = form.get("username", "")[:64]
    keys = LoginThrottle.keys(username, client)
    try:
        state.throttle.check(keys)
        try:
            issued = issue_token(db, username, form.get("password", "")[:200],
                                 lifetime=state.settings.token_lifetime, kind="session")
        except AuthenticationError:
            state.throttle.record_failure(keys)
            raise
    except (AuthenticationError, LoginThrottledError) as exc:
        status = 429 if isinstance(exc, LoginThrottledError) else 401
        return render(request, "login.html", {"title": "Sign in", "error": str(exc),
                                              "username": username}, status_code=status)
    state.throttle.record_success(username)
    response = RedirectResponse("/", status_code=303)
    set_cookie(response, state, SESSION_COOKIE, issued.token, expires=issued.expires_at)
    return response


@router.post("/logout")
def logout(request: Request, form: CsrfForm, user: PageUser, db: DbSession) -> Response:
    """End the page session: revoke its token and drop the cookie."""
    revoke_token(db, request.cookies.get(SESSION_COOKIE, ""))
    logger.info("user %s signed out", user.username)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
