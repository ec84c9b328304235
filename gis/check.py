"""The municipal site check: sites against zoning, tenure, canal setback, flood
depth and past disasters in one run, judged by a rule set, with provenance.

`run_checks` takes GeoDataFrames and a raster path (pure: no store, no Flask);
`inputs_from_store` reads those inputs from a layer store with their versions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS

from gis import hazard, overlap
from gis.catalog import STORAGE_CRS
from gis.errors import Problem, ValidationError
from gis.rules import CHECKS, VERDICT_LABELS, RuleSet, evaluate
from gis.thaidate import as_date, thai_date

# Which stored layer feeds each check, and the field its categories come from.
CHECK_LAYERS = {
    "zoning": "zoning",
    "tenure": "tenure_parcels",
    "setback": "canal_setback",
    "flood": "flood_depth",
    "disasters": "disaster_sites",
}
CATEGORY_FIELDS = {"zoning": "zone_code", "tenure": "owner_class"}
CHECK_TITLES = {
    "zoning": {"th": "ผังเมืองรวม", "en": "Comprehensive-plan zoning"},
    "tenure": {"th": "กรรมสิทธิ์ที่ดิน", "en": "Land tenure"},
    "setback": {"th": "ระยะถอยร่นจากคลอง", "en": "Canal setback"},
    "flood": {"th": "ความลึกน้ำท่วม", "en": "Flood depth"},
    "disasters": {"th": "ภัยพิบัติในอดีต", "en": "Past disasters"},
}
OWNER_LABELS = {
    "treasury": {"th": "ที่ราชพัสดุ", "en": "Treasury"},
    "railway": {"th": "การรถไฟฯ", "en": "State Railway"},
    "bma": {"th": "กทม.", "en": "BMA"},
    "private": {"th": "เอกชน", "en": "Private"},
}
SETBACK_LABELS = {
    "inside": {"th": "อยู่ในระยะถอยร่น", "en": "Inside"},
    "partly_inside": {"th": "อยู่ในระยะถอยร่นบางส่วน", "en": "Partly inside"},
    "outside": {"th": "อยู่นอกระยะถอยร่น", "en": "Outside"},
}
FLOOD_STATUS_LABELS = {
    "ok": {"th": "มีข้อมูล", "en": "Covered"},
    "partial": {"th": "มีข้อมูลบางส่วน", "en": "Partly covered"},
    "no_data": {"th": "ไม่มีข้อมูล", "en": "No data"},
}
# How the numbers are made, for the provenance and the report's notes.
AREA_METHOD = {
    "th": "ซ้อนทับรูปแปลงแบบตรงทุกจุดในระบบพิกัด EPSG:32647 หน่วย ตร.ม.",
    "en": "exact polygon intersection in EPSG:32647 (UTM zone 47N), m²",
}
RASTER_METHOD = {
    "th": "ค่าแต่ละเซลล์ถ่วงน้ำหนักด้วยสัดส่วนของเซลล์ที่อยู่ในพื้นที่โครงการจริง ไม่มีการสุ่มเซลล์ใหม่ (resample)",
    "en": "cell values weighted by the exact share of each cell the site covers; "
    "the raster is never resampled",
}
DISASTER_KINDS = {
    "fire": {"th": "ไฟไหม้", "en": "fire"},
    "flood": {"th": "น้ำท่วม", "en": "flood"},
    "eviction": {"th": "ไล่รื้อ", "en": "eviction"},
}


@dataclass
class CheckInputs:
    """What the sites are checked against; None for a check that is not run."""

    zoning: gpd.GeoDataFrame | None = None
    tenure: gpd.GeoDataFrame | None = None
    setback: gpd.GeoDataFrame | None = None
    flood: Path | None = None
    disasters: gpd.GeoDataFrame | None = None
    info: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Checks computed by SQL inside PostGIS (gis.postgis_overlap) on the stored layer;
    # their frames above then hold only the features near the sites, for the map.
    in_database: set[str] = field(default_factory=set)
    store: Any = None

    def get(self, check: str):
        return getattr(self, check)


@dataclass
class CheckReport:
    sites: gpd.GeoDataFrame  # site_id, name, area_m2, geometry (storage CRS)
    against: list[str]
    tables: dict[str, pd.DataFrame]
    verdicts: pd.DataFrame
    summary: pd.DataFrame
    rules: RuleSet
    provenance: dict[str, Any]
    inputs: CheckInputs | None = None  # the layers checked against, for the report's map

    def counts(self) -> dict[str, int]:
        counts = self.verdicts["verdict"].value_counts()
        return {v: int(counts.get(v, 0)) for v in VERDICT_LABELS}


def inputs_from_store(
    store,
    against: list[str],
    *,
    catalog=None,
    replacements: dict[str, tuple[gpd.GeoDataFrame, dict[str, Any]]] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    in_database: bool | None = None,
) -> CheckInputs:
    """Read each check's layer from the store, with its version and source.

    `replacements` swaps a stored layer for an uploaded one (already validated
    and in the storage CRS), with its own provenance. `bbox` (storage CRS, around
    the sites) reads only the features near them; nearest disasters always see the
    whole layer. On a PostGIS store (or with `in_database=True`) the vector checks
    run as SQL inside the database and only the features within `bbox` are read,
    for the report's map.
    """
    from gis.postgis_store import PostGISStore

    replacements = replacements or {}
    if in_database is None:
        in_database = isinstance(store, PostGISStore)
    inputs = CheckInputs(store=store)
    for check in against:
        name = CHECK_LAYERS[check]
        if check in replacements:
            gdf, info = replacements[check]
            setattr(inputs, check, gdf)
            inputs.info[check] = {"layer": name, **info}
            continue
        entry = catalog.layers.get(name) if catalog is not None else None
        if check == "flood":
            path = store.raster_path(name)
            setattr(inputs, check, path)
            info = {"layer": name, "file": path.name}
        else:
            if in_database:
                inputs.in_database.add(check)  # the frame is only for the map
                frame_bbox = bbox
            else:  # nearest disasters need the whole layer
                frame_bbox = None if check == "disasters" else bbox
            setattr(inputs, check, store.read(name, bbox=frame_bbox))
            layer_info = store.info(name).to_dict()
            info = {
                "layer": name,
                "version": layer_info.get("version"),
                "written_at": layer_info.get("written_at"),
                "features": layer_info.get("feature_count"),
                "provenance": layer_info.get("provenance") or {},
            }
        if entry is not None:
            info.update(
                title=entry.title,
                status=entry.status,
                source=entry.source.get("name"),
                licence=entry.licence,
                crs=entry.crs,
            )
        if check in inputs.in_database:
            info["computed_in"] = "PostGIS (SQL on the stored layer)"
        inputs.info[check] = info
    return inputs


def sites_bbox(sites: gpd.GeoDataFrame, margin: float = 1000.0):
    """The sites' bounds grown by `margin` metres: what a report's map can show."""
    x0, y0, x1, y1 = sites.total_bounds
    return (x0 - margin, y0 - margin, x1 + margin, y1 + margin)


def _validate(sites, against, inputs, site_id, rules) -> None:
    problems = []
    unknown = [c for c in against if c not in CHECKS]
    if unknown:
        problems.append(
            Problem(
                f"unknown check(s) {', '.join(unknown)}; choose from {', '.join(CHECKS)}",
                f"ไม่รู้จักการตรวจสอบ {', '.join(unknown)}",
                field="against",
            )
        )
    for check in against:
        if check in CHECKS and inputs.get(check) is None:
            problems.append(
                Problem(
                    f"no layer was given for the {check} check",
                    f"ไม่มีชั้นข้อมูลสำหรับการตรวจสอบ{CHECK_TITLES[check]['th']}",
                    layer=CHECK_LAYERS[check],
                )
            )
    if site_id not in sites.columns:
        problems.append(Problem("the sites have no id field", "ไม่มีฟิลด์รหัสพื้นที่", field=site_id))
    elif sites[site_id].isna().any():
        rows = [str(i + 1) for i in range(len(sites)) if pd.isna(sites[site_id].iloc[i])][:5]
        problems.append(
            Problem(
                f"sites without an id (feature {', '.join(rows)})",
                f"พื้นที่ไม่มีรหัส (ลำดับที่ {', '.join(rows)})",
                field=site_id,
            )
        )
    elif sites[site_id].duplicated().any():
        dup = [str(v) for v in sites[site_id][sites[site_id].duplicated()].unique()[:5]]
        problems.append(
            Problem(
                f"site ids repeat: {', '.join(dup)}",
                f"รหัสพื้นที่ซ้ำ: {', '.join(dup)}",
                field=site_id,
            )
        )
    if sites.crs is None or not CRS.from_user_input(sites.crs).equals(CRS(STORAGE_CRS)):
        problems.append(
            Problem(
                f"the sites must be in {STORAGE_CRS} (reproject them at import)",
                f"พื้นที่โครงการต้องอยู่ในระบบพิกัด {STORAGE_CRS}",
                field="crs",
            )
        )
    if problems:
        raise ValidationError(problems)


def run_checks(
    sites: gpd.GeoDataFrame,
    inputs: CheckInputs,
    *,
    rules: RuleSet,
    against: list[str] | None = None,
    site_id: str = "site_id",
    site_name: str | None = None,
    sites_info: dict[str, Any] | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> CheckReport:
    """Run every requested check on the sites and judge them by the rule set;
    `progress(fraction, step)` hears of each check (step `check.<name>`)."""
    against = list(against or CHECKS)
    _validate(sites, against, inputs, site_id, rules)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    t = time.perf_counter()
    info = sites_info or {}
    sites_label = info.get("file") or info.get("layer") or "sites"
    overlap.validate_sites(sites, site_id=site_id, labels=(sites_label, None))
    timings["validate_sites"] = time.perf_counter() - t

    tables: dict[str, pd.DataFrame] = {}
    for n, check in enumerate(against):
        if progress is not None:
            progress(n / len(against), f"check.{check}")
        t = time.perf_counter()
        source = inputs.get(check)
        label = inputs.info.get(check, {}).get("layer", check)
        labels = (sites_label, label)
        if check in inputs.in_database:
            table = _in_database(check, sites, inputs, label, site_id, rules)
            tables[check] = table
        elif check in CATEGORY_FIELDS:
            tables[check] = overlap.area_by_category(
                sites, source, CATEGORY_FIELDS[check], site_id=site_id, labels=labels
            )
        elif check == "setback":
            part = "segment_no" if "segment_no" in source.columns else None
            tables[check] = overlap.constraint_status(
                sites, source, site_id=site_id, part_id=part, labels=labels
            )
        elif check == "flood":
            table = hazard.exposure(
                sites, source, threshold=rules.flood_threshold_m, site_id=site_id
            )
            raster = dict(table.attrs.get("provenance", {}))
            if raster.get("raster"):
                raster["raster"] = Path(str(raster["raster"])).name  # no server paths
            inputs.info.setdefault(check, {}).update(
                raster=raster, threshold_m=rules.flood_threshold_m
            )
            tables[check] = table
        elif check == "disasters":
            table = hazard.nearest_disasters(
                sites,
                source,
                radius=rules.disaster_radius_m,
                site_id=site_id,
                disaster_id="site_id" if "site_id" in source.columns else None,
            )
        if check == "disasters":
            table["nearest_kind_th"] = table["nearest_kind"].map(
                lambda k: DISASTER_KINDS.get(k, {}).get("th", k or "")
            )
            table["nearest_date_th"] = table["nearest_date"].map(thai_date)
            table["nearest_date"] = table["nearest_date"].map(
                lambda v: d.isoformat() if (d := as_date(v)) else ""
            )
            tables[check] = table
        timings[check] = time.perf_counter() - t

    t = time.perf_counter()
    ids = sites[site_id].tolist()
    uses = dict(zip(ids, sites["use"], strict=True)) if "use" in sites.columns else None
    verdicts = evaluate(rules, ids, results=tables, category_fields=CATEGORY_FIELDS, site_uses=uses)
    timings["rules"] = time.perf_counter() - t

    t = time.perf_counter()
    names = sites[site_name].astype(str).tolist() if site_name else [str(i) for i in ids]
    out_sites = gpd.GeoDataFrame(
        {"site_id": ids, "name": names, "area_m2": shapely.area(sites.geometry.values)},
        geometry=sites.geometry.values,
        crs=sites.crs,
    )
    summary = _summary(out_sites, tables, verdicts)
    timings["summary"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started

    provenance = {
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "crs": STORAGE_CRS,
        "area_method": AREA_METHOD["en"],
        "raster_method": RASTER_METHOD["en"],
        "sites": {"count": len(sites), **(sites_info or {})},
        "inputs": {c: inputs.info.get(c, {}) for c in against},
        "rule_set": rules.provenance(),
        "rules_skipped": verdicts.attrs.get("rules_skipped", []),
        "timings_s": {k: round(v, 4) for k, v in timings.items()},
    }
    return CheckReport(
        sites=out_sites,
        against=against,
        tables=tables,
        verdicts=verdicts,
        summary=summary,
        rules=rules,
        provenance=provenance,
        inputs=inputs,
    )


def _in_database(check, sites, inputs, layer, site_id, rules) -> pd.DataFrame:
    """The same table as the in-process check, computed by SQL in PostGIS."""
    from gis import postgis_overlap as sql

    store = inputs.store
    if check in CATEGORY_FIELDS:
        return sql.area_by_category_sql(
            store, sites, layer, CATEGORY_FIELDS[check], site_id=site_id
        ).reset_index(drop=True)
    if check == "setback":
        part = "segment_no" if "segment_no" in inputs.get(check).columns else None
        return sql.constraint_status_sql(store, sites, layer, site_id=site_id, part_id=part)
    table = sql.nearest_disasters_sql(
        store,
        sites,
        layer,
        radius=rules.disaster_radius_m,
        site_id=site_id,
        disaster_id="site_id" if "site_id" in inputs.get(check).columns else None,
    )
    return table.reset_index(drop=True)


def _shares(rows: pd.DataFrame, by: str, labels: dict | None, lang: str) -> dict[Any, str]:
    out: dict[Any, str] = {}
    if rows.empty:
        return out
    rows = rows.sort_values(["site_id", "share"], ascending=[True, False])
    for site, grp in rows.groupby("site_id", sort=False):
        parts = []
        for value, share in zip(grp[by], grp["share"], strict=True):
            name = (labels or {}).get(value, {}).get(lang, value)
            parts.append(f"{name} {share:.0%}")
        out[site] = "; ".join(parts)
    return out


def _summary(sites: gpd.GeoDataFrame, tables: dict[str, pd.DataFrame], verdicts) -> pd.DataFrame:
    """One row per site, in site order: the numbers a planner files."""
    s = pd.DataFrame({"site_id": sites["site_id"], "name": sites["name"]})
    s["area_m2"] = sites["area_m2"].to_numpy()
    v = verdicts.set_index("site_id")
    s["verdict"] = s["site_id"].map(v["verdict"])
    s["verdict_th"] = s["verdict"].map(lambda x: VERDICT_LABELS[x]["th"])
    for check, by in CATEGORY_FIELDS.items():
        if check in tables:
            labels = OWNER_LABELS if check == "tenure" else None
            s[f"{check}_th"] = s["site_id"].map(_shares(tables[check], by, labels, "th"))
            s[check] = s["site_id"].map(_shares(tables[check], by, labels, "en"))
            covered = tables[check].groupby("site_id")["share"].sum()
            uncovered = 1.0 - s["site_id"].map(covered).fillna(0.0)
            s[f"{check}_uncovered_share"] = uncovered.clip(lower=0.0).round(9)
    if "setback" in tables:
        t = tables["setback"].set_index("site_id")
        s["setback_status"] = s["site_id"].map(t["status"]).astype(str)
        s["setback_share"] = s["site_id"].map(t["inside_share"])
        s["setback_area_m2"] = s["site_id"].map(t["inside_area_m2"])
    if "flood" in tables:
        t = tables["flood"].set_index("site_id")
        for col, name in (
            ("mean", "flood_mean_m"),
            ("max", "flood_max_m"),
            ("min", "flood_min_m"),
            ("area_above_m2", "flood_area_above_m2"),
            ("covered_area_m2", "flood_covered_area_m2"),
            ("status", "flood_status"),
        ):
            s[name] = s["site_id"].map(t[col])
    if "disasters" in tables:
        t = tables["disasters"].set_index("site_id")
        for col, name in (
            ("nearest_id", "nearest_disaster"),
            ("nearest_kind", "nearest_disaster_kind"),
            ("nearest_date", "nearest_disaster_date"),
            ("nearest_date_th", "nearest_disaster_date_th"),
            ("nearest_distance_m", "nearest_disaster_m"),
            ("count_within", "disasters_within"),
        ):
            s[name] = s["site_id"].map(t[col])
    s["reasons_th"] = s["site_id"].map(lambda i: " | ".join(r["th"] for r in v.at[i, "reasons"]))
    s["reasons_en"] = s["site_id"].map(lambda i: " | ".join(r["en"] for r in v.at[i, "reasons"]))
    return s.reset_index(drop=True)


# ------------------------------------------------------------------ site inputs

# Stored layers that hold sites, with their id and name fields.
SITE_LAYERS = {
    "communities": ("community_id", "name_th"),
    "structures": ("structure_id", None),
    "tenure_parcels": ("parcel_id", "owner_th"),
}
_ID_GUESSES = ("site_id", "plot_no", "plot_id", "community_id", "case_id", "id", "name")
_NAME_GUESSES = ("name_th", "name", "name_en", "ชื่อ")


def sites_from_store(
    store, layer: str, *, ids: list[str] | None = None
) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Sites from a stored polygon layer (e.g. `communities`), optionally only `ids`."""
    gdf = store.read(layer)
    id_field, name_field = SITE_LAYERS.get(layer, (None, None))
    id_field = id_field if id_field in gdf.columns else _guess(gdf, _ID_GUESSES)
    name_field = name_field if name_field in (gdf.columns if name_field else ()) else None
    name_field = name_field or _guess(gdf, _NAME_GUESSES)
    gdf = _with_site_columns(gdf, id_field, name_field)
    if ids:
        wanted = [str(i) for i in ids]
        missing = [i for i in wanted if i not in set(gdf["site_id"].astype(str))]
        if missing:
            raise ValidationError(
                [
                    Problem(
                        f"no site {i} in layer {layer}",
                        f"ไม่พบพื้นที่ {i} ในชั้นข้อมูล {layer}",
                        layer=layer,
                        feature=i,
                        field=id_field,
                    )
                    for i in missing
                ]
            )
        gdf = gdf[gdf["site_id"].astype(str).isin(wanted)].reset_index(drop=True)
    info = store.info(layer).to_dict()
    return gdf, {
        "layer": layer,
        "version": info.get("version"),
        "written_at": info.get("written_at"),
        "id_field": id_field,
        "selected": list(ids) if ids else "all",
    }


def sites_from_file(
    path: str | Path, *, catalog, file_label: str | None = None, crs: str | None = None
) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Sites from a file, validated and reprojected into the storage CRS at import
    (the reprojection is recorded)."""
    from gis.importing import read_and_validate

    gdf, report = read_and_validate(
        path, layer="uploaded_sites", catalog=catalog, crs=crs, file_label=file_label
    )
    id_field = _guess(gdf, _ID_GUESSES)
    gdf = _with_site_columns(gdf, id_field, _guess(gdf, _NAME_GUESSES))
    return gdf, {
        "file": report.file,
        "format": report.format,
        "features": len(gdf),
        "id_field": id_field or "(row number)",
        "source_crs": report.source_crs,
        "reprojected": report.transformation,
        "warnings": [w.get("message_en", str(w)) for w in report.warnings],
    }


def layer_from_file(
    path: str | Path, check: str, *, catalog, file_label: str | None = None
) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """An uploaded layer that replaces a stored one for this run (e.g. a new zoning
    plan), validated against the catalogue entry of that layer."""
    from gis.importing import read_and_validate

    gdf, report = read_and_validate(
        path, layer=CHECK_LAYERS[check], catalog=catalog, file_label=file_label
    )
    by = CATEGORY_FIELDS.get(check)
    if by and by not in gdf.columns:
        raise ValidationError(
            [
                Problem(
                    f"the uploaded {check} layer has no field {by!r}",
                    f"ชั้นข้อมูลที่อัปโหลดไม่มีฟิลด์ {by!r}",
                    file=report.file,
                    field=by,
                )
            ]
        )
    return gdf, {
        "uploaded_file": report.file,
        "format": report.format,
        "features": len(gdf),
        "source_crs": report.source_crs,
        "reprojected": report.transformation,
        "status": "uploaded",
    }


def _guess(gdf, names) -> str | None:
    lower = {str(c).lower(): c for c in gdf.columns}
    for n in names:
        col = lower.get(n)
        usable = col is not None and col != gdf.geometry.name
        if usable and (n in _NAME_GUESSES or not gdf[col].duplicated().any()):
            return col
    return None


def _with_site_columns(gdf, id_field, name_field) -> gpd.GeoDataFrame:
    gdf = gdf.copy()
    if id_field is None:
        gdf["site_id"] = [f"S{i + 1}" for i in range(len(gdf))]
    elif id_field != "site_id":
        gdf["site_id"] = gdf[id_field].astype(str)
    gdf["site_id"] = gdf["site_id"].astype(str)
    gdf["site_name"] = gdf[name_field].astype(str) if name_field else gdf["site_id"]
    return gdf
