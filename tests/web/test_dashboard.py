"""The dashboard's numbers from hand-made trial data, counted by eye."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from trialdesk.protocol import load_protocol
from trialdesk.trial.data import TrialData
from trialdesk.web.dashboard import build_dashboard, visible_data

RESORT = load_protocol("resort")
D0 = dt.date(2025, 1, 6)


def patient(pid: str, site: str, *, eligible: bool | None = True, reasons: str = "",
            arm: str | None = None, randomised_on: dt.date | None = None) -> dict:
    """A patient row as the store's extract writes it (``site``: the enrolling site's code)."""
    levels = {"nephrectomy_to_metastases": ">12m", "disease_site": "lung", "lesions": "single"}
    return {"patient_id": pid, "site": site, "screening_date": D0, "eligible": eligible,
            "screen_failure_reasons": reasons, "randomised": arm is not None,
            "randomization_number": None, "randomization_date": randomised_on, "arm": arm,
            "stratum": "|".join(f"{k}:{v}" for k, v in levels.items()) if arm else None,
            **{k: v if arm else None for k, v in levels.items()}}


def trial(patients: list[dict], assessments: list[dict] = (), events: list[dict] = ()) -> TrialData:
    """TrialData with the columns the store's extract writes."""
    empty = TrialData.empty("RESORT")
    frame = pd.DataFrame(patients, columns=list(patient("P0", "MI01", arm="sorafenib")),
                         dtype=object)
    return TrialData(
        protocol_id="RESORT", patients=frame, exposures=empty.exposures,
        assessments=pd.DataFrame(list(assessments), columns=list(empty.assessments.columns), dtype=object),
        events=pd.DataFrame(list(events), columns=list(empty.events.columns), dtype=object),
        adverse_events=empty.adverse_events)


def test_an_empty_trial_has_an_empty_dashboard() -> None:
    board = build_dashboard(RESORT, trial([]), today=D0)
    assert board.consort.assessed == 0
    assert board.screen_failures == ()
    assert board.overdue == ()
    assert "no patients randomised yet" in board.enrolment_by_arm


def test_counts_failures_overdue_visits_and_relapses() -> None:
    # restaging every 12 weeks: visit 1 planned on day 84; its window has closed by day 100
    today = D0 + dt.timedelta(days=100)
    data = trial(
        [patient("P1", "MI01", arm="sorafenib", randomised_on=D0),
         patient("P2", "MI01", arm="observation", randomised_on=D0),
         patient("P3", "RM02", arm="observation", randomised_on=D0),
         patient("P4", "RM02", eligible=False, reasons="histology; excision"),
         patient("P5", "MI01", eligible=False, reasons="histology")],
        assessments=[{"patient_id": "P2", "assessment_date": D0 + dt.timedelta(days=85),
                      "result": "no_evidence_of_disease", "relapse_site": None},
                     {"patient_id": "P3", "assessment_date": D0 + dt.timedelta(days=50),
                      "result": "relapse", "relapse_site": "lung"}])
    board = build_dashboard(RESORT, data, today=today)
    assert board.screen_failures == (("histology", 2), ("excision", 1))
    assert [(v.patient_id, v.number) for v in board.overdue] == [("P1", 1)]  # P2 scanned, P3 relapsed
    assert [(e.patient_id, e.kind) for e in board.endpoint_events] == [("P3", "relapse")]
    assert (board.consort.assessed, board.consort.excluded, board.consort.randomised) == (5, 2, 3)
    assert {arm.label: arm.allocated for arm in board.consort.arms} == {"observation": 2, "sorafenib": 1}
    assert "MI01 (2)" in board.enrolment_by_site
    assert "RM02 (1)" in board.enrolment_by_site


def test_a_site_sees_only_its_patients() -> None:
    data = trial([patient("P1", "MI01"), patient("P2", "RM02")],
                 assessments=[{"patient_id": "P2", "assessment_date": D0, "result": "relapse",
                               "relapse_site": "bone"}])
    mine = visible_data(data, lambda code: code == "MI01")
    assert list(mine.patients["patient_id"]) == ["P1"]
    assert mine.assessments.empty
