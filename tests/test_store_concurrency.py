"""The layer store under concurrency and kills (issue 10, item 7), on both stores:
concurrent appends all land or are refused plainly, a SIGKILL leaves no
temporary files and no layer version without its import report, and the
instance folder is private."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gis.importing import import_file, list_reports, load_report
from gis.store import open_store

LAYER = "communities"

# Imports NAME-0..NAME-(n-1) into `communities` by the store API, `rounds` times,
# all processes starting at the same moment (argv[5], a time.time()).
_APPENDER = """
import json, sys, time
sys.path.insert(0, sys.argv[7])
from tests.test_store_concurrency import communities_file
from gis.catalog import load_catalog
from gis.errors import ValidationError
from gis.importing import import_file
from gis.store import open_store
home, url, schema, name, start, rounds, _ = sys.argv[1:8]
store = open_store(home, url or None, schema=schema or None)
catalog = load_catalog()
files = [communities_file(f"{home}/../{name}-{r}.geojson", f"{name}-{r}", 2)
         for r in range(int(rounds))]
time.sleep(max(0.0, float(start) - time.time()))
for path in files:
    try:
        r = import_file(path, layer="communities", catalog=catalog, store=store, mode="append")
        print(json.dumps({"status": r.status, "version": r.store_version,
                          "attempts": r.attempts, "id": r.id}), flush=True)
    except ValidationError as exc:
        print(json.dumps({"status": "refused", "id": exc.report.id,
                          "problems": [p.message_en for p in exc.problems]}), flush=True)
"""

# Appends new communities forever; killed by the test at a random moment.
_KILLED = """
import sys
sys.path.insert(0, sys.argv[4])
from tests.test_store_concurrency import communities_file
from gis.catalog import load_catalog
from gis.importing import import_file
from gis.store import open_store
home, url, schema, root = sys.argv[1:5]
store = open_store(home, url or None, schema=schema or None)
catalog = load_catalog()
print("writing", flush=True)
import uuid
while True:
    tag = uuid.uuid4().hex[:8]
    path = communities_file(f"{home}/../k-{tag}.geojson", f"K{tag}", 1)
    import_file(path, layer="communities", catalog=catalog, store=store, mode="append")
"""


def communities_file(path: str | Path, prefix: str, n: int) -> Path:
    """A GeoJSON of `n` communities with ids PREFIX-i, each a distinct small square."""
    features = []
    for i in range(n):
        seed = int(hashlib.sha256(f"{prefix}-{i}".encode()).hexdigest()[:12], 16)
        x = 100.50 + (seed % 5000) * 0.00002
        y = 13.85 + (seed // 5000 % 5000) * 0.00002
        ring = [[x, y], [x + 0.00001, y], [x + 0.00001, y + 0.00001], [x, y + 0.00001], [x, y]]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "community_id": f"{prefix}-{i}",
                    "name_th": f"ชุมชน {prefix} {i}",
                    "name_en": f"Community {prefix} {i}",
                    "area_en": "Lak Si",
                    "area_th": "หลักสี่",
                    "province_th": "กรุงเทพมหานคร",
                    "bank": "west",
                    "households_total": 10,
                    "households_agreed": 5,
                },
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    path = Path(path)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def _args(config) -> list[str]:
    return [config["PLANNER_HOME"], config["DATABASE_URL"] or "", config["DATABASE_SCHEMA"] or ""]


def _reopen(config):
    return open_store(
        config["PLANNER_HOME"], config["DATABASE_URL"], schema=config["DATABASE_SCHEMA"]
    )


def _seed(store, catalog, tmp_path) -> int:
    base = communities_file(tmp_path / "base.geojson", "BASE", 3)
    import_file(base, layer=LAYER, catalog=catalog, store=store)
    return 3


def _check_layer_and_reports(store) -> None:
    """Every written version has its report and every written report its version."""
    info = store.info(LAYER)
    reports = [r for r in list_reports(store) if r["layer"] == LAYER]
    written = [r for r in reports if r["status"] == "written"]
    assert sorted(r["store_version"] for r in written) == list(range(1, info.version + 1))
    latest = load_report(store, info.provenance["import_id"])
    assert (latest["status"], latest["store_version"]) == ("written", info.version)
    # replace (version 1) then appends: the layer holds exactly what the reports say
    assert info.feature_count == sum(r["features_written"] for r in written)
    assert len(store.read(LAYER)) == info.feature_count


def _leftovers(home: str | Path) -> list[Path]:
    return [p for p in Path(home).rglob("*") if ".part" in p.name]


def test_concurrent_appends_all_land(empty_store, store_config, catalog, tmp_path):
    """Two processes, three appends each, several times over: every append lands."""
    total = _seed(empty_store, catalog, tmp_path)
    retried = 0
    for attempt in range(3):
        start = time.time() + 4.0
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _APPENDER,
                    *_args(store_config),
                    f"P{attempt}{who}",
                    str(start),
                    "3",
                    os.getcwd(),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for who in "ab"
        ]
        lines = []
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            lines += [json.loads(line) for line in out.splitlines()]
        assert [r["status"] for r in lines] == ["written"] * 6, lines
        retried += sum(r["attempts"] > 1 for r in lines)
        total += 12
        store = _reopen(store_config)
        assert store.info(LAYER).feature_count == total
    ids = set(store.read(LAYER)["community_id"])
    assert {
        f"P{a}{w}-{r}-{i}" for a in range(3) for w in "ab" for r in range(3) for i in (0, 1)
    } <= ids
    _check_layer_and_reports(store)
    retries = [r for r in list_reports(store) if r.get("attempts", 1) > 1]
    assert len(retries) == retried
    for report in retries:  # the report says it was checked again, in both languages
        assert any(
            "checked again" in w["en"] and "ตรวจไฟล์นี้ใหม่" in w["th"] for w in report["warnings"]
        )
    print(f"18 concurrent appends, {retried} checked again after another import wrote first")


def test_the_same_append_twice_at_once_lands_once(empty_store, store_config, catalog, tmp_path):
    """`planner import --mode append` of one file from two shells at once: one is
    written, the other refused because its ids are now in the layer."""
    _seed(empty_store, catalog, tmp_path)
    path = communities_file(tmp_path / "same.geojson", "SAME", 4)
    env = {**os.environ, "PLANNER_HOME": store_config["PLANNER_HOME"]}
    env.pop("DATABASE_URL", None)
    env.pop("PLANNER_DATABASE_SCHEMA", None)
    if store_config["DATABASE_URL"]:
        env["DATABASE_URL"] = store_config["DATABASE_URL"]
        env["PLANNER_DATABASE_SCHEMA"] = store_config["DATABASE_SCHEMA"]
    cmd = [sys.executable, "-m", "app.cli", "import", str(path), "--layer", LAYER]
    procs = [
        subprocess.Popen(
            [*cmd, "--mode", "append", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 1], results
    refused = next(err for code, _, err in results if code == 1)
    assert "already in layer communities" in refused and "มีอยู่แล้วในชั้นข้อมูล" in refused
    store = _reopen(store_config)
    assert store.info(LAYER).feature_count == 3 + 4
    statuses = sorted(r["status"] for r in list_reports(store))
    assert statuses == ["refused", "written", "written"]
    _check_layer_and_reports(store)


def test_sigkill_leaves_no_part_files_and_no_version_without_report(
    empty_store, store_config, catalog, tmp_path
):
    """Kill a process that keeps appending, at random moments: after the next open
    there is no temporary file, and layer versions and reports match one to one."""
    _seed(empty_store, catalog, tmp_path)
    rng = random.Random(2562)
    for _ in range(5):
        proc = subprocess.Popen(
            [sys.executable, "-c", _KILLED, *_args(store_config), os.getcwd()],
            stdout=subprocess.PIPE,
        )
        assert proc.stdout.readline().strip() == b"writing"
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        store = _reopen(store_config)
        assert _leftovers(store_config["PLANNER_HOME"]) == []
        _check_layer_and_reports(store)
    assert store.info(LAYER).version > 1


def test_a_kill_between_swap_and_report_loses_no_report(
    empty_store, store_config, catalog, tmp_path
):
    """The state a kill right after the layer swap leaves (the store wrote the layer
    with its report; the importer never saved the report file): the next open
    finds the report with the layer."""
    _seed(empty_store, catalog, tmp_path)
    more = communities_file(tmp_path / "more.geojson", "MORE", 2)
    from gis.importing import read_and_validate

    gdf, report = read_and_validate(
        more, layer=LAYER, catalog=catalog, store=empty_store, mode="append"
    )
    report.status, report.features_written = "written", len(gdf)
    empty_store.write(
        LAYER, gdf, mode="append", provenance={"import_id": report.id}, report=report.to_dict()
    )
    report_file = Path(store_config["PLANNER_HOME"]) / "imports" / f"{report.id}.json"
    report_file.unlink(missing_ok=True)  # PostGIS copies it after commit; a kill may not
    store = _reopen(store_config)
    assert json.loads(report_file.read_text("utf-8"))["store_version"] == 2
    _check_layer_and_reports(store)


def test_a_stale_version_is_refused_plainly(empty_store, catalog, tmp_path):
    from gis.store import VersionConflict

    _seed(empty_store, catalog, tmp_path)
    gdf = empty_store.read(LAYER)
    with pytest.raises(VersionConflict) as info:
        empty_store.write(LAYER, gdf, mode="append", expected_version=0)
    assert "expected version 0, found 1" in str(info.value)
    assert "ถูกแก้ไขระหว่างเตรียมการเขียน" in info.value.problem.message_th
    assert empty_store.info(LAYER).version == 1


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_store_files_are_private(empty_store, store_config, catalog, tmp_path):
    from cases.store import CaseStore

    home = Path(store_config["PLANNER_HOME"])
    _seed(empty_store, catalog, tmp_path)
    raster = tmp_path / "x.tif"
    raster.write_bytes(b"not really a tiff")
    empty_store.put_raster("flood", raster)
    cases = CaseStore(home, store_config["DATABASE_URL"], schema=store_config["DATABASE_SCHEMA"])
    cases.dispose()
    folders = [home, home / "imports", home / "rasters"]
    files = [*(home / "imports").glob("*.json"), home / "rasters" / "flood.tif"]
    if not store_config["DATABASE_URL"]:
        folders.append(home / "layers")
        files += [home / "layers" / "communities.gpkg", home / "planner.sqlite"]
    for folder in folders:
        assert _mode(folder) == 0o700, folder
    for file in files:
        assert _mode(file) == 0o600, file
    # an instance made before this change is tightened when it is opened
    for folder in folders:
        os.chmod(folder, 0o755)
    for file in files:
        os.chmod(file, 0o644)
    _reopen(store_config)
    CaseStore(home, store_config["DATABASE_URL"], schema=store_config["DATABASE_SCHEMA"]).dispose()
    assert {_mode(f) for f in folders} == {0o700}
    assert {_mode(f) for f in files} == {0o600}
