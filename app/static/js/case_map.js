// The case page's map and the new-case page's map.
//
// Case page (data-mode="case"): the site boundary and its plots from GET /api/cases/<id>, its
// households' locations from GET /api/cases/<id>/households (only for those who may see them),
// over the canal and its setback from /api/layers. Those who may edit draw and edit with Leaflet-Geoman: the site
// boundary, new plots, corners of plots, and household pins; snapping is on (to the canal,
// the site and the plots). Area (m², geodesic, computed here) and length show while drawing and
// after an edit. "Save map" sends each change to the documented API (PATCH the case's site, POST
// a plot, PATCH or DELETE a plot, PATCH a household's location) as GeoJSON (lon/lat) with the
// version it was read at, and the CSRF token as a header; the server validates it and its errors
// are shown in the page's language.
//
// New-case page (data-mode="new"): draw the site; its GeoJSON goes into the form's hidden input.
//
// Texts come from the page (#case-map-strings), already in the page's language. Data is only
// ever put into the page with textContent, never as HTML.

import { named } from "./messages.js";

const root = document.getElementById("case-map");
const STRINGS = JSON.parse(document.getElementById("case-map-strings")?.textContent || "{}");
const lang = root?.dataset.lang === "en" ? "en" : "th";
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content || "";
const PLACEHOLDER_ID = "987654321";
const EARTH_RADIUS = 6378137; // metres (WGS84 semi-major axis), as turf and Leaflet.draw use
const SQ_M_PER_SQ_WA = 4; // 1 ตารางวา = 4 m²

const STYLE = {
  site: { color: "#01579b", weight: 4, fillColor: "#01579b", fillOpacity: 0.06 },
  plot: { color: "#6a1b9a", weight: 2, fillColor: "#6a1b9a", fillOpacity: 0.22 },
  lane: { color: "#6d4c41", weight: 2, dashArray: "6 4", fillColor: "#bcaaa4", fillOpacity: 0.4 },
  common: { color: "#2e7d32", weight: 2, fillColor: "#81c784", fillOpacity: 0.35 },
  newPlot: { color: "#c2185b", weight: 3, fillColor: "#c2185b", fillOpacity: 0.25 },
  canal_water: { color: "#4fa3d9", weight: 1, fillColor: "#b3dcf5", fillOpacity: 0.9 },
  canal_setback: { color: "#4fa3d9", weight: 2, dashArray: "8 6", fillOpacity: 0.05 },
  canal_centreline: { color: "#1e88e5", weight: 2 },
  communities: { color: "#455a64", weight: 2, fillColor: "#90a4ae", fillOpacity: 0.35 },
  surveyed: { color: "#1b5e20", weight: 1, fillColor: "#43a047", fillOpacity: 0.7 },
  notSurveyed: { color: "#616161", weight: 1, fillColor: "#e0e0e0", fillOpacity: 0.7 },
};
const STATUS_COLOURS = {
  not_started: "#8c959f",
  ready_to_build: "#f2a900",
  under_construction: "#e8590c",
  finished: "#2b8a3e",
  moved_in: "#1864ab",
};

/** A page string with {name} placeholders filled in. */
function tr(key, vars = {}) {
  let text = STRINGS[key] ?? key;
  for (const [name, value] of Object.entries(vars)) text = text.replaceAll(`{${name}}`, value);
  return text;
}

/** An element holding `text` as text: Leaflet puts string content in as HTML, so never pass it data. */
function textElement(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span;
}

const number = new Intl.NumberFormat(lang === "th" ? "th-TH" : "en-GB", {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

// -- measuring (geodesic, on the sphere) -----------------------------------------------------
function ringArea(ring) {
  // Chamberlain & Duquette, "Some algorithms for polygons on a sphere" (JPL, 2007).
  if (ring.length < 3) return 0;
  const rad = Math.PI / 180;
  let sum = 0;
  for (let i = 0; i < ring.length; i++) {
    const p1 = ring[i];
    const p2 = ring[(i + 1) % ring.length];
    sum += (p2.lng - p1.lng) * rad * (2 + Math.sin(p1.lat * rad) + Math.sin(p2.lat * rad));
  }
  return Math.abs((sum * EARTH_RADIUS * EARTH_RADIUS) / 2);
}

/** The polygons of a Leaflet polygon's latlngs, each a list of rings (outer first). */
function polygonsOf(latlngs) {
  if (!Array.isArray(latlngs) || latlngs.length === 0) return [];
  if (latlngs[0] instanceof L.LatLng) return [[latlngs]];
  if (latlngs[0][0] instanceof L.LatLng) return [latlngs];
  return latlngs;
}

function pathLength(points, closed) {
  let total = 0;
  for (let i = 1; i < points.length; i++) total += points[i - 1].distanceTo(points[i]);
  if (closed && points.length > 2) total += points[points.length - 1].distanceTo(points[0]);
  return total;
}

/** Area (m²) and perimeter (m) of latlngs; `closed` false for a ring still being drawn. */
export function measure(latlngs, closed = true) {
  let area = 0;
  let length = 0;
  for (const rings of polygonsOf(latlngs)) {
    rings.forEach((ring, i) => {
      const a = ringArea(ring);
      area += i === 0 ? a : -a;
      if (i === 0) length += pathLength(ring, closed);
    });
  }
  return { area, length };
}

function measureText({ area, length }, { lengthOnly = false } = {}) {
  const parts = [];
  if (!lengthOnly) {
    let text = `${tr("area")} ${number.format(area)} ${tr("m2")}`;
    if (lang === "th") text += ` (${number.format(area / SQ_M_PER_SQ_WA)} ${tr("sqwa")})`;
    parts.push(text);
  }
  parts.push(`${tr(lengthOnly ? "length" : "perimeter")} ${number.format(length)} ${tr("m")}`);
  return parts.join(" · ");
}

// -- talking to the server -------------------------------------------------------------------
class RequestError extends Error {
  constructor(message, status, spot = null) {
    super(message);
    this.status = status;
    this.spot = spot; // where the server found the problem: a GeoJSON Point (lon, lat), or null
  }
}

// GET `url`, or send `body` as JSON with `method`; DELETE sends no body. Writes carry the CSRF
// token, as the API asks of requests that log in with the session cookie.
async function requestJSON(url, body, method = "POST") {
  const options = { headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined || method === "DELETE") {
    options.method = method;
    options.headers["X-CSRFToken"] = csrfToken;
  }
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  if (!type.includes("json")) {
    // A login page or a CSRF error page: the session or the page has expired.
    throw new RequestError(tr("expired"), response.status);
  }
  const data = await response.json();
  if (!response.ok) {
    const error = data.error || {};
    const message = error[lang] || error.en || String(response.status);
    const spot = error.spot?.type === "Point" ? error.spot : null;
    throw new RequestError(response.status === 409 ? `${message} ${tr("stale")}` : message, response.status, spot);
  }
  return data;
}

function urlFor(template, id) {
  return template.replace(PLACEHOLDER_ID, String(id));
}

// -- the map -----------------------------------------------------------------------------------
function makeMap(element) {
  const map = L.map(element, { zoomSnap: 0.5, maxZoom: 22, attributionControl: true });
  map.attributionControl.setPrefix("Leaflet");
  map.setView([13.85, 100.56], 13);
  return map;
}

/** The community's houses, green where surveyed and grey where not (survey progress). */
async function addSurvey(map, url) {
  if (!url) return null;
  try {
    const data = await requestJSON(url);
    if (!data.structures) return null;
    return L.geoJSON(data.structures, {
      style: (feature) => (feature.properties.surveyed ? STYLE.surveyed : STYLE.notSurveyed),
      pmIgnore: true,
      snapIgnore: true,
      onEachFeature: (feature, layer) => {
        const props = feature.properties || {};
        const label = `${props.structure_id} · ${tr(props.surveyed ? "surveyed" : "not_surveyed")}`;
        layer.bindTooltip(() => textElement(label), { sticky: true });
      },
    }).addTo(map).bringToBack();
  } catch {
    return null; // progress only: the case's own shapes still show without it
  }
}

async function addContext(map, apiBase, bounds, names) {
  const group = L.featureGroup().addTo(map);
  // Only the layers the store holds (data-context-layers): a project outside Khlong Prem has
  // no canal layers, and asking for them would only log 404s.
  const stored = root?.dataset.contextLayers;
  if (stored !== undefined) names = names.filter((name) => stored.split(",").includes(name));
  const bbox = bounds
    ? [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map((v) => v.toFixed(6)).join(",")
    : null;
  await Promise.all(
    names.map(async (name) => {
      try {
        const url = `${apiBase}/layers/${name}${bbox ? `?bbox=${bbox}` : ""}`;
        const data = await requestJSON(url);
        // Not editable, but snapped to: corners of a plot can be put exactly on the setback line.
        L.geoJSON(data, {
          style: () => STYLE[name],
          pmIgnore: true,
          snapIgnore: name === "communities",
          interactive: name === "communities",
          onEachFeature: (feature, layer) => {
            const props = feature.properties || {};
            const label = [props.community_id, lang === "th" ? props.name_th : props.name_en].filter(Boolean).join(" · ");
            if (name === "communities" && label) layer.bindTooltip(() => textElement(label), { sticky: true });
          },
        }).addTo(group);
      } catch {
        // Context only: the case's own shapes still show without it.
      }
    }),
  );
  group.bringToBack();
  return group;
}

function setMessage(text, { error = false } = {}) {
  const element = document.getElementById("map-message");
  if (!element) return;
  element.textContent = text;
  element.classList.toggle("form-error", error);
}

function showMeasure(text, areaM2) {
  const element = document.getElementById("map-measure");
  if (!element) return;
  element.textContent = text;
  if (areaM2 === undefined) delete element.dataset.areaM2;
  else element.dataset.areaM2 = areaM2.toFixed(1);
}

function geoman(map) {
  if (!map.pm) return false;
  map.pm.setGlobalOptions({
    snappable: true,
    snapDistance: 20,
    // Drawn as drawn (Geoman would otherwise drop the crossing corner and save a triangle):
    // the server's verdict says what is wrong, in words, and the map marks the spot.
    allowSelfIntersection: true,
    continueDrawing: false,
    markerStyle: { draggable: true },
  });
  if (lang === "th") {
    map.pm.setLang(
      "th",
      {
        tooltips: {
          placeMarker: tr("gm_placeMarker"),
          firstVertex: tr("gm_firstVertex"),
          continueLine: tr("gm_continueLine"),
          finishPoly: tr("gm_finishPoly"),
        },
        actions: {
          finish: tr("gm_finish"),
          cancel: tr("gm_cancel"),
          removeLastVertex: tr("gm_removeLastVertex"),
        },
      },
      "en",
    );
  }
  return true;
}

/** Live area and length while a polygon is being drawn. */
function measureWhileDrawing(map) {
  let working = null;
  map.on("pm:drawstart", (e) => {
    working = e.shape === "Polygon" ? e.workingLayer : null;
  });
  map.on("pm:drawend", () => {
    working = null;
  });
  map.on("mousemove", (e) => {
    if (!working) return;
    const points = [...working.getLatLngs(), e.latlng];
    if (points.length < 2) return;
    const m = measure(points, points.length > 2);
    showMeasure(measureText(m, { lengthOnly: points.length < 3 }), m.area);
  });
}

// -- case page ---------------------------------------------------------------------------------
function casePage(element) {
  const cfg = element.dataset;
  const canEdit = cfg.canEdit === "true";
  const map = makeMap(element);
  const hasGeoman = canEdit && geoman(map);
  const state = {
    data: null,
    caseVersion: null,
    site: null,
    plots: L.featureGroup().addTo(map),
    households: L.featureGroup().addTo(map),
    spots: L.featureGroup().addTo(map), // where the server found a problem
    pending: new Map(),
    tool: null,
    drawing: null,
    context: null,
  };
  window.caseMap = { map, state }; // for tests and for the curious

  function plotStyle(kind) {
    return STYLE[kind] || STYLE.plot;
  }

  function describe(layer) {
    if (layer === state.site) return tr("site");
    if (layer.feature?.properties?.household_no !== undefined) {
      return tr("household", { no: layer.feature.properties.household_no });
    }
    const props = layer.feature?.properties;
    const no = props?.plot_no ?? layer._newPlot?.plot_no ?? "?";
    // A lane or common space is named by its kind in words, never "plot" nor the code.
    const kind = props?.kind ?? layer._newPlot?.kind;
    if (kind && kind !== "plot") return `${props?.kind_label?.[lang] || tr(`kind.${kind}`)} ${no}`;
    return tr("plot", { no });
  }

  function showLayerMeasure(layer) {
    if (layer instanceof L.Polygon) {
      const m = measure(layer.getLatLngs());
      showMeasure(`${describe(layer)}: ${measureText(m)}`, m.area);
    } else if (layer.getLatLng) {
      const p = layer.getLatLng();
      showMeasure(`${describe(layer)}: ${p.lat.toFixed(6)}, ${p.lng.toFixed(6)}`);
    }
  }

  function updatePending() {
    const count = state.pending.size;
    const label = document.getElementById("map-pending");
    if (label) label.textContent = count === 1 ? tr("pending_one") : count ? tr("pending", { n: count }) : "";
    for (const id of ["map-save", "map-discard"]) {
      const button = document.getElementById(id);
      if (button) button.disabled = count === 0;
    }
  }

  function markEdited(layer) {
    if (layer === state.site) state.pending.set("site", { kind: "site", layer });
    else if (layer._newPlot) state.pending.set(`new:${L.stamp(layer)}`, { kind: "new-plot", layer });
    else if (layer.feature?.properties?.household_no !== undefined) {
      state.pending.set(`hh:${layer.feature.properties.id}`, { kind: "location", layer });
    } else if (layer.feature?.properties?.id) {
      state.pending.set(`plot:${layer.feature.properties.id}`, { kind: "plot", layer });
    }
    showLayerMeasure(layer);
    updatePending();
  }

  function watch(layer) {
    layer.on("pm:markerdrag", () => showLayerMeasure(layer));
    layer.on("pm:edit", () => markEdited(layer));
    layer.on("pm:dragend", () => markEdited(layer));
    layer.on("click", () => showLayerMeasure(layer));
  }

  function plotPopup(layer) {
    const box = document.createElement("div");
    const title = document.createElement("strong");
    title.textContent = describe(layer);
    const info = document.createElement("div");
    info.textContent = measureText(measure(layer.getLatLngs()));
    box.append(title, info);
    if (canEdit && layer.feature?.properties?.id) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button-quiet";
      button.textContent = tr("delete_plot");
      button.addEventListener("click", () => deletePlot(layer));
      box.append(button);
    }
    return box;
  }

  function render(data) {
    state.data = data;
    state.caseVersion = data.case.version;
    if (state.site) map.removeLayer(state.site);
    state.site = null;
    state.plots.clearLayers();
    state.households.clearLayers();
    state.pending.clear();
    if (data.site) {
      state.site = L.geoJSON(data.site, { style: () => STYLE.site }).getLayers()[0];
      state.site.addTo(map);
      state.site.bindTooltip(() => textElement(`${tr("site")}: ${measureText(measure(state.site.getLatLngs()))}`), {
        sticky: true,
      });
      watch(state.site);
    }
    for (const feature of data.plots.features) {
      const layer = L.geoJSON(feature, { style: () => plotStyle(feature.properties.kind) }).getLayers()[0];
      layer.bindTooltip(() => textElement(`${describe(layer)} · ${measureText(measure(layer.getLatLngs()))}`), {
        sticky: true,
      });
      layer.bindPopup(() => plotPopup(layer));
      watch(layer);
      state.plots.addLayer(layer);
    }
    if (data.households) {
      for (const feature of data.households.features) {
        const [lng, lat] = feature.geometry.coordinates;
        const p = feature.properties;
        const layer = L.circleMarker([lat, lng], {
          radius: 6,
          color: "#222",
          weight: 1,
          fillColor: STATUS_COLOURS[p.house_status] || "#888",
          fillOpacity: 0.95,
          snapIgnore: true,
        });
        layer.feature = feature;
        layer.bindTooltip(() =>
          textElement(`${tr("household", { no: p.household_no })} · ${p.head_name} · ${tr(`status.${p.house_status}`)}`),
        );
        watch(layer);
        state.households.addLayer(layer);
      }
      fillUnplaced(data);
    }
    state.site?.bringToBack();
    updatePending();
  }

  function fillUnplaced(data) {
    const select = document.getElementById("place-household");
    if (!select) return;
    select.replaceChildren();
    const first = document.createElement("option");
    first.value = "";
    first.textContent = tr("choose_household");
    select.append(first);
    const all = [
      ...(data.unplaced || []).map((h) => ({ ...h, placed: false })),
      ...data.households.features.map((f) => ({ ...f.properties, placed: true })),
    ].sort((a, b) => a.household_no - b.household_no);
    for (const h of all) {
      const option = document.createElement("option");
      option.value = String(h.id);
      option.textContent = `${h.household_no} · ${h.head_name}${h.placed ? "" : ` (${tr("unplaced")})`}`;
      option.dataset.version = String(h.version);
      select.append(option);
    }
  }

  function fit() {
    const group = L.featureGroup([...(state.site ? [state.site] : []), ...state.plots.getLayers(), ...state.households.getLayers()]);
    const bounds = group.getLayers().length ? group.getBounds() : null;
    if (bounds?.isValid()) map.fitBounds(bounds.pad(0.15));
    return bounds;
  }

  // The map's data from the API: the case (site, plots, version) and, for those who may see
  // them, the households, placed (features) or not yet placed (unplaced).
  async function fetchMapData() {
    const detail = await requestJSON(cfg.caseUrl);
    const data = {
      case: { id: detail.id, version: detail.version, can_edit: detail.can_edit },
      site: detail.site ? { type: "Feature", geometry: detail.site, properties: {} } : null,
      plots: detail.plots,
      households: null,
      unplaced: null,
    };
    if (cfg.householdsUrl) {
      const items = (await requestJSON(cfg.householdsUrl)).items;
      const properties = (h) => ({
        id: h.id,
        household_no: h.household_no,
        head_name: h.head_name,
        house_status: h.house_status,
        agreed_to_move: h.agreed_to_move,
        plot_no: h.plot_no,
        version: h.version,
      });
      data.households = {
        type: "FeatureCollection",
        features: items.filter((h) => h.location).map((h) => ({ type: "Feature", geometry: h.location, properties: properties(h) })),
      };
      data.unplaced = items.filter((h) => !h.location).map(properties);
    }
    return data;
  }

  async function load({ refit = false } = {}) {
    setMessage(tr("loading"));
    try {
      const data = await fetchMapData();
      render(data);
      setMessage(data.site ? "" : tr("no_site"));
      if (refit || !state.context) {
        const bounds = fit();
        if (!state.context) {
          const area = bounds ? bounds.pad(1.0) : map.getBounds();
          state.context = await addContext(map, cfg.apiBase, area, ["canal_water", "canal_setback", "canal_centreline"]);
          state.survey = await addSurvey(map, element.dataset.surveyUrl);
          state.context.bringToBack();
        }
      }
      element.dataset.ready = "true";
    } catch (error) {
      setMessage(tr("load_failed", { error: error.message }), { error: true });
    }
  }

  // -- tools
  const buttons = [...document.querySelectorAll("#map-tools [data-tool]")];

  function stopTools() {
    if (!hasGeoman) return;
    map.pm.disableDraw();
    for (const layer of [state.site, ...state.plots.getLayers(), ...state.households.getLayers()]) {
      if (layer?.pm?.enabled()) layer.pm.disable();
    }
    state.tool = null;
    state.drawing = null;
    for (const b of buttons) b.setAttribute("aria-pressed", "false");
  }

  function startTool(tool) {
    if (state.tool === tool) {
      stopTools();
      setMessage("");
      return;
    }
    stopTools();
    const drawOptions = { snappable: true, snapDistance: 20, allowSelfIntersection: true };
    if (tool === "site") {
      if (state.site) {
        state.site.pm.enable({ snappable: true, allowSelfIntersection: true });
        setMessage(tr("editing"));
      } else {
        state.drawing = "site";
        map.pm.enableDraw("Polygon", { ...drawOptions, pathOptions: STYLE.site });
        setMessage(tr("drawing_site"));
      }
    } else if (tool === "plot") {
      const plotNo = document.getElementById("plot-no").value.trim();
      if (!plotNo) {
        setMessage(tr("need_plot_no"), { error: true });
        document.getElementById("plot-no").focus();
        return;
      }
      state.drawing = "plot";
      map.pm.enableDraw("Polygon", { ...drawOptions, pathOptions: STYLE.newPlot });
      setMessage(tr("drawing_plot"));
    } else if (tool === "place") {
      const select = document.getElementById("place-household");
      if (!select.value) {
        setMessage(tr("need_household"), { error: true });
        select.focus();
        return;
      }
      state.drawing = "place";
      state.placing = {
        id: Number(select.value),
        version: Number(select.selectedOptions[0].dataset.version),
        label: select.selectedOptions[0].textContent,
      };
      map.pm.enableDraw("Marker", { snappable: true, snapDistance: 20 });
      setMessage(tr("placing", { who: state.placing.label }));
    } else if (tool === "edit") {
      for (const layer of [state.site, ...state.plots.getLayers()]) {
        layer?.pm.enable({ snappable: true, allowSelfIntersection: true });
      }
      for (const layer of state.households.getLayers()) layer.pm.enable({ draggable: true, snappable: false });
      setMessage(tr("editing"));
    }
    state.tool = tool;
    buttons.find((b) => b.dataset.tool === tool)?.setAttribute("aria-pressed", "true");
  }

  function nextPlotNo() {
    const numbers = state.plots
      .getLayers()
      .map((l) => Number(l.feature?.properties?.plot_no ?? l._newPlot?.plot_no))
      .filter((n) => Number.isFinite(n));
    return String(numbers.length ? Math.max(...numbers) + 1 : 1);
  }

  if (hasGeoman) {
    measureWhileDrawing(map);
    map.on("pm:create", (e) => {
      const layer = e.layer;
      const drawing = state.drawing;
      if (drawing === "site") {
        layer.setStyle(STYLE.site);
        state.site = layer;
        watch(layer);
        markEdited(layer);
      } else if (drawing === "plot") {
        const input = document.getElementById("plot-no");
        layer._newPlot = { plot_no: input.value.trim(), kind: document.getElementById("plot-kind").value };
        layer.setStyle(STYLE.newPlot);
        map.removeLayer(layer);
        state.plots.addLayer(layer);
        layer.bindTooltip(() => textElement(`${describe(layer)} · ${measureText(measure(layer.getLatLngs()))}`), {
          sticky: true,
        });
        watch(layer);
        markEdited(layer);
        input.value = nextPlotNo();
      } else if (drawing === "place") {
        const placing = state.placing;
        layer.feature = {
          type: "Feature",
          properties: { id: placing.id, household_no: placing.label.split(" · ")[0], version: placing.version },
        };
        layer._placing = placing;
        map.removeLayer(layer);
        state.households.addLayer(layer);
        watch(layer);
        markEdited(layer);
      }
      stopTools();
      setMessage("");
    });
    for (const button of buttons) button.addEventListener("click", () => startTool(button.dataset.tool));
    document.getElementById("map-save")?.addEventListener("click", save);
    document.getElementById("map-discard")?.addEventListener("click", () => {
      stopTools();
      for (const item of state.pending.values()) if (!state.plots.hasLayer(item.layer)) map.removeLayer(item.layer);
      showErrors([]);
      load();
    });
    document.getElementById("map-tools").hidden = false;
  }

  /** Mark where the server found a problem (a GeoJSON Point), with its message. */
  function markSpot(spot, message) {
    const [lng, lat] = spot.coordinates;
    const marker = L.circleMarker([lat, lng], {
      radius: 12,
      color: "#b00020",
      weight: 3,
      fillColor: "#ffeb3b",
      fillOpacity: 0.9,
      pmIgnore: true,
      snapIgnore: true,
      className: "map-problem-spot",
    });
    marker.bindTooltip(() => textElement(`${tr("problem_here")}: ${message}`), { permanent: true, direction: "top" });
    state.spots.addLayer(marker);
    marker.openTooltip();
  }

  function showErrors(messages) {
    if (messages.length === 0) state.spots.clearLayers();
    const list = document.getElementById("map-errors");
    if (!list) return;
    list.replaceChildren(
      ...messages.map((text) => {
        const item = document.createElement("li");
        item.textContent = text;
        return item;
      }),
    );
    list.hidden = messages.length === 0;
  }

  function setCaseVersion(version) {
    state.caseVersion = version;
    // The page's own forms were read at the old version: keep them current.
    for (const input of document.querySelectorAll("input[data-case-version]")) input.value = String(version);
  }

  async function saveOne(item) {
    const layer = item.layer;
    const geometry = layer.toGeoJSON(7).geometry;
    if (item.kind === "site") {
      const result = await requestJSON(cfg.caseUrl, { site: geometry, version: state.caseVersion }, "PATCH");
      setCaseVersion(result.version);
    } else if (item.kind === "new-plot") {
      await requestJSON(cfg.plotsUrl, { ...layer._newPlot, geometry });
    } else if (item.kind === "plot") {
      const p = layer.feature.properties;
      const result = await requestJSON(urlFor(cfg.plotUrl, p.id), { geometry, version: p.version }, "PATCH");
      p.version = result.properties.version;
    } else if (item.kind === "location") {
      const p = layer.feature.properties;
      const result = await requestJSON(urlFor(cfg.householdUrl, p.id), { location: geometry, version: p.version }, "PATCH");
      p.version = result.version;
    }
  }

  async function save() {
    stopTools();
    setMessage(tr("saving"));
    showErrors([]);
    const errors = [];
    const spots = [];
    for (const [key, item] of [...state.pending]) {
      try {
        await saveOne(item);
        state.pending.delete(key);
      } catch (error) {
        errors.push(named(describe(item.layer), error.message));
        if (error.spot) spots.push([error.spot, error.message]);
      }
    }
    updatePending();
    if (errors.length) {
      setMessage(tr("save_failed"), { error: true });
      showErrors(errors);
      for (const [spot, message] of spots) markSpot(spot, message);
      if (spots.length) map.panTo([spots[0][0].coordinates[1], spots[0][0].coordinates[0]]);
      return;
    }
    for (const layer of [...state.plots.getLayers()]) if (layer._newPlot) state.plots.removeLayer(layer);
    await load();
    setMessage(tr("saved"));
  }

  async function deletePlot(layer) {
    const p = layer.feature.properties;
    if (!window.confirm(tr("confirm_delete", { no: p.plot_no }))) return;
    map.closePopup();
    try {
      await requestJSON(`${urlFor(cfg.plotUrl, p.id)}?version=${encodeURIComponent(p.version)}`, undefined, "DELETE");
      await load();
      setMessage(tr("deleted"));
    } catch (error) {
      setMessage(error.message, { error: true });
    }
  }

  const plotInput = document.getElementById("plot-no");
  load({ refit: true }).then(() => {
    if (plotInput && !plotInput.value) plotInput.value = nextPlotNo();
  });
}

// -- new-case page -----------------------------------------------------------------------------
function newCasePage(element) {
  const cfg = element.dataset;
  const input = document.getElementById(cfg.siteInput);
  const map = makeMap(element);
  geoman(map);
  measureWhileDrawing(map);
  let site = null;
  window.caseMap = { map, state: { get site() { return site; } } };

  function store() {
    input.value = site ? JSON.stringify(site.toGeoJSON(7).geometry) : "";
    if (site) {
      const m = measure(site.getLatLngs());
      showMeasure(`${tr("site")}: ${measureText(m)}`, m.area);
    } else {
      showMeasure("");
    }
  }

  function adopt(layer) {
    site = layer;
    site.setStyle(STYLE.site);
    site.on("pm:markerdrag", () => {
      const m = measure(site.getLatLngs());
      showMeasure(`${tr("site")}: ${measureText(m)}`, m.area);
    });
    site.on("pm:edit", store);
    store();
  }

  if (input.value) {
    try {
      const layer = L.geoJSON(JSON.parse(input.value)).getLayers()[0];
      layer.addTo(map);
      adopt(layer);
    } catch {
      input.value = "";
    }
  }

  const siteButton = document.getElementById("tool-site");
  const editButton = document.getElementById("tool-edit");
  function reset() {
    map.pm.disableDraw();
    if (site?.pm.enabled()) site.pm.disable();
    siteButton.setAttribute("aria-pressed", "false");
    editButton.setAttribute("aria-pressed", "false");
  }
  siteButton.addEventListener("click", () => {
    reset();
    if (site) {
      site.pm.enable({ snappable: true, allowSelfIntersection: false });
      editButton.setAttribute("aria-pressed", "true");
      setMessage(tr("editing"));
      return;
    }
    map.pm.enableDraw("Polygon", { snappable: true, snapDistance: 20, allowSelfIntersection: false, pathOptions: STYLE.site });
    siteButton.setAttribute("aria-pressed", "true");
    setMessage(tr("drawing_site"));
  });
  editButton.addEventListener("click", () => {
    const on = editButton.getAttribute("aria-pressed") === "true";
    reset();
    if (site && !on) {
      site.pm.enable({ snappable: true, allowSelfIntersection: false });
      editButton.setAttribute("aria-pressed", "true");
      setMessage(tr("editing"));
    }
  });
  document.getElementById("tool-clear").addEventListener("click", () => {
    reset();
    if (site) map.removeLayer(site);
    site = null;
    store();
    setMessage("");
  });
  map.on("pm:create", (e) => {
    if (site) map.removeLayer(site);
    adopt(e.layer);
    reset();
    setMessage(tr("site_ready"));
  });

  (async () => {
    const context = await addContext(map, cfg.apiBase, null, ["communities", "canal_water", "canal_setback", "canal_centreline"]);
    if (site) map.fitBounds(site.getBounds().pad(0.5));
    else if (context.getLayers().length) map.fitBounds(context.getBounds());
    // Choosing the community zooms to its present outline, to draw the site beside or over it.
    const community = document.getElementById("new-community");
    community?.addEventListener("change", () => {
      context.eachLayer((group) => {
        group.eachLayer?.((layer) => {
          if (layer.feature?.properties?.community_id === community.value) map.fitBounds(layer.getBounds().pad(0.3));
        });
      });
    });
    element.dataset.ready = "true";
  })();
}

if (root && window.L) {
  if (root.dataset.mode === "new") newCasePage(root);
  else casePage(root);
}
