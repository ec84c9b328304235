"""Where the project's own files live (never `../shared` at run time)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LAYERS_DIR = PROJECT_ROOT / "layers"
CATALOG_PATH = LAYERS_DIR / "catalog.yaml"
SOURCES_DIR = LAYERS_DIR / "sources"
SAMPLE_DIR = LAYERS_DIR / "sample"
SAMPLE_GPKG = SAMPLE_DIR / "khlong_prem_sample.gpkg"
# Leaflet and fonts, vendored once for the web app and for offline notebook maps.
VENDOR_DIR = PROJECT_ROOT / "app" / "static" / "vendor"
