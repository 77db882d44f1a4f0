"""Every internal link of the built site resolves, in both languages.

MkDocs' validation (mkdocs.yml, `--strict`) checks links written in Markdown; this
small checker reads the built HTML instead, so it also sees what themes, hooks,
notebooks and raw HTML produce: each `href`/`src` to this site must name an existing
file, and each `#fragment` an element id (or name) of the page it points to. Links are
followed as they are served, under the sub-path the site is built for.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from tests.helpers import summary_line
from tools.built_site import PUBLISHED

PUBLISHED_AT = PUBLISHED["SITE_URL"]  # the address the built site is built for

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
    """(file relative to the site, fragment) for a link to this site, else None.

    The link is followed as a browser follows it on the site served at `site_url`,
    under that address's path (/inside-phi3/ for a project site on GitHub Pages): a
    link that leaves the path (an absolute `/assets/x`) names a file outside the
    site, `../assets/x`, which is never there."""
    root = urlsplit(site_url)
    target = urlsplit(urljoin(urljoin(site_url, page), link))
    if (target.scheme, target.netloc) != (root.scheme, root.netloc):
        return None  # another site (or data:, mailto:): not ours to check
    path = unquote(target.path)
    if not path.startswith(root.path):
        return posixpath.relpath(path, root.path), unquote(target.fragment)
    path = path[len(root.path):]
    if path == "" or path.endswith("/") or (site / path).is_dir():
        path = posixpath.join(path, "index.html")
    return path, unquote(target.fragment)


def broken_links(site: Path, site_url: str = PUBLISHED_AT) -> tuple[list[str], int]:
    """Problems per page, and how many links and assets were followed."""
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
            if target.startswith("../"):
                problems[page].add(f"{link} -> outside {urlsplit(site_url).path}")
            elif not (site / target).is_file():
                problems[page].add(f"{link} -> missing {target}")
            elif fragment and target in pages and fragment not in pages[target].ids:
                problems[page].add(f"{link} -> no id {fragment!r} in {target}")
    return [f"{page}: {', '.join(sorted(p))}" for page, p in problems.items()], checked


def test_every_internal_link_and_anchor_resolves(site_dir):
    """Followed as served under the site's sub-path (tools/built_site.py)."""
    problems, checked = broken_links(site_dir)
    assert checked > 100, "the checker found almost no links: is the site empty?"
    assert not problems, "broken links in the built site:\n" + "\n".join(problems)
    summary_line(f"links: {checked} links and assets of {len(read_site(site_dir))} "
                 f"pages resolve under {urlsplit(PUBLISHED_AT).path}")


def test_the_checker_finds_a_broken_link_and_anchor(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<h2 id="here">x</h2><a href="#here">ok</a><a href="../b/">gone</a>'
        '<a href="./#nowhere">bad anchor</a><img src="https://example.com/x.png">'
        '<a href="https://example.org/site/a/#here">absolute, ok</a>'
        '<link href="/a/">the host\'s root, not the site\'s', encoding="utf-8")
    problems, checked = broken_links(tmp_path, "https://example.org/site/")
    assert checked == 5
    assert "../b/ -> missing b/index.html" in problems[0]
    assert "no id 'nowhere'" in problems[0]
    assert "/a/ -> outside /site/" in problems[0]
    assert "absolute, ok" not in problems[0] and problems[0].count(" -> ") == 3
