"""Every page, for every role, on a phone and on a laptop (issue 13, items 2 and 7).

For each role (a visitor, the municipality's viewer, a community representative, an officer, an admin)
and each HTML page that role may open, at 390 × 844 (a phone) and 1366 × 768 (a laptop):

- the page itself does not scroll sideways (a table may scroll inside its own box);
- every visible form control lies across the viewport's width and is big enough to tap;
- axe-core (tests/vendor/axe-core, for the tests only) finds no serious or critical violation.

At 360 px (a small phone) and 768 px (a tablet upright) the same layout checks run without
axe, and on a 10-inch tablet (800 × 1280 and 1280 × 800) the workshop's and the case map's
drawing tools are on screen and big enough for a finger. Keyboard users reach the map's
controls (zoom, layers, the drawing buttons) with Tab, with a visible focus, and work them with
Enter and Space.

`test_every_html_page_is_swept` keeps the list honest: an HTML page added to
app/route_policy.py without a place here fails it.

The pages are served over a store of this module's own (a site check run and an import report
are made first, to have their pages). One browser context per role logs in once through the
real form; every page load reuses it. No request may leave 127.0.0.1, no script may fail.
Screenshots (one per page and size, to look at after a run): tests/output/test_page_sweep/.
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from app import create_app
from app.application.sample_loader import load_whole_sample
from app.casestore import uow
from app.route_policy import POLICY, allowed_roles
from cases.policy import ANONYMOUS
from cases.sample import DEMO_USERS
from cases.store import CaseStore
from gis.catalog import load_catalog
from gis.store import open_store
from tests.conftest import DATABASE_URL, OUTPUT_DIR, AuthActions, _drop_schema, _new_schema, serve

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
CORPUS = Path(__file__).parent / "data" / "corpus"
TIMEOUT_MS = 30_000

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
SMALL_PHONE = {"width": 360, "height": 740}
TABLET_UPRIGHT = {"width": 768, "height": 1024}
TEN_INCH = [{"width": 800, "height": 1280}, {"width": 1280, "height": 800}]

USERS = ("viewer", "rep.cc01", "officer", "admin")
ROLES = ("anonymous", *USERS)
ROLE_OF = {username: role for username, _, role, _ in DEMO_USERS} | {"anonymous": ANONYMOUS}
STAFF_CASE = "KPP-DM-02"  # officers and viewers open this case; the representative their own
LAYOUT_CASE = "KPP-LS-02"  # a canal strip where the workshop's layouts fit (tests/test_workshop.py)
SITES = ["KPP-CC-01", "KPP-CC-02", "KPP-LS-03"]
CHECKS = ["zoning", "tenure", "setback", "flood", "disasters"]

# Every HTML page: a name (the endpoint, or the error page) -> its address, from the ids made
# by the `site` fixture. A role sweeps the pages app/route_policy.py lets it open.
PAGES: dict[str, str] = {
    "map.home": "/",
    "auth.login": "/auth/login",
    "cases.case_list": "/cases",
    "cases.case_page": "/cases/{case}",
    "cases.household": "/cases/households/{household}",
    "cases.new_case": "/cases/new",
    "layer_cases.from_layer": "/cases/from-layer",
    "dashboard.dashboard": "/dashboard",
    "survey.survey_import": "/cases/{case}/survey-import",
    "imports.imports_page": "/imports",
    "imports.show_import": "/imports/{report}",
    "overlap.overlap_page": "/overlap",
    "overlap.show_run": "/overlap/runs/{run}",
    "layout.workshop": "/cases/{case}/workshop",
    "search.search_page": "/search?q={search}",
    "jobs.jobs_page": "/jobs",
    "jobs.job_page": "/jobs/{job}",
    "error.404": "/no/such/page",
    "error.403": "/imports",  # for a logged-in user who is not an officer
}

# GET endpoints of app/route_policy.py that are not HTML pages, and why. (Everything under
# /api/ is JSON or a file for scripts, not a page: `test_every_html_page_is_swept` skips it.)
NOT_PAGES = {
    "static": "the app's own files (CSS, scripts, fonts)",
    "api-docs.openapi_json": "the API's OpenAPI description (JSON)",
    "imports_api.api_export": "a layer as a file to download",
    "cases.document": "a case document, sent as a file",
    "survey.survey_form": "the case's XLSForm, sent as a file",
    "survey.survey_api": "survey progress for the case map (JSON)",
    "overlap.download": "a site check's report as a file (PDF, CSV, GeoPackage, HTML attachment)",
    "pdpa.export_pdf": "a household's subject-access copy, sent as a PDF file",
    "pdpa.export_json": "a household's subject-access copy, sent as a JSON file",
    "jobs.result": "a finished background job's file (a PDF or an export)",
    "tiles.tile": "a vector tile of a large layer (binary MVT, for the map)",
}


def roles_for(page: str) -> list[str]:
    """The roles that see `page` (the error pages: whom they are shown to)."""
    if page == "error.404":
        return list(ROLES)
    if page == "error.403":
        return [r for r in USERS if ROLE_OF[r] not in allowed_roles("imports.imports_page", "GET")]
    if page == "auth.login":
        return ["anonymous"]  # a logged-in user is sent on from it
    roles = allowed_roles(page, "GET") or frozenset()
    return [r for r in ROLES if ROLE_OF[r] in roles]


SWEEP = [(role, page) for role in ROLES for page in PAGES if role in roles_for(page)]


def sweep_params(widths: list[dict]):
    return [
        pytest.param(role, page, size, id=f"{role}-{page}-{size['width']}")
        for role, page in SWEEP
        for size in widths
    ]


# -- the server, its data and one logged-in browser context per role -----------------------------
@pytest.fixture(scope="module")
def sweep_config(tmp_path_factory):
    """A store of this module's own with the sample: the site check and the import write."""
    schema = _new_schema()
    home = tmp_path_factory.mktemp("sweep-instance")
    case_store = CaseStore(home, DATABASE_URL, schema=schema)
    load_whole_sample(
        open_store(home, DATABASE_URL, schema=schema), case_store, load_catalog(), demo_users=True
    )
    case_store.dispose()
    yield {"PLANNER_HOME": str(home), "DATABASE_URL": DATABASE_URL, "DATABASE_SCHEMA": schema}
    _drop_schema(schema)


@pytest.fixture(scope="module")
def sweep_app(sweep_config):
    return create_app({"TESTING": True, **sweep_config})


@pytest.fixture(scope="module")
def server(sweep_app):
    with serve(sweep_app) as url:
        yield url


@pytest.fixture(scope="module")
def site(sweep_config, sweep_app) -> dict[str, dict[str, str]]:
    """Per role, the values of PAGES' placeholders: its case and household, a site check run
    and an import report (made here by the officer, through a test client without CSRF)."""
    # No worker: each role's background job stays queued, its page polling.
    writer = create_app(
        {"TESTING": True, "WTF_CSRF_ENABLED": False, "JOBS_WORKER": False, **sweep_config}
    )
    client = writer.test_client()
    auth = AuthActions(client)
    assert auth.login("officer").status_code == 302
    path = CORPUS / "good" / "kobo_survey.csv"
    res = client.post(
        "/api/imports",
        data={"file": (io.BytesIO(path.read_bytes()), path.name), "layer": "sweep_survey"},
        content_type="multipart/form-data",
    )
    assert res.status_code == 201, res.get_data(as_text=True)[:500]
    report = res.get_json()["id"]
    auth.logout()
    # A site check opens only for whoever ran it (and officers): each role runs its own.
    runs, job_ids = {}, {}
    for role in USERS:
        assert auth.login(role).status_code == 302
        res = client.post(
            "/overlap",
            data={"site_ids": SITES, "against": CHECKS, "rules": "bangkok_baan_mankong"},
            content_type="multipart/form-data",
        )
        assert res.status_code == 303, res.get_data(as_text=True)[-2000:]
        runs[role] = urlparse(res.headers["Location"]).path.rsplit("/", 1)[-1]
        res = client.post("/api/jobs", json={"kind": "site_check", "params": {"site_ids": SITES}})
        assert res.status_code == 202, res.get_data(as_text=True)
        job_ids[role] = res.get_json()["id"]
        auth.logout()
    values = {}
    with sweep_app.app_context(), uow() as work:
        staff_case = work.repo.get_case_by_ref(STAFF_CASE)
        layout_case = work.repo.get_case_by_ref(LAYOUT_CASE).id
        for role in ROLES:
            case_id = staff_case.id
            if role == "rep.cc01":
                assert auth.login(role).status_code == 302
                listed = client.get("/cases").get_data(as_text=True)
                case_id = int(re.search(r'href="/cases/(\d+)"', listed).group(1))
                auth.logout()
            households = work.repo.list_households(case_id)
            values[role] = {
                "case": str(case_id),
                "household": str(households[0].id) if households else "0",
                "report": report,
                "run": runs.get(role, ""),
                "job": job_ids.get(role, ""),
                "search": "KPP",
                "layout_case": str(layout_case),
            }
    return values


class RolePage:
    """One browser context per role, logged in once through the real form, and its page."""

    def __init__(self, browser, base: str, role: str):
        self.base = base
        self.role = role
        self.errors: list[str] = []
        self.external: list[str] = []
        self.context = browser.new_context(viewport=LAPTOP, locale="th-TH")
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.page.on("console", self._console)
        if role != "anonymous":
            self.page.goto(f"{base}/auth/login")
            self.page.fill("#username", role)
            self.page.fill("#password", AuthActions.passwords[role])
            self.page.click("form.login-form button[type=submit]")
            expect(self.page.locator("#who")).to_contain_text(role)

    def _console(self, message):
        # The error pages are answered 403 and 404 on purpose; Chromium logs that as an error.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.errors.append(f"console: {message.text}")

    def _route(self, route):
        if urlparse(route.request.url).hostname != "127.0.0.1":
            self.external.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def open(self, path: str, size: dict, status: int = 200):
        """Load `path` at `size` (answered `status`); wait until its maps and scripts settle."""
        self.errors.clear()
        self.external.clear()
        self.page.set_viewport_size(size)
        response = self.page.goto(self.base + path)
        got = response.status if response else None
        assert got == status, f"{self.role} {path}: HTTP {got}, not {status}"
        settle(self.page)
        return self.page


def settle(page):
    """Wait for the page's maps to be drawn and its scripts to have run, and for fonts."""
    page.wait_for_function(
        """() => {
            if (document.readyState !== 'complete') return false;
            if (document.fonts && document.fonts.status !== 'loaded') return false;
            // The map page and a site check's map: every layer loaded (or failed).
            const mapDone = ['ready', 'error'].includes(document.body.dataset.mapState);
            if (document.querySelector('#map, #overlap-map') && !mapDone) return false;
            const caseMap = document.getElementById('case-map');
            if (caseMap && caseMap.dataset.ready !== 'true') return false;
            const ws = document.getElementById('ws-root');
            if (ws && ws.dataset.ready !== 'true') return false;
            return true;
        }""",
        timeout=TIMEOUT_MS,
    )
    # Leaflet's zoom animation and the layout's last reflow.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


@pytest.fixture(scope="module")
def pages(browser, server):
    opened: dict[str, RolePage] = {}

    def get(role: str) -> RolePage:
        if role not in opened:
            opened[role] = RolePage(browser, server, role)
        return opened[role]

    yield get
    for role_page in opened.values():
        role_page.context.close()


@pytest.fixture(scope="module")
def sweep_output() -> Path:
    path = OUTPUT_DIR / "test_page_sweep"
    path.mkdir(parents=True, exist_ok=True)
    return path


def open_page(pages, site, role: str, page_name: str, size: dict):
    """The role's browser page showing `page_name` at `size`, and words for a failure."""
    role_page = pages(role)
    path = PAGES[page_name].format(**site[role])
    status = {"error.404": 404, "error.403": 403}.get(page_name, 200)
    page = role_page.open(path, size, status)
    return role_page, page, f"{role} {page_name} ({path}) at {size['width']}×{size['height']}"


# -- what is checked on every page -------------------------------------------------------------
LAYOUT_JS = """() => {
    const doc = document.documentElement;
    const width = doc.clientWidth;
    const out = {scroll: doc.scrollWidth - width, outside: [], small: []};
    const describe = (el) => {
        let s = el.tagName.toLowerCase();
        if (el.id) s += '#' + el.id;
        else if (el.name) s += '[name="' + el.name + '"]';
        else if (el.className && typeof el.className === 'string')
            s += '.' + el.className.trim().split(/\\s+/).join('.');
        const text = (el.innerText || el.value || el.getAttribute('aria-label') || '')
            .replace(/\\s+/g, ' ').trim();
        return text ? s + ' "' + text.slice(0, 30) + '"' : s;
    };
    // A box that scrolls sideways on its own (a table's): what is inside it may lie beyond the
    // screen's edge, reached by scrolling the box; the box itself must fit.
    const scroller = (el) => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            const ox = getComputedStyle(p).overflowX;
            if ((ox === 'auto' || ox === 'scroll') && p.scrollWidth > p.clientWidth) return p;
        }
        return null;
    };
    const clipped = (el) => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== 'visible') return true;
        }
        return false;
    };
    // What sticks out: elements wider than the page whose parent is not (the culprits).
    out.wide = [];
    if (out.scroll > 0) {
        for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            const p = el.parentElement && el.parentElement.getBoundingClientRect();
            if (r.width > 0 && r.right > width + 1 && p && p.right <= width + 1 && !clipped(el))
                out.wide.push(describe(el).slice(0, 80) + ` [${Math.round(r.left)}..${Math.round(r.right)}]`);
            if (out.wide.length >= 5) break;
        }
    }
    const controls = document.querySelectorAll(
        'input:not([type=hidden]), select, textarea, button, [contenteditable=""], [contenteditable=true]');
    for (const el of controls) {
        const r = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
        if (el.closest('[hidden], [aria-hidden=true]')) continue;
        const box = scroller(el);
        const outer = box ? box.getBoundingClientRect() : r;
        if (outer.left < -1 || outer.right > width + 1) {
            out.outside.push(describe(box || el) + ` [${Math.round(outer.left)}..${Math.round(outer.right)}]`);
        }
        // A tap target: at least 24 px across; a check box or radio button counts its label.
        let target = r;
        if (el.type === 'checkbox' || el.type === 'radio') {
            const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
            if (label) {
                const l = label.getBoundingClientRect();
                target = {width: Math.max(l.width, r.width), height: Math.max(l.height, r.height)};
            }
        }
        if (target.width < 23.5 || target.height < 23.5) {
            out.small.push(describe(el) + ` ${Math.round(target.width)}×${Math.round(target.height)}`);
        }
    }
    return out;
}"""


def check_layout(page, where: str) -> list[str]:
    """What is wrong with the page's layout at this size (empty when nothing)."""
    found = page.evaluate(LAYOUT_JS)
    problems = []
    if found["scroll"] > 0:
        wide = "; ".join(found["wide"])
        problems.append(f"{where}: the page scrolls sideways by {found['scroll']} px ({wide})")
    problems += [f"{where}: a control is off screen: {c}" for c in found["outside"]]
    problems += [f"{where}: a control is too small to tap: {c}" for c in found["small"]]
    return problems


AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => ({id: v.id, impact: v.impact, count: v.nodes.length,
                    nodes: v.nodes.slice(0, 6).map(n => ({target: n.target.join(' '),
                                                           summary: n.failureSummary}))}));
}"""


@functools.cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8") + "\n;0"


def check_axe(page, where: str) -> list[str]:
    """axe-core's serious and critical violations on the page, one line per element (the
    first six of each rule)."""
    # The page's CSP allows no inline script: evaluate the engine over DevTools instead.
    page.evaluate(axe_source())
    problems = []
    for v in page.evaluate(AXE_RUN):
        for node in v["nodes"]:
            summary = " ".join((node["summary"] or "").split())[:240]
            problems.append(f"{where}: axe {v['impact']} {v['id']} at {node['target']}: {summary}")
        if v["count"] > len(v["nodes"]):
            problems.append(f"{where}: axe {v['id']}: {v['count'] - len(v['nodes'])} more")
    return problems


def shot(page, folder: Path, role: str, name: str, size: dict):
    """A screenshot to look at after the run: on a phone the page's first 4,000 px (the whole
    of most pages; PNG-encoding a 10,000 px case page costs a second), on a laptop the first
    screen."""
    path = folder / f"{role}-{name}-{size['width']}x{size['height']}.png"
    if size["width"] >= 500:
        page.screenshot(path=str(path))
        return
    height = min(page.evaluate("() => document.documentElement.scrollHeight"), 4000)
    clip = {"x": 0, "y": 0, "width": size["width"], "height": height}
    page.screenshot(path=str(path), full_page=True, clip=clip)


# -- the tests ---------------------------------------------------------------------------------
def test_every_html_page_is_swept(sweep_app):
    """Every GET endpoint in the role table is a swept page or a named non-page."""
    gets = {
        rule.endpoint
        for rule in sweep_app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.rule.startswith("/api/")
    }
    assert gets <= set(POLICY), gets - set(POLICY)
    missing = gets - set(PAGES) - set(NOT_PAGES)
    assert not missing, f"pages not in the sweep (tests/test_page_sweep.py PAGES): {missing}"
    stale = (set(PAGES) - {"error.404", "error.403"}) - set(POLICY)
    assert not stale, f"PAGES lists endpoints that are gone: {stale}"
    assert set(NOT_PAGES) <= set(POLICY), set(NOT_PAGES) - set(POLICY)
    for role in ROLES:
        assert any(r == role for r, _ in SWEEP), role


@pytest.mark.parametrize(("role", "page_name", "size"), sweep_params([PHONE, LAPTOP]))
def test_page_fits_and_passes_axe(pages, site, sweep_output, role, page_name, size):
    role_page, page, where = open_page(pages, site, role, page_name, size)
    shot(page, sweep_output, role, page_name, size)
    problems = check_layout(page, where) + check_axe(page, where)
    problems += [f"{where}: {e}" for e in role_page.errors]
    problems += [f"{where}: a request left the machine: {url}" for url in role_page.external]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("role", "page_name", "size"), sweep_params([SMALL_PHONE, TABLET_UPRIGHT]))
def test_page_fits_a_small_phone_and_a_tablet(pages, site, role, page_name, size):
    role_page, page, where = open_page(pages, site, role, page_name, size)
    problems = check_layout(page, where)
    assert not problems, "\n".join(problems)


# -- a 10-inch tablet: the drawing tools and the workshop ---------------------------------------
def on_screen(page, selector: str, *, min_size: float = 40) -> list[str]:
    """Scroll `selector` into view; what is wrong if it is not wholly on screen and big enough
    for a finger (empty when nothing)."""
    control = page.locator(selector).first
    if not control.is_visible():
        return [f"{selector} is not visible"]
    control.evaluate("(e) => e.scrollIntoView({block: 'center', inline: 'nearest'})")
    box = control.bounding_box()
    view = page.viewport_size
    problems = []
    if box["x"] < 0 or box["x"] + box["width"] > view["width"] + 0.5:
        problems.append(f"{selector} is off screen sideways: {box}")
    if box["y"] < 0 or box["y"] + box["height"] > view["height"] + 0.5:
        problems.append(f"{selector} does not fit the screen's height: {box}")
    if min(box["width"], box["height"]) < min_size:
        problems.append(f"{selector} is {box['width']:.0f}×{box['height']:.0f} px: too small")
    return problems


TABLET_IDS = [f"{s['width']}x{s['height']}" for s in TEN_INCH]
CASE_MAP_TOOLS = {
    "cases.case_page": [
        "#tool-site",
        "#tool-edit",
        "#plot-no",
        "#plot-kind",
        "#tool-plot",
        "#place-household",
        "#tool-place",
        "#map-save",
        "#map-discard",
    ],
    "cases.new_case": ["#tool-site", "#tool-edit", "#tool-clear"],
}


@pytest.mark.parametrize("size", TEN_INCH, ids=TABLET_IDS)
@pytest.mark.parametrize("page_name", list(CASE_MAP_TOOLS))
def test_the_case_map_drawing_tools_on_a_10_inch_tablet(pages, site, sweep_output, page_name, size):
    _, page, where = open_page(pages, site, "officer", page_name, size)
    problems = check_layout(page, where)
    for selector in CASE_MAP_TOOLS[page_name]:
        problems += [f"{where}: {p}" for p in on_screen(page, selector)]
    # The whole map on screen at once, with its zoom buttons: nothing to scroll while drawing.
    problems += [f"{where}: {p}" for p in on_screen(page, "#case-map", min_size=300)]
    for button in (".leaflet-control-zoom-in", ".leaflet-control-zoom-out"):
        problems += [f"{where}: {p}" for p in on_screen(page, f"#case-map {button}", min_size=30)]
    # A drawing tool turns on with a tap.
    tool = page.locator("#tool-site")
    tool.click()
    expect(tool).to_have_attribute("aria-pressed", "true")
    shot(page, sweep_output, "officer", f"{page_name}-tablet", size)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("size", TEN_INCH, ids=TABLET_IDS)
def test_the_workshop_on_a_10_inch_tablet(pages, site, sweep_output, size):
    role_page = pages("officer")
    path = f"/cases/{site['officer']['layout_case']}/workshop"
    page = role_page.open(path, size)
    where = f"officer layout.workshop ({path}) at {size['width']}×{size['height']}"
    problems = check_layout(page, where)
    for selector in ("button.ws-step", "#p-households", "label[for=ws-options-3]", "#ws-generate"):
        problems += [f"{where}: {p}" for p in on_screen(page, selector)]
    # The options, side by side: laid out, checked by axe.
    page.click("#ws-generate")
    expect(page.locator(".ws-card")).to_have_count(3)
    where_options = f"{where}, the options"
    problems += check_layout(page, where_options) + check_axe(page, where_options)
    problems += [f"{where_options}: {p}" for p in on_screen(page, ".ws-choose")]
    shot(page, sweep_output, "officer", "layout.workshop-options", size)
    # One option adjusted by hand: the map and every tool on screen and big enough.
    page.locator(".ws-card").first.locator(".ws-choose").click()
    expect(page.locator("#ws-editor")).to_be_visible()
    expect(page.locator("#ws-valid")).to_be_visible()
    page.wait_for_selector("#ws-editor[data-checked=true]", state="attached")
    where_editor = f"{where}, adjusting an option"
    problems += check_layout(page, where_editor) + check_axe(page, where_editor)
    for selector in (
        "#ws-back",
        "#ws-tool-move",
        "#ws-tool-merge",
        "#ws-tool-split",
        "#ws-undo",
        "#ws-agreed-by",
        "#ws-save",
    ):
        problems += [f"{where_editor}: {p}" for p in on_screen(page, selector)]
    problems += [f"{where_editor}: {p}" for p in on_screen(page, "#ws-edit-map", min_size=300)]
    shot(page, sweep_output, "officer", "layout.workshop-editor", size)
    problems += [f"{where}: {e}" for e in role_page.errors]
    assert not problems, "\n".join(problems)


# -- the map's controls from the keyboard ------------------------------------------------------
def tab_to(page, selector: str, limit: int = 80) -> bool:
    """Press Tab until the focus is on `selector`; whether it got there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return True
    return False


def focus_ring(page) -> str:
    return page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return s.outlineStyle === 'none' ? '' : s.outlineWidth + ' ' + s.outlineStyle; }"""
    )


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["390", "1366"])
def test_the_map_s_controls_work_from_the_keyboard(pages, site, size):
    _, page, where = open_page(pages, site, "anonymous", "map.home", size)
    zoom = "() => plannerMap.map.getZoom()"
    before = page.evaluate(zoom)
    assert tab_to(page, ".leaflet-control-zoom-in"), f"{where}: Tab never reaches the zoom in"
    assert focus_ring(page), f"{where}: the zoom button shows no focus"
    assert page.get_attribute(".leaflet-control-zoom-in", "aria-label") == "ซูมเข้า"
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => !plannerMap.map._animatingZoom && plannerMap.map.getZoom() > {before}"
    )
    assert tab_to(page, ".leaflet-control-zoom-out", 3), where
    zoomed = page.evaluate(zoom)
    page.keyboard.press(" ")
    page.wait_for_function(
        f"() => !plannerMap.map._animatingZoom && plannerMap.map.getZoom() < {zoomed}"
    )
    # The layer list: folded on a phone (Enter or Space opens it, Escape folds it), open on a
    # laptop; either way Tab reaches its check boxes and Space switches a layer.
    toggle = ".leaflet-control-layers-toggle"
    layers = page.locator(".leaflet-control-layers")
    folded = "leaflet-control-layers-expanded" not in (layers.get_attribute("class") or "")
    if folded:
        assert tab_to(page, toggle), f"{where}: Tab never reaches the layer list's button"
        assert page.get_attribute(toggle, "aria-label") == "ชั้นข้อมูลและแผนที่ฐาน"
        assert page.get_attribute(toggle, "aria-expanded") == "false"
        page.keyboard.press(" ")
        expect(layers).to_have_class(re.compile("leaflet-control-layers-expanded"))
        assert page.get_attribute(toggle, "aria-expanded") == "true"
        inside = "() => document.activeElement.closest('.leaflet-control-layers-list') !== null"
        assert page.evaluate(inside), f"{where}: the open layer list does not have the focus"
    box = ".leaflet-control-layers-overlays input[type=checkbox]"
    assert tab_to(page, box), f"{where}: Tab never reaches the layer check boxes"
    assert focus_ring(page), f"{where}: the layer check box shows no focus"
    checked = page.evaluate("() => document.activeElement.checked")
    page.keyboard.press(" ")
    assert page.evaluate("() => document.activeElement.checked") != checked
    if folded:
        page.keyboard.press("Escape")
        expect(layers).not_to_have_class(re.compile("leaflet-control-layers-expanded"))
        assert page.evaluate(f"() => document.activeElement.matches('{toggle}')")


def test_the_case_map_s_zoom_works_from_the_keyboard(pages, site):
    _, page, where = open_page(pages, site, "officer", "cases.case_page", LAPTOP)
    before = page.evaluate("() => caseMap.map.getZoom()")
    button = "#case-map .leaflet-control-zoom-in"
    assert page.get_attribute(button, "aria-label") == "ซูมเข้า"
    # After the tools and the map itself: not after every house drawn on it.
    assert tab_to(page, button, 40), f"{where}: Tab never reaches the case map's zoom"
    assert focus_ring(page), f"{where}: the zoom button shows no focus"
    page.keyboard.press(" ")
    page.wait_for_function(f"() => caseMap.map.getZoom() > {before}")
