"""One router per group of pages; ``PAGE_ROUTERS`` lists them in the order served."""

from __future__ import annotations

from fastapi import APIRouter

from trialdesk.web.routes import audit, auth, dashboard, patients, randomise

__all__ = ["PAGE_ROUTERS"]

PAGE_ROUTERS: tuple[APIRouter, ...] = (auth.router, dashboard.router, patients.router,
                                       randomise.router, audit.router)
