"""Exporters: every format, styles for QGIS, formula injection, open data, round trip."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import shapely

from gis.exporting import export_layers, neutralise_formula
from gis.importing import import_file
from gis.store import open_store

VALIDATE_GPKG = Path(sys.prefix) / "lib"
VALIDATOR = next(
    iter(Path(sys.prefix).glob("lib/python*/site-packages/osgeo_utils/samples/validate_gpkg.py")),
    None,
)
LAYERS = ["communities", "structures", "disaster_sites", "canal_centreline"]


def validate_gpkg(path: Path) -> subprocess.CompletedProcess:
    assert VALIDATOR is not None, "pip install --no-deps gdal-utils (requirements-dev.txt)"
    return subprocess.run(
        [sys.executable, str(VALIDATOR), str(path)], capture_output=True, text=True, timeout=300
    )


def test_gpkg_passes_gdal_validator_and_carries_styles(sample_store, catalog, tmp_path):
    out = export_layers(sample_store, catalog, LAYERS, fmt="gpkg", out=tmp_path / "all.gpkg")
    result = validate_gpkg(out)
    assert result.returncode == 0, result.stdout + result.stderr
    con = sqlite3.connect(out)
    styles = dict(con.execute("SELECT f_table_name, styleSLD FROM layer_styles").fetchall())
    qml = dict(
        con.execute(
            "SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault = 1"
        ).fetchall()
    )
    kind = con.execute(
        "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
    ).fetchone()
    con.close()
    assert kind == ("attributes",)
    assert set(styles) == set(LAYERS)
    assert "#D50000" in styles["structures"]  # the encroachment class colour
    # QGIS opens the QML of the default row (tests/test_qgis_styles.py opens it in QGIS)
    assert set(qml) == set(LAYERS)
    assert 'type="categorizedSymbol" attr="encroachment"' in qml["structures"]
    assert "213,0,0,204" in qml["structures"]  # #D50000 at fill opacity 0.8
    assert "รุกล้ำลำคลอง / Encroaches on the canal" in qml["structures"]


@pytest.mark.parametrize("fmt", ["shp", "geojson", "kml", "csv", "xlsx"])
def test_every_format_writes(fmt, sample_store, catalog, tmp_path):
    out = export_layers(
        sample_store,
        catalog,
        ["communities"],
        fmt=fmt,
        out=tmp_path / f"c.{'zip' if fmt == 'shp' else fmt}",
    )
    assert out.exists() and out.stat().st_size > 0
    if fmt == "shp":
        with zipfile.ZipFile(out) as zf:
            assert zf.read("communities.cpg").decode() == "UTF-8"


def test_formulas_are_neutralised(tmp_path, catalog, empty_store):
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(
        {"note": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "ok", "ชุมชน"]},
        geometry=[shapely.Point(669000 + i, 1535000) for i in range(6)],
        crs="EPSG:32647",
    )
    empty_store.write("notes", gdf)
    csv_out = export_layers(empty_store, catalog, ["notes"], fmt="csv", out=tmp_path / "n.csv")
    df = pd.read_csv(csv_out, encoding="utf-8-sig")
    assert list(df["note"]) == ['\'=HYPERLINK("x")', "'+1", "'-2", "'@SUM(A1)", "ok", "ชุมชน"]
    xlsx_out = export_layers(empty_store, catalog, ["notes"], fmt="xlsx", out=tmp_path / "n.xlsx")
    ws = openpyxl.load_workbook(xlsx_out).active
    cells = [ws.cell(row=r, column=1).value for r in range(2, 8)]
    assert all(not str(c).startswith(("=", "+", "-", "@")) for c in cells)
    assert neutralise_formula(3) == 3


def test_open_data_drops_personal_fields(sample_store, catalog, tmp_path):
    from cases import privacy

    out = export_layers(
        sample_store,
        catalog,
        ["communities", "structures"],
        fmt="geojson",
        out=tmp_path / "open.zip",
        open_data=True,
    )
    import geopandas as gpd

    with zipfile.ZipFile(out) as zf:
        assert zf.namelist() == ["communities.geojson"]
    gdf = gpd.read_file(f"zip://{out}!communities.geojson")
    assert privacy.personal_fields(gdf.columns) == []
    assert {"households_total", "households_agreed"} <= set(gdf.columns)


@pytest.mark.parametrize("fmt", ["gpkg", "shp", "geojson", "csv", "xlsx", "kml"])
def test_round_trip_keeps_features_attributes_and_geometry(
    fmt, sample_store, catalog, tmp_path, empty_store
):
    layer = "communities"
    suffix = "zip" if fmt == "shp" else fmt
    out = export_layers(sample_store, catalog, [layer], fmt=fmt, out=tmp_path / f"rt.{suffix}")
    original = sample_store.read(layer)
    path = f"{out}::{layer}" if fmt == "gpkg" else out
    target = layer
    import_file(path, layer=target, catalog=catalog, store=empty_store)
    back = empty_store.read(target)
    assert len(back) == len(original)
    for col in catalog[layer].fields:
        a = [str(v) for v in original[col]]
        b = [str(v) for v in back[col]]
        assert a == b, col
        if col == "name_th":
            assert [v.encode() for v in back[col]] == [v.encode() for v in original[col]]
    dist = shapely.hausdorff_distance(back.geometry.values, original.geometry.values)
    assert (dist <= 0.001).all(), dist.max()
    # A spreadsheet's words beside a code are dropped again: the code is what is kept.
    assert not {"bank_th", "bank_en"} & set(back.columns)


# -- codes in words (issue 13, item 6) ----------------------------------------------------
def _exported_table(fmt, sample_store, catalog, tmp_path, layer) -> pd.DataFrame:
    out = export_layers(sample_store, catalog, [layer], fmt=fmt, out=tmp_path / f"w.{fmt}")
    if fmt == "csv":
        return pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    if fmt == "xlsx":
        return pd.read_excel(out, dtype=str)
    import geopandas as gpd

    return gpd.read_file(out)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "kml"])
def test_spreadsheets_carry_each_code_with_its_words(fmt, sample_store, catalog, tmp_path):
    table = _exported_table(fmt, sample_store, catalog, tmp_path, "structures")
    columns = list(table.columns)
    at = columns.index("encroachment")
    assert columns[at + 1 : at + 3] == ["encroachment_th", "encroachment_en"]
    spec = catalog["structures"].fields["encroachment"]
    for code, th, en in table[["encroachment", "encroachment_th", "encroachment_en"]].values:
        assert (th, en) == (spec.values[code]["th"], spec.values[code]["en"]), code
    assert set(table["encroachment"]) <= set(spec.values)  # the codes stay, for re-import
    assert "none" in set(table["encroachment"]) and "ไม่รุกล้ำ" in set(table["encroachment_th"])


def test_machine_formats_keep_the_codes_only_and_qgis_shows_the_words(
    sample_store, catalog, tmp_path
):
    table = _exported_table("geojson", sample_store, catalog, tmp_path, "communities")
    assert "bank" in table.columns and "bank_th" not in table.columns
    out = export_layers(sample_store, catalog, ["communities"], fmt="gpkg", out=tmp_path / "c.gpkg")
    with sqlite3.connect(out) as con:
        qml = con.execute("SELECT styleQML FROM layer_styles").fetchone()[0]
    assert '<editWidget type="ValueMap">' in qml
    assert 'name="ฝั่งตะวันตก / West bank" value="west"' in qml


def test_personal_coded_fields_get_no_words_when_hidden(sample_store, catalog, tmp_path):
    out = export_layers(
        sample_store,
        catalog,
        ["structures"],
        fmt="csv",
        out=tmp_path / "s.csv",
        drop_fields={"encroachment"},
    )
    header = pd.read_csv(out, encoding="utf-8-sig", nrows=0).columns
    assert not {"encroachment", "encroachment_th", "encroachment_en"} & set(header)


def test_cli_export_all(sample_config, tmp_path):
    env = {**os.environ, "PLANNER_HOME": sample_config["PLANNER_HOME"]}
    if sample_config.get("DATABASE_URL"):
        env["DATABASE_URL"] = sample_config["DATABASE_URL"]
        env["PLANNER_DATABASE_SCHEMA"] = sample_config["DATABASE_SCHEMA"]
    out = tmp_path / "all.gpkg"
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "export", "--all", "--format", "gpkg", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert validate_gpkg(out).returncode == 0
    assert open_store  # imported for symmetry with the import tests
