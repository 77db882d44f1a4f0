"""One pass over every built page in Chromium, collecting what a reader meets.

`survey(browser, site_url, url_paths)` opens each page once in a fresh context (so
the page weight is a first load; a phone's width by resizing that page) and returns,
per page: console errors, bytes
loaded, stray spaces between Chinese characters, code blocks and tables that
overflow with no visible scrollbar, code of lines up to 88 characters wider than its
box, inline code broken across lines in tables,
copy buttons over code text, and axe-core's violations. The tests in
test_reader.py assert on it; the numbers are written to artifacts/site-survey.json.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from tools.paths import ROOT

AXE = ROOT / ".cache" / "vendor" / "axe.min.js"  # fetched by tools/vendor.sh
WIDE, NARROW = 1280, 390  # a laptop's and a phone's width, in CSS pixels
INDEX = "search_index.json"  # each language's, fetched by the theme's search
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CJK = "[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef\u201c\u201d\u2018\u2019\u2014\u2026]"
# run in the page: everything measured from the rendered DOM in one call
MEASURE = r"""(cjk) => {
  const stray = new RegExp(cjk + "\\s+" + cjk, "g");
  const article = document.querySelector("article");
  const copy = article.cloneNode(true);
  // code and math stand in as a Latin letter: spaces next to them are not stray
  copy.querySelectorAll("pre, code, .arithmatex, .katex, .mermaid, script, style")
      .forEach(e => e.replaceWith("x"));
  const blocks = "p, li, td, th, h1, h2, h3, h4, h5, h6, dd, dt, summary, figcaption";
  const spaces = [];
  for (const block of copy.querySelectorAll(blocks)) {
    if (block.querySelector(blocks)) continue;  // only innermost blocks
    for (const m of block.textContent.matchAll(stray)) spaces.push(m[0]);
  }
  const alpha = (color) => {
    const m = color.match(/rgba?\(([^)]*)\)/);
    if (!m) return color === "auto" ? 1 : 0;
    const parts = m[1].split(/[ ,/]+/).filter(Boolean);
    return parts.length > 3 ? parseFloat(parts[3]) : 1;
  };
  const clipped = [];
  for (const el of article.querySelectorAll("pre > code, table")) {
    if (el.closest(".mermaid") || el.scrollWidth <= el.clientWidth + 1) continue;
    const style = getComputedStyle(el);
    const thumb = style.scrollbarColor === "auto" ? "auto"
                : style.scrollbarColor.split(/\)\s+/)[0] + ")";
    if (style.scrollbarWidth === "none" || alpha(thumb) < 0.5)
      clipped.push(el.textContent.trim().slice(0, 40));
  }
  // code whose lines are at most 88 characters (the project's limit) but wider
  // than its box: it should fit at 1280 px
  const squeezed = [...article.querySelectorAll("pre > code")].filter(c =>
    Math.max(...c.textContent.split("\n").map(l => l.length)) <= 88
    && c.scrollWidth > c.clientWidth + 1).map(c => c.textContent.slice(0, 40));
  const broken = [...article.querySelectorAll("td code, th code")]
    .filter(c => c.getClientRects().length > 1).map(c => c.textContent);
  const covered = [];
  for (const button of article.querySelectorAll('button[data-md-type="copy"]')) {
    const b = button.getBoundingClientRect();
    const code = button.closest("pre").querySelector("code");
    const range = document.createRange();
    range.selectNodeContents(code);
    for (const r of range.getClientRects())
      if (r.width && r.left < b.right && r.right > b.left && r.top < b.bottom
          && r.bottom > b.top) { covered.push(code.textContent.slice(0, 40)); break; }
  }
  // diagrams: the smallest label, and labels that overlap a box they are not in
  const labels = [], overlaps = [];
  for (const host of document.querySelectorAll(".mermaid")) {
    const root = host.shadowRoot || host;
    const boxes = [...root.querySelectorAll("g.node")]
      .map(n => n.getBoundingClientRect());
    for (const label of root.querySelectorAll("span.nodeLabel, span.edgeLabel")) {
      const r = label.getBoundingClientRect();
      if (!r.height || !label.textContent.trim()) continue;
      labels.push(parseFloat(getComputedStyle(label).fontSize) * r.height
                  / (label.offsetHeight || r.height));
      if (label.closest(".node")) continue;
      for (const b of boxes)
        if (r.left < b.right - 1 && r.right > b.left + 1 && r.top < b.bottom - 1
            && r.bottom > b.top + 1) overlaps.push(label.textContent.trim());
    }
  }
  // what the page shows: its title, navigation, code, notebook cells, math
  const count = (selector) => document.querySelectorAll(selector).length;
  const shown = (selector) => [...document.querySelectorAll(selector)]
    .filter(e => e.getClientRects().length).length;
  const toc = document.querySelector(".jp-RenderedMarkdown h2[id]");
  return {stray: spaces, clipped, squeezed, broken, covered,
          smallest_label: labels.length ? Math.min(...labels) : null, overlaps,
          title: document.title, lang: document.documentElement.lang,
          text: article.innerText, h1: count("article h1"),
          nav_links: count("nav.md-nav--primary a.md-nav__link"),
          active_link: count('.md-nav__link--active[href="./"]'),
          code: count("article .highlight pre > code"),
          copy: count('article .highlight button[data-md-type="copy"]'),
          verified: count("article .verified-with"),
          math: count(".arithmatex"), katex_errors: count(".katex-error"),
          diagram_heights: [...document.querySelectorAll(".mermaid")]
            .map(e => e.offsetHeight),
          cells: count(".jp-CodeCell"), prompts: shown(".jp-InputPrompt"),
          toc_link: toc ? count(`.md-sidebar--secondary a[href="#${toc.id}"]`) : null};
}"""
# axe-core's rules. Two of its default rules compute the colours of every text node and
# its background: colour contrast and link-in-text-block (a link told apart from its
# text by colour alone), three quarters of axe's time, and half of that goes to the
# navigation and the highlighted code: the theme's template and palette, the same on
# every page. So on most pages these two check the article's text, and on a few pages
# (`everywhere`) the whole page; every other rule checks the whole page everywhere.
VISUAL_RULES = ("color-contrast", "link-in-text-block")
AXE_RUN = """async ([everywhere, visual]) => {
  const run = (context, options) => axe.run(context,
    {resultTypes: ["violations"], ...options});
  const found = [
    await run(document, {rules: Object.fromEntries(
      visual.map(id => [id, {enabled: false}]))}),
    await run(everywhere ? document : {include: [["article"]], exclude: [["pre"]]},
              {runOnly: visual})];
  return found.flatMap(result => result.violations.map(v =>
    ({id: v.id, impact: v.impact, nodes: v.nodes.length})));
}"""
# What axe finds on a page depends only on the bytes it loads (its HTML, and the styles,
# scripts, fonts and figures of the site), axe-core and the browser: a page whose HTML
# and the site's other files are the same as in an earlier run gets that run's
# findings (`AxeRecord`), as tools/built_site.py reuses a build and
# tools/update_examples.py an output whose inputs are unchanged.
AXE_RECORDS = ROOT / ".cache" / "survey"
# files of the built site no page loads and shows: the search index (fetched for the
# search box), the notebooks' downloads, the code archive, the pages' sources
NOT_SHOWN = re.compile(r"(^|/)search_index\.json$|\.(ipynb|zip)$|^files/")


class AxeRecord:
    """axe-core's findings per page, keyed by everything the finding depends on."""

    def __init__(self, name: str, site_dir: Path, browser_version: str):
        self.path = AXE_RECORDS / f"axe-{name}.json"
        self.site_dir = site_dir
        try:
            self.found = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            self.found = {}
        self.kept: dict[str, list] = {}
        tool = hashlib.sha256("\n".join((browser_version, AXE_RUN, *VISUAL_RULES))
                              .encode())
        tool.update(AXE.read_bytes() if AXE.exists() else b"")
        for path in sorted(site_dir.rglob("*")):  # every file a page may load
            name = path.relative_to(site_dir).as_posix()
            if path.is_file() and path.name != "index.html" and not NOT_SHOWN.search(
                    name):
                tool.update(f"{name} {_digest(path)}\n".encode())
        self.tool = tool.hexdigest()

    def key(self, url_path: str, everywhere: bool) -> str:
        """The page's HTML, how it was checked, and the rest of the site."""
        page = self.site_dir / url_path / "index.html"
        return hashlib.sha256(f"{self.tool} {url_path} {everywhere} "
                              f"{_digest(page)}".encode()).hexdigest()

    def get(self, key: str):
        return self.found.get(key)

    def keep(self, key: str, found: list) -> None:
        self.kept[key] = found

    def save(self) -> None:
        """This run's findings only: a page's older ones are left behind."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.kept, indent=0), "utf-8")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# diagrams and math render after 'load'
RENDERED = """() => [...document.querySelectorAll(".mermaid")].every(
    e => e.tagName !== "PRE" && (e.shadowRoot || e).querySelector("svg"))
  && [...document.querySelectorAll(".arithmatex")]
       .every(e => e.querySelector(".katex"))"""
# Waits in the page that end on their own: `evaluate` has no timeout, and a page that
# never fires its event would hold the test run (one warm run stopped in a Playwright
# wait with the browser idle). The measures after them force the layout themselves.
FONTS_READY = """() => Promise.race([document.fonts.ready,
    new Promise(done => setTimeout(done, 10000))]).then(() => true)"""
NEXT_FRAME = """() => new Promise(done => {
    requestAnimationFrame(done); setTimeout(done, 1000); })"""
# Material renders diagrams in closed shadow roots: open them, to measure inside
OPEN_SHADOWS = """const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  return attach.call(this, {...init, mode: "open"}); };"""


def survey(browser, site_url: str, url_paths: list[str], narrow: set[str] = frozenset(),
           shots: dict[str, tuple[str, str]] | None = None,
           everywhere: set[str] = frozenset(),
           record: AxeRecord | None = None) -> dict[int, dict]:
    """{width: {URL path: measures}}: every path at WIDE px; those in `narrow` measured
    again at NARROW px, by resizing the same page (no second load). `shots` maps a
    path to (screenshot name, element to scroll to first, or ""). axe-core checks
    each page, the colours of its navigation and code those in `everywhere`; with a
    `record`, a page that loaded the same bytes as in an earlier run keeps its
    findings (`axe_reused` says so).

    One browser tab visits every page with its cache off, so each visit is a first
    load; axe-core is injected into every page as it loads (an init script)."""
    host = urlsplit(site_url).netloc
    results: dict[int, dict] = {WIDE: {}, NARROW: {}}
    context = browser.new_context(viewport={"width": WIDE, "height": 900},
                                  service_workers="block")
    context.add_init_script(OPEN_SHADOWS)
    if AXE.exists():
        context.add_init_script(path=str(AXE))
    page = context.new_page()
    context.new_cdp_session(page).send("Network.setCacheDisabled",
                                       {"cacheDisabled": True})
    errors: list[str] = []
    sizes: list[tuple[str, int]] = []  # (URL, bytes) of every response
    external: list[str] = []  # fonts, scripts, images from another host
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    # a request still pending when the survey moves on is aborted with its page, as
    # a reader's browser aborts it: counted for the page that made it, not the next
    issued: dict = {}  # request -> the URL path of the page that made it
    current = [""]
    page.on("request", lambda r: issued.__setitem__(r, current[0]))
    page.on("requestfailed", lambda r: issued.get(r, current[0]) == current[0]
            and errors.append(f"failed: {r.url}"))
    page.on("request", lambda r: urlsplit(r.url).scheme in ("http", "https")
            and urlsplit(r.url).netloc != host and external.append(r.url))
    page.on("response", lambda r: sizes.append(
        (r.url, int(r.headers.get("content-length", 0)))))
    for url_path in url_paths:
        current[0] = url_path
        page.set_viewport_size({"width": WIDE, "height": 900})
        for seen in (errors, sizes, external):
            seen.clear()
        # Loaded: the page, then what its scripts fetch (the search index) and draw
        # (diagrams, math) and the fonts they use; no fixed wait.
        with page.expect_response(lambda r: r.url.endswith(INDEX), timeout=15_000):
            page.goto(urljoin(site_url, url_path), wait_until="load")
        try:
            page.wait_for_function(RENDERED, timeout=15_000)
            unrendered = False
        except Exception:  # noqa: BLE001 - a timeout: recorded, asserted by the tests
            unrendered = True
        page.evaluate(FONTS_READY)
        result = page.evaluate(MEASURE, CJK)
        result["axe_reused"] = False
        if not AXE.exists():
            result["axe"] = None  # not checked: test_reader.py fails and says why
        else:
            key = record and record.key(url_path, url_path in everywhere)
            found = record and record.get(key)
            if found is None:
                found = page.evaluate(AXE_RUN, [url_path in everywhere,
                                                list(VISUAL_RULES)])
            else:
                result["axe_reused"] = True
            if record:
                record.keep(key, found)
            result["axe"] = found
        if url_path in (shots or {}):
            name, element = shots[url_path]
            if element:
                page.locator(element).first.evaluate("e => e.scrollIntoView()")
                page.wait_for_timeout(400)  # the header's title animation settles
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        result.update(errors=list(errors), external=list(external),
                      unrendered=unrendered,
                      kb=round(sum(size for _, size in sizes) / 1024),
                      index_kb=round(sum(size for url, size in sizes
                                         if url.endswith(INDEX)) / 1024))
        results[WIDE][url_path] = result
        if url_path in narrow:  # a phone: the same page, reflowed
            page.set_viewport_size({"width": NARROW, "height": 900})
            page.evaluate(NEXT_FRAME)  # laid out
            results[NARROW][url_path] = {**page.evaluate(MEASURE, CJK),
                                         "errors": errors[len(result["errors"]):],
                                         "external": [], "unrendered": unrendered}
    context.close()
    if record:
        record.save()
    return results


def built_pages(site_dir: Path) -> list[str]:
    """URL paths of every built page, both languages ('' is the home page)."""
    paths = [p.parent.relative_to(site_dir).as_posix() + "/"
             for p in sorted(site_dir.rglob("index.html"))]
    return [re.sub(r"^\./$", "", p) for p in paths]


def search(browser, site_url: str, language: str, query: str) -> list[str]:
    """URL paths of the results a query gets on the home page of a language, relative
    to the site's (each result must be on the site)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  service_workers="block")
    page = context.new_page()
    page.goto(urljoin(site_url, "" if language == "en" else f"{language}/"),
              wait_until="networkidle")
    page.click("input.md-search__input")
    page.keyboard.type(query)
    page.keyboard.press("End")  # Chinese input needs one more key event
    try:
        page.wait_for_selector("a.md-search-result__link", timeout=5_000)
    except Exception:  # noqa: BLE001 - no result is an answer too
        pass
    page.wait_for_timeout(300)  # let the list settle
    hrefs = page.eval_on_selector_all(
        "a.md-search-result__link", "links => links.map(a => a.pathname)")
    context.close()
    root = urlsplit(site_url).path
    assert all(h.startswith(root) for h in hrefs), f"results outside {root}: {hrefs}"
    return [h[len(root):] for h in hrefs]
