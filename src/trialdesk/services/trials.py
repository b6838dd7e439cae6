"""The trial: created once per protocol version, with its secret randomisation seed.

The protocol's YAML is stored with the trial, so the database alone says which protocol
version every record was checked against; ``protocol_of`` reads it back (validated once
per process and fingerprint). The randomisation seed is drawn with ``secrets`` and is
never shown to anyone but the statistician's allocation-list export.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.errors import ConflictError, InputError, NotFoundError
from trialdesk.protocol import Protocol, protocol_from_yaml
from trialdesk.services.actors import Actor, require_role
from trialdesk.store.audit import audited_transaction
from trialdesk.store.models import Trial

__all__ = ["TrialView", "create_trial", "protocol_of", "trial_by_code", "trial_view"]

logger = logging.getLogger(__name__)

#: Bits of the randomisation seed (fits a signed 64-bit column).
SEED_BITS = 63


@dataclass(frozen=True, slots=True)
class TrialView:
    """A trial as anyone may see it (never the seed)."""

    code: str
    title: str
    protocol_version: str
    protocol_fingerprint: str
    created_at: datetime


def create_trial(session: Session, actor: Actor, protocol: Protocol, *,
                 randomisation_seed: int | None = None) -> TrialView:
    """Bind ``protocol`` to a new trial with a fresh secret seed.

    ``randomisation_seed`` fixes the allocation seed instead of drawing it with ``secrets``:
    for a reproducible demonstration or a replayed simulation only, never for a real trial
    (anyone who knows the seed can predict every allocation).

    Raises
    ------
    PermissionDeniedError
        Unless the actor is an admin.
    ConflictError
        A trial with this protocol id exists (``field="protocol"``).
    """
    require_role(actor, {"admin"}, "set up trials")
    with audited_transaction(session, actor.audit_context("create trial")):
        if session.scalar(select(Trial.id).where(Trial.code == protocol.id)):
            raise ConflictError("a trial with this protocol id exists in the database",
                                field="protocol", value=protocol.id)
        trial = Trial(code=protocol.id, protocol_version=protocol.version,
                      protocol_fingerprint=protocol.fingerprint, protocol_yaml=protocol.to_yaml(),
                      randomisation_seed=(secrets.randbits(SEED_BITS) if randomisation_seed is None
                                          else randomisation_seed), created_at=datetime.now(UTC))
        session.add(trial)
    logger.info("trial %s (protocol version %s) created by %s", trial.code, trial.protocol_version,
                actor.username)
    return trial_view(trial)


def trial_by_code(session: Session, code: str | None = None) -> Trial:
    """The trial with this protocol id; with None, the database's only trial.

    Raises
    ------
    NotFoundError
        No such trial, or no trial at all.
    InputError
        ``code`` is None but the database holds several trials (``field="trial"``).
    """
    query = select(Trial) if code is None else select(Trial).where(Trial.code == code)
    trials = session.scalars(query.limit(2)).all()
    if not trials:
        raise NotFoundError(f"no trial {code!r}" if code else "the database holds no trial; "
                            "run trialdesk init")
    if len(trials) > 1:
        raise InputError("the database holds several trials: name one", field="trial")
    return trials[0]


def trial_view(trial: Trial) -> TrialView:
    """The public face of a trial."""
    return TrialView(code=trial.code, title=protocol_of(trial).title,
                     protocol_version=trial.protocol_version,
                     protocol_fingerprint=trial.protocol_fingerprint, created_at=trial.created_at)


def protocol_of(trial: Trial) -> Protocol:
    """The protocol the trial is bound to, validated from the YAML stored with it."""
    return _protocol_from_stored(trial.protocol_fingerprint, trial.protocol_yaml)


@lru_cache(maxsize=16)
def _protocol_from_stored(fingerprint: str, text: str) -> Protocol:
    protocol = protocol_from_yaml(text, source=f"stored protocol {fingerprint[:12]}")
    if protocol.fingerprint != fingerprint:
        raise ConflictError("the stored protocol does not match its fingerprint", field="protocol",
                            hint="run trialdesk audit verify")
    return protocol
