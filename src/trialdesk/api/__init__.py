"""The REST API (FastAPI) and the app that serves it with the pages: ``create_app(settings)``."""

from __future__ import annotations

from trialdesk.api.app import API_PREFIX, create_app
from trialdesk.api.settings import Settings

__all__ = ["API_PREFIX", "Settings", "create_app"]
