"""Duplicates: ids twice in the file, and (append) ids or geometries already stored."""

from __future__ import annotations

import numpy as np
import shapely

from gis.errors import Problem


def _id_field(entry, gdf) -> str | None:
    if entry is not None:
        for name in entry.fields:
            if name.endswith("_id") and name in gdf.columns:
                return name
    return None


def duplicates(gdf, entry, layer, store, mode, label) -> list[Problem]:
    """Duplicates inside the file, and (append) against what is already stored."""
    problems = []
    id_field = _id_field(entry, gdf)
    if id_field:
        dup = gdf[id_field].duplicated(keep="first") & gdf[id_field].notna()
        for i in np.flatnonzero(dup.to_numpy()):
            problems.append(
                Problem(
                    f"id {gdf[id_field].iloc[i]!r} appears twice in the file",
                    f"รหัส {gdf[id_field].iloc[i]!r} ซ้ำในไฟล์",
                    file=label,
                    feature=int(i),
                    field=id_field,
                )
            )
    if mode != "append" or store is None or not store.has_layer(layer):
        return problems
    stored = store.read(layer)
    if id_field and id_field in stored.columns:
        existing = set(stored[id_field].dropna().astype(str))
        hit = gdf[id_field].astype(str).isin(existing) & gdf[id_field].notna()
        for i in np.flatnonzero(hit.to_numpy()):
            problems.append(
                Problem(
                    f"id {gdf[id_field].iloc[i]!r} is already in layer {layer}",
                    f"รหัส {gdf[id_field].iloc[i]!r} มีอยู่แล้วในชั้นข้อมูล {layer}",
                    file=label,
                    feature=int(i),
                    field=id_field,
                )
            )
    if len(stored):
        stored_wkb = set(
            shapely.to_wkb(shapely.set_precision(stored.to_crs(gdf.crs).geometry.values, 0.001))
        )
        mine = shapely.to_wkb(shapely.set_precision(gdf.geometry.values, 0.001))
        for i, w in enumerate(mine):
            if w is not None and w in stored_wkb:
                problems.append(
                    Problem(
                        f"the same geometry is already in layer {layer}",
                        f"รูปเรขาคณิตเดียวกันมีอยู่แล้วในชั้นข้อมูล {layer}",
                        file=label,
                        feature=i,
                        field="geometry",
                    )
                )
    return problems
