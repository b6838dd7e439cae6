"""AE table: worst grade per patient, exact CIs and Fisher's test against R's numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.analysis.trial_factory import RESORT_ARMS, START, build_trial, make_patient
from trialdesk.analysis.datasets import build_analysis_datasets
from trialdesk.analysis.safety import ANY_EVENT, clopper_pearson, safety_summary

DOSE = [(0, 363, 800.0, "start")]


def summary_for(patients):
    datasets = build_analysis_datasets(build_trial(patients), cutoff=START + dt.timedelta(days=900),
                                       arms=RESORT_ARMS, control_arm="observation")
    return safety_summary(datasets.population("safety"), datasets.adverse_events,
                          arms=["sorafenib", "observation"])


def test_clopper_pearson_matches_r_binom_test():
    """R: binom.test(7, 32)$conf.int = 0.09277153228 0.39972826371."""
    lower, upper = clopper_pearson(7, 32)
    assert lower == pytest.approx(0.09277153228, abs=1e-9)
    assert upper == pytest.approx(0.39972826371, abs=1e-9)
    assert clopper_pearson(0, 10)[0] == 0.0
    assert clopper_pearson(10, 10)[1] == 1.0


def test_worst_grade_per_patient_and_fisher_p():
    """Sorafenib: 4 patients, 3 with hand-foot skin reaction (worst grades 3, 2, 1: 1 grade >= 3).

    R: fisher.test(matrix(c(3, 1, 0, 4), 2))$p.value = 0.1428571 (3/4 vs 0/4 any grade).
    """
    patients = [
        make_patient(patient_id="S1", doses=DOSE, aes=[("hand-foot skin reaction", 1, 5),
                                                       ("hand-foot skin reaction", 3, 40)]),
        make_patient(patient_id="S2", doses=DOSE, aes=[("hand-foot skin reaction", 2, 5),
                                                       ("diarrhoea", 1, 9)]),
        make_patient(patient_id="S3", doses=DOSE, aes=[("hand-foot skin reaction", 1, 5)]),
        make_patient(patient_id="S4", doses=DOSE),
        *[make_patient(patient_id=f"O{k}", arm="observation") for k in range(4)],
    ]
    summary = summary_for(patients)
    assert summary.n == (4, 4)
    hfs = summary.row("hand-foot skin reaction")
    assert (hfs.any_grade, hfs.grade3) == ((3, 0), (1, 0))
    assert hfs.p_any == pytest.approx(0.1428571, abs=1e-6)
    assert hfs.p_grade3 == pytest.approx(1.0)
    assert summary.row(ANY_EVENT).any_grade == (3, 0)
    assert summary.worst_grade == ((1, 1, 1, 1, 0, 0), (4, 0, 0, 0, 0, 0))  # none, 1, 2, 3
    assert [r.term for r in summary.rows] == [ANY_EVENT, "hand-foot skin reaction", "diarrhoea"]
    assert "3 (75.0%)" in summary.summary().to_text()
    worst = summary.worst_grade_summary()
    assert list(worst.columns["worst grade"]) == ["none", "1", "2", "3", "4", "5"]
    assert worst.columns["sorafenib (N=4)"][3] == "1 (25.0%)"


def test_events_before_first_dose_are_not_treatment_emergent():
    patients = [make_patient(patient_id="S1", doses=[(10, 363, 800.0, "start")],
                             aes=[("rash", 3, 2)])]
    assert summary_for(patients).row(ANY_EVENT).any_grade == (0, 0)
