"""The patients resource: the screening and randomisation contract of issue 5."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from tests.served_trial import bearer, eligible_screening

TODAY = dt.datetime.now(dt.UTC).date()


@pytest.fixture
def investigator(tokens: dict[str, str]) -> dict[str, str]:
    return bearer(tokens["inv_mi"])


def screen(api: TestClient, headers: dict[str, str], **overrides: object) -> dict:
    response = api.post("/api/v1/patients", headers=headers,
                        json={"site": "MI01", "screening": eligible_screening(**overrides)})
    assert response.status_code == 201, response.text
    return response.json()


def test_screening_an_eligible_patient_returns_the_contract(api: TestClient,
                                                            investigator: dict[str, str]) -> None:
    body = screen(api, investigator)
    assert set(body) >= {"id", "site", "eligible", "reasons", "missing"}
    assert body["id"].startswith("RESORT-MI01-")
    assert body["site"] == "MI01"
    assert body["eligible"] is True
    assert body["reasons"] == body["missing"] == []


def test_an_ineligible_patient_is_stored_with_every_failing_reason(api: TestClient,
                                                                  investigator: dict[str, str]) -> None:
    body = screen(api, investigator, histology="other", metastases_resected=4)
    assert body["eligible"] is False
    assert len(body["reasons"]) == 2
    assert any("clear-cell" in reason for reason in body["reasons"])
    assert any("3 metastases" in reason for reason in body["reasons"])
    stored = api.get(f"/api/v1/patients/{body['id']}", headers=investigator).json()
    assert stored["reasons"] == body["reasons"]
    assert stored["arm"] is None


def test_a_missing_field_makes_the_patient_not_assessable_not_ineligible(
        api: TestClient, investigator: dict[str, str]) -> None:
    screening = eligible_screening()
    del screening["histology"]
    response = api.post("/api/v1/patients", headers=investigator,
                        json={"site": "MI01", "screening": screening})
    body = response.json()
    assert body["eligible"] is False
    assert body["assessable"] is False
    assert body["missing"] == ["histology"]
    assert body["reasons"] == []


@pytest.mark.parametrize(("screening", "field"), [
    ({"birth_date": "1958-02-30"}, "screening.birth_date"),
    ({"metastases_resected": "three"}, "screening.metastases_resected"),
    ({"blood_group": "A"}, "screening.blood_group"),
    ({"sex": "x" * 10_000}, "screening.sex"),
])
def test_bad_screening_values_are_422_naming_the_field(api: TestClient, investigator: dict[str, str],
                                                       screening: dict, field: str) -> None:
    response = api.post("/api/v1/patients", headers=investigator,
                        json={"site": "MI01", "screening": eligible_screening(**screening)})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


def test_unknown_top_level_fields_are_refused(api: TestClient, investigator: dict[str, str]) -> None:
    response = api.post("/api/v1/patients", headers=investigator,
                        json={"site": "MI01", "screening": eligible_screening(), "arm": "sorafenib"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "arm"


def test_randomising_returns_number_arm_and_stratum_and_the_patient_shows_them(
        api: TestClient, investigator: dict[str, str]) -> None:
    patient = screen(api, investigator, metastasis_site="other", metastases_resected=2)
    response = api.post(f"/api/v1/patients/{patient['id']}/randomize", headers=investigator,
                        json={"date": TODAY.isoformat()})
    assert response.status_code == 201, response.text
    allocation = response.json()
    assert set(allocation) == {"randomization_number", "arm", "stratum"}
    assert allocation["arm"] in ("sorafenib", "observation")
    assert allocation["stratum"] == "nephrectomy_to_metastases:>12m|disease_site:other|lesions:multiple"
    shown = api.get(f"/api/v1/patients/{patient['id']}", headers=investigator).json()
    assert shown["arm"] == allocation["arm"]
    assert shown["stratum"] == allocation["stratum"]
    assert shown["randomization_number"] == allocation["randomization_number"]
    assert shown["randomization_date"] == TODAY.isoformat()


def test_randomise_defaults_to_today_and_accepts_no_body(api: TestClient,
                                                         investigator: dict[str, str]) -> None:
    patient = screen(api, investigator)
    assert api.post(f"/api/v1/patients/{patient['id']}/randomize",
                    headers=investigator).status_code == 201
    shown = api.get(f"/api/v1/patients/{patient['id']}", headers=investigator).json()
    assert shown["randomization_date"] == TODAY.isoformat()


def test_randomising_twice_is_a_409_and_nothing_changes(api: TestClient,
                                                       investigator: dict[str, str]) -> None:
    patient = screen(api, investigator)
    first = api.post(f"/api/v1/patients/{patient['id']}/randomize", headers=investigator, json={})
    again = api.post(f"/api/v1/patients/{patient['id']}/randomize", headers=investigator, json={})
    assert again.status_code == 409
    assert "already" in again.json()["error"]["message"]
    shown = api.get(f"/api/v1/patients/{patient['id']}", headers=investigator).json()
    assert shown["randomization_number"] == first.json()["randomization_number"]


def test_randomisation_outside_the_window_is_a_409_the_site_can_act_on(
        api: TestClient, investigator: dict[str, str]) -> None:
    surgery = TODAY - dt.timedelta(days=100)
    patient = screen(api, investigator, metastasectomy_date=surgery.isoformat())
    response = api.post(f"/api/v1/patients/{patient['id']}/randomize", headers=investigator, json={})
    assert response.status_code == 409
    assert "84 days" in response.json()["error"]["message"]
    assert api.get(f"/api/v1/patients/{patient['id']}", headers=investigator).json()["arm"] is None


@pytest.mark.parametrize("date", ["2026-13-01", "yesterday", 20250101, "2025-01-01T10:00:00"])
def test_a_malformed_randomisation_date_is_422(api: TestClient, investigator: dict[str, str],
                                              date: object) -> None:
    patient = screen(api, investigator)
    response = api.post(f"/api/v1/patients/{patient['id']}/randomize", headers=investigator,
                        json={"date": date})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "date"


def test_a_randomisation_date_in_the_future_is_refused_naming_the_date(
        api: TestClient, investigator: dict[str, str]) -> None:
    patient = screen(api, investigator)
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = api.post(f"/api/v1/patients/{patient['id']}/randomize", headers=investigator,
                        json={"date": tomorrow})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "date"


def test_the_list_holds_only_the_callers_sites(api: TestClient, tokens: dict[str, str]) -> None:
    mine = screen(api, bearer(tokens["inv_mi"]))["id"]
    theirs = api.post("/api/v1/patients", headers=bearer(tokens["inv_rm"]),
                      json={"site": "RM02", "screening": eligible_screening()}).json()["id"]
    listed_mi = {p["id"] for p in api.get("/api/v1/patients", headers=bearer(tokens["inv_mi"])).json()}
    listed_rm = {p["id"] for p in api.get("/api/v1/patients", headers=bearer(tokens["inv_rm"])).json()}
    listed_all = {p["id"] for p in api.get("/api/v1/patients", headers=bearer(tokens["stat"])).json()}
    assert mine in listed_mi
    assert theirs not in listed_mi
    assert theirs in listed_rm
    assert mine not in listed_rm
    assert {mine, theirs} <= listed_all
    only_rm = api.get("/api/v1/patients", params={"site": "RM02"}, headers=bearer(tokens["monitor"]))
    assert {p["site"] for p in only_rm.json()} == {"RM02"}


def test_the_statistician_reads_the_allocation_list_the_randomiser_follows(
        api: TestClient, investigator: dict[str, str], tokens: dict[str, str]) -> None:
    stratum = "nephrectomy_to_metastases:<=12m|disease_site:other|lesions:multiple"
    done = [p for p in api.get("/api/v1/patients", headers=bearer(tokens["stat"])).json()
            if p["stratum"] == stratum]
    listed = api.get("/api/v1/allocation-list", headers=bearer(tokens["stat"]),
                     params={"stratum": stratum, "n": len(done) + 1})
    assert listed.status_code == 200, listed.text
    entries = listed.json()["entries"]
    assert len(entries) > len(done)
    assert [e["position"] for e in entries] == list(range(1, len(entries) + 1))
    patient = screen(api, investigator,
                     metastases_diagnosis_date=(TODAY - dt.timedelta(days=60)).isoformat(),
                     nephrectomy_date=(TODAY - dt.timedelta(days=200)).isoformat(),
                     metastasis_site="other", metastases_resected=3)
    allocation = api.post(f"/api/v1/patients/{patient['id']}/randomize", headers=investigator).json()
    assert allocation["stratum"] == stratum
    assert allocation["arm"] == entries[len(done)]["arm"]
    unknown = api.get("/api/v1/allocation-list", headers=bearer(tokens["stat"]),
                      params={"stratum": "site:moon"})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["field"] is not None
