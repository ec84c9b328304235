// Cases from a layer: the district list shows only the chosen province's districts
// (all of them when no province is chosen). Works without it: the server checks the pair.
const province = document.getElementById("lc-province");
const district = document.getElementById("lc-district");

function narrow() {
  const code = province.value;
  for (const group of district.querySelectorAll("optgroup[data-province]")) {
    const shown = !code || group.dataset.province === code;
    group.hidden = !shown;
    group.disabled = !shown;
  }
  const chosen = district.selectedOptions[0];
  if (chosen && chosen.parentElement.disabled) district.value = "";
}

if (province && district) {
  province.addEventListener("change", narrow);
  narrow();
}
