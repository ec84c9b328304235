"""The layer store: the same promises on the embedded store and on PostGIS."""

import geopandas as gpd
import pytest
import shapely

from gis.errors import PlannerError
from gis.store import LayerNotFound


def _plots(n, offset=0):
    return gpd.GeoDataFrame(
        {
            "plot_no": list(range(offset, offset + n)),
            "owner_th": [f"ครัวเรือนที่ {i}" for i in range(offset, offset + n)],
            "agreed": [i % 2 == 0 for i in range(n)],
        },
        geometry=[
            shapely.box(670000 + 10 * i, 1530000, 670008 + 10 * i, 1530008)
            for i in range(offset, offset + n)
        ],
        crs="EPSG:32647",
    )


def test_write_read_roundtrip_keeps_thai_text_and_types(empty_store):
    info = empty_store.write("plots", _plots(5), provenance={"source": "test"})
    assert (info.feature_count, info.version, info.crs) == (5, 1, "EPSG:32647")
    assert info.geometry_type == "Polygon"
    assert info.provenance == {"source": "test"}
    back = empty_store.read("plots")
    assert back["owner_th"].tolist() == [f"ครัวเรือนที่ {i}" for i in range(5)]
    assert back["plot_no"].tolist() == list(range(5))
    assert back["agreed"].tolist() == [True, False, True, False, True]
    assert back.geometry.geom_equals_exact(_plots(5).geometry, tolerance=1e-9).all()


def test_replace_and_append_bump_the_version(empty_store):
    empty_store.write("plots", _plots(3))
    info = empty_store.write("plots", _plots(2, offset=3), mode="append")
    assert (info.feature_count, info.version) == (5, 2)
    assert empty_store.read("plots")["plot_no"].tolist() == [0, 1, 2, 3, 4]
    info = empty_store.write("plots", _plots(1))
    assert (info.feature_count, info.version) == (1, 3)


def test_bbox_read_uses_storage_crs(empty_store):
    empty_store.write("plots", _plots(10))
    part = empty_store.read("plots", bbox=(670000, 1530000, 670025, 1530010))
    assert part["plot_no"].tolist() == [0, 1, 2]


_WRITER = """
import sys, time
import geopandas as gpd, shapely
from gis.store import open_store
home, url, schema = sys.argv[1], sys.argv[2] or None, sys.argv[3] or None
store = open_store(home, url, schema=schema)
n = 200_000
big = gpd.GeoDataFrame({"plot_no": range(n), "owner_th": ["ครัวเรือน"] * n},
    geometry=shapely.points(range(n), [1530000] * n), crs="EPSG:32647")
print("writing", flush=True)
while True:
    store.write("plots", big)
"""


def test_a_killed_write_leaves_the_layer_whole(empty_store, store_config):
    """SIGKILL a process in the middle of replacing a layer: the old layer (or a
    complete new one) is still there, never half of it."""
    import os
    import signal
    import subprocess
    import sys
    import time

    empty_store.write("plots", _plots(3))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _WRITER,
            store_config["PLANNER_HOME"],
            store_config["DATABASE_URL"] or "",
            store_config["DATABASE_SCHEMA"] or "",
        ],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert proc.stdout.readline().strip() == b"writing"
    time.sleep(1.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    info = empty_store.info("plots")
    back = empty_store.read("plots")
    assert len(back) == info.feature_count
    assert info.feature_count in (3, 200_000)
    if info.feature_count == 3:
        assert back["plot_no"].tolist() == [0, 1, 2]


def test_unknown_and_hostile_names(empty_store):
    with pytest.raises(LayerNotFound):
        empty_store.info("nothing_here")
    for name in ("../etc/passwd", "Plots", "x; DROP TABLE y", ""):
        with pytest.raises(PlannerError):
            empty_store.write(name, _plots(1))
    assert empty_store.layer_names() == []


def test_delete(empty_store):
    empty_store.write("plots", _plots(1))
    empty_store.delete("plots")
    assert empty_store.layer_names() == []


def test_metadata_kept_for_a_read_still_sees_its_own_writes(empty_store, store_config):
    """Within `metadata_kept` (a GET) a store reads its layers' metadata once; its own
    write or delete inside is seen at once, and another writer's from the next block."""
    from gis.store import open_store
    from gis.store_base import metadata_kept

    other = open_store(
        store_config["PLANNER_HOME"],
        store_config["DATABASE_URL"],
        schema=store_config["DATABASE_SCHEMA"],
    )
    empty_store.write("plots", _plots(3))
    with metadata_kept():
        assert empty_store.layer_names() == ["plots"] and empty_store.has_layer("plots")
        first = empty_store.layer_tag("plots")
        assert empty_store.info("plots").version == 1
        assert empty_store.write("plots", _plots(2)).version == 2  # read afresh under its lock
        assert empty_store.info("plots").version == 2 and empty_store.layer_tag("plots") != first
        empty_store.write("roads", _plots(1))
        assert empty_store.layer_names() == ["plots", "roads"]
        empty_store.delete("roads")
        assert not empty_store.has_layer("roads")
        with pytest.raises(LayerNotFound):
            empty_store.info("roads")
        other.write("plots", _plots(4))  # another server, in the middle of this request
        assert empty_store.read("plots").shape[0] == 4
    with metadata_kept():
        assert empty_store.info("plots").version == 3 and empty_store.has_layer("plots")
