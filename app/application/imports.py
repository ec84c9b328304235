"""Data in and out: import a file into a layer, the import reports kept, and exports.

One set of rules for the upload page, its API and `planner import`, `planner imports`
and `planner export`. Every function takes the layer store and the catalogue as
arguments; saving an upload is the web's business, and nothing here knows Flask or
click.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.application import words
from cases import privacy
from gis.errors import PlannerError, Problem, ValidationError
from gis.exporting import EXPORT_FORMATS, export_layers
from gis.importing import (
    ImportReport,
    import_file,
    list_reports,
    load_report,
    read_fields,
    suggest_field_map,
)
from gis.importing.crs import transformation_words

MODES = ("replace", "append")


@dataclass
class ImportOptions:
    """How to import a file: into which layer, replacing or appending, and what to
    assume of the file (encoding, CRS, field names) when it does not say."""

    layer: str
    mode: str = "replace"
    encoding: str | None = None
    crs: str | None = None
    field_map: dict[str, str] | None = None
    source_layer: str | None = None
    max_bytes: int | None = None
    file_label: str | None = None


def parse_field_map(lines: Iterable[str]) -> dict[str, str]:
    """`A=B` lines as {A: B}; the import takes each pair either way round
    (`FILE_FIELD=LAYER_FIELD` or `LAYER_FIELD=FILE_FIELD`), by which side the file has."""
    out = {}
    for line in lines:
        if "=" not in line:
            raise PlannerError(
                f"a field mapping is FILE_FIELD=LAYER_FIELD, not {line[:80]!r} "
                "/ การจับคู่ฟิลด์ต้องเป็น FILE_FIELD=LAYER_FIELD"
            )
        src, dst = line.split("=", 1)
        out[src.strip()] = dst.strip()
    return out


def checked_crs(raw: str | None, label: str | None = None) -> str | None:
    """A CRS given by the user: empty, or one that PROJ knows and can take to WGS 84;
    a ValidationError naming the `crs` field otherwise."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        if len(raw) > 2000:
            raise ValueError("too long")
        from pyproj import CRS, Transformer

        crs = CRS.from_user_input(raw)
        if crs.is_geocentric:
            raise ValueError("geocentric")
        Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(0.0, 0.0)
    except Exception:  # pyproj raises several kinds; any of them means "not usable"
        raise ValidationError(
            [
                Problem(
                    f"{raw[:80]!r} is not a coordinate reference system that can be "
                    "used here (give one like EPSG:32647 or EPSG:4326)",
                    f"ระบบพิกัด {raw[:80]!r} ใช้ไม่ได้ (ระบุเช่น EPSG:32647 หรือ EPSG:4326)",
                    file=label,
                    field="crs",
                )
            ]
        ) from None
    return raw


def import_into(store, catalog, source: str | Path, options: ImportOptions) -> ImportReport:
    """Validate the file, then write it into the layer, all or nothing; the report.

    A refusal raises ValidationError with every problem (its report on `exc.report`)."""
    if options.mode not in MODES:
        raise PlannerError(
            f"mode is replace or append, not {options.mode[:40]!r} / โหมดต้องเป็น replace หรือ append"
        )
    limits = {"max_bytes": options.max_bytes} if options.max_bytes else {}
    return import_file(
        source,
        layer=options.layer,
        catalog=catalog,
        store=store,
        mode=options.mode,
        encoding=options.encoding or None,
        crs=checked_crs(options.crs, options.file_label or Path(str(source)).name),
        field_map=options.field_map or None,
        source_layer=options.source_layer,
        file_label=options.file_label,
        column_rule=sensitive_columns_refused,
        **limits,
    )


def sensitive_columns_refused(columns: list[str], label: str, layer: str) -> list[Problem]:
    """A layer keeps no household's explicit consent (PDPA s26), so a column the
    classification calls sensitive is not stored in one: the survey import into the
    household register, which checks consent per household, is the way in."""
    return [
        Problem(
            f"field {column!r} holds sensitive personal data ({row.en}; PDPA s26): a map "
            "layer keeps no household's explicit consent, so it is not stored; import "
            "household surveys into the register (planner survey import), or remove the "
            "column from the file",
            f"ฟิลด์ {column!r} เป็นข้อมูลอ่อนไหว ({row.th}; มาตรา 26) ชั้นข้อมูลแผนที่ไม่มีการเก็บ"
            "ความยินยอมโดยชัดแจ้งของครัวเรือน จึงไม่บันทึก กรุณานำเข้าแบบสำรวจครัวเรือนเข้าทะเบียน"
            " (planner survey import) หรือลบคอลัมน์นี้ออกจากไฟล์",
            file=label,
            layer=layer,
            field=str(column),
        )
        for column in columns
        if (row := privacy.field_class(str(column))) is not None and row.cls == privacy.SENSITIVE
    ]


@dataclass
class FieldChoices:
    """What the mapping form shows: the file's fields, the layer's (required ones
    marked) and a suggested {layer field: file field} by name, Thai or English."""

    layer: str
    file_fields: list[str]
    layer_fields: list[dict[str, Any]]
    suggested: dict[str, str]


def field_choices(catalog, source: str | Path, options: ImportOptions) -> FieldChoices:
    """The file's fields next to the catalogue layer's, with a suggested mapping."""
    entry = catalog.layers.get(options.layer)
    if entry is None or entry.kind != "vector":
        raise PlannerError(
            f"layer {options.layer[:40]!r} is not a vector layer of the catalogue"
            f" / ชั้นข้อมูล {options.layer[:40]!r} ไม่อยู่ในทะเบียนชั้นข้อมูล"
        )
    limits = {"max_bytes": options.max_bytes} if options.max_bytes else {}
    found = read_fields(
        source,
        encoding=options.encoding or None,
        source_layer=options.source_layer,
        file_label=options.file_label,
        **limits,
    )
    layer_fields = [
        {"name": f.name, "label": f.label, "required": f.required, "profile": f.profile}
        for f in entry.fields.values()
    ]
    return FieldChoices(
        layer=entry.name,
        file_fields=found,
        layer_fields=layer_fields,
        suggested=suggest_field_map(found, entry),
    )


def import_reports(store) -> list[dict[str, Any]]:
    """The import reports kept, newest first."""
    return list_reports(store)


def import_report(store, report_id: str) -> dict[str, Any]:
    """One kept import report; PlannerError when there is none by that id."""
    return load_report(store, report_id)


def report_in_words(data: dict[str, Any], catalog) -> dict[str, Any]:
    """A report as the API answers it: every coded field with its words beside it
    (`status_label`, `mode_label`, `format_label`, `layer_label`, `transformation_label`,
    `missing_fields_labels`), each {th, en}; the codes stay as they are kept."""
    out = words.labelled(data, {"status": "import_status", "mode": "import_mode"})
    out["format_label"] = words.words("import_format", data.get("format") or "unknown")
    layer = data.get("layer")
    entry = catalog.layers.get(layer) if layer else None
    # A user's own layer has no title: its name is its words.
    own = {"th": layer, "en": layer} if layer else None
    out["layer_label"] = dict(entry.title) if entry is not None else own
    transformation = data.get("transformation")
    out["transformation_label"] = transformation_words(transformation) if transformation else None
    if entry is not None and "missing_fields" in data:
        out["missing_fields_labels"] = [
            dict(entry.fields[f].label) if f in entry.fields else {"th": f, "en": f}
            for f in data["missing_fields"]
        ]
    return out


def report_summary(data: dict[str, Any]) -> str:
    """A kept report as the text the import printed."""
    return ImportReport(**data).summary()


# ------------------------------------------------------------------ exports


def vector_layers(store, catalog) -> list[str]:
    """Every stored layer that can be exported: vector layers and user layers."""
    return [
        n
        for n in store.layer_names()
        if n not in catalog.layers or catalog.layers[n].kind == "vector"
    ]


def personal_fields(store, names: Iterable[str]) -> set[str]:
    """The personal fields (cases/privacy.py) of the stored layers `names`."""
    drop: set[str] = set()
    for name in names:
        drop |= set(privacy.personal_fields(store.read(name, bbox=(0, 0, 0, 0)).columns))
    return drop


def export_to(
    store,
    catalog,
    names: list[str],
    *,
    fmt: str,
    out: Path,
    open_data: bool = False,
    drop_fields: Iterable[str] = (),
) -> Path:
    """Write the layers `names` to `out` in `fmt`; the path written. Open data never
    holds a personal field, whatever `drop_fields` says."""
    if fmt not in EXPORT_FORMATS:
        raise PlannerError(f"unknown format {fmt[:40]!r} / ไม่รู้จักรูปแบบ {fmt[:40]!r}")
    if not names:
        raise PlannerError("name at least one layer to export / ระบุชั้นข้อมูลที่จะส่งออก")
    missing = [n for n in names if not store.has_layer(n)]
    if missing:
        raise PlannerError(f"no layer {', '.join(missing)} in the store / ไม่มีชั้นข้อมูลนี้")
    drop = set(drop_fields)
    if open_data:
        drop |= personal_fields(store, names)
    return export_layers(
        store, catalog, names, fmt=fmt, out=out, open_data=open_data, drop_fields=drop
    )


def export_bytes(
    store, catalog, layer: str, *, fmt: str, open_data: bool, drop_fields: Iterable[str]
) -> tuple[bytes, str]:
    """One layer exported in `fmt`, as bytes, with the file name to offer."""
    suffix = "zip" if fmt == "shp" else fmt
    work = tempfile.mkdtemp(prefix="planner-dl-")
    try:
        out = export_to(
            store,
            catalog,
            [layer],
            fmt=fmt,
            out=Path(work) / f"{layer}.{suffix}",
            open_data=open_data,
            drop_fields=drop_fields,
        )
        data = out.read_bytes()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return data, f"{layer}{'-open-data' if open_data else ''}.{suffix}"
