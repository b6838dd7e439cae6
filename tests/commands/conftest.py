"""Fixtures of the command tests: a small RESORT trial recorded through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.interop.interop_trial import recording_trial
from tests.resort_patient import DAY0, ELIGIBLE
from trialdesk.services import (
    randomise,
    record_adverse_event,
    record_assessment,
    record_event,
    record_exposure,
    screen,
)
from trialdesk.store import upgrade


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Eight randomised patients and one screen failure, with scans, deaths, dosing and AEs."""
    url = f"sqlite:///{tmp_path_factory.mktemp('analyze') / 'trial.db'}"
    upgrade(url)
    with recording_trial(url, ("S01",)) as (session, nurse):
        screen(session, nurse, "S01", {**ELIGIBLE, "histology": "other"}, screening_date=DAY0)
        for k in range(8):
            subject = screen(session, nurse, "S01", ELIGIBLE, screening_date=DAY0).subject_id
            allocation = randomise(session, nurse, subject, randomisation_date=DAY0)
            if allocation.arm == "sorafenib":
                record_exposure(session, nurse, subject, start_date=DAY0 + dt.timedelta(days=1),
                                stop_date=DAY0 + dt.timedelta(days=364), daily_dose_mg=800.0)
                record_adverse_event(session, nurse, subject, term="diarrhoea", grade=3,
                                     start_date=DAY0 + dt.timedelta(days=30))
            scans = k + 1  # every 12 weeks; odd-numbered patients relapse at their last scan
            for j in range(1, scans + 1):
                relapse = k % 2 == 1 and j == scans
                record_assessment(session, nurse, subject,
                                  assessment_date=DAY0 + dt.timedelta(weeks=12 * j),
                                  result="relapse" if relapse else "no_evidence_of_disease",
                                  relapse_site="lung" if relapse else None)
            if k == 6:
                record_event(session, nurse, subject, event_date=DAY0 + dt.timedelta(days=600),
                             event_type="death", cause="other")
    return url
