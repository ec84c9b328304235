"""The exported GeoPackage opens styled in QGIS itself (issue 12, item 7).

QGIS's Python bindings are Debian's `python3-qgis`, built for the system Python
(/usr/bin/python3), not the project venv: the check runs there in a subprocess, offscreen,
and prints JSON. It also renders tests/output/<test>/qgis_*.png; look at them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from gis.exporting import export_layers
from gis.qml import qgis_color
from gis.style import legend_label

SYSTEM_PYTHON = "/usr/bin/python3"
LAYERS = [
    "districts",
    "zoning",
    "tenure_parcels",
    "canal_setback",
    "canal_water",
    "canal_centreline",
    "railway",
    "communities",
    "structures",
    "disaster_sites",
]

# Runs under /usr/bin/python3 with QGIS: argv = gpkg, layers (JSON), output folder.
QGIS_SCRIPT = r"""
import json, sys
from qgis.core import (
    QgsApplication, QgsCategorizedSymbolRenderer, QgsMapRendererSequentialJob,
    QgsMapSettings, QgsRectangle, QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

gpkg, names, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
app = QgsApplication([], False)
app.initQgis()
from qgis.core import Qgis
report = {"qgis": Qgis.QGIS_VERSION, "layers": {}}
layers = {}
for name in names:
    layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")  # default style on open
    layers[name] = layer
    renderer = layer.renderer()
    info = {
        "valid": layer.isValid(),
        "feature_count": layer.featureCount(),
        "renderer": renderer.type() if renderer else None,
        "aliases": {f.name(): f.alias() for f in layer.fields()},
        "widgets": {
            f.name(): {
                "type": layer.editorWidgetSetup(i).type(),
                "config": layer.editorWidgetSetup(i).config(),
            }
            for i, f in enumerate(layer.fields())
        },
    }
    def symbol_info(symbol):
        return {
            "color": symbol.color().name(QColor.HexArgb),
            "layers": [sl.layerType() for sl in symbol.symbolLayers()],
            "hatch": [sl.subSymbol().color().name() for sl in symbol.symbolLayers()
                      if sl.layerType() == "LinePatternFill"],
        }
    if isinstance(renderer, QgsCategorizedSymbolRenderer):
        info["field"] = renderer.classAttribute()
        info["categories"] = [
            {"value": c.value(), "label": c.label(), **symbol_info(c.symbol())}
            for c in renderer.categories()
        ]
        # which category each feature is drawn with, counted by label
        drawn = {}
        from qgis.core import QgsRenderContext
        ctx = QgsRenderContext()
        renderer.startRender(ctx, layer.fields())
        for feature in layer.getFeatures():
            symbol = renderer.symbolForFeature(feature, ctx)
            key = symbol.color().name() if symbol else "none"
            drawn[key] = drawn.get(key, 0) + 1
        renderer.stopRender(ctx)
        info["drawn_by_colour"] = drawn
    elif renderer is not None and renderer.type() == "singleSymbol":
        info["symbol"] = symbol_info(renderer.symbol())
    report["layers"][name] = info

def render(names_top_first, extent, path):
    settings = QgsMapSettings()
    settings.setLayers([layers[n] for n in names_top_first])
    settings.setDestinationCrs(layers[names_top_first[0]].crs())
    settings.setBackgroundColor(QColor("white"))
    settings.setOutputSize(QSize(1200, 900))
    settings.setExtent(extent)
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(path, "PNG")
    colours = {}
    for x in range(0, image.width(), 4):
        for y in range(0, image.height(), 4):
            c = QColor(image.pixel(x, y)).name()
            colours[c] = colours.get(c, 0) + 1
    return {"path": path, "colours": colours}

order = ["disaster_sites", "structures", "communities", "railway", "canal_centreline",
         "canal_water", "canal_setback", "zoning", "districts"]
order = [n for n in order if n in layers]
overview = QgsRectangle(layers["zoning"].extent())
report["renders"] = {"overview": render(order, overview, f"{out}/qgis_overview.png")}
# a close-up on the structures nearest the canal: the encroachment classes
encroaching = next(layers["structures"].getFeatures("encroachment = 'canal'"))
centre = encroaching.geometry().centroid().asPoint()
close = QgsRectangle(centre.x() - 150, centre.y() - 110, centre.x() + 150, centre.y() + 110)
report["renders"]["closeup"] = render(order, close, f"{out}/qgis_closeup.png")
report["renders"]["structures"] = render(["structures"], close, f"{out}/qgis_structures.png")
print("REPORT " + json.dumps(report, ensure_ascii=False, default=str), flush=True)
# QGIS 3.22 may crash tearing down live layers at exit; the report is out, so leave now.
import os
os._exit(0)
"""


def _qgis_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True, timeout=120
    )
    return probe.returncode == 0


def _hex(color: str, opacity: float) -> str:
    """#AARRGGBB as QColor.name(HexArgb) spells a catalogue colour."""
    alpha = int(qgis_color(color, opacity).split(",")[3])
    return f"#{alpha:02x}{color.lstrip('#').lower()}"


@pytest.fixture(scope="module")
def qgis_report(sample_store, catalog, tmp_path_factory):
    """Export every sample vector layer as one GeoPackage, open it in QGIS, return its JSON."""
    assert _qgis_available(), (
        "QGIS's Python bindings are missing (Debian package python3-qgis for /usr/bin/python3). "
        "Install them with: sudo bash scripts/system-deps.sh (what `make test` runs)"
    )
    work = tmp_path_factory.mktemp("qgis")
    gpkg = export_layers(sample_store, catalog, LAYERS, fmt="gpkg", out=work / "export.gpkg")
    out = Path(__file__).parent / "output" / "qgis_styles"
    out.mkdir(parents=True, exist_ok=True)
    script = work / "qgis_check.py"
    script.write_text(QGIS_SCRIPT, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(work)}
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONHOME", None)
    result = subprocess.run(
        [SYSTEM_PYTHON, str(script), str(gpkg), json.dumps(LAYERS), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=work,
    )
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("REPORT ")]
    assert result.returncode == 0 and lines, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(lines[-1].removeprefix("REPORT "))
    report["gpkg"] = gpkg
    return report


def test_every_layer_has_a_default_qml_style_beside_its_sld(qgis_report):
    con = sqlite3.connect(qgis_report["gpkg"])
    rows = con.execute(
        "SELECT f_table_name, useAsDefault, styleQML, styleSLD FROM layer_styles"
    ).fetchall()
    con.close()
    assert sorted(r[0] for r in rows) == sorted(LAYERS)
    for name, default, qml, sld in rows:
        assert default == 1, name
        assert qml and qml.lstrip().startswith("<!DOCTYPE qgis"), name
        assert sld and "StyledLayerDescriptor" in sld, name


def test_qgis_opens_each_layer_valid_with_its_features(qgis_report, sample_store):
    for name in LAYERS:
        info = qgis_report["layers"][name]
        assert info["valid"], name
        assert info["feature_count"] == len(sample_store.read(name)), name


def test_qgis_renderer_and_categories_follow_the_catalogue(qgis_report, catalog, sample_store):
    for name in LAYERS:
        entry, info = catalog[name], qgis_report["layers"][name]
        style = entry.style
        opacity = style.get("fill_opacity", 0.3)
        classify = style.get("classify")
        if entry.geometry_type == "LineString":
            opacity = 1.0  # a line is drawn in its stroke colour
        if not classify:
            assert info["renderer"] == "singleSymbol", name
            colour = style.get("fill_color", style.get("color"))
            assert info["symbol"]["color"] == _hex(colour, opacity), name
            continue
        assert info["renderer"] == "categorizedSymbol", name
        assert info["field"] == classify["field"], name
        *cats, other = info["categories"]
        assert other["value"] == "" and other["label"] == "ค่าอื่น ๆ / Other values", name
        assert len(cats) == len(classify["classes"]), name
        for cat, cls in zip(cats, classify["classes"], strict=True):
            values = cat["value"] if isinstance(cat["value"], list) else [cat["value"]]
            assert values == [str(v) for v in cls["values"]], name
            assert cat["color"] == _hex(cls["fill_color"], opacity), (name, cls)
            assert cat["label"] == legend_label(cls["label"]), name
            if cls.get("pattern") == "hatch":
                assert cat["layers"] == ["SimpleFill", "LinePatternFill"], name
                assert cat["hatch"] == [cls["pattern_color"].lower()], name
        # every feature is drawn with its class colour, none by the "other values" catch-all
        gdf = sample_store.read(name)
        expected: dict[str, int] = {}
        for value in gdf[classify["field"]]:
            cls = next(c for c in classify["classes"] if value in c["values"])
            key = cls["fill_color"].lower()
            expected[key] = expected.get(key, 0) + 1
        assert info["drawn_by_colour"] == expected, name


def test_legend_and_field_names_are_thai_and_english(qgis_report, catalog):
    zoning = qgis_report["layers"]["zoning"]
    hatch = next(c for c in zoning["categories"] if c["value"] == ["ก.1", "ก.2", "ก.3"])
    assert hatch["label"] == (
        "ก.1–ก.3 อนุรักษ์ชนบทและเกษตรกรรม / ก.1–ก.3 rural and agricultural conservation"
    )
    aliases = qgis_report["layers"]["communities"]["aliases"]
    assert aliases["name_th"] == "ชื่อชุมชน / Name (Thai)"
    assert aliases["households_total"] == "ครัวเรือนทั้งหมด / Households"


def test_qgis_renders_the_plan_colours_and_encroachment_classes(qgis_report, catalog):
    """The PNGs in tests/output/qgis_styles/ show the catalogue colours (look at them)."""
    renders = qgis_report["renders"]
    for key in ("overview", "closeup", "structures"):
        assert Path(renders[key]["path"]).stat().st_size > 10_000, key
    # the structures alone, on white: each class colour at the catalogue's fill opacity
    drawn = renders["structures"]["colours"]
    style = catalog["structures"].style
    opacity = style["fill_opacity"]
    for cls in style["classify"]["classes"]:
        rgb = [int(cls["fill_color"][i : i + 2], 16) for i in (1, 3, 5)]
        on_white = [c * opacity + 255 * (1 - opacity) for c in rgb]
        pixels = sum(
            n
            for colour, n in drawn.items()
            if sum(abs(int(colour[1 + 2 * i : 3 + 2 * i], 16) - on_white[i]) for i in range(3)) < 12
        )
        assert pixels > 50, (cls["values"], pixels)
    # the zoning plan, hatch and all: many colours, not one random fill
    assert len(renders["overview"]["colours"]) > 30


def test_qgis_shows_each_stored_code_in_words(qgis_report, catalog):
    """A coded field opens with a value map: the attribute table shows "ไทย / English" and
    the stored code stays (issue 13, item 6)."""
    checked = 0
    for name in LAYERS:
        entry = catalog[name]
        widgets = qgis_report["layers"][name]["widgets"]
        for spec in entry.fields.values():
            if not spec.values or spec.name not in widgets:
                continue
            widget = widgets[spec.name]
            assert widget["type"] == "ValueMap", (name, spec.name, widget)
            shown = {v: k for item in widget["config"]["map"] for k, v in item.items()}
            assert shown == {code: legend_label(w) for code, w in spec.values.items()}
            checked += 1
    assert checked >= 4  # bank, encroachment, kind, owner_class at least
