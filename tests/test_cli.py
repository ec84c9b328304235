"""The `planner` command line, run as a user runs it: a real process."""

import json
import os
import subprocess
import sys

import pytest

PUBLISHED_LENGTH_M = 50_800


def planner(*args, config, check=True):
    env = {**os.environ, "PLANNER_HOME": config["PLANNER_HOME"]}
    if config.get("DATABASE_URL"):
        env["DATABASE_URL"] = config["DATABASE_URL"]
        env["PLANNER_DATABASE_SCHEMA"] = config["DATABASE_SCHEMA"]
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.mark.parametrize("command", [[], ["sample"], ["serve"], ["layers"]])
def test_every_command_has_help(command, sample_config):
    out = planner(*command, "--help", config=sample_config).stdout
    assert "Usage:" in out


def test_layers_json_reports_the_corridor(sample_config):
    report = json.loads(planner("layers", "--json", config=sample_config).stdout)
    layers = {item["name"]: item for item in report}
    communities = layers["communities"]
    assert communities["feature_count"] == 38
    assert communities["count_by"]["area_en"] == {
        "Chatuchak": 5,
        "Don Mueang": 14,
        "Lak Hok": 6,
        "Lak Si": 13,
    }
    assert communities["geometry_type"] == "Polygon" and communities["crs"] == "EPSG:32647"
    assert layers["structures"]["feature_count"] == 6386
    length = layers["canal_centreline"]["length_m"]
    assert abs(length - PUBLISHED_LENGTH_M) / PUBLISHED_LENGTH_M < 0.02
    assert layers["flood_depth"]["geometry_type"] == "Raster"
    assert layers["flood_depth"]["cell_size"] == [10.0, 10.0]


def test_layers_table_is_bilingual(sample_config):
    out = planner("layers", config=sample_config).stdout
    assert "ชุมชนริมคลอง / Canal-side communities" in out


def test_sample_loads_into_an_empty_store(store_config):
    assert "the store is empty" in planner("layers", config=store_config).stdout
    out = planner("sample", config=store_config).stdout
    assert "loaded 11 layers" in out
    report = json.loads(planner("layers", "--json", config=store_config).stdout)
    assert {item["name"]: item["feature_count"] for item in report}["structures"] == 6386
    # Loading again replaces, never duplicates.
    planner("sample", config=store_config)
    again = json.loads(planner("layers", "--json", config=store_config).stdout)
    counts = {item["name"]: (item["feature_count"], item.get("version")) for item in again}
    assert counts["structures"] == (6386, 2)


def test_a_broken_sample_is_refused_and_the_store_kept(store_config, tmp_path):
    planner("sample", config=store_config)
    before = planner("layers", "--json", config=store_config).stdout
    (tmp_path / "khlong_prem_sample.gpkg").write_bytes(b"this is not a geopackage")
    result = planner("sample", "--out", str(tmp_path), config=store_config, check=False)
    assert result.returncode == 1
    assert "khlong_prem_sample.gpkg" in result.stderr
    assert planner("layers", "--json", config=store_config).stdout == before
