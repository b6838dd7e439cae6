"""One router per resource of the REST API; ``ROUTERS`` lists them in the order served."""

from __future__ import annotations

from fastapi import APIRouter

from trialdesk.api.routers import (
    allocation,
    audit,
    auth,
    patients,
    records,
    reports,
    sites,
    trial,
    users,
)

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    auth.router, trial.router, sites.router, users.router, patients.router, records.router,
    allocation.router, audit.router, reports.router,
)
