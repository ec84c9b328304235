// The community workshop page (templates/layout/workshop.html, app/layout_views.py).
//
// "Generate" posts the parameters to /api/cases/<id>/layouts and draws each option on a small
// Leaflet map with no tiles, in metres: every geometry comes in EPSG:32647 and is drawn in
// Leaflet's plain (CRS.Simple) frame, less the site's centre, so lengths and areas are in
// metres with no projection in the browser. Choosing an option enlarges it for adjusting by
// hand: move a secondary lane across its length (drag it, or the arrow buttons), merge two
// plots side by side, split a plot in two. After every edit (debounced) the layout goes to
// the server's check (POST /api/cases/<id>/workshop/check), which answers with
// gis.layout.layout_problems and layout_metrics: the same rules and numbers a save is held
// to, with no copy of them here. Broken rules are shown in Thai and English next to the
// plot, and saving is off while any is left or a check is still pending. Saving posts the
// option in EPSG:32647 with who agreed and when; the server checks it again. Texts come from
// the app's string catalogue through the page (#ws-data), already in the page's language;
// data is only ever put into the page with textContent, never as HTML.

const DATA = JSON.parse(document.getElementById("ws-data").textContent);
const STRINGS = DATA.strings;
const lang = DATA.lang === "en" ? "en" : "th";
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content || "";
const [OX, OY] = DATA.site.origin; // metres subtracted from EPSG:32647 coordinates
// The maps are turned so that the site's long side is level (the checks are not).
const TURN = (-(DATA.site.display_angle_deg || 0) * Math.PI) / 180;
const [COS, SIN] = [Math.cos(TURN), Math.sin(TURN)];

const MAX_LABELS = 6; // permanent violation labels on the big map; the rest in the list

const COLOURS = {
  site: { color: "#01579b", weight: 3, fill: false },
  setback: { color: "#1e88e5", weight: 1, dashArray: "6 4", fillColor: "#64b5f6", fillOpacity: 0.35 },
  canal: { color: "#0d47a1", weight: 4 },
  main: { color: "#3e2723", weight: 1, fillColor: "#6d4c41", fillOpacity: 0.95 },
  secondary: { color: "#4e342e", weight: 1, fillColor: "#a1887f", fillOpacity: 0.95 },
  loop: { color: "#4e342e", weight: 1, fillColor: "#a1887f", fillOpacity: 0.95 },
  common: { color: "#1b5e20", weight: 1, fillColor: "#66bb6a", fillOpacity: 0.85 },
  spare: { color: "#9e9e9e", weight: 1, dashArray: "3 3", fillColor: "#f5f5f5", fillOpacity: 0.6 },
  row: { color: "#7a4f00", weight: 1, fillColor: "#ffb300", fillOpacity: 0.9 },
  twin: { color: "#311b92", weight: 1, fillColor: "#9575cd", fillOpacity: 0.9 },
  other: { color: "#004d40", weight: 1, fillColor: "#4db6ac", fillOpacity: 0.9 },
  bad: { color: "#b71c1c", weight: 3, fillColor: "#e53935", fillOpacity: 0.85 },
  picked: { color: "#00b8d4", weight: 4 },
};

// -- texts ------------------------------------------------------------------------------------
function tr(key, vars = {}, language = null) {
  const k = language ? `${key}.${language}` : key;
  let text = STRINGS[k] ?? STRINGS[key] ?? key;
  for (const [name, value] of Object.entries(vars)) text = text.replaceAll(`{${name}}`, value);
  return text;
}

const fmt1 = new Intl.NumberFormat(lang === "th" ? "th-TH" : "en-GB", { maximumFractionDigits: 1 });
const fmt0 = new Intl.NumberFormat(lang === "th" ? "th-TH" : "en-GB", { maximumFractionDigits: 0 });

function money(baht) {
  if (baht >= 1e6) return tr("million", { n: fmt1.format(baht / 1e6) });
  return tr("baht", { n: fmt0.format(baht) });
}

function laneName(id, language = lang) {
  if (id === "main") return tr("lane_main", {}, language);
  if (String(id).startsWith("loop")) return tr("lane_loop", {}, language);
  const m = /^lane(\d+)$/.exec(String(id));
  return tr("lane_n", { n: m ? m[1] : id }, language);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

// -- geometry in metres ---------------------------------------------------------------------
function local([x, y]) {
  return [x - OX, y - OY];
}

function openRing(coords) {
  const ring = coords.map(local);
  const [a, b] = [ring[0], ring[ring.length - 1]];
  if (ring.length > 1 && a[0] === b[0] && a[1] === b[1]) ring.pop();
  return ring;
}

function polygonsOf(geometry) {
  if (!geometry) return [];
  if (geometry.type === "Polygon") return [geometry.coordinates.map(openRing)];
  if (geometry.type === "MultiPolygon") return geometry.coordinates.map((p) => p.map(openRing));
  return [];
}

function linesOf(geometry) {
  if (!geometry) return [];
  const one = (coords) => coords.map(local);
  if (geometry.type === "LineString") return [one(geometry.coordinates)];
  if (geometry.type === "MultiLineString") return geometry.coordinates.map(one);
  if (geometry.type === "GeometryCollection") return geometry.geometries.flatMap(linesOf);
  return [];
}

function signedArea(ring) {
  let a = 0;
  for (let i = 0, n = ring.length; i < n; i++) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[(i + 1) % n];
    a += x1 * y2 - x2 * y1;
  }
  return a / 2;
}

function ccw(ring) {
  return signedArea(ring) < 0 ? ring.slice().reverse() : ring;
}

function polyArea(rings) {
  return Math.abs(signedArea(rings[0])) - rings.slice(1).reduce((s, r) => s + Math.abs(signedArea(r)), 0);
}

function side(a, b, p) {
  return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
}

function dist(a, b) {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

function distPointSegment(p, a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  let t = len2 ? ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2 : 0;
  t = Math.max(0, Math.min(1, t));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

function* edges(rings) {
  for (const ring of rings) for (let i = 0; i < ring.length; i++) yield [ring[i], ring[(i + 1) % ring.length]];
}

function distToRings(p, rings) {
  let best = Infinity;
  for (const [a, b] of edges(rings)) best = Math.min(best, distPointSegment(p, a, b));
  return best;
}

function centroid(ring) {
  let [cx, cy, a] = [0, 0, 0];
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[(i + 1) % ring.length];
    const f = x1 * y2 - x2 * y1;
    cx += (x1 + x2) * f;
    cy += (y1 + y2) * f;
    a += f;
  }
  return a ? [cx / (3 * a), cy / (3 * a)] : ring[0];
}

// -- the site --------------------------------------------------------------------------------
const SITE = {
  rings: polygonsOf(DATA.site.site.utm)[0] || [],
  canal: linesOf(DATA.site.canal.utm),
  zone: polygonsOf(DATA.site.setback_zone.utm),
  access: DATA.site.access.utm ? local(DATA.site.access.utm) : null,
  setback: DATA.site.setback_m,
  area: DATA.site.site_area_m2,
};

// -- an option's state -------------------------------------------------------------------------
function optionState(option, response) {
  const plots = [];
  const lanes = [];
  const spaces = [];
  for (const f of option.utm.features) {
    const p = f.properties;
    if (p.layer === "plot") {
      plots.push({
        no: String(p.plot_no),
        type: p.plot_type,
        lane: p.lane_id,
        ring: ccw(polygonsOf(f.geometry)[0][0]),
      });
    } else if (p.layer === "lane") {
      const polys = polygonsOf(f.geometry);
      lanes.push({ id: p.lane_id, kind: p.kind, length: p.length_m, base: polys, polys, offset: 0 });
    } else if (p.layer === "open_space") {
      spaces.push({ id: p.space_id, kind: p.kind, polys: polygonsOf(f.geometry) });
    }
  }
  const angle = (option.angle_deg * Math.PI) / 180;
  return {
    option: option.option,
    name: option.name,
    metrics: option.metrics, // gis.layout's, until the server has checked an edit
    pattern: option.pattern,
    angle,
    cross: [-Math.sin(angle), Math.cos(angle)], // the local frame's v: across secondary lanes
    access: option.access_point ? local(option.access_point) : SITE.access,
    accessUtm: option.access_point,
    plots,
    lanes,
    spaces,
    setback: response.parameters.setback,
    households: response.parameters.households,
    nextNo: plots.reduce((m, p) => Math.max(m, Number(p.no) || 0), 0) + 1,
    history: [],
    edits: { merged: 0, split: 0, lanes_moved: 0 },
    problems: [],
    pending: false, // an edit not yet checked by the server
    asked: 0,
    timer: null,
    checkFailed: false,
    failure: [],
  };
}

function laneRings(opt) {
  const out = [];
  for (const lane of opt.lanes)
    for (const poly of lane.polys) out.push({ lane, ring: poly[0] });
  return out;
}

// -- the invariants, from the server ----------------------------------------------------------
const CHECK_DELAY_MS = 120; // after the last edit, before asking the server

/** A problem of gis.layout.layout_problems, placed on its plot or lane. */
function placed(p) {
  const layer = p.layer || "";
  const feature = p.feature === null || p.feature === undefined ? null : String(p.feature);
  return {
    th: p.th,
    en: p.en,
    plot: layer === "plots" ? feature : null,
    lane: layer === "lanes" ? feature : null,
  };
}

function checkBody(opt) {
  return {
    option: opt.option,
    parameters: { ...state.response.parameters, unit_costs: unitCosts() },
    crs: DATA.site.crs,
    access_point: opt.accessUtm,
    features: { type: "FeatureCollection", features: optionFeatures(opt) },
  };
}

/** Ask the server for the verdict on `opt` now; the latest answer wins. */
async function checkNow(opt) {
  const asked = ++opt.asked;
  let result;
  try {
    result = await postJSON(DATA.urls.check, checkBody(opt));
  } catch {
    result = { ok: false, data: null };
  }
  if (asked !== opt.asked) return; // a newer edit has been sent since
  opt.pending = false;
  if (result.ok) {
    opt.problems = result.data.problems.map(placed);
    opt.metrics = result.data.metrics;
    opt.checkFailed = false;
  } else {
    opt.checkFailed = true;
    opt.failure = errorLines(result.data);
  }
  checked(opt);
}

/** Check `opt` once its edits have paused (saving is off until the answer). */
function requestCheck(opt) {
  opt.pending = true;
  clearTimeout(opt.timer);
  opt.timer = setTimeout(() => checkNow(opt), CHECK_DELAY_MS);
  if (state.editor?.opt === opt) showCheck(opt);
}

/** The server's verdict arrived: show it wherever the option is drawn. */
function checked(opt) {
  const card = state.cards.find((c) => c.opt === opt);
  if (card) redrawCard(card);
  if (state.editor?.opt === opt && state.selected !== null) {
    if (!drag) redraw();
    showCheck(opt);
    $("ws-edit-metrics").replaceChildren(metricsList(opt));
  }
}

// -- edits -----------------------------------------------------------------------------------
function snapshot(opt) {
  return {
    plots: opt.plots.map((p) => ({ ...p, ring: p.ring.map((v) => v.slice()) })),
    lanes: opt.lanes.map((l) => ({ ...l })),
    nextNo: opt.nextNo,
    edits: { ...opt.edits },
  };
}

function remember(opt) {
  opt.history.push(snapshot(opt));
  if (opt.history.length > 100) opt.history.shift();
}

function undo(opt) {
  const last = opt.history.pop();
  if (!last) return false;
  Object.assign(opt, last);
  return true;
}

function moveLane(opt, lane, offset) {
  lane.offset = Math.round(offset * 10) / 10;
  const [vx, vy] = opt.cross;
  const dx = vx * lane.offset;
  const dy = vy * lane.offset;
  lane.polys = lane.base.map((poly) => poly.map((ring) => ring.map(([x, y]) => [x + dx, y + dy])));
}

function samePoint(a, b) {
  return Math.abs(a[0] - b[0]) < 1e-6 && Math.abs(a[1] - b[1]) < 1e-6;
}

/** Drop corners where the ring goes straight on (left by a merge). */
function dropStraight(ring) {
  const out = [];
  for (let i = 0; i < ring.length; i++) {
    const prev = ring[(i - 1 + ring.length) % ring.length];
    const next = ring[(i + 1) % ring.length];
    const bend = Math.abs(side(prev, ring[i], next)) / Math.max(dist(prev, next), 1e-9);
    if (bend > 1e-6) out.push(ring[i]);
  }
  return out;
}

/** Two plots sharing a whole edge as one plot (their corners kept exactly); null otherwise. */
function mergedRing(a, b) {
  for (let i = 0; i < a.length; i++) {
    const a0 = a[i];
    const a1 = a[(i + 1) % a.length];
    for (let j = 0; j < b.length; j++) {
      const b0 = b[j];
      const b1 = b[(j + 1) % b.length];
      if (!(samePoint(a0, b1) && samePoint(a1, b0))) continue;
      const ring = [];
      for (let k = 1; k <= a.length; k++) ring.push(a[(i + k) % a.length]); // a1 … a0
      for (let k = 2; k < b.length; k++) ring.push(b[(j + k) % b.length]); // after b1 … before b0
      const merged = dropStraight(ring);
      const rectangle = merged.length === 4 && Math.abs(polyArea([merged]) - polyArea([a]) - polyArea([b])) < 1e-6;
      return rectangle ? merged : null;
    }
  }
  return null;
}

function mergePlots(opt, first, second) {
  const ring = mergedRing(first.ring, second.ring);
  if (!ring) return false;
  remember(opt);
  const keep = Number(first.no) <= Number(second.no) ? first : second;
  const drop = keep === first ? second : first;
  keep.ring = ccw(ring);
  opt.plots = opt.plots.filter((p) => p !== drop);
  opt.edits.merged += 1;
  return keep;
}

/** Halve a plot across its edge nearest a lane (both halves keep their share of it). */
function splitPlot(opt, plot) {
  const ring = plot.ring;
  if (ring.length !== 4) return null;
  const lanes = laneRings(opt).map((l) => l.ring);
  // The edge whose middle is nearest a lane (the one on it); the longest edge without lanes.
  const score = [0, 1, 2, 3].map((i) => {
    const [p, q] = [ring[i], ring[(i + 1) % 4]];
    const middle = [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2];
    return lanes.length ? -distToRings(middle, lanes) : dist(p, q);
  });
  const best = score.indexOf(Math.max(...score));
  remember(opt);
  const [p0, p1, p2, p3] = [0, 1, 2, 3].map((k) => ring[(best + k) % 4]);
  const m1 = [(p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2];
  const m2 = [(p2[0] + p3[0]) / 2, (p2[1] + p3[1]) / 2];
  plot.ring = ccw([p0, m1, m2, p3]);
  const twin = { ...plot, no: String(opt.nextNo++), ring: ccw([m1, p1, p2, m2]) };
  opt.plots.push(twin);
  opt.edits.split += 1;
  return twin;
}

// -- metrics ---------------------------------------------------------------------------------
function unitCosts() {
  const out = {};
  for (const input of document.querySelectorAll("[data-cost]")) out[input.dataset.cost] = Math.max(0, Number(input.value) || 0);
  return out;
}

/** The layout's numbers, as the server's gis.layout.layout_metrics gave them. */
function metricsList(opt) {
  const s = opt.metrics;
  const m = {
    housed: s.households_housed,
    needed: s.households_needed,
    shortfall: s.shortfall,
    byType: s.plots_by_type || {},
    lanePerPlot: s.lane_length_per_plot_m,
    commonArea: s.common_space_m2,
    commonShare: s.common_space_share,
    commonTarget: s.common_space_target_share,
    commonBelow: s.common_space_below_target,
    cost: s.cost_baht.total,
    costPerHousehold: s.cost_per_household_baht,
  };
  const list = el("ul", { class: "ws-metrics" });
  const housed = el("li", { class: "ws-m-housed", text: tr("housed", { housed: fmt0.format(m.housed), needed: fmt0.format(m.needed) }) });
  list.append(housed);
  if (m.shortfall > 0) list.append(el("li", { class: "ws-m-short", text: tr("short", { n: fmt0.format(m.shortfall) }) }));
  else list.append(el("li", { class: "ws-m-all", text: tr("all_housed") }));
  if (!m.housed) list.append(el("li", { class: "ws-m-none", text: tr("none_fit", { setback: fmt1.format(opt.setback) }) }));
  for (const t of state.plotTypes) {
    if (!m.byType[t.name]) continue;
    list.append(el("li", { class: `ws-m-type ws-m-${t.name}`, text: tr("by_type", { label: t.label[lang], n: fmt0.format(m.byType[t.name]) }) }));
  }
  if (m.housed) list.append(el("li", { text: tr("lane_per_house", { m: fmt1.format(m.lanePerPlot) }) }));
  if (m.housed) list.append(el("li", { text: tr("common", { pct: fmt1.format(m.commonShare * 100), area: fmt0.format(m.commonArea) }) }));
  if (m.housed && m.commonBelow) list.append(el("li", { class: "ws-m-short", text: tr("common_below", { target: fmt1.format(m.commonTarget * 100) }) }));
  if (m.housed) {
    const cost = el("li", { class: "ws-m-cost", text: tr("cost", { total: money(m.cost) }) });
    cost.append(el("span", { class: "ws-m-sub", text: ` ${tr("cost_each", { each: money(m.costPerHousehold) })}` }));
    list.append(cost);
  }
  const edits = opt.edits.merged + opt.edits.split + opt.edits.lanes_moved;
  if (edits) list.append(el("li", { class: "ws-m-edits", text: tr("edited", { n: fmt0.format(edits) }) }));
  return list;
}

// -- drawing ---------------------------------------------------------------------------------
/** Metres in the site's frame to the map's (turned) [lat, lng]. */
function latlng([x, y]) {
  return [x * SIN + y * COS, x * COS - y * SIN];
}

/** A vector on the map ([dlat, dlng]) back to metres in the site's frame. */
function unturn(dlat, dlng) {
  return [dlng * COS + dlat * SIN, -dlng * SIN + dlat * COS];
}

function latlngs(rings) {
  return rings.map((ring) => ring.map(latlng));
}

function siteBounds() {
  const rings = SITE.rings.length ? SITE.rings : [[[-50, -50], [50, 50]]];
  return L.latLngBounds(rings.flatMap((ring) => ring.map(latlng)));
}

/** The map's height for its width: the site's shape, within limits. */
function fitHeight(box, lo, hi) {
  const b = siteBounds();
  const aspect = Math.max((b.getEast() - b.getWest()) / Math.max(b.getNorth() - b.getSouth(), 1), 0.2);
  const height = Math.round(Math.min(hi, Math.max(lo, (box.clientWidth - 24) / aspect + 24)));
  box.style.height = `${height}px`;
}

function newMap(container, interactive) {
  const map = L.map(container, {
    crs: L.CRS.Simple,
    minZoom: -6,
    maxZoom: 6,
    zoomSnap: 0,
    zoomDelta: 0.5,
    attributionControl: false,
    zoomControl: interactive,
    dragging: interactive,
    scrollWheelZoom: interactive,
    doubleClickZoom: interactive,
    boxZoom: false,
    keyboard: interactive,
    touchZoom: interactive,
  });
  map.fitBounds(siteBounds(), { padding: [12, 12] });
  return map;
}

function drawSite(group) {
  for (const poly of SITE.zone) L.polygon(latlngs(poly), { ...COLOURS.setback, interactive: false }).addTo(group);
  for (const line of SITE.canal) L.polyline(line.map(latlng), { ...COLOURS.canal, interactive: false }).addTo(group);
  if (SITE.rings.length) L.polygon(latlngs(SITE.rings), { ...COLOURS.site, interactive: false }).addTo(group);
}

function plotStyle(plot) {
  return COLOURS[plot.type] || COLOURS.other;
}

function drawOption(group, opt, { interactive = false, bad = new Set() } = {}) {
  const layers = { plots: new Map(), lanes: new Map() };
  for (const s of opt.spaces)
    for (const poly of s.polys) L.polygon(latlngs(poly), { ...(COLOURS[s.kind] || COLOURS.spare), interactive: false }).addTo(group);
  for (const lane of opt.lanes) {
    const style = { ...(COLOURS[lane.kind] || COLOURS.secondary) };
    if (bad.has(`lane:${lane.id}`)) Object.assign(style, COLOURS.bad);
    const layer = L.polygon(
      lane.polys.map((p) => latlngs(p)),
      { ...style, interactive, bubblingMouseEvents: false, className: `ws-lane ws-lane-${lane.kind}` },
    ).addTo(group);
    layers.lanes.set(lane.id, layer);
  }
  for (const plot of opt.plots) {
    const style = { ...plotStyle(plot) };
    if (bad.has(`plot:${plot.no}`)) Object.assign(style, COLOURS.bad);
    const layer = L.polygon(latlngs([plot.ring]), { ...style, interactive, bubblingMouseEvents: false, className: "ws-plot" }).addTo(group);
    layers.plots.set(plot.no, layer);
  }
  if (opt.access) {
    L.circleMarker(latlng(opt.access), {
      radius: interactive ? 10 : 6,
      color: "#000",
      weight: 2,
      fillColor: "#ff1744",
      fillOpacity: 1,
      interactive: false,
    }).addTo(group);
  }
  return layers;
}

// -- the page's state ------------------------------------------------------------------------
const state = {
  caseVersion: DATA.case.version,
  response: null,
  options: [],
  plotTypes: DATA.plot_types,
  cards: [],
  selected: null,
  tool: null,
  picked: null,
  editor: null,
  saving: false,
};

const $ = (id) => document.getElementById(id);
const status = $("ws-status");

function say(node, text, kind = "") {
  node.textContent = text;
  node.dataset.kind = kind;
}

// -- parameters ------------------------------------------------------------------------------
function clamp(input, value) {
  const lo = Number(input.min);
  const hi = Number(input.max);
  const step = Number(input.step) || 1;
  const v = Math.min(hi, Math.max(lo, Math.round(value / step) * step));
  return Number(v.toFixed(3));
}

function setParam(input, value) {
  input.value = clamp(input, value);
  const range = document.querySelector(`input[type=range][data-for="${input.id}"]`);
  if (range) range.value = input.value;
  document.getElementById("ws-controls").dataset.changed = "true";
}

for (const button of document.querySelectorAll(".ws-step")) {
  button.addEventListener("click", () => {
    const input = $(button.dataset.for);
    setParam(input, Number(input.value) + Number(button.dataset.dir) * Number(input.step || 1));
  });
}
for (const range of document.querySelectorAll("input[type=range][data-for]")) {
  range.addEventListener("input", () => setParam($(range.dataset.for), Number(range.value)));
}
for (const input of document.querySelectorAll(".ws-stepper input[type=number]")) {
  input.addEventListener("change", () => setParam(input, Number(input.value)));
}

function parameters() {
  const value = (id) => Number($(id).value);
  return {
    households: Math.round(value("p-households")),
    plot_types: state.plotTypes.map((t) => ({ name: t.name, width: value(`p-${t.name}-width`), depth: value(`p-${t.name}-depth`) })),
    main_lane_width: value("p-main-lane"),
    lane_width: value("p-lane"),
    setback: value("p-setback"),
    common_share: value("p-common") / 100,
    options: Number(document.querySelector("input[name=options]:checked")?.value || 3),
    unit_costs: unitCosts(),
  };
}

async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, Accept: "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { status: response.status, ok: response.ok, data };
}

function errorLines(data) {
  const error = data?.error;
  if (!error) return [tr("server_unreachable")];
  const lines = [error[lang] || error.en];
  for (const p of error.problems || []) lines.push(lang === "th" ? `${p.th} (${p.en})` : `${p.en} (${p.th})`);
  return lines;
}

function showErrors(list, lines) {
  list.replaceChildren(...lines.map((line) => el("li", { text: line })));
  list.hidden = !lines.length;
}

// -- generating ------------------------------------------------------------------------------
async function generate() {
  const button = $("ws-generate");
  button.disabled = true;
  say(status, tr("generating"), "busy");
  showErrors($("ws-generate-errors"), []);
  let result;
  try {
    result = await postJSON(DATA.urls.generate, parameters());
  } catch {
    result = { ok: false, data: null };
  }
  button.disabled = false;
  if (!result.ok) {
    say(status, "", "");
    showErrors($("ws-generate-errors"), errorLines(result.data));
    return;
  }
  state.response = result.data;
  state.plotTypes = result.data.parameters.plot_types;
  state.caseVersion = result.data.case.version;
  state.options = result.data.options.map((o) => optionState(o, result.data));
  closeEditor();
  renderCards();
  say(status, tr("generated", { n: state.options.length }), "ok");
  document.getElementById("ws-controls").dataset.changed = "false";
  $("ws-options").scrollIntoView({ behavior: "instant", block: "start" });
}

function renderCards() {
  for (const card of state.cards) card.map.remove();
  state.cards = [];
  const grid = $("ws-grid");
  grid.replaceChildren();
  grid.dataset.count = String(state.options.length);
  $("ws-empty").hidden = state.options.length > 0;
  if ($("ws-print")) $("ws-print").hidden = !state.options.length;
  state.options.forEach((opt, index) => {
    const mapBox = el("div", { class: "ws-map", id: `ws-map-${opt.option}`, role: "img", "aria-label": opt.name[lang] });
    const choose = el("button", { type: "button", class: "button-primary button-big ws-choose", text: tr("choose") });
    choose.disabled = !opt.plots.length && !opt.lanes.length;
    choose.addEventListener("click", () => openEditor(index));
    const card = el(
      "article",
      { class: "ws-card", "data-option": String(opt.option), "aria-labelledby": `ws-card-title-${opt.option}` },
      el("h3", { id: `ws-card-title-${opt.option}`, text: opt.name[lang] }),
      mapBox,
      metricsList(opt),
      choose,
    );
    if (opt.problems.length) card.append(el("p", { class: "ws-card-bad", text: tr("card_broken", { n: opt.problems.length }) }));
    grid.append(card);
    state.cards.push({ map: null, group: null, card, opt, mapBox, choose, index });
  });
  // The maps once every card is in place, so that each knows its size.
  const height = Math.max(...state.cards.map((c) => (fitHeight(c.mapBox, 150, 320), c.mapBox.clientHeight)));
  for (const c of state.cards) {
    c.mapBox.style.height = `${height}px`;
    c.map = newMap(c.mapBox, false);
    c.group = L.layerGroup().addTo(c.map);
    drawSite(c.group);
    drawOption(c.group, c.opt, { bad: badSet(c.opt) });
    c.map.on("click", () => !c.choose.disabled && openEditor(c.index));
  }
}

function refreshCardMetrics() {
  for (const { card, opt } of state.cards) card.querySelector(".ws-metrics").replaceWith(metricsList(opt));
  if (state.editor) $("ws-edit-metrics").replaceChildren(metricsList(state.editor.opt));
}

// -- the editor ------------------------------------------------------------------------------
function badSet(opt) {
  const bad = new Set();
  for (const p of opt.problems) {
    if (p.plot !== null) bad.add(`plot:${p.plot}`);
    if (p.lane !== null) bad.add(`lane:${p.lane}`);
  }
  return bad;
}

function openEditor(index) {
  const opt = state.options[index];
  state.selected = index;
  $("ws-options").hidden = true;
  $("ws-editor").hidden = false;
  $("ws-edit-title").textContent = opt.name[lang];
  if (!state.editor) {
    fitHeight($("ws-edit-map"), 380, Math.max(420, window.innerHeight * 0.62));
    const map = newMap($("ws-edit-map"), true);
    const base = L.layerGroup().addTo(map);
    const group = L.layerGroup().addTo(map);
    state.editor = { map, base, group, opt, layers: null, labels: L.layerGroup().addTo(map) };
    drawSite(base);
    map.on("zoomend moveend", () => state.editor && !drag && placeLabels());
  }
  state.editor.opt = opt;
  setTool(null);
  showSaved(null);
  state.editor.map.invalidateSize();
  state.editor.map.fitBounds(siteBounds(), { paddingTopLeft: [20, 50], paddingBottomRight: [20, 20] });
  afterEdit(false);
  $("ws-editor").scrollIntoView({ behavior: "instant", block: "start" });
}

function closeEditor() {
  if (state.selected === null) return;
  state.selected = null;
  $("ws-editor").hidden = true;
  $("ws-options").hidden = false;
}

function setTool(tool) {
  state.tool = state.tool === tool ? null : tool;
  state.picked = null;
  for (const button of document.querySelectorAll("[data-tool]")) button.setAttribute("aria-pressed", String(button.dataset.tool === state.tool));
  $("ws-tool-hint").textContent = state.tool ? tr(`hint_${state.tool}`) : tr("hint_none");
  $("ws-lane-tools").hidden = state.tool !== "move";
  $("ws-edit-map").dataset.tool = state.tool || "";
  state.lane = null;
  updateLaneTools();
  if (state.editor) redraw();
}

function redraw() {
  const { group, labels, opt } = state.editor;
  group.clearLayers();
  labels.clearLayers();
  const bad = badSet(opt);
  state.editor.layers = drawOption(group, opt, { interactive: true, bad });
  for (const [no, layer] of state.editor.layers.plots) {
    const plot = opt.plots.find((p) => p.no === no);
    layer.bindTooltip(() => el("span", { text: plotLabel(plot) }), { sticky: true });
    layer.on("click", () => onPlotClick(plot));
    if (state.picked === plot) layer.setStyle(COLOURS.picked);
  }
  for (const [id, layer] of state.editor.layers.lanes) {
    const lane = opt.lanes.find((l) => l.id === id);
    layer.bindTooltip(() => el("span", { text: laneName(lane.id) }), { sticky: true });
    layer.on("click", () => onLaneClick(lane));
    layer.on("mousedown", (ev) => startDrag(ev, lane));
    if (state.lane === lane) layer.setStyle(COLOURS.picked);
  }
  placeLabels();
}

/** Violations in red next to their plots, in Thai and English: one label a place, as many as
 * fit on the map without covering each other (the list beside the map has them all). */
function placeLabels() {
  const { map, labels, opt } = state.editor;
  labels.clearLayers();
  const byPlace = new Map();
  for (const p of opt.problems) {
    const key = p.plot !== null ? `plot:${p.plot}` : p.lane !== null ? `lane:${p.lane}` : "site";
    if (!byPlace.has(key)) byPlace.set(key, []);
    byPlace.get(key).push(p);
  }
  const size = map.getSize();
  const taken = [];
  for (const [key, list] of byPlace) {
    if (taken.length >= MAX_LABELS) break;
    const at = placeOf(opt, key);
    if (!at) continue;
    const point = map.latLngToContainerPoint(latlng(at));
    if (point.x < 0 || point.y < 0 || point.x > size.x || point.y > size.y) continue;
    const below = point.y < 110; // near the top edge: under the plot instead
    const box = below ? [point.x - 130, point.y, point.x + 130, point.y + 90] : [point.x - 130, point.y - 90, point.x + 130, point.y];
    if (box[0] < 50 || box[2] > size.x) continue; // clear of the zoom buttons and the edges
    if (taken.some((b) => b[0] < box[2] && box[0] < b[2] && b[1] < box[3] && box[1] < b[3])) continue;
    taken.push(box);
    const content = el("div", { class: "ws-violation" });
    const first = list[0];
    content.append(el("span", { class: "ws-v-th", text: first.th }), el("span", { class: "ws-v-en", text: first.en }));
    if (list.length > 1) content.append(el("span", { class: "ws-v-more", text: tr("more_here", { n: list.length - 1 }) }));
    L.tooltip({ permanent: true, direction: below ? "bottom" : "top", className: "ws-violation-tip", offset: [0, below ? 4 : -4] })
      .setLatLng(latlng(at))
      .setContent(content)
      .addTo(labels);
  }
}

function placeOf(opt, key) {
  if (key.startsWith("plot:")) {
    const plot = opt.plots.find((p) => `plot:${p.no}` === key);
    return plot ? centroid(plot.ring) : null;
  }
  if (key.startsWith("lane:")) {
    const lane = opt.lanes.find((l) => `lane:${l.id}` === key);
    return lane ? centroid(lane.polys[0][0]) : null;
  }
  return opt.access;
}

function plotLabel(plot) {
  const type = state.plotTypes.find((t) => t.name === plot.type);
  const area = polyArea([plot.ring]);
  return tr("plot_label", { no: plot.no, type: type ? type.label[lang] : plot.type, area: fmt1.format(area) });
}

function afterEdit(changed = true) {
  const opt = state.editor.opt;
  requestCheck(opt);
  redraw();
  showCheck(opt);
  $("ws-edit-metrics").replaceChildren(metricsList(opt));
  $("ws-undo").disabled = !opt.history.length;
  if (changed) {
    showSaved(null);
    const card = state.cards.find((c) => c.opt === opt);
    if (card) redrawCard(card);
  }
}

/** The server's verdict beside the map: every rule kept, or the broken ones listed (the last
 * verdict stays, dimmed, while an edit is being checked); and the save button. */
function showCheck(opt) {
  const list = $("ws-problems");
  const lines = opt.problems.slice(0, 40).map((p) =>
    el("li", { "data-plot": p.plot ?? "", "data-lane": p.lane ?? "" }, el("span", { class: "ws-v-th", text: p.th }), el("span", { class: "ws-v-en", text: p.en })),
  );
  list.replaceChildren(...lines);
  if (opt.problems.length > 40) list.append(el("li", { text: tr("more_problems", { n: opt.problems.length - 40 }) }));
  const ok = !opt.problems.length && !opt.checkFailed;
  $("ws-valid").hidden = !ok;
  $("ws-invalid").hidden = ok;
  $("ws-invalid-count").textContent = opt.checkFailed ? tr("check_failed") : tr("broken", { n: fmt0.format(opt.problems.length) });
  if (opt.checkFailed) list.replaceChildren(...opt.failure.map((line) => el("li", { text: line })));
  $("ws-checking").hidden = !opt.pending;
  $("ws-editor").dataset.checked = String(!opt.pending);
  $("ws-editor").querySelector(".ws-check").classList.toggle("ws-stale", opt.pending);
  updateSave();
}

function redrawCard(card) {
  card.group.clearLayers();
  drawSite(card.group);
  drawOption(card.group, card.opt, { bad: badSet(card.opt) });
  card.card.querySelector(".ws-metrics").replaceWith(metricsList(card.opt));
  card.card.querySelector(".ws-card-bad")?.remove();
  if (card.opt.problems.length) card.card.append(el("p", { class: "ws-card-bad", text: tr("card_broken", { n: card.opt.problems.length }) }));
}

function message(text, kind = "") {
  say($("ws-edit-message"), text, kind);
}

function onPlotClick(plot) {
  const opt = state.editor.opt;
  if (state.tool === "split") {
    const twin = splitPlot(opt, plot);
    message(twin ? tr("split_done", { no: plot.no, other: twin.no }) : tr("split_no"), twin ? "ok" : "bad");
    if (twin) afterEdit();
  } else if (state.tool === "merge") {
    if (!state.picked) {
      state.picked = plot;
      message(tr("merge_first", { no: plot.no }));
      redraw();
    } else if (state.picked === plot) {
      state.picked = null;
      message("");
      redraw();
    } else {
      const first = state.picked;
      state.picked = null;
      const kept = mergePlots(opt, first, plot);
      if (kept) {
        message(tr("merge_done", { a: first.no, b: plot.no, no: kept.no }), "ok");
        afterEdit();
      } else {
        message(tr("merge_no", { a: first.no, b: plot.no }), "bad");
        redraw();
      }
    }
  }
}

function onLaneClick(lane) {
  if (state.tool !== "move") return;
  if (lane.kind !== "secondary") {
    message(tr("move_only_secondary"), "bad");
    return;
  }
  state.lane = lane;
  message(tr("lane_picked", { lane: laneName(lane.id) }));
  updateLaneTools();
  redraw();
}

function updateLaneTools() {
  const lane = state.lane;
  for (const id of ["ws-lane-minus", "ws-lane-plus"]) $(id).disabled = !lane;
  $("ws-lane-name").textContent = lane ? tr("lane_offset", { lane: laneName(lane.id), m: fmt1.format(lane.offset) }) : tr("lane_none");
  // The arrows point the way the lane moves on the screen.
  if (state.editor) {
    const [north, east] = latlng(state.editor.opt.cross);
    const deg = (-Math.atan2(north, east) * 180) / Math.PI; // the screen's y runs down
    $("ws-lane-plus").style.setProperty("--arrow", `${deg}deg`);
    $("ws-lane-minus").style.setProperty("--arrow", `${deg + 180}deg`);
  }
}

function nudgeLane(step) {
  const lane = state.lane;
  if (!lane) return;
  const opt = state.editor.opt;
  remember(opt);
  const wasMoved = lane.offset !== 0;
  moveLane(opt, lane, lane.offset + step);
  countLaneMove(opt, lane, wasMoved);
  message(tr("lane_offset", { lane: laneName(lane.id), m: fmt1.format(lane.offset) }));
  updateLaneTools();
  afterEdit();
}

function countLaneMove(opt, lane, wasMoved) {
  if (!wasMoved && lane.offset !== 0) opt.edits.lanes_moved += 1;
  if (wasMoved && lane.offset === 0) opt.edits.lanes_moved = Math.max(0, opt.edits.lanes_moved - 1);
}

// Dragging a lane with the mouse: along its cross direction only, in steps of 10 cm.
let drag = null;

function startDrag(ev, lane) {
  if (state.tool !== "move" || lane.kind !== "secondary") return;
  L.DomEvent.stop(ev.originalEvent);
  const opt = state.editor.opt;
  state.lane = lane;
  remember(opt);
  drag = { lane, start: ev.latlng, from: lane.offset, opt, wasMoved: lane.offset !== 0 };
  state.editor.map.dragging.disable();
  // On the container: the lane under the pointer keeps its mouse events from the map.
  state.editor.map.getContainer().addEventListener("mousemove", onDrag);
  document.addEventListener("mouseup", endDrag, { once: true });
}

function onDrag(event) {
  if (!drag) return;
  const at = state.editor.map.mouseEventToLatLng(event);
  const [vx, vy] = drag.opt.cross;
  const [dx, dy] = unturn(at.lat - drag.start.lat, at.lng - drag.start.lng);
  const d = dx * vx + dy * vy;
  moveLane(drag.opt, drag.lane, drag.from + d);
  state.editor.layers.lanes.get(drag.lane.id)?.setLatLngs(drag.lane.polys.map((p) => latlngs(p)));
  updateLaneTools();
  // Checked while dragging too, once the lane rests: the verdict follows it.
  requestCheck(drag.opt);
}

function endDrag() {
  if (!drag) return;
  const { opt, lane, from, wasMoved } = drag;
  drag = null;
  state.editor.map.getContainer().removeEventListener("mousemove", onDrag);
  state.editor.map.dragging.enable();
  if (lane.offset === from) opt.history.pop();
  else countLaneMove(opt, lane, wasMoved);
  message(tr("lane_picked", { lane: laneName(lane.id) }));
  updateLaneTools();
  afterEdit(lane.offset !== from);
}

// -- saving ----------------------------------------------------------------------------------
function updateSave() {
  const button = $("ws-save");
  if (!button) return;
  const opt = state.editor?.opt;
  const broken = !opt || opt.problems.length > 0 || opt.checkFailed;
  button.disabled = broken || opt.pending || state.saving;
  $("ws-save-blocked").hidden = !broken;
}

function utmRing(ring) {
  const out = ring.map(([x, y]) => [x + OX, y + OY]);
  out.push(out[0].slice());
  return out;
}

function agreedOn() {
  const day = Number($("ws-day").value);
  const month = Number($("ws-month").value);
  const year = Number($("ws-year").value) - 543; // the form shows Buddhist Era years
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCMonth() !== month - 1) return null;
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

function optionFeatures(opt, { spare = false } = {}) {
  const features = [];
  for (const p of opt.plots)
    features.push({
      type: "Feature",
      geometry: { type: "Polygon", coordinates: [utmRing(p.ring)] },
      properties: { layer: "plot", plot_no: p.no, plot_type: p.type, lane_id: p.lane },
    });
  for (const l of opt.lanes)
    features.push({
      type: "Feature",
      geometry: { type: "MultiPolygon", coordinates: l.polys.map((poly) => poly.map(utmRing)) },
      properties: { layer: "lane", lane_id: l.id, kind: l.kind },
    });
  for (const s of opt.spaces.filter((sp) => sp.kind === "common" || (spare && sp.kind === "spare")))
    features.push({
      type: "Feature",
      geometry: { type: "MultiPolygon", coordinates: s.polys.map((poly) => poly.map(utmRing)) },
      properties: { layer: "open_space", kind: s.kind, space_id: s.id },
    });
  for (const f of features)
    if (f.geometry.type === "MultiPolygon" && f.geometry.coordinates.length === 1)
      f.geometry = { type: "Polygon", coordinates: f.geometry.coordinates[0] };
  return features;
}

function savePayload(opt) {
  const features = optionFeatures(opt);
  return {
    version: state.caseVersion,
    option: opt.option,
    name: opt.name,
    parameters: { ...state.response.parameters, unit_costs: unitCosts() },
    crs: DATA.site.crs,
    access_point: opt.accessUtm,
    features: { type: "FeatureCollection", features },
    agreed_by: $("ws-agreed-by").value.trim(),
    agreed_on: agreedOn(),
    note: $("ws-note").value.trim(),
    edits: opt.edits,
  };
}

function showSaved(decision) {
  const box = $("ws-saved");
  if (!box) return;
  box.hidden = !decision;
  if (decision) {
    $("ws-saved-text").textContent = tr("saved", { name: decision.option_name, by: decision.agreed_by, on: decision.agreed_on_text });
  }
}

async function save(event) {
  event.preventDefault();
  const opt = state.editor?.opt;
  if (!opt || opt.pending || opt.problems.length || opt.checkFailed) return;
  const errors = $("ws-save-errors");
  if (!$("ws-agreed-by").value.trim()) {
    showErrors(errors, [tr("need_agreed_by")]);
    $("ws-agreed-by").focus();
    return;
  }
  if (!agreedOn()) {
    showErrors(errors, [tr("bad_date")]);
    return;
  }
  showErrors(errors, []);
  state.saving = true;
  updateSave();
  say($("ws-save-status"), tr("saving"), "busy");
  let result;
  try {
    result = await postJSON(DATA.urls.save, savePayload(opt));
    // Plots drawn by hand on the case page would be replaced: list them and ask first.
    const handDrawn = result.data?.error?.field === "confirm_replace" ? result.data.error.hand_drawn || [] : null;
    if (handDrawn) {
      const plots = handDrawn.map((p) => p.plot_no).join(", ");
      const ask = handDrawn.length === 1 ? "confirm_replace_one" : "confirm_replace";
      if (window.confirm(tr(ask, { n: handDrawn.length, plots }))) {
        result = await postJSON(DATA.urls.save, { ...savePayload(opt), confirm_replace: true });
      } else {
        result = { ok: false, status: 400, data: { error: { [lang]: tr("not_replaced"), en: tr("not_replaced") } } };
      }
    }
  } catch {
    result = { ok: false, data: null };
  }
  state.saving = false;
  updateSave();
  say($("ws-save-status"), "", "");
  if (!result.ok) {
    const lines = errorLines(result.data);
    if (result.status === 409) lines.push(tr("reload"));
    showErrors(errors, lines);
    return;
  }
  state.caseVersion = result.data.case.version;
  showSaved(result.data.decision);
  $("ws-saved-link").href = result.data.case_url;
  $("ws-saved").scrollIntoView({ behavior: "instant", block: "nearest" });
}

// -- printing --------------------------------------------------------------------------------
/** The compared options, as adjusted here, as an A3 PDF from the local server. */
async function printOptions() {
  const button = $("ws-print");
  if (!state.response) return;
  button.disabled = true;
  say($("ws-print-status"), tr("printing"), "busy");
  try {
    const response = await fetch(DATA.urls.print, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      credentials: "same-origin",
      body: JSON.stringify({
        parameters: { ...state.response.parameters, unit_costs: unitCosts() },
        options: state.options.map((opt) => ({ option: opt.option, features: optionFeatures(opt, { spare: true }) })),
      }),
    });
    if (!response.ok) throw new Error(String(response.status));
    const blob = await response.blob();
    const link = el("a", { href: URL.createObjectURL(blob), download: `${DATA.case.ref}-layout-options.pdf` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    say($("ws-print-status"), tr("printed"), "ok");
  } catch {
    say($("ws-print-status"), tr("print_failed"), "bad");
  } finally {
    button.disabled = false;
  }
}

// -- wiring ----------------------------------------------------------------------------------
$("ws-generate").addEventListener("click", generate);
$("ws-print")?.addEventListener("click", printOptions);
$("ws-back").addEventListener("click", () => {
  closeEditor();
  refreshCardMetrics();
});
for (const button of document.querySelectorAll("[data-tool]")) button.addEventListener("click", () => setTool(button.dataset.tool));
$("ws-lane-minus").addEventListener("click", () => nudgeLane(-1));
$("ws-lane-plus").addEventListener("click", () => nudgeLane(1));
$("ws-undo").addEventListener("click", () => {
  const opt = state.editor?.opt;
  if (opt && undo(opt)) {
    if (state.lane) state.lane = opt.lanes.find((l) => l.id === state.lane.id) || null;
    state.picked = null;
    message(tr("undone"));
    updateLaneTools();
    afterEdit();
  }
});
// The costs are part of gis.layout's metrics: every option is checked again with them.
for (const input of document.querySelectorAll("[data-cost]"))
  input.addEventListener("input", () => {
    for (const opt of state.options) requestCheck(opt);
  });
$("ws-save-form")?.addEventListener("submit", save);

// The site before any option: what is being planned, and where the canal's setback is.
(function preview() {
  const box = $("ws-preview-map");
  if (!box) return;
  fitHeight(box, 200, 420);
  const map = newMap(box, false);
  const group = L.layerGroup().addTo(map);
  drawSite(group);
  if (SITE.access)
    L.circleMarker(latlng(SITE.access), { radius: 8, color: "#000", weight: 2, fillColor: "#ff1744", fillOpacity: 1 }).addTo(group);
})();

document.getElementById("ws-root").dataset.ready = "true";

// For the browser tests and the curious: the state and the checks.
window.workshop = {
  state,
  checkNow,
  checkBody,
  afterEdit,
  mergedRing,
  mergePlots,
  splitPlot,
  moveLane,
  centroid,
  siteBounds,
  savePayload,
  postJSON,
  urls: DATA.urls,
  toLatLng: (p) => L.latLng(latlng(p)),
};
