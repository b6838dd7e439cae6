"""The protocol model: a validated, immutable description of one trial (pydantic 2).

Every part of trialdesk reads the trial from here: services check screening data and
randomise with it, the analysis plan takes its populations, CI transform and landmarks from
it, the simulator its schedule and scheme. The YAML layout mirrors the field names below
(see ``resort.yaml``); ``load_protocol`` adds file and line numbers to validation errors.

Conventions
-----------
* Codes (arm, field, factor, criterion names) are lower-case identifiers; factor levels are
  short texts without ``:`` or ``|`` (they build stratum labels ``factor:level|...``).
* ``allocation_ratio`` is aligned with ``arms``; permuted block sizes are multiples of its sum.
* Doses: ``dose_mg`` per administration, ``doses_per_day`` administrations a day, so the
  planned daily dose is ``dose_mg * doses_per_day`` (RESORT: 400 mg twice daily = 800 mg/day).
* Times: weeks and days where the protocol says so; months = days / 30.4375.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import re
from collections.abc import Mapping
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from trialdesk.protocol.conditions import Condition
from trialdesk.protocol.screening import parse_screening

__all__ = [
    "AnalysisPlan",
    "Arm",
    "Criterion",
    "Endpoint",
    "EnrolmentPlan",
    "Factor",
    "InterimPlan",
    "PathError",
    "Protocol",
    "RandomisationPlan",
    "ScreeningField",
    "VisitSchedule",
]

logger = logging.getLogger(__name__)

FieldType = Literal["date", "bool", "int", "float", "choice"]
Scheme = Literal["permuted_blocks", "minimisation", "simple"]


class PathError(ValueError):
    """A model check that knows where it failed: ``path`` is relative to the model it checks."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        self.path = path
        super().__init__(message)


def _code(value: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", value):
        raise ValueError("must be lower-case letters, digits and '_', starting with a letter")
    return value


def _level(value: str) -> str:
    if not value or re.search(r"[:|\s]", value):
        raise ValueError("must be a non-empty text without ':', '|' or spaces")
    return value


def _positive(value: float) -> float:
    if value <= 0:
        raise ValueError("must be positive")
    return value


def _probability(value: float) -> float:
    if not 0 < value <= 1:
        raise ValueError("must be in (0, 1]")
    return value


Code = Annotated[str, AfterValidator(_code)]
Level = Annotated[str, AfterValidator(_level)]
PositiveFloat = Annotated[float, AfterValidator(_positive)]
PositiveInt = Annotated[int, AfterValidator(_positive)]
Probability = Annotated[float, AfterValidator(_probability)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _unique(items: tuple, attribute: str, path: str) -> None:
    seen: set[str] = set()
    for index, item in enumerate(items):
        value = getattr(item, attribute)
        if value in seen:
            raise PathError((path, index, attribute), f"{value!r} is used twice")
        seen.add(value)


class Arm(_Model):
    """A treatment group; an arm without ``treatment`` is observation (no study drug)."""

    code: Code
    name: str
    treatment: str | None = None
    dose_mg: PositiveFloat | None = None
    doses_per_day: PositiveInt | None = None
    route: str | None = None
    max_duration_weeks: PositiveFloat | None = None

    @model_validator(mode="after")
    def _dose_with_treatment(self) -> Arm:
        dosed = (self.dose_mg is not None, self.doses_per_day is not None)
        if self.treatment is None and any(dosed):
            raise PathError(("treatment",), "an arm with a dose needs a treatment")
        if self.treatment is not None and not all(dosed):
            raise PathError(("dose_mg",), "a treatment needs dose_mg and doses_per_day")
        return self

    @property
    def daily_dose_mg(self) -> float | None:
        """Planned daily dose in mg (``dose_mg * doses_per_day``); None without study drug."""
        if self.dose_mg is None or self.doses_per_day is None:
            return None
        return self.dose_mg * self.doses_per_day


class ScreeningField(_Model):
    """One field of the screening form; ``choices`` only for ``type: choice``."""

    name: Code
    type: FieldType
    label: str = ""
    choices: tuple[Level, ...] = ()
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None

    @model_validator(mode="after")
    def _choices_for_choice(self) -> ScreeningField:
        if (self.type == "choice") != bool(self.choices):
            raise PathError(("choices",), "a choice field needs choices, other types none")
        if (self.minimum is not None or self.maximum is not None) and self.type not in ("int", "float"):
            raise PathError(("minimum",), "minimum and maximum apply to int and float fields only")
        return self


class Criterion(_Model):
    """An eligibility criterion: an inclusion ``rule`` must hold, an exclusion ``rule`` must not.

    ``message`` is what a site reads when the criterion fails.
    """

    name: Code
    kind: Literal["inclusion", "exclusion"] = "inclusion"
    rule: Condition
    message: str


class Factor(_Model):
    """A stratification factor: its levels (in display order) and the rule deriving each.

    ``derive`` maps every level to a condition over screening data; exactly one must hold.
    ``prevalence`` (level -> proportion) is a planning assumption used by simulations;
    levels are equally likely when it is absent.
    """

    name: Code
    label: str
    levels: tuple[Level, ...] = Field(min_length=2)
    derive: dict[str, Condition]
    prevalence: dict[str, PositiveFloat] | None = None

    @model_validator(mode="after")
    def _levels_match(self) -> Factor:
        if len(set(self.levels)) != len(self.levels):
            raise PathError(("levels",), "levels must differ")
        if set(self.derive) != set(self.levels):
            raise PathError(("derive",), f"must give one rule for each level {list(self.levels)}")
        if self.prevalence is not None:
            if set(self.prevalence) != set(self.levels):
                raise PathError(("prevalence",), f"must give each level {list(self.levels)}")
            if abs(sum(self.prevalence.values()) - 1) > 1e-9:
                raise PathError(("prevalence",), "proportions must add up to 1")
        return self

    @property
    def level_probabilities(self) -> tuple[float, ...]:
        """Planned proportion of each level, aligned with ``levels`` (equal when not given)."""
        if self.prevalence is None:
            return tuple(1 / len(self.levels) for _ in self.levels)
        return tuple(self.prevalence[level] for level in self.levels)


class RandomisationPlan(_Model):
    """How patients are allocated.

    ``permuted_blocks``: within each stratum, blocks of a size drawn uniformly from
    ``block_sizes`` (multiples of the ratio's sum), each holding the arms in the exact ratio.
    ``minimisation``: Pocock-Simon over the stratification factors' margins, ``criterion``
    ``range`` (max - min of ratio-scaled counts) or ``marginal_balance`` (sum of pairwise
    absolute differences), factor ``weights`` (default 1); the preferred arm is given with
    probability ``p_best``. ``simple``: independent draws with the ratio's probabilities.
    """

    scheme: Scheme
    block_sizes: tuple[PositiveInt, ...] = ()
    p_best: Probability = 0.8
    criterion: Literal["range", "marginal_balance"] = "range"
    weights: dict[str, PositiveFloat] | None = None

    @model_validator(mode="after")
    def _blocks_for_blocks(self) -> RandomisationPlan:
        if self.scheme == "permuted_blocks" and not self.block_sizes:
            raise PathError(("block_sizes",), "permuted blocks need block_sizes")
        return self


class VisitSchedule(_Model):
    """Restaging visits every ``restaging_interval_weeks`` from randomisation (day 0).

    Visit k is planned at day ``7 * (first_restaging_weeks + (k - 1) * interval)``; it is on
    time within ``window_days`` either side of that date.
    """

    restaging_interval_weeks: PositiveInt
    first_restaging_weeks: PositiveInt | None = None
    window_days: int = Field(ge=0)
    anchor: Literal["randomisation"] = "randomisation"

    @property
    def first_weeks(self) -> int:
        """Week of the first restaging (the interval unless given)."""
        return self.first_restaging_weeks or self.restaging_interval_weeks


class Endpoint(_Model):
    """A time-to-event endpoint: time from ``origin`` to the first of ``events``.

    Without an event the patient is censored at the last adequate assessment; with no
    assessment after the origin, at the origin (day 0).
    """

    code: Code
    name: str
    primary: bool = False
    origin: Literal["randomisation"] = "randomisation"
    events: tuple[Literal["relapse", "death"], ...] = Field(min_length=1)
    censor_at: Literal["last_adequate_assessment"] = "last_adequate_assessment"
    without_assessment: Literal["censor_at_origin"] = "censor_at_origin"
    description: str = ""


class AnalysisPlan(_Model):
    """The statistical analysis plan's fixed choices (R survival conventions)."""

    populations: tuple[Literal["itt", "safety", "per_protocol"], ...]
    primary_population: Literal["itt", "safety", "per_protocol"] = "itt"
    conf_type: Literal["log", "log-log", "plain"] = "log"
    conf_level: Probability = 0.95
    ties: Literal["efron", "breslow"] = "efron"
    stratified: bool = True
    landmark_months: tuple[PositiveFloat, ...] = ()
    rmst_tau_months: PositiveFloat | None = None
    subgroups: tuple[Code, ...] = ()
    ae_grading: str = "CTCAE"


class InterimPlan(_Model):
    """When interim analyses happen and how alpha is spent (rpact's spellings).

    Give the looks either as ``information_fraction`` (events so far / events planned,
    increasing, last 1) or as ``events`` (cumulative event counts, increasing).
    """

    information_fraction: tuple[Probability, ...] | None = None
    events: tuple[PositiveInt, ...] | None = None
    spending: Literal["asOF", "asP", "asHSD", "asKD", "OF", "P"] = "asOF"
    alpha: Probability = 0.025
    sided: Literal[1, 2] = 1
    beta: Probability | None = None
    beta_spending: Literal["bsOF", "bsP", "bsHSD", "bsKD"] | None = None
    binding_futility: bool = False
    population: Literal["itt", "safety", "per_protocol"] = "itt"

    @model_validator(mode="after")
    def _one_way_to_time_looks(self) -> InterimPlan:
        looks = self.information_fraction if self.events is None else self.events
        if (self.information_fraction is None) == (self.events is None):
            raise PathError(("information_fraction",), "give information_fraction or events, not both")
        if any(b <= a for a, b in itertools.pairwise(looks)):
            raise PathError(("information_fraction" if self.events is None else "events",),
                            "looks must increase")
        if self.information_fraction is not None and self.information_fraction[-1] != 1:
            raise PathError(("information_fraction",), "the last look is the final analysis (1.0)")
        return self


class EnrolmentPlan(_Model):
    """Planned accrual: patients, months of accrual, sites."""

    planned_patients: PositiveInt
    accrual_months: PositiveFloat | None = None
    sites: PositiveInt | None = None


class Protocol(_Model):
    """A trial protocol: arms, screening form, eligibility, strata, randomisation, schedule,
    endpoints, analysis and interim plans. Load one with ``load_protocol``.
    """

    id: str
    version: str
    title: str
    description: str = ""
    reference: str = ""
    arms: tuple[Arm, ...] = Field(min_length=2)
    allocation_ratio: tuple[PositiveInt, ...]
    screening_fields: tuple[ScreeningField, ...]
    eligibility: tuple[Criterion, ...] = ()
    stratification_factors: tuple[Factor, ...] = ()
    randomisation: RandomisationPlan
    visit_schedule: VisitSchedule
    endpoints: tuple[Endpoint, ...] = Field(min_length=1)
    analysis: AnalysisPlan
    interim: InterimPlan | None = None
    enrolment: EnrolmentPlan | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Protocol:
        _unique(self.arms, "code", "arms")
        _unique(self.screening_fields, "name", "screening_fields")
        _unique(self.eligibility, "name", "eligibility")
        _unique(self.stratification_factors, "name", "stratification_factors")
        if len(self.allocation_ratio) != len(self.arms):
            raise PathError(("allocation_ratio",),
                            f"has {len(self.allocation_ratio)} entries for {len(self.arms)} arms")
        types = self.field_types
        for i, criterion in enumerate(self.eligibility):
            _check_rule(criterion.rule, types, ("eligibility", i, "rule"))
        for i, factor in enumerate(self.stratification_factors):
            for level, rule in factor.derive.items():
                _check_rule(rule, types, ("stratification_factors", i, "derive", level))
        factor_names = {f.name for f in self.stratification_factors}
        _check_column_names(self.stratification_factors, "stratification_factors")
        _check_column_names(self.screening_fields, "screening_fields")
        ratio_sum = sum(self.allocation_ratio)
        for j, size in enumerate(self.randomisation.block_sizes):
            if size % ratio_sum:
                raise PathError(("randomisation", "block_sizes", j),
                                f"{size} is not a multiple of the allocation ratio's sum {ratio_sum}")
        for name in self.randomisation.weights or {}:
            if name not in factor_names:
                raise PathError(("randomisation", "weights", name), "is not a stratification factor")
        if self.randomisation.scheme == "minimisation" and not factor_names:
            raise PathError(("randomisation", "scheme"), "minimisation needs stratification factors")
        for j, name in enumerate(self.analysis.subgroups):
            if name not in factor_names:
                raise PathError(("analysis", "subgroups", j), f"{name!r} is not a stratification factor")
        if sum(e.primary for e in self.endpoints) != 1:
            raise PathError(("endpoints",), "exactly one endpoint must be primary")
        return self

    @property
    def field_types(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Screening field name -> (type, choices), as the rule checker reads them."""
        return {f.name: (f.type, f.choices) for f in self.screening_fields}

    def arm(self, code: str) -> Arm:
        """The arm with this code; ``KeyError`` naming the codes otherwise."""
        for arm in self.arms:
            if arm.code == code:
                return arm
        raise KeyError(f"no arm {code!r}; arms are {[a.code for a in self.arms]}")

    @property
    def arm_codes(self) -> tuple[str, ...]:
        """Arm codes in protocol order (the order of ``allocation_ratio``)."""
        return tuple(arm.code for arm in self.arms)

    @property
    def primary_endpoint(self) -> Endpoint:
        """The one endpoint marked primary."""
        return next(e for e in self.endpoints if e.primary)

    def parse_screening(self, raw: Mapping[str, object]) -> dict[str, object]:
        """Screening data with each value coerced to its field's type (see ``screening``)."""
        return parse_screening(self, raw)

    def to_yaml(self) -> str:
        """The protocol as YAML text that ``load_protocol`` reads back to an equal protocol."""
        return yaml.safe_dump(self.model_dump(mode="json", exclude_none=True), sort_keys=False,
                              allow_unicode=True, width=100)

    @property
    def fingerprint(self) -> str:
        """SHA-256 (hex) of the canonical JSON form: equal protocols, equal fingerprints."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def _check_column_names(items: tuple[Factor, ...] | tuple[ScreeningField, ...], path: str) -> None:
    """Factor and screening-field names become patient columns: refuse the reserved ones.

    ``TrialData.patients`` (trialdesk.trial.data) already has ``site`` (the enrolling
    hospital), ``arm``, ``stratum`` and others; a factor of the same name would overwrite them.
    """
    from trialdesk.trial.data import TRIAL_DATA_COLUMNS  # here: trial imports protocol

    reserved = set(TRIAL_DATA_COLUMNS["patients"])
    for i, item in enumerate(items):
        if item.name in reserved:
            raise PathError((path, i, "name"), f"{item.name!r} is reserved for a patient column "
                            f"({', '.join(sorted(reserved))}); choose another name")


def _check_rule(rule: Condition, types: Mapping[str, tuple[str, tuple[str, ...]]],
                path: tuple[str | int, ...]) -> None:
    try:
        rule.check_types(types)
    except ValueError as exc:
        raise PathError(path, str(exc)) from exc
