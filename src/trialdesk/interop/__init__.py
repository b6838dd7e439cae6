"""CDISC ADaM and file interchange (``docs/interop.md``).

Export a trial's ADSL, ADTTE, ADAE and ADEX as CSV, SAS XPORT v5 and Dataset-JSON; import
them back into a ``TrialData`` for the protocol's analysis plan, or analyse one ADTTE
parameter or a plain CSV without a protocol::

    export_adam(data, protocol, Path("adam"), cutoff=date(2018, 3, 1))
    adam = read_adam(Path("adam/adsl.xpt"), Path("adam/adtte.xpt"), protocol=protocol)
    results = run_analysis_plan(protocol, trial_data_from_adam(adam, protocol), cutoff=...)
"""

from __future__ import annotations

from trialdesk.interop.adam import AdamDatasets, build_adam
from trialdesk.interop.adam_import import read_adam
from trialdesk.interop.export import export_adam
from trialdesk.interop.time_to_event import (
    TimeToEventAnalysis,
    TimeToEventData,
    analyse_time_to_event,
    read_survival_csv,
    time_to_event_from_adam,
)
from trialdesk.interop.trial_from_adam import trial_data_from_adam

__all__ = [
    "AdamDatasets",
    "TimeToEventAnalysis",
    "TimeToEventData",
    "analyse_time_to_event",
    "build_adam",
    "export_adam",
    "read_adam",
    "read_survival_csv",
    "time_to_event_from_adam",
    "trial_data_from_adam",
]
