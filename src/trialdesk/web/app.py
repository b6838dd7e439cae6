"""``create_web(state)``: the server-rendered pages, their static files and HTML errors.

Errors on pages are HTML: a page without a session redirects to ``/login``; a service's
``NotFoundError`` is a 404 page, ``PermissionDeniedError`` (and a failed CSRF check) a 403
page. Forms that fail validation re-render themselves with the message (their routes
catch ``InputError``), so the handler here only sees what a page cannot recover from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from trialdesk.api.errors import status_for
from trialdesk.api.state import AppState
from trialdesk.errors import TrialdeskError
from trialdesk.web.pages import LoginRequiredError, make_templates, render
from trialdesk.web.routes import PAGE_ROUTERS

__all__ = ["STATIC_DIR", "create_web"]

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")

_TITLES = {401: "Please sign in", 403: "Not allowed", 404: "Not found", 409: "Not possible now",
           422: "Please check the input", 429: "Too many attempts", 500: "Something went wrong"}


async def _on_page_error(request: Request, error: Exception) -> Response:
    if isinstance(error, LoginRequiredError):
        return RedirectResponse("/login", status_code=303)
    if isinstance(error, StarletteHTTPException):
        status, message = error.status_code, str(error.detail)
    elif isinstance(error, RequestValidationError):
        problem = error.errors()[0] if error.errors() else {}
        where = ".".join(str(part) for part in problem.get("loc", ())[1:])
        status, message = 422, f"{where}: {problem.get('msg', 'invalid value')}"
    elif isinstance(error, TrialdeskError):
        status, _code = status_for(error)
        message = str(error) if status != 500 else "internal error"
        if status == 500:
            logger.error("unhandled %s on a page: %s", type(error).__name__, error)
    else:
        raise error
    return render(request, "error.html", {"title": _TITLES.get(status, "Error"), "message": message},
                  status_code=status)


def create_web(state: AppState, *,
               lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None
               ) -> FastAPI:
    """The pages app (``create_app`` mounts the API on it)."""
    app = FastAPI(title="trialdesk", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.state.trialdesk = state
    app.state.templates = make_templates()
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(TrialdeskError, _on_page_error)
    app.add_exception_handler(StarletteHTTPException, _on_page_error)
    app.add_exception_handler(RequestValidationError, _on_page_error)
    return app


