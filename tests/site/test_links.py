"""Every internal link of the built site resolves, in both languages.

MkDocs' validation (mkdocs.yml, `--strict`) checks links written in Markdown; this
small checker reads the built HTML instead, so it also sees what themes, hooks,
notebooks and raw HTML produce: each `href`/`src` to this site must name an existing
file, and each `#fragment` an element id (or name) of the page it points to.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tools import site as site_model

LINK_ATTRIBUTES = {"href", "src"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            elif name in LINK_ATTRIBUTES:
                self.links.append(value)


def read_site(site: Path) -> dict[str, _Page]:
    pages = {}
    for path in site.rglob("*.html"):
        parser = _Page()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(site).as_posix()] = parser
    return pages


def resolve(site: Path, page: str, link: str, site_url: str) -> tuple[str, str] | None:
    """(file relative to the site, fragment) for a link to this site, else None."""
    if link.startswith(site_url):
        link = "/" + link[len(site_url):]
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None  # another site (or data:, mailto:): not ours to check
    if not parts.path:
        return page, unquote(parts.fragment)
    base = posixpath.dirname(page)
    path = unquote(parts.path)
    target = posixpath.normpath(path.lstrip("/") if path.startswith("/")
                                else posixpath.join(base, path))
    if target == ".":
        target = ""
    if path.endswith("/") or (site / target).is_dir():
        target = posixpath.join(target, "index.html")
    return target, unquote(parts.fragment)


def broken_links(site: Path) -> tuple[list[str], int]:
    site_url = site_model.load().site_url
    pages = read_site(site)
    problems: dict[str, set[str]] = defaultdict(set)
    checked = 0
    for page, parsed in sorted(pages.items()):
        for link in parsed.links:
            resolved = resolve(site, page, link, site_url)
            if resolved is None:
                continue
            checked += 1
            target, fragment = resolved
            if not (site / target).is_file():
                problems[page].add(f"{link} -> missing {target}")
            elif fragment and target in pages and fragment not in pages[target].ids:
                problems[page].add(f"{link} -> no id {fragment!r} in {target}")
    return [f"{page}: {', '.join(sorted(p))}" for page, p in problems.items()], checked


def test_every_internal_link_and_anchor_resolves(site_dir):
    problems, checked = broken_links(site_dir)
    assert checked > 100, "the checker found almost no links: is the site empty?"
    assert not problems, "broken links in the built site:\n" + "\n".join(problems)


def test_the_checker_finds_a_broken_link_and_anchor(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<h2 id="here">x</h2><a href="#here">ok</a><a href="../b/">gone</a>'
        '<a href="./#nowhere">bad anchor</a><img src="https://example.com/x.png">',
        encoding="utf-8")
    problems, checked = broken_links(tmp_path)
    assert checked == 3
    assert "../b/ -> missing b/index.html" in problems[0]
    assert "no id 'nowhere'" in problems[0]
