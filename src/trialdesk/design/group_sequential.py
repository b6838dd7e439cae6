"""Group-sequential designs: efficacy and futility boundaries and their characteristics.

Matches rpact: ``getDesignGroupSequential`` for the boundaries and
``getDesignCharacteristics`` for the power, stopping probabilities and expected information
(docs/design.md#group-sequential-designs).

Sign convention: boundaries are on the z scale of a test statistic that is positive when
the experimental arm is better (for a log-rank test, z > 0 favours treatment, HR < 1);
reject H0 at look k when z_k >= critical_values[k]; stop for futility when z_k <=
futility_bounds[k].
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from trialdesk.design._arrays import FloatArray, frozen
from trialdesk.design._boundaries import (
    beta_spending_bounds,
    solve_drift,
    spending_bounds,
    wang_tsiatis_bounds,
)
from trialdesk.design._integration import crossing_probabilities
from trialdesk.design._spending import (
    AlphaSpending,
    BetaSpending,
    SpendingFamily,
    canonical_alpha_spending,
    canonical_beta_spending,
    check_parameter,
    spent,
    wang_tsiatis_delta,
)
from trialdesk.errors import InputError
from trialdesk.table import Table

__all__ = ["GroupSequentialDesign", "efficacy_bounds", "group_sequential"]

logger = logging.getLogger(__name__)


def _lower_edges(critical: np.ndarray, futility: np.ndarray, sided: int) -> np.ndarray:
    """(K,) lower edges of the continuation region: futility bounds then -inf, or -c_k two-sided."""
    return -critical if sided == 2 else np.append(futility, -math.inf)


def _ending(upper: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """(K,) probability of ending at each look from stage-wise stopping probabilities."""
    stop = upper[:-1] + lower[:-1]
    return np.append(stop, 1.0 - stop.sum())


@dataclass(frozen=True, slots=True)
class GroupSequentialDesign:
    """A group-sequential design. Matches R: ``rpact::getDesignGroupSequential`` and
    ``getDesignCharacteristics``.

    Attributes
    ----------
    information_rates
        (K,) information at each look as a fraction of the maximum (last = 1).
    alpha, beta, sided
        Type I error (two-sided when ``sided=2``), type II error, 1 or 2.
    spending, spending_parameter
        Efficacy family (descriptive name) and its gamma / rho / Delta (else None).
    beta_spending, beta_spending_parameter, binding
        Futility family (None: no futility bounds), its parameter, and whether the efficacy
        bounds account for the futility bounds (binding) or ignore them (non-binding).
    critical_values
        (K,) efficacy bounds, z scale (two-sided: reject when |z| >= bound).
    alpha_spent
        (K,) cumulative probability under H0 of rejecting by each look (futility ignored
        unless binding).
    stage_levels
        (K,) nominal one-sided levels 1 - Phi(critical value).
    futility_bounds
        (K-1,) futility bounds, z scale; ``-inf`` where there is none (rpact stores -6).
    beta_spent
        (K,) cumulative beta spent under H1, or None without beta spending.
    fixed_information
        Information a fixed design needs for a unit drift: (z_{1-alpha/sided} + z_{1-beta})^2
        (rpact's ``nFixed``).
    inflation_factor
        Maximum information / fixed information.
    power
        (K,) cumulative probability under H1 of rejecting by each look (upper bound only).
    rejection_probabilities, futility_probabilities
        (K,) and (K-1,) stage-wise probabilities under H1 of stopping for efficacy / futility.
    expected_information_h0, expected_information_h01, expected_information_h1
        Expected information at stopping relative to the fixed design, under H0, under half
        the alternative's drift and under H1 (rpact's ``averageSampleNumber0/01/1``).
    """

    information_rates: FloatArray
    alpha: float
    beta: float
    sided: int
    spending: SpendingFamily
    spending_parameter: float | None
    beta_spending: SpendingFamily | None
    beta_spending_parameter: float | None
    binding: bool
    critical_values: FloatArray
    alpha_spent: FloatArray
    stage_levels: FloatArray
    futility_bounds: FloatArray
    beta_spent: FloatArray | None
    fixed_information: float
    inflation_factor: float
    power: FloatArray
    rejection_probabilities: FloatArray
    futility_probabilities: FloatArray
    expected_information_h0: float
    expected_information_h01: float
    expected_information_h1: float

    @property
    def n_looks(self) -> int:
        """Number of looks K (interims and the final analysis)."""
        return int(self.information_rates.shape[0])

    @property
    def max_information(self) -> float:
        """Maximum information for a unit drift: fixed information x inflation (rpact's ``shift``)."""
        return self.fixed_information * self.inflation_factor

    @property
    def drift(self) -> float:
        """The drift delta under H1: Z_k ~ N(delta sqrt(t_k), 1), delta = sqrt(max_information)."""
        return math.sqrt(self.max_information)

    @property
    def lower_bounds(self) -> FloatArray:
        """(K,) lower edges of the continuation region: the futility bounds then -inf
        (one-sided), or -critical_values (two-sided: z <= -c_k rejects in favour of control)."""
        return frozen(_lower_edges(self.critical_values, self.futility_bounds, self.sided))

    def stopping_probabilities(self, drift: float) -> tuple[FloatArray, FloatArray]:
        """Stage-wise probabilities of stopping at the upper and at the lower bound.

        Parameters
        ----------
        drift
            Z_k ~ N(drift sqrt(t_k), 1); 0 is H0, ``self.drift`` is H1.

        Returns
        -------
        upper, lower
            (K,) arrays. ``lower`` is futility (one-sided) or rejection in the other direction
            (two-sided); the last look's lower entry is 0 for one-sided designs.
        """
        upper, lower = crossing_probabilities(self.critical_values, self.lower_bounds,
                                              self.information_rates, drift)
        return frozen(upper), frozen(lower)

    def ending_probabilities(self, drift: float) -> FloatArray:
        """(K,) probability that the trial ends at each look at ``drift`` (the last takes the rest)."""
        return frozen(_ending(*self.stopping_probabilities(drift)))

    def expected_information(self, drift: float) -> float:
        """Expected information at stopping relative to the fixed design, at ``drift``."""
        return float(self.ending_probabilities(drift) @ self.information_rates) * self.inflation_factor

    def with_information_rates(self, information_rates: Sequence[float]) -> GroupSequentialDesign:
        """The same design recomputed at other information rates (the spending approach)."""
        return group_sequential(
            information_rates, alpha=self.alpha, beta=self.beta, sided=self.sided,
            spending=self.spending, spending_parameter=self.spending_parameter,
            beta_spending=self.beta_spending, beta_spending_parameter=self.beta_spending_parameter,
            binding=self.binding)

    def futility_by_look(self) -> FloatArray:
        """(K,) futility bound of each look for display: NaN where there is none (rpact prints NA)."""
        futility = np.append(self.futility_bounds, np.nan)
        return frozen(np.where(futility == -math.inf, np.nan, futility))

    def summary(self) -> Table:
        """One row per look, labelled as rpact prints a design and its characteristics."""
        futility_probability = np.append(self.futility_probabilities, np.nan)
        return Table({
            "Stage": np.arange(1, self.n_looks + 1),
            "Information rate": self.information_rates,
            "Efficacy boundary (z)": self.critical_values,
            "Cumulative alpha spent": self.alpha_spent,
            "Stage level (one-sided)": self.stage_levels,
            "Futility boundary (z)": self.futility_by_look(),
            "Overall power": self.power,
            "Rejection probability (H1)": self.rejection_probabilities,
            "Futility probability (H1)": futility_probability,
        }, title=f"Group-sequential design: {self.spending}, alpha {self.alpha:g}, "
                 f"power {1 - self.beta:g}, inflation factor {self.inflation_factor:.4f}")

    def _repr_html_(self) -> str:
        return self.summary().to_html()


def _check_rates(information_rates: Sequence[float]) -> FloatArray:
    try:
        rates = np.asarray(information_rates, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError("must be numbers", field="information_rates") from exc
    if rates.ndim != 1 or rates.size == 0:
        raise InputError("must be a non-empty 1-D sequence", field="information_rates")
    if not (np.all(np.isfinite(rates)) and rates[0] > 0 and np.all(np.diff(rates) > 0)):
        raise InputError("must increase strictly and lie in (0, 1]", field="information_rates",
                         value=rates.tolist())
    if not math.isclose(rates[-1], 1.0, abs_tol=1e-12):
        raise InputError("must end at 1 (the final analysis)", field="information_rates",
                         value=rates.tolist(), hint="give rates as events / planned events")
    return rates


def _check_errors(alpha: float, beta: float, sided: int) -> None:
    if sided not in (1, 2):
        raise InputError("must be 1 or 2", field="sided", value=sided)
    if not 0 < alpha < 1:
        raise InputError("must lie in (0, 1)", field="alpha", value=alpha)
    if not 0 < beta < 1 - alpha / sided:
        raise InputError("must lie in (0, 1 - alpha)", field="beta", value=beta)


def _check_families(spending: str, spending_parameter: float | None, beta_spending: str | None,
                    beta_spending_parameter: float | None, *, sided: int, n_looks: int
                    ) -> tuple[SpendingFamily, float | None, SpendingFamily | None, float | None]:
    """Canonical efficacy and futility families with their checked parameters."""
    family = canonical_alpha_spending(spending)
    parameter = check_parameter(family, spending_parameter, "spending_parameter")
    if beta_spending is None:
        return family, parameter, None, None
    futility_family = canonical_beta_spending(beta_spending)
    if sided != 1 or n_looks < 2:
        raise InputError("beta-spending futility bounds need a one-sided design with >= 2 looks",
                         field="beta_spending", value=beta_spending)
    if wang_tsiatis_delta(family, parameter) is not None:
        raise InputError("beta spending needs an alpha-spending efficacy family",
                         field="spending", value=spending, hint="use asOF, asP, asHSD or asKD")
    return (family, parameter, futility_family,
            check_parameter(futility_family, beta_spending_parameter, "beta_spending_parameter"))


def efficacy_bounds(information_rates: Sequence[float] | np.ndarray, alpha: float, *, sided: int,
                    spending: SpendingFamily, spending_parameter: float | None) -> FloatArray:
    """Efficacy bounds (z) of a family at ``alpha``, without futility bounds (checked inputs)."""
    delta = wang_tsiatis_delta(spending, spending_parameter)
    if delta is not None:
        return wang_tsiatis_bounds(information_rates, alpha, delta, sided=sided)
    return spending_bounds(information_rates,
                           spent(spending, alpha, np.asarray(information_rates), sided=sided,
                                 parameter=spending_parameter), sided=sided)


def group_sequential(
    information_rates: Sequence[float],
    *,
    alpha: float = 0.025,
    beta: float = 0.2,
    sided: int = 1,
    spending: AlphaSpending | SpendingFamily = "asOF",
    spending_parameter: float | None = None,
    beta_spending: BetaSpending | SpendingFamily | None = None,
    beta_spending_parameter: float | None = None,
    binding: bool = False,
) -> GroupSequentialDesign:
    """Boundaries and characteristics of a group-sequential design.

    Parameters
    ----------
    information_rates
        Information at each look as a fraction of the maximum, increasing, ending at 1; for a
        survival endpoint, events at the look / planned events.
    alpha
        Type I error; two-sided when ``sided=2`` (rpact's convention).
    beta
        Type II error (power = 1 - beta).
    sided
        1: reject for large z only; 2: symmetric bounds, reject when |z| >= c_k.
    spending
        Efficacy family: ``"asOF"``/``"obrien_fleming_spending"`` (Lan-DeMets O'Brien-Fleming
        type), ``"asP"``/``"pocock_spending"``, ``"asHSD"``/``"hwang_shih_decani"`` (gamma),
        ``"asKD"``/``"kim_demets"`` (rho), or the classical ``"OF"``/``"obrien_fleming"``,
        ``"P"``/``"pocock"``, ``"WT"``/``"wang_tsiatis"`` (Delta) boundaries.
    spending_parameter
        gamma (HSD), rho (KD) or Delta (WT); ignored by the other families.
    beta_spending
        Futility family by beta spending (``"bsOF"``, ``"bsP"``, ``"bsHSD"``, ``"bsKD"`` or the
        descriptive names); None for no futility bounds. One-sided designs only.
    beta_spending_parameter
        gamma (bsHSD) or rho (bsKD).
    binding
        Whether the efficacy bounds take the futility bounds into account.

    Returns
    -------
    GroupSequentialDesign

    Examples
    --------
    >>> d = group_sequential([0.5, 1.0], alpha=0.025, beta=0.2, spending="asOF")
    >>> d.critical_values.round(4).tolist()
    [2.9626, 1.9686]
    """
    rates = _check_rates(information_rates)
    _check_errors(alpha, beta, sided)
    family, parameter, futility_family, futility_parameter = _check_families(
        spending, spending_parameter, beta_spending, beta_spending_parameter, sided=sided,
        n_looks=rates.size)
    critical = efficacy_bounds(rates, alpha, sided=sided, spending=family, spending_parameter=parameter)
    futility = np.full(rates.size - 1, -math.inf)
    beta_spent = None
    drift = None
    if futility_family is not None:  # then the efficacy family spends alpha (_check_families)
        critical, futility, drift = beta_spending_bounds(
            rates, critical, spent(futility_family, beta, rates, parameter=futility_parameter, beta=True),
            alpha_spent=spent(family, alpha, rates, parameter=parameter) if binding else None)

    null_lower = futility if binding else np.full(rates.size - 1, -math.inf)
    null_upper, null_lower_exit = crossing_probabilities(
        critical, _lower_edges(critical, null_lower, sided), rates, 0.0)
    alpha_spent = np.cumsum(null_upper + (null_lower_exit if sided == 2 else 0.0))
    if drift is None:
        drift = solve_drift(1.0 - beta, critical, futility, rates, sided=sided)
    fixed_information = (norm.isf(alpha / sided) + norm.isf(beta)) ** 2
    inflation_factor = drift**2 / fixed_information
    lower_edges = _lower_edges(critical, futility, sided)
    stopping = {theta: crossing_probabilities(critical, lower_edges, rates, theta)
                for theta in (0.0, drift / 2.0, drift)}
    upper, lower = stopping[drift]
    if futility_family is not None:
        beta_spent = frozen([*np.cumsum(lower[:-1]), 1.0 - upper.sum()])
    logger.debug("group-sequential design %s at rates %s: drift %.6f", family, rates, drift)
    expected = {theta: float(_ending(*probabilities) @ rates) * inflation_factor
                for theta, probabilities in stopping.items()}
    return GroupSequentialDesign(
        information_rates=frozen(rates), alpha=float(alpha), beta=float(beta), sided=sided,
        spending=family, spending_parameter=parameter, beta_spending=futility_family,
        beta_spending_parameter=futility_parameter, binding=bool(binding),
        critical_values=frozen(critical), alpha_spent=frozen(alpha_spent),
        stage_levels=frozen(norm.sf(critical)), futility_bounds=frozen(futility),
        beta_spent=beta_spent, fixed_information=float(fixed_information),
        inflation_factor=float(inflation_factor), power=frozen(np.cumsum(upper)),
        rejection_probabilities=frozen(upper),
        futility_probabilities=frozen(lower[:-1] if sided == 1 else np.zeros(rates.size - 1)),
        expected_information_h0=expected[0.0], expected_information_h01=expected[drift / 2.0],
        expected_information_h1=expected[drift])
