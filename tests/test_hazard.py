"""Hazard at housing sites: exact zonal statistics against exactextract, nearest
disasters against brute force, and flood scenarios on small real GeoTIFFs."""

from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely
from exactextract import exact_extract
from rasterio.transform import Affine, from_origin
from rasterstats import zonal_stats

from gis import hazard
from gis.errors import ValidationError
from gis.hazard import (
    DEFAULT_FLOOD_THRESHOLD_M,
    exposure,
    flood_depth_from_level,
    nearest_disasters,
)
from gis.paths import SAMPLE_GPKG

UTM = "EPSG:32647"
X0, Y0 = 660_000.0, 1_540_000.0  # top-left corner of the test rasters
NODATA = -9999.0
SAMPLE_FLOOD = SAMPLE_GPKG.parent / "flood_depth.tif"


def write_raster(path, data, transform, *, crs=UTM, nodata=NODATA):
    data = np.asarray(data)
    profile = {
        "driver": "GTiff",
        "width": data.shape[1],
        "height": data.shape[0],
        "count": 1,
        "dtype": data.dtype.name,
        "transform": transform,
        "nodata": nodata,
    }
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def flood_raster(tmp_path, cell, *, shape=(120, 100), seed=1, name=None):
    """A smooth depth surface with scattered nodata cells and one nodata block."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0 : shape[0], 0 : shape[1]]
    depth = 1.0 + np.sin(cols / 7.0) * np.cos(rows / 11.0) + 0.2 * rng.random(shape)
    depth = depth.astype("float32")
    depth[rng.random(shape) < 0.002] = NODATA
    depth[10:16, 60:70] = NODATA
    path = tmp_path / (name or f"flood_{cell:g}m.tif")
    return write_raster(path, depth, from_origin(X0, Y0, cell, cell)), depth


def rotated_plots(n, cell, shape, *, seed=2, size=20.0):
    """Plots of about `size` m, rotated at random, spread over (and a little past) the raster."""
    rng = np.random.default_rng(seed)
    width, height = shape[1] * cell, shape[0] * cell
    cx = X0 + rng.uniform(-size, width + size, n)
    cy = Y0 - rng.uniform(-size, height + size, n)
    plots = [
        shapely.affinity.rotate(
            shapely.box(x - size / 2, y - size / 2, x + size / 2, y + size / 2),
            float(angle),
        )
        for x, y, angle in zip(cx, cy, rng.uniform(0, 90, n))
    ]
    return gpd.GeoDataFrame({"plot": [f"P{i}" for i in range(n)]}, geometry=plots, crs=UTM)


def assert_matches_exactextract(df, sites, raster):
    ee = exact_extract(str(raster), sites, ["mean", "max", "min"], output="pandas")
    for stat in ("mean", "max", "min"):
        ours = df[stat].to_numpy(dtype=float)
        theirs = ee[stat].to_numpy(dtype=float)
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs), err_msg=stat)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=0, err_msg=stat)


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------ exposure vs exactextract


@pytest.mark.parametrize("cell", [1.0, 5.0, 30.0])
def test_exposure_matches_exactextract_on_rotated_plots(tmp_path, cell):
    raster, _ = flood_raster(tmp_path, cell)
    plots = rotated_plots(400, cell, (120, 100))
    df = exposure(plots, raster, site_id="plot")
    assert list(df.columns) == [
        "site_id",
        "mean",
        "max",
        "min",
        "covered_area_m2",
        "area_above_m2",
        "cells",
        "status",
    ]
    assert df["site_id"].tolist() == plots["plot"].tolist()
    assert set(df["status"]) <= {"ok", "partial", "no_data"}
    assert_matches_exactextract(df, plots, raster)
    # Plots wholly on valid cells cover their whole area.
    ok = df["status"] == "ok"
    assert ok.sum() > 50
    np.testing.assert_allclose(df.loc[ok, "covered_area_m2"], plots.area[ok], rtol=1e-6)
    partial = df["status"] == "partial"
    assert partial.sum() > 10
    assert (df.loc[partial, "covered_area_m2"] < plots.area[partial]).all()


def test_polygon_with_hole_and_multipolygon(tmp_path):
    raster, _ = flood_raster(tmp_path, 5.0, shape=(60, 60))
    x, y = X0 + 37.3, Y0 - 41.9
    outer = shapely.Polygon(
        [(x, y), (x + 140.2, y + 12.7), (x + 120.6, y - 130.4), (x - 8.1, y - 110.0)]
    )
    hole = shapely.Point(x + 60, y - 55).buffer(30.3, 8)
    with_hole = shapely.Polygon(outer.exterior, [hole.exterior])
    multi = shapely.MultiPolygon(
        [
            shapely.affinity.rotate(shapely.box(X0 + 170, Y0 - 90, X0 + 191, Y0 - 72), 27),
            shapely.Polygon(
                shapely.box(X0 + 200, Y0 - 160, X0 + 260, Y0 - 100).exterior,
                [shapely.box(X0 + 221.5, Y0 - 139.5, X0 + 240.5, Y0 - 120.5).exterior],
            ),
        ]
    )
    sites = gpd.GeoDataFrame(geometry=[with_hole, multi, outer], crs=UTM)
    df = exposure(sites, raster)
    assert_matches_exactextract(df, sites, raster)
    # The hole is not counted: with and without it differ.
    assert df.loc[0, "mean"] != pytest.approx(df.loc[2, "mean"], rel=1e-6)
    assert df.loc[0, "site_id"] == 0  # the index, by default


def test_coverage_is_exact_on_a_valid_raster(tmp_path):
    """Weights sum to the polygon area in cells, holes and multiparts included."""
    raster = write_raster(
        tmp_path / "ones.tif", np.ones((80, 80), "float32"), from_origin(X0, Y0, 2.0, 2.0)
    )
    ring = shapely.Point(X0 + 70.3, Y0 - 81.1).buffer(40.7, 16)
    holed = shapely.Polygon(ring.exterior, [shapely.Point(X0 + 65, Y0 - 80).buffer(11, 5).exterior])
    multi = shapely.MultiPolygon(
        [shapely.box(X0 + 1.1, Y0 - 9.9, X0 + 7.7, Y0 - 3.3), holed.buffer(-5)]
    )
    sites = gpd.GeoDataFrame(geometry=[ring, holed, multi], crs=UTM)
    df = exposure(sites, raster)
    assert (df["status"] == "ok").all()
    np.testing.assert_allclose(df["covered_area_m2"], sites.area, rtol=1e-12)
    np.testing.assert_allclose(df["mean"], 1.0, rtol=1e-12)


def test_cell_coverage_equals_shapely_intersection_areas():
    """Per cell, on awkward shapes: vertices on grid lines and corners, edges along
    them, holes, several parts, parts off the raster. Small coordinates, so that
    shapely's own areas are exact enough to compare with."""
    x0, y0 = 100.0, 50.0
    rng = np.random.default_rng(7)
    width, height, cell = 12, 10, 2.0
    transform = from_origin(x0, y0, cell, cell)
    boxes = [
        shapely.box(x0 + cell * c, y0 - cell * (r + 1), x0 + cell * (c + 1), y0 - cell * r)
        for r in range(height)
        for c in range(width)
    ]
    checked = 0
    for _ in range(60):
        snap = rng.choice([1, 2, 4])
        xy = np.round(rng.uniform(-4, 30, (rng.integers(3, 9), 2)) * snap) / snap
        shape = shapely.make_valid(shapely.Polygon(np.c_[x0 + xy[:, 0], y0 - 0.8 * xy[:, 1]]))
        corner = shapely.box(x0 + rng.integers(-2, 20), y0 - rng.integers(0, 20), x0 + 20, y0 - 20)
        shape = shapely.difference(
            shapely.union(shape, corner), shapely.box(x0 + 4, y0 - 14, x0 + 8, y0 - 6)
        )
        parts = [g for g in shapely.get_parts(shape) if g.geom_type == "Polygon"]
        if not parts:
            continue
        shape = shapely.MultiPolygon(parts)
        geoms = shapely.orient_polygons(np.array([shape]))
        c0, c1, r0, r1 = hazard._site_windows(geoms, transform, width, height)
        _, rows, cols, cov = hazard._coverage(geoms, transform, c0, c1, r0, r1, 1.0)
        got = np.zeros((height, width))
        got[rows, cols] = cov
        truth = shapely.area(shapely.intersection(shape, boxes)).reshape(height, width) / cell**2
        np.testing.assert_allclose(got, truth, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(got > 0, truth > 1e-12)
        checked += 1
    assert checked > 40


def test_plots_crossing_nodata_and_partly_off_the_raster(tmp_path):
    data = np.arange(100, dtype="float32").reshape(10, 10)
    data[4:6, 4:6] = NODATA
    raster = write_raster(tmp_path / "grid.tif", data, from_origin(X0, Y0, 10.0, 10.0))
    extent = shapely.box(X0, Y0 - 100, X0 + 100, Y0)
    sites = gpd.GeoDataFrame(
        geometry=[
            shapely.affinity.rotate(shapely.box(X0 + 35, Y0 - 65, X0 + 62, Y0 - 38), 33),
            shapely.affinity.rotate(shapely.box(X0 - 12, Y0 - 30, X0 + 14, Y0 - 9), 18),
            shapely.box(X0 + 88, Y0 + 5, X0 + 117, Y0 - 13),  # off the top-right corner
        ],
        crs=UTM,
    )
    df = exposure(sites, raster)
    assert df["status"].tolist() == ["partial", "partial", "partial"]
    assert_matches_exactextract(df, sites, raster)
    # Off the raster: what is covered is the part on the raster.
    on_raster = shapely.intersection(sites.geometry.array[1:], extent)
    np.testing.assert_allclose(df["covered_area_m2"][1:], shapely.area(on_raster), rtol=1e-9)
    # Over nodata: the valid part only.
    nodata_box = shapely.box(X0 + 40, Y0 - 60, X0 + 60, Y0 - 40)
    valid_area = sites.geometry[0].difference(nodata_box).area
    assert df.loc[0, "covered_area_m2"] == pytest.approx(valid_area, rel=1e-9)


def test_sites_without_data_are_no_data_never_zero(tmp_path):
    data = np.full((10, 10), 2.0, "float32")
    data[:5, :5] = NODATA
    raster = write_raster(tmp_path / "grid.tif", data, from_origin(X0, Y0, 10.0, 10.0))
    sites = gpd.GeoDataFrame(
        geometry=[
            shapely.box(X0 + 500, Y0 - 30, X0 + 520, Y0 - 10),  # off the raster
            shapely.box(X0 + 10, Y0 - 40, X0 + 40, Y0 - 10),  # only nodata cells
            shapely.box(X0 - 50, Y0 + 10, X0 + 150, Y0 + 40),  # above the raster
            shapely.box(X0 + 60, Y0 - 80, X0 + 75, Y0 - 65),  # fine
        ],
        crs=UTM,
    )
    df = exposure(sites, raster, threshold=1.0)
    assert df["status"].tolist() == ["no_data", "no_data", "no_data", "ok"]
    nothing = df.iloc[:3]
    assert nothing[["mean", "max", "min"]].isna().all().all()
    assert (nothing["cells"] == 0).all()
    assert (nothing["covered_area_m2"] == 0).all()
    assert nothing["area_above_m2"].isna().all()  # unknown, not 0
    assert df.loc[3, "mean"] == 2.0
    assert_matches_exactextract(df, sites, raster)


def test_a_20m_plot_on_a_30m_grid_gets_a_value(tmp_path):
    data = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], "float32")
    raster = write_raster(tmp_path / "coarse.tif", data, from_origin(X0, Y0, 30.0, 30.0))
    # 20 x 20 m astride the corner of four cells, containing no cell centre.
    plot = shapely.box(X0 + 20, Y0 - 40, X0 + 40, Y0 - 20)
    sites = gpd.GeoDataFrame(geometry=[plot], crs=UTM)
    df = exposure(sites, raster)
    row = df.iloc[0]
    assert row["status"] == "ok"
    assert row["mean"] == pytest.approx((1 + 2 + 4 + 5) / 4, rel=1e-12)
    assert (row["max"], row["min"], row["cells"]) == (5.0, 1.0, 4)
    assert row["covered_area_m2"] == pytest.approx(400.0, rel=1e-12)
    assert_matches_exactextract(df, sites, raster)
    # Cell-centre counting leaves it without a value.
    assert zonal_stats(sites, str(raster), stats=["mean"])[0]["mean"] is None


def test_sites_in_lon_lat_are_reprojected_not_the_raster(tmp_path):
    raster, _ = flood_raster(tmp_path, 5.0)
    before = sha256(raster)
    plots = rotated_plots(120, 5.0, (120, 100), seed=5)
    in_utm = exposure(plots, raster)
    in_lonlat = exposure(plots.to_crs("EPSG:4326"), raster)
    assert in_lonlat["status"].tolist() == in_utm["status"].tolist()
    for stat in ("mean", "max", "min", "covered_area_m2"):
        np.testing.assert_allclose(in_lonlat[stat], in_utm[stat], rtol=1e-6, err_msg=stat)
    prov = in_lonlat.attrs["provenance"]
    assert prov["sites_reprojected_from"] == "EPSG:4326"
    assert prov["raster_crs"] == UTM
    assert prov["site_area_crs"] == "EPSG:32647"
    assert prov["raster"] == str(raster)
    assert prov["cell_size"] == (5.0, 5.0)
    assert prov["nodata"] == NODATA
    assert in_utm.attrs["provenance"]["sites_reprojected_from"] is None
    assert sha256(raster) == before


def test_covered_area_uses_the_sites_own_metric_crs(tmp_path):
    """A raster in lon/lat: shares come from it, square metres from the sites' CRS."""
    data = np.full((100, 100), 0.7, "float32")
    transform = from_origin(100.5, 13.9, 0.0001, 0.0001)
    raster = write_raster(tmp_path / "lonlat.tif", data, transform, crs="EPSG:4326")
    centre = gpd.GeoSeries([shapely.Point(100.5045, 13.8955)], crs="EPSG:4326").to_crs(UTM)[0]
    plots = gpd.GeoDataFrame(
        geometry=[shapely.box(centre.x - 15, centre.y - 10, centre.x + 15, centre.y + 10)],
        crs=UTM,
    )
    df = exposure(plots, raster)
    assert df.loc[0, "status"] == "ok"
    assert df.loc[0, "covered_area_m2"] == pytest.approx(600.0, rel=1e-9)
    assert df.loc[0, "mean"] == pytest.approx(0.7, rel=1e-6)
    assert df.attrs["provenance"]["sites_reprojected_from"] == UTM


def test_area_above_threshold(tmp_path):
    data = np.zeros((4, 4), "float32")
    data[:, :2] = 1.0  # west half 1 m deep, east half dry
    raster = write_raster(tmp_path / "half.tif", data, from_origin(X0, Y0, 10.0, 10.0))
    sites = gpd.GeoDataFrame(
        {"name": ["astride", "west", "east", "sliver"]},
        geometry=[
            shapely.box(X0 + 10, Y0 - 30, X0 + 30, Y0 - 10),  # 2 wet + 2 dry cells
            shapely.box(X0, Y0 - 40, X0 + 20, Y0),  # all wet
            shapely.box(X0 + 20, Y0 - 40, X0 + 40, Y0),  # all dry
            shapely.box(X0 + 15, Y0 - 20, X0 + 25, Y0 - 15),  # 5 x 10 m, half wet
        ],
        crs=UTM,
    )
    df = exposure(sites, raster, DEFAULT_FLOOD_THRESHOLD_M, site_id="name")
    assert df["area_above_m2"].tolist() == pytest.approx([200.0, 800.0, 0.0, 25.0])
    assert df["mean"].tolist() == pytest.approx([0.5, 1.0, 0.0, 0.5])
    assert df["cells"].tolist() == [4, 8, 8, 2]
    assert df.attrs["provenance"]["threshold"] == DEFAULT_FLOOD_THRESHOLD_M
    assert exposure(sites, raster)["area_above_m2"].isna().all()


def test_nan_values_and_mask_are_nodata(tmp_path):
    data = np.full((4, 4), 3.0, "float32")
    data[0, 0] = np.nan
    raster = write_raster(tmp_path / "nan.tif", data, from_origin(X0, Y0, 10.0, 10.0), nodata=None)
    sites = gpd.GeoDataFrame(
        geometry=[shapely.box(X0, Y0 - 20, X0 + 20, Y0), shapely.box(X0, Y0 - 10, X0 + 10, Y0)],
        crs=UTM,
    )
    df = exposure(sites, raster)
    assert df["status"].tolist() == ["partial", "no_data"]
    assert df.loc[0, "mean"] == 3.0
    assert df.loc[0, "covered_area_m2"] == pytest.approx(300.0)
    # An internal mask band (no nodata value) is honoured too.
    masked = tmp_path / "masked.tif"
    with (
        rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True),
        rasterio.open(
            masked,
            "w",
            driver="GTiff",
            width=4,
            height=4,
            count=1,
            dtype="float32",
            crs=UTM,
            transform=from_origin(X0, Y0, 10.0, 10.0),
        ) as dst,
    ):
        dst.write(np.full((4, 4), 5.0, "float32"), 1)
        mask = np.full((4, 4), 255, "uint8")
        mask[0, 1] = 0
        dst.write_mask(mask)
    df = exposure(sites, masked)
    assert df["status"].tolist() == ["partial", "ok"]
    assert df.loc[0, "covered_area_m2"] == pytest.approx(300.0)


def test_integer_raster_with_scale_offset_and_nodata(tmp_path):
    stored = (np.arange(100).reshape(10, 10) % 7).astype("int16")
    stored[0, 0] = -1
    path = tmp_path / "scaled.tif"
    write_raster(path, stored, from_origin(X0, Y0, 10.0, 10.0), nodata=-1)
    with rasterio.open(path, "r+") as dst:
        dst.scales, dst.offsets = (0.5,), (1.0,)
    sites = gpd.GeoDataFrame(
        geometry=[
            shapely.box(X0 + 3, Y0 - 37, X0 + 47, Y0 - 2),
            shapely.affinity.rotate(shapely.box(X0 + 33, Y0 - 73, X0 + 61, Y0 - 45), 20),
        ],
        crs=UTM,
    )
    df = exposure(sites, path)
    assert df["status"].tolist() == ["partial", "ok"]
    assert df["max"].max() <= 0.5 * 6 + 1.0
    assert_matches_exactextract(df, sites, path)


def test_batches_and_read_groups_give_the_same_answer(tmp_path, monkeypatch):
    raster, _ = flood_raster(tmp_path, 1.0, shape=(300, 200))
    plots = rotated_plots(150, 1.0, (300, 200), seed=9, size=35.0)
    big = shapely.Point(X0 + 100, Y0 - 150).buffer(120, 16)
    plots = pd.concat(
        [plots, gpd.GeoDataFrame({"plot": ["big"]}, geometry=[big], crs=UTM)],
        ignore_index=True,
    )
    whole = exposure(plots, raster, 1.0)
    monkeypatch.setattr(hazard, "_MAX_READ_CELLS", 3_000)
    monkeypatch.setattr(hazard, "_MAX_BATCH_CELLS", 700)
    pieces = exposure(plots, raster, 1.0)
    pd.testing.assert_frame_equal(whole, pieces, rtol=1e-9)
    assert_matches_exactextract(pieces, plots, raster)


def test_sample_communities_all_get_a_value():
    communities = pyogrio.read_dataframe(SAMPLE_GPKG, layer="communities")
    assert len(communities) == 38
    df = exposure(communities, SAMPLE_FLOOD, DEFAULT_FLOOD_THRESHOLD_M, site_id="community_id")
    assert set(df["status"]) <= {"ok", "partial"}
    assert df["mean"].notna().all()
    assert (df["cells"] > 0).all()
    assert df["site_id"].tolist() == communities["community_id"].tolist()
    assert_matches_exactextract(df, communities, SAMPLE_FLOOD)


# ------------------------------------------------------------------ exposure validation


def test_every_bad_geometry_is_reported_at_once(tmp_path):
    raster, _ = flood_raster(tmp_path, 5.0, shape=(20, 20))
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 10, Y0 - 10), (X0 + 10, Y0), (X0, Y0 - 10)])
    spike = shapely.Polygon([(X0, Y0), (X0 + 20, Y0), (X0 + 10, Y0), (X0 + 10, Y0 - 10)])
    sites = gpd.GeoDataFrame(
        geometry=[
            shapely.box(X0, Y0 - 10, X0 + 10, Y0),
            bowtie,
            shapely.Point(X0 + 5, Y0 - 5),
            None,
            spike,
            shapely.Polygon(),
        ],
        crs=UTM,
    )
    with pytest.raises(ValidationError) as info:
        exposure(sites, raster)
    problems = info.value.problems
    assert [p.feature for p in problems] == [1, 2, 3, 4, 5]
    assert {p.field for p in problems} == {"geometry"}
    assert all(p.message_en and p.message_th for p in problems)
    assert "Point" in problems[1].message_en
    assert "invalid" in problems[0].message_en


def test_missing_crs_and_bad_raster_are_reported_with_the_file(tmp_path):
    no_crs = write_raster(
        tmp_path / "nocrs.tif", np.ones((5, 5), "float32"), from_origin(X0, Y0, 10, 10), crs=None
    )
    sites = gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0 - 20, X0 + 20, Y0)])
    with pytest.raises(ValidationError) as info:
        exposure(sites, no_crs, threshold="deep", site_id="nope")
    problems = info.value.problems
    assert len(problems) == 4
    assert any(p.file == str(no_crs) and "CRS" in p.message_en for p in problems)
    assert any(p.layer == "sites" and "CRS" in p.message_en for p in problems)
    assert any(p.field == "nope" for p in problems)

    rotated = write_raster(
        tmp_path / "rotated.tif",
        np.ones((5, 5), "float32"),
        Affine(10, 2, X0, 2, -10, Y0),
    )
    sites = sites.set_crs(UTM)
    with pytest.raises(ValidationError, match="rotated") as info:
        exposure(sites, rotated)
    assert info.value.problems[0].file == str(rotated)
    with pytest.raises(ValidationError, match="band"):
        exposure(sites, rotated.with_name("nocrs.tif"), band=2)
    with pytest.raises(ValidationError) as info:
        exposure(sites, tmp_path / "missing.tif")
    assert info.value.problems[0].file == str(tmp_path / "missing.tif")


# ------------------------------------------------------------------ nearest disasters


def random_layers(seed=4, n_sites=400, n_points=150, extent=3000.0):
    rng = np.random.default_rng(seed)
    x, y = X0 + rng.uniform(0, extent, n_sites), Y0 - rng.uniform(0, extent, n_sites)
    size = np.where(rng.random(n_sites) < 0.1, 400.0, 20.0)  # a few big sites
    sites = [
        shapely.affinity.rotate(shapely.box(a, b, a + s, b + s * 0.7), float(r))
        for a, b, s, r in zip(x, y, size, rng.uniform(0, 90, n_sites))
    ]
    sites[0] = shapely.LineString([(X0, Y0), (X0 + 300, Y0 - 100)])  # any geometry is fine
    sites[1] = shapely.Point(X0 + 1000, Y0 - 1000)
    # Clustered disasters, as along a canal, plus a scatter.
    px = np.r_[X0 + 1500 + rng.normal(0, 30, n_points // 2), X0 + rng.uniform(0, extent, n_points)]
    py = np.r_[Y0 - 1500 + rng.normal(0, 30, n_points // 2), Y0 - rng.uniform(0, extent, n_points)]
    m = len(px)
    disasters = gpd.GeoDataFrame(
        {
            "event": [f"E{i}" for i in range(m)],
            "kind": rng.choice(["flood", "fire", "storm"], m),
            "event_date": pd.Timestamp("2011-10-01")
            + pd.to_timedelta(rng.integers(0, 4000, m), unit="D"),
        },
        geometry=shapely.points(px, py),
        crs=UTM,
    )
    return gpd.GeoDataFrame({"plot": np.arange(n_sites)}, geometry=sites, crs=UTM), disasters


def test_nearest_disasters_matches_brute_force():
    sites, disasters = random_layers()
    radius = 250.0
    df = nearest_disasters(sites, disasters, radius=radius, site_id="plot", disaster_id="event")
    dist = shapely.distance(
        np.asarray(sites.geometry.array)[:, None], np.asarray(disasters.geometry.array)[None, :]
    )
    np.testing.assert_allclose(df["nearest_distance_m"], dist.min(axis=1), rtol=1e-12)
    chosen = disasters.set_index("event").loc[df["nearest_id"]]
    picked = dist[np.arange(len(sites)), [int(e[1:]) for e in df["nearest_id"]]]
    np.testing.assert_allclose(picked, dist.min(axis=1), rtol=1e-12)
    assert df["nearest_kind"].tolist() == chosen["kind"].tolist()
    assert df["nearest_date"].tolist() == chosen["event_date"].tolist()
    assert df["count_within"].tolist() == (dist <= radius).sum(axis=1).tolist()
    assert df["site_id"].tolist() == sites["plot"].tolist()


def test_count_within_is_inclusive_at_the_radius():
    site = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 10, 10)], crs=UTM)
    disasters = gpd.GeoDataFrame(
        {"kind": ["flood", "flood", "fire"], "event_date": pd.to_datetime(["2011-10-01"] * 3)},
        geometry=[shapely.Point(210, 5), shapely.Point(5, -200), shapely.Point(-200.001, 5)],
        crs=UTM,
    )
    df = nearest_disasters(site, disasters, radius=200.0)
    assert df.loc[0, "count_within"] == 2
    assert df.loc[0, "nearest_distance_m"] == 200.0
    assert df.loc[0, "nearest_id"] in (0, 1)  # the index, by default


def test_nearest_disasters_refuses_other_crs_and_degrees():
    sites, disasters = random_layers(n_sites=5, n_points=5)
    with pytest.raises(ValidationError, match="different coordinate reference systems"):
        nearest_disasters(sites, disasters.to_crs("EPSG:32648"))
    with pytest.raises(ValidationError, match="not a projected CRS in metres"):
        nearest_disasters(sites.to_crs("EPSG:4326"), disasters.to_crs("EPSG:4326"))
    with pytest.raises(ValidationError) as info:
        nearest_disasters(
            sites.set_crs(None, allow_override=True),
            disasters.set_crs(None, allow_override=True),
            date_field="when",
            radius=-1,
        )
    assert len(info.value.problems) == 4


def test_nearest_disasters_checks_geometries():
    sites, disasters = random_layers(n_sites=5, n_points=5)
    disasters.loc[2, "geometry"] = shapely.box(0, 0, 1, 1)
    disasters.loc[4, "geometry"] = None
    with pytest.raises(ValidationError) as info:
        nearest_disasters(sites, disasters)
    assert [(p.layer, p.feature) for p in info.value.problems] == [
        ("disasters", 2),
        ("disasters", 4),
    ]


def test_no_disasters_means_no_nearest_and_zero_count():
    sites, disasters = random_layers(n_sites=5, n_points=5)
    df = nearest_disasters(sites, disasters.iloc[:0])
    assert df["nearest_id"].isna().all() and df["nearest_date"].isna().all()
    assert df["nearest_distance_m"].isna().all()
    assert (df["count_within"] == 0).all()


# ------------------------------------------------------------------ flood scenarios


def test_flood_depth_from_level_with_a_basin_cut_off_from_the_canal(tmp_path):
    # West: the canal and low bank (1 m); a ridge (5 m); east: a basin (0.5 m).
    dem = np.full((8, 10), 1.0, "float32")
    dem[:, 0] = 0.0
    dem[:, 5] = 5.0
    dem[2:6, 7:9] = 0.5
    dem[7, 2] = NODATA
    transform = from_origin(X0, Y0, 2.0, 2.0)
    dem_path = write_raster(tmp_path / "dem.tif", dem, transform)
    canal = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(X0 + 1, Y0), (X0 + 1, Y0 - 16)])], crs=UTM
    )

    free = flood_depth_from_level(dem_path, 2.0, tmp_path / "free.tif")
    out = flood_depth_from_level(
        dem_path, 2.0, tmp_path / "out" / "scenario.tif", connected_to=canal
    )
    assert out == tmp_path / "out" / "scenario.tif"
    with rasterio.open(out) as src:
        depth = src.read(1)
        assert src.dtypes[0] == "float32"
        assert src.nodata == NODATA
        assert src.transform == transform
        assert src.crs.to_string() == UTM
        assert src.compression.value.lower() == "deflate"
    with rasterio.open(free) as src:
        free_depth = src.read(1)
    assert depth[0, 0] == 2.0 and depth[3, 3] == 1.0
    assert depth[7, 2] == NODATA and free_depth[7, 2] == NODATA
    assert (depth[:, 5:] == 0).all()  # ridge and basin stay dry: not connected
    assert free_depth[3, 7] == 1.5 and free_depth[0, 7] == 1.0
    assert (free_depth[:, 5] == 0).all()


def test_flood_connects_through_diagonal_neighbours(tmp_path):
    dem = np.array([[0, 9, 9], [9, 0, 9], [9, 9, 0]], "float32")
    dem_path = write_raster(tmp_path / "dem.tif", dem, from_origin(X0, Y0, 1.0, 1.0))
    canal = gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0 - 1, X0 + 1, Y0)], crs=UTM)
    out = flood_depth_from_level(dem_path, 1.0, tmp_path / "depth.tif", connected_to=canal)
    with rasterio.open(out) as src:
        np.testing.assert_array_equal(src.read(1), np.eye(3, dtype="float32"))


def test_flood_depth_validation(tmp_path):
    dem_path = write_raster(
        tmp_path / "dem.tif", np.ones((4, 4), "float32"), from_origin(X0, Y0, 1.0, 1.0)
    )
    canal = gpd.GeoDataFrame(geometry=[shapely.Point(X0, Y0)], crs="EPSG:4326")
    with pytest.raises(ValidationError) as info:
        flood_depth_from_level(dem_path, "high", tmp_path / "o.tif", connected_to=canal)
    assert len(info.value.problems) == 3
    assert not (tmp_path / "o.tif").exists()
