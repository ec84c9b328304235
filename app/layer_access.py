"""Who sees which layer and which of its fields: `cases.policy`'s rule on the store.

Every place that serves layer features (the layer API, the map, exports) asks here.
A catalogue layer's access is declared in layers/catalog.yaml; an imported layer is
`personal` when `cases.privacy` classifies any of its columns, else `logged_in`.
"""

from __future__ import annotations

from flask import current_app, g

from app.auth import NotLoggedIn
from app.store import get_catalog, get_store
from cases import policy, privacy
from cases.errors import Forbidden
from gis.store import LayerNotFound


def layer_columns(name: str) -> list[str]:
    """The stored layer's attribute columns (remembered per layer version)."""
    store = get_store()
    info = store.info(name)
    cache = current_app.extensions["planner"]["cache"]
    key = ("columns", name)
    stamp = (info.version, info.written_at)
    if cache.get(key, (None,))[0] != stamp:
        gdf = store.read(name, bbox=(0, 0, 0, 0))
        cache[key] = (stamp, [c for c in gdf.columns if c != gdf.geometry.name])
    return list(cache[key][1])


def _all_columns(name: str) -> list[str]:
    """Stored columns, and the catalogue's fields for a layer not loaded yet."""
    try:
        columns = layer_columns(name)
    except LayerNotFound:  # one read of the layer's metadata, not a look first
        columns = []
    entry = get_catalog().layers.get(name)
    if entry is not None:
        columns += [f for f in entry.fields if f not in columns]
    return columns


def layer_access(name: str, columns: list[str] | None = None) -> str:
    """public, logged_in or personal."""
    entry = get_catalog().layers.get(name)
    if entry is not None:
        return entry.access
    return policy.imported_layer_access(_all_columns(name) if columns is None else columns)


def may_see(name: str, user=None) -> bool:
    return policy.may_see_layer(_user(user), layer_access(name))


def _user(user):
    return g.get("user") if user is None else user


def require_layer(name: str, user=None) -> None:
    """Refuse a layer the user may not open: 401 when not logged in, else 403."""
    user = _user(user)
    if policy.may_see_layer(user, layer_access(name)):
        return
    if user is None:
        raise NotLoggedIn(
            f"layer {name!r} is for logged-in users; log in first",
            f"ชั้นข้อมูล {name} สำหรับผู้ใช้ที่เข้าสู่ระบบแล้ว กรุณาเข้าสู่ระบบก่อน",
        )
    raise Forbidden(f"you may not open layer {name!r}", f"คุณไม่มีสิทธิ์เปิดชั้นข้อมูล {name}")


def hidden_fields(name: str, user=None) -> frozenset[str]:
    """The fields of layer `name` the user must not be shown."""
    return policy.hidden_layer_fields(_user(user), _all_columns(name))


def served_personal(name: str, user=None) -> bool:
    """Whether what the user is served of `name` holds personal fields (then: no-store)."""
    columns = _all_columns(name)
    shown = set(privacy.personal_fields(columns)) - policy.hidden_layer_fields(_user(user), columns)
    return bool(shown)


def visible_layers(names, user=None) -> list[str]:
    """The names the user may see, in order; unknown names raise LayerNotFound."""
    store, catalog = get_store(), get_catalog()
    out = []
    for name in names:
        if name not in catalog and not store.has_layer(name):
            raise LayerNotFound(name)
        if may_see(name, user):
            out.append(name)
    return out
