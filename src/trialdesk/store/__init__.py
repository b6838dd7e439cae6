"""The trial data store: ORM models, engines and sessions, migrations, the audit chain.

Nothing is connected at import time: build an engine with ``create_engine(url)`` (default
``$TRIALDESK_DATABASE_URL``, else the SQLite file ``trialdesk.db``), create or upgrade the
schema with ``upgrade(url)``, open sessions from ``session_factory(engine)``, and write trial
data only inside ``audited_transaction(session, AuditContext(...))``. ``verify_audit``
checks the chain and replays it against the data (docs/store.md).
"""

from __future__ import annotations

from trialdesk.store.audit import AuditContext, audited_transaction
from trialdesk.store.engine import create_engine, database_url, session_factory
from trialdesk.store.migrate import current_revision, head_revision, upgrade
from trialdesk.store.verify import AuditProblem, AuditVerification, verify_audit

__all__ = [
    "AuditContext",
    "AuditProblem",
    "AuditVerification",
    "audited_transaction",
    "create_engine",
    "current_revision",
    "database_url",
    "head_revision",
    "session_factory",
    "upgrade",
    "verify_audit",
]
