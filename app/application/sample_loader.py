"""The sample loader: the Khlong Prem Prachakorn layers into the layer store, then the
sample cases built from those layers into the case store (`planner sample`)."""

from __future__ import annotations

from pathlib import Path

from cases.sample import DEMO_USERS, add_demo_users, load_sample_cases
from cases.store import CaseStore
from gis.catalog import Catalog
from gis.layers import load_sample, read_package
from gis.paths import SAMPLE_DIR, SAMPLE_GPKG
from gis.store import LayerStore


def load_sample_layers(
    layer_store: LayerStore, catalog: Catalog, sample_dir: Path = SAMPLE_DIR
) -> dict[str, int]:
    """Every catalogue layer of the sample (GeoPackage and rasters in `sample_dir`), checked
    first and then written; feature counts by layer (rasters count as 1)."""
    return load_sample(
        layer_store,
        catalog,
        package=Path(sample_dir) / SAMPLE_GPKG.name,
        raster_dir=Path(sample_dir),
    )


def load_sample_case_data(
    case_store: CaseStore,
    catalog: Catalog,
    sample_dir: Path = SAMPLE_DIR,
    *,
    demo_users: bool = False,
) -> dict:
    """The sample cases, one per community of the sample GeoPackage, into an empty case
    store (kept as they are otherwise), and the demo logins when `demo_users`."""
    layers = read_package(Path(sample_dir) / SAMPLE_GPKG.name, catalog)
    return load_sample_cases(case_store, layers, demo_users=demo_users)


def load_whole_sample(
    layer_store: LayerStore,
    case_store: CaseStore,
    catalog: Catalog,
    sample_dir: Path = SAMPLE_DIR,
    *,
    demo_users: bool = False,
) -> dict:
    """Layers, then cases (and demo logins when asked): what `planner sample` loads."""
    layers = load_sample_layers(layer_store, catalog, sample_dir)
    cases = load_sample_case_data(case_store, catalog, sample_dir, demo_users=demo_users)
    return {"layers": layers, "cases": cases}


def add_demo_logins(
    case_store: CaseStore, *, rep_community: str | None = None
) -> list[tuple[str, str, str, str | None]]:
    """The README's demo logins where missing (this machine only); returns them all as
    (user name, password, role, community). `rep_community`: the representative's
    community in a store without the corridor's (the national sample)."""
    add_demo_users(case_store, rep_community=rep_community)
    return [(u, p, r, (rep_community or c) if c else None) for u, p, r, c in DEMO_USERS]
