"""The README's phone screenshots (`make screenshots`): load the sample into a fresh instance,
serve it, and photograph the map and a case page at 390 × 844 in headless Chromium, as an
officer would see them on a phone. Writes docs/screenshot-phone-map.png and
docs/screenshot-phone-case.png.

    .venv/bin/python scripts/phone_screenshots.py [--case KPP-DM-02]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BIN = Path(sys.executable).parent
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the planner did not answer at {url}")


def shoot(base: str, case_ref: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
        )
        page = context.new_page()
        page.goto(f"{base}/auth/login")
        page.fill("#username", "officer")
        page.fill("#password", "officer-demo-2562")
        page.click("form button[type=submit]")
        page.wait_for_url(lambda url: "/auth/login" not in url)

        page.goto(f"{base}/")
        page.wait_for_selector('body[data-map-state="ready"]', timeout=60_000)
        page.wait_for_load_state("networkidle")
        page.click("#illustrative-banner .banner-close")
        page.screenshot(path=DOCS / "screenshot-phone-map.png")

        page.goto(f"{base}/search?q={case_ref}")
        page.click(f"main a:has-text('{case_ref}')")
        page.wait_for_url(lambda url: "/cases/" in url)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=DOCS / "screenshot-phone-case.png")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="KPP-DM-02", help="the case to photograph")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="planner-shots-") as home:
        env = {**os.environ, "PLANNER_HOME": home}
        env.pop("DATABASE_URL", None)
        subprocess.run(
            [BIN / "planner", "sample", "--demo-users"], env=env, check=True, capture_output=True
        )
        port = _free_port()
        server = subprocess.Popen(
            [BIN / "planner", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(f"{base}/")
            shoot(base, args.case)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print("wrote docs/screenshot-phone-map.png and docs/screenshot-phone-case.png")


if __name__ == "__main__":
    main()
