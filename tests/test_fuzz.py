"""A short bounded pass of every importer fuzz harness (fuzz/fuzz_importers.py, atheris).

Each target runs from the seed files of tests/data/corpus for a bounded number of
inputs in its own process; it must end cleanly (only the planner's own refusals).
`make fuzz` runs the same harnesses for longer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris")

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT / "fuzz" / "fuzz_importers.py"
TARGETS = ["geojson", "kml", "kmz", "csv", "xlsx", "shpzip", "gpkg"]


@pytest.mark.parametrize("target", TARGETS)
def test_fuzz_harness_finds_no_crash(target, tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(HARNESS),
            target,
            "-runs=150",
            "-max_total_time=4",
            "-timeout=20",
            "-seed=1",
            f"-artifact_prefix={tmp_path}/",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Done" in result.stderr and not list(tmp_path.glob("crash-*"))


REGRESSIONS = sorted((ROOT / "tests" / "data" / "corpus" / "fuzz").iterdir())


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_inputs_that_crashed_the_importers_are_now_refused(path, catalog):
    """Each file here once raised a non-planner error (zlib.error, NotImplementedError
    for odd zip versions, IndexError for a nameless member, ValueError from float(''));
    now it is a bilingual refusal naming the file."""
    from gis.errors import ValidationError
    from gis.importing import read_and_validate

    with pytest.raises(ValidationError) as excinfo:
        read_and_validate(path, layer="uploaded_sites", catalog=catalog)
    problem = excinfo.value.problems[0]
    assert problem.file and problem.file.startswith(path.name)
    assert problem.message_en and problem.message_th
