"""Geometry at the boundary: GeoJSON drawn on the map (lon/lat) in, EPSG:32647 out."""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Point, shape

from cases.errors import InvalidInput
from cases.model import STORAGE_CRS, THAILAND_EXTENT
from cases.services.plot_rules import validity_problem

# Thailand's extent, generously (lon/lat): a drawn site outside it is a mistake.
THAILAND = shapely.box(*THAILAND_EXTENT)
_TO_UTM = Transformer.from_crs("EPSG:4326", STORAGE_CRS, always_xy=True)
_TO_WGS84 = Transformer.from_crs(STORAGE_CRS, "EPSG:4326", always_xy=True)
# A site, plot or house drawn on the map: a few hundred vertices at most.
MAX_DRAWN_VERTICES = 10_000


def geometry_from_geojson(geojson: dict | None, *, allowed: tuple[str, ...], what: dict[str, str]):
    """A GeoJSON geometry (lon/lat, as drawn on the map) checked and converted to EPSG:32647.

    Refused: unreadable, empty, wrong type, invalid, or outside Thailand.
    """
    if geojson is None:
        return None
    try:
        geom = shape(geojson)
    except Exception as exc:
        raise InvalidInput(
            f"{what['en']}: not a GeoJSON geometry ({exc})", f"{what['th']}: รูปเรขาคณิตอ่านไม่ได้"
        ) from exc
    if geom.is_empty:
        raise InvalidInput(f"{what['en']}: the geometry is empty", f"{what['th']}: ไม่มีรูปเรขาคณิต")
    if shapely.get_num_coordinates(geom) > MAX_DRAWN_VERTICES:
        raise InvalidInput(
            f"{what['en']}: more than {MAX_DRAWN_VERTICES:,} vertices",
            f"{what['th']}: มีจุดยอดเกิน {MAX_DRAWN_VERTICES:,} จุด",
            field="geometry",
        )
    if geom.geom_type not in allowed:
        raise InvalidInput(
            f"{what['en']}: must be {' or '.join(allowed)}, not {geom.geom_type}",
            f"{what['th']}: ต้องเป็น {' หรือ '.join(allowed)} ไม่ใช่ {geom.geom_type}",
            field="geometry",
        )
    invalid = validity_problem(geom, "", lonlat=True, what=what)
    if invalid is not None:
        # In words, with the spot (lon, lat) for the map to mark.
        raise InvalidInput(
            invalid.en, invalid.th, field="geometry", rule="invalid", spot=invalid.as_dict()["spot"]
        )
    if not THAILAND.contains(geom):
        raise InvalidInput(
            f"{what['en']}: lies outside Thailand; check that longitude and latitude are not swapped",
            f"{what['th']}: อยู่นอกประเทศไทย ตรวจสอบว่าไม่ได้สลับลองจิจูดกับละติจูด",
            field="geometry",
        )
    return _reproject(geom, _TO_UTM)


def _reproject(geom, transformer: Transformer):
    def transform(coords):
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, transform)


def geometry_to_geojson(geom) -> dict | None:
    if geom is None:
        return None
    if type(geom) is Point and shapely.get_coordinate_dimension(geom) == 2 and not geom.is_empty:
        # A house: the transformer on its two numbers, the same numbers as through
        # _reproject's arrays, five times faster (a case's households are each a point).
        return {"type": "Point", "coordinates": _TO_WGS84.transform(geom.x, geom.y)}
    return shapely.geometry.mapping(_reproject(geom, _TO_WGS84))
