"""A site's day in real headless Chromium (Debian's, driven by Playwright).

Logs in, screens an ineligible patient (the failing criteria show before submitting),
screens and randomises an eligible one (confirmation step, printable confirmation),
records a restaging scan showing relapse, and finds it on the dashboard. The app runs
under uvicorn on 127.0.0.1 and a free port; screenshots go to test-artifacts/e2e/.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from tests.served_trial import PASSWORD, eligible_screening, served_settings
from trialdesk.api import create_app

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(trial_database_url: str, database_backend: str) -> Iterator[str]:
    """The app served by uvicorn in a thread on loopback (SQLite: the browser is the point)."""
    if database_backend != "sqlite":
        pytest.skip("the browser run needs one database; the API tests cover PostgreSQL")
    app = create_app(served_settings(trial_database_url))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    app.state.trialdesk.engine.dispose()


@pytest.fixture(scope="module")
def page(base_url: str) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (/usr/bin/chromium)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


def _fill_screening(page: object, values: dict[str, object]) -> None:
    page.goto("/screen")
    page.select_option("select[name=site]", "MI01")
    for name, value in values.items():
        selector = f"[name={name}]"
        if isinstance(value, bool):
            page.select_option(selector, "true" if value else "false")
        elif page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, str(value))
        else:
            page.fill(selector, str(value))


def test_screen_randomise_follow_up_and_see_it_on_the_dashboard(page: object) -> None:
    expect = playwright_api.expect
    page.goto("/login")
    page.fill("[name=username]", "inv_mi")
    page.fill("[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("sorafenib")
    page.screenshot(path=str(ARTIFACTS / "01-dashboard-after-login.png"), full_page=True)

    # an ineligible candidate: the live check names the failing criteria before submitting
    _fill_screening(page, eligible_screening(histology="other", resection_complete=False))
    panel = page.locator("#eligibility")
    expect(panel).to_contain_text("predominantly clear-cell")
    expect(panel).to_contain_text("radically (R0)")
    page.screenshot(path=str(ARTIFACTS / "02-ineligible-reasons-before-submit.png"), full_page=True)
    page.click("button[value=screen]")
    expect(page.locator("#eligibility-status")).to_contain_text("screen failure")
    expect(page.locator("#eligibility-status")).to_contain_text("predominantly clear-cell")

    # an eligible one: screened, randomised after a confirmation step, printable confirmation
    _fill_screening(page, eligible_screening())
    expect(panel).to_contain_text("Eligible")
    page.click("button[value=screen]")
    expect(page.locator("#eligibility-status")).to_contain_text("eligible")
    patient_id = page.locator("h1").inner_text().removeprefix("Patient ").strip()
    page.click("#randomise")
    expect(page.locator("h1")).to_contain_text(f"Randomise {patient_id}")
    page.click("#confirm-randomisation")
    expect(page.locator("#randomisation-confirmation")).to_be_visible()
    arm = page.locator("#arm").inner_text()
    assert arm in ("sorafenib", "observation")
    assert page.locator("#randomization-number").inner_text().isdigit()
    page.screenshot(path=str(ARTIFACTS / "03-randomisation-confirmation.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    page.emulate_media(media="screen")

    # a restaging scan showing relapse, entered on the patient's timeline
    page.goto(f"/patients/{patient_id}")
    form = page.locator("#form-assessments")
    form.locator("[name=assessment_date]").fill(dt.datetime.now(dt.UTC).date().isoformat())
    form.locator("[name=result]").select_option("relapse")
    form.locator("[name=relapse_site]").fill("lung")
    form.locator("button[type=submit]").click()
    expect(page.locator("#timeline")).to_contain_text("relapse: lung")
    page.screenshot(path=str(ARTIFACTS / "04-timeline-with-relapse.png"), full_page=True)

    # the dashboard shows it
    page.goto("/")
    expect(page.locator("#endpoint-events")).to_contain_text(patient_id)
    expect(page.locator("#screen-failures")).to_contain_text("predominantly clear-cell")
    assert page.locator("svg.chart").count() == 2
    page.screenshot(path=str(ARTIFACTS / "05-dashboard-with-relapse.png"), full_page=True)
