"""Every stored code is shown in words (issue 13, item 6): pop-ups, layer info and reports.

A stored code such as "west", "none" or "flood" is data, not text for a person. The
catalogue gives each coded field its words in Thai and English (`values`), the API passes
them to the map, and the map's pop-up shows only the words in the page's language.
"""

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
