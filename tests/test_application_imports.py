"""Imports and exports in the application layer, called directly with a small
GeoPackage store: the rules the upload page, its API and `planner import` share."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from app.application import imports
from app.application.imports import ImportOptions
from gis.errors import PlannerError, ValidationError
from gis.store import open_store


@pytest.fixture
def store(tmp_path):
    return open_store(tmp_path / "instance", None)


@pytest.fixture
def survey(tmp_path):
    """A small survey of households with a personal field (a phone number)."""
    gdf = gpd.GeoDataFrame(
        {
            "plot_no": ["P-1", "P-2", "P-3"],
            "house_no": ["12/1", "12/2", "12/3"],
            "phone": ["081-111-1111", "081-222-2222", "081-333-3333"],
            "geometry": [Point(100.60 + i / 1000, 13.87) for i in range(3)],
        },
        crs="EPSG:4326",
    )
    path = tmp_path / "survey.geojson"
    gdf.to_file(path, driver="GeoJSON")
    return path


def test_field_mappings_are_file_field_equals_layer_field():
    assert imports.parse_field_map(["ชื่อ = name_th", "id=community_id"]) == {
        "ชื่อ": "name_th",
        "id": "community_id",
    }
    with pytest.raises(PlannerError, match="FILE_FIELD=LAYER_FIELD"):
        imports.parse_field_map(["name_th"])


@pytest.mark.parametrize("raw", ["EPSG:32647", "EPSG:24047", " EPSG:4326 "])
def test_a_usable_crs_is_kept(raw):
    assert imports.checked_crs(raw) == raw.strip()


@pytest.mark.parametrize("raw", ["EPSG:999999", "EPSG:4978", "x" * 3000, "not a crs"])
def test_an_unusable_crs_is_a_problem_of_the_crs_field(raw):
    with pytest.raises(ValidationError) as err:
        imports.checked_crs(raw, "survey.geojson")
    (problem,) = err.value.problems
    assert problem.field == "crs" and problem.file == "survey.geojson"
    assert problem.message_th


def test_a_file_is_imported_reported_and_exported(store, catalog, survey, tmp_path):
    report = imports.import_into(store, catalog, survey, ImportOptions(layer="survey"))
    assert report.status == "written" and report.features_written == 3
    assert store.read("survey")["plot_no"].tolist() == ["P-1", "P-2", "P-3"]
    kept = imports.import_reports(store)
    assert [r["id"] for r in kept] == [report.id]
    assert imports.import_report(store, report.id)["layer"] == "survey"
    assert report.id in imports.report_summary(imports.import_report(store, report.id))
    assert "survey" in imports.vector_layers(store, catalog)

    out = imports.export_to(store, catalog, ["survey"], fmt="gpkg", out=tmp_path / "all.gpkg")
    assert "phone" in gpd.read_file(out).columns
    drop = imports.personal_fields(store, ["survey"])
    assert {"phone", "house_no"} <= drop
    out = imports.export_to(
        store, catalog, ["survey"], fmt="geojson", out=tmp_path / "safe.geojson", drop_fields=drop
    )
    assert "phone" not in gpd.read_file(out).columns
    data, name = imports.export_bytes(
        store, catalog, "survey", fmt="csv", open_data=False, drop_fields=drop
    )
    assert name == "survey.csv" and b"P-3" in data
    assert b"081-" not in data and b"12/3" not in data


def test_an_append_adds_new_features_and_refuses_the_same_ones(store, catalog, survey, tmp_path):
    imports.import_into(store, catalog, survey, ImportOptions(layer="survey"))
    more = gpd.read_file(survey)
    more["geometry"] = more.geometry.translate(0.01, 0)
    more.to_file(tmp_path / "more.geojson", driver="GeoJSON")
    append = ImportOptions(layer="survey", mode="append")
    imports.import_into(store, catalog, tmp_path / "more.geojson", append)
    assert len(store.read("survey")) == 6
    with pytest.raises(ValidationError) as err:
        imports.import_into(store, catalog, survey, append)
    assert {p.feature for p in err.value.problems} == {0, 1, 2}
    assert len(store.read("survey")) == 6


def test_a_refused_import_writes_nothing_and_keeps_its_report(store, catalog, tmp_path):
    path = tmp_path / "bad.geojson"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        imports.import_into(store, catalog, path, ImportOptions(layer="survey"))
    assert not store.has_layer("survey")
    kept = imports.import_reports(store)
    assert [(r["id"], r["status"], r["file"]) for r in kept] == [
        (err.value.report.id, "refused", "bad.geojson")
    ]


def test_an_unknown_mode_is_refused_before_reading(store, catalog, survey):
    with pytest.raises(PlannerError, match="replace or append"):
        imports.import_into(store, catalog, survey, ImportOptions(layer="survey", mode="merge"))
    assert imports.import_reports(store) == []


def test_exports_name_what_is_wrong(store, catalog, tmp_path):
    with pytest.raises(PlannerError, match="unknown format"):
        imports.export_to(store, catalog, ["x"], fmt="dwg", out=tmp_path / "x.dwg")
    with pytest.raises(PlannerError, match="no layer nowhere"):
        imports.export_to(store, catalog, ["nowhere"], fmt="gpkg", out=tmp_path / "x.gpkg")
    with pytest.raises(PlannerError):
        imports.export_to(store, catalog, [], fmt="gpkg", out=tmp_path / "x.gpkg")
    with pytest.raises(PlannerError):
        imports.import_report(store, "../../etc/passwd")


def test_sensitive_columns_are_refused_in_a_layer_and_nothing_is_stored(store, catalog, tmp_path):
    """A layer keeps no household's explicit consent (PDPA s26): a file carrying health or
    income columns is refused, naming the file and each field; the layer is not written."""
    gdf = gpd.GeoDataFrame(
        {
            "house_no": ["12/1", "12/2"],
            "ผู้พิการ": [1, 0],
            "monthly_income": [9000, 12000],
            "geometry": [Point(100.60, 13.87), Point(100.61, 13.87)],
        },
        crs="EPSG:4326",
    )
    path = tmp_path / "สำรวจ.geojson"
    gdf.to_file(path, driver="GeoJSON")
    with pytest.raises(ValidationError) as refused:
        imports.import_into(store, catalog, path, ImportOptions(layer="survey"))
    problems = {p.field: p for p in refused.value.problems}
    assert set(problems) == {"ผู้พิการ", "monthly_income"}
    assert all(p.file == "สำรวจ.geojson" and "มาตรา 26" in p.message_th for p in problems.values())
    assert "PDPA s26" in problems["monthly_income"].message_en
    assert not store.has_layer("survey")
    (kept,) = imports.import_reports(store)
    assert kept["status"] == "refused"
    # Without those columns the same file goes in.
    path2 = tmp_path / "survey.geojson"
    gdf.drop(columns=["ผู้พิการ", "monthly_income"]).to_file(path2, driver="GeoJSON")
    assert (
        imports.import_into(store, catalog, path2, ImportOptions(layer="survey")).status
        == "written"
    )
