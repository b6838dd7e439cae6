"""create_app, authentication (tokens, expiry, revocation, throttling) and the one error shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.served_trial import PASSWORD, bearer, eligible_screening, served_settings, sign_in
from trialdesk.api import create_app
from trialdesk.api.errors import ErrorResponse
from trialdesk.errors import InputError


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _error(response_json: dict) -> dict:
    return ErrorResponse.model_validate(response_json).error.model_dump()


def test_create_app_refuses_a_database_without_schema(tmp_path) -> None:
    with pytest.raises(InputError) as caught:
        create_app(served_settings(f"sqlite:///{tmp_path / 'empty.db'}"))
    assert caught.value.field == "database"
    assert "trialdesk init" in str(caught.value)


def test_two_apps_on_two_databases_do_not_share_state(served_app: FastAPI,
                                                      trial_database_url: str) -> None:
    other = create_app(served_settings(trial_database_url))
    assert other.state.trialdesk is not served_app.state.trialdesk
    assert other.state.trialdesk.throttle is not served_app.state.trialdesk.throttle
    other.state.trialdesk.engine.dispose()


def test_token_is_an_oauth2_bearer_token_with_expiry(api: TestClient) -> None:
    response = api.post("/api/v1/auth/token", data={"username": "monitor", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=7, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=8)
    assert api.get("/api/v1/trial", headers=bearer(body["access_token"])).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"},
                                     {"Authorization": "Basic bW9uaXRvcjp4"}])
def test_missing_or_unknown_token_is_401_with_a_bearer_challenge(api: TestClient,
                                                                 headers: dict[str, str]) -> None:
    response = api.get("/api/v1/patients", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert _error(response.json())["code"] == "not_authenticated"


def test_wrong_password_is_401_without_saying_which_part_was_wrong(api: TestClient) -> None:
    wrong = api.post("/api/v1/auth/token", data={"username": "stat", "password": "x" * 12})
    unknown = api.post("/api/v1/auth/token", data={"username": "nobody", "password": "x" * 12})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_signed_out_token_is_refused(api: TestClient) -> None:
    token = sign_in(api, "monitor")
    assert api.delete("/api/v1/auth/token", headers=bearer(token)).status_code == 204
    assert api.get("/api/v1/trial", headers=bearer(token)).status_code == 401
    assert api.get("/api/v1/trial", headers=bearer(sign_in(api, "monitor"))).status_code == 200


def test_admin_locks_a_user_out_by_revoking_every_token(api: TestClient,
                                                        tokens: dict[str, str]) -> None:
    created = api.post("/api/v1/users", headers=bearer(tokens["admin"]), json={
        "username": "leaving_dm", "password": PASSWORD, "role": "data_manager", "sites": ["RM02"]})
    assert created.status_code == 201, created.text
    first, second = sign_in(api, "leaving_dm"), sign_in(api, "leaving_dm")
    revoked = api.delete("/api/v1/users/leaving_dm/tokens", headers=bearer(tokens["admin"]))
    assert revoked.json() == {"revoked": 2}
    for token in (first, second):
        assert api.get("/api/v1/patients", headers=bearer(token)).status_code == 401
    assert api.delete("/api/v1/users/leaving_dm/tokens",
                      headers=bearer(tokens["monitor"])).status_code == 403
    assert api.delete("/api/v1/users/nobody/tokens",
                      headers=bearer(tokens["admin"])).status_code == 404


def test_repeated_failed_logins_are_slowed_per_username(trial_database_url: str) -> None:
    """Three failures are free; then 429 with Retry-After, doubling; the clock is faked."""
    clock = FakeClock()
    app = create_app(served_settings(trial_database_url), clock=clock)
    with TestClient(app) as client:
        def attempt(password: str) -> int:
            return client.post("/api/v1/auth/token",
                               data={"username": "dm_mi", "password": password}).status_code

        assert [attempt("wrong password!") for _ in range(3)] == [401, 401, 401]
        refused = client.post("/api/v1/auth/token", data={"username": "dm_mi", "password": PASSWORD})
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "1"
        assert _error(refused.json())["code"] == "too_many_attempts"
        clock.now += timedelta(seconds=1)
        assert attempt("wrong password!") == 401
        assert attempt(PASSWORD) == 429  # now 2 s
        clock.now += timedelta(seconds=2)
        assert attempt(PASSWORD) == 200
        assert attempt("wrong password!") == 401  # the username's count starts again
    app.state.trialdesk.engine.dispose()


def test_api_errors_share_one_shape(api: TestClient, tokens: dict[str, str]) -> None:
    """401, 403, 404 (record and route), 405, 409, 422 (schema and service) all have one shape."""
    investigator = bearer(tokens["inv_mi"])
    screened = api.post("/api/v1/patients", headers=investigator,
                        json={"site": "MI01", "screening": eligible_screening(histology="other")})
    failing = screened.json()["id"]
    responses = {
        401: api.get("/api/v1/trial"),
        403: api.post("/api/v1/sites", headers=investigator, json={"code": "X1", "name": "X"}),
        404: api.get("/api/v1/patients/RESORT-XX99-0001", headers=investigator),
        405: api.put("/api/v1/trial", headers=investigator),
        409: api.post(f"/api/v1/patients/{failing}/randomize", headers=investigator, json={}),
        422: api.post("/api/v1/patients", headers=investigator, json={"site": "MI01"}),
    }
    for status, response in responses.items():
        assert response.status_code == status, (status, response.text)
        error = _error(response.json())
        assert error["status"] == status
        assert error["message"]
        assert error["details"]
    assert api.get("/api/v1/no-such-thing").json()["error"]["code"] == "not_found"
    assert _error(responses[422].json())["field"] == "screening"
    assert "clear-cell" in _error(responses[409].json())["message"]


def test_an_unexpected_failure_is_a_500_in_the_same_shape_without_detail(
        served_app: FastAPI, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from trialdesk.api.routers import trial as trial_router

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(trial_router, "trial_out", broken)
    client = TestClient(served_app, raise_server_exceptions=False)
    response = client.get("/api/v1/trial", headers=bearer(tokens["monitor"]))
    assert response.status_code == 500
    assert _error(response.json())["message"] == "internal error"
    assert "hunter2" not in response.text
