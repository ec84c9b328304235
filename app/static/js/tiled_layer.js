/**
 * A large vector layer drawn from the server's vector tiles (docs/decisions/0029).
 *
 * MapLibre GL JS draws the tiles inside a Leaflet layer (maplibre-gl-leaflet), so the
 * layer list, legend and pop-ups stay Leaflet's. Both are vendored; they load only when
 * the store holds a layer big enough to be tiled. No text is drawn in WebGL (Thai labels
 * are HTML), so no glyphs are needed.
 *
 * A tile holds either the features (with the field the layer is coloured by) or, where
 * there are too many or they are smaller than a pixel, one point per cell with `count`,
 * drawn as a circle sized by that count. Pop-ups ask the layer API for the features under
 * the click, so hidden fields stay hidden as they do everywhere else.
 */

let modules = null;

/** MapLibre and its Leaflet binding, loaded once (they are ~460 KB gzipped). */
function loadModules() {
  if (!modules) {
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = new URL("../vendor/maplibre-gl/maplibre-gl.css", import.meta.url).href;
    document.head.append(css);
    modules = Promise.all([import("maplibre-gl"), import("maplibre-gl-leaflet")]);
  }
  return modules;
}

function matchColour(meta, fallback) {
  const s = meta.style || {};
  const classes = s.classify?.classes || [];
  if (!s.classify || !classes.length) return fallback;
  const expr = ["match", ["to-string", ["get", s.classify.field]]];
  for (const cls of classes) {
    const values = (cls.values || []).map(String);
    if (values.length) expr.push(values, cls.fill_color || fallback);
  }
  expr.push(s.fill_color || "#cccccc");
  return expr;
}

/** The MapLibre style of one tiled layer, from its catalogue style. */
export function glStyle(meta, tileUrl) {
  const s = meta.style || {};
  const colour = s.color || "#3388ff";
  const fill = s.fill_color || colour;
  const name = meta.tiles.layer || meta.name;
  const summary = ["has", "count"];
  const detail = ["!", ["has", "count"]];
  const layers = [
    {
      id: "counts",
      type: "circle",
      source: "tiles",
      "source-layer": name,
      filter: summary,
      paint: {
        "circle-color": colour,
        "circle-opacity": 0.55,
        "circle-stroke-color": "#ffffff",
        "circle-stroke-width": 1,
        // From 2 px for one feature to 7 px for a thousand or more: a cell is 16 px.
        "circle-radius": ["interpolate", ["linear"], ["sqrt", ["get", "count"]], 1, 2, 32, 7],
      },
    },
  ];
  const geometry = meta.geometry_type || "";
  if (/Polygon/.test(geometry)) {
    layers.push(
      {
        id: "fill",
        type: "fill",
        source: "tiles",
        "source-layer": name,
        filter: detail,
        paint: { "fill-color": matchColour(meta, fill), "fill-opacity": s.fill_opacity ?? 0.3 },
      },
      {
        id: "outline",
        type: "line",
        source: "tiles",
        "source-layer": name,
        filter: detail,
        paint: { "line-color": colour, "line-width": s.weight ?? 1, "line-opacity": s.opacity ?? 1 },
      },
    );
  } else if (/LineString/.test(geometry)) {
    layers.push({
      id: "line",
      type: "line",
      source: "tiles",
      "source-layer": name,
      filter: detail,
      paint: { "line-color": colour, "line-width": s.weight ?? 1, "line-opacity": s.opacity ?? 1 },
    });
  } else {
    layers.push({
      id: "points",
      type: "circle",
      source: "tiles",
      "source-layer": name,
      filter: detail,
      paint: {
        "circle-color": matchColour(meta, fill),
        "circle-radius": s.radius ?? 6,
        "circle-stroke-color": colour,
        "circle-stroke-width": s.weight ?? 1,
      },
    });
  }
  return {
    version: 8,
    sources: { tiles: { type: "vector", tiles: [tileUrl], minzoom: 0, maxzoom: 22 } },
    layers,
  };
}

/**
 * A Leaflet layer drawing `meta`'s tiles in `pane`. It is created at once and fills in
 * when MapLibre has loaded; `layer.plannerReady` settles then.
 */
export function buildTiledLayer(map, meta, { pane }) {
  const tileUrl = `${window.location.origin}${meta.tiles.url}`;
  const group = L.layerGroup([], { pane });
  group.plannerTiled = true;
  group.plannerReady = loadModules().then(([, binding]) => {
    const make = binding.maplibreGL || binding.default;
    const gl = make({
      style: glStyle(meta, tileUrl),
      pane,
      interactive: false,
      attributionControl: false,
    });
    group.addLayer(gl);
    group.plannerGL = gl;
    return gl;
  });
  return group;
}
