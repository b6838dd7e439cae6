"""Eligibility: a screening record checked against the protocol's criteria.

Each criterion ends in one of four outcomes: ``met``, ``failed``, ``missing`` (a field it
reads was not given: the criterion is not assessable, never silently failed) or ``deferred``
(it reads ``randomisation_date`` and none was given: checked at randomisation). The patient
is eligible (True) when every criterion is met and every required field was given;
ineligible (False) as soon as one criterion fails, whatever else is missing; not assessable
(None) otherwise, with the missing fields named.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from trialdesk.errors import InputError
from trialdesk.protocol import Protocol
from trialdesk.protocol.conditions import CONTEXT_FIELDS
from trialdesk.table import Table

__all__ = ["Eligibility", "Outcome", "assess_eligibility"]

logger = logging.getLogger(__name__)

Outcome = Literal["met", "failed", "missing", "deferred"]


@dataclass(frozen=True, slots=True)
class Eligibility:
    """The outcome of screening one patient.

    Attributes
    ----------
    eligible
        True, False, or None when not assessable (see the module docstring).
    reasons
        The failed criteria's messages, as a site reads them, in protocol order.
    failed
        Names of the failed criteria.
    missing
        Screening fields that are required or read by a criterion but were not given.
    outcomes
        ``(criterion name, outcome)`` for every criterion, in protocol order.
    """

    eligible: bool | None
    reasons: tuple[str, ...]
    failed: tuple[str, ...]
    missing: tuple[str, ...]
    outcomes: tuple[tuple[str, Outcome], ...]

    def summary(self) -> Table:
        """One row per criterion: its name and outcome."""
        return Table.from_rows(("criterion", "outcome"), self.outcomes, title="Eligibility")


def _as_date(value: dt.date | str, name: str) -> dt.date:
    try:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise InputError("must be a date (YYYY-MM-DD)", field=name, value=value) from exc


def assess_eligibility(protocol: Protocol, screening: Mapping[str, object],
                       randomisation_date: dt.date | str | None = None) -> Eligibility:
    """Check screening data against every eligibility criterion of ``protocol``.

    Parameters
    ----------
    protocol
        The trial's protocol.
    screening
        Screening field -> value, raw (texts) or typed; coerced by ``protocol.parse_screening``.
    randomisation_date
        The planned or actual randomisation date. None at screening: criteria that read it
        (RESORT: randomisation within 84 days after the metastasectomy) are ``deferred``.

    Raises
    ------
    InputError
        An unknown screening field or a value of the wrong type, naming the field.
    """
    values = dict(protocol.parse_screening(screening))
    if randomisation_date is not None:
        values["randomisation_date"] = _as_date(randomisation_date, "randomisation_date")
    outcomes: list[tuple[str, Outcome]] = []
    missing_fields: set[str] = {f.name for f in protocol.screening_fields
                                if f.required and f.name not in values}
    reasons = []
    for criterion in protocol.eligibility:
        absent = criterion.rule.fields - values.keys()
        if absent & CONTEXT_FIELDS.keys():
            outcome: Outcome = "deferred"
        elif absent:
            outcome = "missing"
            missing_fields |= absent
        else:
            holds = criterion.rule.evaluate(values)
            outcome = "met" if holds == (criterion.kind == "inclusion") else "failed"
        if outcome == "failed":
            reasons.append(criterion.message)
        outcomes.append((criterion.name, outcome))
    failed = tuple(name for name, outcome in outcomes if outcome == "failed")
    missing = tuple(f.name for f in protocol.screening_fields if f.name in missing_fields)
    eligible = False if failed else (None if missing else True)
    logger.debug("eligibility under %s: %s (failed %s, missing %s)", protocol.id, eligible,
                 failed, missing)
    return Eligibility(eligible=eligible, reasons=tuple(reasons), failed=failed, missing=missing,
                       outcomes=tuple(outcomes))
