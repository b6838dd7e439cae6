"""Cut-offs by hand: the k-th event's date, censoring at the last scan, later patients masked."""

from __future__ import annotations

import dataclasses

import numpy as np

from trialdesk.simulate.cutoff import analysis_dates, data_at_cutoff
from trialdesk.simulate.dosing import DAYS_PER_MONTH
from trialdesk.simulate.generator import SimulatedTrials
from trialdesk.simulate.scenario import AnalysisTiming, Boundaries


def tiny_trial() -> SimulatedTrials:
    """Four patients entering at months 0, 1, 2, 30; scans exactly on days 84 k (no jitter).

    Events seen at months 10 (patient 0, date 10), 5 (patient 1, date 6), none (patient 2,
    dropout at month 8), 3 (patient 3, date 33).
    """
    def row(values):
        return np.array([values], dtype=float)

    return SimulatedTrials(
        mask=np.ones((1, 4), dtype=bool), entry=row([0, 1, 2, 30]), stratum=np.zeros((1, 4), dtype=np.int64),
        arm=np.array([[0, 1, 0, 1]]), rfs_time=row([10, 5, np.inf, 3]),
        rfs_is_death=np.zeros((1, 4), dtype=bool), dropout=row([np.inf, np.inf, 8, np.inf]),
        scan_jitter=np.zeros((1, 4, 30), dtype=np.int8), grade3_ae=np.zeros((1, 4), dtype=bool),
        rdi=np.full((1, 4), np.nan), n_screened=np.array([4]))


def test_analysis_dates_and_data_by_hand(scenario) -> None:
    by_events = dataclasses.replace(scenario, analyses=(AnalysisTiming(events=2), AnalysisTiming(events=3),
                                                        AnalysisTiming(events=9)),
                                    boundaries=Boundaries((3.5, 2.5, 2.0)))
    trials = tiny_trial()
    dates = analysis_dates(trials, by_events)
    np.testing.assert_allclose(dates, [[10.0, 33.0, by_events.study_end_month]])
    look = data_at_cutoff(trials, by_events, dates[:, 0])
    np.testing.assert_array_equal(look.included, [[True, True, True, False]])
    np.testing.assert_array_equal(look.event, [[1, 1, 0, 0]])
    last_scan_before_dropout = 84 * np.floor(8 * DAYS_PER_MONTH / 84) / DAYS_PER_MONTH
    np.testing.assert_allclose(look.time, [[10.0, 5.0, last_scan_before_dropout, 0.0]])


def test_calendar_analyses_and_the_earlier_of_both(scenario) -> None:
    timing = dataclasses.replace(scenario, analyses=(AnalysisTiming(calendar_month=4.0),
                                                     AnalysisTiming(events=3, calendar_month=20.0)))
    trials = tiny_trial()
    dates = analysis_dates(trials, timing)
    np.testing.assert_allclose(dates, [[4.0, 20.0]])
    look = data_at_cutoff(trials, timing, dates[:, 0])
    np.testing.assert_array_equal(look.event, [[0, 0, 0, 0]])
    np.testing.assert_allclose(look.time[0, :3], [84 / DAYS_PER_MONTH, 84 / DAYS_PER_MONTH, 0.0])  # day 84
