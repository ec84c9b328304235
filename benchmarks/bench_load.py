"""Issue 15, item 5: the office mix under load against a real `planner serve`.

Not part of `make bench` (benchmarks/run.py skips this module: no `run()`); run it
with `make bench-load` or

    PLANNER_HOME=/tmp/h [DATABASE_URL=postgresql://...] python benchmarks/bench_load.py \
        [--prepare] [--minutes 10] [--rate 200] [--max-rate]

It serves the store with waitress on 127.0.0.1, drives it with locust (headless,
benchmarks/load_office.py) at `--rate` requests/s for `--minutes`, samples the
server's RSS from /proc every 2 s, and with `--max-rate` steps the rate up in short
steps until p95, errors or throughput break. It writes benchmarks/results/load-<store>.json
(time series) and the `load_*` entries of benchmarks/results/latest.json.
Anchor: the p95 of a static file in the same run (docs/decisions/0033-load-test.md).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

RESULTS = HERE / "results"
# The office mix: task weights of benchmarks/load_office.py (edit_household is a GET
# and a PATCH; the others one request each).
MIX = {
    "tile": 50,
    "dashboard": 5,
    "case_list": 12,
    "case_page": 10,
    "household_api": 12,
    "case_households_api": 3,
    "map_page": 1,
    "layer_list": 2,
    "static": 3,
    "edit_household": 2,
}
TARGET_P95_S = 0.100
SCHEMA: str | None = None  # PostgreSQL: the load store's schema (main sets it)
USERS = 60  # an office's worth of logins; below waitress's 100-connection limit
STRUCTURES = 300_000
CENTRES = 2_000
SAMPLE_COMMUNITY = "KPP-CC-01"  # the sample's demo representative belongs to it
# Rough boxes (lon/lat) covering Thailand's regions: north, northeast, centre, east, south.
REGIONS = [
    (98.0, 17.0, 101.0, 20.0),
    (101.5, 14.5, 105.0, 18.0),
    (99.0, 13.0, 101.5, 17.0),
    (101.0, 12.0, 102.5, 14.0),
    (98.5, 6.5, 101.5, 11.0),
]


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The XYZ tile holding a WGS84 point."""
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def python() -> str:
    return sys.executable


def store_env(home: str, url: str | None) -> dict:
    env = dict(os.environ, PLANNER_HOME=home)
    for name in ("DATABASE_URL", "PLANNER_DATABASE_SCHEMA"):
        env.pop(name, None)
    if url:
        env["DATABASE_URL"] = url
        if SCHEMA:
            env["PLANNER_DATABASE_SCHEMA"] = SCHEMA
    return env


def case_store_of(home: str, url: str | None):
    from cases.store import CaseStore

    return CaseStore(home, url, schema=SCHEMA if url else None)


def layer_store_of(home: str, url: str | None):
    from gis.store import open_store

    return open_store(home, url, schema=SCHEMA if url else None)


# -- preparing the national-scale store -------------------------------------------------
def prepare(home: str, url: str | None) -> dict:
    """Fill an empty store at national scale; returns seconds per step."""
    env = store_env(home, url)
    timings = {}
    started = time.perf_counter()
    helptext = subprocess.run(
        [python(), "-m", "app.cli", "sample", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "--national" in helptext:
        subprocess.run(
            [python(), "-m", "app.cli", "sample", "--national", "--demo-users"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        timings["sample_national_s"] = time.perf_counter() - started
    else:
        import sqlalchemy as sa
        from bench_cases import build

        from cases.model import Community

        step = time.perf_counter()
        case_store = case_store_of(home, url)
        with case_store.engine.connect() as conn:
            built = conn.execute(sa.text("SELECT count(*) FROM cases")).scalar()
        if not built:
            build(case_store)  # 2,000 cases, 300,000 households, 20,000 stage events
        with case_store.uow() as uow:
            # The sample's community, for its demo representative's login.
            if not uow.connection.execute(
                sa.text("SELECT 1 FROM communities WHERE id = :id"), {"id": SAMPLE_COMMUNITY}
            ).first():
                uow.repo.add_communities(
                    [
                        Community(
                            id=SAMPLE_COMMUNITY,
                            name_th="ชุมชนตัวอย่าง",
                            name_en="Sample community",
                            district_en="District 00",
                            district_th="เขต 0",
                        )
                    ]
                )
                uow.commit()
        case_store.dispose()
        timings["cases_s"] = time.perf_counter() - step
        step = time.perf_counter()
        # The sample's layers and demo logins; it keeps the cases built above.
        subprocess.run(
            [python(), "-m", "app.cli", "sample", "--demo-users"], cwd=ROOT, env=env, check=True
        )
        timings["sample_s"] = time.perf_counter() - step
        step = time.perf_counter()
        write_structures(home, url)
        timings["structures_s"] = time.perf_counter() - step
    step = time.perf_counter()
    timings["tiles_made"] = prebuild_tiles(home, url)
    timings["tiles_s"] = time.perf_counter() - step
    timings["total_s"] = time.perf_counter() - started
    return {k: round(v, 1) for k, v in timings.items()}


def synthetic_structures(seed: int = 15):
    """300,000 6x9 m boxes in EPSG:32647 around 2,000 random centres across Thailand."""
    import geopandas as gpd
    import numpy as np
    import shapely
    from pyproj import Transformer

    rng = np.random.default_rng(seed)
    region = rng.integers(0, len(REGIONS), CENTRES)
    boxes = np.array(REGIONS)[region]
    lon = rng.uniform(boxes[:, 0], boxes[:, 2])
    lat = rng.uniform(boxes[:, 1], boxes[:, 3])
    cx, cy = Transformer.from_crs(4326, 32647, always_xy=True).transform(lon, lat)
    per = STRUCTURES // CENTRES
    side = int(np.ceil(np.sqrt(per)))
    k = np.arange(STRUCTURES)
    community = k // per
    gx, gy = (k % per) % side, (k % per) // side
    x0 = cx[community] + (gx - side / 2) * 12.0 + rng.uniform(-2, 2, STRUCTURES)
    y0 = cy[community] + (gy - side / 2) * 15.0 + rng.uniform(-2, 2, STRUCTURES)
    geometry = shapely.box(x0, y0, x0 + 6.0, y0 + 9.0)
    encroachment = np.array(["canal", "setback", "none"])[
        rng.choice(3, STRUCTURES, p=[0.1, 0.15, 0.75])
    ]
    return gpd.GeoDataFrame(
        {
            "structure_id": [f"S{i:06d}" for i in k],
            "community_id": [f"C{c:05d}" for c in community],
            "household_no": (k % per + 1).astype("int64"),
            "encroachment": encroachment,
        },
        geometry=geometry,
        crs="EPSG:32647",
    )


def write_structures(home: str, url: str | None) -> None:

    store = layer_store_of(home, url)
    store.write("structures", synthetic_structures())


def prebuild_tiles(home: str, url: str | None) -> int:
    """Make the structures' tiles up to zoom 10, as a tile-cache build would."""
    from app.application import tiles
    from gis.catalog import load_catalog

    store = layer_store_of(home, url)
    entry = load_catalog().layers.get("structures")
    columns = store.read("structures", bbox=(0, 0, 0, 0)).columns
    fields = tiles.tile_fields(entry.style if entry else None, columns)
    return tiles.build_tiles(store, "structures", fields=fields)


def check_schema_apart(url: str) -> None:
    """Refuse a database whose public schema holds a case store while the load schema has
    none: the case store's search path (`<schema>,public`) would then read and write
    that store's tables."""
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql:", "postgresql+psycopg:", 1))
    with engine.connect() as conn:
        schemas = {
            r[0]
            for r in conn.execute(
                sa.text(
                    "SELECT table_schema FROM information_schema.tables WHERE table_name = 'cases'"
                )
            )
        }
    engine.dispose()
    if SCHEMA and "public" in schemas and SCHEMA not in schemas:
        raise SystemExit(
            f"this database has a case store in its public schema and none in {SCHEMA}: the "
            f"load test would write into it. Use a database of its own for the load test."
        )


def has_structures(home: str, url: str | None) -> bool:
    """Whether the store already holds a national-scale structures layer."""

    store = layer_store_of(home, url)
    return store.has_layer("structures") and store.info("structures").feature_count >= 100_000


# -- what the users ask for ---------------------------------------------------------------
def write_plan(home: str, url: str | None, path: Path) -> dict:
    """Ids and filters the locust users draw from, read from the store."""
    import random

    import sqlalchemy as sa
    from pyproj import Transformer

    rng = random.Random(15)
    store = case_store_of(home, url)
    with store.engine.connect() as conn:
        case_ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM cases"))]
        hh = [r[0] for r in conn.execute(sa.text("SELECT id FROM households"))]
        districts = [
            r[0] for r in conn.execute(sa.text("SELECT DISTINCT district_en FROM communities"))
        ]
        stages = [r[0] for r in conn.execute(sa.text("SELECT DISTINCT stage FROM cases"))]
    store.dispose()
    layers = layer_store_of(home, url)
    gdf = layers.read("structures")
    centres = gdf.geometry.centroid
    pick = rng.sample(range(len(gdf)), min(2000, len(gdf)))
    lon, lat = Transformer.from_crs(gdf.crs, 4326, always_xy=True).transform(
        centres.x.to_numpy()[pick], centres.y.to_numpy()[pick]
    )
    static = sorted(p.name for p in (ROOT / "app" / "static").glob("*.css"))
    plan = {
        "case_ids": case_ids,
        "household_ids": rng.sample(hh, min(20_000, len(hh))),
        "districts": districts,
        "stages": stages,
        "places": [[round(a, 6), round(b, 6)] for a, b in zip(lon, lat, strict=True)],
        "static": f"/static/{static[0]}",
    }
    path.write_text(json.dumps(plan), encoding="utf-8")
    return plan


def login_sessions(port: int, n: int) -> tuple[list, str | None]:
    """`n` logged-in sessions of the demo officer, each (cookies, CSRF token), and the
    structures' tile URL from /api/layers: the users start logged in, as in an office."""
    import re

    import requests

    base = f"http://127.0.0.1:{port}"
    token = re.compile(r'name="csrf[-_]token"\s+(?:content|value)="([^"]+)"')
    sessions, tile_url = [], None
    for _ in range(n):
        s = requests.Session()
        form = token.search(s.get(f"{base}/auth/login").text).group(1)
        r = s.post(
            f"{base}/auth/login",
            data={"username": "officer", "password": "officer-demo-2562", "csrf_token": form},
            allow_redirects=False,
        )
        if r.status_code != 302:
            raise SystemExit(f"login as the demo officer answered {r.status_code}")
        csrf = token.search(s.get(f"{base}/dashboard").text).group(1)
        sessions.append((s.cookies.get_dict(), csrf))
        if tile_url is None:
            for layer in s.get(f"{base}/api/layers").json()["layers"]:
                if layer["name"] == "structures" and layer.get("tiles"):
                    tile_url = layer["tiles"]["url"]
    return sessions, tile_url


# -- the server and its memory ----------------------------------------------------------
def start_server(
    home: str, url: str | None, port: int, threads: int, log: Path, processes: int = 1
):
    command = [python(), "-m", "app.cli", "serve", "--port", str(port), "--threads", str(threads)]
    with open(log, "w") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [*command, "--processes", str(processes)],
            cwd=ROOT,
            env=store_env(home, url),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"planner serve exited; see {log}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/login", timeout=5).read()
            return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit(f"planner serve did not answer in 120 s; see {log}")


def server_pids(pid: int) -> list[int]:
    """The server and its worker processes (`planner serve --processes N` forks them)."""
    out = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid:
            out.append(int(stat.parent.name))
    return out


def rss_mb(pid: int) -> float:
    """The resident memory of the server and its worker processes, MB."""
    total = 0.0
    for each in server_pids(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
    return total


class RssSampler(threading.Thread):
    """The server's RSS every `every` seconds: [(unix time, MB)]."""

    def __init__(self, pid: int, every: float = 2.0):
        super().__init__(daemon=True)
        self.pid, self.every, self.samples = pid, every, []
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            try:
                self.samples.append((time.time(), round(rss_mb(self.pid), 1)))
            except OSError:
                return
            self._halt.wait(self.every)

    def stop(self):
        self._halt.set()
        self.join()


def server_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of the server and its worker processes."""
    total = 0
    for each in server_pids(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def cpu_per_request(port: int, pid: int, plan: dict, runs: int = 20) -> dict:
    """The server's CPU (user + system, from /proc) per request of each kind, one request
    at a time: what each costs whatever else the machine is doing, and the rate one
    server process could hold if the mix's CPU were the only limit."""
    import random

    import requests

    rng = random.Random(3)
    cookies, _ = plan["sessions"][0]
    s = requests.Session()
    s.cookies.update(cookies)

    def tile():
        lon, lat = rng.choice(plan["places"])
        z = rng.randint(6, 17)
        x, y = tile_xy(lon, lat, z)
        return plan["tile_url"].format(z=z, x=x, y=y)

    paths = {
        "tile": tile,
        "dashboard": lambda: "/dashboard",
        "case_list": lambda: (
            f"/cases?district={rng.choice(plan['districts'])}&stage={rng.choice(plan['stages'])}"
        ),
        "case_page": lambda: f"/cases/{rng.choice(plan['case_ids'])}",
        "household_api": lambda: f"/api/households/{rng.choice(plan['household_ids'])}",
        "case_households_api": lambda: (
            f"/api/cases/{rng.choice(plan['case_ids'])}/households?view=map"
        ),
        "map_page": lambda: "/",
        "layer_list": lambda: "/api/layers",
        "static": lambda: plan["static"],
    }
    out = {}
    for name, path in paths.items():
        if name == "tile" and not plan.get("tile_url"):
            continue
        n = runs * 3 if name == "tile" else runs
        before = server_cpu_s(pid)
        for _ in range(n):
            s.get(f"http://127.0.0.1:{port}{path()}").raise_for_status()
        out[name] = round((server_cpu_s(pid) - before) / n * 1000, 1)
    weights = {k: w for k, w in MIX.items() if k in out}
    weights["household_api"] += MIX["edit_household"]  # its GET; the PATCH is left out
    mean = sum(out[k] * w for k, w in weights.items()) / sum(weights.values())
    return {
        "ms": out,
        "mix_mean_ms": round(mean, 1),
        "one_process_ceiling_rps": round(1000 / mean, 1),
    }


def settle(pid: int, quiet: float = 0.15, longest: float = 180.0) -> float:
    """Wait until the server has worked off what earlier runs left queued (its CPU under
    `quiet` of a core over 2 s); returns the seconds waited."""
    started = time.time()
    while time.time() - started < longest:
        before = server_cpu_s(pid)
        time.sleep(2)
        if server_cpu_s(pid) - before < 2 * quiet:
            break
    return round(time.time() - started, 1)


# -- one locust run -----------------------------------------------------------------------
def run_locust(port: int, plan: Path, rate: float, seconds: int, prefix: Path) -> dict:
    """Drive the server at `rate` requests/s for `seconds`; locust's stats, parsed."""
    users = USERS
    env = dict(
        os.environ,
        LOAD_PLAN=str(plan),
        LOAD_USER_RATE=str(rate / users),
        LOAD_MAX_REQUESTS=str(int(rate * seconds * 1.2) + 1000),
    )
    cmd = [
        str(Path(python()).with_name("locust")),
        "-f",
        str(HERE / "load_office.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "5",
        "--csv",
        str(prefix),
        "--csv-full-history",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    started = time.time()
    subprocess.run(cmd, env=env, check=True, timeout=seconds + 120, stdout=subprocess.DEVNULL)
    return parse_stats(prefix, started)


def _f(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def parse_stats(prefix: Path, started: float) -> dict:
    endpoints = {}
    with open(f"{prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            endpoints[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(_f(row["Requests/s"]) or 0, 1),
                "p50_ms": _f(row["50%"]),
                "p95_ms": _f(row["95%"]),
                "p99_ms": _f(row["99%"]),
                "max_ms": _f(row["Max Response Time"]),
                "avg_bytes": _f(row["Average Content Size"]),
            }
    series = []
    with open(f"{prefix}_stats_history.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] != "Aggregated":
                continue
            series.append(
                {
                    "t": round(float(row["Timestamp"]) - started, 1),
                    "users": int(row["User Count"]),
                    "rps": round(_f(row["Requests/s"]) or 0, 1),
                    "failures_per_s": round(_f(row["Failures/s"]) or 0, 2),
                    "p50_ms": _f(row["50%"]),
                    "p95_ms": _f(row["95%"]),
                    "p99_ms": _f(row["99%"]),
                    "requests": int(row["Total Request Count"]),
                    "failures": int(row["Total Failure Count"]),
                }
            )
    failures = []
    failures_csv = Path(f"{prefix}_failures.csv")
    if failures_csv.exists():
        with open(failures_csv, newline="") as f:
            failures = [dict(r) for r in csv.DictReader(f)][:20]
    total = endpoints.pop("Aggregated")
    return {"total": total, "endpoints": endpoints, "series": series, "failure_samples": failures}


def summarise(stats: dict, seconds: float, rate: float) -> dict:
    total = stats["total"]
    slowest = sorted(
        ((n, e) for n, e in stats["endpoints"].items() if e["requests"]),
        key=lambda ne: -(ne[1]["p95_ms"] or 0),
    )
    return {
        "offered_rps": rate,
        "throughput_rps": round(total["requests"] / seconds, 1),
        "requests": total["requests"],
        "errors": total["failures"],
        "p50_s": (total["p50_ms"] or 0) / 1000,
        "p95_s": (total["p95_ms"] or 0) / 1000,
        "p99_s": (total["p99_ms"] or 0) / 1000,
        "slowest_p95_ms": {n: e["p95_ms"] for n, e in slowest[:4]},
        "loadavg_1min_at_end": round(os.getloadavg()[0], 2),
    }


def rss_growth(samples: list, start: float, end: float) -> dict:
    """Mean RSS of the first and last minute of [start, end] (a third of it if shorter)."""
    window = min(60.0, (end - start) / 3)
    first = [mb for t, mb in samples if start <= t < start + window]
    last = [mb for t, mb in samples if end - window <= t <= end]
    if not first or not last:
        return {"rss_first_mb": None, "rss_last_mb": None, "rss_growth": None}
    a, b = sum(first) / len(first), sum(last) / len(last)
    return {
        "rss_first_mb": round(a, 1),
        "rss_last_mb": round(b, 1),
        "rss_growth": round(b / a - 1, 4),
    }


# -- the two measurements -----------------------------------------------------------------
def office_mix(port, plan, rate, minutes, sampler, workdir, label) -> tuple[dict, dict]:
    seconds = int(minutes * 60)
    settle(sampler.pid)
    started = time.time()
    stats = run_locust(port, plan, rate, seconds, workdir / f"mix-{label}")
    ended = time.time()
    summary = summarise(stats, seconds, rate)
    summary.update(rss_growth(sampler.samples, started, ended))
    anchor_p95 = (stats["endpoints"].get("static file", {}).get("p95_ms") or 0) / 1000
    met = (
        summary["p95_s"] < TARGET_P95_S
        and summary["errors"] == 0
        and summary["throughput_rps"] >= 0.95 * rate
        and summary["rss_growth"] is not None
        and summary["rss_growth"] < 0.10
    )
    item = entry(
        f"load_office_mix_{label}",
        summary["p95_s"],
        "p95 of a static file in the same run",
        anchor_p95,
        f"{rate:g} req/s for {minutes:g} min: p95 < 0.100 s, 0 errors, RSS growth < 10 %",
        met=met,
        minutes=minutes,
        **summary,
    )
    series = {
        "series": stats["series"],
        "endpoints": stats["endpoints"],
        "failure_samples": stats["failure_samples"],
        "rss": [(round(t - started, 1), mb) for t, mb in sampler.samples if started <= t <= ended],
    }
    return item, series


def max_rate(port, plan, start_rate, step_s, sampler, workdir, label) -> tuple[dict, list]:
    """Step the offered rate up until errors or throughput under 95 % of it (saturation).

    Each step notes whether it also held p95 < 100 ms; the entry reports the highest
    offered rate that held all three, and the highest throughput reached without errors."""
    steps, held, top, rate = [], None, None, start_rate
    while rate <= 2000:
        settle(sampler.pid)
        begun = time.time()
        stats = run_locust(port, plan, rate, step_s, workdir / f"step-{label}-{int(rate)}")
        summary = summarise(stats, step_s, rate)
        summary.update(rss_growth(sampler.samples, begun, time.time()))
        summary["anchor_p95_s"] = (
            stats["endpoints"].get("static file", {}).get("p95_ms") or 0
        ) / 1000
        keeps_up = summary["errors"] == 0 and summary["throughput_rps"] >= 0.95 * rate
        summary["held"] = keeps_up and summary["p95_s"] < TARGET_P95_S
        steps.append(summary)
        print(f"  step {rate:g} req/s: {json.dumps(summary)}", flush=True)
        if summary["held"]:
            held = summary
        if summary["errors"] == 0 and (
            top is None or summary["throughput_rps"] > top["throughput_rps"]
        ):
            top = summary
        if not keeps_up:
            break
        rate = rate + 5 if rate < 20 else rate + 10 if rate < 40 else round(rate * 1.5)
    shown = held or top or steps[0]
    item = entry(
        f"load_max_rate_{label}",
        shown["p95_s"],
        "p95 of a static file in the same step",
        shown["anchor_p95_s"],
        "reported: highest offered rate held with p95 < 0.100 s, 0 errors, >= 95 % served",
        met=held is not None,
        max_sustained_rps=held["throughput_rps"] if held else 0,
        max_throughput_rps=top["throughput_rps"] if top else 0,
        max_throughput_p95_s=top["p95_s"] if top else None,
        step_seconds=step_s,
        steps=[
            {
                k: s[k]
                for k in (
                    "offered_rps",
                    "throughput_rps",
                    "p50_s",
                    "p95_s",
                    "p99_s",
                    "errors",
                    "held",
                )
            }
            for s in steps
        ],
    )
    return item, steps


def entry(name, ours_s, anchor, anchor_s, target, **extra) -> dict:
    from run import entry as run_entry

    return run_entry(name, ours_s, anchor, anchor_s, target, **extra)


def save(label: str, items: list[dict], detail: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    machine = f"python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}"
    for item in items:
        item.setdefault("machine", machine)
    path = RESULTS / f"load-{label}.json"
    if path.exists():  # a run of only the mix or only the steps keeps the other's series
        earlier = json.loads(path.read_text(encoding="utf-8"))
        detail = {**{k: earlier[k] for k in ("office_mix", "max_rate") if k in earlier}, **detail}
    path.write_text(json.dumps(detail, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    latest = RESULTS / "latest.json"
    fresh = {i["name"] for i in items}
    kept = []
    if latest.exists():
        kept = [r for r in json.loads(latest.read_text(encoding="utf-8")) if r["name"] not in fresh]
    latest.write_text(
        json.dumps(kept + items, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {path} and {latest}")


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` stops the server
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", default=os.environ.get("PLANNER_HOME"))
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None)
    parser.add_argument(
        "--store",
        choices=("embedded", "postgis"),
        help="default: postgis when DATABASE_URL is set; embedded ignores DATABASE_URL",
    )
    parser.add_argument("--prepare", action="store_true", help="fill the (empty) store first")
    parser.add_argument(
        "--prepare-if-empty",
        action="store_true",
        help="--prepare unless it holds a national-scale structures layer",
    )
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=200.0, help="requests/s offered")
    parser.add_argument(
        "--warmup", type=int, default=120, help="seconds of load before measuring (caches fill)"
    )
    parser.add_argument("--max-rate", action="store_true", help="also find the highest rate")
    parser.add_argument("--step-seconds", type=int, default=45)
    parser.add_argument("--start-rate", type=float, default=5.0)
    parser.add_argument("--no-mix", action="store_true", help="only the max-rate steps")
    parser.add_argument(
        "--schema",
        default="planner_load",
        help="PostgreSQL: the schema the load store lives in (its layers in <schema>_layers), "
        "apart from any other store in the database; '' for the default ones",
    )
    parser.add_argument("--port", type=int, default=5400)
    parser.add_argument("--threads", type=int, default=2, help="planner serve --threads")
    parser.add_argument(
        "--processes",
        type=int,
        default=4,
        help="planner serve --processes (two per core, with --threads 2: decision 0036)",
    )
    args = parser.parse_args(argv)
    if not args.home:
        parser.error("set PLANNER_HOME or --home")
    if args.store == "embedded":
        args.database_url = None
    elif args.store == "postgis" and not args.database_url:
        parser.error("--store postgis needs DATABASE_URL or --database-url")
    label = "postgis" if args.database_url else "embedded"
    global SCHEMA
    SCHEMA = args.schema or None
    Path(args.home).mkdir(parents=True, exist_ok=True)
    if args.database_url:
        check_schema_apart(args.database_url)
    if args.prepare_if_empty and not has_structures(args.home, args.database_url):
        args.prepare = True
    detail = {
        "store": label,
        "processes": args.processes,
        "threads": args.threads,
        "users": USERS,
    }
    if args.prepare:
        print(f"preparing the national-scale {label} store in {args.home} ...", flush=True)
        detail["prepare"] = prepare(args.home, args.database_url)
        print(f"prepared: {detail['prepare']}", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix=f"load-{label}-"))
    plan = workdir / "plan.json"
    write_plan(args.home, args.database_url, plan)
    server = start_server(
        args.home,
        args.database_url,
        args.port,
        args.threads,
        workdir / "serve.log",
        processes=args.processes,
    )
    sampler = RssSampler(server.pid)
    sampler.start()
    sessions, tile_url = login_sessions(args.port, USERS)
    if tile_url is None:
        print("warning: the structures layer has no tiles entry; the mix has no tiles")
    plan.write_text(
        json.dumps({**json.loads(plan.read_text()), "sessions": sessions, "tile_url": tile_url}),
        encoding="utf-8",
    )
    items = []
    try:
        if args.warmup:
            print(f"warm-up {args.warmup} s at {args.rate:g} req/s", flush=True)
            run_locust(args.port, plan, args.rate, args.warmup, workdir / "warmup")
        settle(server.pid)
        print("server CPU per request, one at a time, warm ...", flush=True)
        detail["server_cpu_per_request"] = cpu_per_request(
            args.port, server.pid, json.loads(plan.read_text())
        )
        print(json.dumps(detail["server_cpu_per_request"]), flush=True)
        if not args.no_mix:
            print(f"office mix: {args.rate:g} req/s for {args.minutes:g} min", flush=True)
            item, series = office_mix(
                args.port, plan, args.rate, args.minutes, sampler, workdir, label
            )
            print(json.dumps(item), flush=True)
            items.append(item)
            detail["office_mix"] = {"entry": item, **series}
        if args.max_rate:
            print(f"max rate: steps of {args.step_seconds} s from {args.start_rate:g}", flush=True)
            item, steps = max_rate(
                args.port, plan, args.start_rate, args.step_seconds, sampler, workdir, label
            )
            print(json.dumps(item), flush=True)
            items.append(item)
            detail["max_rate"] = {"entry": item, "steps": steps}
    finally:
        server.terminate()
        server.wait(timeout=30)
        sampler.stop()
        detail["rss_all"] = [(round(t, 1), mb) for t, mb in sampler.samples]
    cpu = detail.get("server_cpu_per_request") or {}
    for item in items:
        item["server_cpu_ms_per_request"] = cpu.get("ms")
        item["one_process_ceiling_rps"] = cpu.get("one_process_ceiling_rps")
    save(label, items, detail)
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
