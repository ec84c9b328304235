"""The JSON API over the catalogue and the sample store."""

import io
import re

import pytest
from PIL import Image


def test_layers_lists_the_catalogue_with_counts(client, auth, catalog):
    auth.login("officer")  # visitors see the public layers only (tests/test_access.py)
    body = client.get("/api/layers").get_json()
    layers = {item["name"]: item for item in body["layers"]}
    assert set(layers) == set(catalog.layers)
    assert layers["communities"]["feature_count"] == 38
    assert layers["structures"]["feature_count"] == 6386
    assert layers["districts"]["feature_count"] == 50
    assert layers["communities"]["title"] == {"th": "ชุมชน", "en": "Communities"}
    assert layers["communities"]["status"] == "illustrative"
    minx, miny, maxx, maxy = layers["communities"]["bounds"]
    assert 100.4 < minx < maxx < 100.7 and 13.7 < miny < maxy < 14.1
    flood = layers["flood_depth"]
    assert flood["kind"] == "raster" and flood["overlay"]["url"].endswith("/overlay.png")
    (south, west), (north, east) = flood["overlay"]["bounds"]
    assert 13.7 < south < north < 14.3 and 100.4 < west < east < 100.8


def test_layer_geojson_is_lon_lat_with_thai_properties(client):
    response = client.get("/api/layers/communities")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    data = response.get_json()
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 38
    props = data["features"][0]["properties"]
    assert re.match(r"^ชุมชน", props["name_th"])
    lon, lat = data["features"][0]["geometry"]["coordinates"][0][0][:2]
    assert 100.4 < lon < 100.7 and 13.7 < lat < 14.1


def test_dates_are_iso_strings(client, auth):
    auth.login("viewer")
    features = client.get("/api/layers/disaster_sites").get_json()["features"]
    assert features and all(
        re.fullmatch(r"\d{4}-\d{2}-\d{2}", f["properties"]["event_date"]) for f in features
    )


def test_bbox_filter_returns_only_nearby_features(client, auth):
    auth.login("officer")
    everything = client.get("/api/layers/structures").get_json()["features"]
    first = client.get("/api/layers/communities").get_json()["features"][0]
    ring = first["geometry"]["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    bbox = f"{min(lons)},{min(lats)},{max(lons)},{max(lats)}"
    some = client.get(f"/api/layers/structures?bbox={bbox}").get_json()["features"]
    assert 0 < len(some) < len(everything)
    ids = {f["properties"]["community_id"] for f in some}
    assert first["properties"]["community_id"] in ids


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "100.6,13.9,100.5,13.8", "0,0,0,nan"])
def test_bad_bbox_is_a_clear_400(client, auth, bbox):
    auth.login("officer")
    response = client.get(f"/api/layers/structures?bbox={bbox}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "bbox" in error["en"] and error["th"]


def test_unknown_layer_is_404_json(client):
    response = client.get("/api/layers/no_such_layer")
    assert response.status_code == 404
    assert "no_such_layer" in response.get_json()["error"]["en"]


def test_raster_is_not_served_as_geojson(client):
    response = client.get("/api/layers/flood_depth")
    assert response.status_code == 400
    assert "overlay.png" in response.get_json()["error"]["en"]


def test_flood_overlay_is_a_transparent_png(client):
    response = client.get("/api/layers/flood_depth/overlay.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.mode == "RGBA"
    alpha = image.getchannel("A")
    lo, hi = alpha.getextrema()
    assert (lo, hi) == (0, 255)  # nodata and dry cells see-through, flooded cells drawn


def test_home_page_and_assets_name_no_other_host(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="th"' in html
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs, "the page loads its scripts and styles"
    for ref in refs:
        assert not re.match(r"^(https?:)?//", ref), ref
    for ref in refs:
        if ref.startswith("/static/"):
            asset = client.get(ref)
            assert asset.status_code == 200, ref
            if ref.endswith(".css"):
                for url in re.findall(r"url\(([^)]+)\)", asset.get_data(as_text=True)):
                    assert not re.match(r"^[\"']?(https?:)?//", url), (ref, url)


def test_english_page(client):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in html


def test_whole_layers_are_gzipped_and_cacheable(client):
    plain = client.get("/api/layers/districts")
    packed = client.get("/api/layers/districts", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    import gzip as gz

    assert gz.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 3
    etag = plain.headers["ETag"]
    again = client.get("/api/layers/districts", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data


def test_coordinates_are_rounded_to_a_centimetre(client):
    text = client.get("/api/layers/districts").get_data(as_text=True)
    import re as _re

    decimals = {len(m) for m in _re.findall(r"\.(\d+)[,\]]", text[:200_000])}
    assert max(decimals) <= 7


def test_an_imported_layer_appears_on_the_map(writable_client, writable_config, catalog):
    """A KoBo survey imported under a new name is listed and served like any layer."""
    from pathlib import Path

    from gis.importing import import_file
    from gis.store import open_store

    store = open_store(
        writable_config["PLANNER_HOME"],
        writable_config["DATABASE_URL"],
        schema=writable_config["DATABASE_SCHEMA"],
    )
    kobo = Path(__file__).parent / "data" / "corpus" / "good" / "kobo_survey.xlsx"
    report = import_file(kobo, layer="kobo_survey", catalog=catalog, store=store)
    from tests.conftest import AuthActions

    AuthActions(writable_client).login("officer")  # a household survey: personal data
    layers = {
        item["name"]: item for item in writable_client.get("/api/layers").get_json()["layers"]
    }
    entry = layers["kobo_survey"]
    assert entry["status"] == "imported" and entry["feature_count"] == report.features_written
    assert entry["title"]["en"] == "kobo_survey (imported)"
    data = writable_client.get("/api/layers/kobo_survey").get_json()
    assert len(data["features"]) == report.features_written
    lon, lat = data["features"][0]["geometry"]["coordinates"][:2]
    assert 97 < lon < 106 and 5 < lat < 21
