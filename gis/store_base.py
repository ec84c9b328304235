"""What both layer stores share: errors, the layer record, private files, locks,
raster files and the small checks every write makes (see gis.store for the promises).

`gis.store` (the embedded store and `open_store`) and `gis.postgis_store` both import
this module, and never each other at import time.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import geopandas as gpd

from gis.atomic import copy_atomic, write_atomic
from gis.errors import PlannerError, Problem
from gis.layer_names import check_layer_name

REPORTS_FOLDER = "imports"  # <home>/imports/<report id>.json
STALE_SECONDS = 3600  # temporary files older than this, with no lock, are leftovers
_PRIVATE_FOLDERS = ("layers", "rasters", REPORTS_FOLDER, "reports", "documents")


class LayerNotFound(PlannerError):
    def __init__(self, name: str):
        super().__init__(f"layer {name!r} is not in the store")
        self.name = name


class VersionConflict(PlannerError):
    """The layer is not at the version the writer expected: someone wrote first."""

    def __init__(self, name: str, expected: int, actual: int):
        self.name, self.expected, self.actual = name, expected, actual
        self.problem = Problem(
            f"layer {name} changed while this write was prepared (expected version"
            f" {expected}, found {actual}); nothing was written",
            f"ชั้นข้อมูล {name} ถูกแก้ไขระหว่างเตรียมการเขียน (คาดว่าเป็นรุ่น {expected}"
            f" แต่พบรุ่น {actual}) จึงไม่ได้เขียนข้อมูล",
            layer=name,
        )
        super().__init__(str(self.problem))


# ------------------------------------------------------------------ private files


# The layer metadata kept for one read-only request (`metadata_kept`): {store key: rows}.
_KEPT_META: ContextVar[dict | None] = ContextVar("planner_layer_meta", default=None)


@contextlib.contextmanager
def metadata_kept():
    """Within this block (one read-only request) a database store reads its layers'
    metadata (names, versions) once, in one query, and keeps it, instead of once a
    question; a write reads afresh under its lock and drops what was kept."""
    token = _KEPT_META.set({})
    try:
        yield
    finally:
        _KEPT_META.reset(token)


def kept_metadata() -> dict | None:
    """The dict of metadata kept for this block, or None outside `metadata_kept`."""
    return _KEPT_META.get()


def private_dir(path: str | Path) -> Path:
    """Make `path` (and missing parents) a folder only its owner can open (0700)."""
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for folder in {path, *missing}:  # mkdir gives missing parents the default mode
        _tighten(folder, 0o700)
    return path


def _tighten(path: Path, mode: int) -> None:
    if os.name == "nt":  # Windows has no group/other bits; the profile folder is private
        return
    with contextlib.suppress(OSError):
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, mode)


def secure_home(home: str | Path) -> None:
    """Tighten an instance folder: it and its known folders 0700, their files 0600.

    Cheap: the home, its direct children and those of the known folders only."""
    home = private_dir(home)
    for folder in (home, *(home / f for f in _PRIVATE_FOLDERS)):
        if not folder.is_dir():
            continue
        _tighten(folder, 0o700)
        with contextlib.suppress(OSError):
            for child in folder.iterdir():
                if child.is_symlink():
                    continue
                _tighten(child, 0o700 if child.is_dir() else 0o600)


def write_json_atomic(path: Path, data: Any) -> Path:
    """Write JSON to `path` whole (temporary file, then `os.replace`), mode 0600."""
    text = json.dumps(data, ensure_ascii=False, indent=1, default=str)
    with file_lock(path.parent / ".write.lock"):  # so a leftover `.part` is a dead writer's
        return write_atomic(path, text)


def record_reports(home: Path, reports: list[dict]) -> int:
    """Copy reports kept with their layers into `<home>/imports/` when missing there
    (a writer killed after the layer swap); returns how many were copied."""
    folder = private_dir(home / REPORTS_FOLDER)
    copied = 0
    for report in reports:
        rid = str(report.get("id") or "")
        if re.fullmatch(r"[0-9A-Za-z\-]{1,64}", rid) and not (folder / f"{rid}.json").exists():
            write_json_atomic(folder / f"{rid}.json", report)
            copied += 1
    return copied


def remove_stale(paths: list[Path], *, older_than: float = STALE_SECONDS) -> int:
    """Remove files or folders last changed more than `older_than` seconds ago."""
    removed = 0
    now = time.time()
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            if now - path.stat().st_mtime > older_than:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink()
                removed += 1
    return removed


# ------------------------------------------------------------------ locks


def _lock_fd(fd: int, blocking: bool) -> bool:
    if os.name == "nt":  # pragma: no cover - officers' Windows laptops
        import msvcrt

        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                return True
            except OSError:
                if not blocking:
                    return False
                time.sleep(0.05)
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def _unlock_fd(fd: int) -> None:
    if os.name == "nt":  # pragma: no cover
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def file_lock(path: Path, *, blocking: bool = True):
    """Hold an exclusive lock on the file `path` (made 0600, never removed).

    Yields True once held, or False when `blocking` is off and another holder has
    it. The system drops the lock when its process dies, even by SIGKILL."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        held = _lock_fd(fd, blocking)
        try:
            yield held
        finally:
            if held:
                _unlock_fd(fd)
    finally:
        os.close(fd)


@dataclass
class LayerInfo:
    name: str
    feature_count: int
    crs: str | None
    geometry_type: str | None
    bounds: tuple[float, float, float, float] | None  # storage CRS
    version: int
    provenance: dict[str, Any] = field(default_factory=dict)
    written_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "feature_count": self.feature_count,
            "crs": self.crs,
            "geometry_type": self.geometry_type,
            "bounds": list(self.bounds) if self.bounds else None,
            "version": self.version,
            "provenance": self.provenance,
            "written_at": self.written_at,
        }


class LayerStore(Protocol):
    home: Path

    def layer_names(self) -> list[str]: ...
    def has_layer(self, name: str) -> bool: ...
    def info(self, name: str) -> LayerInfo: ...
    def read(
        self, name: str, *, bbox: tuple[float, float, float, float] | None = None
    ) -> gpd.GeoDataFrame: ...
    def write(
        self,
        name: str,
        gdf: gpd.GeoDataFrame,
        *,
        mode: str = "replace",
        provenance: dict | None = None,
    ) -> LayerInfo: ...
    def delete(self, name: str) -> None: ...


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def layer_tag(version, written_at) -> str:
    """A layer's version and write time as one short tag ("3-20261203063000123456"):
    what tiles and their cache are keyed by; a removed layer written anew gets a new one."""
    stamp = "".join(ch for ch in str(written_at or "") if ch.isdigit())[:20]
    return f"{int(version or 0)}-{stamp}"


def geometry_type_of(gdf: gpd.GeoDataFrame) -> str | None:
    types = sorted(set(gdf.geom_type.dropna()))
    if not types:
        return None
    base = {t.removeprefix("Multi") for t in types}
    return base.pop() if len(base) == 1 else "Geometry"


def check_mode(mode: str) -> None:
    if mode not in ("replace", "append"):
        raise ValueError(f"mode must be 'replace' or 'append', not {mode!r}")


class RasterFiles:
    """Raster layers as GeoTIFF files in `<home>/rasters`, replaced atomically."""

    home: Path

    @property
    def raster_dir(self) -> Path:
        return self.home / "rasters"

    def raster_path(self, name: str) -> Path:
        path = self.raster_dir / f"{check_layer_name(name)}.tif"
        if not path.exists():
            raise LayerNotFound(name)
        return path

    def put_raster(self, name: str, source: str | Path) -> Path:
        private_dir(self.raster_dir)
        target = self.raster_dir / f"{check_layer_name(name)}.tif"
        with file_lock(self.raster_dir / f".{name}.lock"):  # `.<name>.*.tif.part` while held
            return copy_atomic(source, target)

    def _open_home(self) -> None:
        """On open: a private instance folder, no leftovers of killed writers, and
        every report kept with a layer also in `<home>/imports/`."""
        secure_home(self.home)
        if self.raster_dir.is_dir():
            clean_locked(self.raster_dir, r"\.(?P<name>[a-z0-9_]+)\.[^.]+\.tif\.part$")
        reports = self.home / REPORTS_FOLDER
        if reports.is_dir():
            with file_lock(reports / ".write.lock", blocking=False) as held:
                if held:
                    for path in reports.glob(".*.part"):
                        path.unlink(missing_ok=True)
        record_reports(self.home, self.kept_reports())

    def kept_reports(self) -> list[dict]:
        """The import reports the store keeps with its layers."""
        return []

    def raster_names(self) -> list[str]:
        if not self.raster_dir.exists():
            return []
        return sorted(p.stem for p in self.raster_dir.glob("*.tif"))


def clean_locked(folder: Path, pattern: str) -> int:
    """Remove temporary files of `folder` whose layer lock is free: their writer died."""
    by_name: dict[str, list[Path]] = {}
    for path in folder.glob(".*"):
        match = re.match(pattern, path.name)
        if match:
            by_name.setdefault(match["name"], []).append(path)
    removed = 0
    for name, paths in by_name.items():
        with file_lock(folder / f".{name}.lock", blocking=False) as held:
            if not held:
                continue  # a live writer holds it; its file is not a leftover
            for path in paths:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed += 1
    return removed


def check_version(name: str, expected: int | None, actual: int) -> None:
    if expected is not None and int(expected) != int(actual):
        raise VersionConflict(name, int(expected), int(actual))
