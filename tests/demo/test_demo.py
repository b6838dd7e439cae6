"""``trialdesk demo`` end to end in a temporary folder: every artefact, and the same seed twice.

One CLI run with ``--serve`` (module fixture; uvicorn's blocking ``run`` is replaced by one
that keeps the app, which the tests then call) is shared by the artefact checks; a second
replay with the same seed in another folder must give the same results.json. Together well
under a minute.
"""

from __future__ import annotations

import json
import stat
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from trialdesk.cli import app
from trialdesk.demo.plan import demo_plan
from trialdesk.demo.run import replay_demo_trial
from trialdesk.demo.workspace import DEMO_USERS, claim_folder
from trialdesk.protocol import load_protocol
from trialdesk.services import check_password, trial_data
from trialdesk.store import create_engine, session_factory
from trialdesk.store.models import Patient, Randomisation

SEED = 7
PORT = 8123
runner = CliRunner()


@pytest.fixture(scope="module")
def served() -> dict[str, Any]:
    """What ``--serve`` handed to uvicorn (filled by the demo run)."""
    return {}


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory, served: dict[str, Any]) -> tuple[Path, str]:
    """The folder of one ``trialdesk demo --seed 7 --serve`` run, and its stdout."""
    folder = tmp_path_factory.mktemp("demo") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(uvicorn, "run", lambda served_app, **options: served.update(app=served_app, **options))
        result = runner.invoke(app, ["demo", "--out", str(folder), "--seed", str(SEED), "--serve",
                                     "--port", str(PORT)])
    assert result.exit_code == 0, result.output
    return folder, result.stdout


def _url(folder: Path) -> str:
    return f"sqlite:///{folder / 'trialdesk.sqlite'}"


def test_demo_prints_published_resort_numbers_beside_its_own(demo_folder: tuple[Path, str]) -> None:
    _folder, stdout = demo_folder
    for published in ("29 (10 - NR)", "35 (17 - NR)", "62% (46 - 84)", "74% (59 - 91)",
                      "52% (35 - 76)", "59% (42 - 82)", "22%", "3%", "68", "21"):
        assert published in stdout
    assert "76 screened, 70 randomised" in stdout
    assert "chain verified" in stdout


def test_database_holds_the_replayed_trial(demo_folder: tuple[Path, str]) -> None:
    folder, _ = demo_folder
    engine = create_engine(_url(folder))
    with session_factory(engine)() as session:
        with session.begin():
            screened = session.scalar(select(func.count(Patient.id)))
            failures = session.scalar(select(func.count(Patient.id)).where(Patient.eligible.is_(False)))
            arms = Counter(session.scalars(select(Randomisation.arm)))
        data = trial_data(session)
    engine.dispose()
    assert (screened, failures, sum(arms.values())) == (76, 6, 70)
    assert set(arms) == {"sorafenib", "observation"}
    assert abs(arms["sorafenib"] - arms["observation"]) <= 8
    assert data.patients["screening_date"].min().year == 2012
    assert data.patients["screening_date"].max().year == 2017
    assert data.patients["site"].nunique() == 5
    on_drug = set(data.patients.loc[data.patients["arm"] == "sorafenib", "patient_id"])
    assert set(data.exposures["patient_id"]) <= on_drug
    assert {"start", "interruption", "reduction", "discontinuation"} <= set(data.exposures["change"])
    assert {"relapse", "no_evidence_of_disease"} <= set(data.assessments["result"])
    assert {"relapse", "death"} <= set(data.events["event_type"])
    assert (data.adverse_events["grade"] >= 3).any()


def test_audit_trail_verifies(demo_folder: tuple[Path, str]) -> None:
    folder, _ = demo_folder
    result = runner.invoke(app, ["audit", "verify", "--db", _url(folder)])
    assert result.exit_code == 0, result.output
    assert "audit trail intact" in result.stdout


def test_report_html_has_every_section_and_pdf_is_a_pdf(demo_folder: tuple[Path, str]) -> None:
    folder, _ = demo_folder
    html = (folder / "report.html").read_text(encoding="utf-8")
    for section in ("Patient flow (CONSORT)", "Baseline characteristics", "Median follow-up",
                    "Primary endpoint: recurrence-free survival", "Subgroups", "Safety",
                    "Dose intensity", "Interim monitoring"):
        assert f"<h2>{section}</h2>" in html
    assert "<svg" in html
    assert (folder / "report.pdf").read_bytes().startswith(b"%PDF")


def test_results_json_has_the_analysis_plan(demo_folder: tuple[Path, str]) -> None:
    folder, _ = demo_folder
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert {"protocol_id", "cutoff", "population_sizes", "consort", "baseline", "follow_up", "primary",
            "subgroups", "safety", "dose_intensity", "interim"} <= set(results)
    assert results["cutoff"] == "2018-02-01"
    assert results["population_sizes"]["itt"] == 70
    assert results["consort"]["assessed"] == 76
    assert results["interim"]["events_planned"] == 40
    assert results["interim"]["decision"]


def test_adam_datasets_are_readable(demo_folder: tuple[Path, str]) -> None:
    adam = demo_folder[0] / "adam"
    for name in ("adsl", "adtte", "adae", "adex"):
        from_csv = pd.read_csv(adam / f"{name}.csv")
        from_xpt, _meta = pyreadstat.read_xport(str(adam / f"{name}.xpt"))
        assert len(from_csv) == len(from_xpt) > 0
        assert json.loads((adam / f"{name}.json").read_text(encoding="utf-8"))
    assert len(pd.read_csv(adam / "adsl.csv")) == 76
    assert len(pd.read_csv(adam / "adtte.csv")) == 70


def test_credentials_are_private_and_work(demo_folder: tuple[Path, str]) -> None:
    folder, _ = demo_folder
    path = folder / "credentials.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    users = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    assert {user: role for user, role, _ in users} == dict(DEMO_USERS)
    engine = create_engine(_url(folder))
    with session_factory(engine)() as session:
        for user, role, password in users:
            actor = check_password(session, user, password)
            assert actor is not None
            assert actor.role == role
    engine.dispose()


def test_follow_up_is_the_plans_for_the_arm_the_service_assigned(demo_folder: tuple[Path, str]) -> None:
    folder, _ = demo_folder
    plan = demo_plan(load_protocol("resort"), seed=SEED)
    engine = create_engine(_url(folder))
    with session_factory(engine)() as session:
        data = trial_data(session)
    engine.dispose()
    scans = data.assessments.groupby("patient_id").size()
    randomised = data.patients[data.patients["randomised"].astype(bool)]
    for row in randomised.itertuples():
        planned = plan.follow_up[row.arm][row.randomization_number]
        assert scans.get(row.patient_id, 0) == sum(r.kind == "assessment" for r in planned)


def test_same_seed_gives_the_same_results(demo_folder: tuple[Path, str], tmp_path: Path) -> None:
    folder, _ = demo_folder
    claim_folder(tmp_path)
    again = replay_demo_trial(tmp_path, load_protocol("resort"), seed=SEED)
    assert json.loads(again.results.to_json()) == json.loads((folder / "results.json").read_text())


def test_refuses_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("mine")
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "not a previous trialdesk demo" in str(result.exception)
    assert [p.name for p in tmp_path.iterdir()] == ["thesis.tex"]


def test_serve_prints_url_and_credentials_and_serves_the_demo_database(
        demo_folder: tuple[Path, str], served: dict[str, Any]) -> None:
    folder, stdout = demo_folder
    assert f"http://127.0.0.1:{PORT}/" in stdout
    assert (served["host"], served["port"]) == ("127.0.0.1", PORT)
    users = [line.split("\t") for line in (folder / "credentials.txt").read_text().splitlines()[1:]]
    for user, _role, password in users:
        assert f"{user}" in stdout
        assert password in stdout
    password = next(p for user, _role, p in users if user == "statistician")
    with TestClient(served["app"]) as client:
        token = client.post("/api/v1/auth/token", data={"username": "statistician", "password": password})
        assert token.status_code == 200, token.text
        patients = client.get("/api/v1/patients",
                              headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert patients.status_code == 200
    assert len(patients.json()) == 76
