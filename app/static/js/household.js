// The household page (templates/cases/household.html). The form works without this script;
// with it:
// - the district and subdistrict selects offer only the areas under the chosen province and
//   district (GET /api/dopa/<code>/children, names in the page's language);
// - the vulnerability section opens as soon as explicit consent is chosen (PDPA s26: the
//   service refuses health data without it all the same);
// - "add a member row" adds a blank row to the members table.

const lang = document.documentElement.lang === "en" ? "en" : "th";

const selects = {};
for (const select of document.querySelectorAll("select[data-dopa]")) {
  selects[select.dataset.dopa] = select;
}

function clear(select) {
  const blank = select.options[0];
  select.replaceChildren(blank);
  select.value = "";
}

async function fill(select, parentCode) {
  clear(select);
  if (!parentCode) return;
  const url = select.dataset.childrenUrl.replace("CODE", encodeURIComponent(parentCode));
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const data = await response.json();
  for (const area of data.items) {
    select.append(new Option(area[lang] || area.th, area.code));
  }
}

if (selects.province && selects.district && selects.subdistrict) {
  selects.province.addEventListener("change", () => {
    clear(selects.subdistrict);
    fill(selects.district, selects.province.value);
  });
  selects.district.addEventListener("change", () => {
    fill(selects.subdistrict, selects.district.value);
  });
}

for (const section of document.querySelectorAll("fieldset[data-needs-consent]")) {
  const consent = document.getElementById(section.dataset.needsConsent);
  if (!consent) continue;
  const update = () => {
    section.disabled = consent.value !== "yes";
  };
  consent.addEventListener("change", update);
}

const addMember = document.getElementById("add-member");
const rowsInput = document.getElementById("member-rows");
const table = document.getElementById("members-table");
if (addMember && rowsInput && table) {
  addMember.hidden = false;
  addMember.addEventListener("click", () => {
    const rows = table.querySelectorAll("tbody tr[data-member-row]");
    const last = rows[rows.length - 1];
    const index = Number(rowsInput.value);
    const row = last.cloneNode(true);
    row.cells[0].textContent = String(index + 1);
    for (const input of row.querySelectorAll("input, select")) {
      input.name = input.name.replace(/^m-\d+-/, `m-${index}-`);
      const label = input.getAttribute("aria-label");
      if (label) input.setAttribute("aria-label", label.replace(/\d+$/, String(index + 1)));
      if (input.type === "checkbox") input.checked = false;
      else input.value = "";
    }
    table.tBodies[0].append(row);
    rowsInput.value = String(index + 1);
    row.querySelector("input")?.focus();
  });
}
