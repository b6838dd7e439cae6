"""Benchmark: Cox model (Efron ties), arm + 5 covariates, against R and Python peers.

    .venv/bin/python benchmarks/bench_cox.py            # n = 1e3 .. 1e6, tied and continuous times
    .venv/bin/python benchmarks/bench_cox.py --quick    # n = 1e3 .. 1e5, fewer repeats

Same data for everyone: exponential event times with covariate effects, censoring ~40%,
``continuous`` times in days or ``tied`` (whole days). trialdesk and the Python peers run in this
process (best of several repeats); R ``coxph`` reads the same numbers from a binary file and is
timed inside R (``system.time``, best of the repeats), so R's start-up and file reading are not
counted. R's coxph also computes the concordance; trialdesk computes it on first access, so
both "fit" and "fit + concordance" are shown. Slow peers are skipped above a size (printed).
Peak memory: a child process per n reports how much its peak resident size grew during one
trialdesk fit (with concordance), next to the size of the input arrays.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from trialdesk.survival import cox_ph

SIZES = (1_000, 10_000, 100_000, 1_000_000)
#: Largest n each Python peer is run at (above it a single fit takes minutes).
PEER_LIMIT = {"lifelines": 100_000, "statsmodels": 100_000, "scikit-survival": 10_000}
BETA = np.array([-0.5, 0.3, -0.2, 0.1, 0.0, 0.2])

R_SCRIPT = """
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
n <- as.integer(args[2]); reps <- as.integer(args[3])
m <- matrix(readBin(args[1], 'double', n * 8), nrow = n)
d <- data.frame(time = m[, 1], event = m[, 2], arm = m[, 3], x1 = m[, 4], x2 = m[, 5],
                x3 = m[, 6], x4 = m[, 7], x5 = m[, 8])
f <- function() coxph(Surv(time, event) ~ arm + x1 + x2 + x3 + x4 + x5, data = d, ties = 'efron')
fit <- f()
seconds <- min(sapply(seq_len(reps), function(i) system.time(f())[['elapsed']]))
cat(jsonlite::toJSON(list(seconds = seconds, coef = unname(coef(fit))), digits = NA, auto_unbox = TRUE))
"""


def make_data(n: int, tied: bool, seed: int = 2026) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """time (days), event (0/1), X = [arm, x1..x5]."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.integers(0, 2, n), rng.normal(size=(n, 5))])
    event_time = rng.exponential(365.0, n) * np.exp(-X @ BETA)
    censor_time = rng.uniform(0, 900.0, n)
    time_ = np.minimum(event_time, censor_time)
    event = (event_time <= censor_time).astype(float)
    return (np.ceil(time_) if tied else time_), event, X


def best_of(repeats: int, run: Callable[[], object]) -> float:
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def time_r(time_: np.ndarray, event: np.ndarray, X: np.ndarray, repeats: int) -> dict | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        data_file, script = Path(folder) / "data.bin", Path(folder) / "bench.R"
        np.column_stack([time_, event, X]).T.astype(np.float64).tofile(data_file)
        script.write_text(R_SCRIPT)
        output = subprocess.run(["Rscript", "--vanilla", str(script), str(data_file), str(len(time_)),
                                 str(repeats)], capture_output=True, text=True, check=True).stdout
    return json.loads(output)


def time_peers(time_: np.ndarray, event: np.ndarray, X: np.ndarray, repeats: int) -> dict[str, float]:
    """Seconds per fit for each Python peer run at this size."""
    n = len(time_)
    timings: dict[str, float] = {}
    if n <= PEER_LIMIT["lifelines"]:
        import pandas as pd
        from lifelines import CoxPHFitter

        frame = pd.DataFrame(X, columns=["arm", "x1", "x2", "x3", "x4", "x5"]).assign(time=time_, event=event)
        timings["lifelines"] = best_of(repeats, lambda: CoxPHFitter().fit(frame, "time", "event"))
    if n <= PEER_LIMIT["statsmodels"]:
        from statsmodels.duration.hazard_regression import PHReg

        timings["statsmodels"] = best_of(repeats, lambda: PHReg(time_, X, status=event, ties="efron").fit())
    if n <= PEER_LIMIT["scikit-survival"]:
        from sksurv.linear_model import CoxPHSurvivalAnalysis
        from sksurv.util import Surv

        y = Surv.from_arrays(event.astype(bool), time_)
        timings["scikit-survival"] = best_of(repeats, lambda: CoxPHSurvivalAnalysis(ties="efron").fit(X, y))
    return timings


def _status_kib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return float(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def child_memory(n: int, tied: bool) -> None:
    """One fit (with concordance) in a fresh process: print peak growth and input size (MiB).

    The data are made first; then the kernel's peak counter is reset (Linux ``clear_refs``) so
    the peak measures the fit alone, above the resident size at its start.
    """
    time_, event, X = make_data(n, tied)
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kib("VmRSS")
    fit = cox_ph(time_, event, X)
    _ = fit.concordance
    growth = (_status_kib("VmHWM") - before) / 1024.0
    input_mib = (time_.nbytes + event.nbytes + X.nbytes) / 2**20
    print(json.dumps({"peak_growth_mib": growth, "input_mib": input_mib}))


def memory(n: int, tied: bool) -> dict[str, float]:
    output = subprocess.run([sys.executable, __file__, "--child-memory", str(n), "--tied", str(int(tied))],
                            capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _cell(seconds: float | None, width: int) -> str:
    return f"{'-':>{width}}" if seconds is None else f"{seconds:>{width}.4f}"


def row(n: int, tied: bool, repeats: int, use_r: bool) -> str:
    """One line of the table: timings, ratios and memory for one size and kind of times."""
    time_, event, X = make_data(n, tied)
    fit_seconds = best_of(repeats, lambda: cox_ph(time_, event, X))
    with_concordance = best_of(repeats, lambda: cox_ph(time_, event, X).concordance)
    r = time_r(time_, event, X, repeats) if use_r else None
    if r is not None:
        difference = np.max(np.abs(np.asarray(r["coef"]) - cox_ph(time_, event, X).coef))
        if difference > 1e-6:
            raise RuntimeError(f"R and trialdesk coefficients differ by {difference}")
    peers = time_peers(time_, event, X, 1 if n >= 100_000 else repeats)
    usage = memory(n, tied)
    ratios = [f"{name} {seconds / fit_seconds:.1f}x" for name, seconds in peers.items()]
    if r is not None:
        ratios.insert(0, f"R {r['seconds'] / fit_seconds:.1f}x ({r['seconds'] / with_concordance:.1f}x)")
    return (f"{'tied' if tied else 'continuous':>10} {n:>9} {fit_seconds:>10.4f} {with_concordance:>8.4f} "
            f"{_cell(None if r is None else r['seconds'], 8)} {_cell(peers.get('lifelines'), 10)} "
            f"{_cell(peers.get('statsmodels'), 10)} {_cell(peers.get('scikit-survival'), 8)}   "
            f"{', '.join(ratios)}   {usage['peak_growth_mib']:.0f} "
            f"({usage['peak_growth_mib'] / usage['input_mib']:.1f}x of {usage['input_mib']:.0f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n up to 1e5, fewer repeats")
    parser.add_argument("--no-r", action="store_true", help="skip R even when Rscript is present")
    parser.add_argument("--child-memory", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--tied", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        child_memory(args.child_memory, bool(args.tied))
        return
    warnings.simplefilter("ignore")
    sizes = SIZES[:3] if args.quick else SIZES
    print(f"Cox (Efron), arm + 5 covariates; peers skipped above: {PEER_LIMIT}")
    print(f"{'times':>10} {'n':>9} {'trialdesk':>10} {'+conc.':>8} {'R coxph':>8} {'lifelines':>10} "
          f"{'statsmod.':>10} {'sksurv':>8}   ratios peer/trialdesk (fit; R vs fit+conc.)   "
          f"peak MiB (x input)")
    for n in sizes:
        repeats = 1 if n >= 1_000_000 else (2 if args.quick or n >= 100_000 else 5)
        for tied in (True, False):
            print(row(n, tied, repeats, not args.no_r), flush=True)


if __name__ == "__main__":
    main()
