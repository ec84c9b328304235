"""Writing a site-check report: `.csv`, `.geojson`, `.html` or `.pdf`."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from gis.check import CheckReport
from gis.errors import PlannerError

Progress = Callable[[float, str], None]
FORMATS = (".csv", ".geojson", ".html", ".pdf")


def write_report(
    report: CheckReport, out: str | Path, *, lang: str = "th", progress: Progress | None = None
) -> Path:
    """Write the report in the format its suffix names; the file appears whole or
    not at all. `progress(fraction, step)` hears of the PDF's steps."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise PlannerError(
            f"cannot write {out.name}: the report is written as {', '.join(FORMATS)} "
            f"/ เขียนรายงานได้เฉพาะไฟล์ {', '.join(FORMATS)}"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=f"{suffix}.part")
    os.close(fd)
    try:
        if suffix == ".csv":
            Path(tmp).write_bytes(report_csv(report))
        elif suffix == ".geojson":
            Path(tmp).write_text(report_geojson(report), encoding="utf-8")
        elif suffix == ".html":
            from gis.report.html import render_html

            Path(tmp).write_text(render_html(report, lang=lang), encoding="utf-8")
        else:
            from gis.report.html import render_pdf

            Path(tmp).write_bytes(render_pdf(report, lang=lang, progress=progress))
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def _csv_words() -> dict[str, dict[str, dict[str, str]]]:
    """The coded columns of a site check's summary and their words."""
    from gis.check import DISASTER_KINDS, FLOOD_STATUS_LABELS, SETBACK_LABELS
    from gis.rules import VERDICT_LABELS

    return {
        "verdict": VERDICT_LABELS,
        "setback_status": SETBACK_LABELS,
        "flood_status": FLOOD_STATUS_LABELS,
        "nearest_disaster_kind": DISASTER_KINDS,
    }


def summary_in_words(summary):
    """The summary with each coded column followed by its words, `<column>_th` and
    `<column>_en` (those it has already are kept); the codes stay, for other software."""
    table = summary.copy()
    order: list[str] = []
    for col in summary.columns:
        order.append(col)
        labels = _csv_words().get(col)
        if labels is None:
            continue
        for lang in ("th", "en"):
            name = f"{col}_{lang}"
            if name not in summary.columns:
                table[name] = summary[col].map(
                    lambda v, lang=lang, labels=labels: labels[v][lang] if v in labels else v
                )
                order.append(name)
    return table[order]


def report_csv(report: CheckReport) -> bytes:
    """One row per site, each code with its words; UTF-8 with a byte-order mark so Excel
    shows Thai."""
    table = summary_in_words(report.summary)
    return table.to_csv(index=False, float_format="%.6g").encode("utf-8-sig")


def report_geojson(report: CheckReport) -> str:
    """Sites with their summary as properties, in WGS 84 as RFC 7946 asks (the areas
    were measured in EPSG:32647 before this reprojection)."""
    gdf = report.sites[["site_id", "geometry"]].merge(report.summary, on="site_id")
    gdf = gdf.to_crs("EPSG:4326")
    data = json.loads(gdf.to_json(drop_id=True, na="null"))
    verdicts = report.verdicts.set_index("site_id")["reasons"]
    for feature in data["features"]:
        feature["properties"]["reasons"] = verdicts[feature["properties"]["site_id"]]
    data["provenance"] = report.provenance
    return json.dumps(data, ensure_ascii=False, default=str)
