"""Where things live in this repository."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
TEST_DATA = ROOT / "tests" / "data"
CACHE = ROOT / ".cache"
