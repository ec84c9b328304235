// The municipal site check (templates/overlap/).
//
// Form page: a filter box over the communities, "tick all shown" / "untick all", a count of
// ticked sites, showing only the panel of the chosen source (communities or a file), and a
// "checking…" note while the form is sent. Everything works without this script too.
//
// Result page: an offline Leaflet map (vendored, no tiles) of the checked sites coloured by
// verdict over the zoning and canal setback that were checked, from the JSON in #overlap-run
// (WGS 84). Data is only ever shown with textContent, never as HTML.
/* global L */

(() => {
  "use strict";

  function fill(template, vars) {
    let text = String(template ?? "");
    for (const [name, value] of Object.entries(vars)) text = text.replaceAll(`{${name}}`, value);
    return text;
  }

  function textElement(tag, text, className) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    node.textContent = text;
    return node;
  }

  // ------------------------------------------------------------------ the form

  function initForm(form) {
    const strings = JSON.parse(document.getElementById("overlap-strings")?.textContent || "{}");
    const rows = [...form.querySelectorAll("tr.site-row")];
    const filter = document.getElementById("site-filter");
    const count = document.getElementById("site-count");
    const boxes = () => rows.map((row) => row.querySelector("input[type=checkbox]"));

    function showCount() {
      if (!count) return;
      const ticked = boxes()
        .filter((b) => b.checked)
        .map((b) => b.value);
      const shown = rows.filter((row) => !row.hidden).length;
      let text = fill(strings.selected, { n: ticked.length });
      if (ticked.length) {
        const few = ticked.slice(0, 8).join(", ");
        text += `: ${few}${ticked.length > 8 ? ", …" : ""}`;
      }
      if (shown !== rows.length) {
        text += ` · ${fill(strings.shown, { n: shown, total: rows.length })}`;
      }
      count.textContent = text;
    }

    filter?.addEventListener("input", () => {
      const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      for (const row of rows) {
        const hay = row.dataset.search || "";
        row.hidden = !words.every((w) => hay.includes(w));
      }
      showCount();
    });
    document.getElementById("select-shown")?.addEventListener("click", () => {
      for (const row of rows) if (!row.hidden) row.querySelector("input").checked = true;
      showCount();
    });
    document.getElementById("select-none")?.addEventListener("click", () => {
      for (const box of boxes()) box.checked = false;
      showCount();
    });
    form.addEventListener("change", (event) => {
      if (event.target.name === "site_ids") showCount();
      if (event.target.name === "source") showSource();
    });

    const panels = [...form.querySelectorAll(".source-panel")];
    function showSource() {
      const chosen = form.querySelector("input[name=source]:checked")?.value || "store";
      for (const panel of panels) panel.hidden = panel.dataset.source !== chosen;
    }
    showSource();
    showCount();

    form.addEventListener("submit", () => {
      const button = document.getElementById("overlap-submit");
      const running = document.getElementById("overlap-running");
      if (running) running.hidden = false;
      form.setAttribute("aria-busy", "true");
      // Disabled after the browser has taken the form's values.
      setTimeout(() => {
        if (button) button.disabled = true;
      }, 0);
    });
    // Back from the result page: the browser may restore the page as it was sent.
    window.addEventListener("pageshow", () => {
      const button = document.getElementById("overlap-submit");
      if (button) button.disabled = false;
      document.getElementById("overlap-running")?.setAttribute("hidden", "");
      form.removeAttribute("aria-busy");
    });

    document.getElementById("overlap-problems")?.focus();
  }

  // ------------------------------------------------------------------ the result map

  const SETBACK_STYLE = {
    color: "#0d47a1",
    weight: 2,
    dashArray: "7 5",
    fillColor: "#64b5f6",
    fillOpacity: 0.3,
  };
  // Below this size on screen (pixels) a site is also shown as a dot, so it can be found.
  const DOT_BELOW_PX = 28;

  function initMap(el, data) {
    const status = document.getElementById("overlap-map-status");
    const colours = data.colours || {};
    const words = data.verdicts || {};
    const lang = data.lang === "en" ? "en" : "th";
    const strings = data.strings || {};
    const map = L.map(el, { zoomSnap: 0.25, minZoom: 5, maxZoom: 20, attributionControl: false });
    window.overlapMap = map;
    for (const [name, z] of [
      ["zoning", 410],
      ["setback", 420],
      ["sites", 430],
      ["dots", 440],
    ]) {
      map.createPane(name).style.zIndex = String(z);
    }
    const overlays = {};

    if (data.map.zoning) {
      const zoning = L.geoJSON(data.map.zoning, {
        pane: "zoning",
        style: (f) => ({
          color: "#8a8a8a",
          weight: 0.7,
          fillColor: f.properties.fill || "#cccccc",
          fillOpacity: 0.3,
        }),
        onEachFeature: (f, layer) => {
          layer.options.className = "overlap-zoning";
          const p = f.properties || {};
          const use = lang === "en" ? p.use_en || p.use_th : p.use_th || p.use_en;
          const text = [p.zone_code, use].filter(Boolean).join(" · ");
          if (text) layer.bindTooltip(textElement("span", text), { sticky: true });
        },
      }).addTo(map);
      overlays[strings.zoning] = zoning;
    }
    if (data.map.setback) {
      const setback = L.geoJSON(data.map.setback, {
        pane: "setback",
        style: () => SETBACK_STYLE,
        interactive: false,
        onEachFeature: (f, layer) => {
          layer.options.className = "overlap-setback";
        },
      }).addTo(map);
      overlays[strings.setback] = setback;
    }

    const features = data.map.sites?.features || [];
    const labelled = features.length <= 12;
    // A white halo under each site keeps its colour readable over any zoning colour.
    L.geoJSON(data.map.sites, {
      pane: "sites",
      interactive: false,
      style: () => ({ color: "#ffffff", weight: 9, opacity: 0.95, fill: false }),
      onEachFeature: (f, layer) => {
        layer.options.className = "overlap-site-halo";
      },
    }).addTo(map);
    const byNumber = new Map();
    const dots = L.layerGroup().addTo(map);

    function popupFor(p) {
      const box = document.createElement("div");
      box.className = "overlap-popup";
      box.append(textElement("strong", p.name || p.site_id));
      box.append(textElement("div", p.site_id, "sub"));
      const word = words[p.verdict]?.[lang] || p.verdict;
      box.append(textElement("div", word, `verdict-badge verdict-${p.verdict}`));
      const link = textElement("a", strings.see_row || "");
      link.href = `#site-row-${p.n}`;
      box.append(link);
      return box;
    }

    const sites = L.geoJSON(data.map.sites, {
      pane: "sites",
      style: (f) => {
        const colour = colours[f.properties.verdict] || "#555555";
        return { color: colour, weight: 4, fillColor: colour, fillOpacity: 0.5 };
      },
      onEachFeature: (f, layer) => {
        const p = f.properties || {};
        const colour = colours[p.verdict] || "#555555";
        layer.options.className = `overlap-site verdict-${p.verdict}`;
        layer.bindPopup(() => popupFor(p));
        const at = Array.isArray(p.at) ? p.at : null;
        const dot = L.circleMarker(at || [0, 0], {
          pane: "dots",
          radius: 9,
          color: "#ffffff",
          weight: 3,
          fillColor: colour,
          fillOpacity: 1,
          className: `overlap-site-dot verdict-${p.verdict}`,
        });
        dot.bindPopup(() => popupFor(p));
        const word = words[p.verdict]?.[lang] || p.verdict;
        const label = textElement("span", `${p.site_id} · ${word}`);
        dot.bindTooltip(label, {
          permanent: labelled,
          direction: "right",
          offset: [10, 0],
          className: `overlap-site-label label-${p.verdict}`,
        });
        byNumber.set(String(p.n), { layer, dot, at });
      },
    }).addTo(map);

    // Dots for sites too small to see; labels stay with the dots.
    function syncDots() {
      for (const { layer, dot, at } of byNumber.values()) {
        if (!at) continue;
        const b = layer.getBounds();
        const sw = map.latLngToContainerPoint(b.getSouthWest());
        const ne = map.latLngToContainerPoint(b.getNorthEast());
        const size = Math.max(Math.abs(ne.x - sw.x), Math.abs(ne.y - sw.y));
        const shown = size < DOT_BELOW_PX ? 1 : 0;
        dot.setStyle({ opacity: shown, fillOpacity: shown });
        if (!dots.hasLayer(dot)) dots.addLayer(dot);
      }
    }
    map.on("zoomend", syncDots);

    L.control.scale({ metric: true, imperial: false, maxWidth: 160 }).addTo(map);
    if (Object.keys(overlays).length) {
      const names = {};
      for (const [name, layer] of Object.entries(overlays)) {
        names[`<span class="overlap-layer-name">${escapeHtml(name)}</span>`] = layer;
      }
      L.control.layers(null, names, { collapsed: false, position: "bottomright" }).addTo(map);
    }
    const bounds = sites.getBounds();
    const fit = () => {
      // Room for the labels (right of each dot) and the layer switcher (bottom right).
      const options = { paddingTopLeft: [50, 50], paddingBottomRight: [180, 110], maxZoom: 17 };
      if (bounds.isValid()) map.fitBounds(bounds, { ...options, animate: false });
      else map.setView([13.86, 100.57], 12);
    };
    fit();
    syncDots();
    const Zoom = L.Control.extend({
      options: { position: "topleft" },
      onAdd() {
        const button = textElement("button", "⤢", "overlap-zoom-sites leaflet-bar");
        button.type = "button";
        button.title = strings.zoom_sites || "";
        button.setAttribute("aria-label", strings.zoom_sites || "");
        L.DomEvent.disableClickPropagation(button);
        button.addEventListener("click", fit);
        return button;
      },
    });
    new Zoom().addTo(map);

    // "Show on the map" in each row of the table.
    for (const button of document.querySelectorAll("button.show-on-map")) {
      const site = byNumber.get(button.dataset.n);
      if (!site) continue;
      button.hidden = false;
      button.addEventListener("click", () => {
        el.scrollIntoView({ behavior: "smooth", block: "center" });
        map.fitBounds(site.layer.getBounds(), { padding: [60, 60], maxZoom: 18, animate: false });
        site.layer.openPopup();
      });
    }
    new ResizeObserver(() => map.invalidateSize()).observe(el);
    if (status) status.textContent = "";
    document.body.dataset.mapState = "ready";
  }

  function escapeHtml(value) {
    return String(value).replace(
      /[&<>"']/g,
      (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
    );
  }

  function start() {
    // Legend colours come as data-fill, not style="", so the page's CSP needs no inline styles.
    for (const swatch of document.querySelectorAll(".swatch[data-fill]")) {
      swatch.style.background = swatch.dataset.fill;
    }
    const form = document.getElementById("overlap-form");
    if (form) initForm(form);
    const mapEl = document.getElementById("overlap-map");
    const dataEl = document.getElementById("overlap-run");
    if (mapEl && dataEl) {
      let data = null;
      try {
        data = JSON.parse(dataEl.textContent);
        initMap(mapEl, data);
      } catch (error) {
        console.error("site check map", error);
        const status = document.getElementById("overlap-map-status");
        const failed = data?.strings?.failed ?? "";
        if (status) status.textContent = `${failed}: ${error.message}`;
        document.body.dataset.mapState = "error";
      }
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
