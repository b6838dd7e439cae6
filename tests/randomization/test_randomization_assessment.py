"""The assessment of schemes on simulated accruals (small runs; the CLI's 10,000 is a benchmark)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from trialdesk.errors import InputError
from trialdesk.randomization.assessment import MEASURES, assess_randomisation
from trialdesk.randomization.assessment_plot import plot_assessment


@pytest.fixture(scope="module")
def resort_assessment(resort):
    return assess_randomisation(resort, n_patients=76, n_sites=5, n_runs=400, seed=3)


def test_the_schemes_differ_as_theory_says(resort_assessment) -> None:
    blocks, minimisation, simple = resort_assessment.schemes
    assert [s.scheme for s in resort_assessment.schemes] == ["permuted_blocks", "minimisation", "simple"]
    # blocks of at most 6 (1:1): a stratum is never off by more than 3
    assert blocks.values["worst_stratum"].max() <= 3
    # 76 patients: the overall difference is even; minimisation balances the margins best
    assert (blocks.values["overall"] % 2 == 0).all()
    assert minimisation.values["worst_level"].mean() < blocks.values["worst_level"].mean()
    assert blocks.values["worst_level"].mean() < simple.values["worst_level"].mean()
    assert minimisation.values["overall"].mean() < simple.values["overall"].mean() / 3
    # a convergence guess on simple randomisation is a coin toss: 0.5 within 4 standard errors
    assert abs(simple.values["guess_all"].mean() - 0.5) < 4 * 0.5 / np.sqrt(400 * 76)
    # knowing every earlier assignment helps more than knowing one's own site
    for scheme in (blocks, minimisation):
        assert scheme.values["guess_all"].mean() > scheme.values["guess_site"].mean() > 0.5


def test_same_seed_same_numbers(resort, resort_assessment) -> None:
    again = assess_randomisation(resort, n_patients=76, n_sites=5, n_runs=400, seed=3)
    for first, second in zip(resort_assessment.schemes, again.schemes, strict=True):
        for measure in MEASURES:
            assert np.array_equal(first.values[measure], second.values[measure])


def test_summary_and_json(resort_assessment) -> None:
    table = resort_assessment.summary()
    assert table.n_rows == 3 * len(MEASURES)
    assert list(table.columns) == ["scheme", "measure", "mean", "median", "p95", "p99", "max"]
    data = json.loads(json.dumps(resort_assessment.to_dict()))
    blocks = data["schemes"][0]
    assert blocks["measures"]["worst_stratum"]["max"] <= 3
    assert sum(blocks["imbalance_distribution"]["overall"].values()) == 400
    assert blocks["settings"] == ("ratio 1:1, block sizes 2, 4, 6, stratified by all factors "
                                  "(the protocol's scheme)")


def test_three_arm_blocks_stay_within_the_ratio_bound(three_arm) -> None:
    """Blocks of 4 and 8 for 2:1:1 (m_max = 2): n_a / r_a stays within m_max (R - r_a) / R of t / R,
    so the range within a stratum is at most 2 * 2 * 3 / 4 = 3."""
    assessment = assess_randomisation(three_arm, n_patients=120, n_sites=8, n_runs=100, seed=1)
    assert assessment.schemes[0].values["worst_stratum"].max() <= 3
    assert assessment.ratio == (2, 1, 1)


def test_plot_has_four_panels(resort_assessment, tmp_path: Path) -> None:
    figure = plot_assessment(resort_assessment)
    assert len(figure.axes) == 4
    assert figure.axes[3].get_title().startswith("Predictability")
    path = tmp_path / "assessment.svg"
    figure.savefig(path)
    assert "Imbalance in the worst stratum" in path.read_text()


def test_sizes_must_be_positive(resort) -> None:
    with pytest.raises(InputError) as caught:
        assess_randomisation(resort, n_patients=76, n_sites=0, n_runs=10, seed=1)
    assert caught.value.field == "sites"
