"""Projects anywhere in Thailand: a Khon Kaen officer's Google Earth KML into an empty
store (field mapping), cases from that layer, the dashboard by province and district,
and a map that opens on Khon Kaen. Runs on either store (DATABASE_URL)."""

from __future__ import annotations

import io
import json
import re

import pytest

from app import create_app
from app.application import imports, layer_cases
from cases.model import User
from cases.policy import ADMIN
from cases.register import dopa_names
from cases.store import CaseStore
from gis.catalog import load_catalog
from gis.errors import ValidationError
from gis.sample import AREAS
from gis.store import open_store

CLI_USER = User(username="cli", role=ADMIN)
# Three community boundaries in Mueang Khon Kaen, as Google Earth saves them: each
# Placemark's <name> and <description>, lon,lat,alt coordinates.
PLACES = [
    ("ชุมชนหนองแวงตราชู", 102.8200),
    ("ชุมชนโนนหนองวัด", 102.8300),
    ("ชุมชนสามเหลี่ยม", 102.8400),
]


def khon_kaen_kml() -> bytes:
    marks = []
    for name, lon in PLACES:
        ring = " ".join(
            f"{x:.4f},{y:.4f},0"
            for x, y in [(lon, 16.43), (lon + 0.004, 16.43), (lon + 0.004, 16.434), (lon, 16.434)]
        )
        marks.append(
            f"<Placemark><name>{name}</name><description>บ้านมั่นคง พ.ศ. 2567</description>"
            f"<styleUrl>#m</styleUrl><Polygon><outerBoundaryIs><LinearRing><coordinates>"
            f"{ring} {lon:.4f},16.4300,0</coordinates></LinearRing></outerBoundaryIs>"
            f"</Polygon></Placemark>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">'
        "<Document><name>ชุมชนขอนแก่น.kml</name><Folder><name>ชุมชน</name>"
        + "".join(marks)
        + "</Folder></Document></kml>"
    ).encode("utf-8")


@pytest.fixture
def stores(store_config):
    layer_store = open_store(
        store_config["PLANNER_HOME"],
        store_config["DATABASE_URL"],
        schema=store_config["DATABASE_SCHEMA"],
    )
    case_store = CaseStore(
        store_config["PLANNER_HOME"],
        store_config["DATABASE_URL"],
        schema=store_config["DATABASE_SCHEMA"],
    )
    yield layer_store, case_store
    case_store.dispose()


def _import_kml(layer_store, tmp_path, field_map):
    path = tmp_path / "khon_kaen.kml"
    path.write_bytes(khon_kaen_kml())
    options = imports.ImportOptions(layer="communities", field_map=field_map)
    return imports.import_into(layer_store, load_catalog(), path, options)


def test_core_schema_needs_only_a_name_and_a_boundary(catalog):
    communities = catalog["communities"]
    assert communities.required_fields() == ["name_th"]
    assert communities.fields["bank"].profile == "khlong_prem"
    assert not communities.fields["households_total"].required
    assert catalog["canal_centreline"].profile == "khlong_prem"
    assert {"core", "khlong_prem"} <= set(catalog.profiles)


def test_kml_into_an_empty_store_with_field_mapping(stores, tmp_path):
    layer_store, _ = stores
    assert not layer_store.has_layer("communities")
    choices = imports.field_choices(
        load_catalog(), _write(tmp_path), imports.ImportOptions(layer="communities")
    )
    assert {"name", "description"} <= set(choices.file_fields)
    assert choices.suggested["name_th"] == "name"
    # Either way round, as the CLI's --map name_th=name takes it.
    report = _import_kml(layer_store, tmp_path, imports.parse_field_map(["name_th=name"]))
    assert report.features_written == 3
    gdf = layer_store.read("communities")
    assert sorted(gdf["name_th"]) == sorted(n for n, _ in PLACES)
    assert list(gdf["community_id"]) == ["khon_kaen-001", "khon_kaen-002", "khon_kaen-003"]
    assert any("community_id" in w["message_en"] for w in report.warnings)


def test_a_bad_mapping_names_the_field(stores, tmp_path):
    layer_store, _ = stores
    with pytest.raises(ValidationError) as exc:
        _import_kml(layer_store, tmp_path, {"nmae_th": "name"})
    problem = exc.value.problems[0]
    assert problem.field == "nmae_th" and "communities" in problem.message_en
    assert "ไม่ใช่ฟิลด์" in problem.message_th
    with pytest.raises(ValidationError) as exc:
        _import_kml(layer_store, tmp_path, None)
    assert "--map name_th=name" in exc.value.problems[0].message_en
    assert not layer_store.has_layer("communities")


def _write(tmp_path):
    path = tmp_path / "khon_kaen.kml"
    path.write_bytes(khon_kaen_kml())
    return path


def test_cases_from_the_layer_are_idempotent(stores, tmp_path):
    layer_store, case_store = stores
    _import_kml(layer_store, tmp_path, {"name": "name_th"})
    kwargs = dict(layer="communities", programme="baan_mankong", province_code="40")
    kwargs["district_code"] = "4001"
    plan, _ = layer_cases.plan_cases_from_layer(layer_store, case_store, CLI_USER, **kwargs)
    assert len(plan.to_open) == 3 and not plan.written
    done = layer_cases.create_cases_from_layer(layer_store, case_store, CLI_USER, **kwargs)
    assert done.opened == ["khon_kaen-001-BAA-01", "khon_kaen-002-BAA-01", "khon_kaen-003-BAA-01"]
    again = layer_cases.create_cases_from_layer(layer_store, case_store, CLI_USER, **kwargs)
    assert again.opened == [] and len(again.existing) == 3
    with case_store.uow() as uow:
        communities = uow.repo.list_communities()
        case = uow.repo.get_case_by_ref("khon_kaen-001-BAA-01")
    assert {(c.province_code, c.district_code) for c in communities} == {("40", "4001")}
    assert communities[0].district_en == dopa_names("4001")["en"]
    assert case.site is not None and case.site.geom_type == "Polygon"
    assert case.site.area == pytest.approx(layer_store.read("communities").geometry[0].area)
    with pytest.raises(Exception) as exc:  # a district outside the province
        layer_cases.plan_cases_from_layer(
            layer_store, case_store, CLI_USER, **{**kwargs, "district_code": "1030"}
        )
    assert "1030" in str(exc.value)


def test_per_feature_dopa_codes_are_checked(stores, tmp_path):
    layer_store, case_store = stores
    _import_kml(layer_store, tmp_path, {"name": "name_th", "description": "district_code"})
    with pytest.raises(ValidationError) as exc:
        layer_cases.plan_cases_from_layer(
            layer_store, case_store, CLI_USER, layer="communities", programme="baan_mankong"
        )
    assert {p.field for p in exc.value.problems} == {"district_code", "province_code"}
    assert {p.feature for p in exc.value.problems} == {0, 1, 2}


def test_cli_cases_create_from_layer(store_config, tmp_path):
    from test_cli import planner

    path = _write(tmp_path)
    planner(
        "import", str(path), "--layer", "communities", "--map", "name_th=name", config=store_config
    )
    args = ("cases", "create", "--from-layer", "communities", "--programme", "baan_mankong")
    first = planner(*args, "--province-code", "40", "--district-code", "4001", config=store_config)
    assert "cases opened: 3" in first.stdout and "กรณีที่เปิดแล้ว: 3" in first.stdout
    second = planner(*args, "--json", config=store_config)
    assert json.loads(second.stdout)["opened"] == []
    bad = planner(*args, "--province-code", "99", config=store_config, check=False)
    assert bad.returncode == 1 and "'99'" in bad.stderr


def test_dashboard_groups_by_province_and_district(stores, tmp_path):
    from cases import services

    layer_store, case_store = stores
    _import_kml(layer_store, tmp_path, {"name": "name_th"})
    layer_cases.create_cases_from_layer(
        layer_store,
        case_store,
        CLI_USER,
        layer="communities",
        programme="baan_mankong",
        province_code="40",
        district_code="4001",
    )
    areas = services.progress_by_area(case_store.uow(), CLI_USER)
    assert [(p["code"], p["name_en"], p["cases"]) for p in areas] == [("40", "Khon Kaen", 3)]
    assert [(d["code"], d["name_th"], d["communities"]) for d in areas[0]["districts"]] == [
        ("4001", "เมืองขอนแก่น", 3)
    ]


def test_sample_areas_have_their_dopa_codes():
    for area, (province, district, subdistrict) in ((a.name_en, a.dopa) for a in AREAS):
        assert district.startswith(province)
        assert dopa_names(district)["en"].replace(" ", "") == area.replace(" ", "") or (
            subdistrict and dopa_names(subdistrict)["en"] == area
        )
    assert dopa_names("130114") == {"th": "หลักหก", "en": "Lak Hok"}


def test_sample_dashboard_by_area_and_the_khlong_prem_table(sample_app):
    from cases import services

    client = sample_app.test_client()
    client.post("/auth/login", data={"username": "officer", "password": _password("officer")})
    html = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert 'id="areas-table"' in html and 'data-province-code="10"' in html
    assert 'data-district-code="1301"' in html and "Mueang Pathum Thani" in html
    with sample_app.app_context():
        from app.casestore import uow

        table = services.progress(uow())
        areas = {p["code"]: p for p in services.progress_by_area(uow())}
    # The published Khlong Prem table, exactly as before.
    rows = {r["district_en"]: r for r in table["districts"]}
    assert [r["district_en"] for r in table["districts"]] == [
        "Chatuchak",
        "Lak Si",
        "Don Mueang",
        "Lak Hok",
    ]
    assert (rows["Lak Si"]["households_agreed"], rows["Lak Si"]["finished"]) == (2248, 88)
    assert (table["total"]["finished"], table["total"]["shares"]["finished"]) == (634, 9.93)
    # The same households by DOPA code: Bangkok 10, Pathum Thani 13.
    assert set(areas) == {"10", "13"}
    assert areas["13"]["households_agreed"] == rows["Lak Hok"]["households_agreed"]
    assert areas["10"]["finished"] + areas["13"]["finished"] == 634
    districts = {d["code"]: d for d in areas["10"]["districts"]}
    assert districts["1041"]["finished"] == 88


def _password(username):
    from cases.sample import DEMO_USERS

    return {u: p for u, p, _, _ in DEMO_USERS}[username]


def test_map_opens_on_khon_kaen_in_an_empty_store(store_config, stores, tmp_path):
    layer_store, case_store = stores
    _import_kml(layer_store, tmp_path, {"name": "name_th"})
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **store_config})
    html = app.test_client().get("/").get_data(as_text=True)
    raw = re.search(r'data-initial-bounds="([^"]*)"', html).group(1)
    west, south, east, north = json.loads(raw.replace("&#34;", '"'))
    assert 102.81 < west < east < 102.85 and 16.42 < south < north < 16.44
    # The officer's own communities are theirs, not the sample's illustrative shapes.
    layers = app.test_client().get("/api/layers").get_json()["layers"]
    communities = next(m for m in layers if m["name"] == "communities")
    assert communities["status"] == "imported"
    assert "khon_kaen.kml" in communities["status_note"]["th"]
    assert "นำเข้าจากไฟล์" in communities["status_note"]["th"]


def test_map_opens_on_the_corridor_with_the_sample(client):
    html = client.get("/").get_data(as_text=True)
    west, south, east, north = json.loads(
        re.search(r'data-initial-bounds="([^"]*)"', html).group(1)
    )
    assert 100.4 < west < east < 100.7 and 13.7 < south < north < 14.1


def test_upload_page_maps_fields_without_resending(store_config, stores, tmp_path):
    _, case_store = stores
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **store_config})
    client = app.test_client()
    _login_officer(case_store, client)
    data = {"file": (io.BytesIO(khon_kaen_kml()), "khon_kaen.kml"), "layer": "communities"}
    page = client.post(
        "/imports?lang=en", data={**data, "action": "fields"}, content_type="multipart/form-data"
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="mapping"' in html
    assert re.search(r'name="mapto-name_th">.*?<option value="name" selected', html, re.S)
    token = re.search(r'name="pending" value="([A-Za-z0-9_-]{32})"', html).group(1)
    done = client.post(
        "/imports",
        data={"pending": token, "layer": "communities", "mapto-name_th": "name"},
        content_type="multipart/form-data",
    )
    assert done.status_code == 200, done.get_data(as_text=True)[:2000]
    preview = client.post(
        "/cases/from-layer",
        data={
            "layer": "communities",
            "programme": "baan_mankong",
            "province_code": "40",
            "district_code": "4001",
            "action": "preview",
        },
    )
    assert 'data-to-open="3"' in preview.get_data(as_text=True)
    confirm = client.post(
        "/cases/from-layer",
        data={
            "layer": "communities",
            "programme": "baan_mankong",
            "province_code": "40",
            "district_code": "4001",
            "action": "confirm",
        },
    )
    body = confirm.get_data(as_text=True)
    assert 'data-written="yes"' in body and "khon_kaen-003-BAA-01" in body


def _login_officer(case_store, client):
    from cases import services
    from cases.policy import OFFICER

    services.add_user(case_store.uow(), "kk", "khonkaen-officer-1", OFFICER)
    res = client.post("/auth/login", data={"username": "kk", "password": "khonkaen-officer-1"})
    assert res.status_code in (302, 303), res.get_data(as_text=True)[:500]
