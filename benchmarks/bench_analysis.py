"""Speed of the analysis plan: the whole plan on a simulated RESORT trial, and the Turnbull
NPMLE (scan-aware RFS) against lifelines' ``KaplanMeierFitter.fit_interval_censoring``.

    .venv/bin/python benchmarks/bench_analysis.py

Interval data: exponential relapse times (median 485 days), uniform censoring, scans every
84 days with a +/- 7-day window per visit, so the intervals' ends are not on one grid.
lifelines treats an interval as closed, [L, R]; ours are (L, R] (a relapse is after the last
clear scan). For the comparison of values ours is also run on closed intervals (L moved
down by 1e-6 days); S at 365 and 730 days is printed for both (lifelines' upper NPMLE).
"""

from __future__ import annotations

import datetime as dt
import time
import warnings

import numpy as np

from trialdesk.analysis import run_analysis_plan
from trialdesk.analysis.interval_censored import turnbull
from trialdesk.protocol import load_protocol
from trialdesk.simulate.presets import resort_scenario
from trialdesk.simulate.records import simulate_trial_records


def scan_intervals(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(left, right] in days for n patients with jittered 12-weekly scans."""
    relapse_day = rng.exponential(700, n)
    censor_day = rng.uniform(0, 1500, n)
    grid = np.arange(0, 30000, 84.0)
    k = np.searchsorted(grid, relapse_day)
    relapsed = relapse_day <= censor_day
    right = np.where(relapsed, grid[k] + rng.integers(-7, 8, n), np.inf)
    last_clear = np.where(relapsed, grid[k - 1], grid[np.searchsorted(grid, censor_day, side="right") - 1])
    left = np.minimum(np.maximum(last_clear + rng.integers(-7, 8, n), 0), right)
    return left, right


def bench_plan() -> None:
    protocol = load_protocol("resort")
    data = simulate_trial_records(protocol, resort_scenario("published"), seed=20121101,
                                  start_date=dt.date(2012, 11, 1))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = run_analysis_plan(protocol, data, cutoff=dt.date(2018, 3, 1), events_planned=60)
    seconds = time.perf_counter() - start
    print(f"whole plan, simulated RESORT ({results.population_sizes['itt']} patients): {seconds:.2f} s")


def bench_turnbull() -> None:
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(1)
    print("patients  trialdesk s  lifelines s  S(365) ours / lifelines upper  S(730) ours / lifelines upper")
    for n in (200, 1000, 5000):
        left, right = scan_intervals(n, rng)
        start = time.perf_counter()
        turnbull(left, right)
        ours_seconds = time.perf_counter() - start
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = KaplanMeierFitter().fit_interval_censoring(left, right)
        lifelines_seconds = time.perf_counter() - start
        closed = np.where(left < right, np.maximum(left - 1e-6, 0.0), left)
        ours = turnbull(closed, right).at([365.0, 730.0])
        upper = theirs.survival_function_["NPMLE_estimate_upper"]
        at = [float(upper[upper.index <= t].iloc[-1]) for t in (365.0, 730.0)]
        print(f"{n:8d}  {ours_seconds:11.3f}  {lifelines_seconds:11.3f}  "
              f"{ours[0]:.6f} / {at[0]:.6f}            {ours[1]:.6f} / {at[1]:.6f}")


if __name__ == "__main__":
    bench_plan()
    bench_turnbull()
