"""``trialdesk serve``: builds the app from the settings and hands it to uvicorn."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner

from trialdesk.cli import app
from trialdesk.store import upgrade

SECRET = "serve-command-test-secret-" + "ab" * 16


def test_serve_runs_uvicorn_on_the_given_database_host_and_port(tmp_path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'trial.db'}"
    upgrade(url)
    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda application, **options: served.update(
        app=application, **options))
    result = CliRunner().invoke(app, ["serve", "--db", url, "--port", "8123"],
                                env={"TRIALDESK_SECRET_KEY": SECRET})
    assert result.exit_code == 0, result.output
    assert isinstance(served["app"], FastAPI)
    assert served["app"].state.trialdesk.settings.database_url == url
    assert (served["host"], served["port"]) == ("127.0.0.1", 8123)
    served["app"].state.trialdesk.engine.dispose()


@pytest.mark.parametrize("env", [{}, {"TRIALDESK_SECRET_KEY": "changethis"}])
def test_serve_refuses_to_start_without_a_real_secret(tmp_path, env: dict[str, str],
                                                      monkeypatch) -> None:
    monkeypatch.delenv("TRIALDESK_SECRET_KEY", raising=False)
    monkeypatch.delenv("TRIALDESK_ENV", raising=False)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("must not start"))
    result = CliRunner().invoke(app, ["serve", "--db", f"sqlite:///{tmp_path / 't.db'}"], env=env)
    assert result.exit_code != 0
    assert "TRIALDESK_SECRET_KEY" in str(result.exception or result.output)
