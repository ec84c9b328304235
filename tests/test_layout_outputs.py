"""`planner layout` and the files it writes: the GeoPackage and its metrics, one DXF
per option, and the A3 PDF (layout sheets and the comparison sheet)."""

from __future__ import annotations

import io
import json
import re

import ezdxf
import geopandas as gpd
import pyogrio
import pypdf
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon
from test_cli import planner

from gis.layout import Layout, generate_layouts, layout_problems
from gis.report.layout_pdf import layout_html, layout_pdf, layout_sheet_svg, legend_items

UTM = "EPSG:32647"
# A 1 ha site by Khlong Prem Prachakorn (UTM 47N), the canal along its west side.
X0, Y0 = 668_700.0, 1_532_400.0
SITE = Polygon([(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 100), (X0, Y0 + 100)])
CANAL = LineString([(X0 - 6, Y0 - 20), (X0 - 6, Y0 + 120)])
ACCESS = Point(X0 + 100, Y0 + 50)  # on the road along the east side
SETBACK = 8.0
HOUSEHOLDS = 120
A3_LANDSCAPE = (1190.55, 841.89)  # pt


def _wgs84(geom):
    return gpd.GeoSeries([geom], crs=UTM).to_crs("EPSG:4326")


def _write(path, layer, geoms, crs="EPSG:4326", **columns):
    gdf = gpd.GeoDataFrame(columns or {"name": [layer] * len(geoms)}, geometry=geoms, crs=crs)
    pyogrio.write_dataframe(gdf, path, layer=layer, driver="GPKG")


@pytest.fixture(scope="module")
def site_file(tmp_path_factory):
    """A GeoPackage in WGS 84 (so the CLI must reproject) with layers site, canal, access."""
    path = tmp_path_factory.mktemp("layout-in") / "khlong_site.gpkg"
    _write(path, "site", list(_wgs84(SITE)))
    _write(path, "canal", list(_wgs84(CANAL)))
    _write(path, "access", list(_wgs84(ACCESS)))
    return path


@pytest.fixture(scope="module")
def run(site_file, sample_config, tmp_path_factory):
    out = tmp_path_factory.mktemp("layout-out")
    result = planner(
        "layout",
        "--site",
        str(site_file),
        "--households",
        str(HOUSEHOLDS),
        "--setback",
        str(SETBACK),
        "--out",
        str(out / "options.gpkg"),
        "--pdf",
        str(out / "options.pdf"),
        "--dxf",
        str(out / "dxf"),
        config=sample_config,
    )
    return result, out


@pytest.fixture(scope="module")
def metrics(run):
    _, out = run
    return json.loads((out / "options.metrics.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pdf(run):
    _, out = run
    return pypdf.PdfReader(out / "options.pdf")


def _text(reader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


# ------------------------------------------------------------------ GeoPackage


def test_cli_reprojects_the_site_file_and_says_so(run):
    result, _ = run
    assert "EPSG:4326" in result.stdout and "EPSG:32647" in result.stdout
    assert "reprojected / แปลงพิกัด" in result.stdout
    assert "took " in result.stdout


def test_geopackage_has_every_layer_with_option_column(run):
    _, out = run
    path = out / "options.gpkg"
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert {"plots", "lanes", "open_space"} <= layers
    for layer in ("plots", "lanes", "open_space"):
        gdf = gpd.read_file(path, layer=layer)
        assert "option" in gdf.columns
        assert gdf.crs.to_string() == UTM
        assert set(gdf["option"]) <= {1, 2, 3, 4}
    plots = gpd.read_file(path, layer="plots")
    assert {"plot_no", "plot_type"} <= set(plots.columns)
    assert set(plots["option"]) == {1, 2, 3, 4}
    # The reprojected site is the 1 ha drawn in UTM, to well under a square metre.
    site = gpd.read_file(path, layer="site").geometry.iloc[0]
    assert abs(site.area - SITE.area) < 0.5


def test_metrics_json_has_four_options_matching_the_plots(run, metrics):
    _, out = run
    plots = gpd.read_file(out / "options.gpkg", layer="plots")
    assert [o["option"] for o in metrics["options"]] == [1, 2, 3, 4]
    for o in metrics["options"]:
        m = o["metrics"]
        assert m["households_needed"] == HOUSEHOLDS
        assert m["households_housed"] == int((plots["option"] == o["option"]).sum())
        assert m["households_housed"] + m["shortfall"] == HOUSEHOLDS
    assert metrics["parameters"]["setback"] == SETBACK


def _written_layouts(out, metrics):
    path = out / "options.gpkg"
    frames = {layer: gpd.read_file(path, layer=layer) for layer in ("plots", "lanes", "open_space")}
    for o in metrics["options"]:
        parts = {
            k: v[v["option"] == o["option"]].drop(columns="option").reset_index(drop=True)
            for k, v in frames.items()
        }
        yield Layout(
            o["option"],
            o["name"],
            o["angle_deg"],
            o["pattern"],
            parts["plots"],
            parts["lanes"],
            parts["open_space"],
            o["metrics"],
        )


def test_every_option_written_keeps_the_layout_invariants(run, metrics):
    _, out = run
    for lay in _written_layouts(out, metrics):
        access = Point(lay.pattern["access_point"])
        assert access.distance(ACCESS) < 0.01  # the access layer was used
        assert layout_problems(lay, SITE, canal=CANAL, setback=SETBACK, access=[access]) == []


# ------------------------------------------------------------------------- DXF


def test_one_dxf_per_option_with_a_closed_polyline_per_plot(run, metrics):
    _, out = run
    files = sorted((out / "dxf").glob("*.dxf"))
    assert [f.name for f in files] == [f"options-option{k}.dxf" for k in (1, 2, 3, 4)]
    for f, o in zip(files, metrics["options"], strict=True):
        doc = ezdxf.readfile(f)
        plots = doc.modelspace().query('LWPOLYLINE[layer=="PLOTS"]')
        assert len(plots) == o["metrics"]["households_housed"]
        assert all(p.closed for p in plots)


def test_dxf_notes_state_the_common_space_as_a_share_of_the_whole_site(run, metrics):
    _, out = run
    for o in metrics["options"]:
        doc = ezdxf.readfile(out / "dxf" / f"options-option{o['option']}.dxf")
        notes = " ".join(t.dxf.text for t in doc.modelspace().query('TEXT[layer=="NOTES"]'))
        share = o["metrics"]["common_space_share"] * 100
        assert f"= {share:.1f} % of the whole site" in notes
        assert "ของที่ดินทั้งแปลง" in notes and "asked: at least 10.0 %" in notes


# ------------------------------------------------------------------ common space


def test_common_space_is_at_least_the_asked_share_of_the_whole_site(metrics):
    """10 % "of the land" means of the whole site, the canal setback included: not of
    the buildable part (which left 7.8 % of the site)."""
    for o in metrics["options"]:
        m = o["metrics"]
        assert o["parameters"]["common_share"] == 0.10
        assert m["common_space_target_share"] == 0.10
        if m["households_housed"]:
            assert m["common_space_m2"] / m["site_area_m2"] >= 0.10 - 1e-6
            assert m["common_space_share"] >= 0.10 - 1e-6
            assert not m["common_space_below_target"]


def test_pdf_prints_the_share_it_took_beside_the_share_asked(pdf, metrics):
    text = _text(pdf)
    assert "Common space, at least (of the whole site)" in text
    for page in pdf.pages[:-1]:
        asked = page.extract_text().split("Common space, at least (of the whole site)")[1]
        assert asked.split()[0:2] == ["10.0", "%"]
    for o in metrics["options"]:
        m = o["metrics"]
        page = pdf.pages[o["option"] - 1].extract_text()
        # (values are in the sheet's language, Thai by default; labels in both)
        took = f"{m['common_space_share'] * 100:.1f} % ของที่ดินทั้งแปลง"
        assert took in page
        assert float(took.split(" %")[0]) >= 10.0
        assert "น้อยกว่าที่ขอไว้" not in page


def test_a_hand_edit_below_the_asked_share_is_said_on_the_sheet():
    layouts = generate_layouts(SITE, households=60, canal=CANAL, access=ACCESS, options=1)
    lay = layouts[0]
    m = dict(lay.metrics)
    m.update(common_space_m2=500.0, common_space_share=0.05, common_space_below_target=True)
    lay.metrics = m
    pdf = layout_pdf(layouts, SITE, title_th="ทดสอบ", title_en="Test", site_id="T-2")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    assert "5.0 % ของที่ดินทั้งแปลง" in text and "น้อยกว่าที่ขอไว้ 10.0 %" in text


# ------------------------------------------------------------------------- PDF


def test_pdf_is_a3_landscape_one_page_per_option_and_a_comparison(pdf):
    assert len(pdf.pages) == 4 + 1
    for page in pdf.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert w == pytest.approx(A3_LANDSCAPE[0], abs=0.5)
        assert h == pytest.approx(A3_LANDSCAPE[1], abs=0.5)


def test_pdf_embeds_sarabun(pdf):
    fonts = set()
    for page in pdf.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Sarabun-Thai" in f for f in fonts), fonts
    assert any("Sarabun-Latin" in f for f in fonts), fonts
    assert all("Sarabun" in f for f in fonts), fonts  # no text fell back to another font


def test_pdf_states_metrics_in_thai_and_english_and_the_shortfall(pdf, metrics):
    text = _text(pdf)
    # (words without ำ: its glyphs come back from the PDF as า)
    for words in (
        "ครัวเรือนที่มีแปลง",
        "Households housed",
        "ความยาวซอยต่อแปลง",
        "Lane length per plot",
        "พื้นที่ส่วนกลาง",
        "สัดส่วนที่ดินที่ใช้",
        "ประมาณการค่าก่อสร้าง",
        "เปรียบเทียบทางเลือก",
        "Comparing the options",
        "EPSG:32647",
    ):
        assert words in text, words
    assert "ค่าสมมติ" in text and "illustrative" in text  # the unit-cost note
    assert re.search(r"วันที่ \d{1,2} \S+ 25\d\d", text)  # Buddhist Era, e.g. 26 พ.ย. 2569
    for o in metrics["options"]:
        short = o["metrics"]["shortfall"]
        page = pdf.pages[o["option"] - 1].extract_text()
        if short:
            assert f"ขาดอีก {short} ครัวเรือน" in page
            assert f"{short} households do not fit" in page or short == 1
        else:
            assert "ทุกครัวเรือนมีแปลง" in page and "Every household has a plot" in page


def test_pdf_states_a_large_shortfall_plainly():
    site = Polygon([(X0, Y0), (X0 + 40, Y0), (X0 + 40, Y0 + 30), (X0, Y0 + 30)])
    layouts = generate_layouts(site, households=400, options=1)
    short = layouts[0].metrics["shortfall"]
    assert short > 300
    pdf = layout_pdf(layouts, site, title_th="ทดสอบ", title_en="Test", site_id="T-1")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    text = reader.pages[0].extract_text()
    assert f"ขาดอีก {short} ครัวเรือน" in text
    assert f"{short} households do not fit" in text


def test_sheet_svg_for_the_web_page_is_latin_only_and_numbers_every_plot():
    layouts = generate_layouts(
        SITE, households=HOUSEHOLDS, canal=CANAL, setback=SETBACK, access=[ACCESS], options=1
    )
    svg = layout_sheet_svg(layouts[0], SITE, canal=CANAL, setback=SETBACK)
    assert svg.startswith("<svg") and 'data-scale="1:' in svg
    assert svg.count("</text>") >= len(layouts[0].plots)
    assert not any("\u0e00" <= ch <= "\u0e7f" for ch in svg.replace("ม.", ""))
    keys = [item["key"] for item in legend_items(layouts)]
    assert {"setback", "common", "spare", "access", "plot:row"} <= set(keys)
    html = layout_html(
        layouts, SITE, canal=CANAL, setback=SETBACK, title_th="ผังชุมชน", title_en="Layout"
    )
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="layout-map"') == 2
    assert "ครัวเรือนที่มีแปลง" in html and 'src: url("http' not in html


# ------------------------------------------------------------------ community


def test_cli_with_a_community_id_states_shortfall_or_everyone_housed(sample_config, tmp_path):
    result = planner(
        "layout", "--site", "KPP-LS-02", "--out", str(tmp_path / "ls02.gpkg"), config=sample_config
    )
    metrics = json.loads((tmp_path / "ls02.metrics.json").read_text(encoding="utf-8"))
    assert "KPP-LS-02" in result.stdout
    assert "canal setback" in result.stdout
    for o in metrics["options"]:
        m = o["metrics"]
        if m["shortfall"]:
            assert f"{m['shortfall']:,} households do not fit" in result.stdout
            assert f"ขาดอีก {m['shortfall']:,} ครัวเรือน" in result.stdout
        else:
            assert "everyone has a plot" in result.stdout
    assert len(metrics["options"]) == 4


# ------------------------------------------------------------------ bad inputs


def _fails(sample_config, tmp_path, *args):
    result = planner(
        "layout",
        *args,
        "--out",
        str(tmp_path / "x.gpkg"),
        config=sample_config,
        check=False,
    )
    assert result.returncode == 1, result.stdout
    assert not (tmp_path / "x.gpkg").exists()
    return result.stderr


def test_a_site_file_with_two_polygons_is_refused(sample_config, tmp_path):
    path = tmp_path / "two.gpkg"
    other = shapely.affinity.translate(SITE, 150, 0)
    _write(path, "site", [*_wgs84(SITE), *_wgs84(other)])
    err = _fails(sample_config, tmp_path, "--site", str(path), "--households", "10")
    assert "two.gpkg" in err and "2 polygons" in err and "field geometry" in err


def test_a_point_site_is_refused(sample_config, tmp_path):
    path = tmp_path / "point.geojson"
    gpd.GeoDataFrame({"name": ["x"]}, geometry=list(_wgs84(ACCESS)), crs="EPSG:4326").to_file(
        path, driver="GeoJSON"
    )
    err = _fails(sample_config, tmp_path, "--site", str(path), "--households", "10")
    assert "point.geojson" in err and "feature 0" in err and "Point" in err
    assert "field geometry" in err


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_a_site_file_without_a_crs_is_refused(sample_config, tmp_path):
    path = tmp_path / "nocrs.gpkg"
    _write(path, "site", [SITE], crs=None)
    err = _fails(sample_config, tmp_path, "--site", str(path), "--households", "10")
    assert "nocrs.gpkg" in err and "coordinate reference system" in err and "field crs" in err


def test_a_bad_plot_type_is_refused(sample_config, tmp_path, site_file):
    err = _fails(
        sample_config, tmp_path, "--site", str(site_file), "--households", "10", "--plot", "row=abc"
    )
    assert "row=abc" in err and "field plot" in err and "NAME=WIDTHxDEPTH" in err
