"""Where the planner's own files live, the same from a checkout and from the wheel.

Found through the import system (`importlib.resources`), never `../shared` at run time.
In the wheel the catalogue, rules and sample are package data at `gis/_layers/`; in a
checkout they stay in the top-level `layers/` folder (docs/decisions/0014).
"""

import os
from importlib import resources
from pathlib import Path

GIS_DIR = Path(str(resources.files("gis")))
PROJECT_ROOT = GIS_DIR.parent  # the checkout, or site-packages when installed
PACKAGED_LAYERS_DIR = GIS_DIR / "_layers"  # `layers/` as the wheel carries it
CHECKOUT = (
    PROJECT_ROOT
    if (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "layers").is_dir()
    else None
)
LAYERS_DIR = (
    PACKAGED_LAYERS_DIR
    if (PACKAGED_LAYERS_DIR / "catalog.yaml").is_file() or CHECKOUT is None
    else CHECKOUT / "layers"
)
CATALOG_PATH = LAYERS_DIR / "catalog.yaml"
RULES_DIR = LAYERS_DIR / "rules"
# The sources `planner sample --rebuild` starts from: in a checkout only (3 MB of districts).
SOURCES_DIR = LAYERS_DIR / "sources"
SAMPLE_DIR = LAYERS_DIR / "sample"
SAMPLE_GPKG = SAMPLE_DIR / "khlong_prem_sample.gpkg"
# The national-scale sample's province table (docs/decisions/0030).
NATIONAL_DIR = LAYERS_DIR / "national"
# Leaflet and fonts, vendored once for the web app and for offline notebook maps. `app` is
# gis's sibling in the checkout and in the wheel; found by path so gis never imports app.
VENDOR_DIR = PROJECT_ROOT / "app" / "static" / "vendor"


def _default_home() -> Path:
    """`instance/` in a checkout; installed, the user's data folder (any working folder)."""
    if CHECKOUT is not None:
        return CHECKOUT / "instance"
    if os.name == "nt":  # pragma: no cover - officers' Windows laptops
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "codi-housing-planner"


DEFAULT_HOME = _default_home()
