"""MkDocs hook (registered under `hooks:` in mkdocs.yml): figures for every language.

`tools/figures.py` writes each figure in every language: `docs/<chapter>/figures/
<name>.svg` (English) and `<name>.zh.svg` (Chinese), and the pages of both languages
link `figures/<name>.svg`. mkdocs-static-i18n's suffix layout makes `<name>.zh.svg`
the Chinese build's `figures/<name>.svg`. For a figure without a version of its own
in a language, mkdocs-static-i18n with `fallback_to_default: false` would leave the
default language's SVG out of that language's build, so its pages' links would break
(and `--strict` fail): this adds such figures to the language's file list, under that
language's folder of the site.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File


@event_priority(-110)  # after mkdocs-static-i18n's on_files (-100)
def on_files(files, config):
    i18n = config.plugins.get("i18n")
    language = getattr(i18n, "current_language", None)
    if language is None or language == getattr(i18n, "default_language", None):
        return files
    docs = Path(config["docs_dir"])
    for svg in sorted(docs.glob("**/figures/*.svg")):
        src = svg.relative_to(docs).as_posix()
        if files.get_file_from_path(src) is not None:
            continue  # a figure of its own for this language (name.<lang>.svg)
        figure = File(src, str(docs), config["site_dir"], config["use_directory_urls"],
                      dest_uri=f"{language}/{src}")
        # what mkdocs-static-i18n's own files carry
        figure.locale = figure.locale_alternate_of = language
        figure.localization = None
        figure.norm_src_uri = src
        figure.alternates = {language: figure}
        files.append(figure)
    return files
