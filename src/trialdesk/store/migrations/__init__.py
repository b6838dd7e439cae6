"""Alembic migrations of the trialdesk schema, run by ``trialdesk.store.upgrade``."""
