"""Benchmark: group-sequential designs and survival sample size, trialdesk vs rpact.

    .venv/bin/python benchmarks/bench_design.py            # trialdesk, and rpact when Rscript is there
    .venv/bin/python benchmarks/bench_design.py --repeat 50

Times the same work on both sides, median of ``--repeat`` runs after one warm-up:
four configurations of ``group_sequential`` / ``getDesignGroupSequential`` +
``getDesignCharacteristics`` (asOF 2 and 4 looks, asP 3 looks, asOF + bsOF 3 looks) and one
``survival_sample_size`` / ``getSampleSizeSurvival`` with two looks. rpact is timed inside
one R process (R's start-up is not counted).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable

from trialdesk.design import group_sequential, survival_sample_size

CASES: dict[str, tuple[Callable[[], object], str]] = {
    "asOF, 2 looks": (lambda: group_sequential([0.6, 1.0]),
                      "getDesignCharacteristics(getDesignGroupSequential(typeOfDesign = 'asOF', "
                      "informationRates = c(0.6, 1)))"),
    "asOF, 4 looks": (lambda: group_sequential([0.2, 0.5, 0.8, 1.0]),
                      "getDesignCharacteristics(getDesignGroupSequential(typeOfDesign = 'asOF', "
                      "informationRates = c(0.2, 0.5, 0.8, 1)))"),
    "asP, 3 looks": (lambda: group_sequential([0.5, 0.75, 1.0], spending="asP"),
                     "getDesignCharacteristics(getDesignGroupSequential(typeOfDesign = 'asP', "
                     "informationRates = c(0.5, 0.75, 1)))"),
    "asOF + bsOF, 3 looks": (lambda: group_sequential([0.5, 0.75, 1.0], beta_spending="bsOF"),
                             "getDesignCharacteristics(getDesignGroupSequential(typeOfDesign = 'asOF', "
                             "typeBetaSpending = 'bsOF', informationRates = c(0.5, 0.75, 1)))"),
    "sample size, 2 looks": (
        lambda: survival_sample_size(hazard_ratio=0.65, median_control=18.0, accrual_time=36.0,
                                     follow_up_time=12.0, design=group_sequential([0.6, 1.0])),
        "getSampleSizeSurvival(design = getDesignGroupSequential(typeOfDesign = 'asOF', "
        "informationRates = c(0.6, 1)), hazardRatio = 0.65, lambda2 = log(2) / 18, "
        "accrualTime = c(0, 36), followUpTime = 12)"),
}


def time_python(work: Callable[[], object], repeat: int) -> float:
    """Median seconds of ``work`` over ``repeat`` runs after one warm-up."""
    work()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def time_rpact(repeat: int) -> dict[str, float] | None:
    """Median seconds of each case's R call in one R process, or None without Rscript."""
    if shutil.which("Rscript") is None:
        return None
    lines = ["suppressPackageStartupMessages(library(rpact))", "out <- list()"]
    for name, (_, call) in CASES.items():
        lines += [f"invisible({call})",
                  f"runs <- sapply(1:{repeat}, function(i) system.time({call})[['elapsed']])",
                  f"out[['{name}']] <- median(runs)"]
    lines.append("cat(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA))")
    completed = subprocess.run(["Rscript", "-e", "\n".join(lines)], capture_output=True, text=True,
                               check=True)
    return json.loads(completed.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    arguments = parser.parse_args()
    rpact = time_rpact(arguments.repeat)
    print(f"{'case':<24}{'trialdesk ms':>14}{'rpact ms':>12}")
    for name, (work, _) in CASES.items():
        ours = time_python(work, arguments.repeat) * 1000
        theirs = "n/a" if rpact is None else f"{rpact[name] * 1000:.1f}"
        print(f"{name:<24}{ours:>14.1f}{theirs:>12}")


if __name__ == "__main__":
    main()
