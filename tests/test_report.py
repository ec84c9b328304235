"""The site-check report as HTML, PDF (real WeasyPrint) and its SVG map, over the
real sample store."""

from __future__ import annotations

import contextlib
import io
import math
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
import zlib

import pytest
from markupsafe import escape

from gis.check import CHECKS, inputs_from_store, run_checks, sites_from_store, thai_date
from gis.report import write_report
from gis.report.html import _run_at, render_html, render_pdf
from gis.report.mapsvg import nice_scale_length, render_site_map, site_map_svg
from gis.rules import VERDICT_LABELS, load_rules

THREE = ["KPP-CC-01", "KPP-DM-03", "KPP-LS-02"]
HOSTILE = "<script>alert(1)</script>"
SVG_NS = "{http://www.w3.org/2000/svg}"
POPPLER = shutil.which("pdftotext")


def _report(store, catalog, ids=None, *, against=None, names=None, site_ids=None):
    sites, info = sites_from_store(store, "communities", ids=ids)
    if names:
        for i, name in names.items():
            sites.loc[i, "site_name"] = name
    if site_ids:
        for i, sid in site_ids.items():
            sites.loc[i, "site_id"] = sid
    against = list(against or CHECKS)
    inputs = inputs_from_store(store, against, catalog=catalog)
    return run_checks(
        sites,
        inputs,
        rules=load_rules(),
        against=against,
        site_name="site_name",
        sites_info=info,
    )


@pytest.fixture(scope="module")
def corridor(sample_store, catalog):
    """All 38 communities of the sample corridor."""
    return _report(sample_store, catalog)


@pytest.fixture(scope="module")
def three(sample_store, catalog):
    """Three sites far apart, the first one named by someone hostile."""
    return _report(sample_store, catalog, THREE, names={0: HOSTILE})


@pytest.fixture(scope="module")
def corridor_pdf(corridor):
    started = time.perf_counter()
    pdf = render_pdf(corridor)
    return pdf, time.perf_counter() - started


def _pdf_text(pdf: bytes, tmp_path) -> str:
    """The PDF's text: pypdf if installed, else poppler's pdftotext."""
    try:
        import pypdf
    except ImportError:
        pypdf = None
    if pypdf is not None:
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        return "\n".join(page.extract_text() for page in reader.pages)
    if not POPPLER:
        pytest.skip("needs pypdf or pdftotext (poppler-utils) to read the PDF's text")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    # -raw keeps the content-stream order, which is the logical order of Thai text
    out = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out.stdout.decode("utf-8")


def _pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects with their (Flate) streams inflated: WeasyPrint packs the
    font dictionaries into compressed object streams."""
    chunks = [pdf]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            chunks.append(zlib.decompress(m.group(1)))
    return b"\n".join(chunks)


# ------------------------------------------------------------------------ PDF


def test_pdf_is_a_pdf_with_sarabun(corridor_pdf):
    pdf, _ = corridor_pdf
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    objects = _pdf_objects(pdf)
    fonts = set(re.findall(rb"/BaseFont\s*/([A-Z]{6}\+[\w-]+)", objects))
    assert any(b"+Sarabun-Thai" in f for f in fonts), fonts
    assert any(b"+Sarabun-Latin" in f for f in fonts), fonts
    assert b"/FontFile2" in objects  # embedded, not just named
    # no text fell back to a system font (codes are set in a monospace font)
    assert all(b"Sarabun" in f or b"Mono" in f for f in fonts), fonts


def test_pdf_text_has_verdicts_sites_rules_date_and_crs(corridor, corridor_pdf, tmp_path):
    text = _pdf_text(corridor_pdf[0], tmp_path)
    for labels in VERDICT_LABELS.values():
        assert labels["th"] in text
        assert labels["en"] in text
    for site_id in corridor.sites["site_id"]:
        assert site_id in text
    assert corridor.rules.title["th"] in text
    assert corridor.rules.title["en"] in text
    be_date = thai_date(_run_at(corridor.provenance["run_at"]))
    assert re.fullmatch(r"\d{1,2} \S+ 25\d\d", be_date)
    assert be_date in text
    assert "EPSG:32647" in text
    assert corridor.rules.sha256 in text
    assert re.search(r"หน้า 1 / \d+", text)  # page numbers


def test_pdf_in_english_leads_with_english(three, tmp_path):
    text = _pdf_text(render_pdf(three, lang="en"), tmp_path)
    assert text.index("Site check report") < text.index("รายงานผลการตรวจสอบ")
    assert re.search(r"Page 1 of \d+", text)


def test_pdf_for_the_whole_corridor_is_fast_enough(corridor_pdf):
    # about 3 s on two idle cores; generous, as other work may share the machine
    assert corridor_pdf[1] < 20


def test_write_report_writes_html_and_pdf(three, tmp_path):
    pdf = write_report(three, tmp_path / "out" / "report.pdf")
    html = write_report(three, tmp_path / "out" / "report.html", lang="en")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html", "report.pdf"]


# ----------------------------------------------------------------------- HTML


def test_html_loads_nothing_from_outside(three):
    html = render_html(three)
    for attr in re.findall(
        r"""\b(?:src|href|xlink:href|srcset|action|poster)\s*=\s*["']?([^"'\s>]*)""", html, re.I
    ):
        assert attr.startswith(("data:", "#")), attr
    for url in re.findall(r"url\(\s*[\"']?([^\"')]*)", html):
        assert url.startswith(("data:", "#")), url
    assert "@import" not in html
    assert "<link" not in html.lower()
    assert "<script" not in html.lower()
    # the only http(s) text is the SVG namespace, which is a name, not a load
    assert set(re.findall(r"https?://[^\s\"'<>)]+", html)) <= {"http://www.w3.org/2000/svg"}
    assert "@font-face" in html and "data:font/woff2;base64," in html


def test_html_escapes_a_hostile_site_name(three):
    html = render_html(three)
    assert HOSTILE not in html
    assert str(escape(HOSTILE)) in html


def test_html_has_every_site_and_every_reason(corridor):
    html = render_html(corridor)
    for site_id, name in zip(corridor.sites["site_id"], corridor.sites["name"], strict=True):
        assert site_id in html
        assert str(escape(name)) in html
    reasons = [r for rs in corridor.verdicts["reasons"] for r in rs]
    assert reasons
    for reason in reasons:
        assert str(escape(reason["th"])) in html
        assert str(escape(reason["en"])) in html
        assert reason["rule"] in html
    for action in {r["action_th"] for r in reasons if r["action_th"]}:
        assert str(escape(action)) in html
    counts = corridor.counts()
    for verdict, n in counts.items():
        assert re.search(rf'class="count v-{verdict}"><span class="n">{n}</span>', html)


def test_html_lists_rules_and_the_ones_skipped(sample_store, catalog):
    report = _report(sample_store, catalog, THREE, against=["zoning", "tenure", "flood"])
    html = render_html(report)
    rules = load_rules()
    for rule in rules.rules:
        assert f'<td class="code">{rule.id}</td>' in html
    skipped = report.provenance["rules_skipped"]
    assert set(skipped) == {"canal-setback", "disaster-nearby"}
    section = html[html.index("กฎที่ไม่ได้ใช้") :]
    for rid in skipped:
        assert rid in section
    # conditions in words, not YAML
    assert "ประเภทผังเมืองขึ้นต้นด้วย ก." in html
    assert "mean flood depth over 0.5 m" in html


def test_html_notes_give_sources_methods_timings_and_the_rule_file(three):
    html = render_html(three)
    notes = html[html.index('<section class="notes">') :]
    for info in three.provenance["inputs"].values():
        assert info["layer"] in notes
        assert str(escape(info["licence"]["th"])) in notes
    assert "ข้อมูลตัวอย่าง (ไม่ใช่ข้อมูลจริง)" in notes  # status of the sample layers
    assert "ไม่ใช่ข้อมูลจริง" in html[: html.index('<section class="map-section')]
    assert "EPSG:32647 (WGS 84 / UTM โซน 47 เหนือ)" in notes
    assert three.provenance["area_method"] in notes
    assert three.provenance["raster_method"] in notes
    assert three.rules.file in notes and three.rules.sha256 in notes
    for step in three.provenance["timings_s"]:
        assert f"{three.provenance['timings_s'][step]:.3f}" in notes
    assert "0.5 ม." in notes and "200 ม." in notes  # flood threshold, disaster radius


def test_html_in_english_puts_english_first(three):
    html = render_html(three, lang="en")
    assert html.index("Site check report") < html.index("รายงานผลการตรวจสอบพื้นที่โครงการ")
    assert '<html lang="en">' in html
    with pytest.raises(ValueError):
        render_html(three, lang="fr")


def test_html_dates_are_buddhist_era_in_thai(three):
    html = render_html(three)
    run_at = _run_at(three.provenance["run_at"])
    assert thai_date(run_at) in html
    assert str(run_at.year + 543) in thai_date(run_at)


# ------------------------------------------------------------------------ map


def _outlines(root):
    return [
        el for el in root.iter(f"{SVG_NS}path") if "site-outline" in el.get("class", "").split()
    ]


def _path_ys(d: str) -> list[float]:
    return [float(y) for y in re.findall(r"-?[\d.]+,(-?[\d.]+)", d)]


def test_map_is_valid_svg_with_one_outline_per_site(three):
    svg = site_map_svg(three, width_mm=180, height_mm=200)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("width") == "180mm" and root.get("viewBox") == "0 0 180 200"
    outlines = _outlines(root)
    assert [o.get("data-site-id") for o in outlines] == three.sites["site_id"].tolist()
    assert sorted(three.sites["site_id"]) == sorted(THREE)
    verdicts = dict(zip(three.verdicts["site_id"], three.verdicts["verdict"], strict=True))
    for o in outlines:
        assert f"site-{verdicts[o.get('data-site-id')]}" in o.get("class")
    labels = [t.text for t in root.iter(f"{SVG_NS}text") if t.get("class") == "site-label"]
    assert sorted(labels) == sorted(THREE)
    # the layers: zones, parcels, flood image, setback, disasters
    image = root.find(f".//{SVG_NS}image")
    assert image.get("href").startswith("data:image/png;base64,")
    classes = {el.get("class") for el in root.iter()}
    assert {
        "zone",
        "tenure",
        "flood",
        "setback",
        "disasters",
        "north-arrow",
        "scale-bar",
    } <= classes
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_map_scale_bar_is_round_and_true(three):
    m = render_site_map(three, width_mm=180, height_mm=200)
    root = ET.fromstring(m.svg)
    bar = next(el for el in root.iter(f"{SVG_NS}g") if el.get("class") == "scale-bar")
    length = float(bar.get("data-length-m"))
    assert length == m.scale_bar_m
    mantissa = length / 10 ** math.floor(math.log10(length))
    assert mantissa in (1, 2, 5)
    labels = [t for t in bar.iter(f"{SVG_NS}text") if t.get("class") == "scale-label"]
    assert [float(t.get("data-m")) for t in labels] == [0, length / 2, length]
    assert labels[0].text == "0"
    for t in labels[1:]:  # "100", "200" or "2.5", "5" (km): short round numbers
        assert re.fullmatch(r"\d+(\.5)?", t.text)
    # the bar measures what it says: its two halves span length × mm per metre
    rects = [r for r in bar.iter(f"{SVG_NS}rect")][1:]
    drawn = sum(float(r.get("width")) for r in rects)
    assert drawn == pytest.approx(length * m.mm_per_m, abs=0.02)
    assert drawn <= 0.3 * 180


def test_nice_scale_length():
    assert nice_scale_length(260) == 200
    assert nice_scale_length(99) == 50
    assert nice_scale_length(1000) == 1000
    assert nice_scale_length(7300) == 5000
    assert nice_scale_length(0.3) == 1


def test_map_has_one_scale_and_north_up(three):
    m = render_site_map(three, width_mm=150, height_mm=150)
    root = ET.fromstring(m.svg)
    x0, y0, x1, y1 = m.bounds
    # equal scale on both axes: the frame's extent fills the paper at one scale
    assert (x1 - x0) * m.mm_per_m == pytest.approx(150, abs=0.01)
    assert (y1 - y0) * m.mm_per_m == pytest.approx(150, abs=0.01)
    # y flipped: the site furthest north is drawn highest on the page
    northing = dict(zip(three.sites["site_id"], three.sites.geometry.centroid.y, strict=True))
    top = {o.get("data-site-id"): min(_path_ys(o.get("d"))) for o in _outlines(root)}
    assert max(northing, key=northing.get) == min(top, key=top.get)
    assert min(northing, key=northing.get) == max(top, key=top.get)


def test_map_escapes_site_ids_and_carries_a_legend(sample_store, catalog):
    odd = 'A&B<1>"x"'
    report = _report(sample_store, catalog, THREE[:2], site_ids={0: odd})
    m = render_site_map(report, width_mm=120, height_mm=90, lang="en")
    root = ET.fromstring(m.svg)  # parses: the id is escaped
    assert [o.get("data-site-id") for o in _outlines(root)][0] == odd
    legend = next(el for el in root.iter(f"{SVG_NS}g") if el.get("class") == "legend")
    texts = {t.text for t in legend.iter(f"{SVG_NS}text")}
    assert VERDICT_LABELS[report.verdicts["verdict"].iloc[0]]["en"] in texts
    assert "Canal setback" in texts and "Flood depth" in texts
    th = render_site_map(report, width_mm=120, height_mm=90, lang="th")
    assert "แนวถอยร่นจากคลอง" in {t.text for t in ET.fromstring(th.svg).iter(f"{SVG_NS}text")}


def test_map_of_the_whole_corridor_is_quick(corridor):
    site_map_svg(corridor, width_mm=186, height_mm=198)  # warm: catalogue, rasterio
    started = time.perf_counter()
    svg = site_map_svg(corridor, width_mm=186, height_mm=198)
    elapsed = time.perf_counter() - started
    root = ET.fromstring(svg)
    assert len(_outlines(root)) == len(corridor.sites) == 38
    # the ก. (conservation) zones of the corridor are hatched, as in the catalogue
    hatch = [p for p in root.iter(f"{SVG_NS}path") if p.get("class") == "hatch"]
    assert len(hatch) == 1 and hatch[0].get("data-class").startswith("ก.1")
    assert hatch[0].get("stroke") == "#2E7D32" and hatch[0].get("d").startswith("M")
    assert elapsed < 3  # about 0.15 s on an idle machine
