"""``trialdesk protocol``: show a protocol, validate a protocol file.

``show`` prints the protocol as text (default), YAML (``--yaml``, loadable again) or JSON
(``--json``) on stdout. ``validate`` prints one line on success; an invalid file raises a
``ProtocolError`` naming YAML path and line, which the CLI turns into exit code 3.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from trialdesk.protocol import BUILTIN_PROTOCOLS, load_protocol
from trialdesk.protocol.summary import describe_protocol

__all__ = ["register", "show", "validate"]

logger = logging.getLogger(__name__)

protocol_app = typer.Typer(help="Show and validate trial protocols.", no_args_is_help=True)


@protocol_app.command()
def show(
    protocol: Annotated[str, typer.Argument(
        help=f"A built-in protocol ({', '.join(BUILTIN_PROTOCOLS)}) or a protocol YAML file.")],
    as_yaml: Annotated[bool, typer.Option("--yaml", help="Print the protocol as YAML.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the protocol as JSON.")] = False,
) -> None:
    """Print a protocol: arms, screening form, eligibility, strata, schedule and plans."""
    loaded = load_protocol(protocol)
    if as_json:
        typer.echo(json.dumps(loaded.model_dump(mode="json"), indent=2))
    elif as_yaml:
        typer.echo(loaded.to_yaml(), nl=False)
    else:
        typer.echo(describe_protocol(loaded))


@protocol_app.command()
def validate(file: Annotated[Path, typer.Argument(help="The protocol YAML file.")]) -> None:
    """Check a protocol file; errors name the YAML path and line."""
    loaded = load_protocol(file)
    typer.echo(f"{file}: valid protocol {loaded.id} version {loaded.version} "
               f"({len(loaded.arms)} arms, {len(loaded.eligibility)} criteria, "
               f"{len(loaded.stratification_factors)} stratification factors); "
               f"fingerprint {loaded.fingerprint}")


def register(app: typer.Typer) -> None:
    """Add the ``protocol`` group to the root app."""
    app.add_typer(protocol_app, name="protocol")
