"""The municipal site check on the web (/overlap, /api/overlap), over a store of this module's
own: the checks write their reports under <home>/reports/overlap/, never into the layer store.

The browser test drives Debian's Chromium with every non-local request aborted; its screenshots
go to tests/output/<test name>/ (git-ignored): look at them after a run.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from urllib.parse import urlparse

import geopandas as gpd
import pytest
from conftest import DATABASE_URL, AuthActions, _drop_schema, _new_schema, serve

from app import create_app
from cases.sample import load_sample_cases
from cases.store import CaseStore
from gis.catalog import load_catalog
from gis.layers import load_sample, read_package
from gis.store import open_store

THREE = ["KPP-CC-01", "KPP-CC-02", "KPP-LS-03"]
ALL_CHECKS = ["zoning", "tenure", "setback", "flood", "disasters"]
CORPUS = Path(__file__).parent / "data" / "corpus"
HOSTILE = "<script>alert(1)</script>"
VERDICT_WORDS = {"ผ่าน", "ต้องระวัง", "ขัดแย้ง"}


# -- fixtures ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def overlap_config(tmp_path_factory):
    """A store loaded with the sample (layers and cases), shared by this module's tests."""
    catalog = load_catalog()
    schema = _new_schema()
    home = tmp_path_factory.mktemp("overlap-instance")
    load_sample(open_store(home, DATABASE_URL, schema=schema), catalog)
    case_store = CaseStore(home, DATABASE_URL, schema=schema)
    load_sample_cases(case_store, read_package(catalog=catalog), demo_users=True)
    case_store.dispose()
    yield {"PLANNER_HOME": str(home), "DATABASE_URL": DATABASE_URL, "DATABASE_SCHEMA": schema}
    _drop_schema(schema)


def layer_state(config) -> dict:
    """Every layer's version and metadata, and the bytes of the store's files."""
    store = open_store(config["PLANNER_HOME"], DATABASE_URL, schema=config["DATABASE_SCHEMA"])
    state = {name: store.info(name).to_dict() for name in store.layer_names()}
    home = Path(config["PLANNER_HOME"])
    for folder in ("layers", "rasters"):
        for path in sorted((home / folder).glob("*")):
            if path.is_file() and path.suffix in (".gpkg", ".tif"):
                state[f"{folder}/{path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


@pytest.fixture(scope="module")
def state_before(overlap_config):
    return layer_state(overlap_config)


@pytest.fixture(scope="module")
def overlap_app(overlap_config, state_before):
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **overlap_config})


@pytest.fixture
def web(overlap_app):
    """A client logged in as the municipality's viewer."""
    client = overlap_app.test_client()
    assert AuthActions(client).login("viewer").status_code == 302
    return client


@pytest.fixture(scope="module")
def new_zoning(overlap_config, tmp_path_factory) -> Path:
    """The sample zoning with every zone under the three sites changed to ก.1 (conservation)."""
    store = open_store(
        overlap_config["PLANNER_HOME"], DATABASE_URL, schema=overlap_config["DATABASE_SCHEMA"]
    )
    zoning = store.read("zoning")
    sites = store.read("communities")
    sites = sites[sites["community_id"].isin(THREE)]
    under = zoning.intersects(sites.union_all())
    assert under.sum() >= 3
    zoning.loc[under, "zone_code"] = "ก.1"
    path = tmp_path_factory.mktemp("upload") / "draft_zoning_2568.gpkg"
    zoning.to_file(path, layer="zoning", driver="GPKG", engine="pyogrio")
    return path


def post(client, path="/overlap", *, files=None, **form):
    data = {"against": ALL_CHECKS, "rules": "bangkok_baan_mankong", **form}
    for name, (content, filename) in (files or {}).items():
        data[name] = (io.BytesIO(content), filename)
    return client.post(path, data=data, content_type="multipart/form-data")


def run_page(client, **form):
    """POST the form; the answer is a redirect to the run's page. Returns (url, html)."""
    res = post(client, **form)
    assert res.status_code == 303, res.get_data(as_text=True)[-3000:]
    url = urlparse(res.headers["Location"]).path
    assert re.fullmatch(r"/overlap/runs/[0-9a-f]{32}", url), url
    page = client.get(url)
    assert page.status_code == 200
    return url, page.get_data(as_text=True)


def rows(html: str) -> dict[str, str]:
    """site id -> the text of its row in the verdict table."""
    out = {}
    for m in re.finditer(r'<tr id="site-row-\d+"[^>]*data-site-id="([^"]*)"(.*?)</tr>', html, re.S):
        out[m.group(1)] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(2)))
    return out


def verdicts(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-site-id="([^"]*)" data-verdict="(\w+)"', html))


def problems_text(html: str) -> str:
    start = html.index('id="overlap-problems"')
    end = html.index("</section>", start)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start:end]))


def sample_geojson(*, names: list[str], ids: list[str]) -> bytes:
    """Two community shapes as a GeoJSON plan of sites, with the given names."""
    gdf = gpd.read_file(CORPUS / "good" / "communities.geojson").iloc[: len(ids)]
    data = json.loads(gdf.to_json(drop_id=True))
    for feature, name, site_id in zip(data["features"], names, ids, strict=True):
        feature["properties"] = {"site_id": site_id, "name": name}
    return json.dumps(data, ensure_ascii=False).encode()


# -- the form ----------------------------------------------------------------------------
def test_page_needs_a_login(overlap_app):
    res = overlap_app.test_client().get("/overlap")
    assert res.status_code == 302 and "/auth/login" in res.headers["Location"]


def test_page_renders_in_thai_for_the_viewer(web):
    res = web.get("/overlap")
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    assert '<html lang="th">' in html
    assert "ตรวจสอบพื้นที่โครงการ" in html and 'id="who"' in html
    assert html.count('name="site_ids"') == 38
    assert "KPP-CC-01" in html and "ชุมชนตัวอย่างจตุจักร 1" in html and "จตุจักร" in html
    assert 'id="site-filter"' in html and 'name="zoning_file"' in html
    assert 'name="sites_file"' in html and 'enctype="multipart/form-data"' in html
    assert 'name="csrf_token"' in html
    for check in ALL_CHECKS:
        assert re.search(rf'value="{check}" id="check-{check}"\s+checked', html), check
    assert "กรุงเทพมหานคร — โครงการบ้านมั่นคง" in html  # the rule set's Thai title
    assert 'href="/overlap"' in html  # in the nav
    assert "vendor/leaflet" not in html and "cdn" not in html.lower()
    english = web.get("/overlap?lang=en").get_data(as_text=True)
    assert "Check project sites" in english and "Run the check" in english


# -- a run -------------------------------------------------------------------------------
def test_three_communities(web):
    url, html = run_page(web, site_ids=THREE)
    found = rows(html)
    assert list(found) == THREE
    for site_id, text in found.items():
        assert any(word in text for word in VERDICT_WORDS), (site_id, text)
    assert set(verdicts(html).values()) <= {"pass", "warning", "conflict"}
    # Every reason in Thai with English beneath, and actions.
    assert "อยู่ในระยะถอยร่นจากคลอง" in html and "Inside the canal setback" in html
    assert "ต้องจัดซื้อหรือเช่าที่ดิน" in html  # the private-land action
    # Counts, the map data, the rules applied, the downloads.
    counts = re.findall(r'data-verdict="(\w+)">\s*<span class="tile-n">(\d+)</span>', html)
    assert sum(int(n) for _, n in counts) == 3
    data = json.loads(re.search(r'id="overlap-run"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert len(data["map"]["sites"]["features"]) == 3
    assert data["map"]["zoning"]["features"] and data["map"]["setback"]["features"]
    lon, lat = data["map"]["sites"]["features"][0]["geometry"]["coordinates"][0][0][:2]
    assert 100 < lon < 101 and 13 < lat < 15  # WGS 84 for Leaflet
    assert 'id="rules-table"' in html and "canal-setback" in html
    for ext in ("pdf", "csv", "geojson", "html"):
        assert f'href="{url}/report.{ext}"' in html, ext


def test_downloads_of_the_run(web):
    url, _ = run_page(web, site_ids=THREE)
    csv = web.get(f"{url}/report.csv")
    assert csv.status_code == 200 and "attachment" in csv.headers["Content-Disposition"]
    assert csv.data.startswith(b"\xef\xbb\xbf")
    lines = csv.data.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 4 and [line.split(",")[0] for line in lines[1:]] == THREE
    geojson = web.get(f"{url}/report.geojson")
    assert geojson.status_code == 200
    features = json.loads(geojson.data)["features"]
    assert len(features) == 3 and {f["properties"]["site_id"] for f in features} == set(THREE)
    pdf = web.get(f"{url}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    html = web.get(f"{url}/report.html")
    assert html.status_code == 200 and "attachment" in html.headers["Content-Disposition"]
    assert html.headers["Content-Security-Policy"] == "sandbox"
    assert "KPP-CC-02" in html.get_data(as_text=True)


def test_uploaded_zoning_changes_the_verdicts(web, new_zoning):
    _, stored = run_page(web, site_ids=THREE, against=["zoning"])
    before = verdicts(stored)
    assert "conflict" not in before.values()
    url, html = run_page(
        web,
        site_ids=THREE,
        against=["zoning"],
        files={"zoning_file": (new_zoning.read_bytes(), new_zoning.name)},
    )
    after = verdicts(html)
    assert set(after) == set(THREE) and set(after.values()) == {"conflict"}
    assert after != before
    assert "เขตอนุรักษ์ชนบทและเกษตรกรรม (ก.1)" in html
    # Named in the notes, the data checked against and the report's provenance.
    assert 'id="uploaded-zoning-note"' in html and new_zoning.name in html
    inputs = re.search(r'id="inputs-list">(.*?)</ul>', html, re.S).group(1)
    assert new_zoning.name in inputs
    provenance = json.loads(web.get(f"{url}/report.geojson").data)["provenance"]
    assert provenance["inputs"]["zoning"]["uploaded_file"] == new_zoning.name


def test_sites_from_a_file_with_hostile_names_are_escaped(web):
    content = sample_geojson(names=[HOSTILE, "ชุมชน & เพื่อน"], ids=["EVIL-1", "OK-2"])
    evil_file = "<img src=x onerror=alert(2)>.geojson"
    _, html = run_page(web, source="file", files={"sites_file": (content, evil_file)})
    assert set(rows(html)) == {"EVIL-1", "OK-2"}
    assert HOSTILE not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;.geojson" in html
    assert "ชุมชน &amp; เพื่อน" in html


def test_json_api(overlap_app):
    client = overlap_app.test_client()
    headers = AuthActions(client).basic("viewer")
    res = client.post("/api/overlap", json={"site_ids": THREE}, headers=headers)
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert [v["site_id"] for v in body["verdicts"]] == THREE
    assert all(v["verdict_th"] in VERDICT_WORDS and v["reasons"] for v in body["verdicts"])
    assert sum(body["counts"].values()) == 3 and body["against"] == ALL_CHECKS
    assert set(body["links"]) >= {"page", "csv", "geojson"}
    assert urlparse(body["links"]["page"]).path.startswith("/overlap/runs/")
    csv = client.get(urlparse(body["links"]["csv"]).path, headers=headers)
    assert csv.status_code == 200 and csv.data.startswith(b"\xef\xbb\xbf")
    assert client.get("/api/overlap/runs/0123/report.csv", headers=headers).status_code == 404
    bad = client.post("/api/overlap", json={"site_ids": []}, headers=headers)
    assert bad.status_code == 400
    error = bad.get_json()["error"]
    assert error["th"] and error["en"] and error["problems"][0]["field"] == "site_ids"
    assert client.post("/api/overlap", json={"site_ids": THREE}).status_code == 401


# -- refusals ----------------------------------------------------------------------------
def test_no_sites_is_400_in_thai_and_english(web):
    res = post(web, site_ids=[])
    assert res.status_code == 400
    text = problems_text(res.get_data(as_text=True))
    assert "ยังไม่ได้เลือกพื้นที่" in text and "No sites chosen" in text
    assert "site_ids" in text
    res = post(web, site_ids=THREE, against=[])
    assert res.status_code == 400
    assert "No check ticked" in problems_text(res.get_data(as_text=True))


def test_sites_file_without_crs(web):
    content = (CORPUS / "bad" / "no_crs.zip").read_bytes()
    res = post(web, source="file", files={"sites_file": (content, "no_crs.zip")})
    assert res.status_code == 400
    html = res.get_data(as_text=True)
    text = problems_text(html)
    assert "no_crs.zip" in text and "crs" in text
    assert "ไม่มีระบบพิกัด" in text and "no coordinate reference system" in text
    assert "ระบบพิกัดของไฟล์" in text  # how to fix it on this form
    assert re.search(r'value="file" id="source-file"\s+checked', html)  # the choice is kept


def test_wrong_type_bad_geometry_and_zoning_without_zone_code(web, new_zoning, tmp_path):
    # Wrong file types, both files at once: every problem is listed.
    res = post(
        web,
        source="file",
        files={"sites_file": (b"a,b\n1,2\n", "plan.csv"), "zoning_file": (b"x", "zoning.xlsx")},
    )
    assert res.status_code == 400
    text = problems_text(res.get_data(as_text=True))
    assert "plan.csv" in text and "zoning.xlsx" in text and "ไม่รองรับไฟล์ชนิด" in text

    # Sites that are points, not areas: named by file, feature (1-based on the page) and field.
    points = json.loads(sample_geojson(names=["หนึ่ง", "สอง"], ids=["A", "B"]))
    for feature in points["features"]:
        x, y = feature["geometry"]["coordinates"][0][0][:2]
        feature["geometry"] = {"type": "Point", "coordinates": [x, y]}
    res = post(
        web, source="file", files={"sites_file": (json.dumps(points).encode(), "pins.geojson")}
    )
    assert res.status_code == 400
    text = problems_text(res.get_data(as_text=True))
    assert "pins.geojson" in text and "geometry" in text and "not a polygon" in text
    assert "ไม่ใช่รูปหลายเหลี่ยม" in text
    assert re.search(r"feature 1\b", text) and re.search(r"feature 2\b", text), text
    assert text.count("not a polygon") == 2  # said once per feature

    # A zoning plan without zone_code.
    zoning = gpd.read_file(new_zoning).drop(columns=["zone_code"])
    path = tmp_path / "no_code.gpkg"
    zoning.to_file(path, layer="zoning", driver="GPKG", engine="pyogrio")
    res = post(web, site_ids=THREE, files={"zoning_file": (path.read_bytes(), path.name)})
    assert res.status_code == 400
    text = problems_text(res.get_data(as_text=True))
    assert "no_code.gpkg" in text and "zone_code" in text


def test_too_large_is_413_on_the_form(overlap_app, web):
    overlap_app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    try:
        res = post(
            web, source="file", files={"sites_file": (b"0" * (1024 * 1024 + 10), "big.geojson")}
        )
    finally:
        overlap_app.config["MAX_CONTENT_LENGTH"] = 50 * 1024 * 1024
    assert res.status_code == 413
    text = problems_text(res.get_data(as_text=True))
    assert "ขีดจำกัด 1 MB" in text and "size limit of 1 MB" in text


def test_bad_run_ids_and_formats_are_404(web, overlap_config):
    url, _ = run_page(web, site_ids=THREE[:1])
    run_id = url.rsplit("/", 1)[1]
    assert web.get(f"{url}/report.csv").status_code == 200
    for bad in (
        "/overlap/runs/0123456789abcdef0123456789abcdef",
        f"/overlap/runs/{run_id.upper()}",
        f"/overlap/runs/{run_id[:-1]}",
        "/overlap/runs/..",
        "/overlap/runs/%2e%2e%2f%2e%2e",
        f"/overlap/runs/{run_id}/report.exe",
        f"/overlap/runs/{run_id}/report.json",
        f"/overlap/runs/{run_id}/run.json",
        f"/overlap/runs/{run_id}x/report.csv",
    ):
        res = web.get(bad)
        assert res.status_code == 404, bad
    assert "ไม่พบ" in web.get("/overlap/runs/nope").get_data(as_text=True)
    # The run's folder holds only what the page serves.
    folder = Path(overlap_config["PLANNER_HOME"]) / "reports" / "overlap" / run_id
    assert {p.name for p in folder.iterdir()} <= {
        "run.json",
        "report.csv",
        "report.geojson",
        "report.html",
        "report.pdf",
    }


def test_the_layer_store_is_unchanged(web, overlap_config, state_before, new_zoning):
    run_page(web, site_ids=THREE, files={"zoning_file": (new_zoning.read_bytes(), new_zoning.name)})
    reports = Path(overlap_config["PLANNER_HOME"]) / "reports" / "overlap"
    runs = sorted(p.name for p in reports.iterdir())
    assert post(web, site_ids=["NO-SUCH-SITE"]).status_code == 400
    assert sorted(p.name for p in reports.iterdir()) == runs  # a refusal keeps nothing
    assert layer_state(overlap_config) == state_before
    home = Path(overlap_config["PLANNER_HOME"])
    assert not (home / "uploads").exists() or not any((home / "uploads").iterdir())


# -- in a browser ------------------------------------------------------------------------
@pytest.mark.browser
def test_viewer_checks_three_sites_in_a_browser(browser, overlap_config, new_zoning, output_dir):
    from playwright.sync_api import expect

    external, errors = [], []
    with serve(create_app({"TESTING": True, **overlap_config})) as base:
        context = browser.new_context(
            viewport={"width": 1366, "height": 900}, locale="th-TH", accept_downloads=True
        )

        def route(r):
            if urlparse(r.request.url).hostname != "127.0.0.1":
                external.append(r.request.url)
                r.abort()
            else:
                r.continue_()

        context.route("**/*", route)
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        try:
            page.goto(f"{base}/auth/login")
            page.fill("#username", "viewer")
            page.fill("#password", AuthActions.passwords["viewer"])
            page.click("button[type=submit]")
            expect(page.locator("#who")).to_contain_text("viewer")

            page.goto(f"{base}/overlap")
            expect(page.locator("h1")).to_have_text("ตรวจสอบพื้นที่โครงการ")
            page.fill("#site-filter", "จตุจักร")
            expect(page.locator("tr.site-row:visible")).to_have_count(5)
            for site_id in THREE[:2]:
                page.check(f"input[name=site_ids][value='{site_id}']")
            page.fill("#site-filter", "KPP-LS-03")
            page.check(f"input[name=site_ids][value='{THREE[2]}']")
            expect(page.locator("#site-count")).to_contain_text("เลือกแล้ว 3 แห่ง")
            page.set_input_files("#zoning_file", str(new_zoning))
            page.screenshot(path=str(output_dir / "01-form.png"), full_page=True)
            page.click("#overlap-submit")

            page.wait_for_url(re.compile(r"/overlap/runs/[0-9a-f]{32}$"))
            page.wait_for_selector('body[data-map-state="ready"]')
            page.evaluate("() => document.fonts.ready")
            expect(page.locator("path.overlap-site")).to_have_count(3)
            assert page.locator("path.overlap-zoning").count() > 0
            assert page.locator("path.overlap-setback").count() > 0
            expect(page.locator("#verdict-table tbody tr")).to_have_count(3)
            for site_id in THREE:
                row = page.locator(f"#verdict-table tr[data-site-id='{site_id}']")
                expect(row).to_contain_text("ขัดแย้ง")
                expect(row).to_contain_text("เขตอนุรักษ์ชนบทและเกษตรกรรม")
            expect(page.locator("#uploaded-zoning-note")).to_contain_text(new_zoning.name)
            page.screenshot(path=str(output_dir / "02-result.png"), full_page=True)
            page.screenshot(path=str(output_dir / "03-result-top.png"))

            with page.expect_download() as info:
                page.click("#download-pdf")
            pdf = Path(info.value.path()).read_bytes()
            assert pdf.startswith(b"%PDF"), pdf[:20]
            assert info.value.suggested_filename.endswith(".pdf")
        finally:
            context.close()
    assert external == [], f"requests to other hosts: {external}"
    assert errors == [], f"console errors: {errors}"


def test_the_site_check_and_imports_api_are_documented_whatever_the_order(app):
    """Registered before the case API made the Api object, the site check and imports
    still land in the one OpenAPI document, from their schemas."""
    from flask import Flask

    from app import api, cases_api, imports_views, overlap_views

    early = Flask("early")
    early.config.update(app.config)
    early.extensions["planner"] = {"store": None, "catalog": load_catalog(), "cache": {}}
    early.register_blueprint(api.bp)
    overlap_views.init_app(early)
    imports_views.init_app(early)
    cases_api.init_app(early)  # already made: it must not make a second Api
    spec = early.extensions["planner"]["api"].spec.to_dict()
    assert {
        "/api/overlap",
        "/api/overlap/runs/{run_id}/report.{ext}",
        "/api/imports",
        "/api/imports/{report_id}",
        "/api/exports/{layer}",
    } <= set(spec["paths"])
    assert any(p.startswith("/api/cases") for p in spec["paths"])
    body = spec["paths"]["/api/overlap"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"] == {"$ref": "#/components/schemas/OverlapRequest"}
    overlap_request = spec["components"]["schemas"]["OverlapRequest"]
    assert overlap_request["required"] == ["site_ids"]
    query = spec["paths"]["/api/exports/{layer}"]["get"]["parameters"]
    assert {p["name"] for p in query if p["in"] == "query"} == {"format", "open_data"}
