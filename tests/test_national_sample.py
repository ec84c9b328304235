"""`planner sample --national` at small scale, on the store the suite runs on (embedded,
or PostGIS with DATABASE_URL): counts in proportion, every province, determinism, valid
layers in the storage CRS, and a dashboard that agrees with the layers."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import sqlalchemy as sa

from app.application.national_sample import (
    CaseStoreNotEmpty,
    build_layers,
    load_national_sample,
    scaled,
)
from app.application.sample_loader import load_sample_layers
from cases import orm, services
from cases.model import User
from cases.register import dopa_tables
from cases.store import CaseStore
from gis.national import PROVINCES_CSV
from gis.store import open_store

SCALE = 0.05  # 100 communities, 15,000 structures and households, 2,500 parcels
SEED = 11
THAI = re.compile("[\u0e00-\u0e7f]")
OFFICER = User(username="officer", role="officer")


def _stores(config, home=None):
    home = home or config["PLANNER_HOME"]
    url, schema = config["DATABASE_URL"], config["DATABASE_SCHEMA"]
    return open_store(home, url, schema=schema), CaseStore(home, url, schema=schema)


@pytest.fixture
def national(store_config, catalog):
    layer_store, case_store = _stores(store_config)
    result = load_national_sample(layer_store, case_store, catalog, seed=SEED, scale=SCALE)
    yield layer_store, case_store, result
    case_store.dispose()


def _rows(case_store: CaseStore) -> dict[str, list[tuple]]:
    """Cases, households and events as comparable rows (no generated ids)."""
    with case_store.engine.connect() as conn:
        cases = conn.execute(
            sa.select(
                orm.cases.c.ref,
                orm.cases.c.case_type,
                orm.cases.c.stage,
                orm.cases.c.stage_entered_on,
                orm.cases.c.hold_reason,
            ).order_by(orm.cases.c.ref)
        ).all()
        households = conn.execute(
            sa.select(
                orm.cases.c.ref,
                orm.households.c.household_no,
                orm.households.c.house_status,
                orm.households.c.agreed_to_move,
                orm.households.c.structure_id,
                orm.households.c.finished_on,
            )
            .join(orm.cases, orm.cases.c.id == orm.households.c.case_id)
            .order_by(orm.cases.c.ref, orm.households.c.household_no)
        ).all()
        events = conn.execute(
            sa.select(
                orm.cases.c.ref,
                orm.stage_events.c.kind,
                orm.stage_events.c.from_stage,
                orm.stage_events.c.to_stage,
                orm.stage_events.c.on,
            )
            .join(orm.cases, orm.cases.c.id == orm.stage_events.c.case_id)
            .order_by(orm.cases.c.ref, orm.stage_events.c.id)
        ).all()
    return {"cases": cases, "households": households, "events": events}


def test_counts_are_the_national_counts_scaled(national):
    layer_store, case_store, result = national
    expected = scaled(SCALE)
    assert expected == {
        "communities": 100,
        "households": 15_000,
        "tenure_parcels": 2_500,
        "events": 1_000,
    }
    assert scaled(1.0) == {
        "communities": 2_000,
        "households": 300_000,
        "tenure_parcels": 50_000,
        "events": 20_000,
    }
    for name, key in (
        ("communities", "communities"),
        ("structures", "households"),
        ("tenure_parcels", "tenure_parcels"),
    ):
        assert layer_store.info(name).feature_count == expected[key]
    rows = _rows(case_store)
    assert len(rows["cases"]) == expected["communities"]
    assert len(rows["households"]) == expected["households"]
    assert len(rows["events"]) == expected["events"]
    assert result["cases"] == {
        "communities": 100,
        "cases": 100,
        "households": 15_000,
        "events": 1_000,
    }
    assert set(result["timings"]) == {"build_s", "layers_s", "cases_s", "tiles_s", "total_s"}


def test_every_province_has_communities_with_real_codes(national):
    layer_store, case_store, _ = national
    communities = layer_store.read("communities")
    with open(PROVINCES_CSV, encoding="utf-8") as f:
        table = {r["code"]: r for r in csv.DictReader(f)}
    provinces, districts, subdistricts = dopa_tables()
    assert set(table) == set(provinces) and len(table) == 77
    for code, row in table.items():  # the file's names are DOPA's names
        assert (row["name_th"], row["name_en"]) == (
            provinces[code].name_th,
            provinces[code].name_en,
        )
    assert set(communities["province_code"]) == set(provinces)
    for r in communities.itertuples():
        assert districts[r.district_code].province_code == r.province_code
        assert subdistricts[r.subdistrict_code].district_code == r.district_code
        assert r.area_th == provinces[r.province_code].name_th
    # Bangkok carries the most communities.
    assert Counter(communities["province_code"]).most_common(1)[0][0] == "10"


def test_layers_read_back_valid_in_the_storage_crs(national, catalog):
    layer_store, _, _ = national
    layers = {
        name: layer_store.read(name) for name in ("communities", "structures", "tenure_parcels")
    }
    for name, gdf in layers.items():
        assert gdf.crs.to_epsg() == 32647 == int(catalog.storage_crs.split(":")[1]), name
        assert layer_store.info(name).crs == catalog.layers[name].crs
        assert gdf.is_valid.all() and (gdf.geom_type == "Polygon").all(), name
        lon0, lat0, lon1, lat1 = gdf.to_crs("EPSG:4326").total_bounds
        assert lon0 > 97.3 and lon1 < 105.7 and lat0 > 5.5 and lat1 < 20.6, name
    structures, communities = layers["structures"], layers["communities"]
    # A 6 x 9 m footprint, each inside its own community; communities never overlap.
    assert np.allclose(structures.area, 54.0)
    within = gpd.sjoin(
        structures.set_geometry(structures.centroid),
        communities[["community_id", "geometry"]],
        predicate="within",
    )
    assert len(within) == len(structures)
    assert (within["community_id_left"] == within["community_id_right"]).all()
    pairs = communities.sindex.query(communities.geometry, predicate="intersects")
    assert (pairs[0] == pairs[1]).all()
    assert (communities["households_total"].sum()) == len(structures)
    # Parcels tile their communities: same total area.
    assert layers["tenure_parcels"].area.sum() == pytest.approx(communities.area.sum(), rel=1e-6)
    assert set(layers["tenure_parcels"]["owner_class"]) <= set(
        catalog.layers["tenure_parcels"].fields["owner_class"].values
    )
    provenance = layer_store.info("structures").provenance
    assert provenance["illustrative"] is True and THAI.search(provenance["note"])


def test_households_sit_in_their_structures(national):
    layer_store, case_store, _ = national
    structures = layer_store.read("structures").set_index("structure_id")
    with case_store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(orm.households.c.structure_id, orm.households.c.agreed_to_move)
        ).all()
    ids = [r[0] for r in rows]
    assert len(set(ids)) == len(ids) == len(structures)
    agreed = dict(rows)
    assert all(agreed[sid] == bool(flag) for sid, flag in structures["agreed_to_move"].items())
    with case_store.uow() as uow:
        case_id = uow.repo.list_cases(limit=1)[0][0]["id"]
        case = uow.repo.get_case(case_id)
        members = uow.repo.list_households(case_id)
    footprints = structures.loc[[h.structure_id for h in members]].geometry
    assert all(shapely.contains(f, h.location) for f, h in zip(footprints, members, strict=True))
    assert all(shapely.contains(case.site, h.location) for h in members)


def test_dashboard_by_province_agrees_with_the_layers(national):
    layer_store, case_store, _ = national
    communities = layer_store.read("communities")
    structures = layer_store.read("structures")
    by_community = communities.set_index("community_id")["province_code"]
    households = structures["community_id"].map(by_community).value_counts()
    agreed = structures.loc[structures["agreed_to_move"], "community_id"].map(by_community)
    areas = services.progress_by_area(case_store.uow(), OFFICER)
    assert {a["code"] for a in areas} == set(communities["province_code"])
    for area in areas:
        code = area["code"]
        assert area["households"] == households[code]
        assert area["households_agreed"] == (agreed == code).sum()
        assert area["communities"] == area["cases"] == (communities["province_code"] == code).sum()
        assert sum(d["households"] for d in area["districts"]) == area["households"]
        assert THAI.search(area["name_th"]) and area["name_en"] != "not given"
    status = pd.Series({k: sum(a[k] for a in areas) for k in ("finished", "not_started")})
    assert status.sum() > 0


def test_same_seed_same_store_other_seed_differs(national, tmp_path, catalog):
    _, case_store, _ = national
    # The same seed into a second (embedded) store gives the same rows.
    again = CaseStore(tmp_path / "again")
    load_national_sample(open_store(tmp_path / "again"), again, catalog, seed=SEED, scale=SCALE)
    assert _rows(again) == _rows(case_store)
    again.dispose()
    plan_a, layers_a, _ = build_layers(SEED, SCALE)
    plan_b, layers_b, _ = build_layers(SEED, SCALE)
    for name in layers_a:
        pd.testing.assert_frame_equal(
            layers_a[name].drop(columns="geometry"), layers_b[name].drop(columns="geometry")
        )
        assert shapely.equals_exact(
            layers_a[name].geometry.values, layers_b[name].geometry.values, 0
        ).all()
    plan_c, layers_c, _ = build_layers(SEED + 1, SCALE)
    assert [c.district_code for c in plan_c.communities] != [
        c.district_code for c in plan_a.communities
    ]
    assert not layers_c["structures"].geometry.geom_equals(layers_a["structures"].geometry).all()


def test_replaces_the_corridor_sample_layers(store_config, catalog):
    layer_store, case_store = _stores(store_config)
    load_sample_layers(layer_store, catalog)
    assert "canal_centreline" in layer_store.layer_names()
    result = load_national_sample(layer_store, case_store, catalog, seed=SEED, scale=0.01)
    assert set(layer_store.layer_names()) == {"communities", "structures", "tenure_parcels"}
    assert layer_store.raster_names() == []
    assert {"districts", "canal_centreline", "flood_depth"} <= set(result["removed"])
    # 20 communities cannot cover 77 provinces: as many as there are communities.
    assert result["provinces"] == len(set(layer_store.read("communities")["province_code"]))
    case_store.dispose()


def test_refuses_a_case_store_with_cases_and_writes_nothing(national, catalog):
    layer_store, case_store, _ = national
    before = layer_store.info("structures").version
    with pytest.raises(CaseStoreNotEmpty) as caught:
        load_national_sample(layer_store, case_store, catalog, seed=SEED + 1, scale=0.01)
    assert caught.value.cases == 100
    assert layer_store.info("structures").version == before


def _planner(*args, config):
    env = {**os.environ, "PLANNER_HOME": config["PLANNER_HOME"]}
    env.pop("DATABASE_URL", None)
    if config.get("DATABASE_URL"):
        env["DATABASE_URL"] = config["DATABASE_URL"]
        env["PLANNER_DATABASE_SCHEMA"] = config["DATABASE_SCHEMA"]
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "sample", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_says_illustrative_counts_and_time(store_config):
    result = _planner(
        "--national", "--scale", "0.01", "--seed", "3", "--demo-users", config=store_config
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # The demo logins, the representative on a community of this store.
    rep = next(line for line in out.splitlines() if line.strip().startswith("rep.cc01"))
    assert "community_rep" in rep and "KPP-CC-01" not in rep
    assert "illustrative" in out and "ข้อมูลตัวอย่าง" in out
    assert "20 communities" in out and "3,000 structures" in out and "200 stage events" in out
    assert re.search(r"in \d+\.\d s", out) and "วินาที" in out
    # Again: the case store has cases now; refused in both languages, exit status 2.
    again = _planner("--national", "--scale", "0.01", config=store_config)
    assert again.returncode == 2
    assert "already has 20 cases" in again.stderr and THAI.search(again.stderr)
    bad = _planner("--national", "--scale", "0", config=store_config)
    assert bad.returncode == 2 and "--scale" in bad.stderr and THAI.search(bad.stderr)
    mixed = _planner("--national", "--rebuild", config=store_config)
    assert mixed.returncode == 2 and THAI.search(mixed.stderr)


def test_dashboard_goes_country_province_district(national, store_config):
    """Across 77 provinces the dashboard lists provinces (a few KB, not every district),
    one province's districts when it is chosen, and the 50 most overdue cases with a link
    to all of them."""
    from app import create_app
    from app.application.sample_loader import add_demo_logins

    _, case_store, result = national
    add_demo_logins(case_store, rep_community=result["first_community"])
    client = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **store_config}).test_client()
    client.post("/auth/login", data={"username": "officer", "password": "officer-demo-2562"})
    areas = services.progress_by_area(case_store.uow(), OFFICER)
    stalled = services.stalled_cases(case_store.uow(), OFFICER)

    page = client.get("/dashboard?lang=en").text
    assert page.count('class="area-province"') == len(areas) > 1
    assert 'class="area-district"' not in page and 'id="pick-province"' in page
    progress_rows = page.split('id="progress-table"', 1)[1].split("<tfoot>", 1)[0]
    assert "<tr data-district=" not in progress_rows
    total = page.split('<tr data-district="total">', 1)[1].split("</tr>", 1)[0]
    assert f"{sum(a['households'] for a in areas):,}" in total
    shown = page.split('id="stalled-table"', 1)[1].split("</table>", 1)[0].count("data-ref=")
    assert shown == min(50, len(stalled))
    assert f"Stalled cases ({len(stalled):,})" in page
    assert len(stalled) > 50 and 'href="/cases?stalled=1"' in page

    khon_kaen = next(a for a in areas if a["code"] == "40")
    assert 'href="/dashboard?province=40#progress-title"' in page
    page = client.get("/dashboard?province=40&lang=en").text
    assert page.count('class="area-province"') == 1 and 'id="all-provinces"' in page
    assert page.count('class="area-district"') == len(khon_kaen["districts"])
    assert f"{khon_kaen['households']:,}" in page.split('<tr data-district="total">', 1)[1]
    rows = page.split('id="progress-table"', 1)[1].split("<tfoot>", 1)[0]
    with case_store.engine.connect() as conn:
        names = conn.execute(
            sa.select(sa.func.count(sa.distinct(orm.communities.c.district_en))).where(
                orm.communities.c.province_code == "40"
            )
        ).scalar()
    assert rows.count("<tr data-district=") == names > 0
    # An unknown province is the country view, not an error.
    assert 'id="pick-province"' in client.get("/dashboard?province=zz").text


def test_national_case_list_goes_by_province_and_a_case_pages_its_households(
    national, store_config
):
    """Nationally the case list's district filter lists one province's districts (chosen
    first, or brought by a district), and a case page shows its households fifty at a
    time, logging as read only the households it showed."""
    from app import create_app
    from app.application.sample_loader import add_demo_logins

    _, case_store, result = national
    add_demo_logins(case_store, rep_community=result["first_community"])
    client = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **store_config}).test_client()
    client.post("/auth/login", data={"username": "officer", "password": "officer-demo-2562"})
    c, m = orm.cases, orm.communities
    with case_store.engine.connect() as conn:
        kk_districts = sorted(
            r[0]
            for r in conn.execute(
                sa.select(m.c.district_en).where(m.c.province_code == "40").distinct()
            )
        )
        kk_cases = conn.execute(
            sa.select(sa.func.count())
            .select_from(c.join(m, c.c.community_id == m.c.id))
            .where(m.c.province_code == "40")
        ).scalar()

    def district_options(page: str) -> list[str]:
        select = page.split('id="f-district"', 1)[1].split("</select>", 1)[0]
        return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]

    page = client.get("/cases?lang=en").text
    assert 'id="f-province"' in page and 'id="f-district-hint"' in page
    assert district_options(page) == []
    page = client.get("/cases?province=40&lang=en").text
    assert sorted(district_options(page)) == kk_districts
    assert f"{kk_cases:,}" in page.split("<h1", 1)[1]
    page = client.get(f"/cases?district={kk_districts[0]}&lang=en").text
    assert 'value="40" selected' in page and kk_districts[0] in district_options(page)
    assert 'id="f-province"' in client.get("/cases?province=zz").text  # ignored, no error

    with case_store.engine.connect() as conn:
        case_id, n = conn.execute(
            sa.select(orm.households.c.case_id, sa.func.count())
            .group_by(orm.households.c.case_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        ).one()
    assert n > 100

    def read_count() -> int:
        with case_store.engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count()).where(orm.read_log.c.via == "case_page")
            ).scalar()

    before = read_count()
    first = client.get(f"/cases/{case_id}?lang=en").text
    assert first.count('<tr id="hh-') == 50 and 'id="households-pager"' in first
    assert f"Households 1–50 of {n:,}" in first
    assert read_count() - before == 50  # the sample has no survey conflicts
    last_page = -(-n // 50)
    last = client.get(f"/cases/{case_id}?households_page={last_page}&lang=en").text
    assert last.count('<tr id="hh-') == n - 50 * (last_page - 1)
    assert set(re.findall(r'<tr id="hh-(\d+)"', first)).isdisjoint(
        re.findall(r'<tr id="hh-(\d+)"', last)
    )
    beyond = client.get(f"/cases/{case_id}?households_page=999&lang=en").text
    assert beyond.count('<tr id="hh-') == last.count('<tr id="hh-')
