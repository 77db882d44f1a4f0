"""The site as readers meet it: the built site in headless Chromium, offline.

The site is built once (tests/site/conftest.py) and served on 127.0.0.1; Debian's
Chromium is driven with Playwright (never a downloaded browser). Pages are chosen from
what is built, so new pages are covered as they are added: both home pages, the first
page of every chapter and its notebook, and every page with a diagram or math. Each
checked page is saved as a screenshot under artifacts/screenshots/.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.site.conftest import CHROMIUM
from tools import site
from tools.paths import ROOT

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
SITE = site.load()
LANGUAGES = SITE.codes
EXTERNAL: list[str] = []  # every request that left 127.0.0.1, over the whole module
CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
EN_WORD = re.compile(r"^[a-z]{7,}$")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: apt-get "
                       "install chromium chromium-driver fonts-noto-cjk, or set CHROMIUM_PATH"),
]


@pytest.fixture
def page(browser, site_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  service_workers="block")
    page = context.new_page()
    host = urlsplit(site_url).netloc

    def record(request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != host:
            EXTERNAL.append(request.url)

    page.on("request", record)
    yield page
    context.close()


SITE_NAME = {"en": "Inside Phi-3", "zh": "深入 Phi-3"}


def first_of_each_language(url_paths: list[str]) -> set[str]:
    """The pages worth a screenshot: one per language."""
    firsts: dict[bool, str] = {}
    for url_path in url_paths:
        firsts.setdefault(url_path.startswith("zh/"), url_path)
    return set(firsts.values())


def built(site_dir: Path, url_path: str) -> Path:
    return site_dir / url_path / "index.html"


def open_page(page, site_url: str, url_path: str, wait_until: str = "networkidle"):
    before = len(EXTERNAL)
    page.goto(urljoin(site_url, url_path), wait_until=wait_until)
    assert EXTERNAL[before:] == [], f"{url_path} loaded from another host"


def shoot(page, name: str):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def slug(url_path: str) -> str:
    return url_path.strip("/").replace("/", "_") or "home"


def chapter_pages() -> list[str]:
    """URL of the first page with code of every chapter, in English."""
    return [next(page.url for page in map(SITE.page, (SITE.docs / src for src in
                                                        chapter.pages))
                 if any(f.kind == "python" for f in page.fences))
            for chapter in SITE.chapters]


def in_language(url_path: str, language: str) -> str:
    return url_path if language == SITE.default else f"{language}/{url_path}"


def check_page(page, title_part: str):
    assert title_part in page.title()
    assert page.locator("nav.md-nav--primary a.md-nav__link").count() > 2
    assert page.locator("article h1").count() == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page(page, site_url, language):
    url_path = "" if language == "en" else f"{language}/"
    open_page(page, site_url, url_path)
    check_page(page, SITE_NAME[language])
    assert page.locator("html").get_attribute("lang").startswith(language)
    shoot(page, f"{language}-home")


@pytest.mark.parametrize("language", LANGUAGES)
def test_chapter_pages_with_code_and_copy_buttons(page, site_url, site_dir, language):
    assert chapter_pages(), "no chapter found"
    for english in chapter_pages():
        url_path = in_language(english, language)
        open_page(page, site_url, url_path)
        check_page(page, SITE_NAME[language])  # <title> is "nav title - site name"
        code = page.locator("article .highlight pre > code")
        assert code.count() > 0
        copy = 'article .highlight button[data-md-type="copy"]'  # Material's button
        page.wait_for_selector(copy, state="attached")
        assert page.locator(copy).count() == code.count()
        assert page.locator("article .verified-with").count() == 1
        shoot(page, f"{language}-{slug(english)}")


def test_language_switcher_keeps_the_page_and_the_section(page, site_url):
    english = chapter_pages()[0]
    open_page(page, site_url, english)
    anchor = page.locator("article h2[id]").last.get_attribute("id")
    open_page(page, site_url, f"{english}#{anchor}")
    for target, expected in (("zh", f"zh/{english}"), ("en", english)):
        page.hover(".md-header .md-select")
        page.click(f'.md-header a.md-select__link[hreflang="{target}"]')
        page.wait_for_load_state("networkidle")
        assert urlsplit(page.url).path == "/" + expected
        assert urlsplit(page.url).fragment == anchor
        assert page.locator("html").get_attribute("lang").startswith(target)


def pick_search_words(site_dir: Path) -> dict[str, tuple[str, str]]:
    """language -> (a word only in one page's body, never in a title; that page)."""
    pages: dict[str, dict[str, set[str]]] = {"en": {}, "zh": {}}
    titles = ""
    for language in LANGUAGES:  # each language has its own index (tools/site_hooks.py)
        folder = site_dir / ("" if language == "en" else language) / "search"
        index = json.loads((folder / "search_index.json").read_text("utf-8"))
        separator = re.compile(index["config"]["separator"])
        titles += " ".join(html_lib.unescape(d["title"]).replace("\u200b", "")
                           for d in index["docs"]).lower()
        for doc in index["docs"]:
            location = in_language(doc["location"].split("#")[0], language)
            text = html_lib.unescape(re.sub(r"<[^>]+>", " ", doc["text"])).lower()
            words = pages[language].setdefault(location, set())
            words.update(w for w in separator.split(text) if w)
    picked = {}
    for language, pattern in (("zh", CJK_WORD), ("en", EN_WORD)):
        owners: dict[str, list[str]] = {}
        for location, words in pages[language].items():
            for word in words:
                if pattern.match(word) and word not in titles:
                    owners.setdefault(word, []).append(location)
        elsewhere = set().union(*pages["zh" if language == "en" else "en"].values())
        # Prefer two-character Chinese words: the browser splits a Chinese query
        # itself, and longer words may be split differently than jieba split the
        # pages at build time; and of those, the ones whose characters are rare
        # (a query split into common characters finds other pages first).
        # English: the longest word.
        text = " ".join(" ".join(words) for words in pages[language].values())

        def rank(word):
            if language == "en":
                return (-len(word),)
            return (abs(len(word) - 2), sum(text.count(char) for char in word))

        unique = sorted((rank(w), w, where[0]) for w, where in owners.items()
                        if len(where) == 1 and w not in elsewhere)
        assert unique, f"no {language} word found only in one page's body"
        _, word, location = unique[0]
        picked[language] = (word, location)
    return picked


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_finds_a_word_of_the_body(page, site_url, site_dir, language):
    word, location = pick_search_words(site_dir)[language]
    open_page(page, site_url, "" if language == "en" else f"{language}/")
    page.click("input.md-search__input")
    page.fill("input.md-search__input", word)  # the whole word at once, as an IME does
    page.keyboard.press("End")  # one more key event, as after Chinese input
    page.wait_for_selector("a.md-search-result__link", timeout=10_000)
    page.wait_for_timeout(300)  # let the list settle
    hrefs = page.eval_on_selector_all(
        "a.md-search-result__link", "links => links.map(a => a.href)")
    assert any(urlsplit(h).path == "/" + location for h in hrefs), (word, location, hrefs)
    print(f"\nsearch {language}: {word!r} -> {location}")
    shoot(page, f"{language}-search")


def pages_using(site_dir: Path, marker: str) -> list[str]:
    found = []
    for path in sorted(site_dir.rglob("index.html")):
        if marker in path.read_text(encoding="utf-8"):
            found.append(path.parent.relative_to(site_dir).as_posix() + "/")
    return found


def shadow_svgs(page, selector_class: str) -> int:
    """SVGs inside elements of a class, closed shadow roots included (via CDP)."""
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]

    def walk(node, inside):
        attrs = node.get("attributes", [])
        classes = dict(zip(attrs[::2], attrs[1::2])).get("class", "").split()
        inside = inside or selector_class in classes
        count = int(inside and node.get("nodeName", "").lower() == "svg")
        for child in node.get("children", []) + node.get("shadowRoots", []):
            count += walk(child, inside)
        return count

    return walk(root, False)


def test_mermaid_diagrams_render(page, site_url, site_dir):
    urls = pages_using(site_dir, 'class="mermaid"')
    if not urls:
        pytest.skip("no page has a mermaid diagram yet")
    for url_path in urls:
        # "load", not "networkidle": the render is awaited explicitly below
        open_page(page, site_url, url_path, wait_until="load")
        expected = page.locator("div.mermaid, pre.mermaid").count()
        page.wait_for_function(
            "() => document.querySelectorAll('pre.mermaid').length === 0", timeout=15_000)
        for _ in range(50):
            if shadow_svgs(page, "mermaid") >= expected:
                break
            page.wait_for_timeout(200)
        assert shadow_svgs(page, "mermaid") >= expected > 0, url_path
        if url_path in first_of_each_language(urls):
            page.locator("div.mermaid").first.evaluate("e => e.scrollIntoView()")
            page.wait_for_timeout(400)  # the header's title animation settles
            shoot(page, f"mermaid-{slug(url_path)}")


def test_math_renders_with_katex(page, site_url, site_dir):
    urls = pages_using(site_dir, 'class="arithmatex"')
    if not urls:
        pytest.skip("no page has math yet")
    for url_path in urls:
        # "load", not "networkidle": the render is awaited explicitly below
        open_page(page, site_url, url_path, wait_until="load")
        # every formula on the page is typeset (the theme moves those of code
        # annotations into tooltips, so the count is read as the page settles)
        page.wait_for_function(
            "() => { const all = [...document.querySelectorAll('.arithmatex')];"
            " return all.length > 0 && all.every(e => e.querySelector('.katex')); }",
            timeout=15_000)
        assert page.locator(".katex-error").count() == 0, url_path
        if url_path in first_of_each_language(urls):
            page.locator(".arithmatex").first.evaluate("e => e.scrollIntoView()")
            page.wait_for_timeout(400)  # the header's title animation settles
            shoot(page, f"math-{slug(url_path)}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_chapter_notebook_is_rendered(page, site_url, language):
    for chapter in SITE.chapters:
        url_path = SITE.url(f"{chapter.folder}/notebook.ipynb", language)
        open_page(page, site_url, url_path)
        check_page(page, SITE.translate("Notebook", language))  # its nav title
        title = SITE.translate(chapter.title, language)
        assert title in page.locator("article").inner_text()  # its intro names it
        assert page.locator(".jp-CodeCell").count() > 0
        anchor = page.locator(".jp-RenderedMarkdown h2[id]").first.get_attribute("id")
        assert page.locator(f'.md-sidebar--secondary a[href="#{anchor}"]').count() == 1
        # no empty "In [ ]:" prompts; diagrams drawn with a height; tables as tables
        assert page.locator(".jp-InputPrompt:visible").count() == 0
        heights = page.eval_on_selector_all(
            ".jp-RenderedMarkdown .mermaid", "els => els.map(e => e.offsetHeight)")
        assert all(height > 50 for height in heights), (url_path, heights)
        assert "\n| ---" not in page.locator("article").inner_text()
        # in the navigation, as the current page
        assert page.locator('.md-nav__link--active[href="./"]').count() >= 1
        shoot(page, f"{language}-notebook-{chapter.folder}")


def test_every_page_loads_without_leaving_127_0_0_1(page, site_url, site_dir):
    """All pages, both languages: no font, script or image from another host."""
    urls = [p.parent.relative_to(site_dir).as_posix() + "/"
            for p in sorted(site_dir.rglob("index.html"))]
    for url_path in urls:
        # "load": fonts, scripts and images have been requested (faster than idle)
        open_page(page, site_url, "" if url_path == "./" else url_path, "load")
    print(f"\n{len(urls)} pages loaded, {len(EXTERNAL)} external requests")
    assert EXTERNAL == []
