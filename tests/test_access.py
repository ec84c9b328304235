"""Who sees which layer and which route: the route × role table and the layer rule.

docs/decisions/0010-layer-access.md: visitors see public layers; any user sees
logged_in and personal layers; only officers, admins and community representatives
see personal fields. Every route is declared in app/route_policy.py.
"""

from __future__ import annotations

import ast
import base64
import csv
import io
import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app import create_app
from app.route_policy import POLICY, allowed_roles
from cases import policy, privacy, register
from cases.policy import ALL_ROLES, ANONYMOUS
from gis.catalog import ACCESS_LEVELS, load_catalog
from gis.errors import CatalogError
from tests.conftest import AuthActions, serve

ROOT = Path(__file__).resolve().parents[1]
USER_OF_ROLE = {
    "viewer": "viewer",
    "community_rep": "rep.cc01",
    "officer": "officer",
    "admin": "admin",
}
# What the sample must never show a visitor or a viewer: household keys and names.
SAMPLE_SECRETS = ('"household_no"', '"agreed_to_move"', '"head_name"', "หัวหน้าครัวเรือนตัวอย่าง")
SURVEY = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [100.565 + i / 1000, 13.88]},
            "properties": {
                "ชื่อ-สกุล": f"นางสมศรี ทดสอบลับ{i}",
                "Mobile No": f"08123456{i:02d}",
                "national_id": f"31012000{i:05d}",
                "community": "ชุมชนริมคลองเปรม",
                "roof": "metal",
            },
        }
        for i in range(3)
    ],
}
SURVEY_SECRETS = (
    "ทดสอบลับ",
    "0812345600",
    "3101200000000",
    '"national_id"',
    '"Mobile No"',
    '"ชื่อ-สกุล"',
)


def basic(role: str) -> dict[str, str]:
    username = USER_OF_ROLE[role]
    token = f"{username}:{AuthActions.passwords[username]}".encode()
    return {"Authorization": "Basic " + base64.b64encode(token).decode()}


# -- the classification ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, expected",
    [
        ("head_name", "personal"),
        ("Head Name", "personal"),
        ("firstName", "personal"),
        ("ชื่อ-สกุล", "personal"),
        ("ชื่อ", "personal"),
        ("group_hh/tel_no", "personal"),
        ("เบอร์โทรศัพท์", "personal"),
        ("ID Card", "personal"),
        ("เลขบัตรประชาชน", "personal"),
        ("_gps_latitude", "personal"),
        ("household_no", "personal"),
        ("agreed_to_move", "personal"),
        ("monthly_income", "sensitive"),
        ("รายได้ต่อเดือน", "sensitive"),
        ("Religion", "sensitive"),
        ("name_th", None),
        ("ชื่อชุมชน", None),
        ("households_agreed", None),
        ("community_id", None),
        ("stage", None),
        ("วันที่เกิดเหตุ", None),
    ],
)
def test_classify_field(name, expected):
    assert privacy.classify_field(name) == expected


def test_the_table_has_labels_and_keeps_the_household_fields():

    household = {"head_name", "members", "monthly_income", "phone", "location"}
    assert household <= register.PERSONAL_FIELDS
    # Every register field that the one classification calls personal is hidden from viewers.
    classified = {f.name for f in register.HOUSEHOLD_FIELDS if f.cls}
    assert classified | {"members"} == register.PERSONAL_FIELDS
    for row in privacy.FIELDS:
        assert row.cls in privacy.CLASSES and row.th and row.en
        assert privacy.classify_field(row.field) == row.cls
    assert privacy.personal_fields(["community", "Phone", "roof", "รายได้"]) == ["Phone", "รายได้"]


def test_gis_does_not_import_cases_and_the_rules_import_no_gis():
    checks = [(p, "cases") for p in (ROOT / "gis").rglob("*.py")]
    checks += [(ROOT / "cases" / f, "gis|flask") for f in ("privacy.py", "policy.py")]
    for path, other in checks:
        if True:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                for name in names:
                    assert not re.match(rf"({other}|app)(\.|$)", name), f"{path}: {name}"


# -- the catalogue ------------------------------------------------------------------------------
def test_every_catalogue_layer_declares_a_sound_access(catalog):
    assert policy.LAYER_ACCESS == ACCESS_LEVELS
    for entry in catalog:
        assert entry.access in ACCESS_LEVELS, entry.name
        classified = privacy.personal_fields(entry.fields)
        if entry.access == "public":
            assert not classified, f"public layer {entry.name} holds {classified}"
    assert catalog["structures"].access == "personal"
    assert {e.access for e in catalog if e.name in ("districts", "zoning", "canal_water")} == {
        "public"
    }
    assert catalog["communities"].access == "public"


@pytest.mark.parametrize("access", [None, "everyone"])
def test_missing_or_unknown_access_is_a_catalogue_error(tmp_path, access):
    line = f", access: {access}" if access else ""
    path = tmp_path / "catalog.yaml"
    path.write_text(
        "layers:\n"
        "  a: {kind: vector, geometry_type: Point, crs: EPSG:32647, status: real,\n"
        "      title: {th: ก, en: a}, status_note: {th: ก, en: a}, source: {name: x},\n"
        f"      licence: CC0{line}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match="access must be one of public, logged_in, personal"):
        load_catalog(path)


# -- the route × role table ---------------------------------------------------------------------
def _methods(rule) -> set[str]:
    return set(rule.methods) - {"HEAD", "OPTIONS"}


def test_every_route_is_declared(app):
    rules = list(app.url_map.iter_rules())
    missing = sorted(
        f"{m} {rule.endpoint} ({rule.rule})"
        for rule in rules
        for m in _methods(rule)
        if allowed_roles(rule.endpoint, m) is None
    )
    assert not missing, "declare these in app/route_policy.py: " + ", ".join(missing)
    stale = set(POLICY) - {rule.endpoint for rule in rules}
    assert not stale, f"app/route_policy.py names routes that do not exist: {stale}"
    for allowed in POLICY.values():
        for roles in allowed.values() if isinstance(allowed, dict) else [allowed]:
            assert roles and roles <= set(ALL_ROLES)


def _clients(app) -> dict:
    clients = {ANONYMOUS: app.test_client()}
    for role, username in USER_OF_ROLE.items():
        clients[role] = app.test_client()
        assert AuthActions(clients[role]).login(username).status_code == 302
    return clients


def _url(rule) -> str:
    """The rule with a harmless value for each argument."""
    values = {}
    for arg in rule.arguments:
        converter = rule._converters[arg].__class__.__name__
        values[arg] = "1" if "int" in converter.lower() else "x"
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule.rule)


def test_route_role_matrix(app):
    """Each role gets what the table says on every route; nothing answers 500."""
    clients = _clients(app)
    checked = 0
    for rule in app.url_map.iter_rules():
        for method in sorted(_methods(rule)):
            roles = allowed_roles(rule.endpoint, method)
            for role, client in clients.items():
                allowed = role in roles
                if allowed and (method != "GET" or rule.arguments):
                    continue  # a write, or needs a real id: the feature's own tests call it
                response = client.open(
                    _url(rule), method=method, json={} if method != "GET" else None
                )
                where = f"{role} {method} {rule.rule}"
                assert response.status_code < 500, where
                if allowed:
                    assert response.status_code in (200, 302), where
                    if response.status_code == 302:
                        assert "/auth/login" not in response.headers["Location"], where
                elif role == ANONYMOUS:
                    if response.status_code == 302:
                        assert "/auth/login" in response.headers["Location"], where
                    else:
                        assert response.status_code == 401, where
                        assert response.get_json()["error"]["th"], where
                else:
                    assert response.status_code == 403, where
                checked += 1
    assert checked > 100


def test_viewer_gets_403_not_422_and_visitors_the_login_page(client, auth):
    auth.login("viewer")
    refused = client.post("/api/cases", json={"nonsense": True})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["en"] and refused.get_json()["error"]["th"]
    assert client.get("/imports").status_code == 403
    auth.logout()
    page = client.get("/dashboard")
    assert page.status_code == 302 and "/auth/login" in page.headers["Location"]
    assert client.post("/api/cases", json={}).status_code == 401


def test_a_route_missing_from_the_table_is_refused(sample_config):
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **sample_config})
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    app.add_url_rule("/api/forgotten", "api_forgotten", lambda: "secret")
    client = app.test_client()
    assert client.get("/forgotten").status_code == 403
    AuthActions(client).login("admin")
    assert client.get("/forgotten").status_code == 403
    response = client.get("/api/forgotten")
    assert response.status_code == 403 and "secret" not in response.get_data(as_text=True)


# -- layers over HTTP ---------------------------------------------------------------------------
def _get(url: str, headers: dict | None = None):
    """(status, headers, body text) of a real HTTP GET."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode("utf-8", "replace")


def _no_secret(text: str, secrets, where: str) -> None:
    for secret in secrets:
        assert secret not in text, f"{secret!r} served in {where}"


def test_a_visitor_over_http_gets_no_personal_data(live_server, catalog):
    status, _, home = _get(f"{live_server}/")
    assert status == 200
    _no_secret(home, SAMPLE_SECRETS, "/")
    status, headers, body = _get(f"{live_server}/api/layers")
    assert status == 200 and "Cookie" in headers["Vary"]
    _no_secret(body, SAMPLE_SECRETS, "/api/layers")
    listed = {item["name"]: item for item in json.loads(body)["layers"]}
    assert set(listed) == {e.name for e in catalog if e.access == "public"}
    for name, item in listed.items():
        assert not privacy.personal_fields(item["fields"]), name
        if item["kind"] == "raster":
            status, _, _ = _get(f"{live_server}{item['overlay']['url']}")
            assert status == 200
            continue
        status, headers, text = _get(f"{live_server}/api/layers/{name}")
        assert status == 200, name
        _no_secret(text, SAMPLE_SECRETS, name)
        for feature in json.loads(text)["features"][:50]:
            assert not privacy.personal_fields(feature["properties"]), name
    for entry in catalog:
        if entry.access != "public" and entry.kind == "vector":
            status, headers, text = _get(f"{live_server}/api/layers/{entry.name}")
            assert status == 401, entry.name
            _no_secret(text, SAMPLE_SECRETS, entry.name)
    status, _, text = _get(f"{live_server}/api/layers/structures?bbox=100.5,13.8,100.7,14.0")
    assert status == 401 and "หัวหน้า" not in text


def test_roles_see_the_structures_they_may(client, auth):
    auth.login("viewer")
    viewer = client.get("/api/layers/structures")
    props = viewer.get_json()["features"][0]["properties"]
    assert "encroachment" in props
    # A house's id names its household (KPP-CC-01-H0001 is household 1): hidden too.
    assert not {"household_no", "agreed_to_move", "structure_id"} & set(props)
    assert {"Cookie", "Authorization"} <= {v.strip() for v in viewer.headers["Vary"].split(",")}
    listing = {i["name"]: i for i in client.get("/api/layers").get_json()["layers"]}
    assert "household_no" not in listing["structures"]["fields"]
    assert listing["structures"]["access"] == "personal"
    auth.login("officer")
    officer = client.get("/api/layers/structures")
    props = officer.get_json()["features"][0]["properties"]
    assert {"household_no", "agreed_to_move"} <= set(props)
    assert officer.headers["Cache-Control"] == "no-store"
    assert officer.headers["ETag"] != viewer.headers["ETag"]
    # A viewer's cached copy is not the officer's: the tag names the view.
    stale = client.get("/api/layers/structures", headers={"If-None-Match": viewer.headers["ETag"]})
    assert stale.status_code == 200
    fresh = client.get("/api/layers/structures", headers={"If-None-Match": officer.headers["ETag"]})
    assert fresh.status_code == 304


def _import_survey(writable_config, catalog, tmp_path) -> None:
    from gis.importing import import_file
    from gis.store import open_store

    path = tmp_path / "household_survey.geojson"
    path.write_text(json.dumps(SURVEY, ensure_ascii=False), encoding="utf-8")
    store = open_store(
        writable_config["PLANNER_HOME"],
        writable_config["DATABASE_URL"],
        schema=writable_config["DATABASE_SCHEMA"],
    )
    report = import_file(path, layer="household_survey", catalog=catalog, store=store)
    assert report.features_written == 3
    assert {"ชื่อ-สกุล", "national_id"} <= set(store.read("household_survey").columns)


def test_an_imported_personal_survey_by_role_over_http(
    writable_app, writable_config, catalog, tmp_path
):
    _import_survey(writable_config, catalog, tmp_path)
    with serve(writable_app) as url:
        # A visitor: not listed, not served, not exported.
        for path in ("/", "/api/layers", "/api/layers/household_survey"):
            status, _, text = _get(url + path)
            _no_secret(text, SURVEY_SECRETS, path)
            assert "household_survey" not in text or status == 401, path
        assert _get(f"{url}/api/layers/household_survey")[0] == 401
        assert _get(f"{url}/api/exports/household_survey?format=csv")[0] == 401
        # A viewer: the features, without a name, phone or ID number.
        status, _, text = _get(f"{url}/api/layers", basic("viewer"))
        entry = {i["name"]: i for i in json.loads(text)["layers"]}["household_survey"]
        assert entry["access"] == "personal" and set(entry["fields"]) == {"community", "roof"}
        status, headers, text = _get(f"{url}/api/layers/household_survey", basic("viewer"))
        assert status == 200
        _no_secret(text, SURVEY_SECRETS, "the viewer's layer")
        features = json.loads(text)["features"]
        assert len(features) == 3 and features[0]["properties"]["roof"] == "metal"
        viewer_tag = headers["ETag"]
        # An officer: everything, never stored by a cache.
        status, headers, text = _get(f"{url}/api/layers/household_survey", basic("officer"))
        assert status == 200 and headers["Cache-Control"] == "no-store"
        assert headers["ETag"] != viewer_tag
        props = json.loads(text)["features"][0]["properties"]
        assert props["ชื่อ-สกุล"].startswith("นางสมศรี") and props["national_id"]


# -- exports ------------------------------------------------------------------------------------
def _csv_columns(response) -> list[str]:
    return next(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_exports_follow_the_same_rule(client, auth):
    assert client.get("/api/exports/communities?format=csv").status_code == 200
    refused = client.get("/api/exports/structures?format=csv")
    assert refused.status_code == 401 and refused.get_json()["error"]["th"]
    auth.login("viewer")
    viewer = client.get("/api/exports/structures?format=csv")
    assert viewer.status_code == 200
    assert "encroachment" in _csv_columns(viewer)
    assert not {"household_no", "agreed_to_move", "structure_id"} & set(_csv_columns(viewer))
    auth.login("officer")
    officer = client.get("/api/exports/structures?format=csv")
    assert {"household_no", "agreed_to_move"} <= set(_csv_columns(officer))
    assert officer.headers["Cache-Control"] == "no-store"


def test_exported_survey_by_role(writable_app, writable_config, catalog, tmp_path):
    _import_survey(writable_config, catalog, tmp_path)
    client = writable_app.test_client()
    viewer = client.get("/api/exports/household_survey?format=csv", headers=basic("viewer"))
    assert viewer.status_code == 200 and set(_csv_columns(viewer)) == {"community", "roof", "wkt"}
    _no_secret(viewer.data.decode("utf-8-sig"), SURVEY_SECRETS, "the viewer's export")
    officer = client.get("/api/exports/household_survey?format=csv", headers=basic("officer"))
    assert "ทดสอบลับ0" in officer.data.decode("utf-8-sig")


def test_gis_exports_and_maps_drop_the_fields_they_are_given(sample_store, catalog, tmp_path):
    import geopandas as gpd

    from gis.exporting import export_layers
    from gis.webmap import corridor_map

    out = export_layers(
        sample_store,
        catalog,
        ["structures"],
        fmt="geojson",
        out=tmp_path / "s.geojson",
        drop_fields={"household_no", "agreed_to_move"},
    )
    columns = set(gpd.read_file(out).columns)
    assert "structure_id" in columns and not {"household_no", "agreed_to_move"} & columns
    few = sample_store.read("structures").head(3)
    html = (
        corridor_map({"structures": few}, catalog, drop_fields={"household_no"}).get_root().render()
    )
    assert "household_no" not in html and "structure_id" in html


def test_planner_export_without_personal_fields(sample_config, tmp_path):
    from tests.test_cli import planner

    full, redacted = tmp_path / "full.csv", tmp_path / "redacted.csv"
    planner(
        "export", "--layer", "structures", "--format", "csv", "--out", full, config=sample_config
    )
    planner(
        "export", "--layer", "structures", "--format", "csv", "--out", redacted,
        "--without-personal", config=sample_config,
    )  # fmt: skip
    header = next(csv.reader(io.StringIO(full.read_text(encoding="utf-8-sig"))))
    assert {"household_no", "agreed_to_move"} <= set(header)
    header = next(csv.reader(io.StringIO(redacted.read_text(encoding="utf-8-sig"))))
    assert "encroachment" in header
    assert not {"household_no", "agreed_to_move", "structure_id"} & set(header)
