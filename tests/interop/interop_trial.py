"""A small RESORT trial recorded through the services, with every kind of record ADaM carries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from tests.resort_patient import DAY0, ELIGIBLE
from tests.seeds import TEST_RANDOMISATION_SEED
from trialdesk.protocol import load_protocol
from trialdesk.services import (
    SYSTEM,
    Actor,
    create_site,
    create_trial,
    randomise,
    record_adverse_event,
    record_assessment,
    record_event,
    record_exposure,
    screen,
)
from trialdesk.store import create_engine, session_factory

CUTOFF = dt.date(2022, 6, 30)


@contextmanager
def recording_trial(url: str, sites: Iterable[str]) -> Iterator[tuple[Session, Actor]]:
    """A session on the migrated database at ``url`` once the RESORT trial (the tests' seed) and
    ``sites`` are created, and a data manager of every site; closed and disposed after."""
    engine = create_engine(url)
    session = session_factory(engine)()
    try:
        create_trial(session, SYSTEM, load_protocol("resort"), randomisation_seed=TEST_RANDOMISATION_SEED)
        codes = frozenset(sites)
        for code in sorted(codes):
            create_site(session, SYSTEM, code, f"Site {code}")
        yield session, Actor(user_id=None, username="dm", role="data_manager", sites=codes)
    finally:
        session.close()
        engine.dispose()


def _day(days: int) -> dt.date:
    return DAY0 + dt.timedelta(days=days)


def _variant(k: int) -> dict[str, object]:
    """Patient k's screening data: sex, disease site and lesions vary so that strata differ."""
    return {**ELIGIBLE, "sex": "female" if k % 3 == 0 else "male",
            "metastasis_site": "other" if k % 2 else "lung", "metastases_resected": 1 + k % 3,
            "birth_date": dt.date(1950 + k, 1 + k % 12, 10)}


def _follow(session, nurse: Actor, subject: str, k: int, *, dosed: bool) -> None:
    if dosed:
        record_exposure(session, nurse, subject, start_date=_day(3), stop_date=_day(60), daily_dose_mg=800.0)
        if k % 2:
            record_exposure(session, nurse, subject, start_date=_day(61), stop_date=_day(74),
                            daily_dose_mg=0.0, change="interruption", reason="hand-foot skin reaction")
            record_exposure(session, nurse, subject, start_date=_day(75), stop_date=_day(300),
                            daily_dose_mg=400.0, change="reduction", reason="toxicity")
        else:
            record_exposure(session, nurse, subject, start_date=_day(61), stop_date=_day(364),
                            daily_dose_mg=800.0, change="continue")
        record_adverse_event(session, nurse, subject, term="Diarrhea", grade=3 if k % 2 else 1,
                             start_date=_day(30), stop_date=_day(40), related=True)
    if k % 4 == 0:
        record_adverse_event(session, nurse, subject, term="Fatigue", grade=2, start_date=_day(100),
                             serious=k == 4)
    if k == 11:
        return  # no scan: censored at randomisation
    scans = 1 + k % 7
    for j in range(1, scans + 1):
        relapse = k % 2 == 1 and j == scans
        result = "not_evaluable" if (k == 2 and j == scans) else (
            "relapse" if relapse else "no_evidence_of_disease")
        record_assessment(session, nurse, subject, assessment_date=_day(84 * j), result=result,
                          relapse_site="lung" if relapse else None)
    if k == 3:
        record_event(session, nurse, subject, event_date=_day(84 * scans + 30), event_type="death",
                     cause="disease")
    if k == 6:
        record_event(session, nurse, subject, event_date=_day(84 * scans + 10), event_type="death",
                     cause="other")
    if k == 8:
        record_event(session, nurse, subject, event_date=_day(84 * scans + 5), event_type="withdrawal",
                     cause="consent withdrawn")
    if k == 10:
        record_event(session, nurse, subject, event_date=_day(84 * scans + 5),
                     event_type="lost_to_follow_up")


def record_trial(url: str) -> None:
    """Into the migrated database at ``url``: two screen failures, one eligible patient not
    randomised and twelve randomised patients with dosing (interruptions, reductions, one never
    treated), scans (one not evaluable), relapses, deaths with and without relapse, a
    withdrawal, a loss to follow-up and AEs."""
    with recording_trial(url, ("S01", "S02")) as (session, nurse):
        screen(session, nurse, "S01", {**ELIGIBLE, "histology": "other"}, screening_date=DAY0)
        screen(session, nurse, "S02", {**ELIGIBLE, "metastases_resected": 4, "resection_complete": False},
               screening_date=DAY0)
        screen(session, nurse, "S02", ELIGIBLE, screening_date=DAY0)
        allocations = []
        for k in range(12):
            site = "S01" if k % 2 else "S02"
            subject = screen(session, nurse, site, _variant(k), screening_date=DAY0).subject_id
            allocations.append((subject, randomise(session, nurse, subject, randomisation_date=DAY0).arm))
        # the last patient allocated sorafenib never starts treatment (whatever the seed allocates)
        never_started = next(subject for subject, arm in reversed(allocations) if arm == "sorafenib")
        for k, (subject, arm) in enumerate(allocations):
            _follow(session, nurse, subject, k, dosed=arm == "sorafenib" and subject != never_started)
