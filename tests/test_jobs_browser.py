"""A background job in a real headless Chromium (issue 15 item 2), over a store of this
test's own (CSRF on, the real login form), as a new user would: start the site check's
PDF from the site check page with its Thai button, watch the progress bar move, reload
the page (the bar comes back from the database, no lower), keep working on another page
meanwhile, come back from the jobs list and download the PDF when it is done.
"""

from __future__ import annotations

import dataclasses
import re
import time
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from app import create_app
from app.application import job_kinds, jobs
from tests.conftest import AuthActions, serve

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000
SITES = ["KPP-CC-01", "KPP-CC-02", "KPP-LS-03"]


@pytest.fixture
def server(writable_config, monkeypatch):
    # The real report job, paced: each progress step is held a quarter of a second, so
    # the page's two-second poll sees it running however fast this machine renders it.
    assert job_kinds  # importing it registers the kinds
    kind = jobs.KINDS["site_check"]

    def paced_run(ctx, job, progress, out):
        def paced(fraction, step):
            progress(fraction, step)
            time.sleep(0.25)

        return kind.run(ctx, job, paced, out)

    monkeypatch.setitem(jobs.KINDS, "site_check", dataclasses.replace(kind, run=paced_run))
    app = create_app(
        {"TESTING": True, "JOBS_WORKER": True, "JOBS_HEARTBEAT_S": 1.0, **writable_config}
    )
    with serve(app) as url:
        yield url
    queue = app.extensions["planner"].get("job_queue")
    if queue is not None:
        queue.stop()


@pytest.fixture
def officer(browser, server):
    context = browser.new_context(locale="th-TH", accept_downloads=True)
    external: list[str] = []

    def route(r):
        if urlparse(r.request.url).hostname != "127.0.0.1":
            external.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(f"{server}/auth/login")
    page.fill("#username", "officer")
    page.fill("#password", AuthActions.passwords["officer"])
    page.click("form.login-form button[type=submit]")
    expect(page.locator("#who")).to_contain_text("officer")
    yield page
    context.close()
    assert not errors, errors
    assert not external, external


def _progress(page) -> float:
    return (
        float(page.locator("#job-progress").get_attribute("value") or 0)
        if page.locator("#job-progress").count()
        else 0.0
    )


def test_a_report_job_from_the_page_survives_a_reload_and_downloads(officer, server, tmp_path):
    page = officer
    page.goto(f"{server}/overlap")
    for site in SITES:
        page.locator(f"input[name=site_ids][value='{site}']").check()
    page.get_by_role("button", name="ทำรายงาน PDF เบื้องหลัง").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f]{32}$"))
    job_url = page.url
    expect(page.locator("h1")).to_contain_text("รายงานตรวจสอบพื้นที่")
    # The bar moves while the job runs, with the step in Thai (polled by jobs.js).
    seen = []
    for _ in range(600):
        value = _progress(page)
        status = page.locator("#job").get_attribute("data-status")
        seen.append((status, value, page.locator("#job-step").inner_text()))
        if status == "running" and 0 < value < 1:
            break
        assert status in ("queued", "running"), seen
        page.wait_for_timeout(50)
    else:
        raise AssertionError(f"never saw the job running: {seen[-5:]}")
    assert seen[-1][2] and not seen[-1][2].isascii()  # the step, in Thai
    # A reload: the state comes from the database, never lower than before.
    before = _progress(page)
    page.reload()
    assert _progress(page) >= before
    assert page.locator("#job").get_attribute("data-status") in ("running", "done")
    # Keep working: another page, then back to the job from the jobs list.
    page.goto(f"{server}/cases")
    expect(page.locator("h1")).to_be_visible()
    page.goto(f"{server}/jobs")
    page.locator(f"a[href='{urlparse(job_url).path}']").click()
    page.wait_for_url(job_url)
    link = page.locator("#job-download-link")
    expect(link).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator("#job")).to_have_attribute("data-status", "done")
    assert _progress(page) == 1.0
    expect(page.locator("#job-status")).to_have_text("เสร็จแล้ว")
    with page.expect_download() as info:
        link.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == "site-check-report.pdf"
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
