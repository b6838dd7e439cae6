"""Expected events over calendar time in a two-arm trial with uniform accrual.

Survival in each arm is (piecewise) exponential; the treatment hazard is hazard_ratio times
the control hazard (proportional hazards); dropout is exponential with the same hazard in
both arms and competes with the event. Patients enter uniformly over [0, accrual_time] at
``accrual_rate`` per time unit. With F(t) the probability of an observed event by t after
entry and G(t) = int_0^t F(u) du, the expected number of events by calendar time tau is

    E(tau) = accrual_rate * sum_arm p_arm * (G_arm(tau) - G_arm(tau - min(tau, accrual_time)))

with p_arm = r/(1+r) and 1/(1+r) (docs/design.md#sample-size). F and G are closed-form
on each piece of the hazard. This is rpact's ``getEventProbabilities`` model with uniform
accrual. Times are in the caller's unit (months when medians are in months).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from trialdesk.design._arrays import FloatArray
from trialdesk.errors import InputError

__all__ = ["PiecewiseExponential", "Timeline", "dropout_hazard"]

logger = logging.getLogger(__name__)

def dropout_hazard(dropout_rate: float, dropout_time: float) -> float:
    """Exponential dropout hazard: a fraction ``dropout_rate`` lost by ``dropout_time`` (rpact)."""
    if not 0 <= dropout_rate < 1:
        raise InputError("must lie in [0, 1)", field="dropout_rate", value=dropout_rate)
    if not dropout_time > 0:
        raise InputError("must be > 0", field="dropout_time", value=dropout_time)
    return -math.log1p(-dropout_rate) / dropout_time


@dataclass(frozen=True, slots=True)
class PiecewiseExponential:
    """Piecewise-constant hazard: ``hazards[j]`` on [starts[j], starts[j+1]), the last piece open.

    starts: (J,) with starts[0] = 0, increasing; hazards: (J,) >= 0, the last one > 0.
    """

    starts: FloatArray
    hazards: FloatArray

    @classmethod
    def from_inputs(cls, hazards: float | list[float] | tuple[float, ...],
                    starts: list[float] | tuple[float, ...] | None) -> PiecewiseExponential:
        """Checked construction; ``starts=None`` means one exponential piece."""
        hazard_array = np.atleast_1d(np.asarray(hazards, dtype=float))
        start_array = np.zeros(1) if starts is None else np.asarray(starts, dtype=float)
        if start_array.shape != hazard_array.shape:
            raise InputError(f"needs one start time per hazard ({hazard_array.size})",
                             field="piecewise_times", value=None if starts is None else list(starts))
        if start_array[0] != 0 or np.any(np.diff(start_array) <= 0):
            raise InputError("must start at 0 and increase", field="piecewise_times",
                             value=start_array.tolist())
        if np.any(~np.isfinite(hazard_array)) or np.any(hazard_array < 0) or hazard_array[-1] <= 0:
            raise InputError("must be finite and >= 0, the last one > 0", field="hazard_control",
                             value=hazard_array.tolist())
        return cls(start_array, hazard_array)

    def scaled(self, factor: float) -> PiecewiseExponential:
        """The hazard times ``factor`` (the treatment arm under proportional hazards)."""
        return PiecewiseExponential(self.starts, self.hazards * factor)

    def median(self) -> float:
        """Median survival time: where the cumulative hazard reaches log 2."""
        lengths = np.append(np.diff(self.starts), math.inf)
        cumulative = np.concatenate(([0.0], np.cumsum(self.hazards[:-1] * lengths[:-1])))
        j = int(np.searchsorted(cumulative, math.log(2.0), side="right") - 1)
        return float(self.starts[j] + (math.log(2.0) - cumulative[j]) / self.hazards[j])

    def event_integrals(self, times: np.ndarray, dropout: float) -> tuple[np.ndarray, np.ndarray]:
        """F(t), the probability of an observed event by t, and G(t) = int_0^t F, at ``times`` >= 0."""
        t = np.maximum(np.asarray(times, dtype=float), 0.0)
        kappa = self.hazards + dropout
        share = np.divide(self.hazards, kappa, out=np.zeros_like(kappa), where=kappa > 0)
        safe_kappa = np.where(kappa > 0, kappa, 1.0)
        lengths = np.diff(self.starts)
        # values at the start of each piece
        at_risk = np.exp(-np.concatenate(([0.0], np.cumsum(kappa[:-1] * lengths))))
        gained = share[:-1] * at_risk[:-1] * -np.expm1(-kappa[:-1] * lengths)
        f_start = np.concatenate(([0.0], np.cumsum(gained)))
        area = (f_start[:-1] * lengths + share[:-1] * at_risk[:-1]
                * (lengths + np.expm1(-kappa[:-1] * lengths) / safe_kappa[:-1]))
        g_start = np.concatenate(([0.0], np.cumsum(area)))
        j = np.searchsorted(self.starts, t, side="right") - 1
        u = t - self.starts[j]
        rise = -np.expm1(-kappa[j] * u)
        f = f_start[j] + share[j] * at_risk[j] * rise
        g = g_start[j] + f_start[j] * u + share[j] * at_risk[j] * (u - rise / safe_kappa[j])
        return f, g


@dataclass(frozen=True, slots=True)
class Timeline:
    """Accrual and events of a two-arm trial (treatment : control = allocation_ratio : 1)."""

    control: PiecewiseExponential
    hazard_ratio: float
    allocation_ratio: float
    dropout: float
    accrual_time: float
    accrual_rate: float

    @property
    def subjects(self) -> float:
        """Patients enrolled in total (not rounded)."""
        return self.accrual_rate * self.accrual_time

    def _arms(self) -> tuple[tuple[float, PiecewiseExponential], ...]:
        treated = self.allocation_ratio / (1.0 + self.allocation_ratio)
        return ((treated, self.control.scaled(self.hazard_ratio)), (1.0 - treated, self.control))

    def expected_events(self, times: np.ndarray | float) -> np.ndarray:
        """Expected events by calendar time (from the start of accrual), both arms together."""
        tau = np.asarray(times, dtype=float)
        enrolled_for = np.minimum(tau, self.accrual_time)
        total = np.zeros_like(tau)
        for share, hazard in self._arms():
            _, g_now = hazard.event_integrals(tau, self.dropout)
            _, g_first = hazard.event_integrals(tau - enrolled_for, self.dropout)
            total = total + share * (g_now - g_first)
        return self.accrual_rate * total

    def event_probabilities(self, time: float) -> tuple[float, float, float]:
        """P(event observed by calendar ``time``) for a patient enrolled by then.

        Returns overall, treatment and control probabilities (rpact's omega at the final look).
        """
        span = min(time, self.accrual_time)
        per_arm = []
        for _, hazard in self._arms():
            _, g = hazard.event_integrals(np.array([time, time - span]), self.dropout)
            per_arm.append(float(g[0] - g[1]) / span)
        treated = self.allocation_ratio / (1.0 + self.allocation_ratio)
        return treated * per_arm[0] + (1.0 - treated) * per_arm[1], per_arm[0], per_arm[1]

    def time_of(self, events: float) -> float:
        """Calendar time at which the expected number of events reaches ``events``."""
        horizon = self.accrual_time + 1.0
        while float(self.expected_events(horizon)) < events:
            horizon *= 2.0
            if horizon > 1e9:
                raise InputError("is never reached by the expected events", field="events",
                                 value=events, hint="enrol more patients or lower the events")
        return float(brentq(lambda tau: float(self.expected_events(tau)) - events, 0.0, horizon,
                            xtol=1e-12, rtol=1e-15))

    def subjects_by(self, times: np.ndarray) -> np.ndarray:
        """Patients enrolled by each calendar time."""
        return self.accrual_rate * np.minimum(np.asarray(times, dtype=float), self.accrual_time)
