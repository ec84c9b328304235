"""Regression tests of two import bugs (issue 12): a repair that split a feature into a
GeometryCollection, and a CSV row with one field too many blamed on a shifted column."""

from __future__ import annotations

import json

import geopandas as gpd
import pyogrio
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPoint, Point, Polygon

from gis.errors import ValidationError
from gis.importing import import_file, load_report

# A community a few hundred metres across, with a spike: the ring goes up 110 m and
# back down the same line. make_valid turns it into a Polygon and a LineString.
SQUARE = [(100.565, 13.88), (100.566, 13.88), (100.566, 13.881), (100.565, 13.881)]
SPIKE = Polygon(
    [*SQUARE[:3], (100.5655, 13.881), (100.5655, 13.882), (100.5655, 13.881), SQUARE[3]]
)
PLAIN = Polygon([(100.57, 13.88), (100.571, 13.88), (100.571, 13.881), (100.57, 13.881)])
COMMUNITY = {
    "community_id": "KK-01",
    "name_th": "ชุมชนหนองแวง",
    "name_en": "Nong Waeng",
    "area_en": "Mueang Khon Kaen",
    "area_th": "เมืองขอนแก่น",
    "province_th": "ขอนแก่น",
    "bank": "west",
    "households_total": 40,
    "households_agreed": 30,
}


def write_geojson(path, geoms, rows=None):
    """A GeoJSON in WGS 84, written by GDAL."""
    rows = rows or [{"name": f"feature {i}"} for i in range(len(geoms))]
    gdf = gpd.GeoDataFrame(rows, geometry=list(geoms), crs="EPSG:4326")
    pyogrio.write_dataframe(gdf, path, driver="GeoJSON")
    return path


def utm(geom):
    return gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(32647).iloc[0]


def test_spike_polygon_keeps_its_polygon_in_a_new_layer(tmp_path, empty_store, catalog):
    path = write_geojson(tmp_path / "spike.geojson", [SPIKE, PLAIN])
    assert not SPIKE.is_valid
    assert shapely.make_valid(SPIKE).geom_type == "GeometryCollection"
    report = import_file(path, layer="khon_kaen_plots", catalog=catalog, store=empty_store)
    assert report.status == "written" and report.features_written == 2
    gdf = empty_store.read("khon_kaen_plots")
    assert set(gdf.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    assert gdf.geometry.is_valid.all()
    assert gdf.geometry.iloc[0].area == pytest.approx(utm(Polygon(SQUARE)).area, rel=1e-6)
    assert gdf.geometry.iloc[1].area == pytest.approx(utm(PLAIN).area, rel=1e-6)
    (fixed,) = report.fixed
    assert fixed["feature"] == 0 and fixed["field"] == "geometry"
    assert "kept the Polygon (area" in fixed["en"] and "dropped LineString (length" in fixed["en"]
    length = float(fixed["en"].split("dropped LineString (length ")[1].split(" m)")[0])
    assert length == pytest.approx(110.6, abs=0.5)  # the spike, 0.001° of latitude
    assert "ตัดส่วนต่อไปนี้ทิ้ง" in fixed["th"] and "ยาว" in fixed["th"]
    kept = load_report(empty_store, report.id)
    assert kept["fixed"][0]["en"] == fixed["en"]


def test_spike_polygon_into_the_catalogue_communities(tmp_path, empty_store, catalog):
    other = {**COMMUNITY, "community_id": "KK-02", "name_en": "Sam Liam"}
    path = write_geojson(tmp_path / "communities.geojson", [SPIKE, PLAIN], [COMMUNITY, other])
    report = import_file(path, layer="communities", catalog=catalog, store=empty_store)
    gdf = empty_store.read("communities").sort_values("community_id")
    assert list(gdf["community_id"]) == ["KK-01", "KK-02"]
    assert set(gdf.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    assert gdf.geometry.iloc[0].area == pytest.approx(utm(Polygon(SQUARE)).area, rel=1e-6)
    assert [f["feature"] for f in report.fixed] == [0]
    assert "dropped LineString" in report.fixed[0]["en"]


def test_line_with_a_collapsed_part_keeps_its_line(tmp_path, empty_store, catalog):
    canal = MultiLineString([[(100.56, 13.88), (100.57, 13.89)], [(100.58, 13.9), (100.58, 13.9)]])
    plain = LineString([(100.56, 13.87), (100.57, 13.86)])
    assert shapely.make_valid(canal).geom_type == "GeometryCollection"
    path = write_geojson(tmp_path / "canals.geojson", [canal, plain])
    report = import_file(path, layer="canals_kk", catalog=catalog, store=empty_store)
    gdf = empty_store.read("canals_kk")
    assert set(gdf.geometry.geom_type) <= {"LineString", "MultiLineString"}
    expected = utm(LineString([(100.56, 13.88), (100.57, 13.89)])).length
    assert gdf.geometry.iloc[0].length == pytest.approx(expected, rel=1e-6)
    (fixed,) = report.fixed
    assert fixed["feature"] == 0 and "kept the LineString" in fixed["en"]
    assert "dropped Point (" in fixed["en"] and "จุด (" in fixed["th"]


def test_point_without_a_number_is_dropped_from_its_multipoint(tmp_path, empty_store, catalog):
    # Python's json module writes NaN as it is (GDAL would write a null geometry); GDAL
    # reads it back as a NaN coordinate.
    wells = MultiPoint([(100.56, float("nan")), (100.57, 13.89)])
    features = [
        {"type": "Feature", "properties": {"name": n}, "geometry": shapely.geometry.mapping(g)}
        for n, g in (("well 1", wells), ("well 2", Point(100.58, 13.9)))
    ]
    path = tmp_path / "wells.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    assert "NaN" in path.read_text()
    report = import_file(path, layer="wells_kk", catalog=catalog, store=empty_store)
    gdf = empty_store.read("wells_kk")
    assert set(gdf.geometry.geom_type) <= {"Point", "MultiPoint"}
    assert shapely.equals_exact(gdf.geometry.iloc[0], utm(Point(100.57, 13.89)), 1e-3)
    (fixed,) = report.fixed
    assert fixed["feature"] == 0 and "kept the Point" in fixed["en"]
    assert "dropped Point without usable coordinates" in fixed["en"]
    assert "ไม่มีพิกัดที่ใช้ได้" in fixed["th"]


def test_polygon_that_repairs_to_a_line_is_refused_by_name(tmp_path, empty_store, catalog):
    # A ring that only goes out and back: nothing of it encloses an area.
    flat = Polygon([(100.565, 13.88), (100.566, 13.881), (100.567, 13.882), (100.566, 13.881)])
    path = write_geojson(tmp_path / "flat.geojson", [PLAIN, flat], [COMMUNITY, COMMUNITY])
    with pytest.raises(ValidationError) as info:
        import_file(path, layer="flat_plots", catalog=catalog, store=empty_store)
    (problem,) = info.value.problems
    assert problem.feature == 1 and problem.field == "geometry"
    assert "leaves no Polygon, only LineString (length" in problem.message_en
    assert "ไม่เหลือ" in problem.message_th
    assert not empty_store.has_layer("flat_plots")


# ----------------------------------------------------------------- CSV rows

CSV_HEADER = "name,lat,lon,households\n"


def test_csv_row_with_a_field_too_many_is_named(tmp_path, empty_store, catalog):
    path = tmp_path / "survey.csv"
    path.write_text(
        CSV_HEADER + "Soi 3,13.88,100.56,12\nSoi 5, plus,13.89,100.57,8\nSoi 7,13.90,100.58,5\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as info:
        import_file(path, layer="survey_kk", catalog=catalog, store=empty_store)
    (problem,) = info.value.problems
    assert problem.feature == "row 3" and problem.file == "survey.csv"
    assert "row 3 has 5 fields but the header (row 1) has 4" in problem.message_en
    assert "Soi 5, plus" in problem.message_en
    assert "แถวที่ 3 มี 5 ช่อง" in problem.message_th and "(แถวที่ 1) มี 4 ช่อง" in problem.message_th
    assert "not a number" not in problem.message_en
    assert not empty_store.has_layer("survey_kk")


def test_csv_first_row_too_long_is_not_read_as_an_index(tmp_path, empty_store, catalog):
    path = tmp_path / "survey.csv"
    rows = "Soi 5, plus,13.89,100.57,8\nSoi 7,13.90,100.58,5\n"
    path.write_text(CSV_HEADER + rows + "\n" + "Soi 9,13.91,100.59,4,x\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        import_file(path, layer="survey_kk", catalog=catalog, store=empty_store)
    assert [p.feature for p in info.value.problems] == ["row 2", "row 5"]  # a blank row 4


def test_csv_row_with_the_comma_quoted_imports(tmp_path, empty_store, catalog):
    path = tmp_path / "survey.csv"
    path.write_text(
        CSV_HEADER + 'Soi 3,13.88,100.56,12\n"Soi 5, plus",13.89,100.57,8\n', encoding="utf-8"
    )
    report = import_file(path, layer="survey_kk", catalog=catalog, store=empty_store)
    assert report.features_written == 2
    assert "Soi 5, plus" in set(empty_store.read("survey_kk")["name"])
