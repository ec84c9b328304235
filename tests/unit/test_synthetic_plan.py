"""The national sample's case plan (cases/synthetic.py) and layers (gis/national.py),
without a store: exact totals, every province, real codes, determinism, tidy geometry."""

import numpy as np
import pandas as pd
import pytest
import shapely

from cases import synthetic
from cases.register import dopa_tables
from cases.workflow import default_workflows
from gis.national import national_layers, read_provinces


@pytest.mark.parametrize(
    ("communities", "households"), [(2_000, 300_000), (77, 1_000), (20, 3_000)]
)
def test_plan_splits_the_totals_exactly(communities, households):
    plan = synthetic.plan(5, communities=communities, households=households)
    assert len(plan.communities) == communities
    assert plan.households.sum() == households and plan.households.min() >= 1
    provinces = {c.province_code for c in plan.communities}
    # Every province once there are enough communities; fewer, by weight, otherwise.
    assert len(provinces) == 77 if communities >= 77 else len(provinces) <= communities
    _, districts, subdistricts = dopa_tables()
    for c in plan.communities:
        assert districts[c.district_code].province_code == c.province_code
        assert subdistricts[c.subdistrict_code].district_code == c.district_code
        assert c.district_en == districts[c.district_code].name_en


def test_plan_is_deterministic():
    a, b, c = (synthetic.plan(seed, communities=300, households=9_000) for seed in (1, 1, 2))
    assert a.communities == b.communities and (a.households == b.households).all()
    assert a.communities != c.communities


@pytest.mark.parametrize("n_events", [1, 3, 11, 25])
def test_history_has_exactly_its_events_and_moves_in_stage_order(n_events):
    stages = default_workflows().case_type("canal_side").stage_ids()
    history, reached = synthetic._history(np.random.default_rng(n_events), stages, n_events)
    assert len(history) == n_events
    moves = [s for kind, s in history if kind == "move"]
    assert moves == stages[: reached + 1]
    kinds = [kind for kind, _ in history]
    assert kinds[0] == "move"
    assert kinds.count("hold") - kinds.count("release") in (0, 1)


def test_layers_keep_structures_inside_their_community():
    plan = synthetic.plan(9, communities=80, households=4_000)
    frame = pd.DataFrame(
        {
            "community_id": [c.id for c in plan.communities],
            "name_th": [c.name_th for c in plan.communities],
            "name_en": [c.name_en for c in plan.communities],
            "province_code": [c.province_code for c in plan.communities],
            "district_code": [c.district_code for c in plan.communities],
            "subdistrict_code": [c.subdistrict_code for c in plan.communities],
        }
    )
    agreed = np.ones(4_000, dtype=bool)
    layers = national_layers(frame, plan.households, agreed, parcels=700, seed=9)
    communities, structures = layers["communities"], layers["structures"]
    assert len(read_provinces()) == 77
    assert len(structures) == 4_000 and len(layers["tenure_parcels"]) == 700
    sites = dict(zip(communities["community_id"], communities.geometry))
    inside = [
        shapely.contains(sites[cid], g)
        for cid, g in zip(structures["community_id"], structures.geometry)
    ]
    assert all(inside)
    assert (communities["households_agreed"] == communities["households_total"]).all()
