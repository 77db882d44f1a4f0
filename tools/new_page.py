"""Start a new page in every language: `make new-page CHAPTER=x SLUG=y TITLE="..."`.

It writes what CONTRIBUTING.md ("Adding a page") says a page needs, so that the page
runs, builds and passes the tests before a word of it is written:

- `docs/<chapter>/<slug>.md` and one page per other language (same anchors, same
  includes), each with a heading, a code block and its output;
- `snippets/<package>/<module>.py` with one section, and `tests/<package>/
  test_<module>.py` that runs it (plus the packages' `__init__.py` for a new chapter);
- the output file the pages include, computed as `make update-examples` computes it
  (`check_paths` in mkdocs.yml: the build fails on an include of a missing file);
- the navigation entry in mkdocs.yml and its translation for every other language
  (a new chapter gets its own section, before the last entry, with its notebook).

Titles in the other languages default to the English one: translate them after.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from tools.paths import ROOT

SNIPPET = '''\
"""{title}: what this example shows."""

# --8<-- [start:main]
import torch

x = torch.arange(6).reshape(2, 3)  # (rows, columns)
print(x.shape)
# --8<-- [end:main]
'''
TEST = '''\
"""{module}.py runs as a script and prints what its page shows."""

from tests.helpers import run_script


def test_runs_as_a_script():
    assert run_script("snippets/{package}/{module}.py") == "torch.Size([2, 3])\\n"
'''


def add_to_nav(config: str, chapter: str, title: str, entry: str, src: str,
               translations: dict[str, str]) -> str:
    """mkdocs.yml with `src` in its chapter's section (or a new section before the
    last entry of the navigation) and the titles in every nav_translations."""
    lines = config.split("\n")
    nav = lines.index("nav:")
    pages = [i for i in range(nav, len(lines)) if f" {chapter}/" in lines[i]]
    if pages:  # after the chapter's last page, before its notebook entry
        last = max(i for i in pages if not lines[i].endswith(".ipynb"))
        indent = re.match(r"\s*", lines[last])[0]
        lines.insert(last + 1, f"{indent}- {entry}: {src}")
    else:
        end = next((i for i in range(nav + 1, len(lines))
                    if lines[i].strip() and not lines[i].startswith(" ")), len(lines))
        tops = [i for i in range(nav + 1, end) if lines[i].startswith("  - ")]
        lines[tops[-1]:tops[-1]] = [
            f"  - {title}:", f"      - {entry}: {src}",
            f"      - Notebook: {chapter}/notebook.ipynb"]
    for language, translated in translations.items():
        start = next(i for i, line in enumerate(lines)
                     if line.strip() == f"- locale: {language}")
        at = next(i for i in range(start, len(lines))
                  if lines[i].strip() == "nav_translations:")
        indent = re.match(r"\s*", lines[at + 1])[0]
        known = {line.split(":")[0].strip() for line in lines[at + 1:]
                 if line.startswith(indent)}
        for english in (title, entry):
            if english not in known:
                lines.insert(at + 1, f"{indent}{english}: {translated}")
                known.add(english)
    return "\n".join(lines)


def create(root: Path, chapter: str, slug: str, title: str, section: str,
           titles: dict[str, str]) -> list[Path]:
    from mkdocs.config import load_config

    from tools.site import NEW_PAGE, Site, package_of

    site = Site(load_config(str(root / "mkdocs.yml")), root / "docs")
    package, module = package_of(chapter), slug.replace("-", "_")
    src = f"{chapter}/{slug}.md"
    written = []

    def write(path: Path, text: str):
        if path.exists():
            raise SystemExit(f"{path.relative_to(root)} exists already")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    for language in site.codes:
        write(root / "docs" / site.source(src, language), NEW_PAGE.format(
            title=titles.get(language, title), slug=slug, package=package,
            module=module, lead=site.text("new_page_lead", language),
            output=site.text("output_title", language)))
    for folder in (root / "snippets" / package, root / "tests" / package):
        if not (folder / "__init__.py").exists():
            write(folder / "__init__.py", "")
    snippet = root / "snippets" / package / f"{module}.py"
    write(snippet, SNIPPET.format(title=title))
    from tools.update_examples import compute, output_file

    for name, printed in compute(snippet, {"main"}).items():
        write(output_file(snippet, name), printed)
    write(root / "tests" / package / f"test_{module}.py",
          TEST.format(package=package, module=module))
    config = root / "mkdocs.yml"
    others = {lang: titles.get(lang, title) for lang in site.codes if lang != site.default}
    config.write_text(add_to_nav(config.read_text(encoding="utf-8"), chapter, section,
                                 title, src, others), encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", required=True, help="docs/ folder, e.g. why-slow")
    parser.add_argument("--slug", required=True, help="the page's file name, e.g. batch")
    parser.add_argument("--title", required=True, help="the English title")
    parser.add_argument("--section", help="a new chapter's title (default: --title)")
    parser.add_argument("--title-zh", help="the Chinese title (default: --title)")
    args = parser.parse_args(argv)
    for path in create(ROOT, args.chapter, args.slug, args.title,
                       args.section or args.title, {"zh": args.title_zh or args.title}):
        print(f"wrote {path.relative_to(ROOT)}")
    print("mkdocs.yml: navigation and its translations updated.\n"
          "Next: write the code and both pages, then `make update-examples`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
