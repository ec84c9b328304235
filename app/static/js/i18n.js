// UI strings of the map page, in Thai and English, and the current-language state.
// The strings and the month names come from the server (app/i18n.py, gis/thaidate.py).
//
// Layer titles, field labels, legend labels and status notes are not here: they come from
// the layer catalogue through /api/layers, already in both languages.

export const LANGS = ["th", "en"];
export const DEFAULT_LANG = "th";
const STORAGE_KEY = "planner.lang";

// The catalogue is app/i18n.py STRINGS: the server puts it in each page's
// <script id="server-strings"> block, and loadServerStrings() copies it here.
export const STRINGS = {};

// Strings the server also uses (app/i18n.py), so that every page names the app the same way.
const SERVER_ALIASES = { app_title: "app.title", app_subtitle: "app.subtitle" };

/** Read the server's strings (the page's <script id="server-strings">). */
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

/** The page's month names and year offsets (gis/thaidate.py date_table), or null. */
function dateTable(doc = document) {
  try {
    const table = JSON.parse(doc.getElementById("server-dates")?.textContent || "null");
    return table?.months ? table : null;
  } catch {
    return null;
  }
}

/** '2026-11-25' as '25 พ.ย. 2569' (Thai, Buddhist Era) or '25 Nov 2026', as the server writes it;
 * a month with no day ('2020-03') as 'มี.ค. 2563' or 'Mar 2020' (gis/thaidate.py format_month). */
export function formatDate(iso, lang = current) {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(String(iso || ""));
  const table = dateTable();
  if (!m || !table) return String(iso || "");
  const which = LANGS.includes(lang) ? lang : DEFAULT_LANG;
  const [year, month] = [Number(m[1]), Number(m[2])];
  if (month < 1 || month > 12) return String(iso || "");
  const shown = `${table.months[which][month - 1]} ${year + table.year_offset[which]}`;
  return m[3] === undefined ? shown : `${Number(m[3])} ${shown}`;
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
