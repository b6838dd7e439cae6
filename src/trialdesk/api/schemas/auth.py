"""Schemas of authentication: the bearer token issued by ``POST /auth/token``."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from trialdesk.api.schemas._base import OutputSchema

__all__ = ["TokenOut"]


class TokenOut(OutputSchema):
    """An OAuth2 bearer token (RFC 6750); send it as ``Authorization: Bearer <token>``."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: dt.datetime = Field(description="UTC time after which the token is refused.")
