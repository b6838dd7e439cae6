"""Migrations: the packaged Alembic scripts build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from trialdesk.store import create_engine, current_revision, head_revision, upgrade
from trialdesk.store.models import Base
from trialdesk.store.tokens import ApiToken


def test_migrated_schema_matches_the_models(shared_db_url: str) -> None:
    assert ApiToken.__table__.metadata is Base.metadata  # every model module is registered
    engine = create_engine(shared_db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_upgrade_is_idempotent_and_reaches_the_head(shared_db_url: str) -> None:
    upgrade(shared_db_url)
    engine = create_engine(shared_db_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()
