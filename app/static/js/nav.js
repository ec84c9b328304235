// The header's menu on a phone (templates/_header.html, css/header.css): the links fold
// behind one "Menu" button; Escape or a click outside folds them again. Without this
// script the links simply stay open. No strings here: the button's text is in the page.
(function () {
  const header = document.getElementById("app-header");
  const toggle = header && header.querySelector(".nav-toggle");
  const menu = document.getElementById("app-menu");
  if (!header || !toggle || !menu) return;
  header.classList.add("has-menu-button");
  toggle.hidden = false;
  function setOpen(open) {
    toggle.setAttribute("aria-expanded", String(open));
    header.classList.toggle("menu-open", open);
  }
  toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && header.classList.contains("menu-open")) {
      setOpen(false);
      toggle.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (header.classList.contains("menu-open") && !header.contains(event.target)) setOpen(false);
  });
})();
