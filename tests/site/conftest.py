"""The built site, once per test session, for the tests of tests/site/.

`site_dir` runs `mkdocs build --strict` into a temporary folder (the build is the
same as `make build`: hooks, notebooks, both languages); `site_url` serves that
folder on 127.0.0.1 with a threaded http.server on a free port.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tools.paths import ROOT

BUILD_SECONDS: dict[str, float] = {}
REPORT: list[str] = []  # lines for the terminal summary (e.g. page weights)
# Debian's Chromium; CHROMIUM_PATH names another installed one (CI: the runner's Chrome)
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    mkdocs = Path(sys.executable).with_name("mkdocs")
    started = time.perf_counter()
    result = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(target)],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    BUILD_SECONDS["mkdocs build --strict"] = time.perf_counter() - started
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result.stderr[-4000:]}",
                    pytrace=False)
    return target


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


def pytest_terminal_summary(terminalreporter):
    for what, seconds in BUILD_SECONDS.items():
        terminalreporter.write_line(f"site: {what} took {seconds:.1f} s")
    for line in REPORT:
        terminalreporter.write_line(line)
