"""The national-scale sample's layers (`planner sample --national`, decision 0030).

Made up, and labelled so: communities as small rectangles on a grid around each
province's approximate centre (layers/national/provinces.csv), one 6 x 9 m structure
per household in rows inside its community, and tenure parcels that tile each
community. Built in the storage CRS (metres) from the start, as numpy arrays turned
into shapely geometries in one call each, so 300,000 structures take seconds.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from gis.catalog import STORAGE_CRS
from gis.paths import NATIONAL_DIR

PROVINCES_CSV = NATIONAL_DIR / "provinces.csv"
GRID_M = 1_500.0  # spacing of the community grid around a province centre
JITTER_M = 300.0
HOUSE_W, HOUSE_D = 6.0, 9.0  # a structure's footprint
CELL_W, CELL_D = 9.0, 13.0  # a structure with its gap and lane
MARGIN_M = 6.0
OWNERS = ("treasury", "railway", "bma", "private")
# Owner class shares in Bangkok and elsewhere (no BMA land outside Bangkok).
OWNER_SHARES = {True: [0.35, 0.15, 0.2, 0.3], False: [0.45, 0.15, 0.0, 0.4]}


@dataclass(frozen=True)
class Province:
    code: str
    name_th: str
    name_en: str
    lat: float
    lon: float


def read_provinces() -> dict[str, Province]:
    """The 77 provinces by TIS 1099 (DOPA) code, with an approximate centre."""
    with open(PROVINCES_CSV, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {
        r["code"]: Province(r["code"], r["name_th"], r["name_en"], float(r["lat"]), float(r["lon"]))
        for r in rows
    }


def _grid_cells(n: int) -> np.ndarray:
    """The `n` grid cells (i, j) nearest the centre, nearest first."""
    r = int(np.ceil(np.sqrt(n) / 2)) + 1
    i, j = np.meshgrid(np.arange(-r, r + 1), np.arange(-r, r + 1), indexing="ij")
    cells = np.column_stack([i.ravel(), j.ravel()])
    order = np.lexsort((cells[:, 1], cells[:, 0], (cells**2).sum(axis=1)))
    return cells[order[:n]]


def _place(rng, codes: np.ndarray, provinces: dict[str, Province]) -> np.ndarray:
    """Community centres (x, y) in the storage CRS: the free cells of one national grid
    nearest each province's centre (so neighbouring provinces never share a cell), jittered."""
    to_storage = Transformer.from_crs("EPSG:4326", STORAGE_CRS, always_xy=True)
    out = np.zeros((len(codes), 2))
    taken: set[tuple[int, int]] = set()
    for code in sorted(set(codes)):
        idx = np.flatnonzero(codes == code)
        p = provinces[code]
        cx, cy = to_storage.transform(p.lon, p.lat)
        home = np.array([round(cx / GRID_M), round(cy / GRID_M)])
        free = [c for c in map(tuple, _grid_cells(4 * len(idx) + 64) + home) if c not in taken][
            : len(idx)
        ]
        taken.update(free)
        out[idx] = np.array(free, dtype=float) * GRID_M
    return out + rng.uniform(-JITTER_M, JITTER_M, out.shape)


def _to_world(local: np.ndarray, owner: np.ndarray, centres, angles) -> np.ndarray:
    """Local (.., 2) corner coordinates rotated by their community's angle and moved to
    its centre; `owner` is each row's community."""
    cos, sin = np.cos(angles[owner]), np.sin(angles[owner])
    x, y = local[..., 0], local[..., 1]
    return np.stack(
        [
            centres[owner, 0][:, None] + x * cos[:, None] - y * sin[:, None],
            centres[owner, 1][:, None] + x * sin[:, None] + y * cos[:, None],
        ],
        axis=-1,
    )


def _rectangles(x0, y0, x1, y1) -> np.ndarray:
    """Closed rings (n, 5, 2) of axis-aligned rectangles."""
    return np.stack(
        [
            np.column_stack([x0, y0]),
            np.column_stack([x1, y0]),
            np.column_stack([x1, y1]),
            np.column_stack([x0, y1]),
            np.column_stack([x0, y0]),
        ],
        axis=1,
    )


def national_layers(
    communities: pd.DataFrame,
    households: np.ndarray,
    agreed: np.ndarray,
    *,
    parcels: int,
    seed: int,
) -> dict[str, gpd.GeoDataFrame]:
    """communities, structures and tenure_parcels for the catalogue's layers.

    `communities` has community_id, name_th, name_en, province_code, district_code,
    subdistrict_code; `households` is the number of households of each, `agreed` one
    flag per household (communities in order)."""
    rng = np.random.default_rng(seed + 2)
    provinces = read_provinces()
    n = len(communities)
    households = np.asarray(households, dtype=np.int64)
    centres = _place(rng, communities["province_code"].to_numpy(str), provinces)
    angles = rng.uniform(-np.pi / 6, np.pi / 6, n)
    cols = np.ceil(np.sqrt(households * 1.3)).astype(np.int64)
    rows = -(-households // cols)
    half_w = cols * CELL_W / 2 + MARGIN_M
    half_d = rows * CELL_D / 2 + MARGIN_M

    ring = _rectangles(-half_w, -half_d, half_w, half_d)
    community_geoms = shapely.polygons(_to_world(ring, np.arange(n), centres, angles))
    names = {code: provinces[code] for code in set(communities["province_code"])}
    comm = gpd.GeoDataFrame(
        {
            "community_id": communities["community_id"].to_numpy(object),
            "name_th": communities["name_th"].to_numpy(object),
            "name_en": communities["name_en"].to_numpy(object),
            "province_code": communities["province_code"].to_numpy(object),
            "district_code": communities["district_code"].to_numpy(object),
            "subdistrict_code": communities["subdistrict_code"].to_numpy(object),
            "area_en": [names[c].name_en for c in communities["province_code"]],
            "area_th": [names[c].name_th for c in communities["province_code"]],
            "province_th": [names[c].name_th for c in communities["province_code"]],
            "households_total": households,
            "households_agreed": np.add.reduceat(agreed.astype(np.int64), _starts(households)),
        },
        geometry=community_geoms,
        crs=STORAGE_CRS,
    )

    owner = np.repeat(np.arange(n), households)
    k = np.arange(len(owner)) - np.repeat(_starts(households), households)
    col, row = k % cols[owner], k // cols[owner]
    x = (col - (cols[owner] - 1) / 2) * CELL_W + rng.uniform(-0.8, 0.8, len(owner))
    y = (row - (rows[owner] - 1) / 2) * CELL_D + rng.uniform(-0.8, 0.8, len(owner))
    ring = _rectangles(x - HOUSE_W / 2, y - HOUSE_D / 2, x + HOUSE_W / 2, y + HOUSE_D / 2)
    ids = comm["community_id"].to_numpy(str)[owner]
    numbers = k + 1
    structures = gpd.GeoDataFrame(
        {
            "structure_id": np.char.add(
                np.char.add(ids, "-S"), np.char.zfill(numbers.astype(str), 4)
            ).astype(object),
            "community_id": ids.astype(object),
            "household_no": numbers,
            "agreed_to_move": agreed.astype(bool),
            "encroachment": np.full(len(owner), "none", dtype=object),
        },
        geometry=shapely.polygons(_to_world(ring, owner, centres, angles)),
        crs=STORAGE_CRS,
    )

    tenure = _parcels(rng, comm, households, parcels, centres, angles, half_w, half_d)
    return {"communities": comm, "structures": structures, "tenure_parcels": tenure}


def _starts(counts: np.ndarray) -> np.ndarray:
    return np.cumsum(counts) - counts


def _parcels(rng, comm, households, total, centres, angles, half_w, half_d):
    """`total` parcels, shared by the communities by size; each community's rectangle
    cut into rows of equal parcels."""
    n = len(comm)
    per = np.ones(n, dtype=np.int64) if total >= n else np.zeros(n, dtype=np.int64)
    per += rng.multinomial(total - int(per.sum()), households / households.sum())
    x0s, y0s, x1s, y1s, owners = [], [], [], [], []
    for i in np.flatnonzero(per):
        p = int(per[i])
        n_rows = int(np.ceil(np.sqrt(p)))
        in_row = np.full(n_rows, p // n_rows) + (np.arange(n_rows) < p % n_rows)
        edges_y = np.linspace(-half_d[i], half_d[i], n_rows + 1)
        for r, m in enumerate(in_row):
            if m == 0:
                continue
            edges_x = np.linspace(-half_w[i], half_w[i], int(m) + 1)
            x0s.append(edges_x[:-1])
            x1s.append(edges_x[1:])
            y0s.append(np.full(m, edges_y[r]))
            y1s.append(np.full(m, edges_y[r + 1]))
            owners.append(np.full(m, i))
    owner = np.concatenate(owners)
    ring = _rectangles(*(np.concatenate(a) for a in (x0s, y0s, x1s, y1s)))
    bangkok = comm["province_code"].to_numpy(str)[owner] == "10"
    draw = rng.random(len(owner))
    classes = np.empty(len(owner), dtype=object)
    for flag in (True, False):
        cut = np.cumsum(OWNER_SHARES[flag])
        pick = np.minimum(np.searchsorted(cut, draw, side="right"), len(OWNERS) - 1)
        classes[bangkok == flag] = np.array(OWNERS, dtype=object)[pick][bangkok == flag]
    return gpd.GeoDataFrame(
        {
            "parcel_id": [f"NP{i + 1:06d}" for i in range(len(owner))],
            "owner_class": classes,
        },
        geometry=shapely.polygons(_to_world(ring, owner, centres, angles)),
        crs=STORAGE_CRS,
    )
