"""``CoxFit``: the result of :func:`trialdesk.survival.cox_ph`, read like R's ``summary(coxph)``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np
from scipy import stats

from trialdesk.survival._read_only import read_only
from trialdesk.survival.cox._concordance import Concordance, PairCounts
from trialdesk.survival.cox._model import CoxModelData
from trialdesk.table import Table

if TYPE_CHECKING:
    from trialdesk.survival.cox.zph import ProportionalHazardsTest

__all__ = ["ChiSquareTest", "ConfidenceInterval", "CoxFit", "PairCounts"]

logger = logging.getLogger(__name__)

Transform = Literal["km", "identity", "rank"]


class ChiSquareTest(NamedTuple):
    """A chi-square test: unpacks as ``(statistic, df, p_value)``."""

    statistic: float
    df: int
    p_value: float

    @classmethod
    def of(cls, statistic: float, df: int) -> ChiSquareTest:
        """The test with its upper-tail p-value (R: ``pchisq(statistic, df, lower.tail = FALSE)``)."""
        return cls(float(statistic), int(df), float(stats.chi2.sf(statistic, df)))


@dataclass(frozen=True, slots=True)
class ConfidenceInterval:
    """Confidence limits of the hazard ratios (``exp(coef -/+ z se)``) at ``level``."""

    lower: np.ndarray
    upper: np.ndarray
    level: float


@dataclass(frozen=True, slots=True)
class CoxFit:
    """A fitted Cox proportional hazards model. Matches R: ``summary(coxph(...))``.

    Attributes
    ----------
    terms
        Coefficient names (R's: a label column ``arm`` with levels A, B gives ``armB``).
    coef
        Log hazard ratios (per unit of a numeric covariate; versus the first level of a label).
    se
        Model-based standard errors, sqrt of the diagonal of the inverse information.
    variance
        Model-based variance matrix.
    loglik
        Partial log-likelihood ``(at 0, at coef)``.
    lr_test, score_test
        Likelihood-ratio test and score (log-rank) test at 0, each ``(statistic, df, p_value)``.
    wald_test
        ``coef' V^-1 coef`` with V the robust variance when the fit is robust, as R reports it.
    robust_se, robust_variance, robust_score_test
        Sandwich results when ``robust=True`` or a cluster was given, else ``None``.
    concordance, concordance_se, concordance_pairs
        Harrell's C as R's coxph stores it (ties in the risk score count one half), its
        infinitesimal-jackknife standard error, and the pair counts; computed on first use.
    n, n_events, n_dropped
        Rows used, events among them, rows dropped for missing values.
    iterations, converged
        Newton-Raphson iterations (as R counts them) and whether the log-likelihood converged.
    ties
        ``"efron"`` or ``"breslow"``.

    Notes
    -----
    ``z``, ``p_value`` and ``ci`` use the robust standard error when the fit is robust, as
    R's summary does. docs/methods.md#cox.
    """

    terms: tuple[str, ...]
    coef: np.ndarray
    se: np.ndarray
    variance: np.ndarray
    loglik: tuple[float, float]
    lr_test: ChiSquareTest
    wald_test: ChiSquareTest
    score_test: ChiSquareTest
    robust_se: np.ndarray | None
    robust_variance: np.ndarray | None
    robust_score_test: ChiSquareTest | None
    n: int
    n_events: int
    n_dropped: int
    iterations: int
    converged: bool
    ties: Literal["efron", "breslow"]
    term_columns: tuple[tuple[str, tuple[int, ...]], ...] = field(repr=False)
    _model: CoxModelData = field(repr=False, compare=False)
    _concordance_of: Callable[[], Concordance] = field(repr=False, compare=False)
    _cache: dict[str, Concordance] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("coef", "se", "variance", "robust_se", "robust_variance"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, read_only(np.array(value, dtype=np.float64)))

    def _concordance(self) -> Concordance:
        """Computed on first use (an O(n log n) pass over all pairs), then kept."""
        if "concordance" not in self._cache:
            self._cache["concordance"] = self._concordance_of()
        return self._cache["concordance"]

    @property
    def concordance(self) -> float:
        """Harrell's C as R's ``coxph()$concordance`` (risk-score ties count one half)."""
        return self._concordance().estimate

    @property
    def concordance_se(self) -> float:
        """Infinitesimal-jackknife standard error of the concordance (R's ``std``)."""
        return self._concordance().std_err

    @property
    def concordance_pairs(self) -> PairCounts:
        """Concordant, discordant, tied_x, tied_y and tied_xy pair counts."""
        return self._concordance().pairs

    @property
    def hazard_ratio(self) -> np.ndarray:
        """``exp(coef)``."""
        return np.exp(self.coef)

    @property
    def _test_se(self) -> np.ndarray:
        return self.se if self.robust_se is None else self.robust_se

    @property
    def z(self) -> np.ndarray:
        """Wald z: ``coef / se`` (robust se when robust)."""
        return self.coef / self._test_se

    @property
    def p_value(self) -> np.ndarray:
        """Two-sided Wald p-values, ``pchisq(z^2, 1, lower.tail = FALSE)`` as summary.coxph."""
        return stats.chi2.sf(self.z**2, 1)

    @property
    def ci(self) -> ConfidenceInterval:
        """95% confidence interval of the hazard ratios."""
        return self.confidence_interval(0.95)

    def confidence_interval(self, level: float = 0.95) -> ConfidenceInterval:
        """Hazard-ratio limits ``exp(coef -/+ qnorm(1 - (1 - level)/2) * se)``."""
        quantile = stats.norm.ppf(1.0 - (1.0 - level) / 2.0)
        half = quantile * self._test_se
        return ConfidenceInterval(lower=np.exp(self.coef - half), upper=np.exp(self.coef + half),
                                  level=level)

    def ph_test(self, transform: Transform = "km") -> ProportionalHazardsTest:
        """Test of proportional hazards, as R's ``cox.zph(fit, transform)`` (survival >= 3).

        See :func:`trialdesk.survival.cox.zph.ph_test`.
        """
        from trialdesk.survival.cox.zph import ph_test

        return ph_test(self._model, self.term_columns, transform=transform)

    def summary(self) -> Table:
        """Coefficient table with R's labels: coef, exp(coef), se(coef), [robust se], z, Pr(>|z|)."""
        columns: dict[str, np.ndarray] = {
            "term": np.array(self.terms, dtype=object),
            "coef": self.coef,
            "exp(coef)": self.hazard_ratio,
            "se(coef)": self.se,
        }
        if self.robust_se is not None:
            columns["robust se"] = self.robust_se
        columns.update({"z": self.z, "Pr(>|z|)": self.p_value})
        title = (f"Cox model ({self.ties} ties): n = {self.n}, events = {self.n_events}; "
                 f"concordance {self.concordance:.3f} (se {self.concordance_se:.3f})")
        return Table(columns, title=title)

    def _repr_html_(self) -> str:
        return self.summary().to_html()
