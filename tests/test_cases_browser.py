"""The case tracker in a real headless Chromium, over a store of its own (these tests write).

Every request to a host other than 127.0.0.1 is aborted and recorded, and must not happen:
the pages work with no internet. Console errors fail the test. Screenshots go to
tests/output/<test name>/ (git-ignored): look at them after a run.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from app import create_app
from tests.conftest import AuthActions, serve

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1366, "height": 900}
TIMEOUT_MS = 30_000
STALLED_REF = "KPP-DM-02"  # on hold, stalled; its next stage needs a demolition record


@pytest.fixture
def writable_server(writable_config):
    """The real app (CSRF on) over a store of this test's own, on a free port of 127.0.0.1."""
    with serve(create_app({"TESTING": True, **writable_config})) as url:
        yield url


class Session:
    """A browser page that records requests to other hosts (aborted) and console errors."""

    def __init__(self, browser, base: str, output: Path):
        self.base = base
        self.output = output
        self.external: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport=VIEWPORT, locale="th-TH")
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.shots = 0

    def _route(self, route):
        if urlparse(route.request.url).hostname != "127.0.0.1":
            self.external.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def goto(self, path: str):
        self.page.goto(self.base + path)

    def shot(self, name: str, *, full_page: bool = False) -> Path:
        self.shots += 1
        path = self.output / f"{self.shots:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def login(self, username: str):
        self.goto("/auth/login")
        self.page.fill("#username", username)
        self.page.fill("#password", AuthActions.passwords[username])
        self.page.click("button[type=submit]")
        expect(self.page.locator("#who")).to_contain_text(username)

    def wait_for_map(self):
        self.page.wait_for_selector("#case-map[data-ready=true]")

    def check_clean(self, *, refused: tuple[int, ...] = ()):
        """No request left 127.0.0.1 and nothing went wrong in the console.

        `refused`: the HTTP statuses of refusals the test provoked on purpose (a refused form is
        answered 422 and Chromium logs every 4xx response as "Failed to load resource").
        """
        assert self.external == [], f"requests to other hosts: {self.external}"
        expected = [f"status of {status} " for status in refused]
        errors = [
            e
            for e in self.errors
            if not ("Failed to load resource" in e and any(status in e for status in expected))
        ]
        assert errors == [], f"console errors: {errors}"

    def close(self):
        self.context.close()


@pytest.fixture
def session(browser, writable_server, output_dir):
    s = Session(browser, writable_server, output_dir)
    yield s
    s.close()


def test_officer_moves_a_stalled_case_and_the_dashboard_changes(session):
    page = session.page
    # Log in (Thai first).
    session.goto("/auth/login")
    expect(page.locator("h1")).to_have_text("เข้าสู่ระบบ")
    session.shot("login")
    session.login("officer")
    assert urlparse(page.url).path == "/cases"
    expect(page.locator("#who")).to_contain_text("เจ้าหน้าที่")

    # Find the stalled cases.
    page.check("#f-stalled")
    page.click(".filters button[type=submit]")
    expect(page.locator("#result-count")).to_contain_text("กรณี")
    stalled_total = int(re.search(r"\d+", page.locator("#result-count").inner_text()).group())
    row = page.locator(f"tr[data-ref='{STALLED_REF}']")
    expect(row).to_contain_text("ล่าช้า")
    expect(row).to_contain_text("รอการก่อสร้างเขื่อนริมคลอง")
    session.shot("stalled-cases", full_page=True)

    # The dashboard before: the case is among the stalled.
    page.click("nav.page-nav >> text=ภาพรวมความคืบหน้า")
    expect(page.locator("#stalled-title")).to_have_text(f"กรณีที่ล่าช้า ({stalled_total})")
    expect(page.locator(f"#stalled-table tr[data-ref='{STALLED_REF}']")).to_have_count(1)
    expect(page.locator("#progress-table tr[data-district='total']")).to_contain_text(
        "634 (9.93 %)"
    )
    session.shot("dashboard-before", full_page=True)

    # Open it.
    page.click(f"#stalled-table a:text('{STALLED_REF}')")
    expect(page.locator("h1")).to_contain_text(STALLED_REF)
    session.wait_for_map()
    expect(page.locator("#current-stage")).to_have_text("สัญญาเช่าที่ราชพัสดุกับสหกรณ์")
    expect(page.locator("#move-form .requirements:visible")).to_contain_text(
        "ต้องแนบเอกสาร: บันทึกการรื้อถอน"
    )
    assert page.locator("#case-map .leaflet-interactive").count() > 100  # site + households
    session.shot("case-page")

    # Try the move without the document: refused, and the message names what is missing.
    page.fill("#move-note", "รื้อถอนสิ่งปลูกสร้างที่รุกล้ำแล้ว")
    page.click("#move-form button[type=submit]")
    expect(page.locator("#error-move")).to_contain_text("ต้องแนบเอกสาร: บันทึกการรื้อถอน")
    expect(page.locator("#current-stage")).to_have_text("สัญญาเช่าที่ราชพัสดุกับสหกรณ์")
    page.locator("#error-move").scroll_into_view_if_needed()
    session.shot("move-refused")

    # Move it to its next stage with the document.
    expect(page.locator("#move-note")).to_have_value("รื้อถอนสิ่งปลูกสร้างที่รุกล้ำแล้ว")
    expect(page.locator("#move-doc-kind-0")).to_have_value("demolition_record")
    page.set_input_files(
        "#move-doc-file-0",
        files=[
            {
                "name": "demolition-record.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n% sample demolition record\n",
            }
        ],
    )
    page.click("#move-form button[type=submit]")
    expect(page.locator(".flash")).to_have_text("ย้ายขั้นตอนแล้ว")
    # The page lands on #stage: the message is there, under the stage heading, not at the top.
    expect(page.locator("#stage .flashes .flash")).to_have_text("ย้ายขั้นตอนแล้ว")
    expect(page.locator("#current-stage")).to_have_text("บ้านพักชั่วคราวและรื้อถอนสิ่งปลูกสร้างที่รุกล้ำ")
    expect(page.locator(".timeline .event").first).to_contain_text(
        "บันทึกการรื้อถอน: demolition-record.pdf"
    )
    expect(page.locator(".case-badges .badge-hold")).to_have_count(0)
    session.wait_for_map()
    session.shot("case-moved")

    # The dashboard after: one stalled case fewer, and this one is gone from the list.
    page.click("nav.page-nav >> text=ภาพรวมความคืบหน้า")
    expect(page.locator("#stalled-title")).to_have_text(f"กรณีที่ล่าช้า ({stalled_total - 1})")
    expect(page.locator(f"#stalled-table tr[data-ref='{STALLED_REF}']")).to_have_count(0)
    session.shot("dashboard-after", full_page=True)

    # In English too.
    page.click(".lang-switch >> text=English")
    expect(page.locator("#stalled-title")).to_have_text(f"Stalled cases ({stalled_total - 1})")
    expect(page.locator("#progress-table tr[data-district='Chatuchak']")).to_contain_text(
        "356 (5.57 %)"
    )
    session.shot("dashboard-english")
    session.check_clean(refused=(422,))


def _to_pixels(page, lat: float, lng: float) -> tuple[float, float]:
    """Page coordinates of a point on the case map."""
    x, y = page.evaluate(
        "([lat, lng]) => { const p = window.caseMap.map.latLngToContainerPoint([lat, lng]);"
        " return [p.x, p.y]; }",
        [lat, lng],
    )
    box = page.locator("#case-map").bounding_box()
    return box["x"] + x, box["y"] + y


def _click(page, x: float, y: float):
    page.mouse.move(x, y, steps=4)
    page.mouse.click(x, y)


def _draw(page, tool: str, centre, offsets, *, close: bool = True):
    """Press a drawing tool, then click the map at pixel offsets from `centre` (lat, lng)."""
    page.click(tool)
    page.locator("#case-map").scroll_into_view_if_needed()
    cx, cy = _to_pixels(page, *centre)
    points = [(cx + dx, cy + dy) for dx, dy in offsets]
    for x, y in points:
        _click(page, x, y)
    if close:
        # On the first vertex where Geoman placed it (snapping may have moved it).
        first = page.evaluate(
            "() => { const d = window.caseMap.map.pm.Draw.Polygon;"
            " if (!d.enabled() || !d._layer.getLatLngs().length) return null;"
            " const p = d._layer.getLatLngs()[0]; return [p.lat, p.lng]; }"
        )
        _click(page, *(_to_pixels(page, *first) if first else points[0]))


def test_draw_plots_with_geoman_snapping_and_save(session):
    page = session.page
    session.login("officer")
    session.goto("/cases?q=KPP-LS-05")
    page.click("a.case-ref:text('KPP-LS-05')")
    session.wait_for_map()
    expect(page.locator("#map-tools")).to_be_visible()
    # Zoom to the middle of the site, close enough to draw house plots.
    centre = page.evaluate(
        "() => { const c = window.caseMap.state.site.getBounds().getCenter();"
        " window.caseMap.map.setView(c, 20, {animate: false}); return [c.lat, c.lng]; }"
    )

    # Plot 1: a square of 60 px drawn by clicks; the first corner again finishes it. The area
    # and length show while drawing.
    expect(page.locator("#plot-no")).to_have_value("1")
    page.click("#tool-plot")
    page.locator("#case-map").scroll_into_view_if_needed()
    cx, cy = _to_pixels(page, *centre)
    corners = [(cx - 60, cy - 30), (cx, cy - 30), (cx, cy + 30), (cx - 60, cy + 30)]
    for x, y in corners:
        _click(page, x, y)
    page.mouse.move(cx - 30, cy + 50, steps=3)
    live = page.locator("#map-measure").inner_text()
    assert "พื้นที่" in live and "ตร.ม." in live and "ตร.ว." in live and "เส้นรอบรูป" in live
    session.shot("plot-being-drawn")
    _click(page, *corners[0])
    expect(page.locator("#map-pending")).to_have_text("ยังไม่ได้บันทึก 1 รายการ")
    area_1 = float(page.locator("#map-measure").get_attribute("data-area-m2"))
    assert 20 < area_1 < 200, area_1

    # Plot 2, beside it: its first and last corners are clicked 4-6 px off plot 1's right
    # corners, and snap onto them.
    expect(page.locator("#plot-no")).to_have_value("2")
    _draw(page, "#tool-plot", centre, [(5, -34), (50, -30), (50, 30), (4, 26)])
    expect(page.locator("#map-pending")).to_have_text("ยังไม่ได้บันทึก 2 รายการ")
    session.shot("plots-drawn")

    page.click("#map-save")
    expect(page.locator("#map-message")).to_have_text("บันทึกแผนที่แล้ว")
    expect(page.locator("#map-pending")).to_have_text("")
    data = page.evaluate(
        "async () => (await fetch(document.getElementById('case-map').dataset.caseUrl)).json()"
    )
    plots = {f["properties"]["plot_no"]: f for f in data["plots"]["features"]}
    assert sorted(plots) == ["1", "2"]
    # The area shown while drawing (geodesic, in the browser) matches the server's (UTM 47N).
    assert plots["1"]["properties"]["area_m2"] == pytest.approx(area_1, rel=0.01)
    ring_1 = [tuple(c) for c in plots["1"]["geometry"]["coordinates"][0]]
    ring_2 = plots["2"]["geometry"]["coordinates"][0]
    # Snapped: plot 2 shares two of plot 1's corners exactly (to 2e-7 degree, about 2 cm).
    shared = [c for c in ring_2[:-1] if any(_close(c, d) for d in ring_1)]
    assert len(shared) == 2, (ring_2, ring_1)
    session.shot("plots-saved")

    # The server's refusal comes back in Thai: a plot number that exists already.
    page.fill("#plot-no", "1")
    _draw(page, "#tool-plot", centre, [(-60, 60), (0, 60), (-30, 100)])
    page.click("#map-save")
    expect(page.locator("#map-errors")).to_contain_text("มีแปลง 1 อยู่แล้ว")
    session.shot("plot-refused")
    page.click("#map-discard")
    expect(page.locator("#map-pending")).to_have_text("")

    # Add a household, then place it on the map.
    page.locator("#add-household-form").scroll_into_view_if_needed()
    page.fill("#new-head", "ครัวเรือนใหม่ ทดสอบ")
    page.select_option("#new-agreed", "1")
    page.click("#add-household-form button[type=submit]")
    expect(page.locator(".flash")).to_have_text("เพิ่มครัวเรือนแล้ว")
    session.wait_for_map()
    option = page.locator("#place-household option", has_text="ครัวเรือนใหม่ ทดสอบ")
    expect(option).to_contain_text("ยังไม่มีตำแหน่ง")
    page.select_option("#place-household", option.get_attribute("value"))
    page.evaluate(
        "([lat, lng]) => window.caseMap.map.setView([lat, lng], 20, {animate: false})", centre
    )
    _draw(page, "#tool-place", centre, [(-30, 0)], close=False)
    page.click("#map-save")
    expect(page.locator("#map-message")).to_have_text("บันทึกแผนที่แล้ว")
    expect(
        page.locator("#place-household option", has_text="ครัวเรือนใหม่ ทดสอบ")
    ).not_to_contain_text("ยังไม่มีตำแหน่ง")
    page.locator("#case-map").scroll_into_view_if_needed()
    session.shot("household-placed")

    # Edit plot 1 (a corner moved a metre west, off plot 2, as the edit tool's drag does) and
    # save: the map PATCHes the plot through the API at the version it read.
    _move_corner(page, "1", east=-0.00001)
    expect(page.locator("#map-pending")).to_have_text("ยังไม่ได้บันทึก 1 รายการ")
    page.click("#map-save")
    expect(page.locator("#map-message")).to_have_text("บันทึกแผนที่แล้ว")
    edited = _plots(page)["1"]
    assert edited["properties"]["version"] == 2
    assert edited["geometry"] != plots["1"]["geometry"]

    # Someone else changes plot 2 meanwhile; saving the map's older edit of it is refused (409)
    # with the reason in Thai, and nothing is lost until the user discards.
    status = page.evaluate(
        """async ([url, geometry]) => (await fetch(url, {
             method: "PATCH", credentials: "same-origin",
             headers: {"Content-Type": "application/json",
                       "X-CSRFToken": document.querySelector('meta[name="csrf-token"]').content},
             body: JSON.stringify({geometry, version: 1})})).status""",
        [plots["2"]["properties"]["url"], plots["2"]["geometry"]],
    )
    assert status == 200
    _move_corner(page, "2")
    page.click("#map-save")
    expect(page.locator("#map-errors")).to_contain_text("มีผู้อื่นแก้ไขรูปนี้ไปแล้ว")
    expect(page.locator("#map-pending")).to_have_text("ยังไม่ได้บันทึก 1 รายการ")
    session.shot("plot-stale")
    page.click("#map-discard")
    expect(page.locator("#map-pending")).to_have_text("")

    # Delete plot 2 from its popup: a DELETE to the API at its current version.
    session.wait_for_map()
    page.once("dialog", lambda dialog: dialog.accept())
    page.evaluate(
        """() => window.caseMap.state.plots.getLayers()
             .find((l) => l.feature?.properties?.plot_no === "2").openPopup()"""
    )
    page.click(".leaflet-popup button:text('ลบแปลงนี้')")
    expect(page.locator("#map-message")).to_have_text("ลบแปลงแล้ว")
    assert sorted(_plots(page)) == ["1"]
    session.check_clean(refused=(409, 422))


def test_a_plot_drawn_outside_the_site_is_refused_and_its_spot_marked(session):
    """Issue 13: the server's verdict (cases.services.plot_rules) in words, the spot marked."""
    page = session.page
    session.login("officer")
    session.goto("/cases?q=KPP-LS-05")
    page.click("a.case-ref:text('KPP-LS-05')")
    session.wait_for_map()
    # Beyond the site's east edge, at house-plot zoom.
    outside = page.evaluate(
        "() => { const b = window.caseMap.state.site.getBounds();"
        " const c = [b.getCenter().lat, b.getEast() + 0.002];"
        " window.caseMap.map.setView(c, 20, {animate: false}); return c; }"
    )
    _draw(page, "#tool-plot", outside, [(-30, -30), (30, -30), (30, 30), (-30, 30)])
    expect(page.locator("#map-pending")).to_have_text("ยังไม่ได้บันทึก 1 รายการ")
    page.click("#map-save")
    expect(page.locator("#map-errors")).to_contain_text("อยู่นอกขอบเขตพื้นที่ของกรณีนี้")
    spot = page.locator(".map-problem-spot")
    expect(spot).to_have_count(1)
    expect(page.locator(".leaflet-tooltip", has_text="ปัญหาอยู่ตรงนี้")).to_be_visible()
    marked = page.evaluate("() => window.caseMap.state.spots.getLayers()[0].getLatLng()")
    assert abs(marked["lat"] - outside[0]) < 0.0002 and abs(marked["lng"] - outside[1]) < 0.0002
    session.shot("plot-outside-site-refused")
    session.check_clean(refused=(422,))


def _plots(page) -> dict:
    """The case's plots by number, as the API answers the map."""
    data = page.evaluate(
        "async () => (await fetch(document.getElementById('case-map').dataset.caseUrl)).json()"
    )
    return {f["properties"]["plot_no"]: f for f in data["plots"]["features"]}


def _move_corner(page, plot_no: str, east: float = 0.00001) -> None:
    """Move a plot's second corner a metre east (`east` degrees), as dragging it with the
    edit tool does."""
    page.evaluate(
        """([no, east]) => {
          const layer = window.caseMap.state.plots.getLayers()
            .find((l) => l.feature?.properties?.plot_no === no);
          const ring = layer.getLatLngs()[0];
          ring[1] = L.latLng(ring[1].lat, ring[1].lng + east);
          layer.setLatLngs([ring]);
          layer.fire("pm:edit");
        }""",
        [plot_no, east],
    )


def _close(a, b, tol=2e-7) -> bool:
    return abs(a[0] - b[0]) < tol and abs(a[1] - b[1]) < tol


def test_new_case_drawn_on_the_map(session):
    page = session.page
    session.login("officer")
    page.click("nav.page-nav >> text=เปิดกรณีใหม่")
    session.wait_for_map()
    page.select_option("#new-community", "KPP-LS-05")
    page.wait_for_timeout(300)
    # Choosing the community flies the map to it: stop that flight, then draw around
    # the centre, placed on the page when the tool is on (as the other drawings are).
    centre = page.evaluate(
        "() => { const m = window.caseMap.map; m.stop();"
        " m.setView(m.getCenter(), 19, {animate: false});"
        " const c = m.getCenter(); return [c.lat, c.lng]; }"
    )
    page.wait_for_timeout(300)
    offsets = [(-80, -60), (80, -60), (80, 60), (-80, 60)]
    _draw(page, "#tool-site", centre, offsets, close=False)
    # Close the ring on the first vertex where Geoman placed it: with snapping on, it
    # may sit on the community's outline a few pixels from where the click was.
    page.wait_for_timeout(300)
    first = page.evaluate(
        "() => { const p = window.caseMap.map.pm.Draw.Polygon._layer.getLatLngs()[0];"
        " return [p.lat, p.lng]; }"
    )
    _click(page, *_to_pixels(page, *first))
    expect(page.locator("#map-message")).to_have_text("วาดขอบเขตพื้นที่แล้ว")
    assert page.locator("#site").input_value().startswith('{"type":"Polygon"')
    page.select_option("#new-type", "baan_mankong")
    page.select_option("#new-variant", "reblocking")
    page.fill("#new-title-th", "ปรับผังชุมชนตัวอย่างหลักสี่ 5")
    page.fill("#new-title-en", "Reblocking of Lak Si 5")
    session.shot("new-case-drawn")
    page.click("#new-case-form button[type=submit]")
    expect(page.locator(".flash")).to_have_text("เปิดกรณีใหม่แล้ว")
    expect(page.locator("h1")).to_contain_text("ปรับผังชุมชนตัวอย่างหลักสี่ 5")
    expect(page.locator("#current-stage")).to_have_text("สำรวจชุมชนและครัวเรือน")
    session.wait_for_map()
    session.shot("new-case-page")
    session.check_clean()
