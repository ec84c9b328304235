"""gis.tiles: the tile grid, the box index, and detail and summary tiles (pure functions)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from app.application.tiles import tile_fields
from gis import tiles


def test_tile_bounds_cover_the_world_and_split_in_four():
    assert tiles.tile_bounds(0, 0, 0) == pytest.approx(
        (-tiles.WORLD, -tiles.WORLD, tiles.WORLD, tiles.WORLD)
    )
    minx, miny, maxx, maxy = tiles.tile_bounds(1, 1, 0)  # north-east quarter
    assert (minx, miny) == pytest.approx((0, 0)) and maxx == pytest.approx(tiles.WORLD)
    assert tiles.tiles_covering(tiles.tile_bounds(5, 7, 9), 5) == [(7, 9)] or (7, 9) in (
        tiles.tiles_covering(tiles.tile_bounds(5, 7, 9), 5)
    )
    assert tiles.simplify_tolerance(17) == pytest.approx(tiles.pixel_metres(17) / 2)
    assert tiles.pixel_metres(0) == pytest.approx(2 * tiles.WORLD / 256)


@pytest.mark.parametrize("z, x, y", [(-1, 0, 0), (23, 0, 0), (3, 8, 0), (3, 0, 8), (0, 1, 0)])
def test_tiles_off_the_grid_are_refused_in_both_languages(z, x, y):
    with pytest.raises(tiles.TileError) as caught:
        tiles.check_tile(z, x, y)
    assert "ซูม" in caught.value.message_th or "ไทล์" in caught.value.message_th
    assert str(z) in str(caught.value)


def test_box_index_finds_exactly_the_boxes_a_brute_force_finds():
    rng = np.random.default_rng(3)
    lo = rng.uniform(0, 1000, (5000, 2))
    boxes = np.column_stack([lo, lo + rng.uniform(0, 40, (5000, 2))])
    index = tiles.BoxIndex.from_boxes(boxes)
    for q in [(100, 100, 200, 300), (0, 0, 5, 5), (990, 990, 2000, 2000), (500, 0, 500.5, 1000)]:
        minx, miny, maxx, maxy = q
        want = boxes[
            (boxes[:, 2] >= minx)
            & (boxes[:, 0] <= maxx)
            & (boxes[:, 3] >= miny)
            & (boxes[:, 1] <= maxy)
        ]
        got = index.meeting(q)
        assert sorted(map(tuple, got)) == sorted(map(tuple, want))
    again = tiles.BoxIndex.from_bytes(index.to_bytes())
    assert np.array_equal(again.boxes, index.boxes)


def _houses(n: int, *, seed: int = 1) -> gpd.GeoDataFrame:
    """n 6 x 9 m houses around one point near Bangkok, in the catalogue's UTM 47N."""
    rng = np.random.default_rng(seed)
    x = 670_000 + rng.normal(0, 200, n)
    y = 1_530_000 + rng.normal(0, 200, n)
    return gpd.GeoDataFrame(
        {
            "encroachment": rng.choice(["canal", "setback", "none"], n),
            "head_name": [f"นาย ก {i}" for i in range(n)],
        },
        geometry=shapely.box(x, y, x + 6, y + 9),
        crs="EPSG:32647",
    )


def _tile_of(gdf, z):
    c = gdf.to_crs(tiles.TILE_CRS).union_all().centroid
    return tiles.tiles_covering((c.x, c.y, c.x, c.y), z)[0]


def test_a_detail_tile_holds_the_features_with_only_the_fields_asked_for():
    houses = _houses(300)
    x, y = _tile_of(houses, 15)
    data = tiles.detail_tile(houses, 15, x, y, layer="structures", fields=["encroachment"])
    layer = tiles.decode(data)["structures"]
    index = tiles.box_index(houses.bounds.to_numpy(), crs=houses.crs)
    assert len(layer["features"]) == len(index.meeting(tiles.buffered_bounds(15, x, y)))
    for feature in layer["features"]:
        assert set(feature["properties"]) == {"encroachment"}
        assert feature["geometry"]["type"] == "Polygon"
    assert len(data) < tiles.MAX_TILE_BYTES


def test_a_detail_tile_needs_a_crs():
    houses = _houses(3).set_crs(None, allow_override=True)
    with pytest.raises(tiles.TileError):
        tiles.detail_tile(houses, 10, 0, 0, layer="structures")


def test_a_summary_tile_counts_every_feature_whose_centre_is_in_it_once():
    houses = _houses(20_000, seed=2)
    index = tiles.box_index(houses.bounds.to_numpy(), crs=houses.crs)
    x, y = _tile_of(houses, 12)
    layer = tiles.decode(tiles.summary_tile(index, 12, x, y, layer="structures"))["structures"]
    counts = [f["properties"]["count"] for f in layer["features"]]
    b = index.boxes
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    minx, miny, maxx, maxy = tiles.tile_bounds(12, x, y)
    inside = int(((cx >= minx) & (cx < maxx) & (cy > miny) & (cy <= maxy)).sum())
    assert sum(counts) == inside > 0
    assert len(counts) <= (tiles.TILE_PX // tiles.SUMMARY_CELL_PX) ** 2
    assert all(f["geometry"]["type"] == "Point" for f in layer["features"])


def test_houses_smaller_than_a_pixel_are_counts_not_shapes():
    index = tiles.box_index(_houses(50).bounds.to_numpy(), crs="EPSG:32647")
    assert not index.shows_at(10)  # a pixel is ~150 m
    assert index.shows_at(15)  # ~5 m


def test_a_tile_never_carries_a_personal_field_even_when_the_style_colours_by_one():
    style = {"classify": {"field": "head_name"}}
    assert tile_fields(style, ["head_name", "encroachment"]) == []
    style = {"classify": {"field": "encroachment"}}
    assert tile_fields(style, ["head_name", "encroachment"]) == ["encroachment"]
    assert tile_fields(style, ["head_name"]) == []  # not stored: not asked for


class _CountingTileCache:
    def __init__(self):
        self.kept, self.gets = {}, 0

    def get(self, layer, version, key):
        self.gets += 1
        return self.kept.get((layer, version, key))

    def put(self, layer, version, key, data):
        self.kept[(layer, version, key)] = data


class _FakeTiledStore:
    """What `layer_tile` asks of a store: the layer's tag and its tile cache."""

    def __init__(self):
        self.tag, self.tile_cache = "1-a", _CountingTileCache()

    def layer_tag(self, name):
        return self.tag


def test_a_served_tile_is_kept_in_memory_under_its_tag_and_bounded(monkeypatch):
    from app.application import tiles as tile_service

    monkeypatch.setattr(tile_service, "_TILES", tile_service.OrderedDict())
    monkeypatch.setattr(tile_service, "_tiles_bytes", 0)
    monkeypatch.setattr(tile_service, "TILES_KEPT_BYTES", 2500)
    store = _FakeTiledStore()
    for key in ("5/1/1", "5/1/2", "5/1/3"):
        store.tile_cache.put("houses", "1-a", key, b"x" * 1000)
    first = tile_service.layer_tile(store, "houses", 5, 1, 1, fields=[])
    again = tile_service.layer_tile(store, "houses", 5, 1, 1, fields=[])
    assert first == again and store.tile_cache.gets == 1  # the second from memory
    store.tag = "2-b"  # the layer written anew: its tiles are looked up afresh
    store.tile_cache.put("houses", "2-b", "5/1/1", b"y" * 1000)
    assert tile_service.layer_tile(store, "houses", 5, 1, 1, fields=[]).data == b"y" * 1000
    assert store.tile_cache.gets == 2
    store.tag = "1-a"
    for y in (2, 3):
        tile_service.layer_tile(store, "houses", 5, 1, y, fields=[])
    assert tile_service._tiles_bytes <= 2500 and len(tile_service._TILES) == 2
