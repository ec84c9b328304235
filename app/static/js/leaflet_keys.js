// Leaflet's controls for keyboards and screen readers, on every map of the app (issue 13,
// item 7; WCAG 2.1.1 and 4.1.2). Loaded right after leaflet.js, before any map is made
// (templates/_leaflet_keys.html, which also carries the words, from app/strings.py):
// - the zoom buttons and the layer list's button are named in the page's language (Leaflet's
//   own names are English: "Zoom in", "Layers");
// - they are links with role="button": Enter pressed them, Space (as on any button) now does;
// - the folded layer list opens with Enter or Space (the focus moves to its first choice: the
//   open list hides its button), and folds again with Escape (focus back on its button) or
//   when Tab leaves it; before, the focus was lost and only a mouse could fold it;
// - the controls come first in the tab order, right after the map itself: Leaflet puts them
//   after every drawn shape, and Chromium makes each shape with a tooltip a tab stop (194 houses
//   on a case map stood between the keyboard and the zoom buttons). Those shapes are taken out
//   of the tab order (tabindex -1): what they show is in the page's tables and the legend, and
//   the map itself still pans and zooms with the arrow keys and + and -.
(function () {
  const L = window.L;
  if (!L) return;
  let words = {};
  try {
    words = JSON.parse(document.getElementById("leaflet-strings")?.textContent || "{}");
  } catch {
    words = {};
  }
  if (words.zoom_in) L.Control.Zoom.prototype.options.zoomInTitle = words.zoom_in;
  if (words.zoom_out) L.Control.Zoom.prototype.options.zoomOutTitle = words.zoom_out;

  const addLayers = L.Control.Layers.prototype.onAdd;
  L.Control.Layers.prototype.onAdd = function (map) {
    const container = addLayers.call(this, map);
    const toggle = container.querySelector(".leaflet-control-layers-toggle");
    if (toggle && words.layers) {
      toggle.title = words.layers;
      toggle.setAttribute("aria-label", words.layers);
    }
    if (toggle && this.options.collapsed) {
      toggle.setAttribute("aria-expanded", "false");
      container.dataset.folds = "";
    }
    return container;
  };
  const expand = L.Control.Layers.prototype.expand;
  L.Control.Layers.prototype.expand = function () {
    const toggle = this._layersLink;
    const fromToggle = toggle && document.activeElement === toggle;
    const result = expand.call(this);
    toggle?.setAttribute("aria-expanded", "true");
    // Open, the list hides its button: the focus goes into the list, not lost to the page.
    if (fromToggle) this._section?.querySelector("input")?.focus();
    return result;
  };
  const collapse = L.Control.Layers.prototype.collapse;
  L.Control.Layers.prototype.collapse = function () {
    const result = collapse.call(this);
    if (this.options.collapsed) this._layersLink?.setAttribute("aria-expanded", "false");
    return result;
  };

  // A shape with a tooltip gets focus listeners (Leaflet 1.9), which make an SVG shape a tab
  // stop in Chromium: out of the tab order it goes (a click still shows its tooltip).
  const addFocus = L.Layer.prototype._addFocusListenersOnLayer;
  if (addFocus) {
    L.Layer.prototype._addFocusListenersOnLayer = function (layer) {
      addFocus.call(this, layer);
      const element = typeof layer.getElement === "function" && layer.getElement();
      if (element instanceof SVGElement) element.setAttribute("tabindex", "-1");
    };
  }

  function fold(list, focusToggle) {
    list.classList.remove("leaflet-control-layers-expanded");
    const toggle = list.querySelector(".leaflet-control-layers-toggle");
    toggle?.setAttribute("aria-expanded", "false");
    if (focusToggle) toggle?.focus();
  }

  L.Map.addInitHook(function () {
    const container = this.getContainer();
    if (this._controlContainer) container.prepend(this._controlContainer);
    container.addEventListener("keydown", (event) => {
      const target = event.target;
      if (!(target instanceof Element)) return;
      if (event.key === " " && target.matches(".leaflet-control a[role='button']")) {
        event.preventDefault();
        target.click();
        return;
      }
      const list = target.closest(".leaflet-control-layers-expanded[data-folds]");
      if (event.key === "Escape" && list) {
        event.preventDefault();
        event.stopPropagation();
        fold(list, true);
      }
    });
    container.addEventListener("focusout", (event) => {
      const list =
        event.target instanceof Element &&
        event.target.closest(".leaflet-control-layers-expanded[data-folds]");
      if (list && !(event.relatedTarget instanceof Node && list.contains(event.relatedTarget))) {
        fold(list, false);
      }
    });
  });
})();
