"""The municipal site check: rule sets, the five checks on the sample corridor, and
the `planner overlap` / `planner exposure` commands run as a planner runs them."""

from __future__ import annotations

import csv
import io
import json
import textwrap

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from test_cli import planner

from gis.check import (
    CHECKS,
    inputs_from_store,
    layer_from_file,
    run_checks,
    sites_from_file,
    sites_from_store,
)
from gis.errors import ValidationError
from gis.report import report_csv, report_geojson, write_report
from gis.rules import DEFAULT_RULES, available_rule_sets, evaluate, load_rules

THREE = ["KPP-CC-01", "KPP-CC-02", "KPP-CC-03"]


# ------------------------------------------------------------------ rule sets


def test_shipped_rule_sets_load_with_thai_and_english():
    paths = available_rule_sets()
    assert DEFAULT_RULES in paths and len(paths) >= 2
    for path in paths:
        rules = load_rules(path)
        assert rules.title["th"] and rules.title["en"]
        assert len(rules.sha256) == 64
        for rule in rules.rules:
            assert rule.reason["th"] and rule.reason["en"]
    default = load_rules()
    assert {r.check for r in default.rules} == set(CHECKS)
    assert default.flood_threshold_m == 0.5
    assert default.disaster_radius_m == 200


def test_a_broken_rule_set_reports_every_problem(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(
        textwrap.dedent(
            """
            name: broken
            title: {en: Only English}
            rules:
              - id: a
                check: zonning
                verdict: conflict
                when: {category_in: [ก.1]}
                reason: {th: ก, en: a}
              - id: a
                check: flood
                verdict: fatal
                when: {field: depth}
                reason: {en: no thai}
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as err:
        load_rules(path)
    problems = err.value.problems
    fields = {(p.feature, p.field) for p in problems}
    assert (None, "title") in fields
    assert ("a", "check") in fields  # unknown check
    assert ("a", "id") in fields  # id used twice
    assert ("a", "verdict") in fields
    assert ("a", "when.field") in fields
    assert ("a", "reason") in fields
    assert all(p.file == "broken.yaml" and p.message_th for p in problems)


def _table(rows):
    return pd.DataFrame(rows)


def test_verdict_is_the_worst_reason_and_rules_read_like_the_issue():
    rules = load_rules()
    zoning = _table(
        [
            {"site_id": "a", "zone_code": "ก.1", "area_m2": 50.0, "share": 0.5},
            {"site_id": "a", "zone_code": "ย.3", "area_m2": 50.0, "share": 0.5},
            {"site_id": "b", "zone_code": "ย.3", "area_m2": 100.0, "share": 1.0},
            {"site_id": "c", "zone_code": "ย.3", "area_m2": 100.0, "share": 1.0},
        ]
    )
    tenure = _table(
        [
            {"site_id": "a", "owner_class": "treasury", "area_m2": 100.0, "share": 1.0},
            {"site_id": "b", "owner_class": "private", "area_m2": 100.0, "share": 1.0},
            {"site_id": "c", "owner_class": "treasury", "area_m2": 100.0, "share": 1.0},
        ]
    )
    flood = _table(
        [
            {"site_id": "a", "mean": 0.1, "max": 0.2, "min": 0.0, "status": "ok"},
            {"site_id": "b", "mean": 0.7, "max": 1.1, "min": 0.2, "status": "ok"},
            {
                "site_id": "c",
                "mean": float("nan"),
                "max": float("nan"),
                "min": float("nan"),
                "status": "no_data",
            },
        ]
    )
    out = evaluate(
        rules,
        ["a", "b", "c"],
        results={"zoning": zoning, "tenure": tenure, "flood": flood},
        category_fields={"zoning": "zone_code", "tenure": "owner_class"},
    ).set_index("site_id")
    assert out.loc["a", "verdict"] == "conflict"
    [reason] = out.loc["a", "reasons"]
    assert reason["rule"] == "conservation-zone" and "50%" in reason["en"] and "ก.1" in reason["th"]
    assert out.loc["b", "verdict"] == "warning"
    rules_b = {r["rule"]: r for r in out.loc["b", "reasons"]}
    assert set(rules_b) == {"private-land", "deep-flood"}
    assert rules_b["private-land"]["action_en"] == "Needs acquisition or a lease"
    assert "0.70" in rules_b["deep-flood"]["en"]
    # No data is a reason of its own, never a pass on a depth of 0.
    assert [r["rule"] for r in out.loc["c", "reasons"]] == ["no-flood-data"]
    assert out.attrs["rules_skipped"] == ["canal-setback", "disaster-nearby"]


def test_residential_rules_skip_sites_of_another_use():
    rules = load_rules()
    zoning = _table([{"site_id": "park", "zone_code": "ก.2", "area_m2": 1.0, "share": 1.0}])
    out = evaluate(
        rules,
        ["park"],
        results={"zoning": zoning},
        category_fields={"zoning": "zone_code"},
        site_uses={"park": "open_space"},
    )
    assert out.loc[0, "verdict"] == "pass"


# ------------------------------------------------------------- the five checks


@pytest.fixture(scope="module")
def corridor(sample_store, catalog):
    sites, info = sites_from_store(sample_store, "communities")
    inputs = inputs_from_store(sample_store, list(CHECKS), catalog=catalog)
    return run_checks(sites, inputs, rules=load_rules(), site_name="site_name", sites_info=info)


def test_every_community_gets_all_five_checks(corridor):
    s = corridor.summary
    assert len(s) == 38 and s["site_id"].is_unique
    assert s["verdict"].isin(["pass", "warning", "conflict"]).all()
    assert s["zoning"].str.len().gt(0).all() and s["tenure"].str.len().gt(0).all()
    assert s["setback_status"].isin(["inside", "partly_inside", "outside"]).all()
    assert s["flood_status"].isin(["ok", "partial"]).all()
    assert s["flood_mean_m"].notna().all()
    assert (s["nearest_disaster_m"] >= 0).all()
    # Canal-side communities encroach on the setback: that is why they are rehoused.
    assert (s["setback_status"] != "outside").sum() > 30
    conflicts = corridor.verdicts[corridor.verdicts["verdict"] == "conflict"]
    assert all(any(r["severity"] == "conflict" for r in rs) for rs in conflicts["reasons"])


def test_provenance_records_inputs_rules_and_timings(corridor, sample_store):
    p = corridor.provenance
    assert p["crs"] == "EPSG:32647"
    zoning = p["inputs"]["zoning"]
    assert zoning["layer"] == "zoning"
    assert zoning["version"] == sample_store.info("zoning").version
    assert zoning["status"] in ("real", "approximate", "illustrative") and zoning["licence"]
    assert p["inputs"]["flood"]["threshold_m"] == 0.5
    assert p["inputs"]["flood"]["raster"]["raster_crs"] == "EPSG:32647"
    assert p["inputs"]["flood"]["raster"]["raster_resampled"] is False
    assert p["rule_set"]["name"] == "bangkok_baan_mankong"
    assert len(p["rule_set"]["sha256"]) == 64
    assert set(CHECKS) <= set(p["timings_s"]) and p["timings_s"]["total"] > 0
    assert p["sites"]["layer"] == "communities" and p["sites"]["count"] == 38


def test_a_relocation_site_away_from_the_canal_can_pass(sample_store, catalog):
    """A site on treasury land in a residential zone, outside the setback and dry enough,
    away from past disasters, passes; the same shape moved onto the canal does not."""
    zoning = sample_store.read("zoning")
    tenure = sample_store.read("tenure_parcels")
    setback = shapely.union_all(sample_store.read("canal_setback").geometry.values)
    residential = zoning[zoning["zone_code"].str.startswith("ย.")].geometry
    treasury = tenure[tenure["owner_class"] != "private"].geometry
    inputs = inputs_from_store(sample_store, list(CHECKS), catalog=catalog)
    candidates = []
    for parcel in treasury:
        site = parcel.centroid.buffer(15, cap_style="square")
        if not residential.covers(site).any() or site.intersects(setback):
            continue
        if not parcel.covers(site):
            continue
        candidates.append(site)
    sites = gpd.GeoDataFrame(
        {"site_id": [f"R{i}" for i in range(len(candidates))]}, geometry=candidates, crs=32647
    )
    report = run_checks(sites, inputs, rules=load_rules())
    passed = report.verdicts[report.verdicts["verdict"] == "pass"]
    assert len(passed) > 0
    for reasons in report.verdicts["reasons"]:
        assert all(r["check"] in ("flood", "disasters") for r in reasons)


def test_uploaded_zoning_replaces_the_stored_one_for_the_run(sample_store, catalog, tmp_path):
    zoning = sample_store.read("zoning")
    zoning["zone_code"] = "ก.1"
    path = tmp_path / "new_plan.gpkg"
    zoning.to_crs(4326).to_file(path, layer="zoning")
    gdf, info = layer_from_file(path, "zoning", catalog=catalog)
    assert info["uploaded_file"] == "new_plan.gpkg"
    assert "EPSG:4326" in info["source_crs"]  # reprojected at import, and recorded
    sites, _ = sites_from_store(sample_store, "communities", ids=THREE)
    inputs = inputs_from_store(
        sample_store, ["zoning"], catalog=catalog, replacements={"zoning": (gdf, info)}
    )
    report = run_checks(sites, inputs, rules=load_rules(), against=["zoning"])
    assert (report.verdicts["verdict"] == "conflict").all()
    assert report.provenance["inputs"]["zoning"]["uploaded_file"] == "new_plan.gpkg"
    assert sample_store.read("zoning")["zone_code"].ne("ก.1").any()  # the store is untouched


def test_unknown_site_ids_are_named(sample_store):
    with pytest.raises(ValidationError) as err:
        sites_from_store(sample_store, "communities", ids=["KPP-CC-01", "NOPE-1", "NOPE-2"])
    assert [p.feature for p in err.value.problems] == ["NOPE-1", "NOPE-2"]


def test_sites_file_in_wgs84_is_reprojected_at_import_and_recorded(sample_store, catalog, tmp_path):
    sites = sample_store.read("communities").head(3)[["community_id", "name_th", "geometry"]]
    path = tmp_path / "plan.geojson"
    sites.to_crs(4326).to_file(path, driver="GeoJSON")
    gdf, info = sites_from_file(path, catalog=catalog)
    assert gdf.crs.to_epsg() == 32647
    assert info["source_crs"].endswith("4326") and info["reprojected"]["name"]
    assert list(gdf["site_id"]) == list(sites["community_id"])
    report = run_checks(
        gdf,
        inputs_from_store(sample_store, ["zoning"], catalog=catalog),
        rules=load_rules(),
        against=["zoning"],
        site_name="site_name",
    )
    # The round trip through WGS 84 changes areas by far less than a square metre.
    assert report.summary["area_m2"].to_numpy() == pytest.approx(
        sites.geometry.area.to_numpy(), rel=1e-6
    )


def test_csv_and_geojson_outputs(corridor, tmp_path):
    raw = report_csv(corridor)
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel shows Thai with the BOM
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 38 and rows[0]["verdict_th"] in ("ผ่าน", "ต้องระวัง", "ขัดแย้ง")
    data = json.loads(report_geojson(corridor))
    assert len(data["features"]) == 38
    lon, lat = data["features"][0]["geometry"]["coordinates"][0][0]
    assert 100 < lon < 101 and 13 < lat < 14.2
    assert data["provenance"]["rule_set"]["name"] == "bangkok_baan_mankong"
    out = write_report(corridor, tmp_path / "r.geojson")
    assert json.loads(out.read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    assert not list(tmp_path.glob("*.part"))


# ------------------------------------------------------------------ the CLI


def test_cli_overlap_writes_csv_and_explains_each_verdict(sample_config, tmp_path):
    out = tmp_path / "three.csv"
    result = planner(
        "overlap",
        "--sites",
        "communities",
        "--ids",
        ",".join(THREE),
        "--out",
        str(out),
        config=sample_config,
    )
    assert "3 site(s)" in result.stdout
    assert "ขัดแย้ง" in result.stdout and "conflict" in result.stdout
    assert "อยู่ในระยะถอยร่นจากคลอง" in result.stdout
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["site_id"] for r in rows] == THREE


def test_cli_overlap_refuses_a_bad_sites_file_and_names_it(sample_config, tmp_path):
    bad = tmp_path / "plan.geojson"
    bad.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"site_id": "x"},
                        "geometry": {"type": "Point", "coordinates": [100.6, 13.85]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    result = planner(
        "overlap",
        "--sites",
        str(bad),
        "--out",
        str(tmp_path / "r.csv"),
        config=sample_config,
        check=False,
    )
    assert result.returncode == 1
    assert "plan.geojson" in result.stderr and "geometry" in result.stderr
    assert not (tmp_path / "r.csv").exists()


def test_cli_exposure_writes_one_row_per_site(sample_config, tmp_path):
    from gis.paths import SAMPLE_DIR

    sites = tmp_path / "sites.geojson"
    gdf = gpd.GeoDataFrame(
        {"site_id": ["in", "off"]},
        geometry=[
            shapely.box(0, 0, 20, 20),  # placed below on the raster
            shapely.box(0, 0, 20, 20),  # far off the raster
        ],
        crs=32647,
    )
    import rasterio

    with rasterio.open(SAMPLE_DIR / "flood_depth.tif") as src:
        cx, cy = (src.bounds.left + src.bounds.right) / 2, (src.bounds.bottom + src.bounds.top) / 2
    gdf.geometry = [shapely.box(cx, cy, cx + 20, cy + 20), shapely.box(0, 0, 20, 20)]
    gdf.to_file(sites, driver="GeoJSON")
    out = tmp_path / "exposure.csv"
    result = planner(
        "exposure",
        "--sites",
        str(sites),
        "--raster",
        str(SAMPLE_DIR / "flood_depth.tif"),
        "--out",
        str(out),
        config=sample_config,
        check=False,
    )
    # The far site is outside Thailand, so the import refuses it by name.
    assert result.returncode == 1 and "sites.geojson" in result.stderr
    gdf.iloc[[0]].to_file(sites, driver="GeoJSON")
    planner(
        "exposure",
        "--sites",
        str(sites),
        "--raster",
        str(SAMPLE_DIR / "flood_depth.tif"),
        "--out",
        str(out),
        config=sample_config,
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert list(rows[0]) == [
        "site_id",
        "mean",
        "max",
        "min",
        "covered_area_m2",
        "area_above_0.5_m2",
        "status",
    ]
    assert rows[0]["site_id"] == "in" and rows[0]["status"] in ("ok", "no_data")


def test_cli_flood_scenario_from_a_dem(store_config, tmp_path):
    """A canal level over a DEM: low ground connected to the canal floods, a basin
    behind a ridge stays dry, and nodata stays nodata."""
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    dem = np.full((20, 30), 3.0, dtype="float32")
    dem[:, :10] = 0.5  # low ground along the canal (columns 0-9)
    dem[:, 20:] = 0.2  # a basin behind the ridge (columns 10-19 at 3 m)
    dem[0, 0] = -9999
    path = tmp_path / "dem.tif"
    x0, y0 = 670_000.0, 1_540_000.0
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=30,
        height=20,
        count=1,
        dtype="float32",
        crs="EPSG:32647",
        transform=from_origin(x0, y0, 10, 10),
        nodata=-9999,
    ) as dst:
        dst.write(dem, 1)
    canal = gpd.GeoDataFrame(
        {"canal_id": ["test"]},
        geometry=[shapely.LineString([(x0 + 5, y0 - 5), (x0 + 5, y0 - 195)])],
        crs=32647,
    )
    canal_file = tmp_path / "canal.geojson"
    canal.to_file(canal_file, driver="GeoJSON")
    planner("import", str(canal_file), "--layer", "test_canal", config=store_config)
    out = tmp_path / "depth.tif"
    result = planner(
        "flood-scenario",
        "--dem",
        str(path),
        "--level",
        "1.5",
        "--canal",
        "test_canal",
        "--out",
        str(out),
        config=store_config,
    )
    assert "1.5" in result.stdout
    with rasterio.open(out) as src:
        depth = src.read(1)
        assert src.nodata == -9999 and depth[0, 0] == -9999
    assert np.allclose(depth[1:, :10], 1.0)  # 1.5 − 0.5
    assert np.allclose(depth[:, 10:20], 0.0)  # the ridge
    assert np.allclose(depth[:, 20:], 0.0)  # the basin is not connected to the canal


def test_one_past_disaster_is_singular_in_english():
    """'1 past disaster within 200 m', not '1 past disaster(s)'; two are plural."""
    rules = load_rules()
    row = {
        "nearest_distance_m": 120.0,
        "nearest_kind": "flood",
        "nearest_kind_th": "น้ำท่วม",
        "nearest_date": "9 Apr 2019",
        "nearest_date_th": "9 เม.ย. 2562",
    }
    disasters = _table(
        [{"site_id": "one", "count_within": 1, **row}, {"site_id": "two", "count_within": 2, **row}]
    )
    out = evaluate(
        rules, ["one", "two"], results={"disasters": disasters}, category_fields={}
    ).set_index("site_id")
    [one] = [r for r in out.loc["one", "reasons"] if r["rule"] == "disaster-nearby"]
    [two] = [r for r in out.loc["two", "reasons"] if r["rule"] == "disaster-nearby"]
    assert one["en"].startswith("1 past disaster within 200 m: flood on 9 Apr 2019, 120 m away")
    assert two["en"].startswith("2 past disasters within 200 m; nearest: flood")
    assert "(s)" not in one["en"] + two["en"]
    assert "เคยเกิดภัย 1 ครั้ง" in one["th"] and "เคยเกิดภัย 2 ครั้ง" in two["th"]
