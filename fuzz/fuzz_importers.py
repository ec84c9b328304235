"""Fuzz the importers with atheris (issue 10, item 9).

    python fuzz/fuzz_importers.py TARGET [libFuzzer options] [CORPUS_DIR ...]

TARGET is one of geojson, kml, kmz, csv, xlsx, shpzip, gpkg. Bytes are written to
a file with the target's suffix and read by `read_and_validate`, the importers'
entry point (read, check, reproject; nothing is written). Only the planner's own
refusals (gis.errors.PlannerError and subclasses) are expected; any other
exception is a crash. Without a corpus directory the seeds are the files of
tests/data/corpus with the target's suffix. `make fuzz` runs every target.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import atheris

# The libraries are imported before instrumentation: only the planner is instrumented.
import geopandas  # noqa: F401
import openpyxl  # noqa: F401
import pandas  # noqa: F401
import pyogrio  # noqa: F401

with atheris.instrument_imports(include=["gis"]):
    from gis.catalog import load_catalog
    from gis.errors import PlannerError
    from gis.importing import read_and_validate

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "data" / "corpus"
TARGETS = {
    "geojson": ".geojson",
    "kml": ".kml",
    "kmz": ".kmz",
    "csv": ".csv",
    "xlsx": ".xlsx",
    "shpzip": ".zip",
    "gpkg": ".gpkg",
}
CATALOG = load_catalog()


def one_input(suffix: str, data: bytes) -> None:
    """Import `data` as a file with `suffix`; a PlannerError is a proper refusal."""
    with tempfile.TemporaryDirectory(prefix="planner-fuzz-") as work:
        path = Path(work) / f"fuzz{suffix}"
        path.write_bytes(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with contextlib.suppress(PlannerError):
                read_and_validate(path, layer="uploaded_sites", catalog=CATALOG)


def seed_corpus(suffix: str) -> str:
    """A temporary folder with the seed files of this suffix (libFuzzer adds to it)."""
    folder = Path(tempfile.mkdtemp(prefix=f"planner-fuzz-corpus{suffix.replace('.', '-')}-"))
    for path in sorted(SEEDS.rglob(f"*{suffix}")):
        if path.is_file() and path.stat().st_size < 512 * 1024:
            shutil.copy(path, folder / path.name)
    return str(folder)


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in TARGETS:
        sys.exit(f"usage: {argv[0]} {{{','.join(TARGETS)}}} [libFuzzer options] [corpus]")
    suffix = TARGETS[argv[1]]
    args = [argv[0], *argv[2:]]
    if not [a for a in argv[2:] if not a.startswith("-")]:
        args.append(seed_corpus(suffix))
    atheris.Setup(args, lambda data: one_input(suffix, data))
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
