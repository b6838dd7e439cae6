"""The ``trialdesk`` command: a thin shell over services and analyses.

Each command group lives in its own module under ``trialdesk.commands`` and exposes
``register(app)``. This module only assembles them, configures logging (``-v``) and maps
errors to exit codes in one place: results go to stdout, diagnostics to stderr.
"""

from __future__ import annotations

import importlib
import logging
import sys
from enum import IntEnum
from typing import Annotated

import typer
from rich.console import Console

from trialdesk import __version__
from trialdesk.errors import (
    AuditIntegrityError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    TrialdeskError,
)

__all__ = ["ExitCode", "app", "main"]

logger = logging.getLogger(__name__)

#: Command-group modules under ``trialdesk.commands``, each with ``register(app)``.
COMMAND_MODULES: tuple[str, ...] = ("demo", "design", "protocol", "randomization", "init", "audit",
                                     "analyze", "serve", "simulate", "export", "report")


class ExitCode(IntEnum):
    """Exit statuses of ``trialdesk``; one place maps errors to them."""

    OK = 0
    ERROR = 1
    USAGE = 2
    INVALID_INPUT = 3
    CONFLICT = 4
    NOT_FOUND = 5
    PERMISSION_DENIED = 6
    AUDIT_BROKEN = 7


_EXIT_BY_ERROR: tuple[tuple[type[TrialdeskError], ExitCode], ...] = (
    (ConflictError, ExitCode.CONFLICT),
    (InputError, ExitCode.INVALID_INPUT),
    (NotFoundError, ExitCode.NOT_FOUND),
    (PermissionDeniedError, ExitCode.PERMISSION_DENIED),
    (AuditIntegrityError, ExitCode.AUDIT_BROKEN),
)

app = typer.Typer(
    name="trialdesk",
    help="Design, run, monitor, analyse and simulate randomised time-to-event trials.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"trialdesk {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: Annotated[int, typer.Option(
        "--verbose", "-v", count=True, help="More diagnostics on stderr (-v info, -vv debug).")] = 0,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version_callback, is_eager=True,
        help="Print the version and exit.")] = False,
) -> None:
    """trialdesk: randomised time-to-event trials, from design to report."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


for _module in COMMAND_MODULES:
    importlib.import_module(f"trialdesk.commands.{_module}").register(app)


def exit_code_for(error: TrialdeskError) -> ExitCode:
    """The exit status for an error: the first matching class in ``_EXIT_BY_ERROR``."""
    for error_class, code in _EXIT_BY_ERROR:
        if isinstance(error, error_class):
            return code
    return ExitCode.ERROR


def main() -> None:
    """Entry point of the console script: run the app, turn TrialdeskError into an exit code."""
    try:
        app(standalone_mode=False)
    except TrialdeskError as error:
        Console(stderr=True, highlight=False).print(f"error: {error}", markup=False)
        sys.exit(exit_code_for(error))
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(ExitCode.ERROR)
    except typer.TyperException as exc:  # click's usage errors: bad value, unknown option or command
        exc.show()  # type: ignore[attr-defined]  # (its one subclass is click's ClickException)
        sys.exit(ExitCode.USAGE)
