"""Hostile upload files (issue 10, item 1): VRTs in disguise, URLs GDAL would fetch,
zip and workbook bombs, through the library, the running app and the CLI.

Every file is made with the real tool (pyogrio, rasterio, openpyxl, zipfile); a
tiny HTTP server on 127.0.0.1 records any request GDAL might make."""

from __future__ import annotations

import contextlib
import http.server
import io
import json
import sqlite3
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import requests
import shapely
from click.testing import CliRunner
from rasterio.transform import from_origin

from app import create_app
from app.cli import main as planner
from cases.sample import DEMO_USERS
from gis import formats, hazard
from gis.errors import ValidationError
from gis.formats import check_format
from gis.importing import read_and_validate, safe_extract
from tests.conftest import serve

SECRET = "TOPSECRET-7f3a9c-do-not-leak"
PASSWORDS = {u: p for u, p, _, _ in DEMO_USERS}


# ------------------------------------------------------------------ helpers


@contextlib.contextmanager
def listening():
    """A local HTTP server; yields (base URL, list of the paths it was asked for)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'GEOGCS["x",DATUM["y",SPHEROID["z",6378137,298.257]]]')

        do_HEAD = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()
        thread.join(timeout=5)


def secret_csv(folder: Path) -> Path:
    """A 'secret' in the store folder, in a form a VRT could serve as features."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key.csv"
    path.write_text(f"token,lon,lat\n{SECRET},100.5,13.8\n", encoding="utf-8")
    return path


def ogr_vrt(secret: Path) -> str:
    return (
        '<OGRVRTDataSource><OGRVRTLayer name="secret_key">'
        f"<SrcDataSource>{secret}</SrcDataSource>"
        "<GeometryType>wkbPoint</GeometryType><LayerSRS>EPSG:4326</LayerSRS>"
        '<GeometryField encoding="PointFromColumns" x="lon" y="lat"/>'
        "</OGRVRTLayer></OGRVRTDataSource>\n"
    )


def points_gdf(n=2):
    return gpd.GeoDataFrame(
        {"community_id": [f"H-{i}" for i in range(n)], "name": ["ชุมชน"] * n},
        geometry=[shapely.Point(100.5 + i / 100, 13.8) for i in range(n)],
        crs="EPSG:4326",
    )


def write_tif(path: Path) -> Path:
    profile = dict(
        driver="GTiff",
        width=4,
        height=4,
        count=1,
        dtype="float32",
        crs="EPSG:32647",
        transform=from_origin(670000, 1540000, 10, 10),
        nodata=-9999,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(np.full((1, 4, 4), 1.5, dtype="float32"))
    return path


def vrt_raster(secret_tif: Path) -> str:
    return (
        '<VRTDataset rasterXSize="4" rasterYSize="4">'
        '<VRTRasterBand dataType="Float32" band="1"><SimpleSource>'
        f'<SourceFilename relativeToVRT="0">{secret_tif}</SourceFilename>'
        "<SourceBand>1</SourceBand></SimpleSource></VRTRasterBand></VRTDataset>\n"
    )


def refusal(excinfo) -> tuple[str, str]:
    problems = excinfo.value.problems
    return (
        " ".join(str(p) for p in problems),
        " ".join(p.message_th for p in problems),
    )


def check(path, catalog, **kw):
    return read_and_validate(path, layer="uploaded_sites", catalog=catalog, **kw)


def xlsx_bomb(path: Path, *, megabytes: int = 90) -> Path:
    """A valid workbook (openpyxl) whose sheet XML is then inflated to ~`megabytes`."""
    import openpyxl

    small = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.append(["name", "lat", "lon"])
    wb.active.append(["a", 13.8, 100.5])
    wb.save(small)
    with zipfile.ZipFile(small) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, src.read(info))
                continue
            with out.open("xl/worksheets/sheet1.xml", "w") as fh:
                fh.write(
                    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                    b'openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C2"/>'
                    b"<sheetData>"
                )
                row = b'<row><c t="inlineStr"><is><t>x</t></is></c><c><v>13.8</v></c></row>'
                block = row * 10_000
                for _ in range(megabytes * 1024 * 1024 // len(block)):
                    fh.write(block)
                fh.write(b"</sheetData></worksheet>")
    return path


# ------------------------------------------------------- disguised GDAL files


@pytest.mark.parametrize("suffix", [".geojson", ".json", ".kml", ".csv", ".gpkg"])
def test_vector_vrt_in_disguise_is_refused(tmp_path, catalog, suffix):
    secret = secret_csv(tmp_path / "instance")
    evil = tmp_path / f"plan{suffix}"
    evil.write_text(ogr_vrt(secret), encoding="utf-8")
    with pytest.raises(ValidationError) as excinfo:
        check(evil, catalog)
    en, th = refusal(excinfo)
    assert f"plan{suffix}" in en and "VRT" in en and "refused" in en
    assert "ไม่รับ" in th
    assert SECRET not in en + th


def test_json_carrying_a_vrt_in_its_header_is_refused(tmp_path, catalog):
    # GDAL's VRT driver claims any file whose first KB holds "<OGRVRTDataSource".
    secret = secret_csv(tmp_path)
    doc = {"note": ogr_vrt(secret), **json.loads(points_gdf().to_json())}
    path = tmp_path / "sites.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValidationError) as excinfo:
        check(path, catalog)
    assert "sites.geojson" in refusal(excinfo)[0] and "VRT" in refusal(excinfo)[0]
    assert formats.gdal_path(path, "geojson") == f"GeoJSON:{path}"  # the driver is forced


def test_geotiff_that_is_a_vrt_is_refused(tmp_path):
    secret = write_tif(tmp_path / "instance" / "private.tif")
    evil = tmp_path / "flood.tif"
    evil.write_text(vrt_raster(secret), encoding="utf-8")
    for opener in (
        lambda: formats.open_raster(evil),
        lambda: hazard.flood_depth_from_level(evil, 1.5, tmp_path / "out.tif"),
        lambda: hazard.exposure(
            points_gdf().to_crs("EPSG:32647").buffer(5).to_frame("geometry"), evil
        ),
    ):
        with pytest.raises(ValidationError) as excinfo:
            opener()
        en, th = refusal(excinfo)
        assert "flood.tif" in en and "not a GeoTIFF" in en and "GeoTIFF" in th
    assert not (tmp_path / "out.tif").exists()


def test_geotiff_ignores_a_planted_pam_sidecar(tmp_path):
    tif = write_tif(tmp_path / "dem.tif")
    (tmp_path / "dem.tif.aux.xml").write_text(
        '<PAMDataset><PAMRasterBand band="1"><NoDataValue>1.5</NoDataValue>'
        "</PAMRasterBand></PAMDataset>"
    )
    with formats.open_raster(tif) as src:
        assert src.nodata == -9999 and src.driver == "GTiff"


@pytest.mark.parametrize(
    "path", ["/vsicurl/{url}/sites.geojson", "{url}/sites.geojson", "CSV:/etc/passwd"]
)
def test_urls_and_gdal_virtual_paths_are_refused(catalog, path):
    with listening() as (url, hits):
        with pytest.raises(ValidationError) as excinfo:
            check(path.format(url=url), catalog)
        en, th = refusal(excinfo)
        assert "/vsi" in en and "URL" in th
        with pytest.raises(ValidationError):
            formats.open_raster(path.format(url=url).replace(".geojson", ".tif"))
    assert hits == []


@pytest.mark.parametrize(
    "crs",
    [
        {"type": "link", "properties": {"href": "{url}/crs.prj", "type": "esriwkt"}},
        {"type": "name", "properties": {"name": "{url}/crs"}},
        {"type": "name", "properties": {"name": "/vsicurl/{url}/crs.prj"}},
        {"type": "EPSG", "properties": {"code": "{url}/epsg"}},
    ],
)
def test_geojson_crs_that_points_at_a_url_makes_no_request(tmp_path, catalog, crs):
    with listening() as (url, hits):
        doc = json.loads(points_gdf().to_json())
        doc["crs"] = json.loads(json.dumps(crs).replace("{url}", url))
        path = tmp_path / "sites.geojson"
        path.write_text(json.dumps(doc), encoding="utf-8")
        with pytest.raises(ValidationError) as excinfo:
            check(path, catalog)
        en, th = refusal(excinfo)
        assert "sites.geojson" in en and "crs" in en and "เครือข่าย" in th
    assert hits == []


def test_urls_inside_csv_and_shapefile_prj_make_no_request(tmp_path, catalog):
    with listening() as (url, hits):
        csv = tmp_path / "sites.csv"
        csv.write_text(
            f"name,lat,lon,wkt_note\n/vsicurl/{url}/a.csv,13.8,100.5,{url}/b\n", encoding="utf-8"
        )
        gdf, _ = check(csv, catalog)
        assert gdf.iloc[0]["name"] == f"/vsicurl/{url}/a.csv"  # kept as text, never opened
        shp = tmp_path / "shp" / "sites.shp"
        shp.parent.mkdir()
        points_gdf().to_file(shp, engine="pyogrio")
        shp.with_suffix(".prj").write_text(f"{url}/crs.prj")
        with contextlib.suppress(ValidationError):
            check(shp, catalog)
    assert hits == []


# ------------------------------------------------------------------- archives


def _shapefile_zip(tmp_path: Path, extra: dict[str, str]) -> Path:
    folder = tmp_path / "shp"
    folder.mkdir(exist_ok=True)
    points_gdf().to_file(folder / "sites.shp", engine="pyogrio")
    path = tmp_path / "sites.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for part in sorted(folder.iterdir()):
            zf.write(part, part.name)
        for name, text in extra.items():
            zf.writestr(name, text)
    return path


def test_shapefile_zip_holding_a_vrt_is_refused(tmp_path, catalog):
    secret = secret_csv(tmp_path / "instance")
    for extra in ({"readme.vrt": ogr_vrt(secret)}, {"sites.geojson": ogr_vrt(secret)}):
        path = _shapefile_zip(tmp_path, extra)
        with pytest.raises(ValidationError) as excinfo:
            check(path, catalog)
        en, th = refusal(excinfo)
        assert "sites.zip" in en and "VRT" in en and "VRT" in th
        assert SECRET not in en + th
    # A plain shapefile zip with a note still imports.
    gdf, report = check(_shapefile_zip(tmp_path, {"notes.txt": "survey 2567"}), catalog)
    assert len(gdf) == 2 and report.format == "shp"


def test_zip_with_a_symlink_member_is_refused(tmp_path):
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("sites.geojson")
        info.external_attr = (0o120777 << 16) | 0x20
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(ValidationError) as excinfo:
        safe_extract(path, tmp_path / "out")
    en, th = refusal(excinfo)
    assert "link.zip" in en and "symbolic link" in en and "symlink" in th
    assert not (tmp_path / "out").exists()


def test_kmz_bomb_is_refused_before_inflating(tmp_path, catalog):
    path = tmp_path / "plan.kmz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("doc.kml", "w") as fh:
        fh.write(b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document>')
        for _ in range(300):
            fh.write(b"<!--" + b"A" * 1024 * 1024 + b"-->")
        fh.write(b"</Document></kml>")
    assert path.stat().st_size < 2 * 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(ValidationError) as excinfo:
        check(path, catalog)
    assert time.perf_counter() - started < 1.0
    en, th = refusal(excinfo)
    assert "plan.kmz" in en and "zip bomb" in en and "เกิน" in th


def test_xlsx_bomb_is_refused_fast_and_small(tmp_path, catalog):
    path = xlsx_bomb(tmp_path / "survey.xlsx")
    assert path.stat().st_size < 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ValidationError) as excinfo:
            check(path, catalog)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0 and peak < 20 * 1024 * 1024
    en, th = refusal(excinfo)
    assert "survey.xlsx" in en and "zip bomb" in en and "เกิน" in th


def test_xlsx_declaring_a_huge_sheet_is_refused(tmp_path, catalog):
    import openpyxl

    path = tmp_path / "huge.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["name", "lat", "lon"])
    wb.active.cell(row=formats.MAX_XLSX_ROWS + 5, column=1, value="x")
    wb.save(path)
    with pytest.raises(ValidationError) as excinfo:
        check(path, catalog)
    en, th = refusal(excinfo)
    assert "huge.xlsx" in en and "rows" in en and "แถว" in th


def test_zip_named_xlsx_that_is_not_a_workbook_is_refused(tmp_path, catalog):
    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("doc.kml", "<kml/>")
    with pytest.raises(ValidationError) as excinfo:
        check(path, catalog)
    en, th = refusal(excinfo)
    assert "book.xlsx" in en and "not an Excel workbook" in en and "Excel" in th


def test_the_real_corpus_still_passes_the_content_checks():
    corpus = Path(__file__).parent / "data" / "corpus" / "good"
    seen = {}
    for path in sorted(corpus.iterdir()):
        if path.is_file():
            seen[path.name] = formats.check_format(path, label=path.name)
    assert seen["communities.gpkg"] == "gpkg" and seen["kobo_survey.xlsx"] == "xlsx"
    assert seen["google_earth.kml"] == "kml" and seen["thai_cp874.csv"] == "csv"


# ------------------------------------------------- through the app and the CLI


def _layers(config) -> str:
    env = {"PLANNER_HOME": config["PLANNER_HOME"]}
    if config.get("DATABASE_URL"):
        env |= {"DATABASE_URL": config["DATABASE_URL"]}
        env |= {"PLANNER_DATABASE_SCHEMA": config["DATABASE_SCHEMA"]}
    result = CliRunner().invoke(planner, ["layers", "--json"], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def _cli(config, *args):
    env = {"PLANNER_HOME": config["PLANNER_HOME"]}
    if config.get("DATABASE_URL"):
        env |= {"DATABASE_URL": config["DATABASE_URL"]}
        env |= {"PLANNER_DATABASE_SCHEMA": config["DATABASE_SCHEMA"]}
    return CliRunner().invoke(planner, list(args), env=env)


def _login(base: str, user: str) -> requests.Session:
    session = requests.Session()
    res = session.post(
        f"{base}/auth/login",
        data={"username": user, "password": PASSWORDS[user]},
        allow_redirects=False,
        timeout=30,
    )
    assert res.status_code in (302, 303), res.text[:500]
    return session


def test_attacks_through_the_running_app_and_the_cli(writable_config, tmp_path):
    home = Path(writable_config["PLANNER_HOME"])
    secret = secret_csv(home)
    vrt = ogr_vrt(secret).encode()
    before = _layers(writable_config)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **writable_config})
    with listening() as (url, hits), serve(app) as base:
        link = json.loads(points_gdf().to_json())
        link["crs"] = {"type": "link", "properties": {"href": f"{url}/crs.prj"}}
        attacks = [
            ("plan.geojson", vrt),
            ("plan.kml", vrt),
            ("plan.csv", vrt),
            ("linked.geojson", json.dumps(link).encode()),
            ("survey.xlsx", xlsx_bomb(tmp_path / "bomb.xlsx", megabytes=60).read_bytes()),
        ]
        officer = _login(base, "officer")
        viewer = _login(base, "viewer")
        for name, content in attacks:
            form = {"layer": "communities", "mode": "append"}
            for res in (
                officer.post(f"{base}/imports", data=form, files={"file": (name, content)}),
                officer.post(f"{base}/api/imports", data=form, files={"file": (name, content)}),
            ):
                assert res.status_code == 422, (name, res.status_code, res.text[:300])
                assert name in res.text and SECRET not in res.text
            body = res.json()["error"]
            assert body["en"] and body["th"] and "ไม่นำเข้า" in body["th"]
            if name.endswith((".geojson", ".kml")):
                page = viewer.post(
                    f"{base}/overlap",
                    data={"source": "file", "against": "zoning", "rules": "bangkok_baan_mankong"},
                    files={"sites_file": (name, content)},
                )
                api = viewer.post(
                    f"{base}/api/overlap",
                    data={"source": "file"},
                    files={"sites_file": (name, content)},
                )
                for res in (page, api):
                    assert res.status_code == 400, (name, res.status_code, res.text[:300])
                    assert name in res.text and SECRET not in res.text
                assert "ไม่รับ" in api.json()["error"]["th"] or "เครือข่าย" in api.json()["error"]["th"]
        # The CLI: import, overlap, exposure and flood-scenario.
        evil = tmp_path / "plan.geojson"
        evil.write_bytes(vrt)
        tif = tmp_path / "dem.tif"
        tif.write_text(vrt_raster(write_tif(home / "private.tif")))
        runs = [
            ("import", str(evil), "--layer", "communities", "--mode", "append"),
            ("overlap", "--sites", str(evil), "--out", str(tmp_path / "o.csv")),
            (
                "exposure",
                "--sites",
                "communities",
                "--raster",
                str(tif),
                "--out",
                str(tmp_path / "e.csv"),
            ),
            (
                "flood-scenario",
                "--dem",
                str(tif),
                "--level",
                "1.5",
                "--out",
                str(tmp_path / "d.tif"),
            ),
            ("import", f"/vsicurl/{url}/x.geojson", "--layer", "communities"),
        ]
        for args in runs:
            result = _cli(writable_config, *args)
            assert result.exit_code != 0, (args, result.output)
            out = result.output + (result.stderr if result.stderr_bytes is not None else "")
            assert SECRET not in out
            assert "plan.geojson" in out or "dem.tif" in out or "vsi" in out, (args, out)
            assert "ไม่" in out, (args, out)
    assert hits == []
    assert _layers(writable_config) == before
    assert not (tmp_path / "d.tif").exists() and not (tmp_path / "e.csv").exists()


# ------------------------------------- GeoPackages whose schema reads other files


def virtualtext_gpkg(path: Path, target: Path, *, trick: str = "view") -> Path:
    """A real GeoPackage (pyogrio) rewritten so that reading its layer makes SQLite's
    SpatiaLite `VirtualText` module read `target` (the red team's recipe)."""
    sites = gpd.GeoDataFrame(
        {"name": ["a"]}, geometry=[shapely.box(100.50, 13.80, 100.51, 13.81)], crs="EPSG:4326"
    )
    sites.to_file(path, layer="sites", driver="GPKG", engine="pyogrio")
    con = sqlite3.connect(path)
    geom = con.execute("SELECT hex(geom) FROM sites LIMIT 1").fetchone()[0]
    con.execute("PRAGMA writable_schema=ON")
    con.execute(
        "INSERT INTO sqlite_master(type,name,tbl_name,rootpage,sql) VALUES('table','vt','vt',0,?)",
        (f"CREATE VIRTUAL TABLE vt USING VirtualText('{target}','UTF-8',0,POINT,NONE,',')",),
    )
    con.commit()
    con.close()
    con = sqlite3.connect(path)
    if trick == "view":
        con.execute(
            f"CREATE VIEW v AS SELECT vt.ROWNO+1 AS fid, X'{geom}' AS geom, "
            "vt.COL001 AS name FROM vt"
        )
        for table in ("gpkg_contents", "gpkg_geometry_columns", "gpkg_extensions"):
            con.execute(f"DELETE FROM {table} WHERE table_name='sites'")
        for (trigger,) in con.execute("SELECT name FROM sqlite_master WHERE type='trigger'"):
            con.execute(f'DROP TRIGGER "{trigger}"')
        con.execute("DROP TABLE sites")
        con.execute(
            "INSERT INTO gpkg_contents(table_name,data_type,identifier,srs_id) "
            "VALUES('v','features','v',4326)"
        )
        con.execute("INSERT INTO gpkg_geometry_columns VALUES('v','geom','POLYGON',4326,0,0)")
    con.commit()
    con.close()
    return path


def generated_column_gpkg(path: Path) -> Path:
    """A GeoPackage whose table has a column SQLite computes when the row is read."""
    sites = gpd.GeoDataFrame(
        {"name": ["a"]}, geometry=[shapely.box(100.50, 13.80, 100.51, 13.81)], crs="EPSG:4326"
    )
    sites.to_file(path, layer="sites", driver="GPKG", engine="pyogrio")
    con = sqlite3.connect(path)
    con.execute("ALTER TABLE sites ADD COLUMN extra TEXT GENERATED ALWAYS AS (upper(name))")
    con.commit()
    con.close()
    return path


@pytest.mark.parametrize("trick", ["view", "virtual-table-only"])
def test_geopackage_with_a_virtual_table_or_view_is_refused(tmp_path, catalog, trick):
    secret = secret_csv(tmp_path / "home")
    path = virtualtext_gpkg(tmp_path / "plan.gpkg", secret, trick=trick)
    with pytest.raises(ValidationError) as excinfo:
        check(path, catalog)
    en, th = refusal(excinfo)
    assert "plan.gpkg" in en and ("virtual table" in en or "view" in en)
    assert "GeoPackage" in th and SECRET not in en + th


def test_geopackage_with_computed_columns_is_refused(tmp_path, catalog):
    path = generated_column_gpkg(tmp_path / "plan.gpkg")
    with pytest.raises(ValidationError) as excinfo:
        check(path, catalog)
    en, th = refusal(excinfo)
    assert "computed columns" in en and "extra" in en and "คอลัมน์" in th


def test_a_plain_geopackage_still_passes(tmp_path, catalog):
    path = tmp_path / "plan.gpkg"
    gpd.GeoDataFrame(
        {"name": ["a"]}, geometry=[shapely.box(100.50, 13.80, 100.51, 13.81)], crs="EPSG:4326"
    ).to_file(path, layer="sites", driver="GPKG", engine="pyogrio")
    assert check_format(path, label="plan.gpkg") == "gpkg"


def test_virtualtext_geopackage_through_the_running_app_and_the_cli(writable_config, tmp_path):
    """The red team read /etc/passwd and the instance's secret_key this way, as a viewer."""
    home = Path(writable_config["PLANNER_HOME"])
    secret = secret_csv(home)
    gpkg = virtualtext_gpkg(tmp_path / "plan.gpkg", secret).read_bytes()
    zipped = tmp_path / "plan.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("plan.gpkg", gpkg)
    before = _layers(writable_config)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **writable_config})
    with serve(app) as base:
        officer = _login(base, "officer")
        viewer = _login(base, "viewer")
        for name, content in (("plan.gpkg", gpkg), ("plan.zip", zipped.read_bytes())):
            res = officer.post(
                f"{base}/api/imports",
                data={"layer": "leak_passwd"},
                files={"file": (name, content)},
            )
            assert res.status_code == 422, (name, res.status_code, res.text[:300])
            assert SECRET not in res.text and "GeoPackage" in res.json()["error"]["th"]
            for field in ("sites_file", "zoning_file"):
                data = {"source": "file"} if field == "sites_file" else {"ids": "KPP-CC-01"}
                res = viewer.post(
                    f"{base}/api/overlap", data=data, files={field: ("plan.gpkg", gpkg)}
                )
                assert res.status_code == 400, (field, res.status_code, res.text[:300])
                assert SECRET not in res.text
        (tmp_path / "cli.gpkg").write_bytes(gpkg)
        for args in (
            ("import", str(tmp_path / "cli.gpkg"), "--layer", "leak_passwd"),
            ("overlap", "--sites", str(tmp_path / "cli.gpkg"), "--out", str(tmp_path / "o.csv")),
        ):
            result = _cli(writable_config, *args)
            assert result.exit_code != 0 and SECRET not in result.output, result.output
    assert _layers(writable_config) == before
    assert not (tmp_path / "o.csv").exists()
