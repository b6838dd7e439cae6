"""Settings of one served trialdesk instance: built explicitly, never at import time.

``Settings.from_env()`` reads ``TRIALDESK_*`` variables; tests build ``Settings(...)``
directly, so one test run can serve SQLite and then PostgreSQL. Outside development the
secret key must be a real secret: a placeholder or a short key is refused.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from trialdesk.errors import InputError

__all__ = ["PLACEHOLDER_SECRETS", "Environment", "Settings"]

logger = logging.getLogger(__name__)

Environment = Literal["development", "test", "production"]

#: Values that are clearly not secrets; refused outside development.
PLACEHOLDER_SECRETS: frozenset[str] = frozenset(
    {"", "changethis", "change-me", "changeme", "secret", "secret-key", "dev", "development",
     "insecure", "test", "password"}
)

#: Shortest accepted secret key outside development, in characters (about 256 bits as hex).
MIN_SECRET_LENGTH = 32


@dataclass(frozen=True, slots=True)
class Settings:
    """Configuration of the API and pages.

    Parameters
    ----------
    database_url
        SQLAlchemy URL of the trial database (``sqlite:///trial.db``,
        ``postgresql+psycopg://user@host/db``).
    secret_key
        Key for the CSRF tokens of the pages (HMAC-SHA256). At least 32 characters and not a
        placeholder unless ``environment`` is ``"development"``.
    environment
        ``"development"`` relaxes the secret-key rule and serves cookies without ``Secure``;
        ``"test"`` and ``"production"`` enforce it.
    token_lifetime
        How long an API bearer token or a page session stays valid after login.
    cookie_secure
        Mark cookies ``Secure`` (HTTPS only). Defaults to True outside development; behind a
        reverse proxy that terminates TLS keep it True.
    login_free_attempts
        Failed logins per username, and per client address, before each further attempt is
        delayed.
    login_base_delay, login_max_delay
        The delay after the first counted failure, doubling with each further one, capped.
    login_forget_after
        Failures older than this no longer count.
    """

    database_url: str
    secret_key: str
    environment: Environment = "production"
    token_lifetime: timedelta = timedelta(hours=8)
    cookie_secure: bool | None = None
    login_free_attempts: int = 3
    login_base_delay: timedelta = timedelta(seconds=1)
    login_max_delay: timedelta = timedelta(minutes=15)
    login_forget_after: timedelta = timedelta(hours=1)
    trial_code: str | None = field(default=None)

    def __post_init__(self) -> None:
        if self.environment not in ("development", "test", "production"):
            raise InputError("must be development, test or production", field="environment",
                             value=self.environment)
        if self.environment != "development":
            if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS:
                raise InputError(
                    "is a placeholder", field="TRIALDESK_SECRET_KEY",
                    hint="set a random secret, e.g. python -c 'import secrets; "
                         "print(secrets.token_hex(32))'")
            if len(self.secret_key) < MIN_SECRET_LENGTH:
                raise InputError(f"must be at least {MIN_SECRET_LENGTH} characters",
                                 field="TRIALDESK_SECRET_KEY", hint="use secrets.token_hex(32)")
        if self.token_lifetime <= timedelta(0):
            raise InputError("must be positive", field="token_lifetime", value=self.token_lifetime)
        if self.cookie_secure is None:
            object.__setattr__(self, "cookie_secure", self.environment != "development")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *,
                 database_url: str | None = None) -> Settings:
        """Settings from ``TRIALDESK_*`` environment variables.

        ``TRIALDESK_DATABASE_URL`` (default: the SQLite file ``trialdesk.db`` in the working
        folder), ``TRIALDESK_SECRET_KEY``, ``TRIALDESK_ENV`` (default ``production``),
        ``TRIALDESK_TOKEN_HOURS`` (default 8), ``TRIALDESK_TRIAL`` (the trial code, when the
        database holds more than one). In development a missing secret key is replaced by a
        random one for this process (sessions end when it stops).
        """
        env = os.environ if environ is None else environ
        environment = env.get("TRIALDESK_ENV", "production")
        secret_key = env.get("TRIALDESK_SECRET_KEY", "")
        if not secret_key and environment == "development":
            logger.warning("TRIALDESK_SECRET_KEY is not set: using a random key for this process")
            secret_key = secrets.token_hex(32)
        hours = env.get("TRIALDESK_TOKEN_HOURS", "8")
        try:
            token_lifetime = timedelta(hours=float(hours))
        except ValueError as exc:
            raise InputError("must be a number of hours", field="TRIALDESK_TOKEN_HOURS",
                             value=hours) from exc
        return cls(
            database_url=database_url or env.get("TRIALDESK_DATABASE_URL", "sqlite:///trialdesk.db"),
            secret_key=secret_key,
            environment=environment,  # type: ignore[arg-type]  # checked in __post_init__
            token_lifetime=token_lifetime,
            trial_code=env.get("TRIALDESK_TRIAL") or None,
        )
