"""The authorisation matrix: every endpoint x every role x own/other site, status asserted.

Columns: no token, admin, statistician, monitor, investigator and data manager of MI01 (the
target patient's own site) and investigator of RM02 (another site). Another site's patient
is 404, never 403, so a site cannot learn which subject ids exist elsewhere; a role without
the right is 403; no 2xx where a refusal is due. State-changing calls get a fresh target
each (a new patient to randomise or withdraw, a new date, a new value), so every allowed
call must succeed on its own merits.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.served_trial import (
    PASSWORD,
    bearer,
    day,
    eligible_screening,
    randomised_patient,
    screened_patient,
    sign_in,
)

CALLERS = ("anonymous", "admin", "stat", "monitor", "inv_mi", "dm_mi", "inv_rm")


@dataclass
class Targets:
    """Patients and records of MI01 the matrix calls act on; fresh ones made on demand."""

    api: TestClient
    entry: dict[str, str]
    admin: dict[str, str]
    sorafenib: str
    observation: str
    records: dict[str, int]
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def next(self) -> int:
        return next(self.counter)

    def fresh_screened(self) -> str:
        return screened_patient(self.api, self.entry)

    def fresh_randomised(self) -> str:
        return randomised_patient(self.api, self.entry, "observation")

    def fresh_user(self) -> str:
        name = f"matrix_user_{self.next()}"
        created = self.api.post("/api/v1/users", headers=self.admin, json={
            "username": name, "password": PASSWORD, "role": "monitor", "sites": []})
        assert created.status_code == 201, created.text
        return name


Call = Callable[[TestClient, dict[str, str], Targets], httpx.Response]


def _record_patch(path: str, field_name: str, value: Callable[[Targets], object]) -> Call:
    """Correct ``field_name`` of the target record of kind ``path`` to a new value."""
    def call(api: TestClient, headers: dict[str, str], t: Targets) -> httpx.Response:
        patient = t.observation if path == "events" else t.sorafenib
        return api.patch(f"/api/v1/patients/{patient}/{path}/{t.records[path]}", headers=headers,
                         json={"field": field_name, "value": value(t), "reason": "matrix check"})
    return call


_EDIT = (401, 403, 403, 403, 200, 200, 404)


#: endpoint -> (call, expected status per caller in CALLERS order).
MATRIX: dict[str, tuple[Call, tuple[int, ...]]] = {
    "GET /trial": (lambda a, h, t: a.get("/api/v1/trial", headers=h),
                   (401, 200, 200, 200, 200, 200, 200)),
    "GET /sites": (lambda a, h, t: a.get("/api/v1/sites", headers=h),
                   (401, 200, 200, 200, 200, 200, 200)),
    "POST /sites": (lambda a, h, t: a.post("/api/v1/sites", headers=h,
                                           json={"code": f"S{t.next()}", "name": "New site"}),
                    (401, 201, 403, 403, 403, 403, 403)),
    "POST /users": (lambda a, h, t: a.post("/api/v1/users", headers=h, json={
        "username": f"new_user_{t.next()}", "password": PASSWORD, "role": "investigator",
        "sites": ["MI01"]}), (401, 201, 403, 403, 403, 403, 403)),
    "DELETE /users/{username}/tokens": (
        lambda a, h, t: a.delete(f"/api/v1/users/{t.fresh_user()}/tokens", headers=h),
        (401, 200, 403, 403, 403, 403, 403)),
    "POST /patients": (lambda a, h, t: a.post("/api/v1/patients", headers=h, json={
        "site": "MI01", "screening": eligible_screening()}), (401, 403, 403, 403, 201, 201, 403)),
    "GET /patients": (lambda a, h, t: a.get("/api/v1/patients", headers=h),
                      (401, 403, 200, 200, 200, 200, 200)),
    "GET /patients/{id}": (lambda a, h, t: a.get(f"/api/v1/patients/{t.sorafenib}", headers=h),
                           (401, 403, 200, 200, 200, 200, 404)),
    "POST /patients/{id}/randomize": (
        lambda a, h, t: a.post(f"/api/v1/patients/{t.fresh_screened()}/randomize", headers=h,
                               json={}), (401, 403, 403, 403, 201, 201, 404)),
    "POST /patients/{id}/exposures": (
        lambda a, h, t: a.post(f"/api/v1/patients/{t.sorafenib}/exposures", headers=h, json={
            "start_date": day(t.next() % 9 + 1), "daily_dose_mg": 400, "change": "reduction",
            "reason": "hand-foot skin reaction"}),
        (401, 403, 403, 403, 201, 201, 404)),
    "GET /patients/{id}/exposures": (
        lambda a, h, t: a.get(f"/api/v1/patients/{t.sorafenib}/exposures", headers=h),
        (401, 403, 200, 200, 200, 200, 404)),
    "POST /patients/{id}/assessments": (
        lambda a, h, t: a.post(f"/api/v1/patients/{t.sorafenib}/assessments", headers=h, json={
            "assessment_date": day(t.next() % 9 + 1), "result": "no_evidence_of_disease"}),
        (401, 403, 403, 403, 201, 201, 404)),
    "GET /patients/{id}/assessments": (
        lambda a, h, t: a.get(f"/api/v1/patients/{t.sorafenib}/assessments", headers=h),
        (401, 403, 200, 200, 200, 200, 404)),
    "POST /patients/{id}/events": (
        lambda a, h, t: a.post(f"/api/v1/patients/{t.fresh_randomised()}/events", headers=h,
                               json={"event_date": day(3), "event_type": "relapse"}),
        (401, 403, 403, 403, 201, 201, 404)),
    "GET /patients/{id}/events": (
        lambda a, h, t: a.get(f"/api/v1/patients/{t.sorafenib}/events", headers=h),
        (401, 403, 200, 200, 200, 200, 404)),
    "POST /patients/{id}/adverse-events": (
        lambda a, h, t: a.post(f"/api/v1/patients/{t.sorafenib}/adverse-events", headers=h, json={
            "term": "Hypertension", "grade": 2, "start_date": day(2)}),
        (401, 403, 403, 403, 201, 201, 404)),
    "GET /patients/{id}/adverse-events": (
        lambda a, h, t: a.get(f"/api/v1/patients/{t.sorafenib}/adverse-events", headers=h),
        (401, 403, 200, 200, 200, 200, 404)),
    "PATCH /patients/{id}/exposures/{record_id}": (
        _record_patch("exposures", "reason", lambda t: f"hand-foot skin reaction {t.next()}"), _EDIT),
    "PATCH /patients/{id}/assessments/{record_id}": (
        _record_patch("assessments", "assessment_date", lambda t: day(t.next() % 9 + 1)), _EDIT),
    "PATCH /patients/{id}/events/{record_id}": (
        _record_patch("events", "cause", lambda t: f"seen on CT {t.next()}"), _EDIT),
    "PATCH /patients/{id}/adverse-events/{record_id}": (
        _record_patch("adverse-events", "term", lambda t: f"Fatigue {t.next()}"), _EDIT),
    "PATCH /patients/{id}/screening": (
        lambda a, h, t: a.patch(f"/api/v1/patients/{t.sorafenib}/screening", headers=h, json={
            "field": "birth_date", "value": f"1950-01-{t.next() % 28 + 1:02d}",
            "reason": "matrix check"}), (401, 403, 403, 403, 200, 200, 404)),
    "POST /patients/{id}/withdrawal": (
        lambda a, h, t: a.post(f"/api/v1/patients/{t.fresh_randomised()}/withdrawal", headers=h,
                               json={"withdrawal_date": day(2), "reason": "matrix check"}),
        (401, 403, 403, 403, 201, 201, 404)),
    "GET /audit": (lambda a, h, t: a.get("/api/v1/audit", headers=h, params={"limit": 5}),
                   (401, 200, 403, 200, 403, 403, 403)),
    "GET /allocation-list": (
        lambda a, h, t: a.get("/api/v1/allocation-list", headers=h, params={
            "stratum": "nephrectomy_to_metastases:>12m|disease_site:lung|lesions:single", "n": 8}),
        (401, 403, 200, 403, 403, 403, 403)),
    "GET /reports/interim": (lambda a, h, t: a.get("/api/v1/reports/interim", headers=h),
                             (401, 403, 200, 403, 403, 403, 403)),
    "DELETE /auth/token": (lambda a, h, t: a.delete("/api/v1/auth/token", headers=h),
                           (401, 204, 204, 204, 204, 204, 204)),
}


@pytest.fixture(scope="module")
def targets(api: TestClient, tokens: dict[str, str]) -> Targets:
    entry = bearer(tokens["dm_mi"])
    sorafenib = randomised_patient(api, entry, "sorafenib")
    observation = randomised_patient(api, entry, "observation")
    bodies = {
        "exposures": (sorafenib, {"start_date": day(1), "daily_dose_mg": 800, "change": "start"}),
        "assessments": (sorafenib, {"assessment_date": day(0), "result": "no_evidence_of_disease"}),
        "events": (observation, {"event_date": day(5), "event_type": "relapse"}),
        "adverse-events": (sorafenib, {"term": "Fatigue", "grade": 1, "start_date": day(1)}),
    }
    records = {}
    for path, (patient, body) in bodies.items():
        response = api.post(f"/api/v1/patients/{patient}/{path}", headers=entry, json=body)
        assert response.status_code == 201, response.text
        records[path] = response.json()["id"]
    return Targets(api=api, entry=entry, admin=bearer(tokens["admin"]), sorafenib=sorafenib,
                   observation=observation, records=records)


def test_the_matrix_covers_every_operation_of_the_api(api: TestClient) -> None:
    document = api.get("/api/v1/openapi.json").json()
    served = {f"{method.upper()} {path.replace('{patient_id}', '{id}')}"
              for path, operations in document["paths"].items() for method in operations}
    sign_in_needs_no_role = {"POST /auth/token"}  # test_app covers it
    assert served - sign_in_needs_no_role == set(MATRIX)


@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_each_role_gets_exactly_the_expected_status(api: TestClient, tokens: dict[str, str],
                                                   targets: Targets, endpoint: str) -> None:
    call, expected = MATRIX[endpoint]
    got = []
    for caller in CALLERS:
        if caller == "anonymous":
            headers = {}
        elif endpoint == "DELETE /auth/token":  # revokes the token it is sent with
            headers = bearer(sign_in(api, caller))
        else:
            headers = bearer(tokens[caller])
        got.append(call(api, headers, targets).status_code)
    assert dict(zip(CALLERS, got, strict=True)) == dict(zip(CALLERS, expected, strict=True))
