"""``trialdesk serve``: the REST API and the pages of one trial database, with uvicorn."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

__all__ = ["register"]

logger = logging.getLogger(__name__)


def serve(
    db: Annotated[str | None, typer.Option(
        "--db", help="Database URL (default: TRIALDESK_DATABASE_URL, else sqlite:///trialdesk.db).",
        show_default=False)] = None,
    host: Annotated[str, typer.Option(help="Address to listen on; keep loopback behind a proxy.")]
        = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    proxy_headers: Annotated[bool, typer.Option(
        help="Trust X-Forwarded-For/-Proto from a reverse proxy on loopback.")] = True,
) -> None:
    """Serve the REST API (/api/v1, OpenAPI at /api/v1/docs) and the pages (/) of a trial.

    Settings come from TRIALDESK_* variables (TRIALDESK_SECRET_KEY is required unless
    TRIALDESK_ENV=development); see docs/api.md.
    """
    import uvicorn

    from trialdesk.api import Settings, create_app

    settings = Settings.from_env(database_url=db)
    app = create_app(settings)
    logger.info("serving on http://%s:%d", host, port)
    uvicorn.run(app, host=host, port=port, proxy_headers=proxy_headers,
                forwarded_allow_ips="127.0.0.1", log_level="info")


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the root app."""
    app.command("serve")(serve)
