"""Fixtures shared by the whole suite: where R's reference numbers live, and test databases."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REFERENCE_DIR = Path(
    os.environ.get("TRIALDESK_REFERENCE_DIR",
                   Path(__file__).resolve().parents[2] / "shared" / "reference")
)


def load_reference(name: str) -> dict[str, Any]:
    """A reference JSON from ../shared/reference (``aml``, ``lung``, ``design``)."""
    return json.loads((REFERENCE_DIR / f"{name}.json").read_text())


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The folder of R's reference values; the suite fails loudly without it."""
    if not REFERENCE_DIR.is_dir():
        pytest.fail(f"reference values not found at {REFERENCE_DIR}; set TRIALDESK_REFERENCE_DIR")
    return REFERENCE_DIR


def postgres_url() -> str | None:
    """The PostgreSQL server for tests (scripts/test sets it); None when there is none."""
    return os.environ.get("TRIALDESK_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """URL of a PostgreSQL server's maintenance database; skips locally, fails in CI."""
    url = postgres_url()
    if url is None:
        if os.environ.get("CI"):
            pytest.fail("TRIALDESK_TEST_POSTGRES_URL is not set in CI; run through scripts/test")
        pytest.skip("no PostgreSQL server (set TRIALDESK_TEST_POSTGRES_URL or use scripts/test)")
    return url
