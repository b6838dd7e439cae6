"""CONSORT counts on a hand-built trial whose flow is known."""

from __future__ import annotations

import datetime as dt
import json

from tests.analysis.trial_factory import RESORT_ARMS, START, build_trial, make_patient
from trialdesk.analysis.consort import NOT_RANDOMISED, consort_counts
from trialdesk.analysis.datasets import build_analysis_datasets


def test_consort_flow_counts_every_box():
    patients = [
        make_patient(patient_id="S1", doses=[(0, 100, 800.0, "start"),
                                             (101, 120, 0.0, "discontinuation")]),
        make_patient(patient_id="S2", doses=[(1, 363, 800.0, "start")],
                     events=[(400, "lost_to_follow_up")]),
        make_patient(patient_id="S3"),  # never treated
        make_patient(patient_id="O1", arm="observation", events=[(200, "withdrawal")]),
        make_patient(patient_id="O2", arm="observation"),
        make_patient(patient_id="F1", randomised=False, eligible=False,
                     screen_failure_reasons="histology; more than 3 metastases"),
        make_patient(patient_id="F2", randomised=False, eligible=False,
                     screen_failure_reasons="histology"),
        make_patient(patient_id="E1", randomised=False, eligible=True),
    ]
    datasets = build_analysis_datasets(build_trial(patients), cutoff=START + dt.timedelta(days=900),
                                       arms=RESORT_ARMS, control_arm="observation")
    flow = consort_counts(datasets)
    assert (flow.assessed, flow.excluded, flow.randomised) == (8, 3, 5)
    assert flow.exclusion_reasons == {"histology": 2, "more than 3 metastases": 1,
                                      NOT_RANDOMISED: 1}
    observation, sorafenib = flow.arms
    assert (sorafenib.label, sorafenib.allocated, sorafenib.received_allocated,
            sorafenib.did_not_receive, sorafenib.lost_to_follow_up, sorafenib.discontinued,
            sorafenib.analysed) == ("sorafenib", 3, 2, 1, 1, 1, 3)
    assert (observation.allocated, observation.received_allocated, observation.withdrawn,
            observation.analysed) == (2, 2, 1, 2)
    table = flow.summary()
    assert list(table.columns["allocated"]) == [2, 3]
    assert json.loads(flow.to_json())["exclusion_reasons"]["histology"] == 2
