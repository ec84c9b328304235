"""The import report: what was read, fixed, skipped and written; kept as JSON."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gis.errors import PlannerError, Problem
from gis.formats import refuse  # noqa: F401  (one problem that refuses the whole file)
from gis.store import private_dir, record_reports, write_json_atomic


@dataclass
class ImportReport:
    """What was read, fixed, skipped and which transformation was used."""

    id: str
    file: str
    layer: str
    mode: str
    format: str | None = None
    source_layer: str | None = None
    created_at: str = ""
    status: str = "pending"  # pending | validated | written | refused
    features_read: int = 0
    features_written: int = 0
    new_layer: bool = False
    encoding: str | None = None
    encoding_detected: bool = False
    source_crs: str | None = None
    target_crs: str | None = None
    transformation: dict[str, Any] | None = None
    field_map: dict[str, str] = field(default_factory=dict)
    unmapped_fields: list[str] = field(default_factory=list)
    missing_fields: list[str] = field(default_factory=list)
    fixed: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    store_version: int | None = None
    attempts: int = 1  # >1: another import wrote to the layer meanwhile; checked again

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """A few lines for the terminal."""
        lines = [
            f"import {self.id}: {self.file} → layer {self.layer} ({self.mode}) [{self.status}]",
            f"  read {self.features_read} feature(s), written {self.features_written}",
        ]
        if self.encoding:
            how = "detected" if self.encoding_detected else "given/declared"
            lines.append(f"  text encoding: {self.encoding} ({how})")
        if self.source_crs:
            lines.append(f"  CRS: {self.source_crs} → {self.target_crs}")
        if self.transformation:
            t = self.transformation
            code = f"{t['code']} " if t.get("code") else ""
            lines.append(f"  transformation: {code}{t.get('name', '')}")
        if self.field_map:
            lines.append("  field map: " + ", ".join(f"{k}→{v}" for k, v in self.field_map.items()))
        for label, items in (
            ("fixed", self.fixed),
            ("skipped", self.skipped),
            ("warning", self.warnings),
            ("problem", self.problems),
        ):
            for item in items:
                lines.append(f"  {label}: {item.get('where', '')}: {item.get('en', '')}")
        return "\n".join(lines)


def item(p: Problem) -> dict[str, Any]:
    """A problem as the report keeps it."""
    return {**p.to_dict(), "where": p.where(), "en": p.message_en, "th": p.message_th}


def new_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:4]


# ------------------------------------------------------------- kept reports


def reports_dir(store) -> Path:
    return Path(store.home) / "imports"


def save_report(store, report: ImportReport) -> Path:
    folder = private_dir(reports_dir(store))
    return write_json_atomic(folder / f"{report.id}.json", report.to_dict())


def _record_kept_reports(store) -> None:
    """Copy reports kept with layers (a writer killed after its swap) to the folder."""
    kept = getattr(store, "kept_reports", None)
    if kept is not None:
        record_reports(Path(store.home), kept())


def load_report(store, report_id: str) -> dict[str, Any]:
    if not re.fullmatch(r"[0-9A-Za-z\-]{1,64}", report_id or ""):
        raise PlannerError(f"no import report {report_id!r}")
    path = reports_dir(store) / f"{report_id}.json"
    if not path.exists():
        _record_kept_reports(store)
    if not path.exists():
        raise PlannerError(f"no import report {report_id!r}")
    return json.loads(path.read_text(encoding="utf-8"))


def list_reports(store) -> list[dict[str, Any]]:
    _record_kept_reports(store)
    folder = reports_dir(store)
    if not folder.exists():
        return []
    out = [json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")]
    return sorted(out, key=lambda r: r.get("id", ""), reverse=True)
