"""The upload page and the import/export API, through Flask's test client."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "data" / "corpus"
GOOD = CORPUS / "good"
BAD = CORPUS / "bad"


def layers_json(config) -> str:
    env = {**os.environ, "PLANNER_HOME": config["PLANNER_HOME"]}
    if config.get("DATABASE_URL"):
        env["DATABASE_URL"] = config["DATABASE_URL"]
        env["PLANNER_DATABASE_SCHEMA"] = config["DATABASE_SCHEMA"]
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "layers", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def upload(client, path: Path, **form):
    data = {"file": (io.BytesIO(path.read_bytes()), path.name), **form}
    return client.post("/api/imports", data=data, content_type="multipart/form-data")


def test_page_needs_an_officer(writable_client, writable_auth):
    assert writable_client.get("/imports").status_code in (302, 401)
    writable_auth.login("officer")
    page = writable_client.get("/imports")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="upload-progress"' in html and "js/imports.js" in html
    assert 'name="csrf_token"' in html


WEB_GOOD = [
    ("kobo_survey.xlsx", "kobo_web", 3),
    ("kobo_survey.csv", "kobo_web", 3),
    ("odk_central.csv", "odk_web", 3),
    ("district_office.zip", "district_web", 2),
    ("google_earth.kml", "ge_web", 2),
    ("google_earth.kmz", "ge_web", 2),
    ("communities.geojson", "communities", 3),
    ("thai_headers.csv", "thai_web", 3),
    ("thai_cp874.csv", "thai_web", 2),
    ("kobo_geoshape.csv", "shape_web", 1),
]


@pytest.mark.parametrize("name,layer,count", WEB_GOOD, ids=[c[0] for c in WEB_GOOD])
def test_api_imports_the_corpus(name, layer, count, writable_client, writable_auth):
    writable_auth.login("officer")
    res = upload(writable_client, GOOD / name, layer=layer)
    assert res.status_code == 201, res.get_json()
    report = res.get_json()
    assert report["features_written"] == count
    again = writable_client.get(f"/api/imports/{report['id']}").get_json()
    assert again["id"] == report["id"]


def test_gpkg_with_source_layer(writable_client, writable_auth):
    writable_auth.login("officer")
    res = upload(
        writable_client, GOOD / "communities.gpkg", layer="communities", source_layer="communities"
    )
    assert res.status_code == 201, res.get_json()


BAD_WEB = [
    "zip_slip.zip",
    "zip_bomb.zip",
    "billion_laughs.kml",
    "external_entity.kml",
    "truncated.gpkg",
    "corrupt.zip",
    "no_crs.zip",
    "latlon_swapped.csv",
    "wrong_geometry_type.geojson",
]


@pytest.mark.parametrize("name", BAD_WEB)
def test_api_refuses_bad_files_and_changes_nothing(
    name, writable_client, writable_auth, writable_config
):
    before = layers_json(writable_config)
    writable_auth.login("officer")
    res = upload(writable_client, BAD / name, layer="communities")
    assert res.status_code == 422
    body = res.get_json()["error"]
    assert body["status"] == 422 and body["en"] and body["th"]
    assert body["problems"][0]["file"] == name
    assert layers_json(writable_config) == before


def test_page_shows_mapping_form_then_imports_with_it(writable_client, writable_auth):
    writable_auth.login("officer")
    path = GOOD / "district_office.zip"
    res = writable_client.post(
        "/imports",
        data={
            "file": (io.BytesIO(path.read_bytes()), path.name),
            "layer": "communities",
            "action": "fields",
        },
        content_type="multipart/form-data",
    )
    html = res.get_data(as_text=True)
    assert res.status_code == 200
    assert 'name="mapto-community_id"' in html
    assert '<option value="community_" selected' in html  # pre-filled by name
    res = writable_client.post(
        "/imports",
        data={
            "file": (io.BytesIO(path.read_bytes()), path.name),
            "layer": "__new__",
            "new_layer": "district_mapped",
            "mapto-community_id": "community_",
        },
        content_type="multipart/form-data",
    )
    html = res.get_data(as_text=True)
    assert res.status_code == 200, html
    assert "EPSG:1304" in html and "community_ → community_id" in html


def test_script_names_stay_text(writable_client, writable_auth):
    writable_auth.login("officer")
    res = upload(writable_client, GOOD / "communities.geojson", layer="communities")
    assert res.status_code == 201
    page = writable_client.get("/api/exports/communities?format=geojson")
    assert page.status_code == 200
    data = json.loads(page.data)
    assert "<script>alert(1)</script>" in [f["properties"]["name_th"] for f in data["features"]]
    report_page = writable_client.get(f"/imports/{res.get_json()['id']}")
    assert "<script>" not in report_page.get_data(as_text=True)


def test_oversized_upload_is_413_bilingual(writable_app, writable_client, writable_auth):
    writable_auth.login("officer")
    writable_app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    big = io.BytesIO(b"0" * (1024 * 1024 + 10))
    res = writable_client.post(
        "/api/imports",
        data={"file": (big, "big.csv"), "layer": "x"},
        content_type="multipart/form-data",
    )
    assert res.status_code == 413
    body = res.get_json()["error"]
    assert "size limit" in body["en"] and "ขีดจำกัด" in body["th"]


@pytest.mark.parametrize("fmt", ["gpkg", "shp", "geojson", "kml", "csv", "xlsx"])
def test_export_downloads(fmt, client, auth):
    auth.login("officer")
    res = client.get(f"/api/exports/communities?format={fmt}")
    assert res.status_code == 200 and len(res.data) > 100
    assert "attachment" in res.headers["Content-Disposition"]


def test_viewer_cannot_import(writable_client, writable_auth):
    from cases.sample import DEMO_USERS

    viewers = [u for u, _, role, _ in DEMO_USERS if role == "viewer"]
    if not viewers:
        pytest.skip("no viewer demo user")
    writable_auth.login(viewers[0])
    res = upload(writable_client, GOOD / "communities.geojson", layer="communities")
    assert res.status_code == 403
