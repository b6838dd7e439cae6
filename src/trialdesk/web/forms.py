"""HTML entry forms built from the API's request schemas, so a page and the API accept the same data.

``form_fields(ExposureIn)`` lists the inputs a page draws; ``parse_form(ExposureIn, form)``
turns the posted strings into the schema (blank inputs count as not given) or raises an
``InputError`` naming the first bad field, as the API would answer 422.
"""

from __future__ import annotations

import datetime as dt
import logging
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from trialdesk.errors import InputError

__all__ = ["FormField", "form_fields", "input_error", "parse_form"]

logger = logging.getLogger(__name__)

Model = TypeVar("Model", bound=BaseModel)
FieldType = Literal["date", "int", "float", "bool", "choice", "text"]

_TYPE_BY_PYTHON: dict[type, FieldType] = {dt.date: "date", int: "int", float: "float", bool: "choice",
                                          str: "text"}


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of an entry form."""

    name: str
    label: str
    type: FieldType
    choices: tuple[str, ...]
    required: bool


def _core_type(annotation: Any) -> Any:
    """The annotation without ``None`` and ``Annotated`` wrappers."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _core_type(members[0])
    return annotation


def form_fields(schema: type[BaseModel]) -> tuple[FormField, ...]:
    """The inputs of a form for ``schema``: dates, numbers, choices (Literal, bool) and text."""
    fields = []
    for name, info in schema.model_fields.items():
        core = _core_type(info.annotation)
        if typing.get_origin(core) is Literal:
            kind: FieldType = "choice"
            choices = tuple(str(c) for c in typing.get_args(core))
        else:
            kind = _TYPE_BY_PYTHON.get(core, "text")
            choices = ("false", "true") if core is bool else ()
        fields.append(FormField(name=name, label=name.replace("_", " ").capitalize(), type=kind,
                                choices=choices, required=info.is_required()))
    return tuple(fields)


def input_error(error: ValidationError, *, source: str) -> InputError:
    """The first problem of a pydantic validation as an ``InputError`` naming the field."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in first.get("loc", ())) or None
    return InputError(str(first.get("msg", "invalid value")), field=field, source=source)


def parse_form(schema: type[Model], form: Mapping[str, str], *, source: str) -> Model:
    """Validate posted form values against ``schema``; blank inputs and ``csrf_token`` are dropped."""
    names = schema.model_fields.keys()
    values = {name: value for name, value in form.items()
              if name in names and isinstance(value, str) and value.strip() != ""}
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        raise input_error(exc, source=source) from exc
