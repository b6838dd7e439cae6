"""Parametric event-time models an arm of a simulated trial draws its times from.

Two families, both in months (months = days / 30.4375) and both batch-shaped (any array of
times or uniforms in, the same shape out):

- ``PiecewiseExponential``: constant hazard ``hazards[j]`` on ``[breaks[j-1], breaks[j])``
  with ``breaks[-1] = 0`` implied and the last piece running to infinity;
- ``Weibull``: ``S(t) = exp(-(t / scale) ** shape)``.

Times are drawn by inverting the cumulative hazard: ``T = H^{-1}(E)`` with ``E ~ Exp(1)``
(docs/simulate.md#event-time-models). ``with_hazard_ratio(hr)`` multiplies the hazard by a
constant, which is how a proportional-hazards alternative or the null (``hr = 1``) is built
from a calibrated control arm.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.errors import InputError

__all__ = ["EventTimeModel", "PiecewiseExponential", "Weibull"]

logger = logging.getLogger(__name__)


class EventTimeModel(Protocol):
    """What the generator needs from an arm's event-time model (times in months)."""

    def survival(self, time: ArrayLike) -> np.ndarray:
        """S(t) at each time."""

    def hazard(self, time: ArrayLike) -> np.ndarray:
        """h(t) at each time (per month; right-continuous at the breaks)."""

    def median(self) -> float:
        """The time at which S(t) = 0.5."""

    def time_to_event(self, exponential: np.ndarray) -> np.ndarray:
        """Event times H^{-1}(E) for unit-exponential draws ``E``."""

    def with_hazard_ratio(self, hazard_ratio: float) -> EventTimeModel:
        """The same model with every hazard multiplied by ``hazard_ratio``."""

    def describe(self) -> str:
        """One line naming the model and its parameters."""


def _positive(values: ArrayLike, name: str) -> np.ndarray:
    array = np.atleast_1d(np.asarray(values, dtype=np.float64))
    bad = ~(np.isfinite(array) & (array > 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError("must be positive and finite", field=name, row=i, value=float(array[i]))
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class PiecewiseExponential:
    """Piecewise-constant hazard.

    Parameters
    ----------
    breaks
        Interior change points in months, strictly increasing and positive (may be empty).
    hazards
        Hazard per month on each piece: ``len(breaks) + 1`` values; the first applies from 0,
        the last from ``breaks[-1]`` to infinity.
    """

    breaks: np.ndarray
    hazards: np.ndarray

    def __post_init__(self) -> None:
        breaks = np.asarray(self.breaks, dtype=np.float64).reshape(-1)
        if breaks.size and (breaks[0] <= 0 or np.any(np.diff(breaks) <= 0)):
            raise InputError("must be positive and strictly increasing", field="breaks",
                             value=breaks.tolist())
        hazards = _positive(self.hazards, "hazards")
        if hazards.size != breaks.size + 1:
            raise InputError(f"needs {breaks.size + 1} values (one per piece)", field="hazards",
                             value=hazards.tolist())
        breaks.setflags(write=False)
        object.__setattr__(self, "breaks", breaks)
        object.__setattr__(self, "hazards", hazards)

    @property
    def _starts(self) -> np.ndarray:
        return np.concatenate([[0.0], self.breaks])

    @property
    def _cumulative_at_starts(self) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum(self.hazards[:-1] * np.diff(self._starts))])

    def cumulative_hazard(self, time: ArrayLike) -> np.ndarray:
        """H(t) = integral of the hazard from 0 to t."""
        t = np.asarray(time, dtype=np.float64)
        piece = np.searchsorted(self.breaks, t, side="right")
        return self._cumulative_at_starts[piece] + self.hazards[piece] * (t - self._starts[piece])

    def survival(self, time: ArrayLike) -> np.ndarray:
        """S(t) = exp(-H(t))."""
        return np.exp(-self.cumulative_hazard(time))

    def hazard(self, time: ArrayLike) -> np.ndarray:
        """h(t), right-continuous at the breaks."""
        return self.hazards[np.searchsorted(self.breaks, np.asarray(time, dtype=np.float64),
                                            side="right")]

    def time_to_event(self, exponential: np.ndarray) -> np.ndarray:
        """H^{-1}(E): the time at which the cumulative hazard reaches each ``E``."""
        cumulative = self._cumulative_at_starts
        piece = np.searchsorted(cumulative, exponential, side="right") - 1
        return self._starts[piece] + (exponential - cumulative[piece]) / self.hazards[piece]

    def median(self) -> float:
        """The median time, H^{-1}(log 2)."""
        return float(self.time_to_event(np.array([np.log(2.0)]))[0])

    def with_hazard_ratio(self, hazard_ratio: float) -> PiecewiseExponential:
        """Every piece's hazard times ``hazard_ratio`` (proportional hazards)."""
        return PiecewiseExponential(self.breaks, self.hazards * _positive(hazard_ratio, "hazard_ratio"))

    def describe(self) -> str:
        """One line: each piece's interval and hazard per month."""
        edges = [*self._starts.tolist(), np.inf]
        return "; ".join(f"[{lo:g}, {hi:g}) months: {h:.5f}/month"
                         for lo, hi, h in zip(edges[:-1], edges[1:], self.hazards, strict=True))


@dataclass(frozen=True)
class Weibull:
    """Weibull event times: S(t) = exp(-(t / scale) ** shape), scale in months."""

    shape: float
    scale: float

    def __post_init__(self) -> None:
        _positive(self.shape, "shape")
        _positive(self.scale, "scale")

    def cumulative_hazard(self, time: ArrayLike) -> np.ndarray:
        """H(t) = (t / scale) ** shape."""
        return (np.asarray(time, dtype=np.float64) / self.scale) ** self.shape

    def survival(self, time: ArrayLike) -> np.ndarray:
        """S(t) = exp(-H(t))."""
        return np.exp(-self.cumulative_hazard(time))

    def hazard(self, time: ArrayLike) -> np.ndarray:
        """h(t) = shape / scale * (t / scale) ** (shape - 1)."""
        t = np.asarray(time, dtype=np.float64)
        return self.shape / self.scale * (t / self.scale) ** (self.shape - 1.0)

    def time_to_event(self, exponential: np.ndarray) -> np.ndarray:
        """H^{-1}(E) = scale * E ** (1 / shape)."""
        return self.scale * exponential ** (1.0 / self.shape)

    def median(self) -> float:
        """scale * log(2) ** (1 / shape)."""
        return float(self.scale * np.log(2.0) ** (1.0 / self.shape))

    def with_hazard_ratio(self, hazard_ratio: float) -> Weibull:
        """Hazard times ``hazard_ratio``: the scale shrinks by hr ** (-1 / shape)."""
        ratio = float(_positive(hazard_ratio, "hazard_ratio")[0])
        return Weibull(self.shape, self.scale * ratio ** (-1.0 / self.shape))

    def describe(self) -> str:
        """One line: shape and scale."""
        return f"Weibull shape {self.shape:.4f}, scale {self.scale:.3f} months"
