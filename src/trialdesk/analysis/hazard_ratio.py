"""``HazardRatio``: one Cox coefficient as a report shows it, taken from the engine's fit.

Every Cox analysis of the plan (primary, subgroups, dose intensity) reports its term
through this one shape, so the report and the JSON read hazard ratios the same way.
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from trialdesk.errors import ConvergenceError, InputError, TrialdeskWarning
from trialdesk.survival import CoxFit, cox_ph

__all__ = ["MIN_EVENTS_PER_COVARIATE", "HazardRatio", "estimable_cox", "hazard_ratio_from_fit"]

logger = logging.getLogger(__name__)

#: Fewer events per model term than this draws a ``TrialdeskWarning`` (Peduzzi et al. 1995).
MIN_EVENTS_PER_COVARIATE = 10


@dataclass(frozen=True, slots=True)
class HazardRatio:
    """A hazard ratio with its Wald CI and p-value, per ``unit`` of the covariate.

    ``coef`` and ``se`` are the log hazard ratio per ``unit`` and its standard error (inverse
    information); lower/upper = exp(coef -/+ z se) at ``conf_level``; ``p_value`` is the
    two-sided Wald test, as R ``summary(coxph(...))``. NaN throughout when not estimable.
    """

    term: str
    coef: float
    se: float
    hazard_ratio: float
    lower: float
    upper: float
    p_value: float
    n: int
    n_events: int
    n_terms: int = 1
    unit: float = 1.0
    conf_level: float = 0.95

    @property
    def events_per_covariate(self) -> float:
        """Events divided by the number of model terms."""
        return self.n_events / self.n_terms

    @classmethod
    def not_estimable(cls, term: str, *, n: int, n_events: int) -> HazardRatio:
        """A row with no estimate (no events in a group, or fewer than two groups)."""
        nan = math.nan
        return cls(term, nan, nan, nan, nan, nan, nan, n, n_events)


def estimable_cox(time: np.ndarray, event: np.ndarray, X: np.ndarray | pd.DataFrame,
                  **options: Any) -> CoxFit | None:
    """``cox_ph(time, event, X, **options)``, or None when the data cannot identify the model.

    A subset of a trial can leave a column constant within every stratum with events (R's
    coxph reports NA) or make the fit diverge; such an estimate is reported as not
    estimable, with a log record, rather than stopping the whole analysis plan.
    """
    try:
        return cox_ph(time, event, X, **options)
    except (InputError, ConvergenceError) as exc:
        logger.warning("Cox model not estimable on %d rows: %s", time.size, exc)
        return None


def hazard_ratio_from_fit(fit: Any, *, term: str, column: int = 0, n: int, n_events: int,
                          unit: float = 1.0, conf_level: float = 0.95,
                          warn_few_events: bool = False) -> HazardRatio:
    """The ``column``-th coefficient of an engine ``cox_ph`` fit, rescaled to ``unit``.

    With ``warn_few_events``, warns (``TrialdeskWarning``) when the events per model term
    fall below ``MIN_EVENTS_PER_COVARIATE``.
    """
    n_terms = int(np.asarray(fit.coef).size)
    coef = float(np.asarray(fit.coef)[column]) * unit
    se = float(np.asarray(fit.se)[column]) * abs(unit)
    z = stats.norm.ppf(0.5 + conf_level / 2)
    if warn_few_events and n_events / n_terms < MIN_EVENTS_PER_COVARIATE:
        warnings.warn(
            f"{term}: {n_events} events for {n_terms} model term(s), fewer than "
            f"{MIN_EVENTS_PER_COVARIATE} per term; the hazard ratio is unreliable",
            TrialdeskWarning, stacklevel=3)
    with np.errstate(over="ignore"):  # a diverging coefficient (monotone likelihood) gives inf
        hazard_ratio, lower, upper = (float(v) for v in np.exp([coef, coef - z * se, coef + z * se]))
    return HazardRatio(
        term=term, coef=coef, se=se, hazard_ratio=hazard_ratio, lower=lower, upper=upper,
        p_value=float(2 * stats.norm.sf(abs(coef / se))) if se > 0 else math.nan,
        n=n, n_events=n_events, n_terms=n_terms, unit=unit, conf_level=conf_level)
