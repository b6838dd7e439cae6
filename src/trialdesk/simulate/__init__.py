"""In-silico trials: calibration to published summaries, simulated trials, operating characteristics.

>>> from trialdesk.simulate import resort_scenario, simulate
>>> oc = simulate(resort_scenario("null"), 1000, seed=1)
>>> oc.n_trials
1000

See docs/simulate.md for the models, the calibration method and how seeds are streamed.
"""

from __future__ import annotations

from trialdesk.simulate.calibration import (
    Calibration,
    PublishedArm,
    PublishedCounts,
    PublishedLandmark,
    PublishedMedian,
    calibrate,
    resort_published,
)
from trialdesk.simulate.characteristics import OperatingCharacteristics
from trialdesk.simulate.dosing import DosingModel
from trialdesk.simulate.event_time_models import EventTimeModel, PiecewiseExponential, Weibull
from trialdesk.simulate.generator import SimulatedTrials, generate_trials
from trialdesk.simulate.presets import (
    RESORT_SCENARIOS,
    analytic_power,
    design_hazard_ratio,
    resort_scenario,
    scenario_from_protocol,
)
from trialdesk.simulate.records import simulate_trial_records
from trialdesk.simulate.reproduction import reproduce_resort
from trialdesk.simulate.runner import BLOCK_TRIALS, simulate
from trialdesk.simulate.scenario import (
    Accrual,
    AnalysisTiming,
    ArmScenario,
    Boundaries,
    RestagingSchedule,
    Scenario,
    StratificationFactor,
)

__all__ = [
    "BLOCK_TRIALS",
    "RESORT_SCENARIOS",
    "Accrual",
    "AnalysisTiming",
    "ArmScenario",
    "Boundaries",
    "Calibration",
    "DosingModel",
    "EventTimeModel",
    "OperatingCharacteristics",
    "PiecewiseExponential",
    "PublishedArm",
    "PublishedCounts",
    "PublishedLandmark",
    "PublishedMedian",
    "RestagingSchedule",
    "Scenario",
    "SimulatedTrials",
    "StratificationFactor",
    "Weibull",
    "analytic_power",
    "calibrate",
    "design_hazard_ratio",
    "generate_trials",
    "reproduce_resort",
    "resort_published",
    "resort_scenario",
    "scenario_from_protocol",
    "simulate",
    "simulate_trial_records",
]
