"""The national-scale sample (`planner sample --national`, decision 0030): 2,000
communities in the 77 provinces, a structure and a household for each of 300,000
households, 50,000 tenure parcels and 20,000 stage events, all made up.

The case plan (cases/synthetic.py) decides where each community is and how big;
gis/national.py draws the layers from it; the case store gets the communities' shapes
as case sites and the structures' centres as household locations. The layers replace
the corridor sample's under the same catalogue names; the cases need an empty case
store, checked before anything is written.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import shapely

from app.application import tiles
from cases import synthetic
from cases.store import CaseStore
from gis.catalog import Catalog, check_layer
from gis.national import national_layers
from gis.store import LayerStore

PARCELS = 50_000
LAYERS = ("communities", "structures", "tenure_parcels")
PROVENANCE = {
    "source": "planner sample --national",
    "illustrative": True,
    "note": "ข้อมูลตัวอย่างระดับประเทศ ไม่ใช่ข้อมูลจริง / made-up national-scale sample, not real data",
}


class CaseStoreNotEmpty(Exception):
    """The case store already has cases: the national sample adds none to them."""

    def __init__(self, cases: int):
        super().__init__(cases)
        self.cases = cases


def scaled(scale: float) -> dict[str, int]:
    """The counts at `scale` (1.0 is the national scale); at least one of each."""
    if not 0 < scale <= 1.0:
        raise ValueError(scale)
    full = {
        "communities": synthetic.COMMUNITIES,
        "households": synthetic.HOUSEHOLDS,
        "tenure_parcels": PARCELS,
        "events": synthetic.EVENTS,
    }
    return {k: max(1, round(v * scale)) for k, v in full.items()}


def build_layers(seed: int, scale: float = 1.0):
    """(plan, layers, agreed): the case plan and the three layers, nothing written."""
    counts = scaled(scale)
    plan = synthetic.plan(seed, communities=counts["communities"], households=counts["households"])
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
    agreed = np.random.default_rng(seed + 3).random(int(plan.households.sum())) < 0.85
    layers = national_layers(
        frame, plan.households, agreed, parcels=counts["tenure_parcels"], seed=seed
    )
    return plan, layers, agreed


def load_national_sample(
    layer_store: LayerStore,
    case_store: CaseStore,
    catalog: Catalog,
    *,
    seed: int = 2562,
    scale: float = 1.0,
) -> dict:
    """Build and write the national sample; counts and seconds taken per step.

    Raises CaseStoreNotEmpty (nothing written) when the case store has cases, and
    ValidationError when a layer does not pass its catalogue entry."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with case_store.uow() as uow:
        _, existing = uow.repo.list_cases(limit=1)
    if existing:
        raise CaseStoreNotEmpty(existing)
    plan, layers, agreed = build_layers(seed, scale)
    for name in LAYERS:
        check_layer(layers[name], catalog.layers[name], file="national sample")
    timings["build_s"] = time.perf_counter() - started

    step = time.perf_counter()
    counts: dict[str, int] = {}
    for name in LAYERS:
        info = layer_store.write(name, layers[name], provenance={**PROVENANCE, "seed": seed})
        counts[name] = info.feature_count
    removed = _remove_corridor_layers(layer_store, catalog)
    timings["layers_s"] = time.perf_counter() - step

    step = time.perf_counter()
    structures = layers["structures"]
    centres = shapely.get_coordinates(shapely.centroid(structures.geometry.values))
    written = synthetic.write(
        case_store,
        plan,
        events=scaled(scale)["events"],
        sites=list(layers["communities"].geometry.values),
        locations=centres,
        structure_ids=structures["structure_id"].tolist(),
        agreed=agreed,
    )
    timings["cases_s"] = time.perf_counter() - step

    step = time.perf_counter()
    tiled = tiles.prebuild(layer_store, catalog, LAYERS)
    timings["tiles_s"] = time.perf_counter() - step
    timings["total_s"] = time.perf_counter() - started
    return {
        "layers": counts,
        "removed": removed,
        "cases": written,
        "provinces": len({c.province_code for c in plan.communities}),
        "first_community": plan.communities[0].id,
        "tiles": tiled,
        "timings": {k: round(v, 1) for k, v in timings.items()},
    }


def _remove_corridor_layers(layer_store: LayerStore, catalog: Catalog) -> list[str]:
    """The corridor sample's other layers (those `planner sample` loaded), which would
    otherwise show the Khlong Prem corridor beside national data."""
    removed = []
    for name in layer_store.layer_names():
        if name in LAYERS or name not in catalog.layers:
            continue
        if layer_store.info(name).provenance.get("loaded_by") == "planner sample":
            layer_store.delete(name)
            removed.append(name)
    for name in layer_store.raster_names():
        if name in catalog.layers:  # the corridor's flood grid
            layer_store.raster_path(name).unlink()
            removed.append(name)
    return removed
