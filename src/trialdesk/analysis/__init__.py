"""The statistical analysis plan: datasets, CONSORT, baseline, primary RFS, scan-aware RFS,
subgroups, safety, dose intensity and the interim look (``docs/analysis.md``).

Example::

    results = run_analysis_plan(load_protocol("resort"), data, cutoff=date(2018, 3, 1))
    results.primary.summary()      # a Table; results.to_json() for everything

``json_ready`` is the JSON conversion every result's ``to_dict()`` uses (NaN -> null, inf ->
"Inf"), for other results printed as JSON (``trialdesk design --json``).
"""

from __future__ import annotations

from trialdesk.analysis._serialise import json_ready
from trialdesk.analysis.baseline import BaselineCharacteristics, baseline_characteristics
from trialdesk.analysis.consort import ConsortCounts, consort_counts
from trialdesk.analysis.datasets import (
    DAYS_PER_MONTH,
    AnalysisDatasets,
    build_analysis_datasets,
)
from trialdesk.analysis.dose_intensity import DoseIntensity, dose_intensity
from trialdesk.analysis.follow_up import FollowUpAnalysis, follow_up
from trialdesk.analysis.hazard_ratio import HazardRatio
from trialdesk.analysis.interim import InterimAnalysis, interim_analysis
from trialdesk.analysis.interval_censored import (
    FinkelsteinTest,
    ScanAwareAnalysis,
    TurnbullEstimate,
    finkelstein_test,
    scan_aware_analysis,
    turnbull,
)
from trialdesk.analysis.plan import AnalysisResults, run_analysis_plan
from trialdesk.analysis.primary import PrimaryAnalysis, primary_analysis
from trialdesk.analysis.safety import SafetySummary, safety_summary
from trialdesk.analysis.subgroups import SubgroupAnalysis, subgroup_analysis

__all__ = [
    "DAYS_PER_MONTH",
    "AnalysisDatasets",
    "AnalysisResults",
    "BaselineCharacteristics",
    "ConsortCounts",
    "DoseIntensity",
    "FinkelsteinTest",
    "FollowUpAnalysis",
    "HazardRatio",
    "InterimAnalysis",
    "PrimaryAnalysis",
    "SafetySummary",
    "ScanAwareAnalysis",
    "SubgroupAnalysis",
    "TurnbullEstimate",
    "baseline_characteristics",
    "build_analysis_datasets",
    "consort_counts",
    "dose_intensity",
    "finkelstein_test",
    "follow_up",
    "interim_analysis",
    "json_ready",
    "primary_analysis",
    "run_analysis_plan",
    "safety_summary",
    "scan_aware_analysis",
    "subgroup_analysis",
    "turnbull",
]
