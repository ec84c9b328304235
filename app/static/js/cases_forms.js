// Small helpers for the case tracker's forms. Every form works without this script.
// - a date input shows its date in the Buddhist Era beside it (Thai pages);
// - the move form shows what the chosen stage still needs;
// - the new-case form offers only the variants of the chosen case type's programme.

import { formatDate as formatIn } from "./i18n.js";

const lang = document.documentElement.lang === "en" ? "en" : "th";

/** '2026-11-25' as '25 พ.ย. 2569' (Thai, Buddhist Era) or '25 Nov 2026' (gis/thaidate.py's tables). */
export function formatDate(iso) {
  return /^\d{4}-\d{2}-\d{2}$/.test(iso || "") ? formatIn(iso, lang) : "";
}

for (const input of document.querySelectorAll("input[type=date][data-be-preview]")) {
  const out = document.getElementById(input.dataset.bePreview);
  if (!out) continue;
  const show = () => {
    out.textContent = lang === "th" && input.value ? `= ${formatDate(input.value)}` : "";
  };
  input.addEventListener("input", show);
  input.addEventListener("change", show);
  show();
}

const moveTo = document.getElementById("move-to");
if (moveTo) {
  const show = () => {
    for (const block of document.querySelectorAll("[data-requirements-for]")) {
      block.hidden = block.dataset.requirementsFor !== moveTo.value;
    }
  };
  moveTo.addEventListener("change", show);
  show();
}

const caseType = document.getElementById("new-type");
const variant = document.getElementById("new-variant");
if (caseType && variant) {
  const show = () => {
    const programme = caseType.selectedOptions[0]?.dataset.programme;
    for (const group of variant.querySelectorAll("optgroup")) {
      const mine = group.dataset.programme === programme;
      group.hidden = !mine;
      group.disabled = !mine;
    }
    if (variant.selectedOptions[0]?.parentElement?.disabled) variant.value = "";
  };
  caseType.addEventListener("change", show);
  show();
}
