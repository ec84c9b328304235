"""Moving catalogue layers between files and the store, and serving them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS, Transformer

from gis.catalog import Catalog, check_layer
from gis.errors import Problem, ValidationError
from gis.paths import PROJECT_ROOT, SAMPLE_DIR, SAMPLE_GPKG
from gis.store import LayerStore

WGS84 = "EPSG:4326"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_sample(
    store: LayerStore,
    catalog: Catalog,
    *,
    package: Path = SAMPLE_GPKG,
    raster_dir: Path = SAMPLE_DIR,
) -> dict[str, int]:
    """Validate every catalogue layer of the sample package, then write them all.

    Nothing is written unless every layer passes, so a broken package leaves
    the store as it was. Returns feature counts (rasters count as 1).
    """
    if not Path(package).exists():
        raise FileNotFoundError(
            f"sample package {package} is missing; run `planner sample --rebuild`"
        )
    try:
        present = set(pyogrio.list_layers(package)[:, 0])
    except pyogrio.errors.DataSourceError as exc:
        raise ValidationError(
            [
                Problem(
                    f"not a readable GeoPackage ({exc})",
                    "ไฟล์เสียหายหรือไม่ใช่ GeoPackage",
                    file=str(package),
                )
            ]
        ) from exc
    frames: dict[str, gpd.GeoDataFrame] = {}
    problems: list[Problem] = []
    for entry in catalog.vector_layers():
        if entry.name not in present:
            problems.append(
                Problem(
                    "layer is missing from the sample package",
                    "ไม่มีชั้นข้อมูลนี้ในชุดข้อมูลตัวอย่าง",
                    file=str(package),
                    layer=entry.name,
                )
            )
            continue
        gdf = pyogrio.read_dataframe(package, layer=entry.name, use_arrow=True)
        try:
            check_layer(gdf, entry, file=Path(package).name)
        except ValidationError as exc:
            problems.extend(exc.problems)
        frames[entry.name] = gdf
    rasters = {}
    for entry in catalog.raster_layers():
        path = Path(raster_dir) / entry.file
        if not path.exists():
            problems.append(
                Problem("raster file is missing", "ไม่มีไฟล์แรสเตอร์", file=str(path), layer=entry.name)
            )
        rasters[entry.name] = path
    if problems:
        raise ValidationError(problems)

    try:
        source = str(Path(package).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        source = str(package)
    package_hash = _sha256(Path(package))
    counts: dict[str, int] = {}
    for name, gdf in frames.items():
        info = store.write(
            name,
            gdf,
            provenance={
                "source": source,
                "layer": name,
                "sha256": package_hash,
                "loaded_by": "planner sample",
            },
        )
        counts[name] = info.feature_count
    for name, path in rasters.items():
        store.put_raster(name, path)
        counts[name] = 1
    return counts


def bbox_to_storage(bbox_wgs84: tuple[float, float, float, float], storage_crs: str):
    """A lon/lat bounding box as a bounding box in the storage CRS (densified edges)."""
    transformer = Transformer.from_crs(WGS84, storage_crs, always_xy=True)
    return transformer.transform_bounds(*bbox_wgs84, densify_pts=21)


def bounds_to_wgs84(bounds, crs: str) -> list[float] | None:
    if bounds is None or crs is None:
        return None
    if CRS.from_user_input(crs).equals(CRS.from_user_input(WGS84)):
        return [float(b) for b in bounds]
    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)
    return [round(v, 7) for v in transformer.transform_bounds(*bounds, densify_pts=21)]


def dates_to_iso(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy with date and datetime columns as ISO strings, ready for JSON."""
    out = gdf.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
        elif out[column].dtype == object:
            out[column] = out[column].map(lambda v: v.isoformat() if hasattr(v, "isoformat") else v)
    return out


def to_geojson(gdf: gpd.GeoDataFrame, *, decimals: int | None = 7) -> str:
    """RFC 7946 GeoJSON (lon/lat); dates become ISO strings.

    Coordinates are rounded to `decimals` places (7 places: about 1 cm), which
    halves the size of detailed boundaries and loses nothing a map can show.
    """
    out = gdf.to_crs(WGS84) if gdf.crs is not None else gdf
    if decimals is not None:
        out = out.set_geometry(
            shapely.transform(out.geometry.values, lambda xy: np.round(xy, decimals))
        )
    return dates_to_iso(out).to_json(drop_id=True, ensure_ascii=False)


# Display simplification (the map asks for the coarsest detail its zoom can show).
# Tolerances are snapped down to these steps, in metres, so a few versions are cached.
SIMPLIFY_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500)
# Layers with fewer vertices per feature than this gain too little to be worth it
# (house outlines and plots are four or five corners; district boundaries are ~1,600).
SIMPLIFY_MIN_VERTICES_PER_FEATURE = 50
METRES_PER_DEGREE = 111_320


def snap_tolerance(metres: float) -> int | None:
    """The largest step not above `metres`, or None below the smallest (full detail)."""
    steps = [s for s in SIMPLIFY_STEPS if s <= metres]
    return steps[-1] if steps else None


def worth_simplifying(gdf: gpd.GeoDataFrame) -> bool:
    """Whether a layer has lines or polygons detailed enough to gain from simplifying."""
    if gdf.empty:
        return False
    types = set(gdf.geom_type.dropna())
    if not types or types & {"Point", "MultiPoint"}:
        return False
    vertices = int(shapely.get_num_coordinates(gdf.geometry.values).sum())
    return vertices >= SIMPLIFY_MIN_VERTICES_PER_FEATURE * len(gdf)


def simplify_for_display(gdf: gpd.GeoDataFrame, metres: float) -> gpd.GeoDataFrame:
    """A copy with geometries simplified to `metres`, in the layer's own (storage) CRS.

    Polygons that tile the ground without gaps or overlaps (a valid coverage, such as
    districts) are simplified together, so neighbours keep one shared edge; anything else
    is simplified feature by feature, preserving topology (no self-intersections, no
    collapsed rings). Attributes are untouched. (Coverage simplification removes corners
    whose triangle is smaller than `metres` squared, which keeps a little more detail than
    moving no point more than `metres`.) A geographic CRS takes the tolerance
    as degrees of latitude, which errs on the side of detail.
    """
    if gdf.empty or not metres:
        return gdf
    crs = gdf.crs
    tolerance = metres / METRES_PER_DEGREE if crs is not None and crs.is_geographic else metres
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    polygonal = set(gdf.geom_type.dropna()) <= {"Polygon", "MultiPolygon"}
    if polygonal and hasattr(shapely, "coverage_simplify") and shapely.coverage_is_valid(geoms):
        simpler = shapely.coverage_simplify(geoms, tolerance)
    else:
        simpler = shapely.simplify(geoms, tolerance, preserve_topology=True)
    # Never lose a feature to simplification: keep the original where it would go empty.
    lost = shapely.is_empty(simpler) & ~shapely.is_empty(geoms)
    simpler = np.where(lost, geoms, simpler)
    out = gdf.copy()
    out[gdf.geometry.name] = gpd.GeoSeries(simpler, index=gdf.index, crs=crs)
    return out


def display_decimals(metres: float | None) -> int:
    """Coordinate decimals for a layer simplified to `metres`: 7 (1 cm) at full detail,
    6 (0.1 m) for fine and 5 (1 m) for coarse simplification."""
    if not metres:
        return 7
    return 5 if metres >= 5 else 6


def read_package(
    package: Path = SAMPLE_GPKG, catalog: Catalog | None = None
) -> dict[str, gpd.GeoDataFrame]:
    """Every catalogue layer of a GeoPackage (by default the shipped sample)."""
    present = set(pyogrio.list_layers(package)[:, 0])
    names = [e.name for e in catalog.vector_layers()] if catalog else sorted(present)
    return {
        name: pyogrio.read_dataframe(package, layer=name, use_arrow=True)
        for name in names
        if name in present
    }
