"""Benchmark: log-rank p and Cox hazard ratio for 100,000 simulated two-arm trials of 76 patients.

    .venv/bin/python benchmarks/bench_batch.py                  # 1e5 trials (target < 2.5 s)
    .venv/bin/python benchmarks/bench_batch.py --quick          # 1e4 trials, small peer samples
    .venv/bin/python benchmarks/bench_batch.py --ten-million    # also peak memory for 1e7 trials

Each trial: 76 patients randomised 1:1, exponential relapse times (control median 24 months,
hazard ratio 0.7), uniform censoring over 0-60 months, times in whole days (ties). trialdesk
analyses all trials at once: ``batch.logrank_and_cox`` (log-rank + Efron Cox from one sort, as
the simulator uses it) on one thread is the headline; ``batch.logrank_test`` then
``batch.cox_ph`` (two sorts) and ``logrank_and_cox(workers=2)`` are timed in the same run and
printed on their own lines (best of 3 each, wall and CPU seconds). The peers loop over trials:
lifelines (``logrank_test`` + ``CoxPHFitter``) in this process and R (``survdiff`` +
``coxph``, timed inside R); both run on a subsample and are extrapolated per trial to the full
number (printed), and every trialdesk line gets its ratio to both. Peak memory: a fresh child
process simulates and analyses the trials in blocks of 100,000 (the batch functions chunk
further inside) and reports its peak resident size.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from trialdesk.survival import batch

PATIENTS = 76
BLOCK = 100_000
MONTH_DAYS = 30.4375

R_SCRIPT = """
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
k <- as.integer(args[2]); n <- as.integer(args[3])
m <- readBin(args[1], 'double', 3 * k * n)
time <- matrix(m[1:(k * n)], nrow = k); event <- matrix(m[k * n + 1:(k * n)], nrow = k)
arm <- matrix(m[2 * k * n + 1:(k * n)], nrow = k)
seconds <- system.time(for (i in seq_len(k)) {
  d <- data.frame(time = time[i, ], event = event[i, ], arm = arm[i, ])
  lr <- survdiff(Surv(time, event) ~ arm, data = d)
  p <- pchisq(lr$chisq, 1, lower.tail = FALSE)
  hr <- exp(coef(coxph(Surv(time, event) ~ arm, data = d)))
})[['elapsed']]
cat(jsonlite::toJSON(list(seconds = seconds), auto_unbox = TRUE, digits = NA))
"""


def simulate(n_trials: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """time (days, whole), event (0/1), arm (0/1): each ``(n_trials, 76)``."""
    rng = np.random.default_rng(seed)
    arm = (rng.random((n_trials, PATIENTS)) < 0.5).astype(np.float64)
    hazard = np.log(2) / 24.0 * np.where(arm == 1, 0.7, 1.0)
    relapse = rng.exponential(1.0, (n_trials, PATIENTS)) / hazard
    censor = rng.uniform(0.0, 60.0, (n_trials, PATIENTS))
    time_ = np.ceil(np.minimum(relapse, censor) * MONTH_DAYS)
    return time_, (relapse <= censor).astype(np.float64), arm


def analyse(time_: np.ndarray, event: np.ndarray, arm: np.ndarray, workers: int = 1
            ) -> tuple[np.ndarray, np.ndarray]:
    """Log-rank p and Cox hazard ratio per trial, from one sort."""
    logrank, cox = batch.logrank_and_cox(time_, event, arm, workers=workers)
    return logrank.p_value, np.exp(cox.coef)


def analyse_separately(time_: np.ndarray, event: np.ndarray, arm: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Log-rank p and Cox hazard ratio per trial, each function sorting on its own."""
    return batch.logrank_test(time_, event, arm).p_value, np.exp(batch.cox_ph(time_, event, arm).coef)


def best_of(repeats: int, run: Callable[[], tuple[np.ndarray, np.ndarray]]
            ) -> tuple[float, float, tuple[np.ndarray, np.ndarray]]:
    """Smallest wall and CPU seconds of ``repeats`` runs, and the last run's result."""
    walls, cpus = [], []
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = run()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu_start)
    return min(walls), min(cpus), result


def lifelines_per_trial(time_: np.ndarray, event: np.ndarray, arm: np.ndarray) -> float:
    import pandas as pd
    from lifelines import CoxPHFitter
    from lifelines.statistics import logrank_test

    start = time.perf_counter()
    for t, e, a in zip(time_, event, arm, strict=True):
        treated = a == 1
        logrank_test(t[treated], t[~treated], e[treated], e[~treated]).p_value  # noqa: B018
        CoxPHFitter().fit(pd.DataFrame({"time": t, "event": e, "arm": a}), "time", "event")
    return (time.perf_counter() - start) / len(time_)


def r_per_trial(time_: np.ndarray, event: np.ndarray, arm: np.ndarray) -> float | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        data_file, script = Path(folder) / "data.bin", Path(folder) / "loop.R"
        # R matrices are column-major: write each (k, n) array transposed
        np.concatenate([a.T.ravel() for a in (time_, event, arm)]).tofile(data_file)
        script.write_text(R_SCRIPT)
        output = subprocess.run(["Rscript", "--vanilla", str(script), str(data_file), str(len(time_)),
                                 str(PATIENTS)], capture_output=True, text=True, check=True).stdout
    return json.loads(output)["seconds"] / len(time_)


def child_memory(n_trials: int) -> None:
    """Simulate and analyse ``n_trials`` in blocks; print seconds and peak resident MiB."""
    start = time.perf_counter()
    rejected = 0
    for first in range(0, n_trials, BLOCK):
        p_value, _ = analyse(*simulate(min(BLOCK, n_trials - first), seed=first))
        rejected += int(np.sum(p_value < 0.05))
    print(json.dumps({"trials": n_trials, "seconds": time.perf_counter() - start,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                      "rejection_rate": rejected / n_trials}))


def memory(n_trials: int) -> dict[str, float]:
    output = subprocess.run([sys.executable, __file__, "--child-memory", str(n_trials)],
                            capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1e4 trials, small peer samples")
    parser.add_argument("--ten-million", action="store_true", help="also peak memory for 1e7 trials")
    parser.add_argument("--lifelines-sample", type=int, default=200)
    parser.add_argument("--r-sample", type=int, default=2000)
    parser.add_argument("--child-memory", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        child_memory(args.child_memory)
        return
    warnings.simplefilter("ignore")
    n_trials = 10_000 if args.quick else 100_000
    lifelines_sample = min(args.lifelines_sample, 50 if args.quick else args.lifelines_sample)
    r_sample = min(args.r_sample, 200 if args.quick else args.r_sample)
    data = simulate(n_trials, seed=1)
    analyse(*(a[:100] for a in data))  # warm-up (imports, caches)
    runs = {
        "logrank_and_cox, 1 thread": best_of(3, lambda: analyse(*data)),
        "logrank_test + cox_ph, 1 thread": best_of(3, lambda: analyse_separately(*data)),
        "logrank_and_cox, workers=2": best_of(3, lambda: analyse(*data, workers=2)),
    }
    seconds, _, (p_value, hazard_ratio) = runs["logrank_and_cox, 1 thread"]
    print(f"trialdesk: {n_trials} trials of {PATIENTS} patients, log-rank p + Cox HR: {seconds:.3f} s "
          f"({n_trials / seconds:,.0f} trials/s); power at 0.05: {np.mean(p_value < 0.05):.3f}, "
          f"median HR {np.nanmedian(hazard_ratio):.3f}")
    sample = tuple(a[:lifelines_sample] for a in data)
    lifelines_seconds = lifelines_per_trial(*sample)
    print(f"lifelines loop: {lifelines_seconds * 1e3:.2f} ms/trial on {lifelines_sample} trials, "
          f"extrapolated {lifelines_seconds * n_trials:.0f} s for {n_trials}")
    r_seconds = r_per_trial(*(a[:r_sample] for a in data))
    if r_seconds is None:
        print("R: Rscript not found, skipped")
    else:
        print(f"R loop (survdiff + coxph, timed inside R): {r_seconds * 1e3:.2f} ms/trial on {r_sample} "
              f"trials ({1 / r_seconds:,.0f} trials/s), extrapolated {r_seconds * n_trials:.0f} s "
              f"for {n_trials}")
    for label, (wall, cpu, _) in runs.items():
        versus_r = "" if r_seconds is None else f", R {r_seconds * n_trials / wall:.0f}x"
        print(f"  {label:33s} {wall:6.3f} s wall, {cpu:6.3f} s CPU: "
              f"lifelines {lifelines_seconds * n_trials / wall:,.0f}x{versus_r}")
    for trials in (n_trials, 10_000_000) if args.ten_million else (n_trials,):
        usage = memory(trials)
        print(f"peak memory, {trials:,} trials simulated and analysed in blocks of {BLOCK:,}: "
              f"{usage['peak_rss_mib']:.0f} MiB ({usage['seconds']:.1f} s including simulation)")


if __name__ == "__main__":
    main()
