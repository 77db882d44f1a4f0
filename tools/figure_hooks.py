"""MkDocs hook (registered under `hooks:` in mkdocs.yml): figures serve every language.

`tools/figures.py` writes one SVG per figure, `docs/<chapter>/figures/<name>.svg`, with
language-neutral labels, and the pages of both languages link it as
`figures/<name>.svg`. mkdocs-static-i18n with `fallback_to_default: false` leaves the
default language's assets out of the other languages' builds, so the Chinese pages'
links would break (and `--strict` fail). This adds the figures to each other
language's file list, under that language's folder of the site.
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
