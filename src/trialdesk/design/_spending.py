"""Alpha- and beta-spending functions, and the names they go by (rpact's and descriptive).

Every function maps an information rate t in (0, 1] to the cumulative error spent by then,
exactly as rpact 3.3 writes them (docs/design.md#spending-functions):

- O'Brien-Fleming type (Lan-DeMets), ``asOF``: ``2 * sided * (1 - Phi(z_{1 - a / (2 sided)} / sqrt(t)))``;
  for beta (``bsOF``) ``2 * (1 - Phi(z_{1 - b / 2} / sqrt(t)))``;
- Pocock type (Lan-DeMets), ``asP``/``bsP``: ``a * log(1 + (e - 1) t)``;
- Hwang-Shih-DeCani, ``asHSD``/``bsHSD`` with gamma: ``a (1 - exp(-gamma t)) / (1 - exp(-gamma))``
  (``a t`` for gamma = 0);
- Kim-DeMets power family, ``asKD``/``bsKD`` with rho: ``a t^rho``.

The classical designs (``OF``, ``P``, ``WT``) spend no function: their boundaries are
``C * t^(Delta - 0.5)`` with one constant C (Delta = 0 O'Brien-Fleming, 0.5 Pocock).
"""

from __future__ import annotations

import logging
import math
from typing import Literal

import numpy as np
from scipy.stats import norm

from trialdesk.errors import InputError

__all__ = [
    "AlphaSpending",
    "BetaSpending",
    "SpendingFamily",
    "canonical_alpha_spending",
    "canonical_beta_spending",
    "check_parameter",
    "spent",
    "wang_tsiatis_delta",
]

logger = logging.getLogger(__name__)

#: Efficacy boundary families, in rpact's spelling or descriptive spelling.
AlphaSpending = Literal[
    "asOF", "asP", "asHSD", "asKD", "OF", "P", "WT",
    "obrien_fleming_spending", "pocock_spending", "hwang_shih_decani", "kim_demets",
    "obrien_fleming", "pocock", "wang_tsiatis",
]
#: Futility (beta-spending) families, in rpact's spelling or descriptive spelling.
BetaSpending = Literal[
    "bsOF", "bsP", "bsHSD", "bsKD",
    "obrien_fleming_spending", "pocock_spending", "hwang_shih_decani", "kim_demets",
]
#: The canonical (descriptive) family names a design stores.
SpendingFamily = Literal[
    "obrien_fleming_spending", "pocock_spending", "hwang_shih_decani", "kim_demets",
    "obrien_fleming", "pocock", "wang_tsiatis",
]

_ALPHA_ALIASES: dict[str, SpendingFamily] = {
    "asOF": "obrien_fleming_spending", "asP": "pocock_spending",
    "asHSD": "hwang_shih_decani", "asKD": "kim_demets",
    "OF": "obrien_fleming", "P": "pocock", "WT": "wang_tsiatis",
}
_BETA_ALIASES: dict[str, SpendingFamily] = {
    "bsOF": "obrien_fleming_spending", "bsP": "pocock_spending",
    "bsHSD": "hwang_shih_decani", "bsKD": "kim_demets",
}
_SPENDING_FUNCTIONS = ("obrien_fleming_spending", "pocock_spending", "hwang_shih_decani", "kim_demets")
_CLASSICAL = {"obrien_fleming": 0.0, "pocock": 0.5}
_NEEDS_PARAMETER = {"hwang_shih_decani": "gamma", "kim_demets": "rho", "wang_tsiatis": "Delta"}


def _canonical(name: str, aliases: dict[str, SpendingFamily], allowed: tuple[str, ...],
               field: str) -> SpendingFamily:
    family = aliases.get(name, name)
    if family not in allowed:
        raise InputError("is not a known family", field=field, value=name,
                         hint="use one of " + ", ".join([*aliases, *allowed]))
    return family  # type: ignore[return-value]


def canonical_alpha_spending(name: str) -> SpendingFamily:
    """The descriptive name of an efficacy family (``"asOF"`` -> ``"obrien_fleming_spending"``)."""
    return _canonical(name, _ALPHA_ALIASES, (*_SPENDING_FUNCTIONS, *_CLASSICAL, "wang_tsiatis"),
                      "spending")


def canonical_beta_spending(name: str) -> SpendingFamily:
    """The descriptive name of a futility family (``"bsOF"`` -> ``"obrien_fleming_spending"``)."""
    return _canonical(name, _BETA_ALIASES, _SPENDING_FUNCTIONS, "beta_spending")


def check_parameter(family: SpendingFamily, parameter: float | None, field: str) -> float | None:
    """The family's shape parameter, checked: gamma (HSD), rho > 0 (KD), Delta (WT); else None."""
    needed = _NEEDS_PARAMETER.get(family)
    if needed is None:
        return None
    if parameter is None or not math.isfinite(parameter):
        raise InputError(f"{family} needs its parameter {needed}", field=field, value=parameter)
    if family == "kim_demets" and parameter <= 0:
        raise InputError("rho of the Kim-DeMets family must be > 0", field=field, value=parameter)
    return float(parameter)


def wang_tsiatis_delta(family: SpendingFamily, parameter: float | None) -> float | None:
    """Delta of a classical (Wang-Tsiatis) family, or None for a spending function."""
    if family == "wang_tsiatis":
        return parameter
    return _CLASSICAL.get(family)


def spent(family: SpendingFamily, total: float, rates: np.ndarray, *, sided: int = 1,
          parameter: float | None = None, beta: bool = False) -> np.ndarray:
    """Cumulative error spent at each information rate (rpact's ``getSpendingValueCpp``).

    Parameters
    ----------
    family
        A spending-function family (not a classical one).
    total
        The total error: alpha (two-sided alpha when ``sided=2``) or beta.
    rates
        Information rates in (0, 1].
    sided
        1 or 2; only the O'Brien-Fleming-type alpha spending depends on it.
    parameter
        gamma (Hwang-Shih-DeCani) or rho (Kim-DeMets).
    beta
        True for beta spending (``bsOF`` ignores ``sided``).
    """
    t = np.asarray(rates, dtype=float)
    if family == "obrien_fleming_spending":
        s = 1 if beta else sided
        return 2.0 * s * norm.sf(norm.isf(total / (2.0 * s)) / np.sqrt(t))
    if family == "pocock_spending":
        return total * np.log1p((math.e - 1.0) * t)
    if family == "hwang_shih_decani":
        gamma = float(parameter)  # type: ignore[arg-type]
        if gamma == 0.0:
            return total * t
        return total * -np.expm1(-gamma * t) / -math.expm1(-gamma)
    if family == "kim_demets":
        return total * t ** float(parameter)  # type: ignore[arg-type]
    raise InputError("is a classical boundary, not a spending function", field="spending", value=family)
