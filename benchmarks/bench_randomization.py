"""Benchmark: randomisation on RESORT, one patient at a time and in bulk.

    .venv/bin/python benchmarks/bench_randomization.py
    .venv/bin/python benchmarks/bench_randomization.py --runs 10000 --repeat 5

Times (median of ``--repeat`` after one warm-up):
- ``assign_next`` for the 77th patient given 76 earlier ones, per scheme (what the store does
  under its lock for every randomisation);
- a whole stratum list of 200 entries (``allocation_list``);
- the 76-patient allocation of ``--runs`` simulated trials with ``permuted_blocks_batch``,
  against the same trials allocated patient by patient with ``assign_next``;
- ``trialdesk randomization assess`` work (``assess_randomisation``) for ``--runs`` accruals.
"""

from __future__ import annotations

import argparse

import numpy as np

from bench_design import time_python  # median seconds after one warm-up (benchmarks/ is on sys.path)
from trialdesk.protocol import load_protocol
from trialdesk.randomization import PriorAllocation, allocation_list, assign_next, permuted_blocks_batch
from trialdesk.randomization.assessment import assess_randomisation
from trialdesk.trial.strata import all_strata


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    resort = load_protocol("resort")
    strata = all_strata(resort)
    rng = np.random.default_rng(1)
    codes = rng.integers(0, len(strata), size=(args.runs, 76))
    history = [PriorAllocation(strata[c].label, strata[c].levels, resort.arm_codes[k % 2])
               for k, c in enumerate(codes[0])]
    for scheme in ("permuted_blocks", "minimisation", "simple"):
        protocol = resort.model_copy(update={"randomisation": resort.randomisation.model_copy(
            update={"scheme": scheme})})
        seconds = time_python(lambda p=protocol: assign_next(p, seed=7, stratum=strata[0],
                                                                 history=history), max(args.repeat, 50))
        print(f"assign_next ({scheme}, 76 earlier patients): {seconds * 1e6:.0f} us")
    seconds = time_python(lambda: allocation_list(7, strata[0].label, 200, block_sizes=(2, 4, 6),
                                                      ratio=(1, 1), arms=resort.arm_codes), args.repeat)
    print(f"allocation_list, 200 entries: {seconds * 1e3:.2f} ms")
    batch = time_python(lambda: permuted_blocks_batch(np.random.default_rng(2), codes, n_strata=8,
                                                          block_sizes=(2, 4, 6), ratio=(1, 1)), args.repeat)
    print(f"permuted_blocks_batch, {args.runs} trials x 76: {batch:.3f} s "
          f"({args.runs / batch:,.0f} trials/s)")
    sample = min(args.runs, 100)

    def one_at_a_time() -> None:
        for trial in range(sample):
            earlier: list[PriorAllocation] = []
            for c in codes[trial]:
                arm = assign_next(resort, seed=trial, stratum=strata[c], history=earlier)
                earlier.append(PriorAllocation(strata[c].label, strata[c].levels, arm))

    loop = time_python(one_at_a_time, 1) / sample
    print(f"assign_next loop: {loop * 1e3:.1f} ms per trial (on {sample} trials); batch is "
          f"{loop / (batch / args.runs):,.0f}x faster per trial")
    seconds = time_python(lambda: assess_randomisation(resort, n_patients=76, n_sites=5,
                                                           n_runs=args.runs, seed=1), 1)
    print(f"assess_randomisation, {args.runs} runs x 3 schemes: {seconds:.2f} s")


if __name__ == "__main__":
    main()
