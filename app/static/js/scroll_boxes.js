// A box that scrolls on its own (a wide table on a phone: .table-wrap, or any element marked
// data-scroll-box) must be reachable from the keyboard, or what it hides is out of reach
// without a mouse or a finger (WCAG 2.1.1; axe-core's "scrollable-region-focusable"). While
// it scrolls it takes a tab stop, and is a group named after its table's caption or its
// section's heading (a group, not a region: a second landmark of its section's name would
// repeat it); when it fits again, both go. No strings here: the names are the page's own.
(function () {
  const boxes = document.querySelectorAll(".table-wrap, [data-scroll-box]");
  if (!boxes.length || !("ResizeObserver" in window)) return;

  function nameOf(box) {
    const caption = box.querySelector("caption");
    if (caption) return caption.textContent.trim();
    const section = box.closest("section, fieldset, details");
    const heading = section && section.querySelector("h1, h2, h3, legend, summary");
    return heading ? heading.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function update(box) {
    const scrolls =
      box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
    const ours = "scrollStop" in box.dataset;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.tabIndex = 0;
      box.dataset.scrollStop = "";
      const name = box.hasAttribute("role") ? "" : nameOf(box);
      if (name) {
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", name);
        box.dataset.scrollNamed = "";
      }
    } else if (!scrolls && ours) {
      box.removeAttribute("tabindex");
      delete box.dataset.scrollStop;
      if ("scrollNamed" in box.dataset) {
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.scrollNamed;
      }
    }
  }

  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) update(entry.target.closest(".table-wrap, [data-scroll-box]"));
  });
  for (const box of boxes) {
    observer.observe(box);
    if (box.firstElementChild) observer.observe(box.firstElementChild); // the table grows
  }
})();
