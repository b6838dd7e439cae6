"""``trialdesk init``: create the schema, the trial and its first admin."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from trialdesk.protocol import load_protocol
from trialdesk.services import SYSTEM, create_trial, create_user
from trialdesk.services.accounts import check_new_user
from trialdesk.store import create_engine, session_factory, upgrade

__all__ = ["register"]

logger = logging.getLogger(__name__)


def _read_password(password_file: Path | None) -> str:
    if password_file is None:
        return typer.prompt("Password of the admin", hide_input=True, confirmation_prompt=True)
    return password_file.read_text(encoding="utf-8").rstrip("\r\n")


def init(
    protocol: Annotated[str, typer.Option(help="Built-in protocol name (resort) or a protocol YAML file.")],
    admin_user: Annotated[str, typer.Option(help="Username of the first admin.")],
    db: Annotated[str | None, typer.Option(
        help="Database URL; default $TRIALDESK_DATABASE_URL, else sqlite:///trialdesk.db.")] = None,
    admin_password_file: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False, readable=True,
        help="File holding the admin's password (one line); without it, a prompt asks.")] = None,
) -> None:
    """Create the database schema, bind the protocol to a new trial, and add the first admin.

    The password is read from a file or a hidden prompt, never from the command line.
    """
    loaded = load_protocol(protocol)
    password = _read_password(admin_password_file)
    check_new_user(password, "admin")  # before the trial is created: a refused admin leaves no trial
    engine = create_engine(db)
    try:
        upgrade(engine)
        session = session_factory(engine)()
        trial = create_trial(session, SYSTEM, loaded)
        create_user(session, SYSTEM, admin_user, password, "admin")
        session.close()
    finally:
        engine.dispose()
    typer.echo(f"initialised {engine.url.render_as_string(hide_password=True)}: trial {trial.code} "
               f"(protocol version {trial.protocol_version}), admin {admin_user}")


def register(app: typer.Typer) -> None:
    """Add ``init`` to the root app."""
    app.command("init")(init)
