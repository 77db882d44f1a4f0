// Switching language keeps the section being read: both languages share the anchors.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.md-select__link[hreflang]");
  if (link && location.hash) link.hash = location.hash;
}, true);

// A region that scrolls sideways takes the keyboard focus, so it can be scrolled
// without a mouse: wide tables (wrapped by the theme), diagrams, display math,
// notebook cells. Measured once math has rendered, after this handler (timeout).
document$.subscribe(() => setTimeout(() => {
  for (const region of document.querySelectorAll("article *")) {
    if (region.scrollWidth <= region.clientWidth || region.tabIndex >= 0) continue;
    if (/auto|scroll/.test(getComputedStyle(region).overflowX)) region.tabIndex = 0;
  }
}));

// A code annotation's marker is a link the theme draws as a number with CSS only:
// give it a name a screen reader can say ("Annotation 1", "注释 1").
const ANNOTATION = document.documentElement.lang.startsWith("zh") ? "注释" : "Annotation";
document$.subscribe(() => setTimeout(() => {
  for (const link of document.querySelectorAll("a.md-annotation__index")) {
    const number = link.querySelector("[data-md-annotation-id]");
    link.setAttribute("aria-label", `${ANNOTATION} ${number?.dataset.mdAnnotationId ?? ""}`);
  }
}));
