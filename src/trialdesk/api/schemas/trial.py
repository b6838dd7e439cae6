"""Schema of ``GET /trial``: the protocol summary a site or an integration needs."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from trialdesk.api.schemas._base import OutputSchema
from trialdesk.protocol import Protocol

__all__ = ["ArmOut", "CriterionOut", "FactorOut", "ScreeningFieldOut", "TrialOut", "trial_out"]


class ArmOut(OutputSchema):
    """A treatment group; ``daily_dose_mg`` is null for observation."""

    code: str
    name: str
    treatment: str | None
    daily_dose_mg: float | None = Field(description="Planned mg per day.")
    max_duration_weeks: float | None


class FactorOut(OutputSchema):
    """A stratification factor and its levels."""

    name: str
    label: str
    levels: list[str]


class ScreeningFieldOut(OutputSchema):
    """A field of the screening payload (``POST /patients`` ``screening``)."""

    name: str
    type: Literal["date", "bool", "int", "float", "choice"]
    label: str
    choices: list[str]
    required: bool


class CriterionOut(OutputSchema):
    """An eligibility criterion and the message a site reads when it fails."""

    name: str
    kind: Literal["inclusion", "exclusion"]
    message: str


class TrialOut(OutputSchema):
    """The trial and the protocol version bound to it."""

    code: str
    protocol_id: str
    protocol_version: str
    protocol_fingerprint: str
    title: str
    arms: list[ArmOut]
    allocation_ratio: list[int]
    stratification_factors: list[FactorOut]
    screening_fields: list[ScreeningFieldOut]
    eligibility: list[CriterionOut]
    randomisation_scheme: str
    restaging_interval_weeks: int
    visit_window_days: int
    sites: list[str] = Field(description="Codes of the trial's sites.")


def trial_out(code: str, protocol: Protocol, sites: list[str]) -> TrialOut:
    """The summary of ``protocol`` as bound to trial ``code``."""
    return TrialOut(
        code=code, protocol_id=protocol.id, protocol_version=protocol.version,
        protocol_fingerprint=protocol.fingerprint, title=protocol.title,
        arms=[ArmOut(code=a.code, name=a.name, treatment=a.treatment, daily_dose_mg=a.daily_dose_mg,
                     max_duration_weeks=a.max_duration_weeks) for a in protocol.arms],
        allocation_ratio=list(protocol.allocation_ratio),
        stratification_factors=[FactorOut(name=f.name, label=f.label, levels=list(f.levels))
                                for f in protocol.stratification_factors],
        screening_fields=[ScreeningFieldOut(name=f.name, type=f.type, label=f.label or f.name,
                                            choices=list(f.choices), required=f.required)
                          for f in protocol.screening_fields],
        eligibility=[CriterionOut(name=c.name, kind=c.kind, message=c.message)
                     for c in protocol.eligibility],
        randomisation_scheme=protocol.randomisation.scheme,
        restaging_interval_weeks=protocol.visit_schedule.restaging_interval_weeks,
        visit_window_days=protocol.visit_schedule.window_days, sites=sites,
    )
