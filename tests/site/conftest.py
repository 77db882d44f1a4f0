"""The built site for the tests of tests/site/, built once whatever the scheduler does.

`site_dir` is `tools.built_site.built_site()`: `mkdocs build --strict` (the same as
`make build`: hooks, notebooks, both languages) into a folder keyed by a hash of
its inputs, under a file lock, so two pytest-xdist workers share one build and an
unchanged site is not built again; `site_url` serves that folder on 127.0.0.1 with a
threaded http.server on a free port, under the sub-path it is built for (a project
site on GitHub Pages: /inside-phi3/), as GitHub Pages serves it: nothing outside that
path, and the site's 404.html for a missing file.
"""

from __future__ import annotations

import functools
import io
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


class SubPathHandler(SimpleHTTPRequestHandler):
    """`directory` served under `prefix` only; a missing file gets its 404.html."""

    prefix = "/"

    def send_head(self):
        if not self.path.startswith(self.prefix):
            self.send_error(404, f"outside {self.prefix}")
            return None
        self.path = "/" + self.path[len(self.prefix):]
        if Path(self.translate_path(self.path)).exists():
            return super().send_head()
        page = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        return io.BytesIO(page)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def serve(folder: Path, prefix: str):
    """A started server for `folder` under `prefix` on a free port of 127.0.0.1."""
    handler = functools.partial(type("Handler", (SubPathHandler,), {"prefix": prefix}),
                                directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)  # port 0: a free port
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def site_url(site_dir):
    """The built site's address: http://127.0.0.1:<port>/inside-phi3/."""
    prefix = built_site.served_path()
    server = serve(site_dir, prefix)
    yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
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
