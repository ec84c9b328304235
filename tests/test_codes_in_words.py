"""Every stored code is shown in words (issue 13, item 6): pop-ups, layer info and reports.

A stored code such as "west", "none" or "flood" is data, not text for a person. The
catalogue gives each coded field its words in Thai and English (`values`), the API passes
them to the map, and the map's pop-up shows only the words in the page's language.
"""

import io
import re
from pathlib import Path

import pytest

# What a stored code looks like: a short lower-case identifier (west, none, treasury).
RAW_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
THAI = re.compile(r"[\u0E00-\u0E7F]")
MAP_JS = Path(__file__).resolve().parents[1] / "app" / "static" / "js" / "map.js"


def _sample_values(gdf, name):
    return sorted({str(v) for v in gdf[name].dropna().unique()})


def test_every_sample_value_of_a_coded_field_has_thai_and_english_words(catalog, sample_layers):
    seen = 0
    for entry in catalog.vector_layers():
        gdf = sample_layers.get(entry.name)
        if gdf is None:
            continue
        for spec in entry.fields.values():
            if spec.name not in gdf.columns or spec.type != "str":
                continue
            values = _sample_values(gdf, spec.name)
            looks_coded = values and all(RAW_CODE.match(v) for v in values)
            if looks_coded:
                assert spec.values, f"{entry.name}.{spec.name} stores codes {values} with no words"
            if not spec.values:
                continue
            for value in values:
                words = spec.values.get(value)
                assert words, f"{entry.name}.{spec.name}: {value!r} has no words"
                assert THAI.search(words["th"]), (entry.name, spec.name, value, words)
                assert words["en"] and words["en"] != value, (entry.name, spec.name, value)
                seen += 1
    # bank, owner_class, encroachment, kind and zone_class at least
    assert seen >= 2 + 4 + 3 + 3 + 5


def test_a_classified_field_with_words_covers_every_class(catalog):
    for entry in catalog.vector_layers():
        classify = entry.style.get("classify")
        spec = entry.fields.get(classify["field"]) if classify else None
        if spec is None or not spec.values:
            continue
        for cls in classify["classes"]:
            for value in cls["values"]:
                assert value in spec.values, (entry.name, value)


def test_the_catalogue_refuses_a_value_without_both_languages(tmp_path):
    from gis.catalog import load_catalog
    from gis.errors import CatalogError
    from gis.paths import CATALOG_PATH

    text = CATALOG_PATH.read_text(encoding="utf-8")
    broken = text.replace("west: {th: ฝั่งตะวันตก, en: West bank}", "west: {en: West bank}")
    assert broken != text
    path = tmp_path / "catalog.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(CatalogError, match="bank: values: west"):
        load_catalog(path)


def _popup_cells(meta: dict, props: dict, lang: str) -> dict[str, str]:
    """What map.js's buildPopup puts in each field's cell (the text part of it)."""
    cells = {}
    for name, spec in meta["fields"].items():
        words = (spec.get("values") or {}).get(str(props.get(name)))
        cells[name] = words[lang] if words else str(props.get(name))
    return cells


def test_map_popups_show_words_from_the_api_not_codes(client, auth):
    js = MAP_JS.read_text(encoding="utf-8")
    assert "spec.values?.[String(props[name])]" in js  # the pop-up uses the words
    auth.login("officer")
    layers = {item["name"]: item for item in client.get("/api/layers").get_json()["layers"]}
    expected = {
        ("communities", "bank"): {"th": {"ฝั่งตะวันตก", "ฝั่งตะวันออก"}},
        ("structures", "encroachment"): {"th": {"ไม่รุกล้ำ"}, "en": {"Clear"}},
        ("disaster_sites", "kind"): {"th": {"น้ำท่วม"}, "en": {"Flood"}},
        ("tenure_parcels", "owner_class"): {"th": {"ที่ดินเอกชน"}, "en": {"Private land"}},
    }
    shown: dict[tuple[str, str, str], set[str]] = {}
    for layer, field in expected:
        meta = layers[layer]
        assert meta["fields"][field].get("values"), (layer, field)
        features = client.get(f"/api/layers/{layer}").get_json()["features"]
        assert features, layer
        for feature in features[:400]:
            for lang in ("th", "en"):
                cells = _popup_cells(meta, feature["properties"], lang)
                for name, text in cells.items():
                    if meta["fields"][name].get("values"):
                        assert not RAW_CODE.match(text), f"{layer}.{name}: raw code {text!r}"
                        assert lang == "en" or THAI.search(text), f"{layer}.{name}: {text!r}"
                shown.setdefault((layer, field, lang), set()).add(cells[field])
    for (layer, field), langs in expected.items():
        for lang, words in langs.items():
            assert words <= shown[(layer, field, lang)], (layer, field, lang)


# --- the import report ------------------------------------------------------------------

IMPORT_CORPUS = Path(__file__).parent / "data" / "corpus" / "good"
PROJ_STEP_NAMES = ("axis order change", "UTM zone 47N", "Inverse of", "(None)", "None")


def test_transformation_in_words_never_proj_step_names():
    from pyproj import Transformer

    from gis.importing.crs import INDIAN_1975_TRANSFORMATION, transformation_words

    for source in ("EPSG:4326", "EPSG:32648", "EPSG:3857"):
        name = Transformer.from_crs(source, "EPSG:32647", always_xy=True).description
        words = transformation_words({"code": None, "name": name})
        assert THAI.search(words["th"]) and "UTM โซน 47 เหนือ" in words["th"], (source, words)
        for step in ("axis order change", "Inverse of", "Popular Visualisation"):
            assert step not in words["th"] and step not in words["en"], (source, words)
    axis = transformation_words({"code": None, "name": "axis order change (2D)"})
    assert axis == {
        "th": "สลับลำดับแกนละติจูด/ลองจิจูด",
        "en": "Latitude and longitude axes swapped",
    }
    same = transformation_words({"code": None, "name": "none (already in the layer CRS)"})
    assert same["th"].startswith("ไม่ต้องแปลง")
    indian = transformation_words(INDIAN_1975_TRANSFORMATION)
    assert indian["th"].startswith("EPSG:1304") and THAI.search(indian["th"])


def _report_text(page: str) -> str:
    start = page.index('class="card report"')
    return page[start : page.index("</div>", start)]


def test_import_report_page_is_in_words(writable_client, writable_auth):
    writable_auth.login("officer")
    path = IMPORT_CORPUS / "communities.geojson"  # EPSG:4326: PROJ says "axis order change"
    res = writable_client.post(
        "/api/imports",
        data={"file": (io.BytesIO(path.read_bytes()), path.name), "layer": "communities"},
        content_type="multipart/form-data",
    )
    assert res.status_code == 201, res.get_data(as_text=True)
    report_id = res.get_json()["id"]
    th = _report_text(writable_client.get(f"/imports/{report_id}?lang=th").get_data(as_text=True))
    en = _report_text(writable_client.get(f"/imports/{report_id}?lang=en").get_data(as_text=True))
    for text in (th, en):
        for raw in PROJ_STEP_NAMES:
            assert raw not in text, (raw, text)
        assert not re.search(r"<dd[^>]*>\s*(written|refused|validated)\s*</dd>", text), text
        for code in ("· replace", "(geojson)", "communities ·"):
            assert code not in text, (code, text)
    assert "สลับลำดับแกนละติจูด/ลองจิจูด แล้วฉายลง UTM โซน 47 เหนือ" in th
    assert "บันทึกแล้ว" in th and "แทนที่ทั้งชั้น" in th and "ชุมชน ·" in th
    assert "(GeoJSON)" in th and "Communities · Replace the whole layer" in en


def test_import_report_without_a_format_says_so(writable_app):
    from flask import render_template

    report = {
        "id": "r1",
        "file": "x.dat",
        "format": None,
        "layer": "structures",
        "mode": "append",
        "status": "refused",
        "features_read": 0,
        "features_written": 0,
        "transformation": None,
    }
    for lang, words in (("th", "ไม่ทราบรูปแบบ"), ("en", "format not recognised")):
        with writable_app.test_request_context(f"/imports?lang={lang}"):
            html = render_template("imports/_report.html", report=report)
        assert "(None)" not in html and f"({words})" in html, html
        assert ">refused<" not in html and "append" not in html


# --- the site-check report --------------------------------------------------------------


@pytest.fixture(scope="module")
def site_check(sample_store, catalog):
    from gis.check import CHECKS, inputs_from_store, run_checks, sites_from_store
    from gis.rules import load_rules

    sites, info = sites_from_store(sample_store, "communities", ids=["KPP-CC-01", "KPP-DM-03"])
    inputs = inputs_from_store(sample_store, list(CHECKS), catalog=catalog)
    return run_checks(sites, inputs, rules=load_rules(), against=list(CHECKS), sites_info=info)


def _cover(html: str) -> str:
    return html[html.index('<header class="cover">') : html.index("</header>")]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_site_check_cover_names_the_rule_set_and_layer_in_words(site_check, catalog, lang):
    from gis.report.html import render_html

    html = render_html(site_check, lang=lang)
    cover = _cover(html)
    rules = site_check.rules
    assert rules.name not in cover, cover  # "bangkok_baan_mankong"
    assert rules.title[lang] in cover
    assert not re.search(r"\d+ · communities\b", cover), cover  # "3 · communities"
    assert f"2 · {catalog['communities'].title[lang]}" in cover
    assert rules.file not in cover  # the rule file's path stays in the notes
    assert rules.file in html[html.index('<section class="notes">') :]


# --- sources and licences ---------------------------------------------------------------

FILE_PATH = re.compile(r"[\w.-]+/[\w./-]*\.[A-Za-z]{2,}\b|\.py\b|\.LICENSE\b")


def _shown_source(meta: dict, lang: str) -> str:
    """What map.js puts in a pop-up's foot: the source's name and the licence."""
    name, licence = meta["source"]["name"], meta["licence"]
    return f"{name[lang]} · {licence[lang]}"


def test_layer_info_sources_and_licences_are_bilingual_without_file_paths(client, auth):
    js = MAP_JS.read_text(encoding="utf-8")
    assert "pick(meta.source?.name)" in js and "pick(meta.licence)" in js
    auth.login("officer")
    layers = client.get("/api/layers").get_json()["layers"]
    assert len(layers) >= 10
    for meta in layers:
        for lang in ("th", "en"):
            shown = _shown_source(meta, lang)
            assert not FILE_PATH.search(shown), (meta["name"], lang, shown)
            assert "gis/sample" not in shown and "layers/" not in shown, shown
        assert THAI.search(_shown_source(meta, "th")), meta["name"]
        assert not THAI.search(_shown_source(meta, "en")), meta["name"]
    districts = next(m for m in layers if m["name"] == "districts")
    # the paths stay, for maintainers, in fields the map does not show
    assert districts["source"]["licence_file"] == "layers/sources/bangkok-districts.LICENSE"


def test_the_catalogue_refuses_a_file_path_in_a_shown_source(tmp_path):
    from gis.catalog import load_catalog
    from gis.errors import CatalogError
    from gis.paths import CATALOG_PATH

    text = CATALOG_PATH.read_text(encoding="utf-8")
    shown = 'en: "Made up by the planner for the sample; not real data"'
    assert shown in text
    path = tmp_path / "catalog.yaml"
    path.write_text(text.replace(shown, "en: Generated by gis/sample.py", 1), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"source name \(en\): no file paths"):
        load_catalog(path)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_site_check_sources_are_in_the_report_language(site_check, catalog, lang):
    from gis.report.html import render_html

    html = render_html(site_check, lang=lang)
    table = html[html.index('<table class="data sources">') :]
    table = table[: table.index("</table>")]
    assert "gis/sample.py" not in table and ".LICENSE" not in table
    assert catalog["communities"].source["name"][lang] in table
    assert catalog["communities"].licence[lang] in table


def test_site_check_page_shows_the_source_in_the_page_language(app):
    from flask import render_template_string

    template = (
        "{% for i in inputs %}{% if i.source %}"
        "{{ i.source[lang] if i.source is mapping else i.source }}{% endif %}{% endfor %}"
    )
    page = (Path(__file__).resolve().parents[1] / "app/templates/overlap/result.html").read_text(
        encoding="utf-8"
    )
    assert "i.source[lang] if i.source is mapping else i.source" in page
    with app.test_request_context("/"):
        source = {"th": "ข้อมูลตัวอย่าง", "en": "Sample"}
        html = render_template_string(template, inputs=[{"source": source}], lang="th")
    assert html == "ข้อมูลตัวอย่าง"


def test_site_check_csv_puts_each_code_beside_its_words(site_check):
    import csv

    from gis.check import FLOOD_STATUS_LABELS, SETBACK_LABELS
    from gis.report import report_csv
    from gis.rules import VERDICT_LABELS

    rows = list(csv.DictReader(io.StringIO(report_csv(site_check).decode("utf-8-sig"))))
    header = list(rows[0])
    for coded, words in (
        ("verdict", VERDICT_LABELS),
        ("setback_status", SETBACK_LABELS),
        ("flood_status", FLOOD_STATUS_LABELS),
    ):
        assert f"{coded}_th" in header and f"{coded}_en" in header, coded
        assert header.count(f"{coded}_th") == 1, coded
        for row in rows:
            assert row[f"{coded}_th"] == words[row[coded]]["th"], (coded, row[coded])
            assert row[f"{coded}_en"] == words[row[coded]]["en"], (coded, row[coded])
    assert rows[0]["setback_status"] == "partly_inside"  # the code stays, for other software
    assert rows[0]["setback_status_th"] == "อยู่ในระยะถอยร่นบางส่วน"
    kinds = [r["nearest_disaster_kind_th"] for r in rows if r["nearest_disaster_kind"]]
    assert kinds and all(THAI.search(k) for k in kinds)


# --- small strings ------------------------------------------------------------------------


def test_no_string_counts_with_an_s_in_brackets():
    from app.strings import STRINGS

    bracketed = {k: v["en"] for k, v in STRINGS.items() if "(s)" in v.get("en", "")}
    assert bracketed == {}


def test_a_count_of_one_is_said_in_the_singular():
    from app.strings import count_text

    assert count_text("layer_cases.cases", 1, "en") == "1 case"
    assert count_text("layer_cases.cases", 3, "en") == "3 cases"
    assert count_text("layer_cases.features", 1, "en") == "1 feature"
    assert count_text("layer_cases.cases", 2, "th") == "2 กรณี"


def test_layer_cases_page_says_one_case(app):
    from flask import render_template_string

    with app.test_request_context("/?lang=en"):
        html = render_template_string(
            "{{ t('layer_cases.will_open').format(cases=tn('layer_cases.cases', 1),"
            " features=tn('layer_cases.features', 1)) }}"
        )
    assert html == "1 case will be opened from 1 feature"


def test_an_unknown_check_is_answered_with_the_checks_in_words(app):
    from app.overlap_views import _unknown_checks
    from gis.check import CHECK_TITLES

    with app.test_request_context("/"):
        one = _unknown_checks(["floods"])
        two = _unknown_checks(["floods", "fire"])
    assert one.message_en.startswith("There is no check named “floods”")
    assert two.message_en.startswith("There are no checks named “floods”, “fire”")
    for lang, message in (("en", one.message_en), ("th", one.message_th)):
        assert all(CHECK_TITLES[c][lang] in message for c in CHECK_TITLES), message
        assert "zoning, tenure" not in message and "(s)" not in message
    assert one.field == "against"


def test_the_pdpa_audit_entries_have_words():
    """The audit log's consent, subject-access, breach and request entries (issue 14) are
    shown in words in /api/audit's `action_label` and `entity_label`, not as their codes."""
    from app.application.words import words

    for action in (
        "consent:given",
        "consent:withdrawn",
        "subject_access",
        "notified",
        "fulfilled",
        "rejected",
    ):
        label = words("audit_action", action)
        assert label and THAI.search(label["th"]) and label["en"] != action, action
    for entity in ("breach", "pdpa request"):
        label = words("audit_entity", entity)
        assert label and THAI.search(label["th"]) and label["en"] != entity, entity
