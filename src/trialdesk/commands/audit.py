"""``trialdesk audit verify``: check the audit chain and replay it against the trial data."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from trialdesk.errors import NotFoundError
from trialdesk.store import create_engine, current_revision, session_factory, verify_audit

__all__ = ["register"]

logger = logging.getLogger(__name__)

audit_app = typer.Typer(help="The audit trail: verify its hash chain and the data it explains.",
                        no_args_is_help=True)


@audit_app.command("verify")
def verify(
    db: Annotated[str | None, typer.Option(
        help="Database URL; default $TRIALDESK_DATABASE_URL, else sqlite:///trialdesk.db.")] = None,
) -> None:
    """Walk the hash chain, then replay it: every trial row must equal what its history says.

    Exits 0 when intact; otherwise lists the problems on stderr, the first broken record or
    row first, and exits with the AUDIT_BROKEN status.
    """
    engine = create_engine(db)
    try:
        if current_revision(engine) is None:
            where = engine.url.render_as_string(hide_password=True)
            raise NotFoundError(f"no trialdesk database at {where}; create one with trialdesk init")
        with session_factory(engine)() as session:
            verification = verify_audit(session)
    finally:
        engine.dispose()
    for problem in verification.chain_problems + verification.replay_problems:
        typer.echo(f"broken: {problem}", err=True)
    verification.raise_if_broken()
    typer.echo(f"audit trail intact: {verification.records_checked} records, "
               f"{verification.rows_checked} trial rows match their history")


def register(app: typer.Typer) -> None:
    """Add the ``audit`` group to the root app."""
    app.add_typer(audit_app, name="audit")
