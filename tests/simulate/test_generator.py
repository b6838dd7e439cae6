"""The trial generator: accrual, strata, scans, detection at the restaging schedule, AEs, dosing."""

from __future__ import annotations

import numpy as np

from trialdesk.simulate.dosing import DAYS_PER_MONTH
from trialdesk.simulate.generator import generate_trials
from trialdesk.simulate.restaging import scan_days
from trialdesk.simulate.scenario import Accrual


def test_relapses_are_found_at_scans_on_the_twelve_week_schedule(scenario) -> None:
    trials = generate_trials(scenario, 300, np.random.default_rng(5))
    relapse = np.isfinite(trials.rfs_time) & ~trials.rfs_is_death & trials.mask
    days = trials.rfs_time[relapse] * DAYS_PER_MONTH
    np.testing.assert_allclose(days, np.round(days), atol=1e-9)  # scans happen on whole days
    visit = np.round(days / 84.0).astype(np.int64)
    assert (visit >= 1).all()
    assert np.abs(days - 84.0 * visit).max() <= scenario.restaging.window_days + 1e-9
    np.testing.assert_allclose(scan_days(trials.scan_jitter[relapse], visit, scenario.restaging), days,
                               atol=1e-9)
    deaths = trials.rfs_time[trials.rfs_is_death & trials.mask] * DAYS_PER_MONTH
    assert np.abs(deaths - np.round(deaths)).max() > 0.01  # deaths are seen on their date


def test_accrual_strata_ae_and_dosing(scenario) -> None:
    trials = generate_trials(scenario, 2000, np.random.default_rng(8))
    assert trials.mask.all()
    assert trials.entry.shape == (2000, 76)
    assert (np.diff(trials.entry, axis=1) >= 0).all()
    assert trials.entry.max() <= 60.0
    assert (trials.n_screened >= 76).all()
    assert abs(trials.n_screened.mean() - 76 / (1 - 6 / 82)) < 0.5
    assert abs((trials.stratum // 4 == 0).mean() - 0.6) < 0.01
    sorafenib = trials.arm == 1
    assert abs(trials.grade3_ae[sorafenib].mean() - 0.22) < 0.01
    assert abs(trials.grade3_ae[~sorafenib].mean() - 0.03) < 0.005
    assert np.isnan(trials.rdi[~sorafenib]).all()
    rdi = trials.rdi[sorafenib]
    assert ((rdi >= 0) & (rdi <= 1)).all()
    assert (rdi < 1).mean() > 0.9  # most patients not at full dose (RESORT: 30 of 32)


def test_poisson_accrual_pads_with_a_mask(scenario) -> None:
    from dataclasses import replace
    poisson = replace(scenario, accrual=Accrual(60.0, rate_per_month=76 / 60))
    trials = generate_trials(poisson, 500, np.random.default_rng(2))
    counts = trials.n_randomised
    assert abs(counts.mean() - 76) < 1.5
    assert counts.std() > 5
    assert (trials.mask == (np.arange(trials.mask.shape[1]) < counts[:, None])).all()


def test_randomisation_has_the_distribution_of_the_services_permuted_blocks(scenario) -> None:
    """Arms of a stratum's first four patients: generator vs trialdesk.randomization.permuted_blocks."""
    from trialdesk.randomization import permuted_blocks

    n = 3000
    trials = generate_trials(scenario, n, np.random.default_rng(9))
    first_four = np.array([row_arm[row_stratum == 0][:4] for row_arm, row_stratum
                           in zip(trials.arm, trials.stratum, strict=True)])
    simulated = np.bincount(first_four @ np.array([8, 4, 2, 1]), minlength=16) / n
    services = np.zeros(16)
    for seed in range(n):
        arms = permuted_blocks(["s"] * 4, block_sizes=scenario.block_sizes, ratio=(1, 1), seed=seed,
                               arms=("observation", "sorafenib"))
        services[int((arms == "sorafenib") @ np.array([8, 4, 2, 1]))] += 1 / n
    se = np.sqrt(np.maximum(services, 1 / n) * (1 - services) / n)
    assert np.all(np.abs(simulated - services) <= 4.5 * np.sqrt(2) * se)
    assert simulated[[0, 15]].sum() == 0  # never four in a row with blocks of at most 4
