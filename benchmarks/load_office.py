"""Locust users for `benchmarks/bench_load.py`: a day in a CODI office.

Each user takes one of the demo officer's sessions the runner logged in (or logs in
through the form with its CSRF token) and, at `LOAD_USER_RATE` tasks a second
(Poisson arrivals on a fixed schedule, see `poisson_arrivals`),
fetches vector tiles at zooms 6-17 over places with structures, the dashboard,
filtered case lists, case pages, household API reads, the map page, the layer list,
a static file (the anchor) and now and then edits a household through the JSON API
(session cookie + X-CSRFToken). Any answer but 2xx/304 is a failure. The run stops
itself after `LOAD_MAX_REQUESTS` requests. Not a test: run it through bench_load.py.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import time
from pathlib import Path

import gevent
from locust import FastHttpUser, events, task
from requests.cookies import create_cookie

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import MIX, tile_xy  # noqa: E402  (the runner's module: stdlib imports only)

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
USER_RATE = float(os.environ.get("LOAD_USER_RATE", "2"))
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "1000000"))
OFFICER = ("officer", "officer-demo-2562")
_CSRF = re.compile(r'name="csrf[-_]token"\s+(?:content|value)="([^"]+)"')
HOST = os.environ.get("LOAD_HOST", "127.0.0.1")
_count = 0
_next_session = 0


@events.request.add_listener
def _bound(**_kwargs):
    """Stop the whole run after MAX_REQUESTS requests (a bound besides --run-time)."""
    global _count
    _count += 1
    if _count == MAX_REQUESTS and _environment is not None:
        gevent.spawn(_environment.runner.quit)


_environment = None


@events.init.add_listener
def _keep(environment, **_kwargs):
    global _environment
    _environment = environment


def login(client) -> str:
    """Log in through the form as the demo officer; the CSRF token of the session."""
    page = client.get("/auth/login", name="login page")
    token = _CSRF.search(page.text or "").group(1)
    with client.post(
        "/auth/login",
        data={"username": OFFICER[0], "password": OFFICER[1], "csrf_token": token},
        allow_redirects=False,
        name="login",
        catch_response=True,
    ) as r:
        if r.status_code != 302:
            r.failure(f"login answered {r.status_code}")
    return _CSRF.search(client.get("/dashboard", name="dashboard").text or "").group(1)


def poisson_arrivals(user) -> float:
    """The wait before the user's next task: its tasks fall on a schedule of its own with
    exponential gaps (mean 1 / USER_RATE), so the users together offer a Poisson stream
    at the set rate, as independent people do. A user behind its schedule starts at
    once and does not catch up in a burst.

    Locust's `constant_throughput` is not used: with 60 users it bunched their requests
    (two thirds of 50 ms windows empty, 51 requests in one), so a 2 ms static file
    measured p50 32 ms at 200 req/s, against 2.4 ms on a schedule (decision 0033)."""
    now = time.perf_counter()
    user.due = max(getattr(user, "due", now) + random.expovariate(USER_RATE), now)
    return user.due - now


class Officer(FastHttpUser):
    wait_time = poisson_arrivals

    def on_start(self):
        """Take one of the runner's logged-in sessions (so a run pays no logins), or log in."""
        self.etags: dict[str, str] = {}
        global _next_session
        if PLAN.get("sessions"):
            cookies, self.csrf = PLAN["sessions"][_next_session % len(PLAN["sessions"])]
            _next_session += 1
            for name, value in cookies.items():
                self.client.cookiejar.set_cookie(create_cookie(name, value, domain=HOST))
        else:
            self.csrf = login(self.client)
        self.tile_url = PLAN.get("tile_url")
        gevent.sleep(random.uniform(0, 1 / USER_RATE))  # spread the users' first requests

    def _get(self, path, name, headers=None):
        with self.client.get(path, name=name, headers=headers, catch_response=True) as r:
            if not (200 <= r.status_code < 300 or r.status_code == 304):
                r.failure(f"{r.status_code}")
            return r

    @task(MIX["tile"])
    def tile(self):
        if not self.tile_url:
            return self._get("/api/layers", "api layers")
        lon, lat = random.choice(PLAN["places"])
        z = random.randint(6, 17)
        spread = 0.002 if z >= 14 else 0.02
        x, y = tile_xy(
            lon + random.uniform(-spread, spread), lat + random.uniform(-spread, spread), z
        )
        url = self.tile_url.format(z=z, x=x, y=y)
        band = "06-09" if z <= 9 else "10-13" if z <= 13 else "14-17"
        seen = self.etags.get(url)
        r = self._get(url, f"tile z{band}", headers={"If-None-Match": seen} if seen else None)
        etag = r.headers.get("ETag") if r.headers else None
        if etag:
            self.etags[url] = etag

    @task(MIX["dashboard"])
    def dashboard(self):
        self._get("/dashboard", "dashboard")

    @task(MIX["case_list"])
    def case_list(self):
        params = [f"district={random.choice(PLAN['districts'])}"]
        if random.random() < 0.6:
            params.append(f"stage={random.choice(PLAN['stages'])}")
        if random.random() < 0.2:
            params.append("stalled=1")
        if random.random() < 0.1:
            params.append(f"q={random.randint(1, 1999)}")
        if random.random() < 0.3:
            params.append(f"page={random.randint(1, 3)}")
        self._get("/cases?" + "&".join(params), "cases list filtered")

    @task(MIX["case_page"])
    def case_page(self):
        self._get(f"/cases/{random.choice(PLAN['case_ids'])}", "case page")

    @task(MIX["household_api"])
    def household_api(self):
        self._get(f"/api/households/{random.choice(PLAN['household_ids'])}", "api household")

    @task(MIX["case_households_api"])
    def case_households_api(self):
        """The case page's map loading its households (case_map.js asks for view=map)."""
        cid = random.choice(PLAN["case_ids"])
        self._get(f"/api/cases/{cid}/households?view=map", "api case households")

    @task(MIX["map_page"])
    def map_page(self):
        self._get("/", "map page")

    @task(MIX["layer_list"])
    def layer_list(self):
        self._get("/api/layers", "api layers")

    @task(MIX["static"])
    def static(self):
        self._get(PLAN["static"], "static file")

    @task(MIX["edit_household"])
    def edit_household(self):
        """Read a household, then change its income with the version read (a PATCH)."""
        hid = random.choice(PLAN["household_ids"])
        r = self._get(f"/api/households/{hid}", "api household")
        if r.status_code != 200:
            return
        version = r.json()["version"]
        with self.client.request(
            "PATCH",
            f"/api/households/{hid}",
            name="api household PATCH",
            json={"version": version, "monthly_income": random.randint(5000, 30000)},
            headers={"X-CSRFToken": self.csrf},
            catch_response=True,
        ) as w:
            if w.status_code != 200:
                w.failure(f"{w.status_code}: {(w.text or '')[:200]}")
