"""The base of every request and response schema: strict about unknown fields and sizes."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

__all__ = ["Code", "InputSchema", "OutputSchema", "Text"]

#: A short identifier: site code, username, arm code (letters, digits, ``_ . -``).
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
#: Free text of a form field (a reason, a CTCAE term, a cause of death).
Text = Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)]


class InputSchema(BaseModel):
    """A request body: unknown fields are refused (422 naming the field), never ignored."""

    model_config = ConfigDict(extra="forbid", str_max_length=2000)


class OutputSchema(BaseModel):
    """A response body, built from a service's result."""

    model_config = ConfigDict(from_attributes=True)
