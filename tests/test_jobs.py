"""Background jobs (issue 15 item 2), on the store of the run (embedded or PostGIS):

- a site-check PDF started over the API answers 202 at once; its progress shows on
  /api/jobs/<id> while it runs and on the job's page (a reload reads the database);
  the finished file downloads;
- a worker process killed with SIGKILL half-way leaves no result file and no done row;
  the next worker takes the job back and writes the whole, correct PDF;
- access: another user cannot see or download your job; a municipality viewer can
  neither start nor read a personal (PDPA) export; bad params are refused in both
  languages.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from app import create_app
from app.application import jobs
from app.casestore import get_case_store, uow
from app.jobs_views import get_queue
from cases.services import get_user, set_user_role
from tests.conftest import AuthActions

ROOT = Path(__file__).resolve().parent.parent
SITES = ["KPP-CC-01", "KPP-CC-02", "KPP-LS-03"]
SITE_CHECK = {"kind": "site_check", "params": {"site_ids": SITES, "lang": "th"}}
TIMEOUT_S = 120


@pytest.fixture
def jobs_app(writable_config):
    app = create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "JOBS_WORKER": True,
            "JOBS_HEARTBEAT_S": 1.0,
            **writable_config,
        }
    )
    yield app
    queue = app.extensions["planner"].get("job_queue")
    if queue is not None:
        queue.stop()


def _client(app, username="officer"):
    client = app.test_client()
    assert AuthActions(client).login(username).status_code == 302
    return client


def _wait(client, url: str, seen: list | None = None) -> dict:
    """Poll the job's API until it is done or failed; every answer goes into `seen`."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        res = client.get(url)
        assert res.status_code == 200, res.get_data(as_text=True)[:300]
        job = res.get_json()
        if seen is not None:
            seen.append(job)
        if job["status"] in (jobs.DONE, jobs.FAILED):
            return job
        time.sleep(0.05)
    raise AssertionError(f"the job did not finish in {TIMEOUT_S} s: {job}")


def _site_names(app) -> list[str]:
    """The names the report gives the sites (their stored Thai names)."""
    from app.store import get_store
    from gis.check import sites_from_store

    with app.app_context():
        sites, _ = sites_from_store(get_store(), "communities", ids=SITES)
    assert len(sites) == len(SITES)
    return list(sites["site_name"])


def test_a_report_job_shows_progress_and_survives_a_reload(jobs_app):
    client = _client(jobs_app)
    res = client.post("/api/jobs", json=SITE_CHECK)
    assert res.status_code == 202, res.get_data(as_text=True)
    body = res.get_json()
    assert res.headers["Location"] == body["links"]["page"] == f"/jobs/{body['id']}"
    assert body["status"] in ("queued", "running")
    seen: list[dict] = []
    pages: list[str] = []
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:  # the page while it runs: state from the database
        job = client.get(body["links"]["api"]).get_json()
        seen.append(job)
        if job["status"] == "running" and 0 < job["progress"] < 1:
            page = client.get(body["links"]["page"]).get_data(as_text=True)
            after = client.get(body["links"]["api"]).get_json()
            if after["status"] == "running":  # read while it ran, not just as it ended
                pages.append(page)
            seen.append(after)
            job = after
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert job["status"] == "done", job
    running = [j for j in seen if j["status"] == "running" and 0 < j["progress"] < 1]
    assert running, [(j["status"], j["progress"]) for j in seen]
    progress = [j["progress"] for j in seen]
    assert progress == sorted(progress)  # never goes back
    steps = {j["step"] for j in running}
    # The site check's steps, then the PDF's (which ones a poll catches depends on speed).
    assert any(step.startswith(("check.", "pdf.")) for step in steps), steps
    for j in running:  # the step in both languages
        assert j["step_label"]["th"] and j["step_label"]["en"]
        assert j["step_label"]["th"] != j["step_label"]["en"]
    assert pages, "the job's page was never seen while the job ran"
    # A page read while the job ran shows its progress from the database.
    assert any('<progress id="job-progress" max="1" value="0.' in page for page in pages)
    assert all("js/jobs.js" in page for page in pages)
    # A reload after the end: done, with its download link.
    page = client.get(body["links"]["page"]).get_data(as_text=True)
    assert 'value="1.0"' in page and f"/jobs/{body['id']}/result" in page
    listing = client.get("/jobs").get_data(as_text=True)
    assert body["id"] in listing and "รายงานตรวจสอบพื้นที่" in listing
    res = client.get(job["links"]["result"])
    assert res.status_code == 200 and res.mimetype == "application/pdf"
    assert "no-store" in res.headers["Cache-Control"]
    pdf = PdfReader(io.BytesIO(res.data))
    words = "".join(page.extract_text() for page in pdf.pages)
    for name in _site_names(jobs_app):
        assert name in words
    assert job["attempts"] == 1 and job["finished_at"]["th"].endswith("น.")


def test_bad_requests_are_refused_in_both_languages(jobs_app):
    client = _client(jobs_app)
    for body, field in [
        ({"kind": "no_such", "params": {}}, "kind"),
        ({"kind": "site_check", "params": {"site_ids": []}}, "site_ids"),
        ({"kind": "site_check", "params": {"site_ids": SITES, "against": ["x"]}}, "against"),
        ({"kind": "pdpa_export", "params": {"household_id": "abc"}}, "household_id"),
        ({"kind": "site_check", "params": ["not", "an", "object"]}, None),
    ]:
        res = client.post("/api/jobs", json=body)
        assert res.status_code == 400, body
        error = res.get_json()["error"]
        assert error["th"] and error["en"] and error["th"] != error["en"]
        if field:
            assert error["problems"][0]["field"] == field
    assert client.post("/api/jobs", data="[", content_type="application/json").status_code == 400
    with jobs_app.app_context():
        assert jobs.list_jobs(get_case_store().engine) == []
    # A form post from a page that sends bad fields gets a page in both languages.
    res = client.post("/jobs", data={"kind": "site_check"})
    assert res.status_code == 400
    assert "เลือกพื้นที่" in res.get_data(as_text=True)


def test_jobs_are_their_owners_and_personal_exports_are_staff_only(jobs_app):
    officer = _client(jobs_app, "officer")
    viewer = _client(jobs_app, "viewer")
    rep = _client(jobs_app, "rep.cc01")
    admin = _client(jobs_app, "admin")
    with jobs_app.app_context(), uow() as work:
        case = work.repo.get_case_by_ref("KPP-DM-02")
        household = work.repo.list_households(case.id)[0].id
    # The viewer may not start a personal export at all.
    res = viewer.post(
        "/api/jobs", json={"kind": "pdpa_export", "params": {"household_id": household}}
    )
    assert res.status_code == 403
    assert res.get_json()["error"]["th"]
    # The officer's export: theirs (and the admin's) to read, nobody else's.
    res = officer.post(
        "/api/jobs", json={"kind": "pdpa_export", "params": {"household_id": household}}
    )
    assert res.status_code == 202, res.get_data(as_text=True)
    job = _wait(officer, res.get_json()["links"]["api"])
    assert job["status"] == "done", job
    result = job["links"]["result"]
    for other in (viewer, rep):
        for url in (job["links"]["api"], job["links"]["page"], result, f"/api{result}"):
            res = other.get(url)
            assert res.status_code == 404, (url, res.status_code)
        assert job["id"] not in other.get("/jobs").get_data(as_text=True)
        assert other.get("/api/jobs").get_json()["jobs"] == []
    assert officer.get(result).status_code == 200
    assert admin.get(result).status_code == 200  # an admin sees every job
    assert job["id"] in admin.get("/jobs").get_data(as_text=True)
    # The viewer's own site check: theirs; the officer does not see it in their list.
    res = viewer.post("/api/jobs", json=SITE_CHECK)
    assert res.status_code == 202
    mine = res.get_json()
    assert officer.get(mine["links"]["api"]).status_code == 404
    assert [j["id"] for j in viewer.get("/api/jobs").get_json()["jobs"]] == [mine["id"]]
    _wait(viewer, mine["links"]["api"])
    # Not logged in: 401 on the API, the login page for the page.
    anonymous = jobs_app.test_client()
    assert anonymous.get(job["links"]["api"]).status_code == 401
    assert anonymous.get(job["links"]["page"]).status_code == 302
    # A job owner who is no longer staff cannot read their old personal export.
    with jobs_app.app_context():
        set_user_role(get_case_store().uow(), "officer", "viewer")
    assert officer.get(result).status_code == 404
    assert officer.get(job["links"]["api"]).status_code == 404


# -- a worker killed half-way ----------------------------------------------------------------
def _worker(config: dict, env_extra: dict | None = None) -> subprocess.Popen:
    env = {
        **os.environ,
        "PLANNER_HOME": config["PLANNER_HOME"],
        "PLANNER_JOBS_HEARTBEAT_S": "1",
        "PLANNER_JOBS_STALE_S": "30",
        **(env_extra or {}),
    }
    env.pop("DATABASE_URL", None)
    env.pop("PLANNER_DATABASE_SCHEMA", None)
    if config.get("DATABASE_URL"):
        env["DATABASE_URL"] = config["DATABASE_URL"]
        env["PLANNER_DATABASE_SCHEMA"] = config["DATABASE_SCHEMA"]
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_killed_worker_leaves_nothing_half_written_and_the_retry_is_whole(writable_config):
    app = create_app({"TESTING": True, "JOBS_WORKER": False, **writable_config})
    with app.app_context():
        engine = get_case_store().engine
        officer = get_user(get_case_store().uow(), "officer")
        job = jobs.create(engine, "site_check", officer, SITE_CHECK["params"])
        get_queue(app).enqueue(job.id)  # procrastinate on PostgreSQL; the row on SQLite
        folder = jobs.results_dir(app.config["PLANNER_HOME"])
    worker = _worker(writable_config)
    try:
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:  # kill it in the middle of the PDF
            row = jobs.get(engine, job.id)
            if row.status == jobs.RUNNING and row.step.startswith("pdf."):
                break
            assert row.status in (jobs.QUEUED, jobs.RUNNING), row
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
            time.sleep(0.02)
        else:
            raise AssertionError(f"the job never reached the PDF: {jobs.get(engine, job.id)}")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    killed = jobs.get(engine, job.id)
    assert killed.status == jobs.RUNNING and killed.progress < 1
    assert not (folder / job.id).exists()
    assert [p.name for p in folder.iterdir() if not p.name.startswith(".part-")] == []
    # The next worker sees that the dead one is gone and runs the job again.
    worker = _worker(writable_config)
    try:
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            row = jobs.get(engine, job.id)
            if row.status in (jobs.DONE, jobs.FAILED):
                break
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(5)
    assert row.status == jobs.DONE, row
    assert row.attempts == 2
    assert sorted(p.name for p in folder.iterdir()) == [job.id]  # no partial file left
    pdf = PdfReader(folder / job.id)
    words = "".join(page.extract_text() for page in pdf.pages)
    for name in _site_names(app):
        assert name in words
    # The same as a run that was never interrupted (the pages and their sites).
    with app.app_context():
        clean = jobs.create(engine, "site_check", officer, SITE_CHECK["params"])
        from app.jobs_views import job_context

        jobs.run_job(job_context(app), clean.id)
    again = PdfReader(folder / clean.id)
    assert len(again.pages) == len(pdf.pages)
    assert "".join(page.extract_text() for page in again.pages).count("KPP") == words.count("KPP")


# -- a large layer's export ------------------------------------------------------------------
def test_a_large_export_is_a_job_that_keeps_the_layer_s_rule(writable_config):
    app = create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "JOBS_WORKER": True,
            "EXPORT_JOB_FEATURES": 5,  # the sample's structures are more than this
            **writable_config,
        }
    )
    try:
        officer, viewer = _client(app, "officer"), _client(app, "viewer")
        # Small layers still come at once; anonymous users are never queued.
        anonymous = app.test_client().get("/api/exports/communities?format=csv")
        assert anonymous.status_code == 200
        res = officer.get("/api/exports/structures?format=csv")
        assert res.status_code == 202, res.get_data(as_text=True)[:300]
        job = _wait(officer, res.get_json()["links"]["api"])
        assert job["status"] == "done" and job["result_name"] == "structures.csv"
        columns = _csv_head(officer.get(job["links"]["result"]))
        assert {"household_no", "agreed_to_move"} <= columns
        # The viewer's own export leaves out the personal fields, as the direct one does.
        res = viewer.get("/api/exports/structures?format=csv")
        assert res.status_code == 202
        mine = _wait(viewer, res.get_json()["links"]["api"])
        columns = _csv_head(viewer.get(mine["links"]["result"]))
        assert "encroachment" in columns
        assert not {"household_no", "agreed_to_move", "structure_id"} & columns
        # The officer's file holds what the viewer may not see: never the viewer's, even
        # through an admin-like guess of its address.
        assert viewer.get(job["links"]["result"]).status_code == 404
        # Nor may a client start an export job with its own choice of fields.
        res = officer.post(
            "/api/jobs",
            json={"kind": "layer_export", "params": {"layer": "structures", "drop_fields": []}},
        )
        assert res.status_code == 400
    finally:
        queue = app.extensions["planner"].get("job_queue")
        if queue is not None:
            queue.stop()


def _csv_head(response) -> set[str]:
    import csv

    assert response.status_code == 200, response.status_code
    return set(next(csv.reader(io.StringIO(response.data.decode("utf-8-sig")))))


def test_the_household_page_starts_its_pdf_copy_as_a_job(jobs_app):
    officer = _client(jobs_app, "officer")
    with jobs_app.app_context(), uow() as work:
        case = work.repo.get_case_by_ref("KPP-DM-02")
        household = work.repo.list_households(case.id)[0].id
    page = officer.get(f"/cases/households/{household}").get_data(as_text=True)
    assert 'id="pdpa-export-job"' in page
    res = officer.post("/jobs", data={"kind": "pdpa_export", "household_id": str(household)})
    assert res.status_code == 303
    job = _wait(officer, "/api" + res.headers["Location"])
    assert job["status"] == "done" and job["result_name"].endswith(".pdf")
    pdf = officer.get(job["links"]["result"])
    assert pdf.data.startswith(b"%PDF-") and "no-store" in pdf.headers["Cache-Control"]
    # A viewer's form post is refused with the reason in both languages.
    viewer = _client(jobs_app, "viewer")
    res = viewer.post("/jobs", data={"kind": "pdpa_export", "household_id": str(household)})
    assert res.status_code == 403 and "บทบาท" in res.get_data(as_text=True)


def test_an_unexpected_failure_is_retried_and_then_given_up(store_config):
    from cases.model import User

    ctx = jobs.context_for(
        store_config["PLANNER_HOME"],
        store_config["DATABASE_URL"],
        schema=store_config["DATABASE_SCHEMA"],
    )
    calls = []

    def flaky(ctx, job, progress, out):
        calls.append(job.attempts)
        progress(0.5, "working")
        out.write_bytes(b"half")
        if job.params["fail"] == "always" or job.attempts == 1:
            raise RuntimeError("the disk hiccuped")
        out.write_bytes(b"whole")
        return "x.txt", "text/plain"

    jobs.register(jobs.JobKind("test_flaky", flaky, dict, frozenset({"officer"}), "jobs.title"))
    try:
        owner = User(username="officer", role="officer")
        job = jobs.create(ctx.engine, "test_flaky", owner, {"fail": "once"})
        first = jobs.run_job(ctx, job.id)
        assert first.status == jobs.QUEUED and first.error_th and first.error_en
        assert list(ctx.results_dir().iterdir()) == []  # nothing half-written is kept
        second = jobs.run_job(ctx, job.id)
        assert second.status == jobs.DONE and second.attempts == 2 and second.error_en is None
        assert (ctx.results_dir() / job.id).read_bytes() == b"whole"
        assert jobs.run_job(ctx, job.id) is None  # a finished job is not run again
        doomed = jobs.create(ctx.engine, "test_flaky", owner, {"fail": "always"})
        for _ in range(jobs.MAX_ATTEMPTS):
            last = jobs.run_job(ctx, doomed.id)
        assert last.status == jobs.FAILED and last.attempts == jobs.MAX_ATTEMPTS
        assert "ผู้ดูแล" in last.error_th and "administrator" in last.error_en
        assert sorted(p.name for p in ctx.results_dir().iterdir()) == [job.id]
        assert calls == [1, 2, 1, 2, 3]
    finally:
        jobs.KINDS.pop("test_flaky")
        ctx.case_store.dispose()


def test_the_cli_shows_progress_and_lists_jobs(writable_config, tmp_path):
    from tests.test_cli import planner

    out = tmp_path / "three.pdf"
    result = planner(
        "overlap", "--sites", "communities", "--ids", ",".join(SITES), "--out", str(out),
        config=writable_config,
    )  # fmt: skip
    assert out.read_bytes().startswith(b"%PDF-")
    lines = [line for line in result.stderr.splitlines() if line.startswith("three.pdf: ")]
    assert "three.pdf: Checking zoning / ตรวจผังเมืองรวม (12%)" in lines
    assert "three.pdf: Writing the PDF / เขียนไฟล์ PDF" in "\n".join(lines)
    assert "three.pdf: Done / เสร็จแล้ว (100%)" in lines
    app = create_app({"TESTING": True, "JOBS_WORKER": False, **writable_config})
    with app.app_context():
        officer = get_user(get_case_store().uow(), "officer")
        job = jobs.create(get_case_store().engine, "site_check", officer, SITE_CHECK["params"])
    listed = planner("jobs", "--user", "officer", config=writable_config).stdout
    assert job.id in listed and "queued" in listed and "รอคิว" in listed
    assert "no jobs / ยังไม่มีงาน" in planner("jobs", "--user", "admin", config=writable_config).stdout


def test_finished_jobs_and_their_files_go_after_a_week(store_config):
    """jobs.prune: done and failed jobs finished over JOBS_KEEP_DAYS ago go, files first;
    newer ones, and jobs not finished, stay."""
    from datetime import timedelta

    from cases.model import User

    ctx = jobs.context_for(
        store_config["PLANNER_HOME"],
        store_config["DATABASE_URL"],
        schema=store_config["DATABASE_SCHEMA"],
    )

    def write(ctx, job, progress, out):
        if job.params["fail"]:
            raise jobs.PlannerError("no / ไม่")
        out.write_bytes(b"report")
        return "r.txt", "text/plain"

    jobs.register(jobs.JobKind("test_keep", write, dict, frozenset({"officer"}), "jobs.title"))
    try:
        owner = User(username="officer", role="officer")
        made = {
            name: jobs.create(ctx.engine, "test_keep", owner, {"fail": name == "old_failed"})
            for name in ("old_done", "old_failed", "new_done", "queued")
        }
        for name in ("old_done", "old_failed", "new_done"):
            jobs.run_job(ctx, made[name].id)
        long_ago = jobs._now() - timedelta(days=jobs.KEEP_DAYS + 1)
        with ctx.engine.begin() as conn:
            conn.execute(
                jobs.jobs_table.update()
                .where(jobs.jobs_table.c.id.in_([made["old_done"].id, made["old_failed"].id]))
                .values(finished_at=long_ago)
            )
            conn.execute(
                jobs.jobs_table.update()
                .where(jobs.jobs_table.c.id == made["queued"].id)
                .values(created_at=long_ago)
            )
        folder = ctx.results_dir()
        assert {p.name for p in folder.iterdir()} == {made["old_done"].id, made["new_done"].id}

        removed = jobs.prune(ctx)

        assert sorted(removed) == sorted([made["old_done"].id, made["old_failed"].id])
        assert {p.name for p in folder.iterdir()} == {made["new_done"].id}
        assert jobs.get(ctx.engine, made["old_done"].id) is None
        assert jobs.get(ctx.engine, made["new_done"].id).status == jobs.DONE
        assert jobs.get(ctx.engine, made["queued"].id).status == jobs.QUEUED
        assert jobs.prune(ctx) == []
    finally:
        jobs.KINDS.pop("test_keep")
        ctx.case_store.dispose()
