"""Protocols for the randomisation tests."""

from __future__ import annotations

import pytest

from trialdesk.protocol import Protocol, load_protocol


@pytest.fixture(scope="session")
def resort() -> Protocol:
    return load_protocol("resort")


@pytest.fixture(scope="session")
def three_arm() -> Protocol:
    return load_protocol("three_arm_example")
