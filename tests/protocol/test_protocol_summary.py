"""The text of ``trialdesk protocol show``."""

from __future__ import annotations

from trialdesk.protocol import load_protocol
from trialdesk.protocol.summary import describe_protocol


def test_resort_summary_states_the_design() -> None:
    text = describe_protocol(load_protocol("resort"))
    for needle in ("RESORT version 1.0", "Arms (allocation 1:1)",
                   "sorafenib 400 mg x 2/day = 800 mg/day oral, at most 52 weeks",
                   "Observation (no study treatment)",
                   "0 <= days_between(metastasectomy_date, randomisation_date) <= 84",
                   ">12m       if months_between(nephrectomy_date, metastases_diagnosis_date) > 12",
                   "block sizes 2, 4, 6", "restaging every 12 weeks", "landmarks (months) 12, 24",
                   "KM CI log 0.95", "Enrolment: 76 patients over 60 months"):
        assert needle in text


def test_three_arm_summary() -> None:
    text = describe_protocol(load_protocol("three_arm_example"))
    assert "Arms (allocation 2:1:1)" in text
    assert "minimisation, p_best 0.8, criterion marginal_balance" in text
    assert "first at week 6" in text
    assert "Interim: events 40, 80" in text
    assert "creatinine_clearance        float >= 0, optional" in text
