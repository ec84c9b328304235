"""Raster helpers: drawing a single-band raster as a coloured web overlay."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import rasterio
from PIL import Image
from rasterio.warp import Resampling, calculate_default_transform, reproject, transform_bounds

from gis.formats import open_raster

WEB_MERCATOR = "EPSG:3857"


def _hex_to_rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return tuple(int(color[i : i + 2], 16) for i in (0, 2, 4))


def render_overlay_png(path: str | Path, ramp: list[dict], *, max_size: int = 2048):
    """Colour a raster by `ramp` (ascending `value` → `color`) for a Leaflet image overlay.

    The raster is warped to Web Mercator so that the image lines up with the map;
    nodata and values below the first class are transparent. Returns the PNG bytes
    and the bounds as [[south, west], [north, east]].
    """
    with open_raster(path) as src:
        scale = max(src.width, src.height) / max_size
        width, height = src.width, src.height
        if scale > 1:
            width, height = int(width / scale), int(height / scale)
        transform, w, h = calculate_default_transform(
            src.crs,
            WEB_MERCATOR,
            src.width,
            src.height,
            *src.bounds,
            dst_width=width,
            dst_height=height,
        )
        nodata = src.nodata if src.nodata is not None else np.nan
        data = np.full((h, w), nodata, dtype="float32")
        reproject(
            source=rasterio.band(src, 1),
            destination=data,
            dst_transform=transform,
            dst_crs=WEB_MERCATOR,
            dst_nodata=nodata,
            resampling=Resampling.bilinear,
        )
    valid = ~np.isnan(data) if np.isnan(nodata) else data != nodata
    rgba = np.zeros((h, w, 4), dtype="uint8")
    for cls in sorted(ramp, key=lambda c: c["value"]):
        mask = valid & (data >= cls["value"])
        rgba[mask, :3] = _hex_to_rgb(cls["color"])
        rgba[mask, 3] = 255
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG", optimize=True)
    west, south, east, north = rasterio.transform.array_bounds(h, w, transform)
    west, south, east, north = transform_bounds(WEB_MERCATOR, "EPSG:4326", west, south, east, north)
    return buf.getvalue(), [[south, west], [north, east]]
