"""The layer catalogue and validation against it."""

import geopandas as gpd
import pytest
import shapely

from gis.catalog import check_layer, load_catalog, validate_layer
from gis.errors import CatalogError, ValidationError


def test_every_layer_is_fully_described(catalog):
    assert len(catalog.layers) >= 10
    for entry in catalog:
        assert entry.title["th"] and entry.title["en"], entry.name
        assert entry.status in {"real", "approximate", "illustrative"}
        assert entry.status_note["th"] and entry.status_note["en"]
        assert entry.source and entry.licence
        assert entry.crs == "EPSG:32647"
        for spec in entry.fields.values():
            assert spec.label["th"] and spec.label["en"], (entry.name, spec.name)


def test_status_tells_real_from_sample(catalog):
    assert catalog["districts"].status == "real"
    assert catalog["canal_centreline"].status == "approximate"
    for name in (
        "communities",
        "structures",
        "zoning",
        "tenure_parcels",
        "disaster_sites",
        "flood_depth",
    ):
        assert catalog[name].status == "illustrative", name


def test_zoning_legend_uses_the_plan_codes(catalog):
    classes = catalog["zoning"].style["classify"]["classes"]
    codes = {code for cls in classes for code in cls["values"]}
    assert {"ย.1", "ย.10", "พ.5", "อ.3", "ก.1", "ก.4", "ส."} <= codes
    hatched = [c for c in classes if c.get("pattern") == "hatch"]
    assert hatched and set(hatched[0]["values"]) == {"ก.1", "ก.2", "ก.3"}


def test_unknown_layer_is_a_catalog_error(catalog):
    with pytest.raises(CatalogError, match="not in the catalogue"):
        catalog["no_such_layer"]


def test_malformed_catalog_reports_every_problem(tmp_path):
    path = tmp_path / "catalog.yaml"
    path.write_text(
        "layers:\n"
        "  a: {kind: vector, geometry_type: Blob, crs: EPSG:32647, status: real,\n"
        "      title: {th: ก}, fields: {x: {type: complex, label: {th: ก, en: a}}}}\n"
        "  b: {kind: raster, geometry_type: Raster, crs: 'EPSG:99999999', status: maybe,\n"
        "      title: {th: ข, en: b}, status_note: {th: ข, en: b}, source: {name: x},\n"
        "      licence: CC0}\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError) as exc:
        load_catalog(path)
    text = str(exc.value)
    for expected in (
        "unknown geometry_type 'Blob'",
        "needs both 'th' and 'en'",
        "unknown type 'complex'",
        "needs a source and a licence",
        "unknown CRS 'EPSG:99999999'",
        "status must be one of",
        "a raster layer needs a file",
    ):
        assert expected in text


def _communities(n=3, crs="EPSG:32647"):
    return gpd.GeoDataFrame(
        {
            "community_id": [f"C{i}" for i in range(n)],
            "name_th": ["ชุมชนตัวอย่าง"] * n,
            "name_en": ["Sample"] * n,
            "area_en": ["Lak Si"] * n,
            "area_th": ["หลักสี่"] * n,
            "province_th": ["กรุงเทพมหานคร"] * n,
            "bank": ["east"] * n,
            "households_total": [10] * n,
            "households_agreed": [9] * n,
        },
        geometry=[
            shapely.box(670000 + i * 100, 1530000, 670050 + i * 100, 1530050) for i in range(n)
        ],
        crs=crs,
    )


def test_a_good_layer_passes(catalog):
    assert validate_layer(_communities(), catalog["communities"]) == []
    check_layer(_communities(), catalog["communities"])


def test_every_problem_is_reported_at_once(catalog):
    gdf = _communities(4).drop(columns=["bank"])
    gdf["households_total"] = ["many", "10", "3", "4"]
    gdf.loc[1, "name_th"] = None
    bowtie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    gdf.loc[2, "geometry"] = bowtie
    gdf.loc[3, "geometry"] = shapely.Point(670000, 1530000)
    gdf = gdf.set_crs("EPSG:4326", allow_override=True)
    problems = validate_layer(gdf, catalog["communities"], file="upload.gpkg")
    found = {(p.field, p.feature) for p in problems}
    assert (None, None) in found  # CRS
    assert ("bank", None) not in found  # a corridor extra (profile khlong_prem): optional
    assert ("households_total", None) in found
    assert ("name_th", 1) in found
    assert ("geometry", 2) in found
    assert ("geometry", 3) in found
    assert all(p.file == "upload.gpkg" and p.layer == "communities" for p in problems)
    messages = " | ".join(str(p) for p in problems)
    assert "EPSG:4326" in messages and "Self-intersection" in messages
    assert "geometry is Point" in messages
    with pytest.raises(ValidationError) as exc:
        check_layer(gdf, catalog["communities"], file="upload.gpkg")
    assert len(exc.value.problems) == len(problems)
    assert all(p.message_th for p in exc.value.problems)


def test_missing_crs_is_not_guessed(catalog):
    gdf = _communities().set_crs(None, allow_override=True)
    problems = validate_layer(gdf, catalog["communities"])
    assert [p.message_en for p in problems] == [
        "the layer has no CRS; the catalogue expects EPSG:32647"
    ]


def test_empty_geometry_is_reported(catalog):
    gdf = _communities(2)
    gdf.loc[1, "geometry"] = None
    problems = validate_layer(gdf, catalog["communities"])
    assert [(p.feature, p.field, p.message_en) for p in problems] == [
        (1, "geometry", "geometry is empty")
    ]
