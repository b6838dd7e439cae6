"""``trialdesk analyze``: a RESORT trial recorded through the services, analysed from the store."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from trialdesk.cli import app
from trialdesk.protocol import load_protocol
from trialdesk.services import (
    SYSTEM,
    Actor,
    create_site,
    create_trial,
    randomise,
    record_adverse_event,
    record_assessment,
    record_event,
    record_exposure,
    screen,
)
from trialdesk.store import create_engine, session_factory, upgrade

runner = CliRunner()
DAY0 = dt.date(2020, 3, 2)
ELIGIBLE = {"birth_date": dt.date(1960, 5, 1), "sex": "male", "prior_nephrectomy": True,
            "nephrectomy_date": dt.date(2016, 1, 10), "histology": "clear_cell_predominant",
            "metastases_diagnosis_date": dt.date(2019, 11, 1), "metastasis_site": "lung",
            "metastases_resected": 1, "resection_complete": True,
            "metastasectomy_date": dt.date(2020, 1, 20)}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Eight randomised patients and one screen failure, with scans, deaths, dosing and AEs."""
    url = f"sqlite:///{tmp_path_factory.mktemp('analyze') / 'trial.db'}"
    upgrade(url)
    engine = create_engine(url)
    session = session_factory(engine)()
    create_trial(session, SYSTEM, load_protocol("resort"))
    create_site(session, SYSTEM, "S01", "Site one")
    nurse = Actor(user_id=None, username="dm", role="data_manager", sites=frozenset({"S01"}))
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
            record_assessment(session, nurse, subject, assessment_date=DAY0 + dt.timedelta(weeks=12 * j),
                              result="relapse" if relapse else "no_evidence_of_disease",
                              relapse_site="lung" if relapse else None)
        if k == 6:
            record_event(session, nurse, subject, event_date=DAY0 + dt.timedelta(days=600),
                         event_type="death", cause="other")
    session.close()
    engine.dispose()
    return url


def test_analyze_json_holds_every_section(database: str) -> None:
    result = runner.invoke(app, ["analyze", "--db", database, "--cutoff", "2022-06-30",
                                 "--events-planned", "20", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["population_sizes"]["itt"] == 8
    assert data["consort"]["assessed"] == 9
    assert data["consort"]["exclusion_reasons"] != {}
    events = sum(sum(curve["km"]["n_event"]) for curve in data["primary"]["curves"])
    assert events == 5  # relapses on days 168, 336, 504, 672 and the death on day 600
    assert data["interim"]["events_observed"] == 5
    assert data["safety"]["rows"][0]["term"] == "Any adverse event"


def test_cutoff_before_the_events_changes_the_counts(database: str) -> None:
    result = runner.invoke(app, ["analyze", "--db", database, "--cutoff", "2020-09-01", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    events = sum(sum(curve["km"]["n_event"]) for curve in data["primary"]["curves"])
    assert events == 1  # only the relapse on day 168
    assert data["interim"] is None


def test_analyze_prints_tables(database: str) -> None:
    result = runner.invoke(app, ["analyze", "--db", database, "--cutoff", "2022-06-30"])
    assert result.exit_code == 0, result.output
    assert "Primary analysis: RFS" in result.stdout
    assert "CONSORT" in result.stdout
