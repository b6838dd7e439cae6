"""The interim report of a simulated RESORT trial: the engine's numbers, every section, PDF pages.

The trial is ``simulate_trial_records`` of the built-in RESORT protocol (``published``
scenario, seed 7), analysed at a cut-off of 2018-03-01 with 40 RFS events planned.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread
from numpy.testing import assert_allclose

from trialdesk.analysis.datasets import build_analysis_datasets
from trialdesk.analysis.plan import control_arm, run_analysis_plan
from trialdesk.protocol import load_protocol
from trialdesk.report.document import Report
from trialdesk.report.interim_report import interim_report, write_interim_report
from trialdesk.simulate.presets import resort_scenario
from trialdesk.simulate.records import simulate_trial_records
from trialdesk.survival import cox_ph, kaplan_meier, logrank_test
from trialdesk.table import Table

CUTOFF = dt.date(2018, 3, 1)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "report"
SECTION_TITLES = (
    "Summary", "Patient flow (CONSORT)", "Baseline characteristics", "Median follow-up",
    "Primary endpoint: recurrence-free survival",
    "Sensitivity analysis: relapse known only between scans", "Subgroups", "Safety",
    "Dose intensity", "Interim monitoring")
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
                                   reason="poppler-utils not installed")


@pytest.fixture(scope="module")
def protocol():
    return load_protocol("resort")


@pytest.fixture(scope="module")
def trial(protocol):
    scenario = resort_scenario("published", protocol=protocol)
    return simulate_trial_records(protocol, scenario, seed=7, start_date=dt.date(2012, 11, 15))


@pytest.fixture(scope="module")
def results(protocol, trial):
    with warnings.catch_warnings():  # the dose-intensity models warn of few events per covariate
        warnings.simplefilter("ignore")
        return run_analysis_plan(protocol, trial, cutoff=CUTOFF, events_planned=40)


@pytest.fixture(scope="module")
def report(results) -> Report:
    return interim_report(results)


@pytest.fixture(scope="module")
def files(results, tmp_path_factory):
    return write_interim_report(results, tmp_path_factory.mktemp("report"), title="RESORT interim")


@pytest.fixture(scope="module")
def itt(protocol, trial):
    """The ITT RFS table rebuilt directly from the records, for the engine's own answers."""
    datasets = build_analysis_datasets(
        trial, cutoff=CUTOFF, arms=protocol.arms, control_arm=control_arm(protocol),
        stratification_factors=tuple(f.name for f in protocol.stratification_factors))
    return datasets.rfs_for("itt")


def _table(report: Report, title_start: str) -> Table:
    return next(t for s in report.sections for t in s.tables if t.title.startswith(title_start))


def _figure(report: Report, name: str):
    return next(f.figure for s in report.sections for f in s.figures if f.name == name)


def test_km_figure_and_tables_hold_the_engines_kaplan_meier(report, itt) -> None:
    """R: survfit(Surv(rfs_months, event) ~ arm, conf.type = "log"); print(fit);
    summary(fit, times = c(12, 24))."""
    medians = _table(report, "Median RFS")
    landmarks = _table(report, "Landmark RFS")
    km_axes = _figure(report, "km_rfs").axes[0]
    steps = [line for line in km_axes.lines if line.get_linestyle() == "-"]
    for k, arm in enumerate(("observation", "sorafenib")):
        mine = itt["arm"] == arm
        km = kaplan_meier(itt.loc[mine, "rfs_months"], itt.loc[mine, "event"])
        row = list(medians.columns["arm"]).index(arm)
        assert medians.columns["n"][row] == mine.sum()
        assert medians.columns["events"][row] == itt.loc[mine, "event"].sum()
        assert_allclose([medians.columns[c][row] for c in ("median", "0.95LCL", "0.95UCL")],
                        [km.median, *km.median_ci], rtol=0, atol=1e-12)
        survival, lower, upper = km.at(np.array([12.0, 24.0]))
        shown = landmarks.columns["arm"] == arm
        assert_allclose(landmarks.columns["survival"][shown].astype(float), survival, atol=1e-12)
        assert_allclose(landmarks.columns["lower 95% CI"][shown].astype(float), lower, atol=1e-12)
        assert_allclose(landmarks.columns["upper 95% CI"][shown].astype(float), upper, atol=1e-12)
        assert_allclose(steps[k].get_ydata()[1:], km.survival, atol=1e-12)  # drawn curve
        assert_allclose(steps[k].get_xdata()[1:], km.time, atol=1e-12)


def test_logrank_and_cox_tables_hold_the_engines_tests(report, itt) -> None:
    """R: survdiff(Surv(rfs_months, event) ~ arm + strata(stratum)) and without strata;
    coxph(Surv(rfs_months, event) ~ arm + strata(stratum)) and without strata."""
    time, event = itt["rfs_months"].to_numpy(float), itt["event"].to_numpy(float)
    arm, stratum = itt["arm"].to_numpy(object), itt["stratum"].to_numpy(object)
    treated = (arm == "sorafenib").astype(float)[:, None]
    logrank = _table(report, "Log-rank tests")
    cox = _table(report, "Cox proportional hazards")
    for row, strata in enumerate((stratum, None)):
        test = logrank_test(time, event, arm, strata=strata)
        assert_allclose(logrank.columns["chisq"][row], test.chisq, atol=1e-10)
        assert_allclose(logrank.columns["p"][row], test.p_value, atol=1e-12)
        fit = cox_ph(time, event, treated, strata=strata)
        assert_allclose(cox.columns["coef"][row], fit.coef[0], atol=1e-10)
        assert_allclose(cox.columns["exp(coef)"][row], fit.hazard_ratio[0], atol=1e-10)
        assert_allclose([cox.columns["lower .95"][row], cox.columns["upper .95"][row]],
                        [fit.ci.lower[0], fit.ci.upper[0]], atol=1e-10)
        assert_allclose(cox.columns["Pr(>|z|)"][row], fit.p_value[0], atol=1e-12)


def test_numbers_at_risk_under_the_km_axis_every_six_months(report, itt) -> None:
    km_axes = _figure(report, "km_rfs").axes[0]
    (table,) = km_axes.child_axes
    times = km_axes.get_xticks()
    assert times[:7].tolist() == [0, 6, 12, 18, 24, 30, 36]
    assert times[-1] >= itt["rfs_months"].max()  # the axis covers every patient's time
    counts = [int(t.get_text()) for t in table.texts]
    for k, arm in enumerate(("observation", "sorafenib")):
        months = itt.loc[itt["arm"] == arm, "rfs_months"].to_numpy()
        expected = [(months >= t).sum() for t in times]  # still observed just before t
        assert counts[k * len(times):(k + 1) * len(times)] == expected


def test_forest_headings_are_the_protocols_factors(report, protocol) -> None:
    texts = {t.get_text() for t in _figure(report, "forest_subgroups").axes[0].texts}
    for factor in protocol.stratification_factors:
        assert factor.name.replace("_", " ") in texts
    assert sum(t.startswith("interaction p = ") for t in texts) == len(protocol.stratification_factors)


def test_dose_intensity_section_warns_of_few_events_and_names_the_bias(report, results) -> None:
    section = next(s for s in report.sections if s.anchor == "dose-intensity")
    text = " ".join(section.paragraphs)
    assert "guarantee-time" in text
    (dose,) = results.dose_intensity
    assert (dose.fixed.events_per_covariate < 10) == ("fewer than 10 events per covariate" in text)
    cox = _table(report, "RFS and relative dose intensity")
    assert_allclose(cox.columns["HR per 10% RDI"], [dose.fixed.hazard_ratio,
                                                    dose.time_varying.hazard_ratio])


def test_safety_table_counts_grade_3_with_exact_cis(report, results) -> None:
    table = _table(report, "Patients with at least one adverse event")
    overall = results.safety.rows[0]
    assert table.columns["grade>=3 n"].tolist() == list(overall.grade3)
    assert_allclose(table.columns["grade>=3 lower .95"].astype(float),
                    [100 * ci[0] for ci in overall.grade3_ci])


def test_files_are_written(files, results) -> None:
    assert files.html.name == "report.html"
    assert files.html.is_file()
    assert files.pdf.read_bytes().startswith(b"%PDF")
    names = sorted(p.name for p in files.figures)
    for figure in ("consort", "km_rfs", "turnbull_rfs", "forest_subgroups", "rdi_sorafenib",
                   "interim_boundaries"):
        assert f"{figure}.png" in names
        assert f"{figure}.svg" in names
    assert all(p.parent == files.html.parent / "figures" and p.is_file() for p in files.figures)
    assert json.loads(files.json.read_text()) == json.loads(results.to_json())


def test_html_holds_every_section_and_embeds_its_figures(files) -> None:
    html = files.html.read_text()
    for title in SECTION_TITLES:
        assert f"<h2>{title}</h2>" in html.replace("&#39;", "'")
    assert html.count("<svg") == 6
    assert "<title>RESORT interim</title>" in html
    assert not re.search(r"""(src|href)=["']https?://""", html)  # self-contained


@needs_poppler
def test_pdf_pages_hold_every_section(files, tmp_path) -> None:
    text = subprocess.run(["pdftotext", "-layout", str(files.pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")[:-1]
    for title in SECTION_TITLES:  # each section starts a page with its title
        assert any(page.lstrip().startswith(title) for page in pages), title
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(files.pdf), str(tmp_path / "page")],
                   check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == len(pages) >= len(SECTION_TITLES) + 1  # the cover, then the sections
    for image in images:
        pixels = imread(image)
        assert pixels.shape[0] / pixels.shape[1] == pytest.approx(297 / 210, rel=0.01)  # A4
        assert (pixels[..., :3] < 0.5).any()  # not blank
    km_page = next(k for k, page in enumerate(pages)
                   if page.lstrip().startswith("Primary endpoint"))
    pixels = imread(images[km_page])[..., :3]
    blue, orange = pixels[..., 2] - pixels[..., 0], pixels[..., 0] - pixels[..., 2]
    assert (blue > 0.25).sum() > 100
    assert (orange > 0.25).sum() > 100
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", "-f", str(km_page + 1), "-l",
                    str(km_page + 1), str(files.pdf), str(ARTIFACTS / "km_page")], check=True)
    assert (ARTIFACTS / "km_page.png").is_file()
