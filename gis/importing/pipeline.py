"""The staged import: read → map fields → validate/repair → duplicate check → write → report.

`read_and_validate` runs every stage but the write; `import_file` writes too, and keeps
the report either way."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd

from gis.catalog import Catalog
from gis.errors import Problem, ValidationError
from gis.importing.crs import resolve_crs
from gis.importing.duplicates import duplicates
from gis.importing.options import ImportOptions, ReadNotes
from gis.importing.reading import read_file
from gis.importing.report import ImportReport, item, new_id, refuse, save_report
from gis.importing.validate import (
    apply_field_map,
    catalog_layer_problems,
    coerce_to_catalog,
    empty_geometries,
    fill_generated,
    orient_field_map,
    repair_geometries,
    user_layer_problems,
)
from gis.layer_names import check_layer_name
from gis.store import VersionConflict

WRITE_ATTEMPTS = 5  # checks of an append against a layer other imports keep changing


def read_and_validate(
    path: str | Path,
    *,
    layer: str,
    catalog: Catalog,
    store=None,
    report: ImportReport | None = None,
    options: ImportOptions | None = None,
    **kwargs,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read, validate, repair and reproject a file; write nothing.

    Takes an `ImportOptions`, or its fields as keyword arguments (mode, encoding,
    crs, field_map, source_layer, max_bytes, max_unzipped, file_label). Returns the
    GeoDataFrame in the layer's catalogue CRS and the report. Raises
    `ValidationError` with every problem found (also kept in `report.problems`)."""
    opts = ImportOptions.of(options, kwargs)
    check_layer_name(layer)
    label = opts.label_for(path)
    report = report or ImportReport(id=new_id(), file=label, layer=layer, mode=opts.mode)
    report.created_at = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        gdf = _stages(path, layer, catalog, store, opts, label, report)
    except ValidationError as exc:
        report.status = "refused"
        report.problems = [item(p) for p in exc.problems]
        raise
    report.status = "validated"
    return gdf, report


def _stages(path, layer, catalog, store, opts: ImportOptions, label, report) -> gpd.GeoDataFrame:
    gdf = _read(path, opts, label, report)
    entry = catalog.layers.get(layer)
    if entry is not None and entry.kind != "vector":
        raise refuse(
            label,
            f"layer {layer} is a raster layer; files with features cannot go into it",
            f"ชั้นข้อมูล {layer} เป็นแรสเตอร์",
        )
    report.new_layer = entry is None
    field_map = orient_field_map(opts.field_map, gdf, entry, label)
    gdf = apply_field_map(gdf, field_map, label, report)
    gdf = without_word_columns(gdf, entry)
    gdf = fill_generated(gdf, entry, label, report)
    target = entry.crs if entry is not None else catalog.storage_crs
    gdf = resolve_crs(gdf, crs=opts.crs, target=target, label=label, report=report)
    if entry is not None:
        report.missing_fields = [f for f in entry.fields if f not in gdf.columns]
        report.unmapped_fields = [
            c for c in gdf.columns if c != gdf.geometry.name and c not in entry.fields
        ]
        gdf = coerce_to_catalog(gdf, entry)
    empty = empty_geometries(gdf)
    gdf, problems = repair_geometries(gdf, entry, label, report)
    if entry is None:
        checked = user_layer_problems(gdf, label, empty)
    else:
        checked = catalog_layer_problems(gdf, entry, label, report)
    unrepaired = {p.feature for p in problems}  # said once, by the repair
    problems += [p for p in checked if p.field != "geometry" or p.feature not in unrepaired]
    problems += duplicates(gdf, entry, layer, store, opts.mode, label)
    errors = [p for p in problems if p.severity == "error"]
    report.warnings += [item(p) for p in problems if p.severity != "error"]
    if errors:
        raise ValidationError(errors)
    return gdf


def without_word_columns(gdf: gpd.GeoDataFrame, entry) -> gpd.GeoDataFrame:
    """A spreadsheet export carries each code's words beside it (`bank_th`, `bank_en`:
    `LayerEntry.word_columns`); the code is what is kept, so an import of that file
    drops the words again, beside a code column only."""
    if entry is None:
        return gdf
    drop = [
        name
        for name, (field, _lang) in entry.word_columns().items()
        if name in gdf.columns and field in gdf.columns
    ]
    return gdf.drop(columns=drop) if drop else gdf


def _read(path, opts: ImportOptions, label: str, report: ImportReport) -> gpd.GeoDataFrame:
    """The read stage: the file's features, and what reading learned, in the report."""
    notes = ReadNotes(crs=opts.crs)
    with tempfile.TemporaryDirectory(prefix="planner-import-") as work:
        gdf = read_file(
            path,
            encoding=opts.encoding,
            source_layer=opts.source_layer,
            workdir=work,
            max_bytes=opts.max_bytes,
            max_unzipped=opts.max_unzipped,
            label=label,
            state=notes,
        )
    report.format = notes.format
    report.source_layer = notes.source_layer
    report.encoding = notes.encoding or opts.encoding
    report.encoding_detected = notes.encoding_detected
    report.features_read = len(gdf)
    if notes.sidecar_map:
        report.field_map = dict(notes.sidecar_map)
    gdf = gdf.reset_index(drop=True)
    if gdf.empty:
        raise refuse(label, "the file holds no features", "ไฟล์ไม่มีข้อมูลเลย")
    return gdf


def read_fields(path: str | Path, *, options: ImportOptions | None = None, **kwargs) -> list[str]:
    """The fields of a file (not the geometry), as read for an import; nothing checked."""
    opts = ImportOptions.of(options, kwargs)
    label = opts.label_for(path)
    report = ImportReport(id="fields", file=label, layer="", mode=opts.mode)
    gdf = _read(path, opts, label, report)
    return [str(c) for c in gdf.columns if c != gdf.geometry.name]


# --------------------------------------------------------------------- writing


def import_file(
    path: str | Path,
    *,
    layer: str,
    catalog: Catalog,
    store,
    options: ImportOptions | None = None,
    **kwargs,
) -> ImportReport:
    """Validate then write atomically; the report is saved either way.

    Takes an `ImportOptions`, or its fields as keyword arguments. The written
    report is kept with the layer version it made, in the same atomic step. An
    append is checked against the version it will be appended to: when another
    import wrote to the layer meanwhile, the file is checked again (up to
    `WRITE_ATTEMPTS` times) and then appended, or refused if it now clashes.
    On refusal, raises `ValidationError` (the report id is on `exc.report`)."""
    opts = ImportOptions.of(options, kwargs)
    label = opts.label_for(path)
    report_id = new_id()
    report = None
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        report = ImportReport(
            id=report_id, file=label, layer=layer, mode=opts.mode, attempts=attempt
        )
        written = _attempt(path, layer, catalog, store, opts, label, report)
        if written:
            save_report(store, report)
            return report
    _give_up(store, report, layer, label)


def _attempt(path, layer, catalog, store, opts: ImportOptions, label, report) -> bool:
    """One check and write; False when another import changed the layer meanwhile."""
    # The version is read before the check, so the check saw it or a later one.
    seen = store.info(layer).version if store.has_layer(layer) else 0
    try:
        gdf, report = read_and_validate(
            path, layer=layer, catalog=catalog, store=store, report=report, options=opts
        )
    except ValidationError as exc:
        exc.report = report
        save_report(store, report)
        raise
    _check_columns(gdf, layer, opts, label, report, store)
    if report.attempts > 1:
        report.warnings.append(
            item(
                Problem(
                    f"another import wrote to layer {layer} at the same time; this file was"
                    f" checked again against version {seen} and added after it",
                    f"มีการนำเข้าอื่นเขียนชั้นข้อมูล {layer} ในเวลาเดียวกัน จึงตรวจไฟล์นี้ใหม่"
                    f"กับรุ่น {seen} แล้วเพิ่มต่อท้าย",
                    file=label,
                    layer=layer,
                    severity="warning",
                )
            )
        )
    report.status = "written"
    report.features_written = len(gdf)
    try:
        info = store.write(
            layer,
            gdf,
            mode=opts.mode,
            provenance=_provenance(report, label),
            expected_version=seen if opts.mode == "append" else None,
            report=report.to_dict(),
        )
    except VersionConflict:
        return False
    report.store_version = info.version
    return True


def _check_columns(gdf, layer, opts: ImportOptions, label, report, store) -> None:
    """The caller's column rule (ImportOptions.column_rule) over what would be stored."""
    if opts.column_rule is None:
        return
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    problems = opts.column_rule(columns, label, layer)
    if problems:
        report.status = "refused"
        report.features_written = 0
        report.problems = [item(p) for p in problems]
        save_report(store, report)
        exc = ValidationError(problems)
        exc.report = report
        raise exc


def _provenance(report: ImportReport, label: str) -> dict:
    return {
        "import_id": report.id,
        "file": label,
        "format": report.format,
        "source_crs": report.source_crs,
        "transformation": report.transformation,
        "imported_at": report.created_at,
    }


def _give_up(store, report: ImportReport, layer: str, label: str):
    """Other imports kept changing the layer: refuse, and keep the report."""
    clash = Problem(
        f"layer {layer} was changed by other imports {WRITE_ATTEMPTS} times while this"
        " file was being checked; nothing was written, import it again",
        f"ชั้นข้อมูล {layer} ถูกแก้ไขโดยการนำเข้าอื่น {WRITE_ATTEMPTS} ครั้งระหว่างตรวจไฟล์นี้"
        " จึงไม่ได้เขียนข้อมูล กรุณานำเข้าใหม่อีกครั้ง",
        file=label,
        layer=layer,
    )
    report.status = "refused"
    report.features_written = 0
    report.problems = [item(clash)]
    save_report(store, report)
    exc = ValidationError([clash])
    exc.report = report
    raise exc
