"""Strata: the combination of stratification factor levels a patient belongs to.

A factor's level is derived from screening data by the protocol's rules (``derive``);
exactly one level's rule must hold. For RESORT (months = days / 30.4375):

* ``nephrectomy_to_metastases``: ``>12m`` when more than 12 months passed from nephrectomy to
  the diagnosis of metastases, else ``<=12m``;
* ``site``: ``lung`` or ``other`` (site of disease);
* ``lesions``: ``single`` (1 metastasis resected) or ``multiple`` (2-3).

A stratum's label joins ``factor:level`` in the protocol's factor order with ``|``, e.g.
``nephrectomy_to_metastases:>12m|disease_site:lung|lesions:single``; it is stable across versions of
trialdesk and is what the store and allocation lists record. A protocol without factors
has the single stratum ``all``.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from trialdesk.errors import InputError
from trialdesk.protocol import Protocol

__all__ = ["UNSTRATIFIED", "Stratum", "all_strata", "derive_stratum", "parse_stratum_label"]

logger = logging.getLogger(__name__)

#: The label of the one stratum of a protocol without stratification factors.
UNSTRATIFIED = "all"


@dataclass(frozen=True, slots=True)
class Stratum:
    """A patient's stratum: factor -> level (protocol order) and its stable ``label``.

    ``levels`` is a plain dict (JSON-ready); treat it as read-only, ``label`` is derived from it.
    """

    levels: dict[str, str]
    label: str

    def __hash__(self) -> int:
        return hash(self.label)

    @classmethod
    def from_levels(cls, protocol: Protocol, levels: Mapping[str, str]) -> Stratum:
        """The stratum with these levels; ``InputError`` for a missing or unknown level."""
        ordered = {}
        for factor in protocol.stratification_factors:
            level = levels.get(factor.name)
            if level not in factor.levels:
                raise InputError(f"must be one of {', '.join(factor.levels)}", field=factor.name,
                                 value=level)
            ordered[factor.name] = level
        unknown = set(levels) - ordered.keys()
        if unknown:
            raise InputError("is not a stratification factor", field=sorted(unknown)[0])
        label = "|".join(f"{k}:{v}" for k, v in ordered.items()) or UNSTRATIFIED
        return cls(levels=ordered, label=label)


def parse_stratum_label(protocol: Protocol, label: str) -> Stratum:
    """The stratum a label names; ``InputError`` naming the bad part otherwise."""
    if label == UNSTRATIFIED and not protocol.stratification_factors:
        return Stratum.from_levels(protocol, {})
    levels = {}
    for part in label.split("|"):
        factor, sep, level = part.partition(":")
        if not sep:
            raise InputError("must read factor:level|factor:level...", field="stratum", value=label)
        levels[factor] = level
    stratum = Stratum.from_levels(protocol, levels)
    if stratum.label != label:
        raise InputError(f"must list the factors in protocol order: {stratum.label}", field="stratum",
                         value=label)
    return stratum


def all_strata(protocol: Protocol) -> tuple[Stratum, ...]:
    """Every stratum of the protocol: the product of the factors' levels, first factor slowest."""
    factors = protocol.stratification_factors
    return tuple(Stratum.from_levels(protocol, dict(zip([f.name for f in factors], combo, strict=True)))
                 for combo in itertools.product(*(f.levels for f in factors)))


def derive_stratum(protocol: Protocol, screening: Mapping[str, object]) -> Stratum:
    """The stratum of a patient from screening data (raw or typed).

    Raises
    ------
    InputError
        A field a factor needs is missing (``field`` names it), or the factor's rules give no
        level or more than one.
    """
    values = protocol.parse_screening(screening)
    levels = {}
    for factor in protocol.stratification_factors:
        matching = []
        for level in factor.levels:
            rule = factor.derive[level]
            absent = sorted(rule.fields - values.keys())
            if absent:
                raise InputError(f"is needed to derive the stratification factor {factor.name}",
                                 field=absent[0])
            if rule.evaluate(values):
                matching.append(level)
        if len(matching) != 1:
            raise InputError(f"the protocol's rules give {len(matching)} levels ({matching}); "
                             "exactly one must hold", field=factor.name)
        levels[factor.name] = matching[0]
    return Stratum.from_levels(protocol, levels)
