"""Rules defined once: the storage CRS, Thailand's extent, the Buddhist Era, the status
labels, the personal fields and the string catalogue each have one definition."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "cases", "gis")


def _python_files():
    for package in PACKAGES:
        yield from (ROOT / package).rglob("*.py")


def _web_files():
    for pattern in ("app/templates/**/*.html", "app/static/**/*.js"):
        yield from (p for p in ROOT.glob(pattern) if "vendor" not in p.parts)


def _constants(path: Path):
    """(line, value) of every literal in a module but its docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and id(node) not in docstrings:
            yield node.lineno, node.value


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_storage_crs_is_written_once_per_package():
    """No module but the constants' defines or passes the CRS itself (prose may name it)."""
    allowed = {"gis/catalog.py", "cases/model.py"}
    copies = [
        f"{_rel(p)}:{line}"
        for p in _python_files()
        if _rel(p) not in allowed
        for line, value in _constants(p)
        if value in ("EPSG:32647", 32647) or (isinstance(value, str) and '"EPSG:32647"' in value)
    ]
    assert copies == []


def test_gis_and_cases_agree_on_the_storage_crs_and_thailand():
    from cases import model, orm
    from gis import catalog

    assert model.STORAGE_CRS == catalog.STORAGE_CRS
    assert int(catalog.STORAGE_CRS.split(":")[1]) == orm.SRID
    raw = yaml.safe_load((ROOT / "layers" / "catalog.yaml").read_text(encoding="utf-8"))
    assert raw["storage_crs"] == catalog.STORAGE_CRS
    assert model.THAILAND_EXTENT == catalog.THAILAND_EXTENT


def test_the_thailand_extent_holds_the_whole_country():
    from gis.catalog import THAILAND_EXTENT

    minx, miny, maxx, maxy = THAILAND_EXTENT
    # Thailand's real extent: about 97.34–105.64 E, 5.61–20.46 N.
    assert minx <= 97.34 and maxx >= 105.64 and miny <= 5.61 and maxy >= 20.46
    # ...and not much more: Myanmar's Yangon (96.2 E) and Kunming (25 N) are outside.
    assert minx > 96.2 and maxy < 25


def test_no_other_thailand_box():
    pattern = re.compile(r"box\(\s*9[6-8][.\d]*\s*,|\(\s*9[6-8]\.\d+\s*,\s*[4-6]\.\d+\s*,")
    allowed = {"gis/catalog.py", "cases/model.py"}
    copies = [
        f"{_rel(p)}:{n}"
        for p in _python_files()
        if _rel(p) not in allowed
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert copies == []


def test_buddhist_era_is_added_only_by_gis_thaidate():
    copies = [
        f"{_rel(p)}:{line}"
        for p in _python_files()
        if _rel(p) != "gis/thaidate.py"
        for line, value in _constants(p)
        if value == 543
    ]
    copies += [
        f"{_rel(p)}:{n}"
        for p in _python_files()
        if _rel(p) != "gis/thaidate.py"
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if "BUDDHIST_ERA_OFFSET" in line
    ]
    copies += [
        f"{_rel(p)}:{n}"
        for p in _web_files()
        if p.name != "workshop.js"  # parses the form's B.E. year back (the workshop slice's)
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"[+-]\s*543\b", line) or "THAI_MONTHS" in line
    ]
    assert copies == []


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        ("2019-04-09", "th", "9 เม.ย. 2562"),
        ("2019-04-09", "en", "9 Apr 2019"),
        ("", "th", ""),
        ("not a date", "en", ""),
    ],
)
def test_one_date_formatter_for_python_and_templates(value, lang, text):
    from app.i18n import format_date
    from gis.thaidate import format_date as gis_format_date
    from gis.thaidate import thai_date

    assert format_date(value, lang) == gis_format_date(value, lang) == text
    if lang == "th":
        assert thai_date(value) == text


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        ("2020-03", "th", "มี.ค. 2563"),
        ("2020-03", "en", "Mar 2020"),
        ("2020-03-17", "th", "มี.ค. 2563"),
        ("2020-13", "th", ""),
        ("", "en", ""),
    ],
)
def test_a_month_without_a_day_has_one_formatter(value, lang, text):
    from gis.thaidate import format_month

    assert format_month(value, lang) == text


def test_the_browser_gets_the_same_month_table():
    from gis.thaidate import EN_MONTHS, THAI_MONTHS, date_table

    table = json.loads(json.dumps(date_table()))
    assert table["months"] == {"th": THAI_MONTHS, "en": EN_MONTHS}
    assert table["year_offset"]["th"] - table["year_offset"]["en"] == 543


def test_illustrative_has_one_thai_translation():
    from app.i18n import STRINGS
    from gis.catalog import STATUS_LABELS
    from gis.report.html import STATUS_LABELS as REPORT_LABELS

    th = STATUS_LABELS["illustrative"]["th"]
    for key, value in STRINGS.items():
        if key.endswith(".illustrative") and value["en"] == "illustrative":
            assert value["th"] == th, key
    assert REPORT_LABELS["illustrative"]["th"].startswith(th)
    # The other renderings once used are gone from the code and the pages.
    for path in [*_python_files(), *_web_files()]:
        text = path.read_text(encoding="utf-8")
        assert "ข้อมูลสมมติ" not in text, _rel(path)
        assert '"ตัวอย่าง", en: "illustrative"' not in text, _rel(path)


def test_personal_fields_are_listed_only_in_the_register():
    copies = [
        _rel(p)
        for p in _python_files()
        if _rel(p) != "cases/register.py"
        and re.search(r"^\s*PERSONAL_FIELDS\s*[:=]", p.read_text(encoding="utf-8"), re.M)
    ]
    assert copies == []


def test_the_map_scripts_hold_no_strings_of_their_own():
    from app.i18n import STRINGS

    for name in ("js/map.js", "js/i18n.js", "js/imports.js", "overlap.js"):
        text = (ROOT / "app" / "static" / name).read_text(encoding="utf-8")
        code = "\n".join(
            line for line in text.splitlines() if not line.strip().startswith(("//", "/*", "*"))
        )
        assert not re.search("[\u0e01-\u0e5b]", code), name
    map_js = (ROOT / "app" / "static" / "js" / "map.js").read_text(encoding="utf-8")
    keys = set(re.findall(r"""\bt\(\s*["`]([\w.]+)["`]""", map_js))
    aliases = {"app.title": "app_title", "app.subtitle": "app_subtitle"}  # i18n.js SERVER_ALIASES
    keys = {aliases.get(k, k) for k in keys}
    assert keys and keys <= set(STRINGS), keys - set(STRINGS)


def test_one_store_opener_for_the_layer_and_case_stores():
    text = (ROOT / "app" / "casestore.py").read_text(encoding="utf-8")
    assert "from app.store import opened" in text and "threading" not in text


def test_import_options_are_one_object(tmp_path):
    from gis.errors import PlannerError
    from gis.importing import ImportOptions

    opts = ImportOptions.of(None, {"mode": "append", "crs": "EPSG:4326"})
    assert opts == ImportOptions(mode="append", crs="EPSG:4326")
    assert opts.label_for(tmp_path / "a.gpkg::layer") == "a.gpkg"
    with pytest.raises(PlannerError):
        ImportOptions(mode="merge")
    with pytest.raises(TypeError):
        ImportOptions.of(None, {"colour": "red"})
    with pytest.raises(TypeError):
        ImportOptions.of(opts, {"mode": "replace"})
