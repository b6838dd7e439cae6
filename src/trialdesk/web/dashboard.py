"""The dashboard's numbers: enrolment over time by arm and site, screening failures, the
CONSORT flow so far, relapses and deaths, and overdue restaging visits.

Computed from the store's ``TrialData`` restricted to the sites the user sees (site roles:
their own sites). CONSORT counts are the analysis plan's (``trialdesk.analysis.consort``)
at today's date. A restaging visit is overdue when its window closed before today with no
scan inside it (``trialdesk.trial.schedule``), for randomised patients still in follow-up
(no relapse, death, withdrawal or loss to follow-up recorded).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from trialdesk.analysis.consort import ConsortCounts, consort_counts
from trialdesk.analysis.datasets import build_analysis_datasets
from trialdesk.analysis.plan import control_arm
from trialdesk.protocol import Protocol
from trialdesk.trial.data import TRIAL_DATA_COLUMNS, TrialData
from trialdesk.trial.schedule import overdue_visits
from trialdesk.web.charts import enrolment_lines, enrolment_svg

__all__ = ["Dashboard", "EndpointEvent", "OverdueVisit", "build_dashboard",
           "visible_data"]

logger = logging.getLogger(__name__)

#: Events after which a patient has no more restaging visits.
END_OF_FOLLOW_UP = frozenset({"relapse", "death", "withdrawal", "lost_to_follow_up"})


@dataclass(frozen=True, slots=True)
class OverdueVisit:
    """A restaging visit whose window has closed without a scan."""

    patient_id: str
    site: str
    number: int
    planned: dt.date
    window_end: dt.date


@dataclass(frozen=True, slots=True)
class EndpointEvent:
    """A relapse (a scan showing relapse, or a relapse event) or a death."""

    patient_id: str
    date: dt.date
    kind: str


@dataclass(frozen=True, slots=True)
class Dashboard:
    """What the dashboard shows (SVG charts as markup, counts, lists)."""

    enrolment_by_arm: str
    enrolment_by_site: str
    consort: ConsortCounts
    screen_failures: tuple[tuple[str, int], ...]
    endpoint_events: tuple[EndpointEvent, ...]
    overdue: tuple[OverdueVisit, ...]


def visible_data(data: TrialData, sees_site: Callable[[str], bool]) -> TrialData:
    """``data`` restricted to the patients of sites for which ``sees_site`` is true."""
    seen = data.patients["site"].map(lambda code: sees_site(str(code))).astype(bool)
    patients = data.patients[seen]
    ids = set(patients["patient_id"])
    frames = {name: getattr(data, name)[getattr(data, name)["patient_id"].isin(ids)]
              for name in TRIAL_DATA_COLUMNS if name != "patients"}
    return TrialData(protocol_id=data.protocol_id, patients=patients, **frames)


def _screen_failures(patients: pd.DataFrame) -> tuple[tuple[str, int], ...]:
    reasons: Counter[str] = Counter()
    for eligible, text in zip(patients["eligible"], patients["screen_failure_reasons"], strict=True):
        if eligible is False:
            reasons.update(part.strip() for part in str(text or "").split(";") if part.strip())
    return tuple(reasons.most_common())


def _endpoint_events(data: TrialData) -> tuple[EndpointEvent, ...]:
    scans = data.assessments[data.assessments["result"] == "relapse"]
    events = data.events[data.events["event_type"].isin(("relapse", "death"))]
    found = [EndpointEvent(str(pid), day, "relapse")
             for pid, day in zip(scans["patient_id"], scans["assessment_date"], strict=True)]
    found += [EndpointEvent(str(pid), day, str(kind)) for pid, day, kind in
              zip(events["patient_id"], events["event_date"], events["event_type"], strict=True)]
    return tuple(sorted(found, key=lambda e: (e.date, e.patient_id), reverse=True))


def _overdue(protocol: Protocol, data: TrialData, today: dt.date) -> tuple[OverdueVisit, ...]:
    randomised = data.patients[data.patients["randomised"].astype(bool)]
    ended = set(data.events.loc[data.events["event_type"].isin(END_OF_FOLLOW_UP), "patient_id"])
    ended |= set(data.assessments.loc[data.assessments["result"] == "relapse", "patient_id"])
    scans = data.assessments.groupby("patient_id")["assessment_date"].apply(list).to_dict()
    overdue = []
    for pid, site, start in zip(randomised["patient_id"], randomised["site"],
                                randomised["randomization_date"], strict=True):
        if pid in ended or start > today:
            continue
        for visit in overdue_visits(protocol, start, scans.get(pid, []), today=today):
            overdue.append(OverdueVisit(str(pid), str(site), visit.number, visit.planned_date,
                                        visit.window_end))
    return tuple(sorted(overdue, key=lambda v: (v.window_end, v.patient_id)))


def build_dashboard(protocol: Protocol, data: TrialData, *, today: dt.date) -> Dashboard:
    """The dashboard of ``data`` (already restricted to what the user sees) as of ``today``."""
    datasets = build_analysis_datasets(
        data, cutoff=today, arms=protocol.arms, control_arm=control_arm(protocol),
        stratification_factors=tuple(f.name for f in protocol.stratification_factors))
    randomised = data.patients[data.patients["randomised"].astype(bool)]
    dates = list(randomised["randomization_date"])
    by_site = enrolment_lines(dates, [str(s) for s in randomised["site"]])
    logger.debug("dashboard: %d randomised of %d screened", len(randomised), len(data.patients))
    return Dashboard(
        enrolment_by_arm=enrolment_svg(enrolment_lines(dates, [str(a) for a in randomised["arm"]]),
                                       title="Patients randomised by arm"),
        enrolment_by_site=enrolment_svg(by_site, title="Patients randomised by site"),
        consort=consort_counts(datasets),
        screen_failures=_screen_failures(data.patients),
        endpoint_events=_endpoint_events(data),
        overdue=_overdue(protocol, data, today),
    )
