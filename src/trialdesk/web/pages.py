"""What every page shares: the signed-in user from the session cookie, CSRF, rendering.

The session cookie holds a session token (``trialdesk.services.tokens``, kind "session"):
HttpOnly, SameSite=Lax, Secure outside development, expiring with the token. A page
without a valid session redirects to ``/login``. Every POST passes ``CsrfForm``, which
reads the form and checks its token against the cookie (``trialdesk.web.csrf``).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from trialdesk.api.deps import DbSession, State
from trialdesk.api.state import AppState
from trialdesk.errors import TrialdeskError
from trialdesk.protocol import Protocol
from trialdesk.services.actors import Actor
from trialdesk.services.tokens import AuthenticationError, authenticate
from trialdesk.services.trials import protocol_of, trial_by_code
from trialdesk.web.csrf import CSRF_FIELD, CSRF_HEADER, csrf_token, verify_csrf

__all__ = [
    "PRESESSION_COOKIE",
    "SESSION_COOKIE",
    "TEMPLATES_DIR",
    "CsrfForm",
    "LoginRequiredError",
    "PageUser",
    "cookie_value",
    "make_templates",
    "render",
    "set_cookie",
    "trial_protocol",
]

logger = logging.getLogger(__name__)

SESSION_COOKIE = "trialdesk_session"
#: A random cookie binding the login form's CSRF token before anyone is signed in.
PRESESSION_COOKIE = "trialdesk_presession"
TEMPLATES_DIR = Path(__file__).with_name("templates")


def make_templates() -> Jinja2Templates:
    """The page templates (autoescaped HTML), one loader per app."""
    return Jinja2Templates(directory=TEMPLATES_DIR)


class LoginRequiredError(TrialdeskError):
    """A page was requested without a valid session; the app redirects to /login."""


def cookie_value(request: Request) -> str | None:
    """The cookie that binds CSRF tokens: the session if signed in, else the pre-session."""
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRESESSION_COOKIE)


def set_cookie(response: Response, state: AppState, name: str, value: str, *,
               expires: datetime | None = None) -> None:
    """Set an HttpOnly, SameSite=Lax cookie (Secure unless in development)."""
    max_age = None if expires is None else max(0, int((expires - datetime.now(UTC)).total_seconds()))
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax",
                        secure=bool(state.settings.cookie_secure), path="/")


def _page_user(request: Request, db: DbSession) -> Actor:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequiredError("sign in first")
    try:
        return authenticate(db, token)
    except AuthenticationError as exc:
        raise LoginRequiredError(str(exc)) from exc


#: The signed-in user of a page (redirects to /login otherwise).
PageUser = Annotated[Actor, Depends(_page_user)]


async def _csrf_form(request: Request, state: State) -> Mapping[str, str]:
    form = await request.form()
    submitted = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    verify_csrf(state.settings.secret_key, cookie_value(request),
                submitted if isinstance(submitted, str) else None)
    return {key: value for key, value in form.items() if isinstance(value, str)}


#: The posted form's text fields, after its CSRF token was checked.
CsrfForm = Annotated[Mapping[str, str], Depends(_csrf_form)]


def trial_protocol(db: Session, state: AppState) -> tuple[str, Protocol]:
    """The served trial's code and the protocol bound to it."""
    with db.begin():
        trial = trial_by_code(db, state.settings.trial_code)
        return trial.code, protocol_of(trial)


def render(request: Request, name: str, context: Mapping[str, Any], *, status_code: int = 200,
           user: Actor | None = None) -> HTMLResponse:
    """Render a template with the user, the CSRF token and the trial code in its context.

    A browser without any cookie gets a fresh pre-session cookie, so its first form (login)
    already carries a valid CSRF token.
    """
    state: AppState = request.app.state.trialdesk
    bound = cookie_value(request)
    fresh = None
    if bound is None:
        fresh = bound = secrets.token_urlsafe(32)
    full = {"user": user, "csrf": csrf_token(state.settings.secret_key, bound),
            "trial_code": state.settings.trial_code or "trialdesk", "title": "trialdesk", **context}
    renderer: Jinja2Templates = request.app.state.templates
    response = renderer.TemplateResponse(request, name, full, status_code=status_code)
    if fresh is not None:
        set_cookie(response, state, PRESESSION_COOKIE, fresh)
    return response
