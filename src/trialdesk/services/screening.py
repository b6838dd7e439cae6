"""Screening: check a candidate against the protocol and register them with a subject id.

Subject ids read ``<trial>-<site>-<nnnn>`` (``RESORT-MI01-0001``), numbered per site in
screening order; numbering is safe under concurrency because write transactions serialise
on the audit chain (``trialdesk.store.audit``). Screening data are stored as entered after
the protocol's coercion (dates as ISO text); a screen failure keeps its reasons.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trialdesk.errors import InputError, NotFoundError, PermissionDeniedError
from trialdesk.services.actors import DATA_ENTRY_ROLES, Actor, require_role
from trialdesk.services.trials import protocol_of, trial_by_code
from trialdesk.store.audit import audited_transaction
from trialdesk.store.models import Patient, Site
from trialdesk.trial.eligibility import Eligibility, assess_eligibility

__all__ = [
    "MISSING_SEPARATOR",
    "REASON_SEPARATOR",
    "ScreeningResult",
    "eligibility_columns",
    "screen",
    "screening_json",
    "today",
]

logger = logging.getLogger(__name__)

#: Joins the failed criteria's messages in ``Patient.screen_failure_reasons``.
REASON_SEPARATOR = "; "
#: Joins the missing fields' names in ``Patient.missing_fields``.
MISSING_SEPARATOR = ","


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """The outcome of screening: subject id, site, and eligibility with reasons and missing fields.

    ``eligible`` is None while the patient is not assessable (``missing`` names the fields).
    The randomisation window is checked at randomisation, when its date is known.
    """

    subject_id: str
    site: str
    eligible: bool | None
    reasons: tuple[str, ...]
    missing: tuple[str, ...]


def today() -> dt.date:
    """Today's date in UTC, the default date of screening and randomisation."""
    return dt.datetime.now(dt.UTC).date()


def screening_json(values: Mapping[str, object]) -> dict[str, object]:
    """Typed screening values as JSON-ready data: dates become ISO text."""
    return {name: value.isoformat() if isinstance(value, dt.date) else value
            for name, value in values.items()}


def eligibility_columns(eligibility: Eligibility) -> dict[str, object]:
    """The ``Patient`` columns that store an eligibility outcome."""
    return {"eligible": eligibility.eligible,
            "screen_failure_reasons": REASON_SEPARATOR.join(eligibility.reasons),
            "missing_fields": MISSING_SEPARATOR.join(eligibility.missing)}


def screen(session: Session, actor: Actor, site: str, screening: Mapping[str, object], *,
           screening_date: dt.date | None = None, trial_code: str | None = None) -> ScreeningResult:
    """Screen a candidate at ``site`` and store them, eligible or not.

    Parameters
    ----------
    screening
        The protocol's screening fields (RESORT: docs/api.md), raw or typed; blank means not given.
    screening_date
        Default today (UTC); never in the future.

    Raises
    ------
    PermissionDeniedError
        The actor does not enter data, or not for this site.
    NotFoundError
        No such site.
    InputError
        An unknown screening field or a badly typed value (``field`` names it).
    """
    require_role(actor, DATA_ENTRY_ROLES, "screen patients")
    if site not in actor.sites:
        raise PermissionDeniedError(f"{actor.username} does not enter data for site {site}")
    screened_on = screening_date or today()
    if screened_on > today():
        raise InputError("must not be in the future", field="screening_date", value=screened_on)
    with audited_transaction(session, actor.audit_context("screen")):
        trial = trial_by_code(session, trial_code)
        protocol = protocol_of(trial)
        site_row = session.scalar(select(Site).where(Site.trial_id == trial.id, Site.code == site))
        if site_row is None:
            raise NotFoundError(f"no site {site!r} in trial {trial.code}")
        values = protocol.parse_screening(screening)
        eligibility = assess_eligibility(protocol, values)
        count = session.scalar(select(func.count(Patient.id)).where(Patient.site_id == site_row.id))
        subject_id = f"{trial.code}-{site}-{(count or 0) + 1:04d}"
        session.add(Patient(
            trial_id=trial.id, site_id=site_row.id, subject_id=subject_id, screening_date=screened_on,
            screening=screening_json(values), withdrawal_date=None, screened_by=actor.user_id,
            **eligibility_columns(eligibility)))
    logger.info("screened %s at %s: eligible=%s", subject_id, site, eligibility.eligible)
    return ScreeningResult(subject_id=subject_id, site=site, eligible=eligibility.eligible,
                           reasons=eligibility.reasons, missing=eligibility.missing)
