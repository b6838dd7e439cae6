"""``trialdesk analyze`` on files: ADaM datasets (``--adsl``/``--adtte``) or a plain CSV (``--csv``).

With ADaM and a protocol (``--protocol``, else ``protocol.yaml`` beside the ADSL file as
``trialdesk export adam`` writes it) the datasets are rebuilt into a ``TrialData`` and the
protocol's whole analysis plan runs, at ``--cutoff`` or ADSL's ``DCUTDT``; ADAE and ADEX
are taken from ``--adae``/``--adex`` or from ``adae.<ext>``/``adex.<ext>`` beside ADSL.
Without a protocol, and for a plain CSV, the time-to-event analysis of
``trialdesk.interop.time_to_event`` runs (``docs/interop.md#command-line``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from pathlib import Path

from trialdesk.analysis.plan import AnalysisResults, run_analysis_plan
from trialdesk.errors import InputError
from trialdesk.interop import (
    TimeToEventAnalysis,
    analyse_time_to_event,
    read_adam,
    read_survival_csv,
    time_to_event_from_adam,
    trial_data_from_adam,
)
from trialdesk.interop.export import PROTOCOL_FILE
from trialdesk.interop.time_to_event import TimeUnit
from trialdesk.protocol import Protocol, load_protocol

__all__ = ["adam_analysis", "csv_analysis", "render_time_to_event"]

logger = logging.getLogger(__name__)


def _beside(adsl: Path, given: Path | None, name: str) -> Path | None:
    if given is not None:
        return given
    candidate = adsl.with_name(f"{name}{adsl.suffix}")
    return candidate if candidate.is_file() else None


def _protocol(adsl: Path, given: str | None) -> Protocol | None:
    if given is not None:
        return load_protocol(given)
    beside = adsl.with_name(PROTOCOL_FILE)
    return load_protocol(beside) if beside.is_file() else None


def adam_analysis(adsl: Path, adtte: Path, *, adae: Path | None, adex: Path | None,
                  protocol_name: str | None, cutoff: dt.date | None, events_planned: float | None,
                  paramcd: str | None, arm: str, strata: str | None,
                  arm_levels: Sequence[str] | None) -> AnalysisResults | TimeToEventAnalysis:
    """The analysis plan on ADaM datasets when a protocol is known, else the time-to-event analysis."""
    protocol = _protocol(adsl, protocol_name)
    adam = read_adam(adsl, adtte, _beside(adsl, adae, "adae"), _beside(adsl, adex, "adex"),
                     protocol=protocol)
    if protocol is None:
        logger.info("no protocol for %s: time-to-event analysis of ADTTE only", adsl.name)
        data = time_to_event_from_adam(adam, paramcd=paramcd, arm=arm, strata=strata,
                                       arm_levels=arm_levels)
        return analyse_time_to_event(data)
    frame = adam.frames["ADSL"]
    if cutoff is None:
        cutoffs = set(frame["DCUTDT"].dropna()) if "DCUTDT" in frame.columns else set()
        if len(cutoffs) != 1:
            raise InputError("needs one data cut-off", field="cutoff",
                             hint="give --cutoff, or ADSL's DCUTDT must hold one date")
        cutoff = cutoffs.pop()
    data = trial_data_from_adam(adam, protocol, paramcd=paramcd)
    return run_analysis_plan(protocol, data, cutoff=cutoff, events_planned=events_planned)


def csv_analysis(path: Path, *, time: str | None, event: str | None, arm: str | None,
                 strata: str | None, unit: TimeUnit | None,
                 arm_levels: Sequence[str] | None) -> TimeToEventAnalysis:
    """The time-to-event analysis of a plain CSV with declared columns."""
    declared = {"--time": time, "--event": event, "--arm": arm, "--unit": unit}
    for option, value in declared.items():
        if value is None:
            raise InputError("is needed with --csv", field=option,
                             hint="declare --time, --event, --arm and --unit (days or months)")
    data = read_survival_csv(path, time=time, event=event, arm=arm, unit=unit, strata=strata,
                             arm_levels=arm_levels)
    return analyse_time_to_event(data)


def render_time_to_event(analysis: TimeToEventAnalysis, *, as_json: bool) -> str:
    """The analysis as JSON or as the primary and follow-up tables."""
    if as_json:
        return json.dumps(analysis.to_dict())
    return "\n\n".join(str(part.summary()) for part in (analysis.primary, analysis.follow_up))
