"""The layer store held still for a backup (app/application/backup.py).

Every layer write takes a per-layer lock first (docs/decisions/0013): on the embedded
store the lock file `layers/.<name>.lock`, held while the layer's GeoPackage is written and
moved into place; on PostGIS the advisory lock `hashtext('<schema>.<name>')`, held by the
transaction that swaps the layer's table. Holding every layer's lock stops layer writers
(and deletes) for as long as the backup needs; readers are never stopped.

- Embedded: the GeoPackages copied under the hold are the layers of one moment.
- PostGIS: a layer write drops and renames tables, which a dump's snapshot cannot see
  safely (a table swapped between pg_dump's snapshot and its table locks would be dumped
  empty). Under the hold no layer write is under way or can start, so pg_dump's snapshot
  and its locks see the same tables.

Writers take one lock each, so taking them all in name order cannot deadlock with them.
The hold takes no table lock itself, so it never stands in pg_dump's way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from gis.store import GeoPackageStore, LayerStore
from gis.store_base import file_lock


@contextlib.contextmanager
def layers_held(store: LayerStore) -> Iterator[dict[str, Path]]:
    """Hold the write lock of every layer of `store`; yields layer name → its GeoPackage
    for the embedded store (as they are once all locks are held), {} for PostGIS."""
    if isinstance(store, GeoPackageStore):
        with contextlib.ExitStack() as stack:
            names = store.layer_names()
            for name in names:  # sorted by layer_names
                stack.enter_context(file_lock(store.layer_dir / f".{name}.lock"))
            # A layer deleted while we waited for its lock is gone at our moment.
            yield {name: store._path(name) for name in names if store.has_layer(name)}
        return
    from gis.postgis_store import PostGISStore

    if not isinstance(store, PostGISStore):  # pragma: no cover - the two stores there are
        raise TypeError(f"no hold for {store!r}")
    import sqlalchemy as sa

    names = store.layer_names()
    with store.engine.connect() as conn, conn.begin():
        for name in names:  # the key PostGISStore.write and .delete take
            conn.execute(
                sa.text("SELECT pg_advisory_xact_lock(hashtext(:n))"),
                {"n": f"{store.schema}.{name}"},
            )
        yield {}
