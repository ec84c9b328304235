"""What a layout needs, read from the layer store: a community's site polygon, the
canal beside it with its setback, an access point and the households to house."""

from __future__ import annotations

from dataclasses import dataclass, replace

import geopandas as gpd
import shapely
from shapely.geometry import Point, Polygon

from gis.errors import Problem, ValidationError


@dataclass
class LayoutSite:
    site_id: str
    name_th: str
    name_en: str
    site: Polygon
    canal: gpd.GeoSeries  # canal centre lines near the site
    setback_from_centreline_m: float  # half the canal width plus its setback
    access: list[Point]
    households: int
    crs: str

    def to_crs(self, crs: str) -> LayoutSite:
        """The same site with its geometry in `crs` (itself when already there)."""
        if self.crs == crs:
            return self
        return replace(
            self,
            site=gpd.GeoSeries([self.site], crs=self.crs).to_crs(crs).iloc[0],
            canal=self.canal.to_crs(crs),
            access=list(gpd.GeoSeries(self.access, crs=self.crs).to_crs(crs)),
            crs=crs,
        )


# When the canal's lines carry no width or setback.
DEFAULT_CANAL_WIDTH_M = 12.0
DEFAULT_CANAL_SETBACK_M = 8.0


def setback_from_centreline(canal, *, default: float | None = None) -> float:
    """The setback rule: nothing built within half the canal's width plus its setback of
    the canal's centre line; the widest such band of the lines `canal` (a frame with
    `width_m` and `setback_m`). `default` where they carry neither (else the defaults'
    band)."""
    if default is None:
        default = DEFAULT_CANAL_WIDTH_M / 2 + DEFAULT_CANAL_SETBACK_M
    if canal is None or not len(canal) or not {"width_m", "setback_m"} <= set(canal.columns):
        return default
    band = canal["width_m"].astype(float) / 2 + canal["setback_m"].astype(float)
    return float(band.max()) if band.notna().any() else default


def community_site(store, community_id: str, *, margin: float = 200.0) -> LayoutSite:
    """The community's land in the store (`communities`), the canal centre line within
    `margin` metres, and the setback measured from that centre line (half the
    canal's width plus its setback, both from the `canal_centreline` layer)."""
    communities = store.read("communities")
    row = communities[communities["community_id"] == community_id]
    if row.empty:
        raise ValidationError(
            [
                Problem(
                    f"no community {community_id} in the store",
                    f"ไม่พบชุมชน {community_id}",
                    layer="communities",
                    feature=community_id,
                    field="community_id",
                )
            ]
        )
    row = row.iloc[0]
    site = largest_polygon(row.geometry)
    canal = store.read("canal_centreline")
    near = canal[canal.geometry.distance(site) <= margin]
    clipped = near.geometry.intersection(site.buffer(margin))
    return LayoutSite(
        site_id=community_id,
        name_th=str(row.get("name_th", community_id)),
        name_en=str(row.get("name_en", community_id)),
        site=site,
        canal=gpd.GeoSeries(clipped.values, crs=communities.crs),
        setback_from_centreline_m=setback_from_centreline(near),
        access=[land_side_access(site, clipped)],
        households=int(row.get("households_agreed") or row.get("households_total") or 0),
        crs=communities.crs.to_string(),
    )


def largest_polygon(geom) -> Polygon | None:
    """The largest polygon of a (repaired) geometry: a site is one piece of land."""
    parts = [
        p
        for p in shapely.get_parts(shapely.make_valid(geom))
        if p.geom_type == "Polygon" and p.area > 0
    ]
    return max(parts, key=lambda p: p.area) if parts else None


def land_side_access(site: Polygon, canal) -> Point:
    """Where a lane would meet the road: the point of the site's edge farthest from
    the canal (the land side), or the edge point nearest the centre without a canal."""
    ring = site.exterior
    lines = [g for g in getattr(canal, "values", [canal]) if g is not None and not g.is_empty]
    if not lines:
        return ring.interpolate(ring.project(site.centroid))
    water = shapely.union_all(lines)
    samples = [ring.interpolate(t, normalized=True) for t in [i / 400 for i in range(400)]]
    far = max(p.distance(water) for p in samples)
    # Of the edge points as far from the canal as any (within a metre), the one nearest
    # the middle: the middle of the land-side edge, not a corner.
    land_side = [p for p in samples if p.distance(water) >= far - 1.0]
    centre = site.centroid
    return min(land_side, key=lambda p: p.distance(centre))
