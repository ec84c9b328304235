// UI strings of the map page, in Thai and English, and the current-language state.
//
// Layer titles, field labels, legend labels and status notes are not here: they come from
// the layer catalogue through /api/layers, already in both languages.

export const LANGS = ["th", "en"];
export const DEFAULT_LANG = "th";
const STORAGE_KEY = "planner.lang";

export const STRINGS = {
  "app.title": {
    th: "ระบบวางแผนที่อยู่อาศัยชุมชน",
    en: "Community housing planner",
  },
  "app.subtitle": {
    th: "คลองเปรมประชากร · บ้านมั่นคง พอช.",
    en: "Khlong Prem Prachakorn · CODI Baan Mankong",
  },
  "banner.illustrative": {
    th:
      "ข้อมูลตัวอย่าง: บางชั้นข้อมูลเป็นข้อมูลสมมติหรือวางตำแหน่งโดยประมาณ ไม่ใช่ข้อเท็จจริง " +
      "ดูสถานะของแต่ละชั้นได้ในรายการชั้นข้อมูล คำอธิบายสัญลักษณ์ และหน้าต่างข้อมูล",
    en:
      "Sample data: some layers are illustrative or only approximately placed, not facts. " +
      "Each layer's status is shown in the layer list, the legend and the feature pop-ups.",
  },
  "banner.close": { th: "ปิดข้อความ", en: "Dismiss" },
  "lang.switch": { th: "เปลี่ยนภาษา", en: "Change language" },
  "status.loading": { th: "กำลังโหลดชั้นข้อมูล…", en: "Loading layers…" },
  "status.loadingProgress": {
    th: "กำลังโหลดชั้นข้อมูล {done}/{total}…",
    en: "Loading layers {done}/{total}…",
  },
  "status.loaded": {
    th: "โหลดชั้นข้อมูลแล้ว {count} ชั้น",
    en: "{count} layers loaded",
  },
  "status.layerFailed": {
    th: "โหลดชั้นข้อมูล “{layer}” ไม่สำเร็จ: {error}",
    en: "Could not load the layer “{layer}”: {error}",
  },
  "status.catalogFailed": {
    th: "โหลดรายการชั้นข้อมูลไม่สำเร็จ: {error}",
    en: "Could not load the list of layers: {error}",
  },
  "status.onlineTilesFailed": {
    th: "แผนที่ฐานออนไลน์โหลดไม่ได้ (ไม่มีอินเทอร์เน็ต?) แผนที่ยังใช้งานได้ตามปกติ",
    en: "The online basemap cannot load (no internet?). The map still works.",
  },
  "base.plain": { th: "พื้นหลังสีอ่อน (ออฟไลน์)", en: "Plain light background (offline)" },
  "base.osm": {
    th: "OpenStreetMap (ออนไลน์ ต้องใช้อินเทอร์เน็ต)",
    en: "OpenStreetMap (online, needs internet)",
  },
  "layerStatus.real": { th: "ข้อมูลจริง", en: "real" },
  "layerStatus.approximate": { th: "โดยประมาณ", en: "approximate" },
  "layerStatus.illustrative": { th: "ตัวอย่าง", en: "illustrative" },
  "layerStatus.imported": { th: "นำเข้า", en: "imported" },
  "legend.title": { th: "คำอธิบายสัญลักษณ์", en: "Legend" },
  "legend.toggle": { th: "ย่อ/ขยายคำอธิบายสัญลักษณ์", en: "Show/hide the legend" },
  "legend.hidden": { th: "(ปิดอยู่)", en: "(hidden)" },
  "legend.noData": { th: "(ยังไม่มีข้อมูล)", en: "(no data yet)" },
  "legend.zoomIn": {
    th: "รูปขนาดเล็กจะแสดงเมื่อซูมเข้า",
    en: "Small shapes are drawn when you zoom in",
  },
  "zoom.label": { th: "ซูมไปที่ชั้นข้อมูล", en: "Zoom to layer" },
  "zoom.choose": { th: "— เลือกชั้นข้อมูล —", en: "— choose a layer —" },
  "zoom.go": { th: "ซูม", en: "Zoom" },
  "zoom.all": { th: "ดูทั้งหมด", en: "Zoom to all" },
  "zoom.in": { th: "ซูมเข้า", en: "Zoom in" },
  "zoom.out": { th: "ซูมออก", en: "Zoom out" },
  "popup.status": { th: "สถานะข้อมูล", en: "Data status" },
  "popup.source": { th: "ที่มา", en: "Source" },
  "popup.licence": { th: "สัญญาอนุญาต", en: "Licence" },
  "value.yes": { th: "ใช่", en: "Yes" },
  "value.no": { th: "ไม่ใช่", en: "No" },
  "value.empty": { th: "—", en: "—" },
  "map.label": { th: "แผนที่", en: "Map" },
  "attribution.prefix": { th: "Leaflet", en: "Leaflet" },
};

// Strings the server also uses (app/i18n.py), so that every page names the app the same way.
const SERVER_ALIASES = { app_title: "app.title", app_subtitle: "app.subtitle" };

/** Add the server's strings (the page's <script id="server-strings">); they win over ours. */
export function loadServerStrings(doc = document) {
  const node = doc.getElementById("server-strings");
  if (!node) return;
  let data;
  try {
    data = JSON.parse(node.textContent || "{}");
  } catch (error) {
    console.warn("i18n: server strings are not JSON", error);
    return;
  }
  for (const [key, value] of Object.entries(data || {})) {
    if (value && typeof value.th === "string" && typeof value.en === "string") {
      STRINGS[SERVER_ALIASES[key] ?? key] = { th: value.th, en: value.en };
    }
  }
}

let current = DEFAULT_LANG;

export function getLang() {
  return current;
}

/** The language to start in: ?lang=, then the remembered choice, then the server's, then Thai. */
export function initialLang(serverLang) {
  const fromQuery = new URLSearchParams(window.location.search).get("lang");
  if (LANGS.includes(fromQuery)) return fromQuery;
  let stored = null;
  try {
    stored = window.localStorage.getItem(STORAGE_KEY);
  } catch {
    // storage can be disabled (private mode, file://); then nothing is remembered
  }
  if (LANGS.includes(stored)) return stored;
  if (LANGS.includes(serverLang)) return serverLang;
  return DEFAULT_LANG;
}

/** Make `lang` current, remember it, and put it in the address (?lang=) without reloading. */
export function setLang(lang) {
  if (!LANGS.includes(lang)) lang = DEFAULT_LANG;
  current = lang;
  try {
    window.localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // see initialLang
  }
  // The server reads this cookie too, so the next page is rendered in this language at once.
  document.cookie = `lang=${lang}; path=/; max-age=31536000; SameSite=Lax`;
  const url = new URL(window.location.href);
  if (url.searchParams.get("lang") !== lang) {
    url.searchParams.set("lang", lang);
    window.history.replaceState(window.history.state, "", url);
  }
  document.documentElement.lang = lang;
}

/** A UI string in the current language, with {name} placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const entry = STRINGS[key];
  if (!entry) {
    console.warn(`i18n: no string ${key}`);
    return key;
  }
  const text = entry[current] ?? entry[DEFAULT_LANG];
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** Pick the current language out of a {th, en} object from the catalogue. */
export function pick(bilingual) {
  if (bilingual == null) return "";
  if (typeof bilingual === "string") return bilingual;
  return bilingual[current] ?? bilingual[DEFAULT_LANG] ?? bilingual.en ?? "";
}

/** Locale for numbers and dates (Thai dates use the Buddhist Era, as Thai readers expect). */
export function locale() {
  return current === "th" ? "th-TH" : "en-GB";
}

/** Re-label every element carrying data-i18n (text) or data-i18n-attr="attr:key;attr:key". */
export function relabel(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":").map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
}
