"""Schemas of the trial set-up an admin does over the API: sites and users."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from trialdesk.api.schemas._base import Code, InputSchema, OutputSchema

__all__ = ["Role", "SiteIn", "SiteOut", "UserIn", "UserOut"]

Role = Literal["admin", "statistician", "data_manager", "investigator", "monitor"]


class SiteIn(InputSchema):
    """A site (hospital) enrolling patients."""

    code: Code = Field(description="Short code used in patient ids, e.g. MI01.")
    name: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class SiteOut(OutputSchema):
    """A stored site."""

    code: str
    name: str


class UserIn(InputSchema):
    """A user account; site roles (investigator, data_manager) need at least one site."""

    username: Code
    password: Annotated[str, StringConstraints(min_length=12, max_length=200)] = Field(
        description="At least 12 characters; stored only as an Argon2id hash.")
    role: Role
    sites: Annotated[list[Code], Field(max_length=100)] = Field(default_factory=list)


class UserOut(OutputSchema):
    """A stored user (never the password hash)."""

    username: str
    role: Role
    sites: list[str]
