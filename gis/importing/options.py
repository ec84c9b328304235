"""What an import may be told: one options object instead of a dozen keyword arguments."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from gis.errors import PlannerError, Problem, ValidationError
from gis.formats import MAX_UNZIPPED_BYTES

# Limits for hostile input; callers (CLI, web) may pass their own.
# Zip limits (MAX_UNZIPPED_BYTES, MAX_ZIP_ENTRIES) are gis.formats's, for every container.
MAX_FILE_BYTES = 50 * 1024 * 1024

FORMATS = ("gpkg", "shp", "geojson", "kml", "kmz", "csv", "xlsx", "zip")
MODES = ("replace", "append")


def check_encoding(name: str) -> str:
    """A text encoding Python can decode with (utf-8, cp874, tis-620 ...), or refused."""
    ok = isinstance(name, str) and 0 < len(name) <= 40 and name.isascii() and name.isprintable()
    if ok:
        try:
            ok = codecs.lookup(name)._is_text_encoding and b"a".decode(name) == "a"
        except (LookupError, ValueError, UnicodeError):
            ok = False
    if not ok:
        raise ValidationError(
            [
                Problem(
                    f"{str(name)[:40]!r} is not a text encoding (use e.g. utf-8, cp874 or tis-620)",
                    f"{str(name)[:40]!r} ไม่ใช่รหัสอักขระที่รู้จัก (เช่น utf-8, cp874 หรือ tis-620)",
                    field="encoding",
                )
            ]
        )
    return name


@dataclass(frozen=True)
class ImportOptions:
    """How to read a file and write it into a layer; every field has a safe default."""

    mode: str = "replace"
    encoding: str | None = None
    crs: str | None = None
    field_map: dict[str, str] | None = None
    source_layer: str | None = None
    max_bytes: int = MAX_FILE_BYTES
    max_unzipped: int = MAX_UNZIPPED_BYTES
    file_label: str | None = None
    # The caller's rule over the columns about to be stored: (columns, file label, layer)
    # -> problems; any problem refuses the import (e.g. sensitive data without consent).
    column_rule: Callable[[list[str], str, str], list[Problem]] | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise PlannerError(f"mode must be 'replace' or 'append', not {self.mode!r}")
        if self.encoding is not None:
            check_encoding(self.encoding)

    @classmethod
    def from_kwargs(cls, **kwargs: Any) -> ImportOptions:
        """The options from the keyword arguments callers have always passed."""
        known = {f.name for f in fields(cls)}
        unknown = set(kwargs) - known
        if unknown:
            raise TypeError(f"unknown import option(s): {', '.join(sorted(unknown))}")
        return cls(**kwargs)

    @classmethod
    def of(cls, options: ImportOptions | None, kwargs: dict[str, Any]) -> ImportOptions:
        """`options` as given, or built from keyword arguments; not both."""
        if options is None:
            return cls.from_kwargs(**kwargs)
        if kwargs:
            raise TypeError("give import options either as `options=` or as keywords, not both")
        return options

    def label_for(self, path: str | Path) -> str:
        """The name problems and reports give the file: the label given, else its name."""
        return self.file_label or Path(str(path).split("::", 1)[0]).name


@dataclass
class ReadNotes:
    """What reading learned about a file, for the report."""

    crs: str | None = None
    format: str | None = None
    source_layer: str | None = None
    encoding: str | None = None
    encoding_detected: bool = False
    sidecar_map: dict[str, str] = field(default_factory=dict)
