"""``create_app(settings)``: the pages at ``/`` and the REST API mounted at ``/api/v1``.

Everything an app needs (engine, session factory, login throttle) is built here from the
settings and hung on ``app.state.trialdesk``; nothing is created at import time, so a test
can serve SQLite and then PostgreSQL in one run. The API is a separate FastAPI app so its
errors are always the JSON error shape (``trialdesk.api.errors``) while the pages answer
with HTML; its OpenAPI document is at ``/api/v1/openapi.json`` (docs at ``/api/v1/docs``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI

from trialdesk import __version__
from trialdesk.api.errors import install_error_handlers
from trialdesk.api.routers import ROUTERS
from trialdesk.api.settings import Settings
from trialdesk.api.state import AppState
from trialdesk.api.throttle import LoginThrottle
from trialdesk.errors import InputError
from trialdesk.store import create_engine, current_revision, head_revision, session_factory

__all__ = ["API_PREFIX", "create_api", "create_app"]

logger = logging.getLogger(__name__)

#: Where the REST API is mounted.
API_PREFIX = "/api/v1"

API_DESCRIPTION = """\
The REST API of a trialdesk trial: screen, randomise and record follow-up for your sites,
read the protocol, the audit trail and the interim report, as your role allows.

Authenticate with `POST /auth/token` (OAuth2 password form) and send
`Authorization: Bearer <token>`. Every error has one JSON shape:
`{"error": {"status", "code", "message", "field", "value", "hint", "details"}}`.
"""


def create_api(state: AppState) -> FastAPI:
    """The REST API app (mounted by ``create_app`` at ``/api/v1``)."""
    api = FastAPI(title="trialdesk API", version=__version__, description=API_DESCRIPTION,
                  docs_url="/docs", redoc_url=None, openapi_url="/openapi.json")
    api.state.trialdesk = state
    for router in ROUTERS:
        api.include_router(router)
    install_error_handlers(api)
    return api


def _check_schema(state: AppState) -> None:
    revision = current_revision(state.engine)
    if revision is None:
        raise InputError("holds no trialdesk schema", field="database",
                         value=state.engine.url.render_as_string(hide_password=True),
                         hint="run trialdesk init --protocol resort --db URL first")
    if revision != head_revision():
        logger.warning("database at revision %s, this trialdesk ships %s: run trialdesk init to "
                       "upgrade", revision, head_revision())


def create_app(settings: Settings, *, clock: Callable[[], datetime] | None = None) -> FastAPI:
    """The whole served app: pages, static files and the REST API, on ``settings.database_url``.

    Parameters
    ----------
    settings
        Database, secret key, token lifetime, login throttling (``Settings``).
    clock
        The login throttle's clock (UTC); tests pass a fake one to step time.

    Raises
    ------
    InputError
        The database has no trialdesk schema (``trialdesk init`` was not run).
    """
    from trialdesk.web import create_web

    engine = create_engine(settings.database_url)
    throttle_options = {"clock": clock} if clock is not None else {}
    state = AppState(
        settings=settings, engine=engine, sessions=session_factory(engine),
        throttle=LoginThrottle(free_attempts=settings.login_free_attempts,
                               base_delay=settings.login_base_delay,
                               max_delay=settings.login_max_delay,
                               forget_after=settings.login_forget_after, **throttle_options))
    _check_schema(state)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = create_web(state, lifespan=lifespan)
    app.mount(API_PREFIX, create_api(state))
    logger.info("app created on %s", engine.url.render_as_string(hide_password=True))
    return app
