"""One header on every page (issue 13, item 1): the same links for the same role on the map
and on every other page, the "logged out" message on the map, Thai and English error pages
with the header for every 4xx and 5xx (JSON under /api/), breadcrumbs on case and household
pages, and the header on a phone (390 × 844) without horizontal scroll.

Which role sees which link is app/route_policy.py's table: the expectations below restate
it on purpose, as the behaviour a user sees."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from werkzeug.exceptions import InternalServerError

from app import create_app
from app.casestore import uow
from tests.conftest import AuthActions

CASE_REF = "KPP-DM-02"
THAI = re.compile("[\u0e00-\u0e7f]")

# The header's links by role: endpoint -> visible.
COMMON = {
    "map.home",
    "cases.case_list",
    "dashboard.dashboard",
    "overlap.overlap_page",
    "jobs.jobs_page",
}
OFFICER_ONLY = {"cases.new_case", "layer_cases.from_layer", "imports.imports_page"}
EXPECTED = {
    None: {"map.home"},
    "viewer": COMMON,
    "rep.cc01": COMMON,
    "officer": COMMON | OFFICER_ONLY,
}


class _Header(HTMLParser):
    """The header's nav links (data-endpoint), its language links and its log-in/out."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # inside <header class="app-header">
        self.headers = 0
        self.endpoints: list[str] = []
        self.langs: list[str] = []
        self.login = self.logout = False
        self.search_slot = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "header" and "app-header" in (a.get("class") or ""):
            self.headers += 1
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == "header":
            self.depth += 1
        if tag == "a" and a.get("data-endpoint"):
            self.endpoints.append(a["data-endpoint"])
        if tag == "a" and a.get("data-lang"):
            self.langs.append(a["data-lang"])
        if tag == "a" and a.get("id") == "login-link":
            self.login = True
        if tag == "form" and (a.get("action") or "").endswith("/auth/logout"):
            self.logout = True

    def handle_endtag(self, tag):
        if self.depth and tag == "header":
            self.depth -= 1


def header_of(body: str) -> _Header:
    parser = _Header()
    parser.feed(body)
    return parser


def login(client, username):
    if username:
        assert AuthActions(client).login(username).status_code == 302


def ids(app, client=None):
    """A case (KPP-DM-02, or the first one `client`'s user sees in the list) and a household."""
    with app.app_context(), uow() as work:
        case_id = work.repo.get_case_by_ref(CASE_REF).id
        if client is not None:
            listed = re.search(r'href="/cases/(\d+)"', client.get("/cases").get_data(as_text=True))
            case_id = int(listed.group(1)) if listed else case_id
        household = work.repo.list_households(case_id)[0]
        return case_id, household.id


def pages(app, client=None):
    case_id, household_id = ids(app, client)
    return {
        "/": "map.home",
        "/cases": "cases.case_list",
        f"/cases/{case_id}": "cases.case_page",
        f"/cases/households/{household_id}": "cases.household",
        "/dashboard": "dashboard.dashboard",
        "/overlap": "overlap.overlap_page",
        "/imports": "imports.imports_page",
        "/auth/login": "auth.login",
    }


def check_header(body: str, username, path: str):
    header = header_of(body)
    assert header.headers == 1, f"{path}: {header.headers} headers"
    expected = EXPECTED[username]
    if "/cases/" in path and path.split("/")[-1].isdigit() and "households" not in path:
        expected = expected | {"layout.workshop"}  # the case's own workshop
    assert set(header.endpoints) == expected, (path, username, header.endpoints)
    assert header.langs == ["th", "en"], path
    if username:
        assert header.logout and not header.login, path
    else:
        assert header.logout is False
        assert header.login or path == "/auth/login", path


@pytest.mark.parametrize("username", [None, "viewer", "rep.cc01", "officer"])
def test_every_page_has_the_one_header_with_the_role_s_links(app, username):
    client = app.test_client()
    login(client, username)
    seen = 0
    for path, endpoint in pages(app, client if username else None).items():
        response = client.get(path)
        if response.status_code in (302, 403):
            # Not for this role: the link is not in the header either.
            assert endpoint not in EXPECTED[username] or endpoint == "cases.household", path
            continue
        assert response.status_code == 200, (path, username, response.status_code)
        check_header(response.get_data(as_text=True), username, path)
        seen += 1
    assert seen >= (2 if username is None else 6)


def test_anonymous_visitors_reach_the_login_page_from_the_map(client):
    body = client.get("/").get_data(as_text=True)
    assert 'href="/auth/login"' in body
    assert "เข้าสู่ระบบ" in body
    assert 'class="brand-heading"' in body  # the map's <h1> is the app's name


def test_the_header_speaks_english_too(client, auth):
    auth.login("officer")
    body = client.get("/?lang=en").get_data(as_text=True)
    for word in ("Map", "Cases", "Dashboard", "Site check", "Import data", "Log out"):
        assert f">{word}<" in body, word
    assert 'aria-current="true">English<' in body


def test_the_search_box_is_in_the_header_of_every_page(client, auth):
    auth.login("officer")
    for path in ("/", "/cases/", "/dashboard"):
        body = client.get(path).get_data(as_text=True)
        header = body[body.index("<header") : body.index("</header>")]
        assert 'role="search"' in header and 'name="q"' in header, path


def test_logout_lands_on_the_map_with_the_message(client, auth):
    auth.login("viewer")
    response = client.post("/auth/logout")
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    body = client.get("/").get_data(as_text=True)
    flash = '<p class="flash flash-message" data-i18n="logged_out">'
    assert f"{flash}ออกจากระบบแล้ว</p>" in body
    assert header_of(body).login  # and the header offers to log in again
    # Shown once.
    assert flash not in client.get("/").get_data(as_text=True)
    # In English too.
    auth.login("viewer")
    client.post("/auth/logout")
    assert f"{flash}You have logged out.</p>" in client.get("/?lang=en").get_data(as_text=True)


def test_breadcrumbs_on_case_and_household_pages(app, client, auth):
    case_id, household_id = ids(app)
    auth.login("officer")
    case_page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    crumbs = re.search(r'<nav class="breadcrumb"[^>]*>(.*?)</nav>', case_page, re.S)
    assert crumbs and 'href="/cases"' in crumbs.group(1) and CASE_REF in crumbs.group(1)
    assert 'aria-current="page"' in crumbs.group(1)
    household = client.get(f"/cases/households/{household_id}").get_data(as_text=True)
    crumbs = re.search(r'<nav class="breadcrumb"[^>]*>(.*?)</nav>', household, re.S)
    assert crumbs and 'href="/cases"' in crumbs.group(1)
    assert f'href="/cases/{case_id}"' in crumbs.group(1) and 'aria-current="page"' in crumbs.group(
        1
    )


# -- error pages -------------------------------------------------------------------------------
def assert_error_page(response, status: int, th: str, en: str):
    body = response.get_data(as_text=True)
    assert response.status_code == status, body[:300]
    assert response.mimetype == "text/html"
    assert header_of(body).headers == 1, "no app header"
    assert th in body and en in body, body
    assert f"{status}" in body
    assert "Traceback" not in body and "werkzeug" not in body.lower()


def test_unknown_address_is_a_thai_and_english_404_with_the_header(client):
    assert_error_page(client.get("/no/such/page"), 404, "ไม่พบหน้านี้", "Page not found")
    english = client.get("/no/such/page?lang=en")
    assert_error_page(english, 404, "ไม่พบหน้านี้", "Page not found")
    assert '<html lang="en">' in english.get_data(as_text=True)
    # The language links stay on the same address.
    assert 'href="/no/such/page?lang=en"' in client.get("/no/such/page").get_data(as_text=True)


def test_an_address_off_the_site_is_not_linked_from_the_404_page(client):
    body = client.get("/", environ_overrides={"PATH_INFO": "//evil.example/x"}).get_data(
        as_text=True
    )
    assert 'href="//' not in body


def test_login_address_typos_and_old_login_url(client):
    # `/login` (not /auth/login) used to be Werkzeug's English "Not Found".
    assert_error_page(client.get("/login"), 404, "ไม่พบหน้านี้", "Page not found")


def test_wrong_method_is_a_thai_and_english_405(client, auth):
    auth.login("viewer")
    response = client.get("/auth/logout")
    assert_error_page(response, 405, "ไม่รองรับวิธีเรียกใช้นี้", "Not allowed this way")
    assert "POST" in response.headers["Allow"]
    assert header_of(response.get_data(as_text=True)).logout  # still the user's header


def test_too_large_is_a_thai_and_english_413(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    try:
        response = client.post(
            "/auth/login",
            data=b"x" * (1024 * 1024 + 10),
            content_type="application/x-www-form-urlencoded",
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert_error_page(response, 413, "ใหญ่เกินขีดจำกัด 1 MB", "size limit of 1 MB")


@pytest.fixture(scope="module")
def crashing_app(sample_config):
    """The sample app with a route that fails, and errors handled as in production."""
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **sample_config})
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/crash-for-test")
    def crash():
        raise RuntimeError("secret internals /srv/planner/app.py line 42")

    @app.get("/api/crash-for-test")
    def api_crash():
        raise RuntimeError("secret internals")

    from app import route_policy

    route_policy.POLICY.setdefault("crash", route_policy.EVERYONE)
    route_policy.POLICY.setdefault("api_crash", route_policy.EVERYONE)
    yield app
    route_policy.POLICY.pop("crash", None)
    route_policy.POLICY.pop("api_crash", None)


def test_a_crash_is_a_thai_and_english_500_without_internals(crashing_app):
    client = crashing_app.test_client()
    response = client.get("/crash-for-test")
    assert_error_page(response, 500, "เกิดข้อผิดพลาดในระบบ", "Something went wrong")
    assert "secret internals" not in response.get_data(as_text=True)
    api = client.get("/api/crash-for-test")
    assert api.status_code == 500 and api.is_json
    error = api.get_json()["error"]
    assert error["status"] == 500 and THAI.search(error["th"]) and error["en"]
    assert "secret internals" not in api.get_data(as_text=True)


def test_every_error_status_has_thai_and_english_words():
    from app.errors import http_text, http_title, status_error

    for status in [*range(400, 432), *range(500, 512)]:
        for words in (http_title(status), http_text(status)):
            assert THAI.search(words["th"]) and words["en"] and not THAI.search(words["en"])
        assert status_error(status).status == status
    assert InternalServerError.code == 500


def test_api_404_stays_json(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404 and response.is_json
    error = response.get_json()["error"]
    assert error["status"] == 404 and THAI.search(error["th"]) and error["en"]


# -- on a phone ----------------------------------------------------------------------------------
@pytest.mark.browser
def test_the_header_fits_a_phone_and_its_menu_opens(browser, live_server):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        # The map, an error page and the login page: the page itself must not scroll sideways
        # (tests/test_page_sweep.py checks every other page).
        for path in ("/", "/no-such-page", "/auth/login"):
            page.goto(f"{live_server}{path}")
            page.wait_for_selector(".app-header.has-menu-button")
            overflow = page.evaluate(
                """() => [document.documentElement, document.querySelector('.app-header')]
                       .map(e => e.scrollWidth - e.clientWidth)"""
            )
            assert max(overflow) <= 0, f"{path}: {overflow}px of horizontal scroll"
            header = page.locator(".app-header").bounding_box()
            assert header["width"] <= 390 and header["height"] < 120, (path, header)
            toggle = page.locator(".nav-toggle")
            assert toggle.is_visible() and not page.locator(".page-nav").is_visible()
            toggle.click()
            assert toggle.get_attribute("aria-expanded") == "true"
            nav_link = page.locator('.page-nav a[data-endpoint="map.home"]')
            assert nav_link.is_visible()
            box = nav_link.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390
            page.keyboard.press("Escape")
            assert not page.locator(".page-nav").is_visible()
        # Logged in, the officer's menu reaches the imports page.
        page.goto(f"{live_server}/auth/login")
        page.fill("#username", "officer")
        page.fill("#password", AuthActions.passwords["officer"])
        page.click("form button[type=submit]")
        page.wait_for_url(f"{live_server}/cases")
        page.goto(f"{live_server}/")
        page.wait_for_selector(".app-header.has-menu-button")
        page.locator(".nav-toggle").click()
        page.locator('.page-nav a[data-endpoint="imports.imports_page"]').click()
        page.wait_for_url(f"{live_server}/imports")
        assert page.evaluate("() => document.getElementById('app-header').scrollWidth") <= 390
        # The officer's open menu holds every control in one column on the screen: the search
        # box and its button, the language links and "log out" (a wrapping column once put
        # them in a second column, off the right edge, and the search button was blue on blue).
        page.locator(".nav-toggle").click()
        for selector in (
            "#header-search",
            ".search-box button",
            '.lang-switch a[data-lang="en"]',
            ".logout-form button",
        ):
            control = page.locator(f".app-menu {selector}")
            assert control.is_visible(), selector
            box = control.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (selector, box)
            assert box["y"] + box["height"] <= 844, (selector, box)
        colours = page.evaluate(
            """() => { const s = getComputedStyle(document.querySelector('.search-box button'));
                        return [s.color, getComputedStyle(document.querySelector('.app-header'))
                                .backgroundColor]; }"""
        )
        assert colours[0] != colours[1], colours
    finally:
        page.close()
