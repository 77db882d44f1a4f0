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
