"""Alembic environment: runs on the connection ``trialdesk.store.upgrade`` hands over.

``alembic -x url=...`` from a shell works too: without a connection the URL is taken from
``-x url``, else ``TRIALDESK_DATABASE_URL``, else the default SQLite file.
"""

from __future__ import annotations

from alembic import context

from trialdesk.store import tokens as _tokens  # noqa: F401  (registers api_tokens on Base.metadata)
from trialdesk.store.engine import create_engine
from trialdesk.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: object) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(context.get_x_argument(as_dictionary=True).get("url"))
    with engine.connect() as fresh_connection:
        _run(fresh_connection)
    engine.dispose()
