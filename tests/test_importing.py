"""Importers: the whole corpus through the real `planner` process and the library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import shapely

from gis.errors import ValidationError
from gis.importing import import_file, list_reports, load_report, read_and_validate
from gis.store import open_store

CORPUS = Path(__file__).parent / "data" / "corpus"
GOOD = CORPUS / "good"
BAD = CORPUS / "bad"
THAI = "ชุมชนริมคลองเปรม"


def planner(*args, config):
    env = {**os.environ, "PLANNER_HOME": config["PLANNER_HOME"]}
    env.pop("DATABASE_URL", None)
    env.pop("PLANNER_DATABASE_SCHEMA", None)
    if config.get("DATABASE_URL"):
        env["DATABASE_URL"] = config["DATABASE_URL"]
        env["PLANNER_DATABASE_SCHEMA"] = config["DATABASE_SCHEMA"]
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def store_of(config):
    return open_store(
        config["PLANNER_HOME"], config.get("DATABASE_URL"), schema=config.get("DATABASE_SCHEMA")
    )


GOOD_CASES = [
    # (file, layer, extra args, expected features, a Thai value expected in some column)
    ("communities.gpkg::communities", "communities", [], 3, THAI),
    ("communities.geojson", "communities", [], 3, THAI),
    ("district_office.zip", "district_office", [], 2, THAI),
    ("district_office/chumchon.shp", "communities_district", [], 2, THAI),
    ("kobo_survey.xlsx", "kobo_survey", [], 3, THAI),
    ("kobo_survey.csv", "kobo_survey", [], 3, THAI),
    ("kobo_geoshape.csv", "kobo_shapes", [], 1, "แปลงที่ 1"),
    ("odk_central.csv", "odk_survey", [], 3, THAI),
    ("thai_headers.csv", "thai_points", [], 3, THAI),
    ("thai_cp874.csv", "thai_points", [], 2, THAI),
    ("google_earth.kml", "google_earth", [], 2, THAI),
    ("google_earth.kmz", "google_earth", [], 2, THAI),
]


@pytest.mark.parametrize("name,layer,extra,count,thai", GOOD_CASES, ids=[c[0] for c in GOOD_CASES])
def test_good_file_through_the_cli(name, layer, extra, count, thai, store_config):
    result = planner("import", str(GOOD / name), "--layer", layer, *extra, config=store_config)
    assert result.returncode == 0, result.stderr
    assert "written" in result.stdout
    gdf = store_of(store_config).read(layer)
    assert len(gdf) == count
    assert gdf.crs.to_epsg() == 32647
    values = {v for c in gdf.columns if c != "geometry" for v in gdf[c] if isinstance(v, str)}
    assert thai in values, values


def test_reports_are_saved_and_shown(store_config):
    result = planner(
        "import",
        str(GOOD / "district_office.zip"),
        "--layer",
        "dist",
        "--json",
        config=store_config,
    )
    report = json.loads(result.stdout)
    assert report["encoding"] == "cp874" and report["encoding_detected"]
    assert report["transformation"]["code"] == "EPSG:1304"
    shown = planner("imports", "--show", report["id"], config=store_config)
    assert shown.returncode == 0 and "EPSG:1304" in shown.stdout
    listing = planner("imports", config=store_config)
    assert report["id"] in listing.stdout


def test_indian_1975_lands_where_it_was(empty_store, catalog):
    gdf, report = read_and_validate(GOOD / "district_office.zip", layer="x", catalog=catalog)
    import pyogrio

    ref = pyogrio.read_dataframe(GOOD / "communities.gpkg", layer="communities")
    dist = shapely.hausdorff_distance(gdf.geometry.values, ref.geometry.values[:2])
    assert (dist < 0.01).all(), dist  # within 1 cm (shapefile doubles, two datum steps)
    assert report.transformation["code"] == "EPSG:1304"
    assert list(gdf["name_th"]) == [THAI, "ชุมชนหลักสี่พัฒนา"]


def test_field_mapping_fills_the_catalogue_layer(empty_store, catalog):
    # The core schema needs only a name and a boundary: a missing community_id is made
    # from the file name and row, and the report says which file field looks like it.
    report = import_file(
        GOOD / "district_office.zip", layer="communities", catalog=catalog, store=empty_store
    )
    assert any(
        w["field"] == "community_id" and "--map community_id=community_" in w["message_en"]
        for w in report.warnings
    )
    assert list(empty_store.read("communities")["community_id"])[0] == "district_office-001"
    import_file(
        GOOD / "district_office.zip",
        layer="communities",
        catalog=catalog,
        store=empty_store,
        field_map={"community_id": "community_"},
    )
    assert "district_office-001" not in set(empty_store.read("communities")["community_id"])


def test_kobo_group_prefix_and_script_stays_text(empty_store, catalog):
    report = import_file(
        GOOD / "kobo_survey.xlsx", layer="kobo", catalog=catalog, store=empty_store
    )
    gdf = empty_store.read("kobo")
    assert report.features_written == 3
    assert "_household/gps_latitude" not in gdf.columns
    assert (gdf.geometry.geom_type == "Point").all()
    report = import_file(
        GOOD / "communities.geojson", layer="communities", catalog=catalog, store=empty_store
    )
    names = list(empty_store.read("communities")["name_th"])
    assert "<script>alert(1)</script>" in names


def test_bowtie_is_repaired_and_listed(empty_store, catalog):
    report = import_file(
        BAD / "bowtie.geojson", layer="communities", catalog=catalog, store=empty_store
    )
    assert report.fixed and report.fixed[0]["feature"] == 0
    assert "Self-intersection" in report.fixed[0]["en"]
    assert empty_store.read("communities").geometry.is_valid.all()


def test_append_refuses_duplicates(empty_store, catalog):
    import_file(
        GOOD / "communities.geojson", layer="communities", catalog=catalog, store=empty_store
    )
    with pytest.raises(ValidationError) as info:
        import_file(
            GOOD / "communities.geojson",
            layer="communities",
            catalog=catalog,
            store=empty_store,
            mode="append",
        )
    fields = {p.field for p in info.value.problems}
    assert {"community_id", "geometry"} <= fields
    assert len(empty_store.read("communities")) == 3
    reports = list_reports(empty_store)
    assert reports[0]["status"] == "refused"
    assert load_report(empty_store, reports[0]["id"])["problems"]


BAD_CASES = [
    ("zip_slip.zip", "zip slip"),
    ("zip_bomb.zip", "zip bomb"),
    ("billion_laughs.kml", "entities"),
    ("external_entity.kml", "entities"),
    ("truncated.gpkg", "corrupt or truncated"),
    ("corrupt.zip", "corrupt or truncated"),
    ("no_crs.zip", "no coordinate reference system"),
    ("latlon_swapped.csv", "swapped"),
    ("wrong_geometry_type.geojson", "geometry is Point"),
]


@pytest.mark.parametrize("name,needle", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_file_is_refused_and_nothing_changes(name, needle, writable_config):
    before = planner("layers", "--json", config=writable_config)
    assert before.returncode == 0, before.stderr
    result = planner("import", str(BAD / name), "--layer", "communities", config=writable_config)
    assert result.returncode == 1
    assert needle in result.stderr, result.stderr
    assert name in result.stderr
    assert "ข้อผิดพลาด" in result.stderr
    after = planner("layers", "--json", config=writable_config)
    assert after.stdout == before.stdout


def test_oversized_file_is_refused(tmp_path, writable_config):
    big = tmp_path / "big.geojson"
    with open(big, "wb") as fh:
        fh.truncate(51 * 1024 * 1024)
    before = planner("layers", "--json", config=writable_config)
    result = planner("import", str(big), "--layer", "communities", config=writable_config)
    assert result.returncode == 1 and "upload limit" in result.stderr
    assert planner("layers", "--json", config=writable_config).stdout == before.stdout


def test_zip_bomb_lying_about_its_size_is_caught_while_extracting(tmp_path, catalog):
    from gis.importing import safe_extract

    bomb = tmp_path / "liar.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.csv", b"0" * 3_000_000)
    with pytest.raises(ValidationError, match="zip bomb"):
        safe_extract(bomb, tmp_path / "out", max_bytes=1_000_000)
    # declared sizes patched to lie: the byte count still stops it
    data = bytearray(bomb.read_bytes())
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        i = data.find(sig)
        off = 22 if sig == b"PK\x03\x04" else 24
        data[i + off : i + off + 4] = (100).to_bytes(4, "little")
    liar = tmp_path / "liar2.zip"
    liar.write_bytes(bytes(data))
    with pytest.raises(ValidationError):
        safe_extract(liar, tmp_path / "out2", max_bytes=1_000_000)
    assert not any((tmp_path / "out2").rglob("*.csv")) or all(
        p.stat().st_size <= 1_000_000 for p in (tmp_path / "out2").rglob("*.csv")
    )


def test_missing_crs_accepted_with_crs_option(empty_store, catalog):
    report = import_file(
        BAD / "no_crs.zip", layer="nocrs", catalog=catalog, store=empty_store, crs="EPSG:32647"
    )
    assert report.features_written == 2
