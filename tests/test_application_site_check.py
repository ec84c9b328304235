"""The site check's application layer, called directly with a small GeoPackage store:
one chain for the web page, its API and `planner overlap`."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from app.application import site_check
from app.application.site_check import SiteCheck
from cases.errors import NotFound
from gis.errors import PlannerError, ValidationError
from gis.rules import load_rules
from gis.store import open_store

# Two communities in UTM 47N: one on conservation land (ก.1), one on housing land (ย.3).
X, Y = 670_000, 1_530_000


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "instance", None)
    communities = gpd.GeoDataFrame(
        {
            "community_id": ["KPP-A", "KPP-B"],
            "name_th": ["ชุมชนเอ", "ชุมชนบี"],
            "geometry": [box(X, Y, X + 100, Y + 100), box(X + 1000, Y, X + 1100, Y + 100)],
        },
        crs="EPSG:32647",
    )
    zoning = gpd.GeoDataFrame(
        {
            "zone_id": ["Z1", "Z2"],
            "zone_code": ["ก.1", "ย.3"],
            "geometry": [
                box(X - 50, Y - 50, X + 500, Y + 500),
                box(X + 600, Y - 50, X + 2000, Y + 500),
            ],
        },
        crs="EPSG:32647",
    )
    store.write("communities", communities)
    store.write("zoning", zoning)
    return store


def test_stored_sites_are_checked_against_the_stored_zoning(store, catalog):
    check = SiteCheck(against=["zoning"], rules=load_rules(), sites_layer="communities")
    report = site_check.run_site_check(store, catalog, check)
    verdicts = dict(zip(report.verdicts["site_id"], report.verdicts["verdict"], strict=True))
    assert verdicts == {"KPP-A": "conflict", "KPP-B": "pass"}
    assert report.against == ["zoning"]


def test_only_the_sites_asked_for(store, catalog):
    check = SiteCheck(
        against=["zoning"], rules=load_rules(), sites_layer="communities", site_ids=["KPP-B"]
    )
    report = site_check.run_site_check(store, catalog, check)
    assert list(report.verdicts["site_id"]) == ["KPP-B"]


def test_an_uploaded_zoning_plan_replaces_the_stored_one_for_this_run(store, catalog, tmp_path):
    plan = gpd.GeoDataFrame(
        {
            "zone_id": ["N1"],
            "zone_code": ["ย.3"],
            "zone_class": ["residential"],
            "use_th": ["ที่อยู่อาศัยหนาแน่นปานกลาง"],
            "use_en": ["Medium-density residential"],
            "geometry": [box(X - 50, Y - 50, X + 2000, Y + 500)],
        },
        crs="EPSG:32647",
    )
    path = tmp_path / "new_plan.geojson"
    plan.to_crs("EPSG:4326").to_file(path, driver="GeoJSON")
    check = SiteCheck(
        against=["zoning"],
        rules=load_rules(),
        sites_layer="communities",
        zoning_file=path,
        zoning_label="new_plan.geojson",
    )
    report = site_check.run_site_check(store, catalog, check)
    assert set(report.verdicts["verdict"]) == {"pass"}
    assert store.read("zoning")["zone_code"].tolist() == ["ก.1", "ย.3"]  # nothing written


def test_every_problem_is_raised_at_once(store, catalog, tmp_path):
    empty = tmp_path / "zoning.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    already = [site_check._problem("empty_file", file="x")]
    check = SiteCheck(
        against=["tenure", "flood"],  # no tenure layer, no flood raster in this store
        rules=load_rules(),
        sites_layer="communities",
        site_ids=["KPP-A", "NOPE"],
        zoning_file=empty,
        zoning_label="zoning.geojson",
    )
    with pytest.raises(ValidationError) as err:
        site_check.run_site_check(store, catalog, check, problems=already)
    problems = err.value.problems
    text = " | ".join(p.message_en for p in problems)
    assert problems[0] is already[0]  # the caller's own come first
    assert "NOPE" in text  # an id the layer does not have
    assert "zoning check is not asked for" in text
    assert {p.layer for p in problems} >= {"tenure_parcels", "flood_depth"}
    assert all(p.message_th for p in problems)


def test_a_missing_sites_layer_and_ids_of_a_file_are_problems(tmp_path, catalog):
    store = open_store(tmp_path / "empty", None)
    with pytest.raises(ValidationError) as err:
        site_check.run_site_check(
            store,
            catalog,
            SiteCheck(against=["zoning"], rules=load_rules(), sites_layer="communities"),
        )
    assert any(p.layer == "communities" for p in err.value.problems)
    check = SiteCheck(
        against=["zoning"], rules=load_rules(), sites_file=tmp_path / "s.gpkg", site_ids=["1"]
    )
    with pytest.raises(ValidationError) as err:
        site_check.run_site_check(store, catalog, check)
    assert [p.field for p in err.value.problems if p.field] == ["site_ids"]


def test_a_run_is_kept_whole_for_its_owner_and_pruned_when_old(store, catalog, tmp_path):
    report = site_check.run_site_check(
        store, catalog, SiteCheck(against=["zoning"], rules=load_rules(), sites_layer="communities")
    )
    root = tmp_path / "runs"
    seen = {}

    def page_data(run_id, formats):
        seen.update(run_id=run_id, formats=formats)
        return {"id": run_id, "created_at": "2020-01-01T00:00:00+00:00", "formats": formats}

    data = site_check.keep_run(
        root, report, lang="en", owner="somchai", days=30, page_data=page_data
    )
    folder = site_check.run_folder(root, seen["run_id"])
    assert data["owner"] == "somchai"
    assert json.loads((folder / "run.json").read_text(encoding="utf-8"))["owner"] == "somchai"
    assert {"csv", "geojson"} <= set(seen["formats"])
    assert (folder / "report.csv").is_file()
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert not [p.name for p in root.iterdir() if p.name.startswith(".")]
    # Made in 2020: older than 30 days, so the next prune removes it.
    assert site_check.prune_runs(root, 30) == 1
    with pytest.raises(NotFound):
        site_check.run_folder(root, seen["run_id"])


@pytest.mark.parametrize("run_id", ["../etc", "ABC", "0" * 31, "0" * 32, None])
def test_a_run_id_that_is_not_a_kept_run_is_not_found(tmp_path, run_id):
    with pytest.raises(NotFound):
        site_check.run_folder(tmp_path, run_id)


def test_an_unfinished_run_folder_is_removed_after_an_hour(tmp_path):
    part = tmp_path / ".part-abc"
    part.mkdir()
    old = time.time() - 2 * 3600
    os.utime(part, (old, old))
    assert site_check.prune_runs(tmp_path, 30) == 0
    assert not part.exists()


def test_flood_scenario_names_a_canal_layer_that_is_not_stored(store, tmp_path):
    with pytest.raises(PlannerError, match="no layer canal_water"):
        site_check.flood_scenario(
            store,
            dem=tmp_path / "dem.tif",
            level=1.0,
            out=tmp_path / "o.tif",
            canal_layer="canal_water",
        )


def test_exposure_needs_the_raster_file(store, catalog, tmp_path):
    with pytest.raises(PlannerError, match="no raster file"):
        site_check.exposure(
            store, catalog, raster=Path(tmp_path / "none.tif"), sites_layer="communities"
        )
