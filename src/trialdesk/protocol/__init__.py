"""The trial protocol as code: a validated model loaded from YAML, and the built-in protocols.

>>> from trialdesk.protocol import load_protocol
>>> load_protocol("resort").allocation_ratio
(1, 1)
"""

from __future__ import annotations

from trialdesk.protocol.conditions import Condition
from trialdesk.protocol.loading import BUILTIN_PROTOCOLS, load_protocol, protocol_from_yaml
from trialdesk.protocol.model import (
    AnalysisPlan,
    Arm,
    Criterion,
    Endpoint,
    EnrolmentPlan,
    Factor,
    InterimPlan,
    Protocol,
    RandomisationPlan,
    ScreeningField,
    VisitSchedule,
)

__all__ = [
    "BUILTIN_PROTOCOLS",
    "AnalysisPlan",
    "Arm",
    "Condition",
    "Criterion",
    "Endpoint",
    "EnrolmentPlan",
    "Factor",
    "InterimPlan",
    "Protocol",
    "RandomisationPlan",
    "ScreeningField",
    "VisitSchedule",
    "load_protocol",
    "protocol_from_yaml",
]
