"""The site-check report as one offline HTML file, and as PDF through WeasyPrint.

Both come from one Jinja2 template (`templates/report.html.j2`), autoescaped:
site names, ids, reasons and rule texts come from users and are never marked
safe. The only markup built here is the map (`mapsvg`, which escapes what it
writes) and the embedded Sarabun font. Thai comes first and English second;
`lang="en"` swaps them.
"""

from __future__ import annotations

import base64
import functools
import math
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from gis.catalog import STATUS_LABELS as CATALOG_STATUS_LABELS
from gis.catalog import STORAGE_CRS
from gis.check import (
    AREA_METHOD,
    CHECK_TITLES,
    DISASTER_KINDS,
    FLOOD_STATUS_LABELS,
    OWNER_LABELS,
    RASTER_METHOD,
    SETBACK_LABELS,
)
from gis.report.mapsvg import (
    VERDICT_COLORS,
    default_catalog,
    legend_swatch_svg,
    render_site_map,
)
from gis.rules import VERDICT_LABELS
from gis.thaidate import as_date, english_date, thai_date

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
FONTS = HERE / "fonts"
BANGKOK = timezone(timedelta(hours=7), "ICT")

# Sarabun from @fontsource/sarabun (SIL OFL 1.1, fonts/LICENSE). Each subset gets a
# family of its own: WeasyPrint 70 names embedded fonts by their CSS description, so
# two files under one family and weight would be merged into one broken PDF font.
FONT_FACES = (
    ("Sarabun Thai", "thai", "U+02D7, U+0303, U+0331, U+0E01-0E5B, U+200C-200D, U+25CC"),
    (
        "Sarabun Latin",
        "latin",
        "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, "
        "U+0308, U+0329, U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, "
        "U+FEFF, U+FFFD",
    ),
)
FONT_STACK = (
    '"Sarabun Thai", "Sarabun Latin", "Sarabun", "TH Sarabun New", "Loma", "Garuda", '
    '"Waree", "Tlwg Typo", "DejaVu Sans", sans-serif'
)

# Text of the page, Thai and English.
T: dict[str, dict[str, str]] = {
    "title": {"th": "รายงานผลการตรวจสอบพื้นที่โครงการ", "en": "Site check report"},
    "rule_set": {"th": "ชุดกฎ", "en": "Rule set"},
    "date": {"th": "วันที่ตรวจสอบ", "en": "Checked on"},
    "sites_checked": {"th": "พื้นที่ที่ตรวจสอบ", "en": "Sites checked"},
    "checks_run": {"th": "การตรวจสอบ", "en": "Checks"},
    "map": {"th": "แผนที่พื้นที่โครงการ", "en": "Map of the sites"},
    "map_note": {
        "th": f"เส้นขอบพื้นที่โครงการแสดงผลการตรวจ ชั้นข้อมูลตัดตามขอบเขตของพื้นที่ ระบบพิกัด {STORAGE_CRS}",
        "en": "Sites are outlined by verdict over the layers they were checked against, "
        f"clipped to their extent; {STORAGE_CRS}.",
    },
    "summary": {"th": "สรุปผลรายพื้นที่", "en": "Summary by site"},
    "site": {"th": "พื้นที่", "en": "Site"},
    "area_m2": {"th": "เนื้อที่ (ตร.ม.)", "en": "Area (m²)"},
    "verdict": {"th": "ผลการตรวจ", "en": "Verdict"},
    "reasons": {"th": "เหตุผล", "en": "Reasons"},
    "actions": {"th": "สิ่งที่ต้องดำเนินการ", "en": "Actions"},
    "no_reason": {"th": "ไม่พบข้อขัดแย้งตามกฎ", "en": "No rule was triggered"},
    "by_check": {"th": "ผลการตรวจสอบแต่ละด้าน", "en": "Results by check"},
    "zone_shares": {"th": "สัดส่วนประเภทผังเมือง", "en": "Zone shares"},
    "owner_shares": {"th": "สัดส่วนกรรมสิทธิ์", "en": "Owner shares"},
    "uncovered": {"th": "ไม่มีข้อมูล", "en": "Not covered"},
    "status": {"th": "สถานะ", "en": "Status"},
    "inside_area": {"th": "เนื้อที่ในระยะถอยร่น (ตร.ม.)", "en": "Area inside (m²)"},
    "inside_share": {"th": "สัดส่วน", "en": "Share"},
    "segments": {"th": "ช่วงคลอง", "en": "Segments"},
    "mean": {"th": "เฉลี่ย (ม.)", "en": "Mean (m)"},
    "max": {"th": "สูงสุด (ม.)", "en": "Max (m)"},
    "min": {"th": "ต่ำสุด (ม.)", "en": "Min (m)"},
    "area_above": {"th": "เนื้อที่ลึกเกิน {t} ม. (ตร.ม.)", "en": "Area deeper than {t} m (m²)"},
    "covered": {"th": "เนื้อที่มีข้อมูล (ตร.ม.)", "en": "Area covered (m²)"},
    "nearest": {"th": "ภัยที่ใกล้ที่สุด", "en": "Nearest disaster"},
    "kind": {"th": "ประเภท", "en": "Kind"},
    "event_date": {"th": "วันที่เกิดเหตุ", "en": "Date"},
    "distance": {"th": "ระยะห่าง (ม.)", "en": "Distance (m)"},
    "within": {"th": "จำนวนในรัศมี {r} ม.", "en": "Within {r} m"},
    "rules": {"th": "กฎที่ใช้", "en": "Rules applied"},
    "rule": {"th": "กฎ", "en": "Rule"},
    "check": {"th": "การตรวจสอบ", "en": "Check"},
    "condition": {"th": "เงื่อนไข", "en": "Condition"},
    "reason_template": {"th": "ข้อความเหตุผล", "en": "Reason text"},
    "skipped": {
        "th": "กฎที่ไม่ได้ใช้ เพราะไม่ได้เลือกการตรวจสอบนั้น",
        "en": "Rules skipped because their check was not run",
    },
    "none_skipped": {"th": "ใช้กฎครบทุกข้อ", "en": "No rule was skipped"},
    "notes": {"th": "หมายเหตุและสมมติฐาน", "en": "Notes and assumptions"},
    "sources": {"th": "แหล่งข้อมูล", "en": "Data sources"},
    "layer": {"th": "ชั้นข้อมูล", "en": "Layer"},
    "source_licence": {"th": "แหล่งที่มาและสัญญาอนุญาต", "en": "Source and licence"},
    "version": {"th": "รุ่นและวันที่บันทึก", "en": "Version and written"},
    "upload": {"th": "ไฟล์อัปโหลดและการแปลงพิกัด", "en": "Uploaded file and reprojection"},
    "stored": {"th": "จากคลังข้อมูล", "en": "from the layer store"},
    "sites_source": {"th": "ที่มาของพื้นที่โครงการ", "en": "Where the sites come from"},
    "sites_layer": {"th": "พื้นที่โครงการ", "en": "Sites"},
    "method": {"th": "ระบบพิกัดและวิธีคำนวณ", "en": "Coordinates and methods"},
    "crs": {"th": "ระบบพิกัด", "en": "Coordinate system"},
    "area_method": {"th": "การคำนวณเนื้อที่", "en": "Areas"},
    "raster_method": {"th": "การคำนวณค่าจากราสเตอร์", "en": "Raster values"},
    "parameters": {"th": "ค่าพารามิเตอร์", "en": "Parameters"},
    "flood_threshold": {"th": "เกณฑ์น้ำท่วมลึก", "en": "Deep-flood threshold"},
    "disaster_radius": {"th": "รัศมีนับภัยพิบัติ", "en": "Disaster radius"},
    "timings": {"th": "เวลาที่ใช้ในแต่ละขั้น", "en": "Run time per step"},
    "seconds": {"th": "วินาที", "en": "s"},
    "rule_file": {"th": "ไฟล์ชุดกฎ", "en": "Rule-set file"},
    "rule_notes": {"th": "หมายเหตุของชุดกฎ", "en": "Rule-set notes"},
    "illustrative_warning": {
        "th": "ชั้นข้อมูลที่มีสถานะ “ข้อมูลตัวอย่าง” สร้างขึ้นเพื่อสาธิตเท่านั้น ไม่ใช่ข้อมูลจริง "
        "ผลการตรวจที่ได้จากชั้นข้อมูลเหล่านี้ใช้ตัดสินใจไม่ได้ ต้องตรวจสอบกับข้อมูลจริงของหน่วยงานก่อน",
        "en": "Layers marked “illustrative” are invented sample data, not real data. Verdicts "
        "that rest on them must not be used for decisions; check against the agencies' "
        "real data first.",
    },
    "page": {"th": "หน้า", "en": "Page"},
    "of": {"th": "/", "en": "of"},
    "generated": {"th": "สร้างรายงาน", "en": "Report generated"},
    "map_time": {"th": "วาดแผนที่ในรายงาน", "en": "Drawing the report map"},
    "legend": {"th": "คำอธิบายสัญลักษณ์", "en": "Legend"},
    "scale": {"th": "มาตราส่วน", "en": "Scale"},
    "uses": {"th": "ใช้กับ", "en": "applies to"},
}
# The catalogue's status labels; the report adds "not real" to the illustrative one.
_NOT_REAL = {"th": "ไม่ใช่ข้อมูลจริง", "en": "not real"}
STATUS_LABELS = {
    **CATALOG_STATUS_LABELS,
    "illustrative": {
        x: f"{CATALOG_STATUS_LABELS['illustrative'][x]} ({_NOT_REAL[x]})" for x in ("th", "en")
    },
}
STEP_LABELS = {
    "validate_sites": {"th": "ตรวจรูปแปลงพื้นที่โครงการ", "en": "Validating the sites"},
    "rules": {"th": "ประเมินตามกฎ", "en": "Applying the rules"},
    "summary": {"th": "สรุปผล", "en": "Summary"},
    "total": {"th": "รวมทั้งหมด", "en": "Total"},
}
METHODS = {
    "crs": {
        "th": "EPSG:32647 (WGS 84 / UTM โซน 47 เหนือ) หน่วยเป็นเมตร ทุกชั้นข้อมูลแปลงพิกัดเข้าระบบนี้ตอนนำเข้า",
        "en": "EPSG:32647 (WGS 84 / UTM zone 47N), in metres; every layer is reprojected "
        "into it at import",
    },
    "area": AREA_METHOD,
    "raster": RASTER_METHOD,
}
USE_LABELS = {"residential": {"th": "ที่อยู่อาศัย", "en": "residential"}}
FIELD_WORDS = {
    "mean": {"th": "ความลึกน้ำท่วมเฉลี่ย", "en": "mean flood depth", "unit": "m"},
    "max": {"th": "ความลึกน้ำท่วมสูงสุด", "en": "maximum flood depth", "unit": "m"},
    "min": {"th": "ความลึกน้ำท่วมต่ำสุด", "en": "minimum flood depth", "unit": "m"},
    "area_above_m2": {
        "th": "เนื้อที่ที่น้ำลึกเกินเกณฑ์",
        "en": "area deeper than the threshold",
        "unit": "m2",
    },
    "covered_area_m2": {
        "th": "เนื้อที่ที่มีข้อมูลน้ำท่วม",
        "en": "area with flood data",
        "unit": "m2",
    },
    "inside_share": {"th": "สัดส่วนในระยะถอยร่น", "en": "share inside the setback", "unit": "%"},
    "inside_area_m2": {
        "th": "เนื้อที่ในระยะถอยร่น",
        "en": "area inside the setback",
        "unit": "m2",
    },
    "count_within": {"th": "จำนวนภัยในรัศมี", "en": "disasters within the radius", "unit": ""},
    "nearest_distance_m": {
        "th": "ระยะถึงภัยที่ใกล้ที่สุด",
        "en": "distance to the nearest disaster",
        "unit": "m",
    },
}
COMPARE_WORDS = {
    "above": {"th": "มากกว่า", "en": "over"},
    "at_least": {"th": "ตั้งแต่", "en": "at least"},
    "below": {"th": "น้อยกว่า", "en": "under"},
    "at_most": {"th": "ไม่เกิน", "en": "at most"},
}
CATEGORY_WORDS = {
    "zoning": {"th": "ประเภทผังเมือง", "en": "zone code"},
    "tenure": {"th": "ประเภทเจ้าของที่ดิน", "en": "owner class"},
}

# Page geometry of the PDF (mm): A4 with these margins.
_MARGINS = {"top": 14.0, "right": 12.0, "bottom": 16.0, "left": 12.0}


# ------------------------------------------------------------------ public API


def render_html(report, *, lang: str = "th") -> str:
    """The report as a standalone HTML page: no URL is loaded, fonts are inline."""
    return _render(report, lang=lang, print_mode=False)


def render_pdf(report, *, lang: str = "th", progress=None) -> bytes:
    """The report as an A4 PDF (WeasyPrint), Sarabun embedded; `progress(fraction,
    step)` hears of the map (step `pdf.map`), the layout and the writing."""
    if progress is not None:
        progress(0.0, "pdf.map")
    html = _render(report, lang=lang, print_mode=True)
    # The report is self-contained: only data: URIs (the font, the flood image) load.
    return html_to_pdf(html, progress=progress, start=0.4)


def html_to_pdf(html: str, *, progress=None, start: float = 0.0) -> bytes:
    """A self-contained HTML page (fonts inline, see `font_css(sfnt=True)`) as PDF:
    the page's own @page rules set its size; only data: URIs load. For documents
    rendered elsewhere from plain values (the PDPA subject access export, app/).
    `progress(fraction, step)` hears of the layout (`pdf.layout`) and the writing
    (`pdf.write`), from `start` to 1."""
    import weasyprint

    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"})
    if progress is not None:
        progress(start, "pdf.layout")
    document = weasyprint.HTML(string=html, url_fetcher=fetcher).render()
    if progress is not None:
        progress(start + (1 - start) * 0.7, "pdf.write")
    return document.write_pdf()


# ------------------------------------------------------------------ rendering


@functools.lru_cache(maxsize=1)
def template_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    return env


@functools.lru_cache(maxsize=2)
def font_css(sfnt: bool = False) -> str:
    """@font-face rules with the Sarabun files inline (base64): the woff2 files as
    shipped, or (`sfnt`, for WeasyPrint) decompressed once to TrueType, which
    spares every PDF the ~0.1 s of WOFF2 decoding."""
    rules = []
    for family, subset, unicode_range in FONT_FACES:
        for weight in (400, 700):
            path = FONTS / f"sarabun-{subset}-{weight}-normal.woff2"
            data, mime, fmt = path.read_bytes(), "font/woff2", "woff2"
            if sfnt:
                data, mime, fmt = _woff2_to_ttf(path), "font/ttf", "truetype"
            b64 = base64.b64encode(data).decode("ascii")
            rules.append(
                f'@font-face {{ font-family: "{family}"; font-style: normal; '
                f"font-weight: {weight}; "
                f'src: url("data:{mime};base64,{b64}") format("{fmt}"); '
                f"unicode-range: {unicode_range}; }}"
            )
    return "\n".join(rules)


def _woff2_to_ttf(path: Path) -> bytes:
    import io

    from fontTools.ttLib import TTFont

    font = TTFont(str(path))
    font.flavor = None
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def _render(report, *, lang: str, print_mode: bool) -> str:
    if lang not in ("th", "en"):
        raise ValueError(f"lang must be 'th' or 'en', not {lang!r}")
    ctx = report_context(report, lang=lang, print_mode=print_mode)
    return template_env().get_template("report.html.j2").render(**ctx)


def report_context(report, *, lang: str = "th", print_mode: bool = False) -> dict[str, Any]:
    """Everything the template shows, as plain values (strings stay unescaped here:
    the template escapes them)."""
    other = "en" if lang == "th" else "th"
    prov = report.provenance or {}
    catalog = default_catalog()
    run_at = _run_at(prov.get("run_at"))
    counts = report.counts()
    rules = report.rules

    t0 = time.perf_counter()
    site_map, orientation = _site_map(report, lang=lang, print_mode=print_mode, catalog=catalog)
    map_time = time.perf_counter() - t0

    legend = [
        {
            "title": sec.title,
            "items": [
                {"swatch": Markup(item.html or legend_swatch_svg(item)), "label": item.label}
                for item in sec.items
            ],
        }
        for sec in site_map.legend
    ]
    # Legend columns are balanced here: CSS columns cost WeasyPrint a second.
    legend_columns = _balance(legend, 3 if orientation == "portrait" else 1)
    inputs = _input_rows(report, catalog)
    verdicts = report.verdicts.set_index("site_id")
    sites = []
    for row in report.summary.to_dict("records"):
        reasons = list(verdicts.at[row["site_id"], "reasons"])
        actions, seen = [], set()
        for r in reasons:
            key = (r.get("action_th") or "", r.get("action_en") or "")
            if any(key) and key not in seen:
                seen.add(key)
                actions.append({"th": key[0] or key[1], "en": key[1] or key[0]})
        sites.append(
            {
                "id": str(row["site_id"]),
                "name": str(row["name"]),
                "area": row["area_m2"],
                "verdict": row["verdict"],
                "reasons": reasons,
                "actions": actions,
            }
        )

    return {
        "lang": lang,
        "other": other,
        "print_mode": print_mode,
        "T": T,
        "tf": _tf,
        "font_css": Markup(font_css(print_mode)),
        "font_stack": Markup(FONT_STACK),
        "margins": _MARGINS,
        "orientation": orientation,
        "verdict_labels": VERDICT_LABELS,
        "verdict_colors": VERDICT_COLORS,
        "check_titles": CHECK_TITLES,
        "rules_title": rules.title,
        "rules_name": rules.name,
        "date": {"th": thai_date(run_at) if run_at else "", "en": english_date(run_at)},
        "time": run_at.strftime("%H:%M") if run_at else "",
        "counts": counts,
        "total": sum(counts.values()),
        "against": list(report.against),
        "map_svg": Markup(site_map.svg),
        "map_scale": _round_scale(site_map.scale_denominator),
        "legend": legend,
        "legend_columns": legend_columns,
        "sites": sites,
        "by_verdict": {v: [s["id"] for s in sites if s["verdict"] == v] for v in VERDICT_LABELS},
        "checks": _check_tables(report, lang),
        "rules": _rules_rows(report),
        "skipped": _skipped_rows(report),
        "inputs": inputs,
        "sites_info": _sites_info(prov.get("sites") or {}, catalog),
        "methods": {
            "crs": METHODS["crs"],
            "area": {**METHODS["area"], "en": prov.get("area_method") or METHODS["area"]["en"]},
            "raster": {
                **METHODS["raster"],
                "en": prov.get("raster_method") or METHODS["raster"]["en"],
            },
        },
        "parameters": {
            "flood": rules.flood_threshold_m,
            "radius": rules.disaster_radius_m,
            "other": {
                k: v
                for k, v in rules.parameters.items()
                if k not in ("flood_threshold_m", "disaster_radius_m")
            },
        },
        "timings": _timing_rows(prov.get("timings_s") or {}, map_time),
        "rule_file": rules.file or prov.get("rule_set", {}).get("file") or "",
        "rule_sha": rules.sha256 or prov.get("rule_set", {}).get("sha256") or "",
        "rule_notes": rules.notes,
        "has_illustrative": any(row["status"] == "illustrative" for row in inputs),
    }


def _site_map(report, *, lang, print_mode, catalog):
    """The map sized for its page: portrait A4 for a tall set of sites (legend below),
    landscape for a wide one (legend beside)."""
    x0, y0, x1, y1 = report.sites.total_bounds if len(report.sites) else (0, 0, 1, 1)
    wide = (x1 - x0) > 1.15 * (y1 - y0)
    if wide:
        w, h, orientation = 200.0, 165.0, "landscape"
    else:
        w, h, orientation = 186.0, 198.0, "portrait"
    m = render_site_map(report, width_mm=w, height_mm=h, lang=lang, legend=False, catalog=catalog)
    return m, orientation


def _balance(sections: list[dict], n: int) -> list[list[dict]]:
    """Sections split in order into `n` columns of about equal height."""
    heights = [
        1.3 + (len(s["items"]) if len(s["items"]) > 1 or any(i["label"] for i in s["items"]) else 0)
        for s in sections
    ]
    total = sum(heights)
    columns: list[list[dict]] = [[]]
    acc = 0.0
    for sec, h in zip(sections, heights, strict=True):
        if columns[-1] and len(columns) < n and acc + h / 2 > total * len(columns) / n:
            columns.append([])
        columns[-1].append(sec)
        acc += h
    return columns


def _tf(key: str, **values) -> dict[str, str]:
    """A text of `T` with its {placeholders} filled, in both languages."""
    return {x: T[key][x].format(**values) for x in ("th", "en")}


def _run_at(value) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(str(value))
    except ValueError:
        d = as_date(value)
        return datetime(d.year, d.month, d.day, tzinfo=BANGKOK) if d else None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(BANGKOK)


def _round_scale(denominator: float) -> str:
    if not denominator or not math.isfinite(denominator):
        return ""
    digits = 2 if denominator >= 1000 else 1
    exp = math.floor(math.log10(denominator)) - digits + 1
    return f"{round(denominator / 10**exp) * 10**exp:,.0f}"


def _num(value, digits: int = 0) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(v):
        return "–"
    return f"{v:,.{digits}f}"


def _pct(value) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "–"
    return "–" if math.isnan(v) else f"{v:.0%}"


def _label(labels: dict, key, lang: str) -> str:
    return (labels.get(key) or {}).get(lang, "" if key is None else str(key))


def _check_tables(report, lang: str) -> list[dict[str, Any]]:
    """Per check: the rows the template shows, both languages ready."""
    s = report.summary
    rules = report.rules
    out = []
    for check in report.against:
        rows = []
        for r in s.to_dict("records"):
            row = {"id": str(r["site_id"]), "name": str(r["name"])}
            if check in ("zoning", "tenure"):
                row["shares"] = {"th": r.get(f"{check}_th") or "", "en": r.get(check) or ""}
                row["uncovered"] = r.get(f"{check}_uncovered_share")
            elif check == "setback":
                st = r.get("setback_status")
                row["status"] = {x: _label(SETBACK_LABELS, st, x) for x in ("th", "en")}
                row["area"] = r.get("setback_area_m2")
                row["share"] = r.get("setback_share")
            elif check == "flood":
                st = r.get("flood_status")
                row.update(
                    mean=r.get("flood_mean_m"),
                    max=r.get("flood_max_m"),
                    min=r.get("flood_min_m"),
                    above=r.get("flood_area_above_m2"),
                    covered=r.get("flood_covered_area_m2"),
                    status={x: _label(FLOOD_STATUS_LABELS, st, x) for x in ("th", "en")},
                )
            elif check == "disasters":
                kind = r.get("nearest_disaster_kind")
                row.update(
                    nearest=r.get("nearest_disaster") or "",
                    kind={x: _label(DISASTER_KINDS, kind, x) if kind else "" for x in ("th", "en")},
                    date={
                        "th": r.get("nearest_disaster_date_th") or "",
                        "en": english_date(r.get("nearest_disaster_date")),
                    },
                    distance=r.get("nearest_disaster_m"),
                    within=r.get("disasters_within"),
                )
            rows.append(row)
        if check == "setback" and "setback" in report.tables:
            parts = report.tables["setback"].set_index("site_id").get("parts")
            if parts is not None:
                for row in rows:
                    v = parts.get(row["id"])
                    row["parts"] = (
                        "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
                    )
        out.append(
            {
                "check": check,
                "title": CHECK_TITLES[check],
                "rows": rows,
                "threshold": f"{rules.flood_threshold_m:g}",
                "radius": f"{rules.disaster_radius_m:g}",
            }
        )
    return out


def condition_words(rule, lang: str, *, radius: float | None = None) -> str:
    """A rule's `when` as a sentence."""
    w = rule.when
    parts: list[str] = []
    and_ = " และ " if lang == "th" else " and "
    if rule.check in CATEGORY_WORDS:
        what = CATEGORY_WORDS[rule.check][lang]
        labels = OWNER_LABELS if rule.check == "tenure" else {}
        if "category_in" in w:
            vals = ", ".join(
                f"{_label(labels, v, lang)} ({v})" if v in labels else str(v)
                for v in w["category_in"]
            )
            parts.append(f"{what}เป็น {vals}" if lang == "th" else f"{what} is {vals}")
        if "category_prefix" in w:
            vals = ", ".join(map(str, w["category_prefix"]))
            parts.append(f"{what}ขึ้นต้นด้วย {vals}" if lang == "th" else f"{what} starts with {vals}")
        if len(parts) > 1:
            parts = [(" หรือ " if lang == "th" else " or ").join(parts)]
        share = w.get("share_above")
        if share is not None:
            parts.append(
                f"เกิน {float(share):.0%} ของพื้นที่"
                if lang == "th"
                else f"over {float(share):.0%} of the site"
            )
        else:
            parts.append("ในส่วนใดส่วนหนึ่งของพื้นที่" if lang == "th" else "on any part of the site")
        text = " ".join(parts) if lang == "th" else ", ".join(parts)
        parts = [text]
    else:
        if "status_in" in w:
            labels = SETBACK_LABELS if rule.check == "setback" else FLOOD_STATUS_LABELS
            vals = (" หรือ " if lang == "th" else " or ").join(
                _label(labels, v, lang) for v in w["status_in"]
            )
            parts.append(f"สถานะเป็น {vals}" if lang == "th" else f"status is {vals}")
        if "field" in w:
            f = FIELD_WORDS.get(w["field"], {"th": w["field"], "en": w["field"], "unit": ""})
            name = f[lang]
            if w["field"] == "count_within" and radius is not None:
                name += f" {radius:g} ม." if lang == "th" else f" ({radius:g} m)"
            for key, words in COMPARE_WORDS.items():
                if key in w:
                    parts.append(f"{name} {words[lang]} {_unit(w[key], f['unit'], lang)}")
        if "share_above" in w:
            parts.append(
                f"สัดส่วนในระยะถอยร่นเกิน {float(w['share_above']):.0%}"
                if lang == "th"
                else f"share inside over {float(w['share_above']):.0%}"
            )
    text = and_.join(p for p in parts if p)
    if rule.applies_to_use:
        uses = ", ".join(_label(USE_LABELS, u, lang) for u in rule.applies_to_use)
        text += f" (เฉพาะพื้นที่ใช้เป็น{uses})" if lang == "th" else f" (only for {uses} use)"
    return text


def _unit(value, unit: str, lang: str) -> str:
    v = float(value)
    if unit == "m":
        return f"{v:g} ม." if lang == "th" else f"{v:g} m"
    if unit == "m2":
        return f"{v:,.0f} ตร.ม." if lang == "th" else f"{v:,.0f} m²"
    if unit == "%":
        return f"{v:.0%}"
    return f"{v:g}"


def _rules_rows(report) -> list[dict[str, Any]]:
    radius = report.rules.disaster_radius_m
    skipped = set(report.provenance.get("rules_skipped") or [])
    out = []
    for rule in report.rules.rules:
        out.append(
            {
                "id": rule.id,
                "check": CHECK_TITLES.get(rule.check, {"th": rule.check, "en": rule.check}),
                "condition": {x: condition_words(rule, x, radius=radius) for x in ("th", "en")},
                "verdict": rule.severity,
                "reason": {"th": rule.reason_template("th"), "en": rule.reason_template("en")},
                "action": rule.action or {},
                "skipped": rule.id in skipped,
            }
        )
    return out


def _skipped_rows(report) -> list[dict[str, Any]]:
    by_id = {r.id: r for r in report.rules.rules}
    out = []
    for rid in report.provenance.get("rules_skipped") or []:
        rule = by_id.get(rid)
        check = rule.check if rule else ""
        out.append(
            {
                "id": rid,
                "check": CHECK_TITLES.get(check, {"th": check, "en": check}),
            }
        )
    return out


def _transformation(value) -> dict[str, str]:
    """How a file was moved to the storage CRS, in words (not PROJ's step names)."""
    from gis.importing.crs import transformation_words

    return transformation_words(value)


def _input_rows(report, catalog) -> list[dict[str, Any]]:
    """Where every layer of the run came from: the sites first, then each check's."""
    prov = report.provenance or {}
    sites = dict(prov.get("sites") or {})
    rows = []
    if sites.get("layer") or sites.get("file"):
        if sites.get("file") and not sites.get("layer"):
            sites.update(status="uploaded", uploaded_file=sites["file"], file="")
        rows.append(_source_row(T["sites_layer"], sites, catalog))
    for check, info in (prov.get("inputs") or {}).items():
        label = CHECK_TITLES.get(check, {"th": check, "en": check})
        rows.append(_source_row(label, {"layer": check, **(info or {})}, catalog))
    return rows


def _words(value) -> dict[str, str]:
    """Catalogue words {th, en}; a bare string (an older run's provenance) in both."""
    if isinstance(value, dict):
        return {"th": str(value.get("th") or ""), "en": str(value.get("en") or "")}
    return {"th": str(value or ""), "en": str(value or "")}


def _source_row(label: dict[str, str], info: dict[str, Any], catalog) -> dict[str, Any]:
    layer = info.get("layer") or ""
    entry = catalog.layers.get(layer) if catalog is not None and layer else None
    status = info.get("status") or (entry.status if entry else "")
    title = info.get("title") or (entry.title if entry else {"th": layer, "en": layer})
    uploaded = status == "uploaded"
    cell = (info.get("raster") or {}).get("cell_size")
    written = _run_at(info.get("written_at")) if info.get("written_at") else None
    return {
        "check": label,
        "layer": layer,
        "title": title if isinstance(title, dict) else {"th": str(title), "en": str(title)},
        "status": status,
        "status_label": STATUS_LABELS.get(status, {"th": status, "en": status}),
        "status_note": entry.status_note if entry and not uploaded else {},
        "source": _words(
            info.get("source") or (entry.source.get("name") if entry and not uploaded else "")
        ),
        "licence": _words(info.get("licence") or (entry.licence if entry and not uploaded else "")),
        "version": info.get("version"),
        "written": {"th": thai_date(written) if written else "", "en": english_date(written)},
        "features": info.get("features"),
        "file": info.get("file") or "",
        "cell": f"{cell[0]:g} × {cell[1]:g}" if cell else "",
        "uploaded": info.get("uploaded_file") or "",
        "source_crs": info.get("source_crs") or "",
        "reprojected": _transformation(info.get("reprojected")),
    }


def _sites_info(info: dict[str, Any], catalog=None) -> dict[str, Any]:
    """How the sites were chosen (the 'where the sites come from' paragraph)."""
    written = info.get("written_at")
    layer = info.get("layer") or ""
    entry = catalog.layers.get(layer) if catalog is not None and layer else None
    return {
        "count": info.get("count"),
        "layer": layer,
        "layer_title": entry.title if entry else {"th": layer, "en": layer},
        "version": info.get("version"),
        "written": {
            "th": thai_date(_run_at(written)) if written else "",
            "en": english_date(_run_at(written)) if written else "",
        },
        "selected": info.get("selected"),
        "id_field": info.get("id_field") or "",
        "file": info.get("file") or "",
        "format": info.get("format") or "",
        "source_crs": info.get("source_crs") or "",
        "reprojected": _transformation(info.get("reprojected")),
        "warnings": list(info.get("warnings") or []),
    }


def _timing_rows(timings: dict[str, float], map_time: float) -> list[dict[str, Any]]:
    rows = []
    for step, secs in timings.items():
        label = STEP_LABELS.get(step) or CHECK_TITLES.get(step) or {"th": step, "en": step}
        rows.append({"step": step, "label": label, "seconds": secs, "total": step == "total"})
    rows.sort(key=lambda r: r["total"])
    rows.append({"step": "map", "label": T["map_time"], "seconds": map_time, "total": False})
    return rows
