"""What readers do on the site: switch language, search; in headless Chromium, offline.

The site is built once (tests/site/conftest.py) and served on 127.0.0.1 under the
sub-path it is published at (/inside-phi3/, as GitHub Pages serves a fork); Debian's
Chromium is driven with Playwright (never a downloaded browser). What a reader meets on
each page, every page, is measured in one pass and checked in test_reader.py.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.site.conftest import CHROMIUM
from tests.site.survey import SCREENSHOTS
from tools import site

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


def open_page(page, site_url: str, url_path: str):
    before = len(EXTERNAL)
    page.goto(urljoin(site_url, url_path), wait_until="networkidle")
    assert EXTERNAL[before:] == [], f"{url_path} loaded from another host"


def chapter_pages() -> list[str]:
    """URL of the first page with code of every chapter, in English."""
    return [next(page.url for page in map(SITE.page, (SITE.docs / src for src in
                                                        chapter.pages))
                 if any(f.kind == "python" for f in page.fences))
            for chapter in SITE.chapters]


def test_language_switcher_keeps_the_page_and_the_section(page, site_url):
    english = chapter_pages()[0]
    open_page(page, site_url, english)
    anchor = page.locator("article h2[id]").last.get_attribute("id")
    open_page(page, site_url, f"{english}#{anchor}")
    for target, expected in (("zh", f"zh/{english}"), ("en", english)):
        page.hover(".md-header .md-select")
        page.click(f'.md-header a.md-select__link[hreflang="{target}"]')
        page.wait_for_load_state("networkidle")
        assert urlsplit(page.url).path == urlsplit(site_url).path + expected
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
            location = SITE.under(doc["location"].split("#")[0], language)
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
    open_page(page, site_url, SITE.under("", language))
    page.click("input.md-search__input")
    page.fill("input.md-search__input", word)  # the whole word at once, as an IME does
    page.keyboard.press("End")  # one more key event, as after Chinese input
    page.wait_for_selector("a.md-search-result__link", timeout=10_000)
    page.wait_for_timeout(300)  # let the list settle
    hrefs = page.eval_on_selector_all(
        "a.md-search-result__link", "links => links.map(a => a.href)")
    assert any(urlsplit(h).path == urlsplit(site_url).path + location
               for h in hrefs), (word, location, hrefs)
    print(f"\nsearch {language}: {word!r} -> {location}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{language}-search.png"))


def test_a_missing_page_gets_the_404_page_with_its_styles_and_scripts(page, site_url):
    """GitHub Pages answers a missing path of a project site with the site's 404.html,
    whatever the path's depth: its links are absolute (the published sub-path)."""
    loaded: list[tuple[int, str]] = []
    page.on("response", lambda r: loaded.append((r.status, urlsplit(r.url).path)))
    before = len(EXTERNAL)
    response = page.goto(urljoin(site_url, "tokens/no-such-page/deeper/"),
                         wait_until="networkidle")
    assert response.status == 404 and EXTERNAL[before:] == []
    assert page.locator("article h1").inner_text() == "404 - Not found"
    assets = loaded[1:]  # after the page itself
    assert {kind for _, kind in assets if kind.endswith((".css", ".js"))}, assets
    assert [a for a in assets if a[0] != 200 or not a[1].startswith(
        urlsplit(site_url).path)] == []
    home = page.locator("a.md-header__button.md-logo").get_attribute("href")
    assert urljoin(page.url, home) == site_url
