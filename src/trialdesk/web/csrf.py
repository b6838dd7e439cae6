"""CSRF protection of the pages: a token bound to the browser's cookie by HMAC.

The token of a form is ``HMAC-SHA256(secret_key, cookie value)`` where the cookie is the
login session (after login) or a random pre-session cookie (on the login page). A forged
cross-site form cannot read the cookie, so it cannot compute the token; a stolen token is
useless with another browser's cookie. Every POST of the pages must carry it, as the form
field ``csrf_token`` or the header ``X-CSRF-Token`` (the live eligibility check's fetch).
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from trialdesk.errors import PermissionDeniedError

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "CsrfError", "csrf_token", "verify_csrf"]

logger = logging.getLogger(__name__)

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class CsrfError(PermissionDeniedError):
    """A form posted without a valid CSRF token (expired page, or a cross-site forgery)."""


def csrf_token(secret_key: str, cookie_value: str) -> str:
    """The CSRF token for forms served to the browser holding ``cookie_value`` (64 hex digits)."""
    return hmac.new(secret_key.encode(), cookie_value.encode(), hashlib.sha256).hexdigest()


def verify_csrf(secret_key: str, cookie_value: str | None, submitted: str | None) -> None:
    """Raise ``CsrfError`` unless ``submitted`` is the token of ``cookie_value``."""
    if not cookie_value or not submitted:
        logger.info("form posted without CSRF cookie or token")
        raise CsrfError("the form has expired or did not come from this site; reload the page")
    if not hmac.compare_digest(csrf_token(secret_key, cookie_value), submitted):
        logger.info("form posted with a wrong CSRF token")
        raise CsrfError("the form has expired or did not come from this site; reload the page")
