"""MkDocs hooks for the site as readers meet it (registered in mkdocs.yml).

- Chinese line breaks: a newline between two CJK characters, or beside full-width
  punctuation, renders as a space; it is removed, as pandoc's
  `east_asian_line_breaks` does (and so is a typed space there), on every page,
  notebooks included, never inside code, math or diagrams.
- Search per language: diagrams are not indexed, and each language gets its own
  index (`search/` and `zh/search/`; Chinese pages point their search there).
- Scripts: mermaid loads only on pages with diagrams; math is rendered at build
  time (KaTeX, run by node), so those pages load KaTeX's stylesheet only; the
  live demo (docs/assets/javascripts/live.js) only on its page, with its words and
  the addresses and size of what its button loads in its element's data-* attributes.
- Settings: SITE_URL, REPO_URL and EDIT_URI from the environment (a published
  copy: README, "Publish your copy"). "Edit this page" only where the page has a
  source in docs/ (not on the notebooks, which are made from the pages); the
  repository link without the theme's star and fork counts, which every page
  would fetch from the GitHub API: nothing loads from another host.
- URLs: language links relative (works under any sub-path); no per-page
  `rel=alternate` links (the theme fetches a sitemap next to each one; the
  hreflang alternates are in sitemap.xml); the root 404 page is English,
  `zh/404.html` Chinese.
- Output boxes: a small label says where the figures come from, derived from the
  include path (`.txt` computed, `.real.txt` recorded from the real model).
- "Download the code": `inside-phi3-code.zip` (snippets, the files they read,
  pinned requirements, a README), built at every build; last-updated date per page
  from git.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from html import escape, unescape
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `tools` from the root
from tools import live_model, notebooks, site  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ARCHIVE = "inside-phi3-code.zip"
CJK = r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef\u201c\u201d\u2018\u2019\u2014\u2026]"
INLINE = r"(?:</?(?:a|em|strong|b|i|span|abbr|sup|sub|mark|kbd)\b[^>]*>)*"
BREAK = re.compile(rf"({CJK}{INLINE})\s+({INLINE}{CJK})")
# full-width punctuation carries its own space: none after it or before it, whatever
# is on the other side ("实现、\nKV" would read "实现、 KV")
FULL_WIDTH = r"[\u3000-\u303f\uff00-\uffef]"
BESIDE_FULL_WIDTH = re.compile(rf"({FULL_WIDTH}{INLINE})\s+|\s+({INLINE}{FULL_WIDTH})")
PROTECTED = re.compile(r"<(pre|code|script|style)\b.*?</\1>"
                       r'|<(div|span) class="arithmatex">.*?</\2>', re.S)
SCRIPTS = {  # marker in the page -> (stylesheets, scripts) under assets/
    'class="mermaid"': ((), ("vendor/mermaid.tiny.js",)),
    'class="arithmatex"': (("vendor/katex/katex.min.css",), ()),
    'class="arithmatex">\\': ((), ("vendor/katex/katex.min.js",  # math left unrendered
                                    "vendor/katex/auto-render.min.js",
                                    "javascripts/katex-init.js")),
}
MATH = re.compile(r'<(span|div) class="arithmatex">\\([(\[])(.*?)\\[)\]]</\1>', re.S)
KATEX = ROOT / "docs" / "assets" / "vendor" / "katex" / "katex.min.js"
RENDER = ("const katex = require(process.argv[1]); let s = '';"
          "process.stdin.on('data', d => s += d).on('end', () => process.stdout.write("
          "JSON.stringify(JSON.parse(s).map(([tex, display]) => katex.renderToString("
          "tex, {displayMode: display, throwOnError: false})))))")
MERMAID_INIT = ("%%{init: {&quot;flowchart&quot;: {&quot;subGraphTitleMargin&quot;: "
                "{&quot;top&quot;: 0, &quot;bottom&quot;: 28}}}}%%\n")
_stash: dict[str, str] = {}


def _language(config) -> str:
    return site.building(config)


def _default(config) -> bool:
    return _language(config) == site.of(config).default


@event_priority(100)  # before mkdocs-static-i18n reads the config
def on_config(config):
    config["site_url"] = os.environ.get("SITE_URL") or config["site_url"]
    if os.environ.get("REPO_URL"):
        config["repo_url"] = os.environ["REPO_URL"]
        # MkDocs names the repository when it validates repo_url, before this hook:
        # unnamed, the theme's header link would read "None"
        config["repo_name"] = urlsplit(config["repo_url"]).path.strip("/")
        config["edit_uri"] = os.environ.get("EDIT_URI", "edit/main/docs/")
    return config


def on_page_context(context, page, config, nav):
    if page.edit_url and not (Path(config["docs_dir"]) / page.file.src_uri).is_file():
        page.edit_url = None  # generated (a notebook): no file to edit
    return context


def without_repository_facts(html: str) -> str:
    """The header's repository link, without the theme's script that fetches its
    star and fork counts from the GitHub API on every page."""
    return html.replace('class="md-source" data-md-component="source"',
                        'class="md-source"')


def outside(protected: re.Pattern, html: str, change) -> str:
    """`html` with `change` applied to the text between the matches of `protected`."""
    parts, last = [], 0
    for match in protected.finditer(html):
        parts += [change(html[last:match.start()]), match.group(0)]
        last = match.end()
    return "".join(parts + [change(html[last:])])


def join_cjk_lines(html: str) -> str:
    """Remove newlines between CJK characters outside code, math and diagrams."""
    def join(text: str) -> str:
        return BESIDE_FULL_WIDTH.sub(lambda m: m[1] or m[2], BREAK.sub(r"\1\2", text))

    return outside(PROTECTED, html, join)


# where a line's leading spaces are content: code, preformatted text, scripts, styles
KEEPS_SPACES = re.compile(r"<(pre|textarea|script|style)\b.*?</\1>", re.S)
INDENT = re.compile(r"\n[ \t]+")


def without_indentation(html: str) -> str:
    """The templates' indentation removed outside code and scripts: a newline and
    the spaces after it render as the newline alone (0.9 MB of the built pages,
    most in the navigation, which is on every page)."""
    return outside(KEEPS_SPACES, html, lambda text: INDENT.sub("\n", text))


def on_page_markdown(markdown, page, config, files):
    language, model = _language(config), site.of(config)
    page.meta["git_revision_date_localized"] = _updated(page.file.abs_src_path)
    source = page.file.abs_src_path or ""
    if source.endswith(".md") and any(
            f.kind == "python" for f in model.page(Path(source)).fences):
        href = posixpath.relpath(ARCHIVE, posixpath.dirname(page.file.src_uri) or ".")
        line = model.text("code_download", language).format(href=href)
        markdown += f"\n\n{line}\n"  # at the end of every page with code
    return site.label_outputs(markdown, output_labels(model, language))


def output_labels(model: site.Site, language: str) -> dict[str, str]:
    """`site.output_kind` of an included file -> the label of its Output box."""
    return {"computed": model.text("computed_output", language),
            "tiny": model.text("tiny_output", language),
            "recorded": model.text("recorded_output", language)}


def on_page_content(html, page, config, files):
    # diagrams: not indexed as text, and in a box that scrolls on a narrow screen
    # (a group's title may wrap to two lines: keep room for them above its boxes)
    html = re.sub(r'<pre class="mermaid"><code>(.*?)</pre>',
                  rf'<div class="mermaid-scroll"><pre class="mermaid" '
                  rf'data-search-exclude><code>{MERMAID_INIT}\1</pre></div>',
                  html, flags=re.S)
    # the label of an Output box, set in on_page_markdown, as a smaller span; what a
    # program printed is not searched as prose (and keeps the index small)
    html = re.sub(r'<div class="highlight">'
                  r'(<span class="filename">[^<·]+) · ([^<]+)</span>',
                  r'<div class="highlight">'
                  r'\1<span class="output-source">\2</span></span>', html)
    html = live_demo(html, page.url, config)
    # code and what it printed are read on the page, not searched as prose: every
    # page loads the search index, and code made up half of it
    return html.replace('<div class="highlight">',
                        '<div class="highlight" data-search-exclude>')


# The live demo's element on "Play with the tiny model" (docs/scores-to-text/live.md),
# written the same on every language's page; its script is a module, on that page only
LIVE = '<div class="live-phi3" id="live-phi3"'
LIVE_SCRIPT = "javascripts/live.js"


def live_strings(model: site.Site, language: str) -> dict[str, str]:
    """The live demo's words in `language` (mkdocs.yml), for its script."""
    return {
        "label": model.text("live_label", language),
        "load": model.text("live_load", language),
        "loading": model.text("live_loading", language),
        "loaded": model.text("live_loaded", language),
        "no_wasm": model.text("live_no_wasm", language),
        "missing": model.text("live_missing", language),
        "failed": model.text("live_failed", language),
        "prompt": model.text("live_prompt", language),
        "pieces": model.text("live_pieces", language),
        "filters": model.text("live_filters", language),
        "temperature": model.text("live_temperature", language),
        "top_k": model.text("live_top_k", language),
        "top_p": model.text("live_top_p", language),
        "min_p": model.text("live_min_p", language),
        "kept": model.text("live_kept", language),
        "next": model.text("live_next", language),
        "piece": model.text("live_piece", language),
        "id": model.text("live_id", language),
        "probability": model.text("live_probability", language),
        "filtered": model.text("live_filtered", language),
        "continue": model.text("live_continue", language),
        "new_tokens": model.text("live_new_tokens", language),
        "greedy": model.text("live_greedy", language),
        "sample": model.text("live_sample", language),
        "generate": model.text("live_generate", language),
        "stop": model.text("live_stop", language),
        "speed": model.text("live_speed", language),
    }


def live_demo(html: str, url: str, config) -> str:
    """The live demo's element with its words and where its files are: the model's
    (tools/live_model.py; none if this build has no export), the vendored runtime's,
    and how many MB the button loads."""
    if LIVE not in html:
        return html
    model, language = site.of(config), _language(config)
    folder = live_model.current()

    def href(path: str) -> str:
        return get_relative_url(path, url)

    found = {"strings": json.dumps(live_strings(model, language), ensure_ascii=False),
             "eos": " ".join(map(str, _end_of_text())),
             "runtime": href(live_model.VENDOR + live_model.RUNTIME[0]),
             "wasm": href(live_model.VENDOR + live_model.RUNTIME[2]),
             "tokenizers": href(live_model.VENDOR + live_model.RUNTIME[3]),
             "model": href(live_model.PUBLISHED + live_model.MODEL_FILES[0]),
             "tokenizer": href(live_model.PUBLISHED + live_model.MODEL_FILES[1]),
             "tokenizer-config": href(live_model.PUBLISHED + live_model.MODEL_FILES[2])}
    if folder is not None:
        total = live_model.download_bytes(folder)
        found.update(bytes=str(total), mb=f"{total / 1e6:.0f}")
    attributes = "".join(f' data-{name}="{escape(value, quote=True)}"'
                         for name, value in found.items())
    return html.replace(LIVE, LIVE + attributes, 1)


def _end_of_text() -> list[int]:
    """The tokens that end generation: the checkpoint's generation_config.json."""
    path = live_model.CHECKPOINT / "generation_config.json"
    ids = json.loads(path.read_text("utf-8"))["eos_token_id"]
    return ids if isinstance(ids, list) else [ids]


def _updated(path: str | None) -> str:
    """The date of the last commit of a page, else today (a fresh, shallow clone)."""
    date = ""
    if path:
        date = subprocess.run(["git", "log", "-1", "--format=%cs", "--", path],
                              cwd=ROOT, capture_output=True, text=True).stdout.strip()
    date = date or datetime.date.today().isoformat()
    return f'<span class="git-revision-date-localized-plugin">{date}</span>'


def render_math(html: str) -> str:
    """Math as HTML at build time, with the vendored KaTeX run by node: a page then
    needs KaTeX's stylesheet and fonts, not its 270 KB script. Without node the
    browser renders it (see SCRIPTS)."""
    found = list(MATH.finditer(html))
    if not found or not shutil.which("node") or not KATEX.exists():
        return html
    items = [[unescape(m.group(3)).strip(), m.group(1) == "div"] for m in found]
    rendered = iter(json.loads(subprocess.run(
        ["node", "-e", RENDER, str(KATEX)], input=json.dumps(items),
        capture_output=True, text=True, check=True).stdout))
    return MATH.sub(lambda m: f'<{m.group(1)} class="arithmatex">{next(rendered)}'
                              f'</{m.group(1)}>', html)


def _assets(output: str, url: str) -> str:
    heads, tails = [], []
    for marker, (styles, scripts) in SCRIPTS.items():
        if marker in output:
            heads += ['<link rel="stylesheet" href="'
                      f'{get_relative_url("assets/" + s, url)}">' for s in styles]
            tails += [f'<script src="{get_relative_url("assets/" + s, url)}"></script>'
                      for s in scripts]
    output = output.replace("</head>", "".join(heads) + "</head>", 1)
    return output.replace("</body>", "".join(tails) + "</body>", 1)


def without_alternates(html: str) -> str:
    """No `rel=alternate` links: the theme fetches a sitemap.xml beside each one."""
    return re.sub(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">', "", html)


def on_post_page(output, page, config):
    output = without_alternates(output)
    dialog = 'data-md-component="search" role="dialog"'
    name = site.of(config).text("search", _language(config))  # of the search dialog
    output = output.replace(dialog, f'{dialog} aria-label="{name}"', 1)
    root = re.sub(r"^https?://[^/]+", "", config["site_url"] or "/")

    def relative(match):
        href = match.group(2)
        if href.startswith(root):
            href = get_relative_url(href[len(root):] or ".", page.url) or "."
            href += "/" if not href.endswith("/") else ""
        return f"{match.group(1)}{href}{match.group(3)}"

    output = re.sub(r'(<a href=")([^"]*)(" hreflang="[^"]*" class="md-select__link")',
                    relative, output)
    if not _default(config):  # search this language's index: base is its root
        output = re.sub(r'("base": ")([^"]*)"', rf'\g<1>\2/{_language(config)}/"',
                        output, count=1)
    output = without_repository_facts(output)
    if LIVE in output:  # a module: deferred, and its imports resolve from its own URL
        src = get_relative_url("assets/" + LIVE_SCRIPT, page.url)
        output = output.replace("</body>", f'<script type="module" src="{src}">'
                                "</script></body>", 1)
    output = _assets(render_math(join_cjk_lines(output)), page.url)
    return without_indentation(output)


def on_post_template(output, template_name, config):
    """404: the root one in English, the Chinese one in zh/404.html."""
    if template_name != "404.html":
        return output
    output = without_repository_facts(without_alternates(output))
    if _default(config):
        _stash["404"] = output
        return output
    language = _language(config)
    output = re.sub(r'("base": ")([^"]*)"', rf'\g<1>\2{language}/"', output, count=1)
    (Path(config["site_dir"]) / language).mkdir(parents=True, exist_ok=True)
    (Path(config["site_dir"]) / language / "404.html").write_text(output, "utf-8")
    return _stash.get("404", output)


ARCHIVE_README = """\
# Inside Phi-3: the code

The examples of the site, runnable on a CPU with Python 3.11, with everything they
read: the tiny Phi-3 of "From scores to text" (snippets/scores_to_text/tiny-phi3/),
the site's pages (docs/, which "What Chinese costs" measures) and the benchmark's
results (docs/why-slow/benchmark.json).

    python3.11 -m venv .venv
    .venv/bin/pip install -r requirements.txt -c requirements-lock.txt
    .venv/bin/python -m snippets.model_example.next_token

Run examples from this folder with `python -m snippets.<chapter>.<file>`: they
import each other as the `snippets` package and read their files by paths relative
to this folder. The first run downloads microsoft/Phi-3-mini-4k-instruct (about
7.6 GB) from the Hugging Face Hub; the examples of "From scores to text" need only
its tokenizer. requirements.txt lists the project's direct dependencies, exactly
pinned; requirements-lock.txt pins everything they pull in.
"""


def archive_files() -> list[Path]:
    """What the code archive holds besides its README and pins: every snippet, and
    every file a snippet reads (notebooks.needed_files: the paths its code names)."""
    code = sorted((ROOT / "snippets").rglob("*.py"))
    data = notebooks.needed_files("\n".join(p.read_text("utf-8") for p in code))
    assets = ROOT / "docs" / "assets"  # the site's own scripts, not the examples'
    return sorted({*code, *(p for p in data if not p.is_relative_to(assets))})


def code_archive() -> bytes:
    """The snippets, the files they read, their pinned requirements and how to run
    one: unzipped anywhere, every example runs (tests/site/test_code_archive.py)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        def add(name, content, method=zipfile.ZIP_DEFLATED):
            # fixed dates: the same code gives the same archive
            info = zipfile.ZipInfo(f"inside-phi3/{name}", (2024, 1, 1, 0, 0, 0))
            archive.writestr(info, content, method)
        add("README.md", ARCHIVE_README)
        add("requirements.txt", "\n".join(project["dependencies"]) + "\n")
        add("requirements-lock.txt", (ROOT / "requirements-lock.txt").read_bytes())
        for path in archive_files():
            stored = path.suffix in notebooks.BINARY  # weights barely compress
            add(path.relative_to(ROOT).as_posix(), path.read_bytes(),
                zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


@event_priority(-110)  # after mkdocs-static-i18n rebuilds the file list (-100)
def on_files(files, config):
    if files.get_file_from_path(ARCHIVE) is None:
        files.append(File.generated(config, ARCHIVE, content=code_archive()))
    return files


@event_priority(-200)  # after mkdocs-static-i18n has written the merged index
def on_post_build(config):
    i18n = config.plugins.get("i18n")
    if getattr(i18n, "building", False):
        return  # a language build inside i18n's loop: the index is not final yet
    default = site.of(config).default
    site_dir = Path(config["site_dir"])
    _unused_theme_files(site_dir, config)
    index_path = site_dir / "search" / "search_index.json"
    if not index_path.exists():
        return
    index = json.loads(index_path.read_text("utf-8"))
    for language in [lang for lang in i18n.build_languages
                     if lang != default]:
        prefix = f"{language}/"
        own = [dict(doc, location=doc["location"][len(prefix):])
               for doc in index["docs"] if doc["location"].startswith(prefix)]
        index["docs"] = [d for d in index["docs"]
                         if not d["location"].startswith(prefix)]
        target = site_dir / language / "search" / "search_index.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_compact({**index, "docs": own}), "utf-8")
    index_path.write_text(_compact(index), "utf-8")


def _unused_theme_files(site_dir: Path, config) -> None:
    """What the theme copies but no reader loads: source maps (for debugging the
    theme itself), and lunr's language plugins when the search is configured for
    English only (Chinese is split by the separator and jieba at build time)."""
    for source_map in site_dir.glob("assets/**/*.map"):
        source_map.unlink()
    if config.plugins["material/search"].config["lang"] == ["en"]:
        shutil.rmtree(site_dir / "assets" / "javascripts" / "lunr", ignore_errors=True)


def _compact(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
