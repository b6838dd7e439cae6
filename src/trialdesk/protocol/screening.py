"""Coercion of raw screening data (form posts, JSON, CSV cells) to the protocol's field types.

Rules, per field type:

* ``date``: a ``datetime.date`` or an ISO text ``YYYY-MM-DD`` (a ``datetime`` is refused:
  screening dates carry no time of day);
* ``bool``: ``True``/``False``, or the texts ``true``/``false``, ``yes``/``no``, ``1``/``0``
  (any case);
* ``int``: an integer or an integer text (``"3"``); ``3.0`` is accepted, ``3.5`` and booleans
  are not; ``float``: any number or number text;
* ``choice``: one of the field's choices, exactly as spelled in the protocol.

``None`` and empty or blank texts mean "not given": the field is left out, so eligibility
reports it as missing rather than failed. An unknown field name, a wrong type or a value
outside ``minimum``/``maximum`` raises ``InputError`` naming the field.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from trialdesk.errors import InputError

if TYPE_CHECKING:
    from trialdesk.protocol.model import Protocol, ScreeningField

__all__ = ["parse_screening"]

_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value))


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date without a time of day")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip())
    raise ValueError("must be a date (YYYY-MM-DD)")


def _as_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("must be true or false")


def _as_int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("must be a whole number")
    number = float(value.strip()) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    if not number.is_integer():
        raise ValueError("must be a whole number")
    return int(number)


def _as_float(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError("must be a number")
    number = float(value.strip()) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def _coerce(spec: ScreeningField, value: object) -> object:
    if spec.type == "date":
        return _as_date(value)
    if spec.type == "bool":
        return _as_bool(value)
    if spec.type == "choice":
        text = str(value).strip()
        if text not in spec.choices:
            raise ValueError(f"must be one of {', '.join(spec.choices)}")
        return text
    number = _as_int(value) if spec.type == "int" else _as_float(value)
    if spec.minimum is not None and number < spec.minimum:
        raise ValueError(f"must be >= {spec.minimum:g}")
    if spec.maximum is not None and number > spec.maximum:
        raise ValueError(f"must be <= {spec.maximum:g}")
    return number


def parse_screening(protocol: Protocol, raw: Mapping[str, object]) -> dict[str, object]:
    """Typed screening data: ``{field name: value}`` for every given (non-blank) field.

    Parameters
    ----------
    protocol
        The protocol whose ``screening_fields`` define names and types.
    raw
        Field name -> value as received (texts from forms and CSV, or typed values).

    Returns
    -------
    dict
        Only the fields that were given, in the protocol's field order.

    Raises
    ------
    InputError
        ``field`` names the unknown or badly typed field, ``value`` shows what was received.
    """
    specs = {spec.name: spec for spec in protocol.screening_fields}
    for name in raw:
        if name not in specs:
            raise InputError("is not a screening field of this protocol", field=str(name),
                             hint=f"fields are {', '.join(specs)}")
    parsed: dict[str, object] = {}
    for name, spec in specs.items():
        value = raw.get(name)
        if _is_blank(value):
            continue
        try:
            parsed[name] = _coerce(spec, value)
        except (TypeError, ValueError) as exc:
            message = str(exc) if str(exc).startswith("must") else f"must be of type {spec.type}"
            raise InputError(message, field=name, value=value) from exc
    return parsed
