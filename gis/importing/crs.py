"""Coordinate reference systems: the one given or declared, where the features lie
(inside Thailand, or latitude and longitude swapped), and the move to the layer's CRS
(Indian 1975 through its chosen transformation, never PROJ's default)."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from gis.catalog import STORAGE_CRS, THAILAND_EXTENT
from gis.errors import Problem, ValidationError
from gis.importing.report import ImportReport, item, refuse

THAILAND_BOUNDS = THAILAND_EXTENT  # the name importers used before the extent was shared

# Indian 1975 → WGS 84: EPSG:1304 ("Indian 1975 to WGS 84 (2)", 3-parameter
# geocentric translation 210, 814, 289). See docs/decisions/0006-indian-1975.md.
INDIAN_1975 = CRS.from_epsg(4240)
INDIAN_1975_TRANSFORMATION = {
    "code": "EPSG:1304",
    "name": "Indian 1975 to WGS 84 (2)",
    "method": "Geocentric translations (210, 814, 289)",
    "decision": "docs/decisions/0006-indian-1975.md",
}
_INDIAN_TO_WGS84_GEOG = (
    "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
    "+step +proj=push +v_3 +step +proj=cart +ellps=evrst30 "
    "+step +proj=helmert +x=210 +y=814 +z=289 +step +inv +proj=cart +ellps=WGS84 "
    "+step +proj=pop +v_3 +step +proj=unitconvert +xy_in=rad +xy_out=deg"
)


def resolve_crs(
    gdf: gpd.GeoDataFrame, *, crs: str | None, target: str, label: str, report: ImportReport
) -> gpd.GeoDataFrame:
    if crs:
        try:
            given = CRS.from_user_input(crs)
        except Exception:
            raise refuse(
                label, f"unknown CRS {crs!r}", f"ไม่รู้จักระบบพิกัด {crs!r}", field="crs"
            ) from None
        if gdf.crs is not None and not CRS.from_user_input(gdf.crs).equals(given):
            report.warnings.append(
                item(
                    Problem(
                        f"the file declares {gdf.crs.to_string()}; {crs} was given and used",
                        f"ไฟล์ระบุระบบพิกัด {gdf.crs.to_string()} แต่ใช้ {crs} ตามที่กำหนด",
                        file=label,
                        severity="warning",
                    )
                )
            )
        gdf = gdf.set_crs(given, allow_override=True)
    if gdf.crs is None:
        raise refuse(
            label,
            "the file has no coordinate reference system (no .prj); give one with "
            f"--crs EPSG:NNNN (for example {STORAGE_CRS} for UTM 47N, EPSG:24047 for Indian 1975)",
            "ไฟล์ไม่มีระบบพิกัด (ไม่มีไฟล์ .prj) โปรดระบุด้วย --crs EPSG:NNNN "
            f"(เช่น {STORAGE_CRS} หรือ EPSG:24047)",
            field="crs",
        )
    where = _check_location(gdf, label)
    if where:
        raise ValidationError(where)
    source = CRS.from_user_input(gdf.crs)
    target_crs = CRS.from_user_input(target)
    report.source_crs = source.to_string()
    report.target_crs = target_crs.to_string()
    if source.equals(target_crs):
        report.transformation = {"code": None, "name": "none (already in the layer CRS)"}
        return gdf
    if source.geodetic_crs is not None and source.geodetic_crs.equals(INDIAN_1975):
        return _from_indian_1975(gdf, source, target_crs, report)
    transformer = Transformer.from_crs(source, target_crs, always_xy=True)
    report.transformation = {"code": None, "name": transformer.description}
    return gdf.to_crs(target_crs)


# PROJ's words for the steps of a transformation, in Thai and English. A step PROJ
# names otherwise is described by its CRSs (see transformation_words).
_STEP_WORDS: list[tuple[re.Pattern[str], str, str]] = [
    (
        re.compile(r"^axis order change \(2D\)$"),
        "สลับลำดับแกนละติจูด/ลองจิจูด",
        "latitude and longitude axes swapped",
    ),
    (
        re.compile(r"^Inverse of UTM zone (\d+)([NS])$"),
        "ถอดค่าพิกัดจาก UTM โซน {0} {hemi_th}",
        "from UTM zone {0} {hemi_en} to latitude and longitude",
    ),
    (
        re.compile(r"^UTM zone (\d+)([NS])$"),
        "ฉายลง UTM โซน {0} {hemi_th}",
        "projected to UTM zone {0} {hemi_en}",
    ),
    (
        re.compile(r"^Inverse of Popular Visualisation Pseudo-Mercator$"),
        "ถอดค่าพิกัดจาก Web Mercator (แผนที่บนเว็บ)",
        "from Web Mercator (web maps) to latitude and longitude",
    ),
    (
        re.compile(r"^Ballpark geographic offset from (.+) to (.+)$"),
        "เลื่อนพิกัดโดยประมาณจาก {0} เป็น {1} (ไม่มีค่าแปลงที่แม่นยำ)",
        "approximate offset from {0} to {1} (no exact transformation known)",
    ),
    (
        re.compile(r"^Null geographic offset from (.+) to (.+)$"),
        "{0} และ {1} ใช้ค่าพิกัดเดียวกัน",
        "{0} and {1} share coordinates",
    ),
]
_HEMISPHERE = {"N": ("เหนือ", "north"), "S": ("ใต้", "south")}


def _step_words(step: str) -> tuple[str, str] | None:
    for pattern, th, en in _STEP_WORDS:
        match = pattern.match(step.strip())
        if match:
            groups = match.groups()
            hemi = _HEMISPHERE.get(groups[1] if len(groups) > 1 else "", ("", ""))
            return (
                th.format(*groups, hemi_th=hemi[0]).strip(),
                en.format(*groups, hemi_en=hemi[1]).strip(),
            )
    return None


def transformation_words(value: dict | str | None) -> dict[str, str]:
    """A report's transformation in words, Thai and English, never PROJ's bare step names.

    `value` is the report's `transformation` ({code, name, ...}); an EPSG code stays in the
    words (it is how a surveyor finds the transformation), PROJ's step names do not."""
    if not value:
        return {"th": "", "en": ""}
    if isinstance(value, str):
        value = {"code": None, "name": value}
    code = value.get("code")
    name = str(value.get("name") or "")
    if not code and (not name or name.startswith("none")):
        return {"th": "ไม่ต้องแปลง (ระบบพิกัดเดียวกับชั้นข้อมูล)", "en": "None: already in the layer's CRS"}
    if code == INDIAN_1975_TRANSFORMATION["code"]:
        return {
            "th": f"{code} จาก Indian 1975 เป็น WGS 84 (เลื่อนศูนย์กลางโลก 210, 814, 289 ม.)",
            "en": f"{code} {name} (geocentric translation 210, 814, 289 m)",
        }
    steps = [_step_words(step) for step in name.split(" + ")] if name else []
    if steps and all(steps):
        th = " แล้ว".join(words[0] for words in steps)
        en = ", then ".join(words[1] for words in steps)
    else:
        th, en = "แปลงด้วยวิธีมาตรฐานของ PROJ", f"PROJ's standard transformation ({name})"
    prefix = f"{code} " if code else ""
    return {"th": prefix + th, "en": prefix + en[:1].upper() + en[1:]}


def _from_indian_1975(gdf, source: CRS, target: CRS, report: ImportReport):
    """Indian 1975 → target through the chosen EPSG:1304, never PROJ's default."""
    to_geog = Transformer.from_crs(source, INDIAN_1975, always_xy=True)
    datum = Transformer.from_pipeline(_INDIAN_TO_WGS84_GEOG)
    to_target = Transformer.from_crs("EPSG:4326", target, always_xy=True)

    def fn(x, y, z=None):
        lon, lat = to_geog.transform(x, y)
        lon, lat = datum.transform(lon, lat)
        return to_target.transform(lon, lat)

    geoms = shapely.transform(
        gdf.geometry.values,
        lambda xy: np.column_stack(fn(xy[:, 0], xy[:, 1])) if len(xy) else xy,
    )
    report.transformation = dict(INDIAN_1975_TRANSFORMATION)
    out = gdf.copy()
    out = out.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=target))
    return out


def _check_location(gdf: gpd.GeoDataFrame, label: str) -> list[Problem]:
    """Features outside Thailand, or that look like latitude and longitude swapped."""
    if gdf.empty:
        return []
    geoms = gdf.geometry.values
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not ok.any():
        return []
    b = shapely.bounds(np.asarray(geoms)[ok])
    source = CRS.from_user_input(gdf.crs)
    if not source.is_geographic or not source.equals(CRS.from_epsg(4326)):
        # Corners only (vectorised): enough to say "outside" or "swapped".
        t = Transformer.from_crs(source, "EPSG:4326", always_xy=True)
        x0, y0 = t.transform(b[:, 0], b[:, 1])
        x1, y1 = t.transform(b[:, 2], b[:, 3])
        b = np.column_stack(
            [np.minimum(x0, x1), np.minimum(y0, y1), np.maximum(x0, x1), np.maximum(y0, y1)]
        )
    b = np.where(np.isfinite(b), b, 1e9)
    minx, miny, maxx, maxy = THAILAND_EXTENT
    inside = (b[:, 0] >= minx) & (b[:, 2] <= maxx) & (b[:, 1] >= miny) & (b[:, 3] <= maxy)
    swapped = (b[:, 1] >= minx) & (b[:, 3] <= maxx) & (b[:, 0] >= miny) & (b[:, 2] <= maxy)
    idx = np.flatnonzero(ok)
    problems = []
    for j in np.flatnonzero(~inside):
        i = int(idx[j])
        if swapped[j]:
            en = (
                f"coordinates ({b[j, 0]:.5f}, {b[j, 1]:.5f}) look like latitude and longitude "
                f"swapped; Thailand is about {minx:g}–{maxx:g}° E, {miny:g}–{maxy:g}° N"
            )
            th = (
                "พิกัดดูเหมือนสลับละติจูดกับลองจิจูด ประเทศไทยอยู่ที่"
                f"ลองจิจูด {minx:g}–{maxx:g} ละติจูด {miny:g}–{maxy:g}"
            )
        else:
            en = f"coordinates ({b[j, 0]:.5f}, {b[j, 1]:.5f}) are outside Thailand"
            th = "พิกัดอยู่นอกประเทศไทย"
        problems.append(Problem(en, th, file=label, feature=i, field="geometry"))
    return problems
