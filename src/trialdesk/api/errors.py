"""The API's one JSON error shape and the one place that maps errors to HTTP statuses.

Every error response, whatever raised it (a service's ``TrialdeskError``, FastAPI's
request validation, an unknown route), has the body::

    {"error": {"status": 422, "code": "invalid_input", "message": "...",
               "field": "screening.birth_date", "hint": null,
               "details": [{"field": "screening.birth_date", "message": "..."}]}}

``field`` names the request field as the client sent it (dotted path into the JSON body,
or the query/form parameter name). Statuses: ``InputError`` 422, ``ConflictError`` and
``RandomizationError`` 409, ``NotFoundError`` 404, ``PermissionDeniedError`` 403,
``AuthenticationError`` 401 (with ``WWW-Authenticate: Bearer``), ``LoginThrottledError``
429 (with ``Retry-After``); any other error, and any bug, 500 with a generic message in the
same shape (the detail is logged, never shown).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from trialdesk.api.throttle import LoginThrottledError
from trialdesk.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    RandomizationError,
    TrialdeskError,
)
from trialdesk.services.tokens import AuthenticationError

__all__ = [
    "ErrorBody",
    "ErrorResponse",
    "FieldProblem",
    "error_payload",
    "error_responses",
    "install_error_handlers",
    "status_for",
]

logger = logging.getLogger(__name__)

#: Longest offending value echoed back (characters); a huge string is cut, not mirrored.
MAX_ECHOED_VALUE = 200

_STATUS_BY_ERROR: tuple[tuple[type[TrialdeskError], int, str], ...] = (
    (ConflictError, 409, "conflict"),
    (InputError, 422, "invalid_input"),
    (NotFoundError, 404, "not_found"),
    (PermissionDeniedError, 403, "permission_denied"),
    (AuthenticationError, 401, "not_authenticated"),
    (LoginThrottledError, 429, "too_many_attempts"),
    (RandomizationError, 409, "randomization_failed"),
)


class FieldProblem(BaseModel):
    """One problem with one request field."""

    model_config = ConfigDict(extra="forbid")

    field: str | None = Field(description="Dotted path of the field in the request, or null.")
    message: str


class ErrorBody(BaseModel):
    """What went wrong, in words a site can act on."""

    model_config = ConfigDict(extra="forbid")

    status: int = Field(description="The HTTP status, repeated for clients that lose it.")
    code: str = Field(description="Stable machine-readable kind: invalid_input, conflict, "
                                  "not_found, permission_denied, not_authenticated, ...")
    message: str
    field: str | None = Field(default=None, description="The first offending request field.")
    value: str | None = Field(default=None, description="The offending value (repr, cut short).")
    hint: str | None = Field(default=None, description="What to do about it.")
    details: list[FieldProblem] = Field(default_factory=list,
                                        description="Every problem found, one per field.")


class ErrorResponse(BaseModel):
    """The body of every error response."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorBody


_DESCRIPTIONS = {
    400: "The body could not be parsed (not JSON, or not a form).",
    401: "Not authenticated: missing, unknown, expired or revoked bearer token.",
    403: "The caller's role does not allow this.",
    404: "No such record, or not visible to the caller (another site's patient).",
    409: "The trial's state does not allow this (already randomised, not eligible, ...).",
    422: "Invalid input; `field` names the offending field.",
    429: "Too many failed logins; retry after `Retry-After` seconds.",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries declaring the error shape for ``statuses``."""
    return {status: {"model": ErrorResponse, "description": _DESCRIPTIONS[status]}
            for status in statuses}


def status_for(error: TrialdeskError) -> tuple[int, str]:
    """The HTTP status and error code of a trialdesk error (first match in the table)."""
    for error_class, status, code in _STATUS_BY_ERROR:
        if isinstance(error, error_class):
            return status, code
    return 500, "internal_error"


def _cut(text: str) -> str:
    return text if len(text) <= MAX_ECHOED_VALUE else text[:MAX_ECHOED_VALUE] + "..."


def error_payload(status: int, code: str, message: str, *, field: str | None = None,
                  value: str | None = None, hint: str | None = None,
                  details: Sequence[FieldProblem] = ()) -> dict[str, Any]:
    """The JSON body of an error response (validated against ``ErrorResponse``)."""
    body = ErrorBody(status=status, code=code, message=_cut(message), field=field,
                     value=None if value is None else _cut(value), hint=hint,
                     details=list(details) or [FieldProblem(field=field, message=_cut(message))])
    return ErrorResponse(error=body).model_dump(mode="json")


def _field_path(location: Sequence[int | str]) -> str | None:
    parts = [str(part) for part in location]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    return ".".join(parts) or None


def trialdesk_error_response(error: TrialdeskError) -> JSONResponse:
    """The response for a trialdesk error raised by a service or a dependency."""
    status, code = status_for(error)
    headers: dict[str, str] = {}
    if status == 500:
        logger.error("unhandled %s: %s", type(error).__name__, error)
        return JSONResponse(error_payload(500, code, "internal error"), status_code=500)
    if isinstance(error, InputError):
        payload = error_payload(status, code, error.message, field=error.field,
                                value=None if error.value is None else repr(error.value),
                                hint=error.hint)
    else:
        payload = error_payload(status, code, str(error))
    if isinstance(error, AuthenticationError):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, LoginThrottledError):
        headers["Retry-After"] = str(error.retry_after)
    return JSONResponse(payload, status_code=status, headers=headers)


async def _on_trialdesk_error(request: Request, error: Exception) -> JSONResponse:
    if not isinstance(error, TrialdeskError):  # registered for TrialdeskError only
        raise error
    return trialdesk_error_response(error)


async def _on_validation_error(request: Request, error: Exception) -> JSONResponse:
    if not isinstance(error, RequestValidationError):
        raise error
    problems = [FieldProblem(field=_field_path(item.get("loc", ())), message=str(item.get("msg", "")))
                for item in error.errors()]
    first = problems[0] if problems else FieldProblem(field=None, message="invalid request")
    payload = error_payload(422, "invalid_input", first.message, field=first.field,
                            details=problems)
    return JSONResponse(payload, status_code=422)


async def _on_http_error(request: Request, error: Exception) -> JSONResponse:
    if not isinstance(error, StarletteHTTPException):
        raise error
    status = error.status_code
    try:
        known = HTTPStatus(status)
    except ValueError:
        code, phrase = "error", "error"
    else:
        code, phrase = known.name.lower(), known.phrase
    message = error.detail if isinstance(error.detail, str) else phrase
    return JSONResponse(error_payload(status, code, message), status_code=status,
                        headers=getattr(error, "headers", None))


async def _on_unexpected_error(request: Request, error: Exception) -> JSONResponse:
    logger.exception("unexpected %s on %s %s", type(error).__name__, request.method,
                     request.url.path, exc_info=error)
    return JSONResponse(error_payload(500, "internal_error", "internal error"), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Register the one handler per error family on ``app`` (and a last one for bugs: 500)."""
    app.add_exception_handler(Exception, _on_unexpected_error)
    app.add_exception_handler(TrialdeskError, _on_trialdesk_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
