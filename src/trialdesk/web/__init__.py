"""The server-rendered pages (Jinja2 templates, plain CSS, a little plain JavaScript)."""

from __future__ import annotations

from trialdesk.web.app import create_web

__all__ = ["create_web"]
