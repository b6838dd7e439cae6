"""Settings refuse placeholder secrets outside development."""

from __future__ import annotations

import pytest

from trialdesk.api.settings import Settings
from trialdesk.errors import InputError

GOOD_SECRET = "0123456789abcdef" * 4


@pytest.mark.parametrize("secret", ["changethis", "", "secret", "short-but-not-placeholder"])
@pytest.mark.parametrize("environment", ["production", "test"])
def test_placeholder_or_short_secret_is_refused(secret: str, environment: str) -> None:
    with pytest.raises(InputError) as caught:
        Settings(database_url="sqlite://", secret_key=secret, environment=environment)  # type: ignore[arg-type]
    assert caught.value.field == "TRIALDESK_SECRET_KEY"


def test_development_accepts_a_placeholder_and_drops_secure_cookies() -> None:
    settings = Settings(database_url="sqlite://", secret_key="changethis", environment="development")
    assert settings.cookie_secure is False


def test_production_cookies_are_secure_by_default() -> None:
    assert Settings(database_url="sqlite://", secret_key=GOOD_SECRET).cookie_secure is True


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(InputError, match="environment"):
        Settings(database_url="sqlite://", secret_key=GOOD_SECRET, environment="staging")  # type: ignore[arg-type]


def test_from_env_reads_the_variables() -> None:
    settings = Settings.from_env({"TRIALDESK_DATABASE_URL": "sqlite:///x.db",
                                  "TRIALDESK_SECRET_KEY": GOOD_SECRET,
                                  "TRIALDESK_TOKEN_HOURS": "2", "TRIALDESK_TRIAL": "RESORT"})
    assert settings.database_url == "sqlite:///x.db"
    assert settings.token_lifetime.total_seconds() == 7200
    assert settings.trial_code == "RESORT"


def test_from_env_in_development_invents_a_secret() -> None:
    first = Settings.from_env({"TRIALDESK_ENV": "development"})
    second = Settings.from_env({"TRIALDESK_ENV": "development"})
    assert len(first.secret_key) == 64
    assert first.secret_key != second.secret_key


def test_from_env_refuses_production_without_a_secret() -> None:
    with pytest.raises(InputError, match="placeholder"):
        Settings.from_env({})
