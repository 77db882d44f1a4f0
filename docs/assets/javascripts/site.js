// Switching language keeps the section being read: both languages share the anchors.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.md-select__link[hreflang]");
  if (link && location.hash) link.hash = location.hash;
}, true);

// A region that scrolls sideways takes the keyboard focus, so it can be scrolled
// without a mouse: wide tables (wrapped by the theme), diagrams, display math
// (measured once math has rendered, after this handler: hence the timeout).
const SCROLLERS = ".md-typeset__scrollwrap, .mermaid-scroll, .arithmatex, .highlight-ipynb";
document$.subscribe(() => setTimeout(() => {
  for (const region of document.querySelectorAll(SCROLLERS))
    if (region.scrollWidth > region.clientWidth) region.tabIndex = 0;
}));
