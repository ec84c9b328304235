"""The layer catalogue (`layers/catalog.yaml`) and validation of layers against it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import yaml
from pyproj import CRS

from gis.errors import CatalogError, Problem, ValidationError
from gis.paths import CATALOG_PATH

FIELD_TYPES = {"str", "int", "float", "bool", "date"}
# The core schema, for projects anywhere in Thailand; other profiles (the Khlong Prem
# corridor) add layers and optional fields (docs/decisions/0019).
CORE_PROFILE = "core"
# Values a field may be filled with when a file lacks it (`generated:` in the catalogue).
GENERATORS = {"row_id"}
GEOMETRY_TYPES = {"Point", "LineString", "Polygon", "Raster"}
STATUSES = {"real", "approximate", "illustrative"}
# What each status is called, one translation each, for every page, report and script
# (app/i18n.py merges these into its catalogue as `layer_status.<status>`).
STATUS_LABELS = {
    "real": {"th": "ข้อมูลจริง", "en": "real"},
    "approximate": {"th": "โดยประมาณ", "en": "approximate"},
    "illustrative": {"th": "ข้อมูลตัวอย่าง", "en": "illustrative"},
    "imported": {"th": "นำเข้า", "en": "imported"},
    "uploaded": {"th": "ไฟล์ที่อัปโหลด", "en": "uploaded"},
}
# The storage CRS: UTM zone 47N on WGS 84, metres (the catalogue's `storage_crs` says the
# same; tests/test_rules_once.py holds the two, and cases.model's copy, together).
STORAGE_CRS = "EPSG:32647"
# "Inside Thailand" (WGS 84 lon/lat: min x, min y, max x, max y): the country's extent,
# about 97.34–105.64 E and 5.61–20.46 N, with a margin for coastal and border plots.
THAILAND_EXTENT = (97.0, 5.0, 106.0, 21.0)
# Who may open a layer: anyone, any logged-in user, or any logged-in user with its
# personal fields shown only to roles that see personal data (docs/decisions/0010).
ACCESS_LEVELS = ("public", "logged_in", "personal")
# A layer declared as Polygon also accepts MultiPolygon, and so on.
_ACCEPTED_GEOMETRY = {
    "Point": {"Point", "MultiPoint"},
    "LineString": {"LineString", "MultiLineString"},
    "Polygon": {"Polygon", "MultiPolygon"},
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    label: dict[str, str]
    required: bool = True
    profile: str = CORE_PROFILE
    aliases: tuple[str, ...] = ()
    generated: str | None = None
    # Stored codes in words: code -> {th, en}. A pop-up, legend or report shows these words,
    # never the code itself.
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def value_label(self, value: Any, lang: str) -> str:
        """The words for a stored value in `lang` ("th" or "en"); the value itself if it has none."""
        words = self.values.get(str(value))
        return words[lang] if words else str(value)


@dataclass(frozen=True)
class LayerEntry:
    name: str
    title: dict[str, str]
    kind: str  # vector | raster
    geometry_type: str
    crs: str
    status: str
    status_note: dict[str, str]
    fields: dict[str, FieldSpec]
    style: dict[str, Any]
    source: dict[str, Any]  # name {th, en} is shown; file, licence_file, detail are not
    licence: dict[str, str]
    access: str = "personal"  # the catalogue always sets it; the default is the safe one
    draw_order: int = 0
    file: str | None = None  # rasters: file name inside the store
    extra: dict[str, Any] = field(default_factory=dict)
    profile: str = CORE_PROFILE

    def core_fields(self) -> list[str]:
        """The fields of the core schema (any project); the rest are profile extras."""
        return [f.name for f in self.fields.values() if f.profile == CORE_PROFILE]

    def required_fields(self) -> list[str]:
        return [f.name for f in self.fields.values() if f.required]

    def word_columns(self) -> dict[str, tuple[str, str]]:
        """The columns a spreadsheet export adds beside each coded field (one with
        `values`): `<field>_th` and `<field>_en` -> (field, language). A name the layer
        already has as a field of its own is never one of them."""
        out: dict[str, tuple[str, str]] = {}
        for spec in self.fields.values():
            if not spec.values:
                continue
            for lang in ("th", "en"):
                name = f"{spec.name}_{lang}"
                if name not in self.fields:
                    out[name] = (spec.name, lang)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form for the API and the map."""
        return {
            "name": self.name,
            "title": self.title,
            "kind": self.kind,
            "geometry_type": self.geometry_type,
            "crs": self.crs,
            "status": self.status,
            "status_note": self.status_note,
            "fields": {
                f.name: {
                    "type": f.type,
                    "label": f.label,
                    "required": f.required,
                    "profile": f.profile,
                    **({"values": f.values} if f.values else {}),
                }
                for f in self.fields.values()
            },
            "profile": self.profile,
            "style": self.style,
            "source": self.source,
            "licence": self.licence,
            "access": self.access,
            "draw_order": self.draw_order,
            **self.extra,
        }


@dataclass(frozen=True)
class Catalog:
    layers: dict[str, LayerEntry]
    storage_crs: str
    path: Path
    profiles: dict[str, dict[str, str]] = field(default_factory=dict)

    def __getitem__(self, name: str) -> LayerEntry:
        try:
            return self.layers[name]
        except KeyError:
            raise CatalogError(f"layer {name!r} is not in the catalogue {self.path}") from None

    def __contains__(self, name: str) -> bool:
        return name in self.layers

    def __iter__(self):
        return iter(sorted(self.layers.values(), key=lambda e: (e.draw_order, e.name)))

    def vector_layers(self) -> list[LayerEntry]:
        return [e for e in self if e.kind == "vector"]

    def raster_layers(self) -> list[LayerEntry]:
        return [e for e in self if e.kind == "raster"]


def _bilingual(value: Any, where: str, problems: list[str]) -> dict[str, str]:
    if not isinstance(value, dict) or not value.get("th") or not value.get("en"):
        problems.append(f"{where}: needs both 'th' and 'en'")
        return {"th": "", "en": ""}
    return {"th": str(value["th"]), "en": str(value["en"])}


# A file path in text shown to users ("gis/sample.py", "layers/sources/x.LICENSE").
_PATH_IN_TEXT = re.compile(r"(?:^|[\s(])[\w.-]+/[\w./-]*\.[A-Za-z]{2,}\b|\.py\b")


def _shown_words(value: Any, where: str, problems: list[str]) -> dict[str, str]:
    """Words a page shows (a source's name, a licence): Thai and English, no file paths."""
    words = _bilingual(value, where, problems)
    for lang, text in words.items():
        if _PATH_IN_TEXT.search(text):
            problems.append(
                f"{where} ({lang}): no file paths in text a user sees; "
                "keep them in source.file, source.licence_file or source.detail"
            )
    return words


def _values(raw: Any, where: str, problems: list[str]) -> dict[str, dict[str, str]]:
    """A field's `values`: each stored code with its words in Thai and English."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(f"{where}: must map each value to its words in 'th' and 'en'")
        return {}
    return {
        str(code): _bilingual(words, f"{where}: {code}", problems) for code, words in raw.items()
    }


_ENTRY_KEYS = {
    "title",
    "kind",
    "geometry_type",
    "crs",
    "status",
    "status_note",
    "fields",
    "style",
    "source",
    "licence",
    "access",
    "draw_order",
    "file",
    "profile",
}


def load_catalog(path: str | Path = CATALOG_PATH) -> Catalog:
    """Read and check the catalogue; every malformed entry is reported at once."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"cannot read the catalogue {path}: {exc}") from exc
    problems: list[str] = []
    profiles = {
        str(name): _bilingual((spec or {}).get("title"), f"{path.name}: profile {name}", problems)
        for name, spec in (raw.get("profiles") or {CORE_PROFILE: None}).items()
    }
    if CORE_PROFILE not in profiles:
        problems.append(f"{path.name}: profiles: needs the {CORE_PROFILE!r} profile")
    layers: dict[str, LayerEntry] = {}
    for name, spec in (raw.get("layers") or {}).items():
        where = f"{path.name}: layer {name}"
        if not isinstance(spec, dict):
            problems.append(f"{where}: not a mapping")
            continue
        kind = spec.get("kind")
        if kind not in ("vector", "raster"):
            problems.append(f"{where}: kind must be vector or raster, not {kind!r}")
        gtype = spec.get("geometry_type")
        if gtype not in GEOMETRY_TYPES:
            problems.append(f"{where}: unknown geometry_type {gtype!r}")
        status = spec.get("status")
        if status not in STATUSES:
            problems.append(f"{where}: status must be one of {sorted(STATUSES)}")
        crs = spec.get("crs")
        try:
            CRS.from_user_input(crs)
        except Exception:
            problems.append(f"{where}: unknown CRS {crs!r}")
        layer_profile = str(spec.get("profile", CORE_PROFILE))
        if layer_profile not in profiles:
            problems.append(f"{where}: unknown profile {layer_profile!r}")
        fields: dict[str, FieldSpec] = {}
        for fname, fspec in (spec.get("fields") or {}).items():
            fspec = fspec or {}
            ftype = fspec.get("type")
            if ftype not in FIELD_TYPES:
                problems.append(f"{where}: field {fname}: unknown type {ftype!r}")
            fprofile = str(fspec.get("profile", layer_profile))
            if fprofile not in profiles:
                problems.append(f"{where}: field {fname}: unknown profile {fprofile!r}")
            # The one rule of profiles: on a core layer, a profile's field is an extra.
            extra_field = layer_profile == CORE_PROFILE and fprofile != CORE_PROFILE
            if extra_field and fspec.get("required"):
                problems.append(
                    f"{where}: field {fname}: a {fprofile} field on a core layer is optional"
                )
            generated = fspec.get("generated")
            if generated is not None and generated not in GENERATORS:
                problems.append(f"{where}: field {fname}: unknown generator {generated!r}")
            fields[fname] = FieldSpec(
                name=fname,
                type=ftype,
                label=_bilingual(fspec.get("label"), f"{where}: field {fname}: label", problems),
                required=bool(fspec.get("required", not extra_field)) and not generated,
                profile=fprofile,
                aliases=tuple(str(a) for a in fspec.get("aliases") or ()),
                generated=generated,
                values=_values(fspec.get("values"), f"{where}: field {fname}: values", problems),
            )
        classify = (spec.get("style") or {}).get("classify") or {}
        coded = fields.get(classify.get("field"))
        if coded is not None and coded.values:
            for cls in classify.get("classes") or ():
                for value in cls.get("values") or ():
                    if str(value) not in coded.values:
                        problems.append(
                            f"{where}: field {coded.name}: class value {value!r} has no words "
                            "in its values"
                        )
        access = spec.get("access")
        if access not in ACCESS_LEVELS:
            problems.append(
                f"{where}: access must be one of {', '.join(ACCESS_LEVELS)}, not {access!r}"
            )
        if not spec.get("source") or not spec.get("licence"):
            problems.append(f"{where}: needs a source and a licence")
        source = spec.get("source") or {}
        if not isinstance(source, dict):
            problems.append(f"{where}: source must be a mapping with a name in 'th' and 'en'")
            source = {}
        source = {
            **source,
            "name": _shown_words(source.get("name"), f"{where}: source name", problems),
        }
        licence = _shown_words(spec.get("licence"), f"{where}: licence", problems)
        if kind == "raster" and not spec.get("file"):
            problems.append(f"{where}: a raster layer needs a file")
        layers[name] = LayerEntry(
            name=name,
            title=_bilingual(spec.get("title"), f"{where}: title", problems),
            kind=kind,
            geometry_type=gtype,
            crs=str(crs),
            status=status,
            status_note=_bilingual(spec.get("status_note"), f"{where}: status_note", problems),
            fields=fields,
            style=spec.get("style") or {},
            source=source,
            licence=licence,
            access=access if access in ACCESS_LEVELS else "personal",
            draw_order=int(spec.get("draw_order", 0)),
            file=spec.get("file"),
            extra={k: v for k, v in spec.items() if k not in _ENTRY_KEYS},
            profile=layer_profile,
        )
    if problems:
        raise CatalogError("the catalogue has problems:\n" + "\n".join(problems))
    return Catalog(
        layers=layers, storage_crs=str(raw.get("storage_crs")), path=path, profiles=profiles
    )


def _type_ok(series: pd.Series, ftype: str) -> bool:
    values = series.dropna()
    if values.empty:
        return True
    dtype = series.dtype
    if ftype == "str":
        return pd.api.types.is_string_dtype(dtype) or values.map(type).eq(str).all()
    if ftype == "int":
        if pd.api.types.is_integer_dtype(dtype):
            return True
        return pd.api.types.is_float_dtype(dtype) and bool(np.all(np.mod(values, 1) == 0))
    if ftype == "float":
        return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    if ftype == "bool":
        return pd.api.types.is_bool_dtype(dtype) or values.isin([0, 1, True, False]).all()
    if ftype == "date":
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return True
        return pd.to_datetime(values, errors="coerce", format="ISO8601").notna().all()
    return False


def validate_layer(
    gdf: gpd.GeoDataFrame, entry: LayerEntry, *, file: str | None = None
) -> list[Problem]:
    """Every problem of `gdf` against its catalogue entry, in one list.

    Nothing is repaired or reprojected here: a CRS that differs from the entry's
    is a problem, to be fixed (and recorded) at the import boundary.
    """
    problems: list[Problem] = []

    def add(en: str, th: str, *, feature=None, field=None, severity="error"):
        problems.append(
            Problem(
                en, th, file=file, layer=entry.name, feature=feature, field=field, severity=severity
            )
        )

    if entry.kind != "vector":
        add("a raster layer cannot be validated as a table", "ชั้นข้อมูลแรสเตอร์ตรวจแบบตารางไม่ได้")
        return problems

    if gdf.crs is None:
        add(
            f"the layer has no CRS; the catalogue expects {entry.crs}",
            f"ชั้นข้อมูลไม่มีระบบพิกัด ต้องเป็น {entry.crs}",
        )
    elif not CRS.from_user_input(gdf.crs).equals(CRS.from_user_input(entry.crs)):
        add(
            f"the layer is in {gdf.crs.to_string()}, the catalogue expects {entry.crs}",
            f"ชั้นข้อมูลอยู่ในระบบพิกัด {gdf.crs.to_string()} แต่ต้องเป็น {entry.crs}",
        )

    for fname, spec in entry.fields.items():
        if fname not in gdf.columns:
            if spec.required:
                add(
                    f"required field is missing (type {spec.type})",
                    f"ไม่มีฟิลด์ที่จำเป็น (ชนิด {spec.type})",
                    field=fname,
                )
            continue
        column = gdf[fname]
        if not _type_ok(column, spec.type):
            add(
                f"values are {column.dtype}, the catalogue expects {spec.type}",
                f"ค่าเป็นชนิด {column.dtype} แต่ต้องเป็น {spec.type}",
                field=fname,
            )
        if spec.required:
            for i in np.flatnonzero(column.isna().to_numpy()):
                add("required value is empty", "ไม่มีค่าในฟิลด์ที่จำเป็น", feature=int(i), field=fname)

    geoms = gdf.geometry.values
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    for i in np.flatnonzero(missing):
        add("geometry is empty", "ไม่มีรูปเรขาคณิต", feature=int(i), field="geometry")
    accepted = _ACCEPTED_GEOMETRY[entry.geometry_type]
    types = shapely.get_type_id(geoms)
    names = np.array(
        [
            "Point",
            "LineString",
            "LinearRing",
            "Polygon",
            "MultiPoint",
            "MultiLineString",
            "MultiPolygon",
            "GeometryCollection",
        ]
    )
    for i in np.flatnonzero(~missing):
        gtype = names[types[i]]
        if gtype not in accepted:
            add(
                f"geometry is {gtype}, the layer holds {entry.geometry_type}",
                f"รูปเรขาคณิตเป็น {gtype} แต่ชั้นข้อมูลนี้เป็น {entry.geometry_type}",
                feature=int(i),
                field="geometry",
            )
    invalid = ~missing & ~shapely.is_valid(geoms)
    for i in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geoms[i])
        add(
            f"geometry is invalid ({reason})",
            f"รูปเรขาคณิตไม่ถูกต้อง ({reason})",
            feature=int(i),
            field="geometry",
        )
    return problems


def check_layer(gdf: gpd.GeoDataFrame, entry: LayerEntry, *, file: str | None = None) -> None:
    """Raise `ValidationError` listing every problem, if there are any errors."""
    problems = validate_layer(gdf, entry, file=file)
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems)
