"""The server-rendered pages: login with a safe cookie, CSRF on every form, each page renders."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.served_trial import PASSWORD, RANDOMISED_ON, bearer, day, eligible_screening, randomised_patient
from trialdesk.web.pages import PRESESSION_COOKIE, SESSION_COOKIE


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def browser(app: FastAPI, username: str) -> TestClient:
    """A signed-in browser (cookies kept) for ``username``."""
    client = TestClient(app, follow_redirects=False)
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 303, response.text
    return client


@pytest.fixture(scope="module")
def investigator(served_app: FastAPI) -> Iterator[TestClient]:
    with browser(served_app, "inv_mi") as client:
        yield client


def test_login_sets_an_httponly_samesite_session_cookie(served_app: FastAPI) -> None:
    client = TestClient(served_app, follow_redirects=False)
    page = client.get("/login")
    assert page.status_code == 200
    assert PRESESSION_COOKIE in page.headers["set-cookie"]
    response = client.post("/login", data={"username": "monitor", "password": PASSWORD,
                                           "csrf_token": csrf_of(page.text)})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    assert "Max-Age=" in cookie


def test_secure_cookies_outside_development(trial_database_url: str) -> None:
    from tests.served_trial import served_settings
    from trialdesk.api import create_app

    app = create_app(served_settings(trial_database_url, cookie_secure=None))
    page = TestClient(app).get("/login")
    assert "Secure" in page.headers["set-cookie"]
    app.state.trialdesk.engine.dispose()


def test_wrong_password_shows_the_form_again(served_app: FastAPI) -> None:
    client = TestClient(served_app, follow_redirects=False)
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": "monitor", "password": "nope-nope-nope",
                                           "csrf_token": token})
    assert response.status_code == 401
    assert "wrong username or password" in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize("token", [None, "0" * 64])
def test_forms_without_a_valid_csrf_token_are_refused(served_app: FastAPI, token: str | None) -> None:
    client = TestClient(served_app, follow_redirects=False)
    client.get("/login")
    data = {"username": "monitor", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    assert client.post("/login", data=data).status_code == 403


def test_a_csrf_token_of_another_browser_is_refused(served_app: FastAPI,
                                                    investigator: TestClient) -> None:
    other = browser(served_app, "dm_mi")
    stolen = csrf_of(other.get("/screen").text)
    response = investigator.post("/screen", data={"csrf_token": stolen, "site": "MI01",
                                                  "action": "screen"})
    assert response.status_code == 403


def test_pages_need_a_session(served_app: FastAPI) -> None:
    client = TestClient(served_app, follow_redirects=False)
    for path in ("/", "/patients", "/screen", "/audit"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == "/login"


def test_the_dashboard_shows_charts_consort_and_overdue_visits(served_app: FastAPI,
                                                               api: TestClient,
                                                               tokens: dict[str, str]) -> None:
    entry = bearer(tokens["inv_mi"])
    patient = randomised_patient(api, entry, "observation")
    late = randomised_patient(api, entry, "observation", on=RANDOMISED_ON - dt.timedelta(days=100))
    failure = api.post("/api/v1/patients", headers=entry, json={
        "site": "MI01", "screening": eligible_screening(prior_nephrectomy=False)})
    assert failure.json()["eligible"] is False
    api.post(f"/api/v1/patients/{patient}/assessments", headers=entry,
             json={"assessment_date": day(9), "result": "relapse", "relapse_site": "liver"})
    with browser(served_app, "inv_mi") as client:
        page = client.get("/")
    assert page.status_code == 200
    assert page.text.count("<svg") == 2
    assert "Patients randomised by arm" in page.text
    assert "Assessed for eligibility" in page.text
    assert "The patient must have had a previous nephrectomy." in page.text
    assert f'<a href="/patients/{patient}">{patient}</a>' in page.text
    assert "relapse" in page.text
    overdue = page.text[page.text.index('id="overdue"'):]
    assert late in overdue
    assert patient not in overdue  # relapsed: no more restaging


def test_the_dashboard_of_another_site_does_not_show_this_sites_patients(
        served_app: FastAPI, api: TestClient, tokens: dict[str, str]) -> None:
    patient = randomised_patient(api, bearer(tokens["inv_mi"]), "observation")
    with browser(served_app, "inv_rm") as client:
        assert patient not in client.get("/").text
        assert client.get(f"/patients/{patient}").status_code == 404


def test_the_live_check_names_the_failing_criteria_without_storing(investigator: TestClient,
                                                                  api: TestClient,
                                                                  tokens: dict[str, str]) -> None:
    before = len(api.get("/api/v1/patients", headers=bearer(tokens["inv_mi"])).json())
    token = csrf_of(investigator.get("/screen").text)
    form = {k: str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in eligible_screening(histology="other", metastases_resected=5).items()}
    checked = investigator.post("/screen/check", data=form, headers={"X-CSRF-Token": token})
    assert checked.status_code == 200
    body = checked.json()
    assert body["eligible"] is False
    assert len(body["reasons"]) == 2
    without_token = investigator.post("/screen/check", data=form)
    assert without_token.status_code == 403
    incomplete = investigator.post("/screen/check", data={"sex": "male"},
                                   headers={"X-CSRF-Token": token}).json()
    assert "histology" in incomplete["missing"]
    after = len(api.get("/api/v1/patients", headers=bearer(tokens["inv_mi"])).json())
    assert after == before


def test_screen_randomise_confirm_and_print(investigator: TestClient) -> None:
    token = csrf_of(investigator.get("/screen").text)
    form = {k: str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in eligible_screening().items()}
    checked = investigator.post("/screen", data={**form, "site": "MI01", "action": "check",
                                                 "csrf_token": token})
    assert checked.status_code == 200
    assert "Eligible" in checked.text
    screened = investigator.post("/screen", data={**form, "site": "MI01", "action": "screen",
                                                  "csrf_token": token})
    assert screened.status_code == 303
    patient_url = screened.headers["location"]
    patient_page = investigator.get(patient_url)
    assert "Randomise" in patient_page.text
    confirm = investigator.get(f"{patient_url}/randomize")
    assert "Confirm randomisation" in confirm.text
    assert "disease_site:lung" in confirm.text
    done = investigator.post(f"{patient_url}/randomize", data={
        "csrf_token": csrf_of(confirm.text), "confirmed": "yes", "date": ""})
    assert done.status_code == 303
    again = investigator.post(f"{patient_url}/randomize", data={
        "csrf_token": csrf_of(confirm.text), "confirmed": "yes", "date": ""})
    assert again.status_code == 409
    assert "is already randomised" in again.text
    bad_date = investigator.post(f"{patient_url}/randomize", data={
        "csrf_token": csrf_of(confirm.text), "confirmed": "yes", "date": "30/01/2024"})
    assert bad_date.status_code == 422
    assert "date: must be YYYY-MM-DD" in bad_date.text
    printable = investigator.get(done.headers["location"])
    assert printable.status_code == 200
    assert 'id="randomization-number"' in printable.text
    assert re.search(r'id="arm">(sorafenib|observation)<', printable.text)
    assert "@media print" in investigator.get("/static/style.css").text


def test_an_entry_form_stores_a_record_or_shows_the_problem(investigator: TestClient,
                                                            api: TestClient,
                                                            tokens: dict[str, str]) -> None:
    patient = randomised_patient(api, bearer(tokens["inv_mi"]), "sorafenib")
    page = investigator.get(f"/patients/{patient}")
    assert 'id="form-adverse-events"' in page.text
    assert "Record an adverse event" in page.text
    assert 'id="form-exposures"' in page.text
    observed = randomised_patient(api, bearer(tokens["inv_mi"]), "observation")
    assert 'id="form-exposures"' not in investigator.get(f"/patients/{observed}").text
    token = csrf_of(page.text)
    stored = investigator.post(f"/patients/{patient}/adverse-events", data={
        "csrf_token": token, "term": "Rash", "grade": "2", "start_date": day(3),
        "serious": "false", "related": "true"})
    assert stored.status_code == 303
    assert "Rash, grade 2, related" in investigator.get(f"/patients/{patient}").text
    refused = investigator.post(f"/patients/{patient}/adverse-events", data={
        "csrf_token": token, "term": "Rash", "grade": "9", "start_date": day(3)})
    assert refused.status_code == 422
    assert "grade" in refused.text
    assert RANDOMISED_ON.isoformat() in refused.text


def test_the_audit_trail_page_filters_and_is_for_admin_and_monitor(served_app: FastAPI,
                                                                   investigator: TestClient) -> None:
    assert investigator.get("/audit").status_code == 403
    with browser(served_app, "monitor") as monitor:
        bad_filter = monitor.get("/audit", params={"row_id": "abc"})
        assert bad_filter.status_code == 422
        assert "row_id" in bad_filter.text
        assert bad_filter.headers["content-type"].startswith("text/html")
        page = monitor.get("/audit", params={"table": "sites"})
        assert page.status_code == 200
        rows = re.findall(r"<tr><td>\d+</td>", page.text)
        assert rows
        assert "<td>sites</td>" in page.text
        assert "<td>patients</td>" not in page.text


def test_logout_revokes_the_session(served_app: FastAPI) -> None:
    client = browser(served_app, "monitor")
    session = client.cookies.get(SESSION_COOKIE)
    token = csrf_of(client.get("/").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    replay = TestClient(served_app, follow_redirects=False, cookies={SESSION_COOKIE: session})
    assert replay.get("/").status_code == 303


def test_an_admin_sees_counts_but_no_patient_ids(served_app: FastAPI, api: TestClient,
                                                 tokens: dict[str, str]) -> None:
    randomised_patient(api, bearer(tokens["inv_mi"]), "sorafenib")
    with browser(served_app, "admin") as admin:
        page = admin.get("/")
        assert page.status_code == 200
        assert "Randomised (n=" in page.text
        assert "/patients/RESORT-" not in page.text
        assert 'href="/patients"' not in page.text
        assert admin.get("/patients").status_code == 403
