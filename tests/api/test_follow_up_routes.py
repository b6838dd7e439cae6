"""Follow-up records over the API: dosing, scans, events, AEs, corrections and withdrawal."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.served_trial import bearer, day, eligible_screening, randomised_patient


@pytest.fixture(scope="module")
def entry(tokens: dict[str, str]) -> dict[str, str]:
    return bearer(tokens["dm_mi"])


@pytest.fixture(scope="module")
def sorafenib_patient(api: TestClient, entry: dict[str, str]) -> str:
    return randomised_patient(api, entry, "sorafenib")


@pytest.fixture(scope="module")
def observation_patient(api: TestClient, entry: dict[str, str]) -> str:
    return randomised_patient(api, entry, "observation")


def test_a_dosing_period_is_stored_and_listed(api: TestClient, entry: dict[str, str],
                                              sorafenib_patient: str) -> None:
    response = api.post(f"/api/v1/patients/{sorafenib_patient}/exposures", headers=entry, json={
        "start_date": day(1), "stop_date": day(5), "daily_dose_mg": 800, "change": "start"})
    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["patient_id"] == sorafenib_patient
    assert stored["daily_dose_mg"] == 800.0
    listed = api.get(f"/api/v1/patients/{sorafenib_patient}/exposures", headers=entry).json()
    assert [e["id"] for e in listed] == [stored["id"]]


def test_no_dosing_in_the_observation_arm_and_nothing_is_half_written(
        api: TestClient, entry: dict[str, str], observation_patient: str) -> None:
    response = api.post(f"/api/v1/patients/{observation_patient}/exposures", headers=entry, json={
        "start_date": day(1), "daily_dose_mg": 800, "change": "start"})
    assert response.status_code == 409
    assert response.json()["error"]["message"]
    assert api.get(f"/api/v1/patients/{observation_patient}/exposures", headers=entry).json() == []


def test_a_scan_showing_relapse_names_its_site(api: TestClient, entry: dict[str, str],
                                               observation_patient: str) -> None:
    path = f"/api/v1/patients/{observation_patient}/assessments"
    missing_site = api.post(path, headers=entry, json={"assessment_date": day(3), "result": "relapse"})
    assert missing_site.status_code in (409, 422)
    assert missing_site.json()["error"]["field"] == "relapse_site"
    stored = api.post(path, headers=entry, json={"assessment_date": day(3), "result": "relapse",
                                                 "relapse_site": "lung"})
    assert stored.status_code == 201, stored.text
    assert [a["result"] for a in api.get(path, headers=entry).json()] == ["relapse"]


@pytest.mark.parametrize(("body", "field"), [
    ({"term": "Fatigue", "grade": 7, "start_date": "2026-01-01"}, "grade"),
    ({"term": "Fatigue", "grade": 2, "start_date": "2026-02-31"}, "start_date"),
    ({"term": "Fatigue", "grade": "two", "start_date": "2026-01-01"}, "grade"),
    ({"term": "Fatigue", "grade": 2, "start_date": "2026-01-01", "ctcae_version": 5}, "ctcae_version"),
    ({"term": "x" * 5000, "grade": 2, "start_date": "2026-01-01"}, "term"),
])
def test_a_bad_adverse_event_is_422_naming_the_field(api: TestClient, entry: dict[str, str],
                                                     sorafenib_patient: str, body: dict,
                                                     field: str) -> None:
    response = api.post(f"/api/v1/patients/{sorafenib_patient}/adverse-events", headers=entry,
                        json=body)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


def test_a_record_before_randomisation_is_refused_naming_the_date(
        api: TestClient, entry: dict[str, str], sorafenib_patient: str) -> None:
    response = api.post(f"/api/v1/patients/{sorafenib_patient}/events", headers=entry, json={
        "event_date": day(-3), "event_type": "relapse"})
    assert response.status_code in (409, 422)
    assert response.json()["error"]["field"] == "event_date"


def test_a_correction_needs_a_reason_and_is_audited(api: TestClient, entry: dict[str, str],
                                                   tokens: dict[str, str],
                                                   sorafenib_patient: str) -> None:
    path = f"/api/v1/patients/{sorafenib_patient}/adverse-events"
    stored = api.post(path, headers=entry, json={"term": "Diarrhoea", "grade": 2,
                                                 "start_date": day(2), "related": True}).json()
    no_reason = api.patch(f"{path}/{stored['id']}", headers=entry,
                          json={"field": "grade", "value": 3})
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["field"] == "reason"
    corrected = api.patch(f"{path}/{stored['id']}", headers=entry,
                          json={"field": "grade", "value": 3, "reason": "source document says 3"})
    assert corrected.status_code == 200, corrected.text
    assert corrected.json() == {"field": "grade", "value": 3}
    assert api.get(path, headers=entry).json()[-1]["grade"] == 3
    audit = api.get("/api/v1/audit", headers=bearer(tokens["monitor"]),
                    params={"table": "adverse_events", "row_id": stored["id"]}).json()
    change = next(entry for entry in audit if entry["field"] == "grade" and entry["action"] == "update")
    assert (change["old_value"], change["new_value"]) == ("2", "3")
    assert change["reason"] == "source document says 3"
    assert change["username"] == "dm_mi"


def test_a_screening_correction_reassesses_eligibility(api: TestClient, entry: dict[str, str]) -> None:
    patient = api.post("/api/v1/patients", headers=entry, json={
        "site": "MI01", "screening": eligible_screening(histology="other")}).json()
    assert patient["eligible"] is False
    corrected = api.patch(f"/api/v1/patients/{patient['id']}/screening", headers=entry, json={
        "field": "histology", "value": "clear_cell_predominant", "reason": "pathology review"})
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["eligible"] is True
    assert corrected.json()["reasons"] == []


def test_after_withdrawal_later_records_are_refused(api: TestClient, entry: dict[str, str]) -> None:
    patient = randomised_patient(api, entry, "observation")
    withdrawn = api.post(f"/api/v1/patients/{patient}/withdrawal", headers=entry,
                         json={"withdrawal_date": day(4), "reason": "moved abroad"})
    assert withdrawn.status_code == 201, withdrawn.text
    assert withdrawn.json()["event_type"] == "withdrawal"
    later = api.post(f"/api/v1/patients/{patient}/assessments", headers=entry, json={
        "assessment_date": day(6), "result": "no_evidence_of_disease"})
    assert later.status_code == 409
    again = api.post(f"/api/v1/patients/{patient}/withdrawal", headers=entry,
                     json={"withdrawal_date": day(5), "reason": "asked twice"})
    assert again.status_code == 409
