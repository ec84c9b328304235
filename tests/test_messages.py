"""Messages read as written: a thing named once ("แปลง 904: …", never "แปลง 904: แปลง 904:
…") and English plurals with a singular for one ("1 unsaved change")."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from app.strings import STRINGS

JS = Path(__file__).resolve().parents[1] / "app" / "static" / "js"


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_a_refused_save_names_its_plot_once():
    script = f"""
    const {{ named }} = await import({json.dumps((JS / "messages.js").as_uri())});
    console.log(JSON.stringify([
      named("แปลง 904", "แปลง 904: รูปเรขาคณิตไม่ถูกต้อง (Self-intersection)"),
      named("Plot 904", "plot 904: the geometry is invalid"),
      named("แปลง 904", "มีคนแก้ไขกรณีนี้ไปแล้ว"),
      named("ขอบเขตพื้นที่", "ขอบเขตพื้นที่: อยู่นอกประเทศไทย"),
    ]));
    """
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(out.stdout) == [
        "แปลง 904: รูปเรขาคณิตไม่ถูกต้อง (Self-intersection)",
        "plot 904: the geometry is invalid",
        "แปลง 904: มีคนแก้ไขกรณีนี้ไปแล้ว",
        "ขอบเขตพื้นที่: อยู่นอกประเทศไทย",
    ]


def test_the_case_map_names_a_refused_save_through_named():
    source = (JS / "case_map.js").read_text(encoding="utf-8")
    assert 'import { named } from "./messages.js";' in source
    assert "${describe(item.layer)}: ${error.message}" not in source
    assert "named(describe(item.layer), error.message)" in source


def test_one_unsaved_change_is_singular():
    assert STRINGS["mapjs.pending_one"] == {"th": "ยังไม่ได้บันทึก 1 รายการ", "en": "1 unsaved change"}
    assert STRINGS["mapjs.pending"]["en"] == "{n} unsaved changes"
    source = (JS / "case_map.js").read_text(encoding="utf-8")
    assert 'count === 1 ? tr("pending_one")' in source


def test_the_rule_sets_write_no_hedged_plural():
    rules = Path(__file__).resolve().parents[1] / "layers" / "rules"
    hedged = [p.name for p in rules.glob("*.yaml") if "(s)" in p.read_text(encoding="utf-8")]
    assert hedged == []
