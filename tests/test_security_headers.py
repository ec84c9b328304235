"""Security headers, cookie flags, no-store on personal data, and `planner serve` on
waitress: all over real HTTP (docs/decisions/0012-production-server.md)."""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app import create_app
from tests.conftest import AuthActions, serve

NONCE = re.compile(r"script-src 'self' 'nonce-([A-Za-z0-9_-]{16,})'")


class Http:
    """A tiny HTTP client that keeps cookies and never follows redirects."""

    def __init__(self, base: str):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, *, body=None, headers=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def login(self, username="officer"):
        page = self.get("/auth/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = {"csrf_token": token, "username": username}
        form["password"] = AuthActions.passwords[username]
        return self.request(
            "POST",
            "/auth/login",
            body=urllib.parse.urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )


def basic(username="officer") -> dict:
    token = f"{username}:{AuthActions.passwords[username]}".encode()
    return {"Authorization": "Basic " + base64.b64encode(token).decode()}


def case_id(http: Http, ref="KPP-LS-02") -> int:
    items = json.loads(http.get(f"/api/cases?q={ref}", headers=basic()).text)["items"]
    return items[0]["id"]


def assert_security_headers(response):
    """The headers every response carries, page or not."""
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("Referrer-Policy") == "same-origin"
    assert "geolocation=(self)" in response.getheader("Permissions-Policy")


def assert_page_policy(response) -> str:
    """The page CSP; returns its nonce."""
    csp = response.getheader("Content-Security-Policy")
    for directive in (
        "default-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "connect-src 'self'",
        "font-src 'self' data:",
    ):
        assert directive in csp.split("; "), (directive, csp)
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert re.search(r"img-src 'self' data: blob: https://tile\.openstreetmap\.org", csp)
    return NONCE.search(csp).group(1)


def test_pages_carry_csp_with_a_fresh_nonce_per_request(live_server):
    http = Http(live_server)
    first, second = http.get("/"), http.get("/")
    assert first.status == 200
    assert_security_headers(first)
    nonce = assert_page_policy(first)
    assert nonce != assert_page_policy(second)
    # Every inline <script> on the page carries this response's nonce, and nothing else.
    inline = re.findall(r"<script(?![^>]*\ssrc=)([^>]*)>", first.text)
    assert inline, "the map page has its JSON strings inline"
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline), inline
    assert not re.search(r"\son[a-z]+=", first.text), "inline event handler"
    assert first.getheader("Cache-Control") == "no-store"


def test_errors_and_api_carry_the_headers(live_server):
    http = Http(live_server)
    missing = http.get("/no/such/page")
    assert missing.status == 404
    assert_security_headers(missing)
    assert_page_policy(missing)
    api_missing = http.get("/api/cases/999999", headers=basic())
    assert api_missing.status == 404
    assert_security_headers(api_missing)
    assert api_missing.getheader("Cache-Control") == "no-store"
    unauthorised = http.get("/api/cases")
    assert unauthorised.status == 401
    assert unauthorised.getheader("Cache-Control") == "no-store"
    http.login("viewer")
    forbidden = http.get("/imports")
    assert forbidden.status == 403
    assert_security_headers(forbidden)
    assert_page_policy(forbidden)
    assert forbidden.getheader("Cache-Control") == "no-store"


def test_static_files_keep_their_caching(live_server):
    http = Http(live_server)
    css = http.get("/static/css/base.css")
    assert css.status == 200
    assert_security_headers(css)
    assert "no-store" not in (css.getheader("Cache-Control") or "")
    assert css.getheader("ETag")
    again = http.get("/static/css/base.css", headers={"If-None-Match": css.getheader("ETag")})
    assert again.status == 304


def test_session_cookie_is_httponly_and_samesite_lax(live_server):
    response = Http(live_server).login()
    assert response.status == 302
    cookie = next(c for c in response.headers.get_all("Set-Cookie") if c.startswith("session="))
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags and "samesite=lax" in flags
    assert "secure" not in flags  # plain http on loopback: a Secure cookie would never return
    assert response.getheader("Cache-Control") == "no-store"


def test_session_cookie_is_secure_when_configured_for_https(sample_config):
    app = create_app({"TESTING": True, "SECURE_COOKIES": True, **sample_config})
    with serve(app) as url:
        response = Http(url).login()
    assert response.status == 302
    cookie = next(c for c in response.headers.get_all("Set-Cookie") if c.startswith("session="))
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert {"secure", "httponly", "samesite=lax"} <= set(flags)


def test_personal_data_is_never_stored(live_server):
    http = Http(live_server)
    assert http.login().status == 302
    cid = case_id(http)
    for path in (
        f"/api/cases/{cid}",
        f"/cases/{cid}",
        "/cases",
        "/dashboard",
        "/api/layers/communities",
    ):
        response = http.get(path)
        assert response.status == 200, path
        assert response.getheader("Cache-Control") == "no-store", path
        assert_security_headers(response)
    households = http.get(f"/api/cases/{cid}/households", headers=basic())
    assert households.status == 200
    assert households.getheader("Cache-Control") == "no-store"


def test_public_layer_keeps_its_etag_for_anonymous_users(live_server):
    """A view's own caching of public data stands when nobody is logged in."""
    http = Http(live_server)
    layer = http.get("/api/layers/canal_centreline")
    if layer.status != 200:
        pytest.skip(f"layer not public here ({layer.status})")
    assert "no-store" not in layer.getheader("Cache-Control")
    etag = layer.getheader("ETag")
    assert etag
    assert http.get("/api/layers/canal_centreline", headers={"If-None-Match": etag}).status == 304


# ------------------------------------------------------------------ planner serve


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def planner_env(config) -> dict:
    env = {**os.environ, "PLANNER_HOME": config["PLANNER_HOME"]}
    if config.get("DATABASE_URL"):
        env["DATABASE_URL"] = config["DATABASE_URL"]
        env["PLANNER_DATABASE_SCHEMA"] = config["DATABASE_SCHEMA"]
    return env


def wait_until_up(port: int, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"planner serve did not listen on {port} in {seconds} s")


def test_planner_serve_runs_waitress_with_bounds(sample_config):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--threads", "4"],
        env=planner_env(sample_config),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_up(port, process)
        web = Http(f"http://127.0.0.1:{port}")
        home = web.get("/")
        assert home.status == 200
        assert home.getheader("Server") == "waitress"
        assert "Werkzeug" not in str(home.headers)
        assert_security_headers(home)
        assert_page_policy(home)

        # A body over the app's limit (50 MiB + slack) is refused before it is read.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.putrequest("POST", "/api/imports")
        conn.putheader("Content-Length", str(200 * 1024 * 1024))
        conn.putheader("Content-Type", "application/octet-stream")
        conn.endheaders()
        too_big = conn.getresponse()
        assert too_big.status == 413
        conn.close()

        # So are 100 KiB of headers.
        huge = web.get("/", headers={"X-Padding": "x" * 100_000})
        assert huge.status == 431
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}" in out


def test_debug_server_is_refused_off_loopback(sample_config):
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--debug", "--host", "0.0.0.0"],
        env=planner_env(sample_config),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "--debug" in result.stderr and "127.0.0.1" in result.stderr
    assert "เฉพาะเครื่องนี้" in result.stderr


# ------------------------------------------------------------------ a real browser

CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.mark.browser
def test_pages_work_under_the_policy_in_chromium(browser, writable_config, output_dir: Path):
    """Officer pages run with no CSP violation and still draw their maps."""
    with serve(create_app({"TESTING": True, **writable_config})) as base:
        http = Http(base)
        cid = case_id(http)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="th-TH")
        context.add_init_script(CSP_RECORDER)
        external: list[str] = []

        def route(r):
            if urllib.parse.urlsplit(r.request.url).hostname != "127.0.0.1":
                external.append(r.request.url)
                r.abort()
            else:
                r.continue_()

        context.route("**/*", route)
        page = context.new_page()
        page.set_default_timeout(60_000)
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console.append(f"page error: {e}"))
        violations: list[str] = []

        def visit(path: str, ready: str | None, name: str):
            page.goto(base + path)
            if ready:
                page.wait_for_selector(ready)
            page.screenshot(path=str(output_dir / f"{name}.png"))
            violations.extend(f"{path}: {v}" for v in page.evaluate("window.__cspViolations"))

        try:
            page.goto(f"{base}/auth/login")
            page.fill("#username", "officer")
            page.fill("#password", AuthActions.passwords["officer"])
            page.click("button[type=submit]")
            expect(page.locator("#who")).to_contain_text("officer")

            visit("/", 'body[data-map-state="ready"]', "01-map")
            assert page.locator("path.layer-communities").count() == 38
            visit("/cases", None, "02-cases")
            visit(f"/cases/{cid}", "#case-map[data-ready=true]", "03-case")
            assert page.locator("#case-map path").count() > 0
            visit("/cases/new", "#case-map[data-ready=true]", "04-new-case")
            visit(f"/cases/{cid}/workshop", "#ws-root[data-ready=true]", "05-workshop")
            page.click("#ws-generate")
            expect(page.locator(".ws-card")).to_have_count(3)
            assert page.locator(".ws-card path").count() > 0
            violations.extend(page.evaluate("window.__cspViolations"))
            visit("/imports", "#import-form", "06-imports")
            visit("/dashboard", None, "07-dashboard")
            visit("/overlap", "#overlap-form", "08-overlap-form")
            for site in ("KPP-CC-01", "KPP-CC-02"):
                page.check(f"input[name=site_ids][value='{site}']")
            page.click("#overlap-submit")
            page.wait_for_url(re.compile(r"/overlap/runs/[0-9a-f]{32}$"))
            page.wait_for_selector('body[data-map-state="ready"]')
            page.screenshot(path=str(output_dir / "09-overlap-result.png"))
            violations.extend(page.evaluate("window.__cspViolations"))
            expect(page.locator("path.overlap-site")).to_have_count(2)
            swatches = page.eval_on_selector_all(
                ".swatch[data-fill]", "els => els.map(e => e.style.backgroundColor)"
            )
            assert swatches and all(swatches), "zoning legend colours set by script"
            clean_console = list(console)

            # The control: an injected inline script and style attribute are refused and recorded.
            page.evaluate(
                """() => {
                    const s = document.createElement('script');
                    s.textContent = 'window.__injected = true';
                    document.body.append(s);
                    const d = document.createElement('div');
                    d.innerHTML = '<span style="color: red">x</span>';
                    document.body.append(d);
                }"""
            )
            page.wait_for_function("window.__cspViolations.length >= 2")
            refused = page.evaluate("window.__cspViolations")
            assert page.evaluate("window.__injected") is None
        finally:
            context.close()
    assert violations == []
    assert clean_console == [], clean_console
    assert external == []
    assert any(v.startswith("script-src") for v in refused), refused
    assert any(v.startswith("style-src") for v in refused), refused
