"""The plan's derived-data models against R run live on the same rows (needs Rscript).

A synthetic trial goes through the analysis datasets; the RFS table and the dose-intensity
counting-process rows are written to CSV and R ``survival`` fits the same models.
Estimates 1e-6, p-values 1e-4.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import numpy as np
import pytest

from tests.analysis.trial_factory import (
    FACTORS,
    RESORT_ARMS,
    START,
    build_trial,
    exponential_trial,
    make_patient,
    scans_until,
)
from tests.reference.r_session import requires_r
from trialdesk.analysis.datasets import build_analysis_datasets
from trialdesk.analysis.dose_intensity import dose_intensity, time_varying_dose_intensity
from trialdesk.analysis.subgroups import subgroup_analysis

pytestmark = [pytest.mark.r_live, requires_r("survival")]

R_SCRIPT = """
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
rfs <- read.csv(args[1], stringsAsFactors = FALSE)
rfs$arm <- factor(rfs$arm, levels = c("observation", "sorafenib"))
cp <- read.csv(args[2])
treated <- read.csv(args[3])
fixed <- coxph(Surv(rfs_months, event) ~ I(rdi_percent / 10), data = treated)
tv <- coxph(Surv(start, stop, event) ~ I(rdi_percent / 10), data = cp)
reduced <- coxph(Surv(rfs_months, event) ~ arm + lesions, data = rfs)
full <- coxph(Surv(rfs_months, event) ~ arm * lesions, data = rfs)
inter <- anova(reduced, full)
lung <- coxph(Surv(rfs_months, event) ~ arm, data = rfs, subset = disease_site == "lung")
cat(jsonlite::toJSON(list(
  fixed = unname(coef(fixed)), fixed_se = unname(sqrt(diag(vcov(fixed)))),
  tv = unname(coef(tv)), tv_se = unname(sqrt(diag(vcov(tv)))),
  inter_chisq = inter$Chisq[2], inter_p = inter[["Pr(>|Chi|)"]][2],
  lung_hr = unname(exp(coef(lung))), lung_lower = summary(lung)$conf.int[, "lower .95"]),
  digits = NA, auto_unbox = TRUE))
"""


def _trial():
    rng = np.random.default_rng(17)
    patients = exponential_trial(80, hazard_ratio=0.7, seed=17)
    for patient in patients:
        if patient["arm"] == "sorafenib":
            stop = int(rng.integers(40, 364))
            patient["doses"] = [(0, stop, 800.0, "start"), (stop + 1, 363, 400.0, "reduction")]
    patients.append(make_patient(patient_id="LATE", scans=scans_until(200)))
    return build_trial(patients)


@pytest.fixture(scope="module")
def r_and_ours(tmp_path_factory):
    folder = tmp_path_factory.mktemp("r_live")
    datasets = build_analysis_datasets(_trial(), cutoff=START + dt.timedelta(days=1000),
                                       arms=RESORT_ARMS, control_arm="observation",
                                       stratification_factors=FACTORS)
    rfs = datasets.rfs_for("itt")
    dose = dose_intensity(datasets, arm="sorafenib", planned_daily_dose_mg=800.0,
                          max_duration_weeks=52)
    treated = rfs.set_index("patient_id").loc[list(dose.patient_id)].reset_index()
    treated["rdi_percent"] = 100 * np.asarray(dose.rdi)
    counting = time_varying_dose_intensity(treated, datasets.exposures, planned_daily_dose_mg=800.0,
                                           planned_days=364)
    paths = [folder / name for name in ("rfs.csv", "cp.csv", "treated.csv")]
    for frame, path in zip((rfs, counting, treated), paths, strict=True):
        frame.to_csv(path, index=False, float_format="%.17g")
    script = folder / "fit.R"
    script.write_text(R_SCRIPT)
    output = subprocess.run(["Rscript", str(script), *map(str, paths)], capture_output=True,
                            text=True, check=True, timeout=120).stdout
    subgroups = subgroup_analysis(rfs, factors=("disease_site", "lesions"), control="observation",
                                  experimental="sorafenib")
    return json.loads(output), dose, subgroups


def test_fixed_and_time_varying_dose_intensity_models(r_and_ours):
    """R: coxph(Surv(rfs_months, event) ~ I(rdi_percent / 10), data = treated);
    coxph(Surv(start, stop, event) ~ I(rdi_percent / 10), data = cp)."""
    r, dose, _ = r_and_ours
    assert dose.fixed.coef == pytest.approx(r["fixed"], abs=1e-6)
    assert dose.fixed.se == pytest.approx(r["fixed_se"], abs=1e-6)
    assert dose.time_varying.coef == pytest.approx(r["tv"], abs=1e-6)
    assert dose.time_varying.se == pytest.approx(r["tv_se"], abs=1e-6)


def test_subgroup_hazard_ratio_and_interaction(r_and_ours):
    """R: coxph(Surv(rfs_months, event) ~ arm, data = rfs, subset = disease_site == "lung");
    anova(coxph(... ~ arm + lesions), coxph(... ~ arm * lesions))."""
    r, _, subgroups = r_and_ours
    lung = next(row for row in subgroups.rows if row.factor == "disease_site" and row.level == "lung")
    assert lung.hazard_ratio == pytest.approx(r["lung_hr"], abs=1e-6)
    assert lung.lower == pytest.approx(r["lung_lower"], abs=1e-6)
    lesions = next(t for t in subgroups.interactions if t.factor == "lesions")
    assert lesions.chisq == pytest.approx(r["inter_chisq"], abs=1e-6)
    assert lesions.p_value == pytest.approx(r["inter_p"], abs=1e-4)
