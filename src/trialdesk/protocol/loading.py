"""Loading protocols from YAML, with errors that name the YAML path and line.

The YAML is composed into nodes first (``yaml.compose``), so every value keeps the line it
was written on; the plain data built from the nodes go to the pydantic model, and each
validation error's location (``arms[1].dose_mg``) is mapped back to its line::

    protocol.yaml, arms[1].dose_mg: must be positive, line 23

Built-in protocols are the YAML files next to this module (``resort``,
``three_arm_example``); ``load_protocol`` takes such a name or a path.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from trialdesk.errors import ProtocolError
from trialdesk.protocol.model import PathError, Protocol

__all__ = ["BUILTIN_PROTOCOLS", "load_protocol", "protocol_from_yaml"]

logger = logging.getLogger(__name__)

#: Names of the protocols shipped with trialdesk (YAML files in this package).
BUILTIN_PROTOCOLS: tuple[str, ...] = ("resort", "three_arm_example")

Location = tuple[str | int, ...]

_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")

_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known key here",
}


def _plain(node: yaml.Node, path: Location, lines: dict[Location, int],
           scalars: yaml.constructor.SafeConstructor) -> object:
    """Plain Python data from a YAML node, recording each path's 1-based line."""
    lines[path] = node.start_mark.line + 1
    if node.tag not in _PLAIN_TAGS and not isinstance(node, yaml.ScalarNode):
        raise ProtocolError(f"uses the YAML tag {node.tag}, line {lines[path]}; only plain data is allowed",
                            field=_dotted(path))
    if isinstance(node, yaml.MappingNode):
        data = {}
        for key_node, value_node in node.value:
            key = scalars.construct_object(key_node, deep=True)
            if key in data:
                raise ProtocolError(f"is given twice, line {key_node.start_mark.line + 1}",
                                    field=_dotted((*path, key)))
            data[key] = _plain(value_node, (*path, key), lines, scalars)
        return data
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, (*path, i), lines, scalars) for i, item in enumerate(node.value)]
    return scalars.construct_object(node, deep=True)


def _dotted(path: Location) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _line_of(path: Location, lines: Mapping[Location, int]) -> int | None:
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _problems(error: ValidationError) -> list[tuple[Location, str]]:
    """(path, message) per validation error, with model checks' own paths appended."""
    problems = []
    for item in error.errors():
        location: Location = tuple(p for p in item["loc"] if not isinstance(p, str) or
                                    not p.startswith("function-"))
        cause = item.get("ctx", {}).get("error")
        if isinstance(cause, PathError):
            location, message = (*location, *cause.path), str(cause)
        else:
            message = _MESSAGES.get(item["type"], item["msg"].removeprefix("Value error, "))
        problems.append((location, message, item["type"]))
    # a tuple with an invalid item also reports "too short": keep only the item's own error
    return [(location, message) for location, message, kind in problems
            if kind != "too_short" or not any(other[:len(location)] == location and other != location
                                              for other, _, _ in problems)]


def protocol_from_yaml(text: str, *, source: str = "protocol") -> Protocol:
    """Validate YAML text as a protocol; ``ProtocolError`` names path and line on failure."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise ProtocolError(f"is not valid YAML: {getattr(exc, 'problem', exc)}{where}",
                            source=source) from exc
    lines: dict[Location, int] = {}
    try:
        data = _plain(root, (), lines, yaml.constructor.SafeConstructor()) if root is not None else None
    except ProtocolError as exc:
        raise ProtocolError(exc.message, field=exc.field, source=source) from exc
    except (yaml.YAMLError, ValueError, TypeError) as exc:  # impossible dates (2012-02-30), list keys
        raise ProtocolError(f"is not valid YAML: {exc}", source=source) from exc
    if not isinstance(data, dict):
        raise ProtocolError("must be a YAML mapping of protocol sections", source=source)
    try:
        return Protocol.model_validate(data)
    except ValidationError as exc:
        problems = [(path, f"{message}, line {_line_of(path, lines)}")
                    for path, message in _problems(exc)]
        (path, message), others = problems[0], problems[1:]
        hint = "also " + "; ".join(f"{_dotted(p)}: {m}" for p, m in others) if others else None
        raise ProtocolError(message, field=_dotted(path), source=source, hint=hint) from exc


@cache
def _builtin(name: str) -> Protocol:
    text = resources.files("trialdesk.protocol").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return protocol_from_yaml(text, source=f"{name}.yaml")


def load_protocol(name_or_path: str | Path) -> Protocol:
    """A built-in protocol by name (``"resort"``) or a protocol YAML file by path.

    Raises
    ------
    ProtocolError
        The file is missing or does not validate; the message names YAML path and line.
    """
    if isinstance(name_or_path, str) and name_or_path.lower() in BUILTIN_PROTOCOLS:
        return _builtin(name_or_path.lower())
    path = Path(name_or_path)
    if not path.is_file():
        raise ProtocolError("is neither a built-in protocol nor a file", field="protocol",
                            value=str(name_or_path),
                            hint=f"built-in protocols: {', '.join(BUILTIN_PROTOCOLS)}")
    logger.info("loading protocol from %s", path)
    return protocol_from_yaml(path.read_text(encoding="utf-8"), source=path.name)
