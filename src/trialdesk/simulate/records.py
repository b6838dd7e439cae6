"""One simulated trial at record level, with real dates: the demo replays it through the services.

``simulate_trial_records`` draws one trial from the same generator as the Monte Carlo runner
(``generate_trials`` with a block of one), then writes it down as a site would record it,
up to the final analysis's data cut-off (docs/simulate.md#records):

- every screened patient with RESORT's screening fields (``../shared/RESORT.md``), consistent
  with the stratum drawn; screen failures break one eligibility criterion, and their reasons
  are what ``trialdesk.trial.assess_eligibility`` says; strata are what
  ``trialdesk.trial.strata.derive_stratum`` derives;
- randomisation dates (calendar accrual), numbers, strata, and arms as the randomisation
  service assigns them (``trialdesk.randomization.assign_next``, the protocol's scheme) with
  randomisation seed ``seed``: replaying the patients through a trial whose randomisation seed
  is ``seed`` gives the same arms;
- exposure periods of the treated arm: start, interruption, continuation, reduction,
  discontinuation (``DosingModel``); some patients never start;
- restaging scans every 12 weeks with visit-window jitter, "relapse" at the detecting scan;
- relapses, deaths without relapse, withdrawals;
- adverse events by arm: the grade >= 3 ones the generator drew, plus grade 1-2 ones.

Everything is drawn from ``numpy.random.default_rng(seed)``, so one seed gives one trial.
Dates are ``datetime.date``; months are days / 30.4375.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd

from trialdesk.errors import InputError
from trialdesk.protocol import Protocol
from trialdesk.randomization import PriorAllocation, assign_next
from trialdesk.simulate.cutoff import analysis_dates
from trialdesk.simulate.dosing import DAYS_PER_MONTH
from trialdesk.simulate.generator import Allocation, SimulatedTrials, generate_trials
from trialdesk.simulate.scenario import Scenario
from trialdesk.simulate.treatment_records import adverse_event_rows, exposure_rows
from trialdesk.trial.data import TrialData
from trialdesk.trial.eligibility import assess_eligibility
from trialdesk.trial.strata import all_strata, derive_stratum

__all__ = ["simulate_trial_records"]

logger = logging.getLogger(__name__)

RESORT_FIELDS = ("birth_date", "sex", "prior_nephrectomy", "nephrectomy_date", "histology",
                 "metastases_diagnosis_date", "metastasis_site", "metastases_resected",
                 "resection_complete", "metastasectomy_date")
RELAPSE_SITES = ("lung", "local", "lymph_nodes", "bone", "liver", "other")

#: How a screen failure breaks eligibility: a field and the value that fails it.
FAILURES: tuple[tuple[str, object], ...] = (
    ("prior_nephrectomy", False), ("histology", "other"), ("resection_complete", False),
    ("metastases_resected", 4), ("metastasectomy_date", None))


def _on(day0: dt.date, days: float) -> dt.date:
    return day0 + dt.timedelta(days=round(days))


def _screening(rng: np.random.Generator, levels: Mapping[str, str], randomised_on: dt.date
               ) -> dict[str, object]:
    """RESORT screening fields consistent with the stratum levels (a patient randomised on the date)."""
    surgery = _on(randomised_on, -rng.integers(14, 80))
    diagnosis = _on(surgery, -rng.integers(14, 60))
    late = levels.get("nephrectomy_to_metastases") == ">12m"
    months = rng.uniform(13, 96) if late else rng.uniform(1, 11.5)
    lesions = 1 if levels.get("lesions") == "single" else int(rng.integers(2, 4))
    return {
        "birth_date": _on(randomised_on, -rng.normal(62.0, 9.0) * 365.25),
        "sex": "male" if rng.random() < 0.7 else "female",
        "prior_nephrectomy": True,
        "nephrectomy_date": _on(diagnosis, -months * DAYS_PER_MONTH),
        "histology": "clear_cell_predominant",
        "metastases_diagnosis_date": diagnosis,
        "metastasis_site": levels.get("disease_site", "lung"),
        "metastases_resected": lesions,
        "resection_complete": True,
        "metastasectomy_date": surgery,
    }


def _service_allocation(protocol: Protocol, scenario: Scenario, seed: int) -> Allocation:
    """Arms as the randomisation service assigns them with randomisation seed ``seed``."""
    strata = all_strata(protocol)
    index = {arm.code: k for k, arm in enumerate(scenario.arms)}

    def allocate(_rng: np.random.Generator, stratum: np.ndarray) -> np.ndarray:
        history: list[PriorAllocation] = []
        for k in stratum[0]:
            code = assign_next(protocol, seed=seed, stratum=strata[k], history=history)
            history.append(PriorAllocation(strata[k].label, strata[k].levels, code))
        return np.array([[index[prior.arm] for prior in history]])

    return allocate


def _patient_rows(rng: np.random.Generator, protocol: Protocol, scenario: Scenario, trials: SimulatedTrials,
                  start_date: dt.date, sites: list[str]) -> list[dict[str, object]]:
    factors = scenario.strata
    n = int(trials.n_randomised[0])
    rows = []
    for i in range(n):
        randomised_on = _on(start_date, trials.entry[0, i] * DAYS_PER_MONTH)
        index, levels = int(trials.stratum[0, i]), {}
        for factor in reversed(factors):
            index, level = divmod(index, len(factor.levels))
            levels[factor.name] = factor.levels[level]
        screening = _screening(rng, levels, randomised_on)
        stratum = derive_stratum(protocol, screening)
        rows.append({"site": sites[rng.integers(len(sites))],
                     "screening_date": _on(randomised_on, -rng.integers(0, 8)), "eligible": True,
                     "screen_failure_reasons": "", "randomised": True, "randomization_number": i + 1,
                     "randomization_date": randomised_on, "arm": scenario.arms[trials.arm[0, i]].code,
                     "stratum": stratum.label, **stratum.levels, **screening})
    last = _on(start_date, scenario.accrual.period_months * DAYS_PER_MONTH)
    for _ in range(int(trials.n_screened[0]) - n):
        screened_on = _on(start_date, rng.uniform(0, (last - start_date).days))
        levels = {f.name: f.levels[rng.integers(len(f.levels))] for f in factors}
        screening = _screening(rng, levels, _on(screened_on, 7))
        field, value = FAILURES[rng.integers(len(FAILURES))]
        screening[field] = _on(screened_on, -120) if field == "metastasectomy_date" else value
        verdict = assess_eligibility(protocol, screening, _on(screened_on, 7))
        rows.append({"site": sites[rng.integers(len(sites))], "screening_date": screened_on,
                     "eligible": False, "screen_failure_reasons": "; ".join(verdict.reasons),
                     "randomised": False, "randomization_number": None, "randomization_date": None,
                     "arm": None, "stratum": None, **screening})
    return rows


def _follow_up_rows(rng: np.random.Generator, trials: SimulatedTrials, scenario: Scenario,
                    start_date: dt.date, cutoff_month: float, patient_ids: list[str]
                    ) -> tuple[list[dict[str, object]], list[dict[str, object]], np.ndarray, list[str]]:
    """Scans and clinical events up to the cut-off, then when (months) and why follow-up ended."""
    assessments, events, ended_by = [], [], []
    n = len(patient_ids)
    administrative = np.minimum(cutoff_month - trials.entry[0, :n], scenario.max_follow_up_months)
    horizon = np.minimum(administrative, trials.dropout[0, :n])
    rfs = trials.rfs_time[0, :n]
    seen = rfs <= horizon
    schedule = scenario.restaging
    planned = schedule.first_days + schedule.interval_days * np.arange(trials.scan_jitter.shape[-1])
    for i, patient_id in enumerate(patient_ids):
        day0 = _on(start_date, trials.entry[0, i] * DAYS_PER_MONTH)
        death = bool(trials.rfs_is_death[0, i])
        scans = (planned + trials.scan_jitter[0, i]) / DAYS_PER_MONTH
        for scan in scans[scans <= (rfs[i] if seen[i] else horizon[i])]:
            relapse = bool(seen[i] and not death and scan == rfs[i])
            assessments.append({"patient_id": patient_id, "assessment_date": _on(day0, scan * DAYS_PER_MONTH),
                                "result": "relapse" if relapse else "no_evidence_of_disease",
                                "relapse_site": RELAPSE_SITES[rng.integers(len(RELAPSE_SITES))] if relapse
                                else None})
        if seen[i]:
            ended_by.append("death" if death else "relapse")
            events.append({"patient_id": patient_id, "event_date": _on(day0, rfs[i] * DAYS_PER_MONTH),
                           "event_type": ended_by[-1], "cause": "other" if death else None})
        elif trials.dropout[0, i] < administrative[i]:
            ended_by.append("withdrawal")
            events.append({"patient_id": patient_id, "event_type": "withdrawal", "cause": "consent withdrawn",
                           "event_date": _on(day0, trials.dropout[0, i] * DAYS_PER_MONTH)})
        else:
            ended_by.append("")
    return assessments, events, np.where(seen, rfs, horizon), ended_by


def simulate_trial_records(protocol: Protocol, scenario: Scenario, *, seed: int,
                           start_date: dt.date) -> TrialData:
    """One simulated trial as recorded data (``TrialData``), up to its final analysis cut-off.

    Parameters
    ----------
    protocol
        A protocol with RESORT's screening fields (the built-in ``resort``).
    scenario
        The scenario to draw from (``resort_scenario("published")``), built from ``protocol``.
    seed
        The trial's seed: the same seed gives the same records.
    start_date
        Date of the first randomisation (calendar month 0 of the scenario).
    """
    names = {f.name for f in protocol.screening_fields}
    if not set(RESORT_FIELDS) <= names:
        raise InputError("needs RESORT's screening fields", field="protocol", value=protocol.id,
                         hint=f"missing {sorted(set(RESORT_FIELDS) - names)}")
    rng = np.random.default_rng(seed)
    trials = generate_trials(scenario, 1, rng, allocate=_service_allocation(protocol, scenario, seed))
    cutoff_month = float(analysis_dates(trials, scenario)[0, -1])
    n_sites = protocol.enrolment.sites if protocol.enrolment and protocol.enrolment.sites else 5
    sites = [f"S{k:02d}" for k in range(1, n_sites + 1)]
    rows = _patient_rows(rng, protocol, scenario, trials, start_date, sites)
    order = sorted(range(len(rows)), key=lambda k: (rows[k]["screening_date"], k))
    patient_ids = [""] * len(rows)
    for number, k in enumerate(order, start=1):
        patient_ids[k] = f"{protocol.id[:3].upper()}-{number:04d}"
    patients = pd.DataFrame([{"patient_id": patient_ids[k], **rows[k]} for k in order])
    patients["randomization_number"] = patients["randomization_number"].astype("Int64")
    n = int(trials.n_randomised[0])
    randomised_ids = patient_ids[:n]
    assessments, events, follow_up_end, ended_by = _follow_up_rows(
        rng, trials, scenario, start_date, cutoff_month, randomised_ids)
    randomised_on = [_on(start_date, e * DAYS_PER_MONTH) for e in trials.entry[0, :n]]
    cutoff = _on(start_date, cutoff_month * DAYS_PER_MONTH)
    exposures = exposure_rows(rng, scenario, trials, randomised_ids, randomised_on, follow_up_end, ended_by,
                              cutoff)
    adverse_events = adverse_event_rows(rng, scenario, trials, randomised_ids, randomised_on, follow_up_end,
                                        cutoff)
    logger.info("simulated %s trial (seed %d): %d screened, %d randomised, cut-off %s",
                protocol.id, seed, len(rows), n, cutoff)
    return TrialData(protocol_id=protocol.id, patients=patients,
                     exposures=pd.DataFrame(exposures, columns=["patient_id", "start_date", "stop_date",
                                                                "daily_dose_mg", "change", "reason"]),
                     assessments=pd.DataFrame(assessments, columns=["patient_id", "assessment_date",
                                                                    "result", "relapse_site"]),
                     events=pd.DataFrame(events, columns=["patient_id", "event_date", "event_type", "cause"]),
                     adverse_events=pd.DataFrame(adverse_events, columns=[
                         "patient_id", "term", "grade", "start_date", "stop_date", "serious", "related"]))
