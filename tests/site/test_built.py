"""The built HTML, without a browser: what tools/site_hooks.py makes of every page.

Search per language, scripts per page, the 404 pages, the code archive, the labels
of the Output boxes, last-updated dates, language links. Pages are read with one
helper, `pages()`, so a new page is checked as soon as it is built.
"""

from __future__ import annotations

import html as html_lib
import io
import json
import posixpath
import re
import shutil
import tomllib
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tools import built_site, live_model, site, site_hooks
from tools.paths import ROOT


def pages(site_dir: Path) -> dict[str, str]:
    """URL path ('' for the home page) -> HTML of every built page, both languages."""
    found = {}
    for path in sorted(site_dir.rglob("index.html")):
        folder = path.parent.relative_to(site_dir).as_posix()
        found["" if folder == "." else f"{folder}/"] = path.read_text("utf-8")
    return found


SITE = site.load()
language_of = SITE.language_of_url


def search_index(site_dir: Path, language: str) -> dict:
    folder = site_dir / ("" if language == "en" else language) / "search"
    return json.loads((folder / "search_index.json").read_text("utf-8"))


def test_each_language_has_its_own_search_index_without_diagrams(site_dir):
    en, zh = search_index(site_dir, "en"), search_index(site_dir, "zh")
    assert en["docs"] and zh["docs"]
    assert not [d for d in en["docs"] if d["location"].startswith("zh/")]
    zh_pages = {d["location"].split("#")[0] for d in zh["docs"]}
    assert {f"zh/{p}" for p in zh_pages} <= set(pages(site_dir))
    for doc in en["docs"] + zh["docs"]:
        assert not re.search(r"flowchart|subgraph|-->", doc["text"]), doc["location"]
    # Chinese pages search their own index: the theme's base is the zh/ folder
    for url_path, html in pages(site_dir).items():
        base = re.search(r'"base": "([^"]*)"', html).group(1)
        root = posixpath.normpath(posixpath.join(url_path or ".", base))
        assert root == ("." if language_of(url_path) == "en" else "zh"), url_path


def test_latin_next_to_chinese_splits_a_search_word(site_dir):
    separator = re.compile(search_index(site_dir, "zh")["config"]["separator"])
    assert [w for w in separator.split("KV缓存 与 RoPE旋转") if w] == [
        "KV", "缓存", "与", "RoPE", "旋转"]


def test_mermaid_and_katex_load_only_where_used_and_math_is_prerendered(site_dir):
    for url_path, html in pages(site_dir).items():
        assert ("mermaid.tiny.js" in html) == ('class="mermaid"' in html), url_path
        assert ("katex.min.css" in html) == ('class="arithmatex"' in html), url_path
        if shutil.which("node"):  # math rendered at build time: no KaTeX script
            assert "katex.min.js" not in html and 'class="arithmatex">\\' not in html


def test_language_links_are_relative_and_no_alternate_link_needs_a_sitemap(site_dir):
    for url_path, html in pages(site_dir).items():
        links = re.findall(
            r'<a href="([^"]*)" hreflang="[^"]*" class="md-select__link"', html)
        assert len(links) == 2 and not any(h.startswith(("/", "http")) for h in links)
        assert 'rel="alternate"' not in html, url_path
    sitemap = (site_dir / "sitemap.xml").read_text("utf-8")
    assert 'hreflang="zh"' in sitemap  # the alternates live in the sitemap


def test_the_root_404_is_english_and_zh_has_its_own(site_dir):
    for path, language in (("404.html", "en"), ("zh/404.html", "zh")):
        html = (site_dir / path).read_text("utf-8")
        assert f'<html lang="{language}"' in html, path


def test_the_code_archive_holds_every_snippet_and_the_pins(site_dir):
    archive = zipfile.ZipFile(io.BytesIO((site_dir / site_hooks.ARCHIVE).read_bytes()))
    names = set(archive.namelist())
    snippets = {f"inside-phi3/{p.relative_to(ROOT).as_posix()}"
                for p in (ROOT / "snippets").rglob("*.py")}
    assert snippets and snippets <= names
    pins = archive.read("inside-phi3/requirements.txt").decode().split()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert pins == project["dependencies"]
    assert archive.read("inside-phi3/requirements-lock.txt").decode() == (
        ROOT / "requirements-lock.txt").read_text("utf-8")
    assert "python -m snippets." in archive.read("inside-phi3/README.md").decode()
    for url_path, html in pages(site_dir).items():  # home pages, and pages with code
        if url_path in ("", "zh/") or 'class="language-python' in html:
            assert f'{site_hooks.ARCHIVE}"' in html, url_path


def test_output_boxes_say_where_their_figures_come_from(site_dir):
    labelled = 0
    for url_path, html in pages(site_dir).items():
        title = SITE.text("output_title", language_of(url_path))
        boxes = html.count(f'<span class="filename">{title}')
        labels = re.findall(
            f'<span class="filename">{title}<span class="output-source">([^<]+)</span>',
            html)
        assert len(labels) == boxes, url_path
        known = set(site_hooks.output_labels(SITE, language_of(url_path)).values())
        assert {html_lib.unescape(label) for label in labels} <= known, url_path
        labelled += len(labels)
    assert labelled > 0


def test_every_page_says_when_it_was_last_updated(site_dir):
    for url_path, html in pages(site_dir).items():
        date = r'git-revision-date-localized-plugin">\d{4}-\d\d-\d\d<'
        assert re.search(date, html), url_path


def test_section_index_pages_have_one_title(site_dir):
    for url_path, html in pages(site_dir).items():
        h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
        h1 = re.sub(r"<[^>]+>", "", h1)
        title = re.search(r"<title>(.*?) - ", html)
        if title and url_path not in ("", "zh/") and "notebook/" not in url_path:
            assert title.group(1) == html_lib.unescape(h1).replace("¶", "").strip(), (
                url_path)


@pytest.mark.parametrize("html, expected", [
    ("<p>上运行。\n不需要</p>", "<p>上运行。不需要</p>"),
    ("<p>它能向别人\n<a href=x>提供</a>什么</p>", "<p>它能向别人<a href=x>提供</a>什么</p>"),
    ("<p>缓存中，\n  也</p>", "<p>缓存中，也</p>"),
    ("<li><strong>模型示例。</strong> <a>加载</a></li>",
     "<li><strong>模型示例。</strong><a>加载</a></li>"),
    ("<p>使用\nPyTorch 的</p>", "<p>使用\nPyTorch 的</p>"),  # Latin: the space stays
    ("<p>实现、\nKV 缓存</p>", "<p>实现、KV 缓存</p>"),  # beside full-width punctuation
    ("<p>见 <code>x</code> （注）</p>", "<p>见 <code>x</code>（注）</p>"),
    ("<pre><code>中文\n中文</code></pre>", "<pre><code>中文\n中文</code></pre>"),
    ('<span class="arithmatex">\\(中\n文\\)</span>',
     '<span class="arithmatex">\\(中\n文\\)</span>'),
])
def test_chinese_line_breaks_are_joined_outside_code_and_math(html, expected):
    assert site_hooks.join_cjk_lines(html) == expected


@pytest.mark.parametrize("html, expected", [
    ("<nav>\n    <ul>\n      <li>a</li>\n\t</ul>", "<nav>\n<ul>\n<li>a</li>\n</ul>"),
    ("<p>one\n  two</p>", "<p>one\ntwo</p>"),  # a newline still separates the words
    ("<pre><code>def f():\n    return 1\n</code></pre>\n  <p>",
     "<pre><code>def f():\n    return 1\n</code></pre>\n<p>"),
    ('<div><pre class="mermaid">graph\n  a --> b</pre></div>',
     '<div><pre class="mermaid">graph\n  a --> b</pre></div>'),
    ("<script>\n  const a = `x\n    y`;\n</script>\n  <style>\n  p {}\n</style>",
     "<script>\n  const a = `x\n    y`;\n</script>\n<style>\n  p {}\n</style>"),
    ("<textarea>\n  kept</textarea>", "<textarea>\n  kept</textarea>"),
])
def test_indentation_goes_outside_code_scripts_and_styles(html, expected):
    assert site_hooks.without_indentation(html) == expected


def test_site_url_and_repository_come_from_the_environment(monkeypatch):
    config = {"site_url": "http://127.0.0.1:8000/", "repo_url": None, "edit_uri": None}
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("REPO_URL", raising=False)
    assert site_hooks.on_config(dict(config)) == config  # the local default
    monkeypatch.setenv("SITE_URL", "https://example.org/inside-phi3/")
    monkeypatch.setenv("REPO_URL", "https://example.org/someone/inside-phi3")
    built = site_hooks.on_config(dict(config))
    assert built["site_url"] == "https://example.org/inside-phi3/"
    assert built["repo_url"] == "https://example.org/someone/inside-phi3"
    assert built["edit_uri"] == "edit/main/docs/"
    assert built["repo_name"] == "someone/inside-phi3"  # shown in the header


# The whole site apart from what a reader loads only on request (#18: 25 MB). 24.4 MB
# when the templates' indentation went (tools/site_hooks.without_indentation).
MAX_SITE_MB = 25


def test_the_site_stays_small(site_dir):
    """What a reader downloads, mirrors or deploys: the pages in both languages, the
    notebooks, the tiny checkpoint once, the theme and the vendored scripts. Not
    counted, by name: the code archive (it grows with the code) and what the live
    demo's button loads (tools/live_model.py: the model, its tokenizer, the runtime),
    which no page loads by itself."""
    sizes = {path.relative_to(site_dir).as_posix(): path.stat().st_size
             for path in site_dir.rglob("*") if path.is_file()}
    for name in [site_hooks.ARCHIVE, *live_model.site_files()]:
        sizes.pop(name, None)
    largest = sorted(sizes.items(), key=lambda item: -item[1])[:5]
    assert sum(sizes.values()) <= MAX_SITE_MB * 1e6, f"largest files: {largest}"


def test_addresses_are_the_published_ones(site_dir):
    """Built for a published copy (tools/built_site.PUBLISHED, as the Pages workflow
    builds it): each page's canonical link is its own address under SITE_URL, and
    sitemap.xml lists exactly the built pages there, each with its other language
    (not the notebooks' pages: they repeat their chapter's pages, which it lists)."""
    published = built_site.PUBLISHED["SITE_URL"]
    built = pages(site_dir)
    for url_path, html in built.items():
        canonical = re.search(r'<link rel="canonical" href="([^"]*)"', html).group(1)
        assert canonical == published + url_path, url_path
    sitemap = (site_dir / "sitemap.xml").read_text("utf-8")
    listed = re.findall(r"<loc>([^<]*)</loc>", sitemap)
    assert sorted(listed) == sorted(published + p for p in built
                                    if not p.endswith("/notebook/"))
    alternates = re.findall(r'hreflang="[^"]*" href="([^"]*)"', sitemap)
    assert alternates and set(alternates) <= set(listed)


def test_every_page_written_in_docs_links_to_its_source_to_edit(site_dir):
    """The edit link ("Edit this page") names the file the page is made from, in its
    language (`x.zh.md`); the notebooks, made from the pages, have none. The
    repository link fetches nothing from the GitHub API (tools/site_hooks.py)."""
    edit = (built_site.PUBLISHED["REPO_URL"].rstrip("/") + "/"
            + built_site.PUBLISHED["EDIT_URI"])
    repository = urlsplit(built_site.PUBLISHED["REPO_URL"]).path.strip("/")
    sources = {page.url: page.path.relative_to(SITE.docs).as_posix()
               for page in SITE.pages()}
    for url_path, html in pages(site_dir).items():
        links = re.findall(r'<a href="([^"]*)" title="[^"]*" class="md-content__button'
                           r'[^"]*" rel="edit"', html)
        expected = [edit + sources[url_path]] if url_path in sources else []
        assert links == expected, url_path
        assert 'class="md-source"' in html and 'data-md-component="source"' not in html
        named = re.search(r'md-source__repository">\s*([^<]*?)\s*<', html)
        assert named and named[1] == repository, url_path  # not "None"
    assert any(url_path.endswith("notebook/") for url_path in pages(site_dir))


def test_no_file_of_the_site_is_hidden(site_dir):
    """upload-pages-artifact leaves out files and folders whose name starts with a dot
    (.github/workflows/ci.yml): the published site would silently lack them."""
    assert [p.relative_to(site_dir).as_posix() for p in site_dir.rglob(".*")] == []
