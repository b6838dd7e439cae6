"""Randomise an eligible patient: draw and store the allocation in one serialised step.

The step runs inside one write transaction, which holds the audit chain head's lock from
its first statement (PostgreSQL ``SELECT ... FOR UPDATE``; SQLite ``BEGIN IMMEDIATE``): the
history read, the draw (``trialdesk.randomization.assign_next``, a pure function of the
trial's secret seed, the stratum and the history) and the insert of number and arm happen
with no other writer in between, so parallel requests never share a number or break a
block. Unique constraints on (trial, number) and on the patient back this up.

Concealment: the seed never leaves this module except through ``allocation_sequence``,
which only the statistician may call; sites learn an arm when a patient is randomised.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trialdesk.errors import ConflictError, InputError, RandomizationError
from trialdesk.randomization import AllocationList, PriorAllocation, allocation_list, assign_next
from trialdesk.services.actors import DATA_ENTRY_ROLES, Actor, require_role
from trialdesk.services.patients import load_patient
from trialdesk.services.screening import screening_json, today
from trialdesk.services.trials import protocol_of, trial_by_code
from trialdesk.store.audit import audited_transaction
from trialdesk.store.models import Randomisation, Trial
from trialdesk.trial.eligibility import assess_eligibility
from trialdesk.trial.strata import derive_stratum, parse_stratum_label

__all__ = ["Allocation", "allocation_sequence", "randomise"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Allocation:
    """The allocation made: randomisation number (1, 2, ... in the trial), arm code, stratum label."""

    subject_id: str
    randomization_number: int
    arm: str
    stratum: str
    randomization_date: dt.date


def randomise(session: Session, actor: Actor, subject_id: str, *,
              randomisation_date: dt.date | None = None) -> Allocation:
    """Randomise a screened, eligible patient on ``randomisation_date`` (default today, UTC).

    Raises
    ------
    PermissionDeniedError
        The actor does not enter data.
    NotFoundError
        No such patient, or one of another site.
    InputError
        A randomisation date in the future or before screening (``field="date"``).
    ConflictError
        Already randomised, withdrawn, not assessable (missing fields named), not eligible
        (the failed criteria's messages, including the randomisation window).
    """
    require_role(actor, DATA_ENTRY_ROLES, "randomise patients")
    randomised_on = randomisation_date or today()
    if randomised_on > today():
        raise InputError("must not be in the future", field="date", value=randomised_on)
    with audited_transaction(session, actor.audit_context("randomise")):
        patient, _site = load_patient(session, actor, subject_id)
        trial = session.get_one(Trial, patient.trial_id)
        protocol = protocol_of(trial)
        if session.scalar(select(Randomisation.id).where(Randomisation.patient_id == patient.id)):
            raise ConflictError(f"{subject_id} is already randomised", field="patient")
        if patient.withdrawal_date is not None:
            raise ConflictError(f"{subject_id} has withdrawn consent", field="patient")
        if randomised_on < patient.screening_date:
            raise InputError(f"must not be before screening ({patient.screening_date})", field="date",
                             value=randomised_on)
        eligibility = assess_eligibility(protocol, patient.screening, randomisation_date=randomised_on)
        if eligibility.eligible is None:
            raise ConflictError(f"{subject_id} is not assessable: screening data are missing",
                                field="patient", hint=f"record {', '.join(eligibility.missing)}")
        if not eligibility.eligible:
            raise ConflictError(f"{subject_id} is not eligible: {' '.join(eligibility.reasons)}",
                                field="patient")
        stratum = derive_stratum(protocol, patient.screening)
        history = session.execute(select(Randomisation.stratum, Randomisation.stratum_levels,
                                         Randomisation.arm)
                                  .where(Randomisation.trial_id == trial.id)
                                  .order_by(Randomisation.number)).all()
        arm = assign_next(protocol, seed=trial.randomisation_seed, stratum=stratum,
                          history=[PriorAllocation(label, levels, prior_arm)
                                   for label, levels, prior_arm in history])
        number = len(history) + 1
        session.add(Randomisation(
            trial_id=trial.id, patient_id=patient.id, number=number, stratum=stratum.label,
            stratum_levels=screening_json(stratum.levels), arm=arm, randomisation_date=randomised_on,
            randomised_at=dt.datetime.now(dt.UTC), randomised_by=actor.user_id))
    logger.info("randomised %s: number %d, stratum %s", subject_id, number, stratum.label)
    return Allocation(subject_id=subject_id, randomization_number=number, arm=arm,
                      stratum=stratum.label, randomization_date=randomised_on)


def allocation_sequence(session: Session, actor: Actor, stratum: str, n: int, *,
                        trial_code: str | None = None) -> AllocationList:
    """The first whole blocks of a stratum's permuted-block list (at least ``n`` entries).

    Only the statistician may read it: it reveals future assignments.

    Raises
    ------
    PermissionDeniedError
        The actor is not a statistician.
    InputError
        An unknown stratum label (``field="stratum"``).
    RandomizationError
        The protocol's scheme is not permuted blocks (minimisation has no list in advance).
    """
    require_role(actor, {"statistician"}, "read the allocation list")
    with session.begin():
        trial = trial_by_code(session, trial_code)
        seed = trial.randomisation_seed
        used = session.scalar(select(func.count(Randomisation.id)).where(
            Randomisation.trial_id == trial.id, Randomisation.stratum == stratum))
    protocol = protocol_of(trial)
    if protocol.randomisation.scheme != "permuted_blocks":
        raise RandomizationError(f"the {protocol.randomisation.scheme} scheme has no list in advance")
    label = parse_stratum_label(protocol, stratum).label
    logger.info("allocation list of %s read by %s (%d used)", label, actor.username, used or 0)
    return allocation_list(seed, label, n, block_sizes=protocol.randomisation.block_sizes,
                           ratio=protocol.allocation_ratio, arms=protocol.arm_codes)
