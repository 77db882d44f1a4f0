// Switching language keeps the section being read: both languages share the anchors.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.md-select__link[hreflang]");
  if (link && location.hash) link.hash = location.hash;
}, true);

// A region that scrolls sideways takes the keyboard focus, so it can be scrolled
// without a mouse (the theme wraps wide tables in one after the page loads).
document$.subscribe(() => {
  for (const region of document.querySelectorAll(".md-typeset__scrollwrap, .mermaid-scroll, .highlight-ipynb"))
    if (region.scrollWidth > region.clientWidth) region.tabIndex = 0;
});
