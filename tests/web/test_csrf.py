"""CSRF tokens are bound to the cookie and the secret."""

from __future__ import annotations

import pytest

from trialdesk.errors import PermissionDeniedError
from trialdesk.web.csrf import CsrfError, csrf_token, verify_csrf

SECRET = "k" * 40


def test_token_of_the_same_cookie_verifies() -> None:
    token = csrf_token(SECRET, "session-a")
    assert len(token) == 64
    verify_csrf(SECRET, "session-a", token)


@pytest.mark.parametrize(("cookie", "submitted"), [
    ("session-b", csrf_token(SECRET, "session-a")),
    ("session-a", csrf_token("x" * 40, "session-a")),
    ("session-a", None),
    (None, csrf_token(SECRET, "session-a")),
    ("session-a", ""),
])
def test_other_cookie_other_secret_or_no_token_is_refused(cookie: str | None,
                                                          submitted: str | None) -> None:
    with pytest.raises(CsrfError) as caught:
        verify_csrf(SECRET, cookie, submitted)
    assert isinstance(caught.value, PermissionDeniedError)
