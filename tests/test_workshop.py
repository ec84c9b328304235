"""The community workshop (app/layout_views.py): the page, the layout options API, saving the
agreed layout to a case, and the whole workshop in a real headless Chromium.

The browser test runs over a store of its own; every request to a host other than 127.0.0.1
is aborted and recorded and must not happen, and console errors fail it. Screenshots go to
tests/output/<test name>/: look at them after a run.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import shapely
import shapely.affinity
import shapely.ops
from playwright.sync_api import expect

from app import create_app
from app.store import get_store
from gis.layout import PlotType, generate_layouts
from gis.layout_inputs import community_site
from tests.conftest import AuthActions, serve
from tests.test_cases_browser import Session

SAMPLE_REF = "KPP-LS-02"  # a canal strip where layouts fit reasonably: ~97 of 174 with defaults
REP_REF = "KPP-CC-01"  # rep.cc01's community
EMPTY_REF = "KPP-CC-02"  # a thin strip where no house fits outside the setback


# -- helpers ---------------------------------------------------------------------------
def login(client, username: str) -> None:
    response = AuthActions(client).login(username)
    assert response.status_code == 302, response.get_data(as_text=True)


def case_by_ref(client, ref: str) -> dict:
    items = client.get(f"/api/cases?q={ref}").get_json()["items"]
    return next(item for item in items if item["ref"] == ref)


def ws_data(html: str) -> dict:
    raw = re.search(r'<script type="application/json" id="ws-data"[^>]*>(.*?)</script>', html, re.S)
    return json.loads(raw.group(1))


def generate(client, case_id: int, **params):
    return client.post(f"/api/cases/{case_id}/layouts", json=params)


def save_body(data: dict, option: dict, **extra) -> dict:
    """A save request for `option` of a generate answer, as the page sends it (EPSG:32647)."""
    features = [
        json.loads(json.dumps(f))  # a copy: tests change them
        for f in option["utm"]["features"]
        if f["properties"]["layer"] != "open_space" or f["properties"]["kind"] == "common"
    ]
    return {
        "version": data["case"]["version"],
        "option": option["option"],
        "name": option["name"],
        "parameters": data["parameters"],
        "crs": "EPSG:32647",
        "access_point": option["access_point"],
        "features": {"type": "FeatureCollection", "features": features},
        "agreed_by": "คณะกรรมการกลุ่มออมทรัพย์ชุมชน",
        "agreed_on": "2568-03-05",  # Buddhist Era: 5 March 2025
        "note": "ตกลงในที่ประชุมใหญ่",
        **extra,
    }


def assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["status"] == status and error["en"] and error["th"]
    return error


# -- the page --------------------------------------------------------------------------
@pytest.mark.parametrize("username, ref", [("officer", SAMPLE_REF), ("rep.cc01", REP_REF)])
def test_workshop_page_is_thai_first_for_those_who_may_save(client, username, ref):
    login(client, username)
    case = case_by_ref(client, ref)
    response = client.get(f"/cases/{case['id']}/workshop")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="th">' in html
    for text in ("ประชุมวางผังชุมชน", "สร้างทางเลือก", "บ้านแถว", "บ้านแฝด", "ซอยหลักกว้าง", "ผู้ตกลง"):
        assert text in html, text
    assert 'id="ws-save"' in html and 'id="ws-view-only"' not in html
    # Every asset from this server: the page works with no internet.
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    data = ws_data(html)
    assert data["lang"] == "th" and data["can_edit"] is True
    assert data["site"]["site"]["utm"]["type"] == "Polygon"
    # The script's texts come from the catalogue; its verdicts from the server's check.
    assert data["strings"]["broken.en"].startswith("✗") and "ข้อ" in data["strings"]["broken"]
    assert data["urls"]["check"] == f"/api/cases/{case['id']}/workshop/check"
    assert "tolerances" not in data["site"]
    assert not any(key.startswith("v.") for key in data["strings"])
    with client.application.app_context():
        site = community_site(get_store(), ref)
    # Households default to the community's agreed households; plots to 3.5 × 8 and 5 × 10.
    assert f'id="p-households" value="{site.households}"' in html
    assert 'id="p-row-width" value="3.5"' in html and 'id="p-twin-depth" value="10"' in html
    # The case page has the big button to it, and the nav links it.
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert re.search(rf'id="workshop-link"\s+href="/cases/{case["id"]}/workshop"', page)
    assert "ยังไม่ได้บันทึกผังที่ชุมชนตกลง" in page


def test_viewers_look_but_do_not_save(writable_client):
    client = writable_client
    login(client, "viewer")
    case = case_by_ref(client, SAMPLE_REF)
    html = client.get(f"/cases/{case['id']}/workshop").get_data(as_text=True)
    assert 'id="ws-save"' not in html and 'id="ws-view-only"' in html
    assert ws_data(html)["can_edit"] is False
    # They may make options to look at, but not save one.
    data = generate(client, case["id"], options=2).get_json()
    assert len(data["options"]) == 2 and data["case"]["can_edit"] is False
    refused = client.post(
        f"/api/cases/{case['id']}/layout-decisions", json=save_body(data, data["options"][0])
    )
    assert_error(refused, 403)
    decisions = client.get(f"/api/cases/{case['id']}/layout-decisions").get_json()
    assert decisions == {"decisions": []}


def test_a_representative_cannot_open_another_communitys_workshop(client):
    login(client, "officer")
    case_id = case_by_ref(client, SAMPLE_REF)["id"]
    login(client, "rep.cc01")
    assert client.get(f"/cases/{case_id}/workshop").status_code == 403
    assert_error(generate(client, case_id), 403)
    assert_error(client.post(f"/api/cases/{case_id}/layout-decisions", json={}), 403)


def test_not_logged_in(client):
    assert client.get("/cases/1/workshop").status_code == 302
    assert_error(generate(client, 1), 401)


# -- the options API ---------------------------------------------------------------------
def test_options_match_gis_layout_for_the_same_parameters(client):
    login(client, "officer")
    case = case_by_ref(client, SAMPLE_REF)
    params = {
        "households": 150,
        "plot_types": [
            {"name": "row", "width": 4, "depth": 8},
            {"name": "twin", "width": 5, "depth": 9},
        ],
        "main_lane_width": 6,
        "lane_width": 3.5,
        "setback": 14,
        "common_share": 0.08,
        "options": 3,
        "unit_costs": {"plot_services": 30000},
    }
    response = generate(client, case["id"], **params)
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert len(data["options"]) == 3
    with client.application.app_context():
        site = community_site(get_store(), SAMPLE_REF)
    expected = generate_layouts(
        site.site,
        households=150,
        canal=site.canal,
        access=site.access,
        plot_types=[PlotType("row", 4, 8), PlotType("twin", 5, 9)],
        main_lane_width=6,
        lane_width=3.5,
        setback=14,
        common_share=0.08,
        options=3,
        unit_costs={"plot_services": 30000},
    )
    for got, want in zip(data["options"], expected, strict=True):
        assert got["option"] == want.option and got["name"] == want.name
        m, w = got["metrics"], want.metrics
        assert m["households_housed"] == w["households_housed"] > 0
        assert m["shortfall"] == w["shortfall"] and m["households_needed"] == 150
        assert m["plots_by_type"] == w["plots_by_type"]
        assert m["lane_length_m"] == pytest.approx(w["lane_length_m"])
        assert m["common_space_m2"] == pytest.approx(w["common_space_m2"])
        assert m["cost_baht"] == w["cost_baht"] and m["unit_costs"]["plot_services"] == 30000
        layers = [f["properties"]["layer"] for f in got["utm"]["features"]]
        assert layers.count("plot") == len(want.plots) and layers.count("lane") == len(want.lanes)
        # The same features twice: GeoJSON in WGS84, and in EPSG:32647 metres for the page.
        lon, lat = got["geojson"]["features"][0]["geometry"]["coordinates"][0][0]
        x, y = got["utm"]["features"][0]["geometry"]["coordinates"][0][0]
        assert 100 < lon < 101 and 13 < lat < 14.5 and 600_000 < x < 700_000
        plot = next(f for f in got["utm"]["features"] if f["properties"]["layer"] == "plot")
        assert shapely.geometry.shape(plot["geometry"]).equals_exact(
            want.plots.geometry.iloc[0], 1e-9
        )
    assert data["parameters"]["plot_types"][0]["label"]["th"] == "บ้านแถว 4 × 8 ม."
    assert data["setback_zone"]["utm"]["type"] in ("Polygon", "MultiPolygon")


def test_changing_the_plot_size_changes_the_options(client):
    login(client, "officer")
    case = case_by_ref(client, SAMPLE_REF)
    default = generate(client, case["id"], options=2).get_json()["options"]
    wider = generate(
        client,
        case["id"],
        options=2,
        plot_types=[
            {"name": "row", "width": 5, "depth": 8},
            {"name": "twin", "width": 5, "depth": 10},
        ],
    ).get_json()["options"]
    assert wider[0]["metrics"]["households_housed"] < default[0]["metrics"]["households_housed"]
    assert wider[0]["metrics"]["plot_area_mean_m2"] == pytest.approx(40)
    assert default[0]["metrics"]["plot_area_mean_m2"] == pytest.approx(28)


def test_where_no_house_fits_the_options_say_so_plainly(client):
    login(client, "officer")
    case = case_by_ref(client, EMPTY_REF)
    response = generate(client, case["id"], options=2)
    assert response.status_code == 200
    for option in response.get_json()["options"]:
        assert option["metrics"]["households_housed"] == 0
        assert option["metrics"]["shortfall"] == option["metrics"]["households_needed"] > 0


def test_bad_parameters_are_refused_with_every_problem(client):
    login(client, "officer")
    case = case_by_ref(client, SAMPLE_REF)
    response = generate(
        client,
        case["id"],
        options=7,
        lane_width="wide",
        households=0,
        plot_types=[{"name": "row", "width": 0.5, "depth": 8}],
    )
    error = assert_error(response, 400)
    fields = {p["field"] for p in error["problems"]}
    assert {"options", "lane_width", "households", "plot"} <= fields
    assert all(p["th"] and p["en"] for p in error["problems"])
    assert_error(client.post(f"/api/cases/{case['id']}/layouts", data="x"), 400)


def test_the_options_print_as_an_a3_pdf(client):
    login(client, "viewer")  # printing changes nothing: viewers may print too
    case = case_by_ref(client, SAMPLE_REF)
    data = generate(client, case["id"], options=2).get_json()
    # The first option as adjusted on the page: one plot fewer.
    features = [
        f for f in data["options"][0]["utm"]["features"] if f["properties"].get("plot_no") != 1
    ]
    response = client.post(
        f"/cases/{case['id']}/workshop/options.pdf",
        json={"parameters": data["parameters"], "options": [{"option": 1, "features": features}]},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert f"{SAMPLE_REF}-layout-options.pdf" in response.headers["Content-Disposition"]
    html = client.get(f"/cases/{case['id']}/workshop").get_data(as_text=True)
    assert 'id="ws-print"' in html


# -- saving the agreed layout ---------------------------------------------------------------
def test_save_replaces_the_plots_and_records_the_decision(writable_client):
    client = writable_client
    login(client, "officer")
    case = case_by_ref(client, SAMPLE_REF)
    data = generate(client, case["id"], options=2).get_json()
    option = data["options"][0]
    saved = client.post(f"/api/cases/{case['id']}/layout-decisions", json=save_body(data, option))
    assert saved.status_code == 201, saved.get_data(as_text=True)
    body = saved.get_json()
    assert body["case"]["version"] == data["case"]["version"] + 1
    decision = body["decision"]
    assert decision["agreed_by"] == "คณะกรรมการกลุ่มออมทรัพย์ชุมชน"
    assert decision["agreed_on"] == "2025-03-05" and decision["agreed_on_text"] == "5 มี.ค. 2568"
    assert decision["recorded_by"] == "officer" and decision["option_name"] == option["name"]["th"]
    assert decision["metrics"]["households_housed"] == option["metrics"]["households_housed"]
    assert decision["metrics"]["lane_length_m"] == pytest.approx(option["metrics"]["lane_length_m"])
    assert decision["parameters"]["option"]["option"] == 1

    # The case's plots are the option's plots, lanes and common space.
    plots = client.get(f"/api/cases/{case['id']}/plots").get_json()["features"]
    kinds = [f["properties"]["kind"] for f in plots]
    features = option["utm"]["features"]
    assert kinds.count("plot") == sum(f["properties"]["layer"] == "plot" for f in features)
    assert kinds.count("lane") == sum(f["properties"]["layer"] == "lane" for f in features)
    assert kinds.count("common") >= 1
    numbers = {f["properties"]["plot_no"] for f in plots}
    assert {"1", "L-main", "L-lane1", "C-1"} <= numbers

    listed = client.get(f"/api/cases/{case['id']}/layout-decisions").get_json()["decisions"]
    assert [d["id"] for d in listed] == [decision["id"]]
    audit = client.get(f"/api/audit?entity=layout_decision&entity_id={decision['id']}").get_json()[
        "items"
    ]
    assert [e["action"] for e in audit] == ["record"]
    assert audit[0]["username"] == "officer"
    assert audit[0]["after"]["agreed_by"] == "คณะกรรมการกลุ่มออมทรัพย์ชุมชน"
    assert audit[0]["after"]["plots"]["plot"] == kinds.count("plot")

    # The case page shows the decision: who agreed, and when in the Buddhist Era.
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    panel = page[page.index('id="layout-decision"') :]
    assert "คณะกรรมการกลุ่มออมทรัพย์ชุมชน" in panel and "5 มี.ค. 2568" in panel
    assert option["name"]["th"] in panel
    assert "ตกลงในที่ประชุมใหญ่" in panel
    english = client.get(f"/cases/{case['id']}?lang=en").get_data(as_text=True)
    assert "5 Mar 2025" in english[english.index('id="layout-decision"') :]
    # And the workshop page says which layout was agreed last.
    workshop = client.get(f"/cases/{case['id']}/workshop?lang=th").get_data(as_text=True)
    assert "ผังที่ตกลงล่าสุด" in workshop

    # Saving again from the version read before: someone else saved first.
    stale = client.post(f"/api/cases/{case['id']}/layout-decisions", json=save_body(data, option))
    assert assert_error(stale, 409)["current_version"] == body["case"]["version"]
    # The second option, from the current version: the plots are replaced, not added.
    second = data["options"][1]
    again = client.post(
        f"/api/cases/{case['id']}/layout-decisions",
        json=save_body(data, second, version=body["case"]["version"]),
    )
    assert again.status_code == 201, again.get_data(as_text=True)
    plots = client.get(f"/api/cases/{case['id']}/plots").get_json()["features"]
    assert (
        sum(f["properties"]["kind"] == "plot" for f in plots)
        == (second["metrics"]["households_housed"])
    )
    listed = client.get(f"/api/cases/{case['id']}/layout-decisions").get_json()["decisions"]
    assert len(listed) == 2 and listed[0]["option_name"] == second["name"]["th"]


def test_plots_drawn_by_hand_are_listed_before_a_layout_replaces_them(writable_client):
    """Issue 13: a save that would replace plots drawn on the case page asks first (the
    refusal lists them, field confirm_replace); the saved decision records them."""
    client = writable_client
    login(client, "officer")
    case = case_by_ref(client, SAMPLE_REF)
    site = shapely.geometry.shape(client.get(f"/api/cases/{case['id']}").get_json()["site"])
    x, y = site.representative_point().coords[0]
    ring = [[x, y], [x + 0.00004, y], [x + 0.00004, y + 0.00004], [x, y + 0.00004], [x, y]]
    drawn = client.post(
        f"/api/cases/{case['id']}/plots",
        json={"plot_no": "H-1", "geometry": {"type": "Polygon", "coordinates": [ring]}},
    )
    assert drawn.status_code == 201, drawn.get_data(as_text=True)
    data = generate(client, case["id"], options=2).get_json()
    option = data["options"][0]
    url = f"/api/cases/{case['id']}/layout-decisions"
    asked = assert_error(client.post(url, json=save_body(data, option)), 400)
    assert asked["field"] == "confirm_replace"
    assert asked["hand_drawn"] == [{"plot_no": "H-1", "kind": "plot"}]
    assert "H-1" in asked["en"] and "H-1" in asked["th"] and "วาดด้วยมือ" in asked["th"]
    plots = client.get(f"/api/cases/{case['id']}/plots").get_json()["features"]
    assert [f["properties"]["plot_no"] for f in plots] == ["H-1"]  # nothing replaced yet

    saved = client.post(url, json=save_body(data, option, confirm_replace=True))
    assert saved.status_code == 201, saved.get_data(as_text=True)
    decision = saved.get_json()["decision"]
    assert decision["parameters"]["replaced_hand_drawn"] == [{"plot_no": "H-1", "kind": "plot"}]
    plots = client.get(f"/api/cases/{case['id']}/plots").get_json()["features"]
    assert "H-1" not in {f["properties"]["plot_no"] for f in plots}
    # The layout's own plots are not drawn by hand: the next save replaces them unasked.
    again = client.post(
        url, json=save_body(data, data["options"][1], version=saved.get_json()["case"]["version"])
    )
    assert again.status_code == 201, again.get_data(as_text=True)
    assert again.get_json()["decision"]["parameters"]["replaced_hand_drawn"] == []


def test_a_broken_layout_is_refused_listing_its_problems(writable_client):
    client = writable_client
    login(client, "officer")
    case = case_by_ref(client, SAMPLE_REF)
    data = generate(client, case["id"], options=2).get_json()
    option = data["options"][0]
    body = save_body(data, option)
    plots = [f for f in body["features"]["features"] if f["properties"]["layer"] == "plot"]
    # Plot 2 drawn over plot 1: they overlap, and plot 2's old place is empty.
    plots[1]["geometry"] = plots[0]["geometry"]
    refused = client.post(f"/api/cases/{case['id']}/layout-decisions", json=body)
    error = assert_error(refused, 400)
    messages = [p["en"] for p in error["problems"]]
    no1, no2 = plots[0]["properties"]["plot_no"], plots[1]["properties"]["plot_no"]
    assert any(m.startswith(f"plot {no1} overlaps plot {no2}") for m in messages), messages
    assert any(f"แปลง {no1} ทับซ้อนกับแปลง {no2}" in p["th"] for p in error["problems"])
    # A lane moved onto the plots: they overlap it and lose their frontage.
    body = save_body(data, option)
    lane = next(
        f for f in body["features"]["features"] if f["properties"].get("lane_id") == "lane1"
    )
    geom = shapely.affinity.translate(shapely.geometry.shape(lane["geometry"]), 2.0, 2.0)
    lane["geometry"] = shapely.geometry.mapping(geom)
    error = assert_error(client.post(f"/api/cases/{case['id']}/layout-decisions", json=body), 400)
    assert "plot overlaps a lane" in [p["en"] for p in error["problems"]]
    # Nothing was saved.
    assert client.get(f"/api/cases/{case['id']}/plots").get_json()["features"] == []
    assert client.get(f"/api/cases/{case['id']}/layout-decisions").get_json()["decisions"] == []
    # Nor without saying who agreed and when, or with a date still to come.
    for extra, field in (
        ({"agreed_by": " "}, "agreed_by"),
        ({"agreed_on": ""}, "agreed_on"),
        ({"agreed_on": "2999-01-01"}, "agreed_on"),
        ({"agreed_on": "5/3/2568"}, "agreed_on"),
    ):
        error = assert_error(
            client.post(
                f"/api/cases/{case['id']}/layout-decisions",
                json=save_body(data, option, **extra),
            ),
            400,
        )
        assert error["field"] == field, (extra, error)


def test_the_representative_saves_their_own_communitys_layout(writable_client):
    client = writable_client
    login(client, "rep.cc01")
    case = case_by_ref(client, REP_REF)
    data = generate(client, case["id"], options=2).get_json()
    option = max(data["options"], key=lambda o: o["metrics"]["households_housed"])
    # WGS84 GeoJSON, as other clients send it, is accepted too.
    body = save_body(data, option, crs=None, access_point=None)
    body["features"] = [
        f
        for f in option["geojson"]["features"]
        if f["properties"]["layer"] != "open_space" or f["properties"]["kind"] == "common"
    ]
    saved = client.post(f"/api/cases/{case['id']}/layout-decisions", json=body)
    assert saved.status_code == 201, saved.get_data(as_text=True)
    assert saved.get_json()["decision"]["recorded_by"] == "rep.cc01"
    assert date.fromisoformat(saved.get_json()["decision"]["agreed_on"]) == date(2025, 3, 5)


# -- the server's check: the one source of the page's verdicts ---------------------------
def check_body(data: dict, option: dict) -> dict:
    """What the page sends after an edit: the option in EPSG:32647 and the parameters."""
    body = save_body(data, option)
    return {k: body[k] for k in ("option", "parameters", "crs", "access_point", "features")}


def python_verdict(app, body: dict) -> list[tuple[str, str, str | None]]:
    """The plot rules (`plot_rule_problems`, the plot API's) and `gis.layout.layout_problems`
    computed here, on the geometry a request sends."""
    from app.application.workshop import parse_layout, parse_parameters, plot_rule_problems
    from gis.layout import layout_problems

    with app.app_context():
        site = community_site(get_store(), SAMPLE_REF)
    params = parse_parameters(body["parameters"], site)
    layout, _ = parse_layout(body, params)
    access = [shapely.geometry.Point(body["access_point"])]
    problems = layout_problems(
        layout,
        site.site,
        canal=site.canal,
        setback=params["setback"],
        access=access,
        plot_rules=False,
    )
    rules = [(p["th"], p["en"], p["feature"]) for p in plot_rule_problems(layout, site.site)]
    return rules + [(p.message_th, p.message_en, p.feature) for p in problems]


def edited_layouts(data: dict, option: dict):
    """A shared set of edits (name, body): a lane moved onto plots, two plots merged, one
    split, a plot outside the site, a plot within the canal setback, and no edit."""

    def plots_of(body):
        return [f for f in body["features"]["features"] if f["properties"]["layer"] == "plot"]

    def move(feature, dx, dy):
        geom = shapely.affinity.translate(shapely.geometry.shape(feature["geometry"]), dx, dy)
        feature["geometry"] = shapely.geometry.mapping(geom)

    body = check_body(data, option)
    yield "unedited", body
    body = check_body(data, option)
    move(
        next(f for f in body["features"]["features"] if f["properties"].get("lane_id") == "lane1"),
        2.0,
        2.0,
    )
    yield "lane moved onto plots", body
    body = check_body(data, option)
    plots = plots_of(body)
    a, b = (shapely.geometry.shape(p["geometry"]) for p in plots[:2])
    plots[0]["geometry"] = shapely.geometry.mapping(shapely.union_all([a, b]).convex_hull)
    body["features"]["features"].remove(plots[1])
    yield "two plots merged", body
    body = check_body(data, option)
    plot = plots_of(body)[0]
    geom = shapely.geometry.shape(plot["geometry"])
    halves = shapely.ops.split(geom, shapely.affinity.scale(shapely.geometry.LineString(
        [geom.centroid, (geom.centroid.x + 1, geom.centroid.y)]), 100, 100)).geoms  # fmt: skip
    plot["geometry"] = shapely.geometry.mapping(halves[0])
    twin = json.loads(json.dumps(plot))
    twin["properties"]["plot_no"] = "9999"
    twin["geometry"] = shapely.geometry.mapping(halves[1])
    body["features"]["features"].append(twin)
    yield "a plot split", body
    body = check_body(data, option)
    move(plots_of(body)[0], 0.0, 500.0)
    yield "a plot outside the site", body


def test_the_check_answers_with_gis_layout_on_every_edit(client):
    login(client, "viewer")  # anyone who may see the case may check a layout
    case = case_by_ref(client, SAMPLE_REF)
    data = generate(client, case["id"], options=2).get_json()
    option = data["options"][0]
    url = f"/api/cases/{case['id']}/workshop/check"
    seen = set()
    for name, body in edited_layouts(data, option):
        response = client.post(url, json=body)
        assert response.status_code == 200, (name, response.get_data(as_text=True))
        answer = response.get_json()
        got = [(p["th"], p["en"], p["feature"]) for p in answer["problems"]]
        assert got == python_verdict(client.application, body), name
        assert answer["metrics"]["households_housed"] == len(
            [f for f in body["features"]["features"] if f["properties"]["layer"] == "plot"]
        )
        seen |= {en for _, en, _ in got}
    # The edits broke the rules they should have.
    assert {"plot overlaps a lane", "plot does not front a lane"} <= seen, seen
    assert any("outside the case's site" in en or "beyond the case's site" in en for en in seen)
    # The unedited option keeps every rule, with the generator's own numbers.
    answer = client.post(url, json=check_body(data, option)).get_json()
    assert answer["problems"] == []
    for key in ("households_housed", "shortfall", "plots_by_type", "common_space_m2"):
        assert answer["metrics"][key] == pytest.approx(option["metrics"][key]), key


def test_a_plot_within_the_setback_is_found_by_the_check(client):
    login(client, "officer")
    case = case_by_ref(client, SAMPLE_REF)
    data = generate(client, case["id"], options=2).get_json()
    body = check_body(data, data["options"][0])
    with client.application.app_context():
        site = community_site(get_store(), SAMPLE_REF)
    canal = shapely.union_all(list(site.canal))
    plot = next(f for f in body["features"]["features"] if f["properties"]["layer"] == "plot")
    geom = shapely.geometry.shape(plot["geometry"])
    near, _ = shapely.ops.nearest_points(canal, geom.centroid)
    moved = shapely.affinity.translate(geom, near.x - geom.centroid.x, near.y - geom.centroid.y)
    plot["geometry"] = shapely.geometry.mapping(moved)
    answer = client.post(f"/api/cases/{case['id']}/workshop/check", json=body).get_json()
    got = [(p["th"], p["en"], p["feature"]) for p in answer["problems"]]
    assert ("แปลงอยู่ในระยะถอยร่นจากคลอง", "plot is inside the canal setback",
            str(plot["properties"]["plot_no"])) in got  # fmt: skip
    assert got == python_verdict(client.application, body)


def test_the_check_is_fast_enough_to_follow_each_edit(client):
    import time

    login(client, "officer")
    case = case_by_ref(client, SAMPLE_REF)
    data = generate(client, case["id"], options=2).get_json()
    body = check_body(data, data["options"][0])
    url = f"/api/cases/{case['id']}/workshop/check"
    client.post(url, json=body)  # warm
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        assert client.post(url, json=body).status_code == 200
        times.append(time.perf_counter() - t0)
    plots = sum(f["properties"]["layer"] == "plot" for f in body["features"]["features"])
    print(f"check of {plots} plots: median {sorted(times)[2] * 1000:.0f} ms")
    # Well under a second even on a loaded machine (the page waits for it after each edit).
    assert sorted(times)[2] < 1.0


def test_the_check_refuses_what_it_cannot_read(client):
    login(client, "officer")
    case = case_by_ref(client, SAMPLE_REF)
    url = f"/api/cases/{case['id']}/workshop/check"
    error = assert_error(client.post(url, json={"features": []}), 400)
    assert error["field"] == "features"
    error = assert_error(client.post(url, data="[]", content_type="application/json"), 400)
    assert_error(client.post("/api/cases/999999/workshop/check", json={"features": [1]}), 404)


# -- in the browser ------------------------------------------------------------------------
@pytest.fixture
def workshop_session(browser, writable_config, output_dir):
    app = create_app({"TESTING": True, **writable_config})
    with serve(app) as url:
        s = Session(browser, url, output_dir)
        s.app = app
        yield s
        s.close()


def _map_point(page, map_expr: str, box_selector: str, xy) -> tuple[float, float]:
    """Page pixels of a point given in the workshop's metres on one of its maps."""
    x, y = page.evaluate(
        f"([p]) => {{ const m = {map_expr}; const c = m.latLngToContainerPoint("
        "window.workshop.toLatLng(p)); return [c.x, c.y]; }",
        [xy],
    )
    box = page.locator(box_selector).bounding_box()
    return box["x"] + x, box["y"] + y


def _editor_point(page, xy):
    return _map_point(page, "window.workshop.state.editor.map", "#ws-edit-map", xy)


def _problems(page) -> int:
    """How many rules the server found broken, once it has answered the last edit."""
    page.wait_for_selector("#ws-editor[data-checked=true]", state="attached")
    return page.evaluate("() => window.workshop.state.editor.opt.problems.length")


@pytest.mark.browser
def test_workshop_in_the_browser(workshop_session):
    session = workshop_session
    page = session.page
    session.login("officer")
    session.goto(f"/cases?q={SAMPLE_REF}")
    page.click(f"a.case-ref:text('{SAMPLE_REF}')")
    page.click("#workshop-link")
    page.wait_for_selector("#ws-root[data-ready=true]")
    expect(page.locator("h1")).to_contain_text("ประชุมวางผังชุมชน")
    session.shot("workshop-page")

    # Wider row houses (3.5 → 4 m), narrower side lanes (4 → 3.5 m), three options.
    page.click("button.ws-step[data-for=p-row-width][data-dir='1']")
    page.click("button.ws-step[data-for=p-lane][data-dir='-1']")
    expect(page.locator("#p-row-width")).to_have_value("4")
    expect(page.locator("#p-lane")).to_have_value("3.5")
    page.click("label[for=ws-options-3]")
    page.click("#ws-generate")
    expect(page.locator(".ws-card")).to_have_count(3)
    expect(page.locator("#ws-status")).to_have_text("สร้างแล้ว 3 ทางเลือก")
    options = page.evaluate("() => window.workshop.state.response.options.map(o => o.metrics)")
    params = page.evaluate("() => window.workshop.state.response.parameters")
    assert params["plot_types"][0]["width"] == 4 and params["lane_width"] == 3.5
    for card, metrics in zip(page.locator(".ws-card").all(), options, strict=True):
        assert card.locator("path").count() > metrics["households_housed"]
        housed = (
            f"บ้าน {metrics['households_housed']} หลัง จาก {metrics['households_needed']} ครัวเรือน"
        )
        expect(card.locator(".ws-m-housed")).to_have_text(housed)
        expect(card.locator(".ws-m-short")).to_have_text(f"ขาดอีก {metrics['shortfall']} ครัวเรือน")
        expect(card.locator(".ws-m-cost")).to_contain_text("ล้านบาท")
        for name, label in (("row", "บ้านแถว 4 × 8 ม."), ("twin", "บ้านแฝด 5 × 10 ม.")):
            n = metrics["plots_by_type"].get(name)
            expect(card.locator(f".ws-m-{name}")).to_have_count(1 if n else 0)
            if n:
                expect(card.locator(f".ws-m-{name}")).to_have_text(f"{label}: {n} หลัง")
    page.locator("#ws-options").scroll_into_view_if_needed()
    session.shot("three-options")

    # Choose the first: it opens large, and keeps every rule.
    page.locator(".ws-card").first.locator(".ws-choose").click()
    expect(page.locator("#ws-editor")).to_be_visible()
    expect(page.locator("#ws-valid")).to_be_visible()
    expect(page.locator("#ws-save")).to_be_enabled()
    housed = options[0]["households_housed"]

    # Merge two plots side by side: still valid, one house fewer.
    pair = page.evaluate(
        """() => { const ps = window.workshop.state.editor.opt.plots;
        for (let i = 0; i < ps.length; i++) for (let j = i + 1; j < ps.length; j++)
          if (window.workshop.mergedRing(ps[i].ring, ps[j].ring))
            return [ps[i].no, ps[j].no, window.workshop.centroid(ps[i].ring),
                    window.workshop.centroid(ps[j].ring)]; }"""
    )
    page.click("#ws-tool-merge")
    page.evaluate(
        "([c]) => window.workshop.state.editor.map.setView(window.workshop.toLatLng(c), 2.5,"
        " {animate: false})",
        [pair[2]],
    )
    page.mouse.click(*_editor_point(page, pair[2]))
    expect(page.locator("#ws-edit-message")).to_contain_text(f"เลือกแปลง {pair[0]} แล้ว")
    page.mouse.click(*_editor_point(page, pair[3]))
    expect(page.locator("#ws-edit-message")).to_have_text(
        f"รวมแปลง {pair[0]} กับ {pair[1]} เป็นแปลง {pair[0]} แล้ว"
    )
    expect(page.locator("#ws-valid")).to_be_visible()
    assert _problems(page) == 0
    expect(page.locator("#ws-edit-metrics .ws-m-housed")).to_contain_text(f"บ้าน {housed - 1} หลัง")
    session.shot("plots-merged")

    # Move a side lane 1 m across: it runs over one row of plots and leaves the other.
    page.evaluate(
        "() => window.workshop.state.editor.map.fitBounds(window.workshop.siteBounds(),"
        " {animate: false, paddingTopLeft: [20, 50]})"
    )
    page.click("#ws-tool-move")
    lane = page.evaluate(
        """() => { const l = window.workshop.state.editor.opt.lanes.find(
          (l) => l.kind === 'secondary'); return [l.id, window.workshop.centroid(l.polys[0][0])]; }"""
    )
    x, y = _editor_point(page, lane[1])
    page.mouse.click(x + 60, y)  # off the lane's middle, where the main lane crosses it
    expect(page.locator("#ws-lane-name")).to_contain_text("ซอย 1")
    page.click("#ws-lane-plus")
    expect(page.locator("#ws-invalid")).to_be_visible()
    expect(page.locator("#ws-invalid-count")).to_contain_text("ผิดเงื่อนไข")
    expect(page.locator(".ws-violation-tip").first).to_be_visible()
    tips = " ".join(page.locator(".ws-violation-tip").all_inner_texts())
    assert "แปลงทับซอย" in tips or "แปลงไม่ติดซอย" in tips, tips
    assert "plot overlaps a lane" in tips or "plot does not front a lane" in tips, tips
    expect(page.locator("#ws-problems")).to_contain_text("แปลงทับซอย")
    expect(page.locator("#ws-problems")).to_contain_text("plot overlaps a lane")
    expect(page.locator("#ws-save")).to_be_disabled()
    expect(page.locator("#ws-save-blocked")).to_be_visible()
    assert _problems(page) > 10
    session.shot("lane-moved-broken")
    # The server finds it broken too (the page would not send it: its button is off).
    status, problems = page.evaluate(
        """async () => { const w = window.workshop;
        const body = { ...w.savePayload(w.state.editor.opt), agreed_by: "x", agreed_on: "2025-03-05" };
        const r = await w.postJSON(w.urls.save, body);
        return [r.status, r.data.error.problems.map((p) => p.en)]; }"""
    )
    assert status == 400 and "plot overlaps a lane" in problems, (status, problems[:5])
    assert "plot does not front a lane" in problems
    # Dragging it another way, then undoing, leaves it where it was.
    x, y = _editor_point(page, lane[1])
    page.mouse.move(x + 60, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 25, steps=5)
    page.mouse.up()
    offset = page.evaluate("() => window.workshop.state.lane.offset")
    assert offset != 1, offset
    page.click("#ws-undo")
    assert page.evaluate("() => window.workshop.state.lane.offset") == 1
    # Back where it was: valid again.
    page.click("#ws-lane-minus")
    expect(page.locator("#ws-valid")).to_be_visible()
    assert _problems(page) == 0

    # Split a plot in two across its side on the lane, then think again.
    page.click("#ws-tool-split")
    twin = page.evaluate(
        """([merged]) => { const o = window.workshop.state.editor.opt;
        const p = o.plots.find((p) => p.type === 'row' && p.no !== merged);
        return [p.no, window.workshop.centroid(p.ring)]; }""",
        [pair[0]],
    )
    page.mouse.click(*_editor_point(page, twin[1]))
    expect(page.locator("#ws-edit-message")).to_contain_text(f"แบ่งแปลง {twin[0]} เป็นแปลง")
    expect(page.locator("#ws-edit-metrics .ws-m-housed")).to_contain_text(f"บ้าน {housed} หลัง")
    page.click("#ws-undo")
    expect(page.locator("#ws-edit-metrics .ws-m-housed")).to_contain_text(f"บ้าน {housed - 1} หลัง")
    assert _problems(page) == 0

    # Save it, with who agreed and when (Buddhist Era).
    page.fill("#ws-agreed-by", "คณะกรรมการกลุ่มออมทรัพย์ชุมชนหลักสี่ 2")
    page.select_option("#ws-day", "5")
    page.select_option("#ws-month", "3")
    page.select_option("#ws-year", "2568")
    page.fill("#ws-note", "ที่ประชุมใหญ่เลือกทางเลือกที่ 1 และรวมแปลงให้ครอบครัวใหญ่")
    expect(page.locator("#ws-save")).to_be_enabled()
    page.locator("#ws-save-form").scroll_into_view_if_needed()
    session.shot("ready-to-save")
    page.click("#ws-save")
    expect(page.locator("#ws-saved")).to_be_visible()
    expect(page.locator("#ws-saved-text")).to_contain_text("5 มี.ค. 2568")
    session.shot("saved")

    # Print the options compared, as adjusted: an A3 PDF from the local server.
    page.click("#ws-back")
    expect(page.locator("#ws-print")).to_be_visible()
    with page.expect_download() as download:
        page.click("#ws-print")
    expect(page.locator("#ws-print-status")).to_have_text("ดาวน์โหลดไฟล์ PDF แล้ว")
    pdf = download.value.path().read_bytes()
    assert download.value.suggested_filename == f"{SAMPLE_REF}-layout-options.pdf"
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    (session.output / "layout-options.pdf").write_bytes(pdf)
    session.shot("printed")

    # The case page shows the decision, and the layout on its map.
    session.goto(f"/cases/{page.evaluate('() => window.workshop.state.response.case.id')}")
    session.wait_for_map()
    panel = page.locator("#layout-decision")
    expect(panel.locator("#layout-agreed-by")).to_have_text("คณะกรรมการกลุ่มออมทรัพย์ชุมชนหลักสี่ 2")
    expect(panel.locator("#layout-agreed-on")).to_have_text("5 มี.ค. 2568")
    expect(panel).to_contain_text(f"บ้าน {housed - 1} หลัง")
    data = page.evaluate(
        "async () => (await fetch(document.getElementById('case-map').dataset.caseUrl)).json()"
    )
    kinds = [f["properties"]["kind"] for f in data["plots"]["features"]]
    assert kinds.count("plot") == housed - 1 and "lane" in kinds and "common" in kinds
    panel.scroll_into_view_if_needed()
    session.shot("case-page-decision")
    page.locator("#case-map").scroll_into_view_if_needed()
    session.shot("case-page-map")
    session.check_clean(refused=(400,))


@pytest.mark.browser
def test_a_strip_too_thin_for_any_house_is_shown_plainly(workshop_session):
    session = workshop_session
    page = session.page
    session.login("officer")
    session.goto(f"/cases?q={EMPTY_REF}")
    page.click(f"a.case-ref:text('{EMPTY_REF}')")
    page.click("#workshop-link")
    page.wait_for_selector("#ws-root[data-ready=true]")
    page.click("label[for=ws-options-2]")
    page.click("#ws-generate")
    expect(page.locator(".ws-card")).to_have_count(2)
    for card in page.locator(".ws-card").all():
        expect(card.locator(".ws-m-housed")).to_contain_text("บ้าน 0 หลัง")
        expect(card.locator(".ws-m-none")).to_contain_text("ที่ดินนี้วางบ้านไม่ได้เลย")
        expect(card.locator(".ws-choose")).to_be_disabled()
    expect(page.locator("#ws-generate-errors")).to_be_hidden()
    page.locator("#ws-options").scroll_into_view_if_needed()
    session.shot("nothing-fits")
    # In English too.
    page.click(".lang-switch >> text=English")
    page.wait_for_selector("#ws-root[data-ready=true]")
    expect(page.locator("h1")).to_contain_text("Community layout workshop")
    page.click("label[for=ws-options-2]")
    page.click("#ws-generate")
    expect(page.locator(".ws-card .ws-m-housed").first).to_have_text("0 houses for 97 households")
    expect(page.locator(".ws-card .ws-m-none").first).to_contain_text("No house fits")
    page.locator("#ws-options").scroll_into_view_if_needed()
    session.shot("nothing-fits-english")
    session.check_clean()


# The edits of the shared set, as the page makes them (its own tools, or a plot moved).
_BROWSER_EDITS = {
    "unedited": "() => {}",
    "lane moved onto plots": """(o) => { const w = window.workshop;
        w.moveLane(o, o.lanes.find((l) => l.kind === 'secondary'), 1); }""",
    "two plots merged": """(o) => { const w = window.workshop;
        for (const a of o.plots) for (const b of o.plots)
          if (a !== b && w.mergedRing(a.ring, b.ring)) { w.mergePlots(o, a, b); return; } }""",
    "a plot split": """(o) => { const w = window.workshop;
        w.splitPlot(o, o.plots.find((p) => p.type === 'row')); }""",
    "a plot outside the site": """(o) => {
        o.plots[0].ring = o.plots[0].ring.map(([x, y]) => [x, y + 500]); }""",
    "a plot within the setback": """([o, at]) => { const p = o.plots[0];
        const c = window.workshop.centroid(p.ring);
        p.ring = p.ring.map(([x, y]) => [x + at[0] - c[0], y + at[1] - c[1]]); }""",
}


@pytest.mark.browser
def test_the_page_shows_the_servers_verdict_on_each_edit(workshop_session):
    """Browser and server agree: after each edit of a shared set, the rules the page shows
    broken are exactly gis.layout.layout_problems on the geometry the page holds."""
    session = workshop_session
    page = session.page
    session.login("officer")
    session.goto(f"/cases?q={SAMPLE_REF}")
    page.click(f"a.case-ref:text('{SAMPLE_REF}')")
    page.click("#workshop-link")
    page.wait_for_selector("#ws-root[data-ready=true]")
    page.click("label[for=ws-options-2]")
    page.click("#ws-generate")
    expect(page.locator(".ws-card")).to_have_count(2)
    with session.app.app_context():
        site = community_site(get_store(), SAMPLE_REF)
    # A point 1 m off the canal's centre line, in the page's frame (metres less its origin).
    origin = page.evaluate(
        "() => JSON.parse(document.getElementById('ws-data').textContent).site.origin"
    )
    canal = shapely.union_all(list(site.canal)).intersection(site.site.buffer(30))
    on_canal = canal.interpolate(0.5, normalized=True)
    near_canal = [on_canal.x - origin[0], on_canal.y - origin[1]]
    seen = set()
    for name, script in _BROWSER_EDITS.items():
        page.locator(".ws-card").first.locator(".ws-choose").click()
        expect(page.locator("#ws-editor")).to_be_visible()
        page.evaluate(
            f"""([at]) => {{ const o = window.workshop.state.editor.opt;
            const w = window.workshop;
            ({script})({"[o, at]" if "at" in script else "o"}); w.afterEdit(); }}""",
            [near_canal],
        )
        _problems(page)
        body = page.evaluate("() => window.workshop.checkBody(window.workshop.state.editor.opt)")
        want = python_verdict(session.app, body)
        shown = [
            (li.locator(".ws-v-th").inner_text(), li.locator(".ws-v-en").inner_text())
            for li in page.locator("#ws-problems li").all()
            if li.locator(".ws-v-th").count()
        ]
        assert shown == [(th, en) for th, en, _ in want][:40], name
        if want:
            expect(page.locator("#ws-invalid")).to_be_visible()
            expect(page.locator("#ws-invalid-count")).to_contain_text(str(len(want)))
            expect(page.locator("#ws-save")).to_be_disabled()
        else:
            expect(page.locator("#ws-valid")).to_be_visible()
            expect(page.locator("#ws-save")).to_be_enabled()
        seen |= {en for _, en, _ in want}
        session.shot(f"verdict-{name.replace(' ', '-')}")
        page.click("#ws-back")
        # The next edit starts from the generated option again.
        page.evaluate("() => { window.workshop.state.response = null; }")
        page.click("#ws-generate")
        page.wait_for_function("() => window.workshop.state.response !== null")
    assert {"plot overlaps a lane", "plot is inside the canal setback"} <= seen, seen
    assert any("outside the case's site" in en or "beyond the case's site" in en for en in seen)
    session.check_clean()


# -- the API's OpenAPI document ----------------------------------------------------------
def test_the_api_answers_as_its_openapi_document_says(writable_client):
    """Every workshop answer, success or refusal, is true to the schemas of
    /api/openapi.json (flask-smorest, from app/layout_views.py)."""
    import schemathesis
    from schemathesis.core.failures import FailureGroup

    client = writable_client
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", client.application)
    base = "/api/cases/{case_id}"

    def conforms(response, path: str, method: str, status: int):
        assert response.status_code == status, response.get_data(as_text=True)
        schema[base + path][method].validate_response(response)  # raises when it does not
        return response.get_json()

    login(client, "officer")
    case = case_by_ref(client, SAMPLE_REF)
    cid = case["id"]
    # The check has teeth: an answer the document does not describe fails it.
    wrong = client.get(f"/api/cases/{cid}")  # a case, not a list of decisions
    with pytest.raises(FailureGroup) as failed:
        schema[base + "/layout-decisions"]["GET"].validate_response(wrong)
    assert any('"decisions" is a required property' in e.message for e in failed.value.exceptions)
    data = conforms(generate(client, cid, options=2), "/layouts", "POST", 200)
    conforms(generate(client, cid, options=9, households=0), "/layouts", "POST", 400)
    conforms(generate(client, 999_999), "/layouts", "POST", 404)
    option = data["options"][0]
    url = f"/api/cases/{cid}/workshop/check"
    for _name, body in edited_layouts(data, option):
        conforms(client.post(url, json=body), "/workshop/check", "POST", 200)
    broken = {**check_body(data, option), "features": {"features": [{"properties": {}}]}}
    assert conforms(client.post(url, json=broken), "/workshop/check", "POST", 400)["error"][
        "problems"
    ]
    saves = f"/api/cases/{cid}/layout-decisions"
    conforms(client.get(saves), "/layout-decisions", "GET", 200)
    saved = conforms(
        client.post(saves, json=save_body(data, option)), "/layout-decisions", "POST", 201
    )
    conforms(client.post(saves, json=save_body(data, option)), "/layout-decisions", "POST", 409)
    assert (
        conforms(client.get(saves), "/layout-decisions", "GET", 200)["decisions"][0]["id"]
        == (saved["decision"]["id"])
    )
    login(client, "viewer")
    conforms(client.post(saves, json=save_body(data, option)), "/layout-decisions", "POST", 403)


def test_the_api_is_documented_whatever_the_order(app):
    """Registered before the case API made the Api object, the workshop's API still
    lands in the one OpenAPI document, from its schemas; no hand-written copy is left."""
    from flask import Flask

    from app import api, cases_api, layout_views
    from gis.catalog import load_catalog

    assert not hasattr(layout_views, "_API_DOCS")
    early = Flask("early")
    early.config.update(app.config)
    early.extensions["planner"] = {"store": None, "catalog": load_catalog(), "cache": {}}
    early.register_blueprint(api.bp)
    layout_views.init_app(early)
    cases_api.init_app(early)  # already made: it must not make a second Api
    spec = early.extensions["planner"]["api"].spec.to_dict()
    paths = spec["paths"]
    base = "/api/cases/{case_id}"
    assert {"get", "post"} <= set(paths[f"{base}/layout-decisions"])
    save = paths[f"{base}/layout-decisions"]["post"]
    assert save["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LayoutDecisionIn"
    }
    assert {"201", "400", "401", "403", "404", "409"} <= set(save["responses"])
    assert save["tags"] == ["workshop"]
    required = spec["components"]["schemas"]["LayoutDecisionIn"]["required"]
    assert set(required) == {"version", "features", "agreed_by", "agreed_on"}
    for path in ("/layouts", "/workshop/check"):
        ok = paths[base + path]["post"]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"]["$ref"].startswith("#/components/schemas/Layout")
