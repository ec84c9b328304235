"""Smoke test of the wheel (`make wheel-smoke`, run by CI): build it, install it into a fresh
venv outside the checkout, then, from another folder, `planner sample` and `planner serve`
and fetch the map, a vendored script and the layer list. Also checks that `app`, `gis` and
`cases` resolve to this distribution's files (docs/decisions/0014).

    python3 scripts/wheel_smoke.py [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
DISTRIBUTION = "codi-housing-planner"

# Run by the installed interpreter: each top-level name is this distribution's, and only its.
WHO_OWNS = f"""
import importlib.metadata as md, importlib.util, json, pathlib, sys
dist = md.distribution({DISTRIBUTION!r})
files = {{pathlib.Path(dist.locate_file(f)).resolve() for f in dist.files}}
owners = md.packages_distributions()
out = {{}}
for name in ("app", "gis", "cases"):
    origin = pathlib.Path(importlib.util.find_spec(name).origin).resolve()
    out[name] = {{"origin": str(origin), "ours": origin in files, "owners": owners.get(name)}}
print(json.dumps(out))
"""


def _step(message: str, started: float) -> None:
    print(f"wheel-smoke [{time.perf_counter() - started:5.1f} s] {message}", flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 10) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"wheel-smoke FAILED: {message}")


def build_wheel() -> Path:
    for old in DIST.glob("codi_housing_planner-*.whl"):
        old.unlink()
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(DIST), "."],
        cwd=ROOT,
        check=True,
    )
    for leftover in (ROOT / "build", *ROOT.glob("*.egg-info")):
        shutil.rmtree(leftover, ignore_errors=True)
    (wheel,) = DIST.glob("codi_housing_planner-*.whl")
    return wheel


def serve_and_fetch(planner: Path, env: dict, cwd: Path) -> None:
    """`planner serve` on a free port; its output goes to `cwd/serve.log` (a pipe nobody
    reads would fill up and stall it)."""
    port = _free_port()
    log = open(cwd / "serve.log", "wb")  # noqa: SIM115 - closed in `finally`
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(planner), "serve", "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                _check(False, f"planner serve exited: {(cwd / 'serve.log').read_text()}")
            try:
                status, _, page = _get(base + "/", timeout=2)
                break
            except OSError:
                _check(time.monotonic() < deadline, "planner serve did not answer in 60 s")
                time.sleep(0.3)
        _check(status == 200 and b"leaflet" in page.lower(), "/ is not the map page")
        status, kind, script = _get(base + "/static/vendor/leaflet/leaflet.js")
        _check(status == 200 and len(script) > 100_000, "the vendored Leaflet is missing")
        _check("javascript" in kind, f"leaflet.js served as {kind}")
        status, _, body = _get(base + "/api/layers")
        names = {layer["name"] for layer in json.loads(body)["layers"]}
        _check(
            status == 200 and {"communities", "canal_setback", "flood_depth"} <= names,
            f"/api/layers: {names}",
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    started = time.perf_counter()
    wheel = build_wheel()
    _step(f"built {wheel.name} ({wheel.stat().st_size / 1e6:.1f} MB)", started)

    tmp = Path(tempfile.mkdtemp(prefix="planner-wheel-smoke-"))
    _check(ROOT not in tmp.parents, "the temporary folder is inside the checkout")
    try:
        venv, elsewhere = tmp / "venv", tmp / "elsewhere"
        elsewhere.mkdir()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
            + ["-r", str(ROOT / "requirements.txt"), str(wheel)],
            check=True,
        )
        _step("installed the wheel and its pinned dependencies into a fresh venv", started)

        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DATABASE_URL")}
        env.update(PLANNER_HOME=str(tmp / "home"), PYTHONNOUSERSITE="1")
        owners = json.loads(
            subprocess.run(
                [str(venv / "bin" / "python"), "-c", WHO_OWNS],
                cwd=elsewhere,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for name, found in owners.items():
            _check(found["ours"], f"`{name}` resolves to {found['origin']}, not the wheel's")
            _check(found["owners"] == [DISTRIBUTION], f"`{name}` is also installed by {found}")
            _check(str(ROOT) not in found["origin"], f"`{name}` comes from the checkout")
        _step("app, gis and cases are this distribution's files", started)

        planner = venv / "bin" / "planner"
        rebuild = subprocess.run(
            [str(planner), "sample", "--rebuild", "--no-load", "--out", str(tmp / "rebuilt")],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
        )
        _check(
            rebuild.returncode == 1 and "layers/sources" in rebuild.stderr,
            f"`planner sample --rebuild` from the wheel: {rebuild.stderr or rebuild.stdout}",
        )
        subprocess.run([str(planner), "sample"], cwd=elsewhere, env=env, check=True)
        _step("planner sample", started)
        serve_and_fetch(planner, env, elsewhere)
        _step("planner serve: /, leaflet.js and /api/layers answered", started)
    finally:
        if args.keep:
            print(f"wheel-smoke: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    _step("passed", started)


if __name__ == "__main__":
    main()
