"""The `planner` command line, run as a user runs it: a real process."""

import json
import os
import re
import subprocess
import sys

import pytest

PUBLISHED_LENGTH_M = 50_800

THAI = re.compile("[\u0e00-\u0e7f]")


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
    assert "ชุมชน / Communities" in out


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


def test_progress_json_is_the_published_table(sample_config):
    table = json.loads(planner("progress", "--json", config=sample_config).stdout)
    rows = {r["district_en"]: r for r in table["districts"]}
    expected = {
        "Chatuchak": (621, 356, 133, 0),
        "Lak Si": (2248, 88, 71, 7),
        "Don Mueang": (2542, 0, 120, 14),
        "Lak Hok": (929, 190, 28, 0),
    }
    assert {
        d: (r["households_agreed"], r["finished"], r["under_construction"], r["ready_to_build"])
        for d, r in rows.items()
    } == expected
    total = table["total"]
    assert (total["finished"], total["under_construction"], total["ready_to_build"]) == (
        634,
        352,
        21,
    )
    assert (
        total["shares"]["finished"],
        total["shares"]["under_construction"],
        total["shares"]["ready_to_build"],
    ) == (9.93, 5.51, 0.33)


def test_progress_table_reads_like_the_government_report(sample_config):
    out = planner("progress", config=sample_config).stdout
    assert "จตุจักร Chatuchak" in out
    assert "634 ( 9.93 %)" in out and "352 ( 5.51 %)" in out and "21 ( 0.33 %)" in out


def test_cases_lists_every_case_with_its_stage(sample_config):
    out = planner("cases", config=sample_config).stdout
    assert out.strip().endswith("38 case(s)")
    assert "KPP-CC-01" in out and "แล้วเสร็จ / Completed" in out
    stalled = planner("cases", "--stalled", "--json", config=sample_config).stdout
    data = json.loads(stalled)
    assert 0 < data["total"] < 38 and all(c["stalled"] for c in data["cases"])


def test_user_add_creates_a_login(store_config):
    out = planner(
        "user",
        "add",
        "somsri",
        "--role",
        "officer",
        "--password",
        "long-enough-1",
        config=store_config,
    ).stdout
    assert "created user somsri (officer)" in out and "สร้างผู้ใช้ somsri" in out
    again = planner(
        "user",
        "add",
        "somsri",
        "--role",
        "officer",
        "--password",
        "long-enough-1",
        config=store_config,
        check=False,
    )
    assert again.returncode == 1 and "exists already" in again.stderr
    assert THAI.search(again.stderr.split("/", 1)[1]), again.stderr  # and in Thai
    bad = planner(
        "user",
        "add",
        "x2",
        "--role",
        "community_rep",
        "--password",
        "long-enough-1",
        config=store_config,
        check=False,
    )
    assert bad.returncode == 1 and "needs a community" in bad.stderr
    from app import create_app

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **store_config})
    client = app.test_client()
    response = client.post("/auth/login", data={"username": "somsri", "password": "long-enough-1"})
    assert response.status_code == 302
