"""Layer names: short, lower-case identifiers safe as file and table names."""

import re

from gis.errors import PlannerError

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
# Names the stores and their file formats use themselves (SQLite, GeoPackage, PostGIS,
# the export's style table, the import reports): never a layer's.
_RESERVED_PREFIXES = ("sqlite_", "gpkg_", "rtree_", "pg_", "idx_")
_RESERVED = frozenset(
    {
        "spatial_ref_sys",
        "geometry_columns",
        "geography_columns",
        "raster_columns",
        "raster_overviews",
        "layer_styles",
        "import_reports",
        "alembic_version",
    }
)


def is_layer_name(name) -> bool:
    return (
        isinstance(name, str)
        and _NAME.match(name) is not None
        and not name.startswith(_RESERVED_PREFIXES)
        and name not in _RESERVED
    )


def check_layer_name(name: str) -> str:
    if not is_layer_name(name):
        raise PlannerError(
            f"layer name {str(name)[:60]!r} must be lower-case letters, digits and _, start "
            "with a letter, and not be a name the store uses itself (sqlite_…, gpkg_…, "
            "layer_styles …)"
        )
    return name
