"""Benchmark: simulated RESORT trials per second, peak memory, and the analysis part vs lifelines.

    .venv/bin/python benchmarks/bench_simulate.py                 # 100,000 trials (target < 60 s, < 4 GiB)
    .venv/bin/python benchmarks/bench_simulate.py --million       # also 1,000,000: peak memory must not grow
    .venv/bin/python benchmarks/bench_simulate.py --lifelines-sample 200
    .venv/bin/python benchmarks/bench_simulate.py --backend ray  # both cores via a local Ray instance

Each run of N trials is a fresh subprocess (so its peak resident size, ru_maxrss, is its own):
every process of the scenario (accrual, screening, strata, randomisation, event times,
detection at 12-weekly scans, deaths, dropout, dosing, AEs) and two analyses per trial (interim
at 20 RFS events, final at 40), with log-rank, Cox, Kaplan-Meier landmarks and medians, on the
local backend (one process, one core) unless ``--backend ray`` (a local Ray instance on every
core, started before the clock; peak memory is then the driver's only).

The lifelines comparison times the analysis part alone, per trial: trialdesk's
``analyse_trials`` on a block of 1000 trials against a Python loop over a subsample of the
same trials doing the same work with lifelines (log-rank and Cox at both looks, Kaplan-Meier
per arm at the final look: S(12), S(24), median).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

from trialdesk.simulate.cutoff import analysis_dates, data_at_cutoff
from trialdesk.simulate.generator import generate_trials
from trialdesk.simulate.outcomes import analyse_trials
from trialdesk.simulate.presets import resort_scenario
from trialdesk.simulate.runner import BLOCK_TRIALS, simulate


def peak_rss_mib() -> float:
    """Peak resident set size of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child(n_trials: int, scenario_name: str, seed: int, backend: str) -> None:
    """Run one simulation and print its wall time and peak memory as JSON."""
    scenario = resort_scenario(scenario_name)
    if backend == "ray":
        import ray

        ray.init(include_dashboard=False, log_to_driver=False)
    before = peak_rss_mib()
    start = time.perf_counter()
    oc = simulate(scenario, n_trials, seed=seed, backend=backend)
    seconds = time.perf_counter() - start
    print(json.dumps({"trials": n_trials, "seconds": seconds, "peak_rss_mib": peak_rss_mib(),
                      "rss_before_mib": before, "rejection_rate": oc.rejection_rate,
                      "mean_events": oc.expected("events")}))


def run_child(n_trials: int, scenario_name: str, seed: int, backend: str) -> dict[str, float]:
    output = subprocess.run([sys.executable, __file__, "--child", str(n_trials), "--scenario", scenario_name,
                             "--seed", str(seed), "--backend", backend],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def lifelines_per_trial(time_by_look: list[np.ndarray], event_by_look: list[np.ndarray],
                        included_by_look: list[np.ndarray], arm: np.ndarray, landmarks: tuple[float, ...],
                        sample: int) -> float:
    """Seconds per trial for the same analyses done with lifelines in a loop."""
    import pandas as pd
    from lifelines import CoxPHFitter, KaplanMeierFitter
    from lifelines.statistics import logrank_test

    start = time.perf_counter()
    for i in range(sample):
        for time_k, event_k, included_k in zip(time_by_look, event_by_look, included_by_look, strict=True):
            keep = included_k[i]
            t, e, a = time_k[i][keep], event_k[i][keep], arm[i][keep]
            logrank_test(t[a == 0], t[a == 1], e[a == 0], e[a == 1])
            CoxPHFitter().fit(pd.DataFrame({"time": t, "event": e, "arm": a}), "time", "event")
        final = included_by_look[-1][i]
        t, e, a = time_by_look[-1][i][final], event_by_look[-1][i][final], arm[i][final]
        for k in (0, 1):
            km = KaplanMeierFitter().fit(t[a == k], e[a == k])
            km.survival_function_at_times(list(landmarks))
            _ = km.median_survival_time_
    return (time.perf_counter() - start) / sample


def compare_with_lifelines(scenario_name: str, sample: int) -> dict[str, float]:
    scenario = resort_scenario(scenario_name)
    trials = generate_trials(scenario, BLOCK_TRIALS, np.random.default_rng(2024))
    start = time.perf_counter()
    analyse_trials(trials, scenario)
    ours = (time.perf_counter() - start) / BLOCK_TRIALS
    cutoffs = analysis_dates(trials, scenario)
    looks = [data_at_cutoff(trials, scenario, cutoffs[:, k]) for k in range(cutoffs.shape[1])]
    theirs = lifelines_per_trial([d.time for d in looks], [d.event for d in looks],
                                 [d.included for d in looks], trials.arm, scenario.landmarks, sample)
    return {"trialdesk_ms_per_trial": 1e3 * ours, "lifelines_ms_per_trial": 1e3 * theirs,
            "ratio": theirs / ours, "lifelines_sample": sample}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="also run 1,000,000 trials (memory flat?)")
    parser.add_argument("--scenario", default="published")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lifelines-sample", type=int, default=100)
    parser.add_argument("--backend", choices=["local", "ray"], default="local")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.scenario, args.seed, args.backend)
        return
    sizes = [args.trials] + ([1_000_000] if args.million else [])
    print(f"RESORT '{args.scenario}' scenario, {args.backend} backend, seed {args.seed}")
    print(f"{'trials':>10} {'seconds':>9} {'trials/s':>10} {'peak RSS MiB':>13} {'RSS after import':>17}")
    for n in sizes:
        r = run_child(n, args.scenario, args.seed, args.backend)
        print(f"{n:>10} {r['seconds']:>9.2f} {n / r['seconds']:>10.0f} {r['peak_rss_mib']:>13.0f} "
              f"{r['rss_before_mib']:>17.0f}")
    c = compare_with_lifelines(args.scenario, args.lifelines_sample)
    print(f"analysis part per trial (2 looks: log-rank + Cox; KM per arm): trialdesk "
          f"{c['trialdesk_ms_per_trial']:.3f} ms (block of {BLOCK_TRIALS}), lifelines loop "
          f"{c['lifelines_ms_per_trial']:.1f} ms (subsample of {c['lifelines_sample']} trials): "
          f"ratio {c['ratio']:.0f}x")


if __name__ == "__main__":
    main()
