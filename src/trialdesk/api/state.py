"""What one app instance holds: its settings, its database sessions and its login throttle.

Built by ``create_app(settings)`` and hung on ``app.state.trialdesk`` of the root app and of
the mounted API, so nothing lives at module level and two apps never share a database.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from trialdesk.api.settings import Settings
from trialdesk.api.throttle import LoginThrottle

__all__ = ["AppState"]


@dataclass(frozen=True, slots=True)
class AppState:
    """The per-app resources every request dependency reads."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    throttle: LoginThrottle
