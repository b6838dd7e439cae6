"""Boundary-crossing probabilities of the canonical joint normal, by recursive integration.

The canonical joint distribution (Jennison & Turnbull 2000, ch. 3): at look k with
information I_k the statistic Z_k ~ N(theta * sqrt(I_k), 1), and the score S_k = Z_k sqrt(I_k)
has independent increments S_k - S_{k-1} ~ N(theta * (I_k - I_{k-1}), I_k - I_{k-1}).
The sub-density of Z_k on the continuation region of looks 1..k-1 is carried from look to
look on Jennison & Turnbull's grid (ch. 19: 6r - 1 points around the mean, trimmed to the
continuation interval, with Simpson's rule on the midpoints), as gsDesign does; rpact uses
a Newton-Cotes grid on the same recursion. With r = 32 the probabilities agree with rpact's
to within 3e-8, rpact's own solver tolerance (docs/design.md#the-integration-grid).

Information is on any scale (design code passes information rates t_k, with theta the drift
at t = 1). Bounds are on the Z scale; an infinite bound means "none".
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

__all__ = ["START", "SubDensity", "advance", "crossing_probabilities", "lower_exit", "upper_exit"]

logger = logging.getLogger(__name__)

#: Jennison & Turnbull's grid size parameter r (gsDesign uses 18).
GRID_R = 32
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True, slots=True)
class SubDensity:
    """Sub-density of Z_k on the continuation region of looks 1..k, ready for the next look.

    z: (m,) grid of Z_k values; weighted: (m,) sub-density times Simpson weight at each point;
    information: I_k. ``START`` is the point mass at Z = 0 with no information.
    """

    z: np.ndarray
    weighted: np.ndarray
    information: float


START = SubDensity(np.zeros(1), np.ones(1), 0.0)


def _grid(mean: float, lower: float, upper: float, r: int = GRID_R) -> tuple[np.ndarray, np.ndarray]:
    """Jennison & Turnbull's grid on (lower, upper) around ``mean``: points and Simpson weights."""
    i = np.arange(1, 6 * r, dtype=float)
    x = np.where(i < r, mean - 3.0 - 4.0 * np.log(r / i),
                 np.where(i <= 5 * r, mean - 3.0 + 3.0 * (i - r) / (2.0 * r),
                          mean + 3.0 + 4.0 * np.log(r / (6.0 * r - i))))
    if not lower < upper:
        return np.empty(0), np.empty(0)
    points = x[(x > lower) & (x < upper)]
    if lower > x[0]:
        points = np.concatenate(([lower], points))
    if upper < x[-1]:
        points = np.concatenate((points, [upper]))
    if points.size < 2:
        return np.empty(0), np.empty(0)
    width = np.diff(points)
    z = np.empty(2 * points.size - 1)
    z[0::2] = points
    z[1::2] = points[:-1] + width / 2.0
    weights = np.zeros_like(z)
    weights[0:-1:2] += width / 6.0
    weights[2::2] += width / 6.0
    weights[1::2] = 4.0 * width / 6.0
    return z, weights


def _increment(state: SubDensity, information: float, theta: float) -> tuple[np.ndarray, float]:
    """Mean of S_k given each grid point of Z_{k-1}, and the standard deviation of the increment."""
    step = information - state.information
    if step <= 0:
        raise ValueError(f"information must increase from look to look (got {information} after "
                         f"{state.information})")
    centre = state.z * math.sqrt(state.information) + theta * step
    return centre, math.sqrt(step)


def upper_exit(state: SubDensity, bound: float, information: float, theta: float) -> float:
    """P(continue up to the previous look, Z_k >= bound) at information I_k."""
    if bound == math.inf or state.z.size == 0:
        return 0.0
    centre, root = _increment(state, information, theta)
    return float(state.weighted @ ndtr((centre - bound * math.sqrt(information)) / root))


def lower_exit(state: SubDensity, bound: float, information: float, theta: float) -> float:
    """P(continue up to the previous look, Z_k <= bound) at information I_k."""
    if bound == -math.inf or state.z.size == 0:
        return 0.0
    centre, root = _increment(state, information, theta)
    return float(state.weighted @ ndtr((bound * math.sqrt(information) - centre) / root))


def advance(state: SubDensity, lower: float, upper: float, information: float,
            theta: float) -> SubDensity:
    """The sub-density of Z_k on (lower, upper) given the one of Z_{k-1}."""
    z, weights = _grid(theta * math.sqrt(information), lower, upper)
    if z.size == 0 or state.z.size == 0:
        return SubDensity(np.empty(0), np.empty(0), information)
    centre, root = _increment(state, information, theta)
    standardised = (z[:, None] * math.sqrt(information) - centre[None, :]) / root
    density = np.exp(-0.5 * standardised**2) @ state.weighted
    density *= _INV_SQRT_2PI * math.sqrt(information) / root
    return SubDensity(z, weights * density, information)


def crossing_probabilities(upper: Sequence[float], lower: Sequence[float],
                           information: Sequence[float], theta: float
                           ) -> tuple[np.ndarray, np.ndarray]:
    """Stage-wise probabilities of first crossing the upper and the lower bound.

    Parameters
    ----------
    upper, lower
        (K,) bounds on the Z scale; ``inf`` / ``-inf`` for none.
    information
        (K,) increasing information levels.
    theta
        Drift: Z_k ~ N(theta * sqrt(I_k), 1).

    Returns
    -------
    upper_probabilities, lower_probabilities
        (K,) arrays: P(no crossing before k, Z_k >= upper_k) and P(no crossing before k,
        Z_k <= lower_k).
    """
    n_looks = len(information)
    upper_probabilities = np.zeros(n_looks)
    lower_probabilities = np.zeros(n_looks)
    state = START
    for k in range(n_looks):
        upper_probabilities[k] = upper_exit(state, upper[k], information[k], theta)
        lower_probabilities[k] = lower_exit(state, lower[k], information[k], theta)
        if k < n_looks - 1:
            state = advance(state, lower[k], upper[k], information[k], theta)
    return upper_probabilities, lower_probabilities
