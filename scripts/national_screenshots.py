"""The README's national-scale screenshots: the 300,000 structures of
`planner sample --national` at zoom 8, 12 and 17 in headless Chromium, as an officer
sees them. Writes docs/screenshot-national-z8.png, -z12.png and -z17.png.

    .venv/bin/python scripts/national_screenshots.py [--home DIR]

With --home, an instance already holding the national sample and its demo logins is
served; without, one is built first in a temporary folder (about two minutes).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from phone_screenshots import BIN, CHROMIUM_ARGS, DOCS, _free_port, _wait
from playwright.sync_api import sync_playwright

VIEW = {"width": 1280, "height": 760}
ZOOMS = (8, 12, 17)


def shoot(base: str) -> list[Path]:
    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEW, locale="th-TH")
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{base}/auth/login")
        page.fill("#username", "officer")
        page.fill("#password", "officer-demo-2562")
        page.click("form button[type=submit]")
        page.goto(f"{base}/")
        page.wait_for_selector('body[data-tiles-state="ready"]', timeout=120_000)
        page.evaluate("() => document.querySelector('.banner-close')?.click()")
        # The middle of the first community: its houses are round it.
        houses = page.evaluate(
            """async () => {
                const r = await fetch("/api/layers/communities");
                const d = await r.json();
                const ring = d.features[0].geometry.coordinates[0];
                const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
                const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
                return [lat, lon]; }"""
        )
        for z in ZOOMS:
            page.evaluate(
                "([lat, lon, z]) => plannerMap.map.setView([lat, lon], z, { animate: false })",
                [houses[0], houses[1], z],
            )
            page.wait_for_function(
                """() => { const e = plannerMap.state.entries.get("structures");
                           const gl = e.layer.plannerGL.getMaplibreMap();
                           return gl.loaded() && gl.areTilesLoaded(); }""",
                timeout=60_000,
            )
            page.wait_for_timeout(800)
            path = DOCS / f"screenshot-national-z{z}.png"
            page.screenshot(path=str(path))
            out.append(path)
        browser.close()
    if errors:
        raise SystemExit(f"console errors: {errors}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, help="an instance with the national sample")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="planner-national-"))
    env = {**os.environ, "PLANNER_HOME": str(home)}
    env.pop("DATABASE_URL", None)
    planner = [str(BIN / "python"), "-m", "app.cli"]
    if args.home is None:
        subprocess.run([*planner, "sample", "--national", "--demo-users"], env=env, check=True)
    port = _free_port()
    server = subprocess.Popen([*planner, "serve", "--port", str(port)], env=env)
    try:
        _wait(f"http://127.0.0.1:{port}/api/layers")
        for path in shoot(f"http://127.0.0.1:{port}"):
            print(f"wrote {path}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
