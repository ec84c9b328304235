// The offline map page: every catalogue layer from /api/layers drawn with Leaflet, a layer
// switcher, a legend, a scale, zoom-to-layer, feature pop-ups and a Thai/English switch.
//
// Nothing here needs the internet: Leaflet and the font are vendored, the default background
// is a plain colour. The only online thing is the optional OpenStreetMap basemap, which is
// off by default and is requested only when a user picks it.
/* global L */

import {
  formatDate,
  getLang,
  initialLang,
  loadServerStrings,
  locale,
  pick,
  relabel,
  setLang,
  t,
} from "./i18n.js";
import { buildTiledLayer } from "./tiled_layer.js";

// Layers that start hidden (they cover the others); a user can switch them on. They are
// fetched the first time they are switched on, not with the page.
const DEFAULT_OFF = new Set(["tenure_parcels", "flood_depth"]);
// A layer whose catalogue style has `min_zoom` (the house outlines: dots below ~15) is
// drawn only from that zoom on, and fetched only when the map first gets there while it is on.
function minZoomOf(meta) {
  return Number(meta?.style?.min_zoom) || 0;
}
// Display simplification, in metres: the steps of gis/layers.SIMPLIFY_STEPS. Lines and
// polygons are asked for at the coarsest step under half a pixel at the current zoom; the
// server says what it sent (X-Simplified-Metres, 0 for full detail) and a layer is fetched
// again, finer, when a zoom in needs more detail than it has.
const SIMPLIFY_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500];
const EARTH_CIRCUMFERENCE_M = 40075016.686;
// The first view: where the communities are, not all of Bangkok.
const FOCUS_LAYERS = ["communities"];
// Layers with more features than this keep only those near the view in the DOM (see cullLayer).
const CULL_MIN_FEATURES = 2000;
const CULL_MIN_PX = 1.5;
const OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
const OSM_ATTRIBUTION =
  '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';
// A phone held upright (css/header.css folds the header's links at the same width).
const PHONE = window.matchMedia("(max-width: 760px)");
const STATUSES_MARKED = new Set(["approximate", "illustrative", "imported"]);
const SVG_NS = "http://www.w3.org/2000/svg";

const mapEl = document.getElementById("map");
const statusEl = document.getElementById("map-status");
const apiBase = mapEl.dataset.apiBase || "/api";

const state = {
  metas: [], // catalogue entries from /api/layers, in draw order (bottom first)
  entries: new Map(), // name -> {meta, layer}
  layerControl: null,
  legend: null,
  zoomTo: null,
  openPopup: null,
  messages: new Map(), // key -> {kind, text()} shown in the status bar
};

// ---------------------------------------------------------------- small helpers

/** Escape text for the few places where Leaflet takes HTML (layer switcher names). */
function esc(value) {
  return String(value).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );
}

/** An element with a class and text content (text is never parsed as HTML). */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function svgEl(tag, attrs = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  }
  return node;
}

function boundsOf(meta) {
  const b = meta.bounds;
  if (Array.isArray(b) && b.length === 4 && b.every(Number.isFinite)) {
    return L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
  }
  const entry = state.entries.get(meta.name);
  if (entry?.layer?.getBounds) {
    const lb = entry.layer.getBounds();
    if (lb.isValid()) return lb;
  }
  return null;
}

function unionBounds(metas) {
  let all = null;
  for (const meta of metas) {
    const b = boundsOf(meta);
    if (!b) continue;
    all = all ? all.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
  }
  return all;
}

async function fetchResponse(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  return response;
}

async function fetchJSON(url) {
  return (await fetchResponse(url)).json();
}

/** The coarsest simplification step (metres) under half a pixel here, or 0 for full detail. */
export function displayTolerance(map) {
  const lat = (map.getCenter().lat * Math.PI) / 180;
  const metresPerPixel = (EARTH_CIRCUMFERENCE_M * Math.cos(lat)) / (256 * 2 ** map.getZoom());
  const fits = SIMPLIFY_STEPS.filter((step) => step <= metresPerPixel / 2);
  return fits.length ? fits[fits.length - 1] : 0;
}

// ---------------------------------------------------------------- status bar

function setMessage(key, kind, text) {
  if (text === null) state.messages.delete(key);
  else state.messages.set(key, { kind, text });
  renderMessages();
}

function renderMessages() {
  statusEl.replaceChildren();
  for (const { kind, text } of state.messages.values()) {
    statusEl.append(el("div", `msg msg-${kind}`, typeof text === "function" ? text() : text));
  }
  statusEl.hidden = state.messages.size === 0;
}

// ---------------------------------------------------------------- styling

function classifyIndex(meta) {
  const classify = meta.style?.classify;
  const index = new Map();
  (classify?.classes || []).forEach((cls, i) => {
    for (const v of cls.values || []) index.set(String(v), i);
  });
  return index;
}

function patternId(meta, i) {
  return `pattern-${meta.name}-${i}`.replace(/[^A-Za-z0-9_-]/g, "_");
}

/** The fill of one class: a colour, or url(#pattern) for a hatched class. */
function classFill(meta, cls, i) {
  if (cls.pattern === "hatch") return `url(#${patternId(meta, i)})`;
  return cls.fill_color;
}

/** Add the <pattern>s of hatched classes to the <defs> of a small SVG in the overlay pane. */
function ensurePatterns(map, metas) {
  const pane = map.getPane("overlayPane");
  let svg = pane.querySelector("svg.pattern-defs");
  if (!svg) {
    svg = svgEl("svg", { class: "pattern-defs", width: 0, height: 0, "aria-hidden": "true" });
    svg.append(svgEl("defs"));
    pane.prepend(svg);
  }
  const defs = svg.querySelector("defs");
  for (const meta of metas) {
    (meta.style?.classify?.classes || []).forEach((cls, i) => {
      if (cls.pattern !== "hatch") return;
      const id = patternId(meta, i);
      if (defs.querySelector(`#${id}`)) return;
      const pattern = svgEl("pattern", {
        id,
        patternUnits: "userSpaceOnUse",
        width: 8,
        height: 8,
        patternTransform: "rotate(45)",
      });
      pattern.append(
        svgEl("rect", { width: 8, height: 8, fill: cls.fill_color || "#ffffff" }),
        svgEl("line", {
          x1: 0,
          y1: 0,
          x2: 0,
          y2: 8,
          stroke: cls.pattern_color || "#2e7d32",
          "stroke-width": 3,
        }),
      );
      defs.append(pattern);
    });
  }
}

function isLine(meta) {
  return /LineString/.test(meta.geometry_type || "");
}

function isPoint(meta) {
  return /Point/.test(meta.geometry_type || "");
}

/** Leaflet path options for one feature, from the catalogue style. */
function styleFunction(meta) {
  const s = meta.style || {};
  const classes = s.classify?.classes || [];
  const index = classifyIndex(meta);
  const base = {
    className: `layer-${meta.name}`,
    color: s.color || "#3388ff",
    weight: s.weight ?? 1,
    opacity: s.opacity ?? 1,
    fillColor: s.fill_color || s.color || "#3388ff",
    fillOpacity: s.fill_opacity ?? 0.3,
    dashArray: s.dash_array || null,
    fill: !isLine(meta),
  };
  if (!s.classify) return () => base;
  return (feature) => {
    const value = feature?.properties?.[s.classify.field];
    const i = index.get(String(value));
    if (i === undefined) return { ...base, fillColor: s.fill_color || "#cccccc" };
    return { ...base, fillColor: classFill(meta, classes[i], i) };
  };
}

// ---------------------------------------------------------------- pop-ups

function statusLabel(status) {
  return t(`layerStatus.${status}`);
}

function formatValue(value, type) {
  if (value === null || value === undefined || value === "") return t("value.empty");
  switch (type) {
    case "bool": {
      const truthy = value === true || value === 1 || value === "true" || value === "1";
      return truthy ? t("value.yes") : t("value.no");
    }
    case "int":
    case "float": {
      const n = Number(value);
      if (!Number.isFinite(n)) return String(value);
      return n.toLocaleString(locale(), { maximumFractionDigits: 2 });
    }
    case "date":
      return formatDate(value);
    default:
      return String(value);
  }
}

/** The pop-up of one feature, built as DOM nodes: values are text, never HTML. */
export function buildPopup(meta, feature) {
  const props = feature?.properties || {};
  const root = el("div", `feature-popup-body popup-${meta.name}`);
  root.lang = getLang();
  root.append(el("h3", "popup-title", pick(meta.title)));

  const status = el("p", `popup-status status-${meta.status}`);
  status.append(el("span", `status-tag status-${meta.status}`, statusLabel(meta.status)));
  const note = pick(meta.status_note);
  if (note) status.append(" ", el("span", "popup-status-note", note));
  root.append(status);

  const classify = meta.style?.classify;
  const classIndex = classify ? classifyIndex(meta) : null;
  const table = el("table", "popup-fields");
  const tbody = el("tbody");
  for (const [name, spec] of Object.entries(meta.fields || {})) {
    const row = el("tr");
    row.dataset.field = name;
    row.append(el("th", null, pick(spec.label) || name));
    // A stored code is shown as its words (the catalogue's `values`), never as the code.
    const words = spec.values?.[String(props[name])];
    const cell = el("td", null, words ? pick(words) : formatValue(props[name], spec.type));
    if (!words && classify && classify.field === name) {
      const i = classIndex.get(String(props[name]));
      if (i !== undefined) {
        cell.append(el("span", "popup-class", ` — ${pick(classify.classes[i].label)}`));
      }
    }
    row.append(cell);
    tbody.append(row);
  }
  table.append(tbody);
  root.append(table);

  // A community's cases, for those who may open the case list.
  const casesUrl = mapEl.dataset.casesUrl;
  if (casesUrl && meta.name === "communities" && props.community_id) {
    const link = el("a", "popup-cases", t("popup.communityCases"));
    link.href = `${casesUrl}?community=${encodeURIComponent(props.community_id)}`;
    root.append(el("p", "popup-links"));
    root.lastChild.append(link);
  }

  // Source and licence in the page's language ({th, en} from the catalogue); the
  // catalogue keeps file paths in source.file / source.detail, which are not shown.
  const sourceName = pick(meta.source?.name);
  const licence = pick(meta.licence);
  if (sourceName || licence) {
    const foot = el("p", "popup-source");
    if (sourceName) foot.append(el("span", null, `${t("popup.source")}: ${sourceName}`));
    if (licence) foot.append(el("span", null, `${t("popup.licence")}: ${licence}`));
    root.append(foot);
  }
  return root;
}

/**
 * How far the controls reach into the map on the left and on the right, in pixels, or 20 px
 * each when less than `room` pixels would be left between them.
 */
function controlMargins(map, room) {
  const container = map.getContainer();
  const box = container.getBoundingClientRect();
  let left = 20;
  let right = 20;
  for (const c of container.querySelectorAll(".leaflet-top.leaflet-left > .leaflet-control")) {
    left = Math.max(left, c.getBoundingClientRect().right - box.left + 12);
  }
  for (const c of container.querySelectorAll(".leaflet-top.leaflet-right > .leaflet-control")) {
    right = Math.max(right, box.right - c.getBoundingClientRect().left + 12);
  }
  if (left + right + room > box.width) return { left: 20, right: 20 };
  return { left, right };
}

/** Auto-pan margins that keep an opened pop-up clear of the controls on either side. */
function popupPadding(map) {
  const { left, right } = controlMargins(map, 460);
  return { autoPanPaddingTopLeft: [left, 40], autoPanPaddingBottomRight: [right, 40] };
}

/** fitBounds options that put the bounds in the part of the map the controls leave free. */
function fitOptions(map) {
  const { left, right } = controlMargins(map, 300);
  return { paddingTopLeft: [left, 24], paddingBottomRight: [right, 24], maxZoom: 18 };
}

function popupOptions(map) {
  return {
    className: "feature-popup",
    minWidth: 260,
    maxWidth: 440,
    maxHeight: Math.max(240, Math.round(map.getSize().y * 0.7)),
    autoPanPadding: [20, 40],
  };
}

// ---------------------------------------------------------------- layers

function paneFor(map, meta) {
  const name = `layer-${meta.name}`;
  let pane = map.getPane(name);
  if (!pane) {
    pane = map.createPane(name, map.getPane("overlayPane"));
    pane.style.zIndex = String(Math.round(Number(meta.draw_order) || 0));
  }
  return name;
}

function vectorOptions(map, meta) {
  const pane = paneFor(map, meta);
  const renderer = L.svg({ pane, padding: 0.5 });
  const style = styleFunction(meta);
  const radius = meta.style?.radius ?? 6;
  return {
    pane,
    renderer,
    className: `layer-${meta.name}`,
    style,
    pointToLayer: (feature, latlng) =>
      L.circleMarker(latlng, { ...style(feature), radius, pane, renderer }),
  };
}

/** A Leaflet GeoJSON layer for a vector catalogue layer; features can be added later. */
export function buildVectorLayer(map, meta, data = null) {
  const options = vectorOptions(map, meta);
  const layer = L.geoJSON(data, options);
  layer.options.plannerOptions = options;
  // Runs before Leaflet's own click handler (bindPopup's), so the pop-up pans clear of controls.
  layer.on("click", () => {
    const popup = layer.getPopup();
    if (popup) Object.assign(popup.options, popupPadding(map));
  });
  layer.bindPopup((source) => buildPopup(meta, source.feature), popupOptions(map));
  return layer;
}

/**
 * Keep in the DOM only the features of a big layer that are near the view and at least
 * CULL_MIN_PX across on screen. 6,386 SVG house outlines made every pan and zoom of the map
 * 150-350 ms slower (2-core machine, no GPU); with this the houses appear from zoom 15 on, only
 * near the view, and the check costs ~1 ms a move. Canvas was faster too, but its <canvas>
 * would swallow the clicks meant for the SVG layers drawn below it (communities, zoning).
 */
function cullLayer(map, meta, layer, data) {
  const store = L.geoJSON(data, layer.options.plannerOptions);
  const items = store.getLayers().map((sub) => {
    if (!sub.getBounds) {
      // A circle marker: drawn at a fixed size in pixels, never too small.
      return { sub, bounds: L.latLngBounds([sub.getLatLng()]), size: Infinity };
    }
    const b = sub.getBounds();
    const size = Math.max(b.getEast() - b.getWest(), b.getNorth() - b.getSouth());
    return { sub, bounds: b, size };
  });
  const culled = { total: items.length, smallHidden: false };
  culled.sync = () => {
    if (!map.hasLayer(layer)) return;
    const minSize = (CULL_MIN_PX * 360) / (256 * 2 ** map.getZoom()); // degrees
    const view = map.getBounds().pad(0.3);
    const zoomedIn = map.getZoom() >= minZoomOf(meta);
    let smallHidden = false;
    for (const { sub, bounds, size } of items) {
      const near = view.intersects(bounds);
      const big = zoomedIn && size >= minSize;
      if (near && !big) smallHidden = true;
      const want = near && big;
      const has = layer.hasLayer(sub);
      if (want && !has) layer.addLayer(sub);
      else if (!want && has) layer.removeLayer(sub);
    }
    if (smallHidden !== culled.smallHidden) {
      culled.smallHidden = smallHidden;
      state.legend?.render();
    }
  };
  layer.plannerCulled = culled;
  layer.on("add", culled.sync);
  map.on("moveend", culled.sync);
  culled.sync();
}

function buildRasterLayer(map, meta) {
  const overlay = meta.overlay;
  if (!overlay?.url || !overlay?.bounds) return null;
  return L.imageOverlay(overlay.url, overlay.bounds, {
    pane: paneFor(map, meta),
    opacity: meta.style?.opacity ?? 0.6,
    className: `layer-${meta.name} raster-overlay`,
    interactive: false,
    alt: pick(meta.title),
  });
}

function layerUrl(meta, tolerance) {
  const url = `${apiBase}/layers/${encodeURIComponent(meta.name)}`;
  return tolerance ? `${url}?simplify=${tolerance}` : url;
}

/** Lines and polygons may be simplified for display; points never are. */
function simplifiable(meta) {
  return !isPoint(meta);
}

async function loadVector(map, meta, layer) {
  const asked = simplifiable(meta) ? displayTolerance(map) : 0;
  const response = await fetchResponse(layerUrl(meta, asked));
  const data = await response.json();
  const count = data.features?.length ?? 0;
  if (count > CULL_MIN_FEATURES || minZoomOf(meta)) cullLayer(map, meta, layer, data);
  else {
    layer.addData(data);
    // Only what the server did simplify needs finer shapes later (see refineVector).
    layer.plannerDetail = Number(response.headers.get("X-Simplified-Metres")) || 0;
  }
  return count;
}

/** The GeoJSON geometry of a feature as the latlngs of the Leaflet path drawing it. */
function geometryLatLngs(geometry) {
  const depth = { LineString: 0, MultiLineString: 1, Polygon: 1, MultiPolygon: 2 }[geometry?.type];
  if (depth === undefined) return null;
  return L.GeoJSON.coordsToLatLngs(geometry.coordinates, depth);
}

/**
 * Fetch a simplified layer again when the zoom needs more detail than it has. The new
 * shapes replace the old ones in the same Leaflet paths (same features, same order), so
 * styles, pop-ups and an open pop-up stay as they are.
 */
async function refineVector(map, meta, layer) {
  const has = layer.plannerDetail || 0;
  if (!has || !map.hasLayer(layer)) return;
  const wanted = displayTolerance(map);
  if (wanted >= has) return;
  const ticket = (layer.plannerRefine || 0) + 1;
  layer.plannerRefine = ticket;
  const response = await fetchResponse(layerUrl(meta, wanted));
  const data = await response.json();
  const got = Number(response.headers.get("X-Simplified-Metres")) || 0;
  if (ticket !== layer.plannerRefine || (layer.plannerDetail && got >= layer.plannerDetail)) {
    return; // a later zoom asked for something else, or this is no finer
  }
  const subs = layer.getLayers();
  const features = data.features || [];
  const inPlace =
    subs.length === features.length &&
    features.every((f, i) => subs[i].setLatLngs && geometryLatLngs(f.geometry));
  if (inPlace) {
    features.forEach((feature, i) => {
      subs[i].feature = feature;
      subs[i].setLatLngs(geometryLatLngs(feature.geometry));
    });
  } else {
    layer.clearLayers();
    layer.addData(data);
  }
  layer.plannerDetail = got;
}

// ---------------------------------------------------------------- tiled layers

// A click on the map asks a tiled layer's API for the features this many pixels around it,
// where the layer draws shapes there (not counts: a click would fetch too many).
const IDENTIFY_PX = 4;

function ringContains(ring, x, y) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function polygonContains(geometry, x, y) {
  const polygons =
    geometry?.type === "Polygon" ? [geometry.coordinates] : geometry?.type === "MultiPolygon" ? geometry.coordinates : [];
  return polygons.some(
    (rings) => ringContains(rings[0], x, y) && !rings.slice(1).some((hole) => ringContains(hole, x, y)),
  );
}

/** The feature of a tiled layer under a click: the polygon holding it, else the first found. */
async function identify(map, meta, latlng) {
  const p = map.latLngToContainerPoint(latlng);
  const sw = map.containerPointToLatLng([p.x - IDENTIFY_PX, p.y + IDENTIFY_PX]);
  const ne = map.containerPointToLatLng([p.x + IDENTIFY_PX, p.y - IDENTIFY_PX]);
  const bbox = [sw.lng, sw.lat, ne.lng, ne.lat].map((v) => v.toFixed(7)).join(",");
  const data = await fetchJSON(`${apiBase}/layers/${encodeURIComponent(meta.name)}?bbox=${bbox}`);
  const features = data.features || [];
  return features.find((f) => polygonContains(f.geometry, latlng.lng, latlng.lat)) || features[0] || null;
}

/** Pop-ups for the tiled layers: the topmost one on the map with a feature under the click. */
function enableIdentify(map, entries) {
  const drawsShapesAt = (layer, latlng) => {
    const gl = layer.plannerGL?.getMaplibreMap();
    if (!gl) return false;
    const p = gl.project([latlng.lng, latlng.lat]);
    const box = [
      [p.x - IDENTIFY_PX, p.y - IDENTIFY_PX],
      [p.x + IDENTIFY_PX, p.y + IDENTIFY_PX],
    ];
    return gl.queryRenderedFeatures(box).some((f) => !("count" in (f.properties || {})));
  };
  // Caught on its way down, before Leaflet's own handlers: a shape drawn from tiles over a
  // community is what the click meant, and a vector layer's pop-up would stop the event.
  let down = null; // where the pointer went down: a drag that ends is not a click
  map.getContainer().addEventListener("pointerdown", (event) => {
    down = [event.clientX, event.clientY];
  });
  map.getContainer().addEventListener(
    "click",
    (event) => {
      if (event.target.closest?.(".leaflet-control, .leaflet-popup")) return;
      const moved = down && Math.hypot(event.clientX - down[0], event.clientY - down[1]) > 4;
      if (moved) return;
      const latlng = map.mouseEventToLatLng(event);
      const on = entries
        .filter(({ layer }) => map.hasLayer(layer) && drawsShapesAt(layer, latlng))
        .sort((a, b) => (b.meta.draw_order ?? 0) - (a.meta.draw_order ?? 0));
      if (!on.length) return;
      event.stopPropagation();
      openIdentified(map, on, latlng);
    },
    true,
  );
}

async function openIdentified(map, on, latlng) {
  for (const { meta } of on) {
    try {
      const feature = await identify(map, meta, latlng);
      if (!feature) continue;
      L.popup({ ...popupOptions(map), ...popupPadding(map) })
        .setLatLng(latlng)
        .setContent(buildPopup(meta, feature))
        .openOn(map);
      return;
    } catch (error) {
      console.warn(`could not identify in layer ${meta.name}`, error);
    }
  }
}

// ---------------------------------------------------------------- controls

function overlayName(meta) {
  let html = `<span class="overlay-title">${esc(pick(meta.title))}</span>`;
  if (meta.kind === "vector" && Number.isFinite(meta.feature_count)) {
    const count = meta.feature_count.toLocaleString(locale());
    html += ` <span class="overlay-count">(${esc(count)})</span>`;
  }
  if (STATUSES_MARKED.has(meta.status)) {
    html +=
      ` <span class="status-tag status-${esc(meta.status)}" title="${esc(pick(meta.status_note))}">` +
      `${esc(statusLabel(meta.status))}</span>`;
  }
  return html;
}

function buildLayerControl(map, bases) {
  const baseLayers = {
    [esc(t("base.plain"))]: bases.plain,
    [esc(t("base.osm"))]: bases.osm,
  };
  const overlays = {};
  // Top of the drawing order first, as in a GIS layer list.
  for (const meta of [...state.metas].reverse()) {
    const entry = state.entries.get(meta.name);
    if (entry?.layer) overlays[overlayName(meta)] = entry.layer;
  }
  const collapsed = window.matchMedia("(max-width: 1100px), (max-height: 650px)").matches;
  const position = PHONE.matches ? "bottomright" : "topleft";
  const control = L.control.layers(baseLayers, overlays, { collapsed, position }).addTo(map);
  // Named in the page's language (js/leaflet_keys.js names it on first paint; this follows a
  // switch of language).
  const toggle = control.getContainer().querySelector(".leaflet-control-layers-toggle");
  toggle?.setAttribute("title", t("layers.toggle"));
  toggle?.setAttribute("aria-label", t("layers.toggle"));
  return control;
}

/** A small SVG sample of a layer's (or a class's) symbol. */
function swatch(meta, fill, extra = {}) {
  const s = meta.style || {};
  const svg = svgEl("svg", { class: "swatch", width: 28, height: 18, viewBox: "0 0 28 18" });
  svg.setAttribute("aria-hidden", "true");
  const dash = s.dash_array ? String(s.dash_array) : null;
  if (extra.raster) {
    svg.append(svgEl("rect", { x: 1, y: 1, width: 26, height: 16, fill, "fill-opacity": 1 }));
  } else if (isLine(meta)) {
    svg.append(
      svgEl("line", {
        x1: 1,
        y1: 9,
        x2: 27,
        y2: 9,
        stroke: s.color || "#3388ff",
        "stroke-width": Math.min(Math.max(Number(s.weight) || 1, 1.5), 5),
        "stroke-dasharray": dash,
      }),
    );
  } else if (isPoint(meta)) {
    svg.append(
      svgEl("circle", {
        cx: 14,
        cy: 9,
        r: Math.min(Number(s.radius) || 6, 7),
        fill,
        "fill-opacity": s.fill_opacity ?? 0.9,
        stroke: s.color || "#000000",
        "stroke-width": Math.min(Number(s.weight) || 1, 2),
      }),
    );
  } else {
    svg.append(
      svgEl("rect", {
        x: 1.5,
        y: 1.5,
        width: 25,
        height: 15,
        fill,
        "fill-opacity": Math.max(Number(s.fill_opacity ?? 0.3), fill.startsWith("url(") ? 1 : 0),
        stroke: s.color || "#3388ff",
        "stroke-width": Math.min(Math.max(Number(s.weight) || 1, 1), 3),
        "stroke-dasharray": dash,
      }),
    );
  }
  return svg;
}

function legendItem(svg, label) {
  const item = el("li", "legend-item");
  item.append(svg, el("span", "legend-label", label));
  return item;
}

const LegendControl = L.Control.extend({
  options: { position: "topright" },

  onAdd(map) {
    this._map = map;
    map.on("resize", this._fitHeight, this);
    const wide = window.matchMedia("(min-width: 1200px) and (min-height: 700px)").matches;
    this._open = wide;
    const div = L.DomUtil.create("div", "leaflet-control legend-control");
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    this._div = div;
    this.render();
    this._fitHeight();
    return div;
  },

  onRemove(map) {
    map.off("resize", this._fitHeight, this);
  },

  /** Keep the legend inside the map: it scrolls when the map is short. */
  _fitHeight() {
    this._div.style.maxHeight = `${Math.max(120, this._map.getSize().y - 50)}px`;
  },

  render() {
    const map = this._map;
    const div = this._div;
    div.replaceChildren();
    const head = el("button", "legend-toggle");
    head.type = "button";
    head.setAttribute("aria-expanded", String(this._open));
    head.title = t("legend.toggle");
    head.append(
      el("span", null, t("legend.title")),
      el("span", "legend-caret", this._open ? "▾" : "▸"),
    );
    head.addEventListener("click", () => {
      this._open = !this._open;
      this.render();
    });
    div.append(head);
    if (!this._open) return;
    const body = el("div", "legend-body");
    // It scrolls when the map is short: a keyboard reaches it (WCAG 2.1.1).
    body.tabIndex = 0;
    body.setAttribute("role", "region");
    body.setAttribute("aria-label", t("legend.title"));
    for (const meta of [...state.metas].reverse()) {
      const entry = state.entries.get(meta.name);
      const shown = entry?.layer ? map.hasLayer(entry.layer) : false;
      const section = el(
        "section",
        `legend-layer legend-${meta.name}${shown ? "" : " legend-off"}`,
      );
      const h = el("h2", "legend-layer-title", pick(meta.title)); // under the page's <h1>
      if (STATUSES_MARKED.has(meta.status)) {
        h.append(" ", el("span", `status-tag status-${meta.status}`, statusLabel(meta.status)));
      }
      if (!entry?.layer) h.append(" ", el("span", "legend-hidden", t("legend.noData")));
      else if (!shown) h.append(" ", el("span", "legend-hidden", t("legend.hidden")));
      section.append(h);
      const culled = entry?.layer?.plannerCulled;
      const belowMin = map.getZoom() < minZoomOf(meta);
      if (shown && meta.tiles) {
        section.append(el("p", "legend-note", t("legend.counts")));
      } else if (shown && (belowMin || culled?.smallHidden)) {
        section.append(el("p", "legend-note", t("legend.zoomIn")));
      }
      const list = el("ul", "legend-items");
      const s = meta.style || {};
      if (meta.kind === "raster") {
        for (const stop of s.ramp || []) {
          list.append(legendItem(swatch(meta, stop.color, { raster: true }), pick(stop.label)));
        }
      } else if (s.classify) {
        s.classify.classes.forEach((cls, i) => {
          list.append(legendItem(swatch(meta, classFill(meta, cls, i)), pick(cls.label)));
        });
      } else {
        list.append(
          legendItem(swatch(meta, s.fill_color || s.color || "#3388ff"), pick(meta.title)),
        );
      }
      if (list.children.length) section.append(list);
      body.append(section);
    }
    div.append(body);
  },
});

const ZoomToControl = L.Control.extend({
  options: { position: "topleft" },

  onAdd(map) {
    this._map = map;
    const div = L.DomUtil.create("div", "leaflet-control leaflet-bar zoom-to-control");
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    this._div = div;
    this._selected = "";
    this.render();
    return div;
  },

  render() {
    const div = this._div;
    div.replaceChildren();
    const id = "zoom-to-select";
    const label = el("label", "zoom-to-label", t("zoom.label"));
    label.htmlFor = id;
    const select = el("select", "zoom-to-select");
    select.id = id;
    select.append(new Option(t("zoom.choose"), ""));
    for (const meta of [...state.metas].reverse()) {
      if (!boundsOf(meta)) continue;
      const option = new Option(pick(meta.title), meta.name);
      option.selected = meta.name === this._selected;
      select.append(option);
    }
    select.addEventListener("change", () => {
      this._selected = select.value;
      if (select.value) zoomToLayer(this._map, select.value);
    });
    const go = el("button", "zoom-to-go", t("zoom.go"));
    go.type = "button";
    go.addEventListener("click", () => {
      if (select.value) zoomToLayer(this._map, select.value);
    });
    const all = el("button", "zoom-to-all", t("zoom.all"));
    all.type = "button";
    all.addEventListener("click", () => zoomToAll(this._map));
    const row = el("div", "zoom-to-row");
    row.append(select, go);
    div.append(label, row, all);
  },
});

export function zoomToLayer(map, name) {
  const meta = state.metas.find((m) => m.name === name);
  const bounds = meta && boundsOf(meta);
  if (bounds) map.fitBounds(bounds, fitOptions(map));
}

export function zoomToAll(map) {
  const bounds = unionBounds(state.metas);
  if (bounds) map.fitBounds(bounds, fitOptions(map));
}

// ---------------------------------------------------------------- language

function applyLanguage(map, lang, bases) {
  setLang(lang);
  relabel();
  document.title = `${t("map.label")} · ${t("app.title")}`;
  for (const link of document.querySelectorAll(".lang-switch [data-lang]")) {
    if (link.dataset.lang === lang) link.setAttribute("aria-current", "true");
    else link.removeAttribute("aria-current");
  }
  map.attributionControl.setPrefix(esc(t("attribution.prefix")));
  const zoomIn = map.getContainer().querySelector(".leaflet-control-zoom-in");
  const zoomOut = map.getContainer().querySelector(".leaflet-control-zoom-out");
  for (const [button, key] of [
    [zoomIn, "zoom.in"],
    [zoomOut, "zoom.out"],
  ]) {
    if (!button) continue;
    button.title = t(key);
    button.setAttribute("aria-label", t(key));
  }
  if (state.metas.length) {
    // Rebuild the switcher with names in the new language, in the same place among the controls.
    const old = state.layerControl?.getContainer();
    const corner = old?.parentNode;
    const next = old?.nextSibling ?? null;
    state.layerControl?.remove();
    state.layerControl = buildLayerControl(map, bases);
    if (corner) corner.insertBefore(state.layerControl.getContainer(), next);
    state.legend?.render();
    state.zoomTo?.render();
  }
  if (state.openPopup) {
    // Re-label the open pop-up; update() also pans it clear of the re-labelled controls.
    Object.assign(state.openPopup.options, popupPadding(map));
    state.openPopup.update();
  }
  renderMessages();
}

// ---------------------------------------------------------------- start

async function main() {
  loadServerStrings();
  const map = L.map(mapEl, { minZoom: 5, maxZoom: 20, zoomSnap: 0.25 });
  // The server says where the loaded layers are (gis/webmap.initial_bounds): the map opens
  // there, wherever in Thailand; an empty store opens on the whole country.
  let initial = null;
  try {
    initial = JSON.parse(mapEl.dataset.initialBounds || "null");
  } catch (e) {
    initial = null;
  }
  if (Array.isArray(initial) && initial.length === 4 && initial.every(Number.isFinite)) {
    map.fitBounds([[initial[1], initial[0]], [initial[3], initial[2]]], { animate: false });
  } else {
    map.setView([13.0, 101.0], 6);
  }
  const bases = {
    plain: L.layerGroup(),
    osm: L.tileLayer(OSM_TILES, { maxZoom: 19, attribution: OSM_ATTRIBUTION }),
  };
  bases.plain.addTo(map);
  // The header and banner change height when the font arrives or the language changes.
  new ResizeObserver(() => map.invalidateSize()).observe(mapEl);
  let tileErrorShown = false;
  bases.osm.on("add", () => {
    tileErrorShown = false;
    mapEl.classList.add("with-tiles");
  });
  bases.osm.on("remove", () => {
    mapEl.classList.remove("with-tiles");
    setMessage("tiles", "warn", null);
  });
  bases.osm.on("tileerror", () => {
    if (tileErrorShown) return;
    tileErrorShown = true;
    setMessage("tiles", "warn", () => t("status.onlineTilesFailed"));
  });
  // On a phone the zoom buttons and the layer list sit bottom right, under the thumb.
  if (PHONE.matches) map.zoomControl.setPosition("bottomright");
  L.control.scale({ metric: true, imperial: false, maxWidth: 160 }).addTo(map);
  map.on("popupopen", (e) => {
    state.openPopup = e.popup;
  });
  map.on("popupclose", (e) => {
    if (state.openPopup === e.popup) state.openPopup = null;
  });
  map.on("overlayadd overlayremove zoomend", () => state.legend?.render());

  const api = {
    map,
    state,
    buildPopup,
    buildVectorLayer: (meta, data) => buildVectorLayer(map, meta, data),
    zoomToLayer: (name) => zoomToLayer(map, name),
    zoomToAll: () => zoomToAll(map),
    setLanguage: (lang) => applyLanguage(map, lang, bases),
    ready: null,
  };
  window.plannerMap = api;

  // The header's language links reload other pages; here they switch in place, keeping the view.
  for (const link of document.querySelectorAll(".lang-switch [data-lang]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      applyLanguage(map, link.dataset.lang, bases);
    });
  }
  document.querySelector(".banner-close")?.addEventListener("click", () => {
    document.getElementById("illustrative-banner")?.remove();
    map.invalidateSize();
  });
  applyLanguage(map, initialLang(document.documentElement.dataset.serverLang), bases);

  document.body.dataset.mapState = "loading";
  setMessage("load", "info", () => t("status.loading"));
  let catalog;
  try {
    catalog = await fetchJSON(`${apiBase}/layers`);
  } catch (error) {
    console.error("could not load /api/layers", error);
    setMessage("load", "error", () => t("status.catalogFailed", { error: error.message }));
    document.body.dataset.mapState = "error";
    return;
  }
  state.metas = [...(catalog.layers || [])].sort(
    (a, b) => (a.draw_order ?? 0) - (b.draw_order ?? 0) || a.name.localeCompare(b.name),
  );
  // The "sample data" banner only where a loaded layer is illustrative.
  if (!state.metas.some((m) => m.loaded !== false && m.status === "illustrative")) {
    document.getElementById("illustrative-banner")?.remove();
  }
  ensurePatterns(map, state.metas);

  const vectors = [];
  const tiled = [];
  for (const meta of state.metas) {
    if (meta.loaded === false) {
      // In the catalogue but not in the store yet: listed in the legend only.
      state.entries.set(meta.name, { meta, layer: null });
      continue;
    }
    let layer = null;
    if (meta.kind === "vector" && meta.tiles) {
      const pane = paneFor(map, meta);
      map.getPane(pane).classList.add("tiled-pane"); // clicks go through (see map.css)
      layer = buildTiledLayer(map, meta, { pane });
    } else if (meta.kind === "vector") layer = buildVectorLayer(map, meta);
    else if (meta.kind === "raster") layer = buildRasterLayer(map, meta);
    const entry = { meta, layer, loading: null };
    state.entries.set(meta.name, entry);
    if (layer && !DEFAULT_OFF.has(meta.name)) layer.addTo(map);
    if (meta.kind === "vector" && meta.tiles) tiled.push(entry);
    else if (meta.kind === "vector") vectors.push(entry);
  }
  if (tiled.length) {
    enableIdentify(map, tiled);
    document.body.dataset.tilesState = "loading";
    Promise.all(tiled.map(({ layer }) => layer.plannerReady))
      .then(() => {
        document.body.dataset.tilesState = "ready";
      })
      .catch((error) => {
        console.error("could not load the tile renderer", error);
        document.body.dataset.tilesState = "error";
        setMessage("tiles-renderer", "error", () => t("status.catalogFailed", { error: error.message }));
      });
  }

  state.zoomTo = new ZoomToControl().addTo(map);
  state.layerControl = buildLayerControl(map, bases);
  // On a phone the legend's button sits bottom left: the top row is the "zoom to" control's.
  state.legend = new LegendControl(PHONE.matches ? { position: "bottomleft" } : {}).addTo(map);

  const focus = unionBounds(state.metas.filter((m) => FOCUS_LAYERS.includes(m.name)));
  const all = unionBounds(state.metas);
  if (focus || all) map.fitBounds(focus || all, { ...fitOptions(map), animate: false });

  // Fetched now, at the detail the first view needs: the layers that are on (and, for a
  // layer with a minimum zoom, only once the map is zoomed in that far). A layer that starts
  // off is fetched the first time it is switched on; one with a minimum zoom, the first time
  // it is on at that zoom.
  const load = (entry) => {
    entry.loading ??= loadVector(map, entry.meta, entry.layer);
    return entry.loading;
  };
  const wanted = ({ meta, layer }) =>
    map.hasLayer(layer) && map.getZoom() >= minZoomOf(meta);
  const loadLater = (entry) => {
    const { meta } = entry;
    if (entry.loading || !wanted(entry)) return;
    setMessage(`layer-${meta.name}`, "info", () => t("status.loading"));
    load(entry)
      .then(() => {
        setMessage(`layer-${meta.name}`, "info", null);
        state.zoomTo?.render();
        state.legend?.render();
      })
      .catch((error) => {
        console.error(`could not load layer ${meta.name}`, error);
        entry.loading = null; // switching it on or zooming in again tries again
        setMessage(`layer-${meta.name}`, "error", () =>
          t("status.layerFailed", { layer: pick(meta.title), error: error.message }),
        );
      });
  };
  const loads = [];
  const later = [];
  for (const entry of vectors) {
    if (wanted(entry)) {
      loads.push({ meta: entry.meta, promise: load(entry) });
      continue;
    }
    later.push(entry);
    entry.layer.on("add", () => loadLater(entry));
  }
  const zoomed = later.filter((entry) => minZoomOf(entry.meta));
  if (zoomed.length) map.on("zoomend", () => zoomed.forEach(loadLater));
  // Finer shapes for the simplified layers when a zoom in needs them.
  const refine = () => {
    for (const { meta, layer, loading } of vectors) {
      if (!loading || !layer.plannerDetail) continue;
      refineVector(map, meta, layer).catch((error) =>
        console.warn(`could not refine layer ${meta.name}`, error),
      );
    }
  };
  map.on("zoomend overlayadd", refine);

  let done = 0;
  const total = loads.length;
  setMessage("load", "info", () => t("status.loadingProgress", { done, total }));
  const settle = loads.map(({ meta, promise }) =>
    promise
      .catch((error) => {
        console.error(`could not load layer ${meta.name}`, error);
        setMessage(`layer-${meta.name}`, "error", () =>
          t("status.layerFailed", { layer: pick(meta.title), error: error.message }),
        );
        throw error;
      })
      .finally(() => {
        done += 1;
        renderMessages();
      }),
  );
  api.ready = Promise.allSettled(settle);
  const results = await api.ready;
  const ok = results.filter((r) => r.status === "fulfilled").length;
  state.zoomTo.render(); // layers without catalogue bounds can be zoomed to once loaded
  setMessage("load", "info", () => t("status.loaded", { count: ok }));
  setTimeout(() => setMessage("load", "info", null), 4000);
  document.body.dataset.mapState = ok === results.length ? "ready" : "error";
}

main().catch((error) => {
  console.error(error);
  document.body.dataset.mapState = "error";
});
