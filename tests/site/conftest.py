"""The built site for the tests of tests/site/, built once whatever the scheduler does.

`site_dir` is `tools.built_site.built_site()`: `mkdocs build --strict` (the same as
`make build`: hooks, notebooks, both languages) into a folder keyed by a hash of
its inputs, under a file lock, so two pytest-xdist workers share one build and an
unchanged site is not built again; `site_url` serves that folder on 127.0.0.1 with a
threaded http.server on a free port.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.helpers import summary_line
from tools import built_site
from tools.paths import ROOT

# Debian's Chromium; CHROMIUM_PATH names another installed one (CI: the runner's Chrome)
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def site_dir() -> Path:
    started = time.time()
    try:
        folder = built_site.built_site()
    except built_site.BuildFailed as failure:
        pytest.fail(f"mkdocs build --strict failed:\n{failure}", pytrace=False)
    seconds = built_site.report(folder)["seconds"]
    built_now = built_site.record(folder).stat().st_mtime >= started
    summary_line(f"site: mkdocs build --strict took {seconds} s, "
                 + ("in this run" if built_now else "in an earlier run with the same "
                    f"inputs (reused: {folder.relative_to(ROOT)})"))
    return folder


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def site_url(site_dir):
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)  # port 0: a free port
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for all browser tests (a fresh profile, removed at end)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield chromium
        chromium.close()
