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

// A form that lands on a section of its page (/cases/7#stage) shows its message in that
// section, under its heading, where the eye is: at the top of the page a phone never sees it.
(function () {
  const flashes = document.querySelector(".flashes");
  const id = window.location.hash.slice(1);
  if (!flashes || !id) return;
  let section;
  try {
    section = document.getElementById(decodeURIComponent(id));
  } catch (e) {
    return; // a malformed address: leave the message where it is
  }
  if (!section || !/^(SECTION|DIV|ARTICLE)$/.test(section.tagName)) return; // not into a row
  if (section.contains(flashes) || section.closest(".app-header")) return;
  const heading = section.querySelector("h2, h3");
  if (heading) heading.insertAdjacentElement("afterend", flashes);
  else section.insertAdjacentElement("afterbegin", flashes);
})();
