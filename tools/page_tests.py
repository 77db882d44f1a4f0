"""One page's loop: `make test PAGE=docs/<chapter>/<page>.md` (either language).

Runs, with pytest on both cores, what a change to one page and its code can break:

- the page's programs in every language (its code blocks);
- the test module of every snippet the page includes
  (`tests/<package>/test_<module>.py`), and the browser test of the page's own
  script where it has one (`tests/site/test_<module>_in_browser.py`);
- the computed outputs' check (`tests/test_examples.py`: it recomputes only what
  changed since its last run) and the numbers in prose (`tests/test_prose_numbers.py`);
- the checks of the built site that read every page (links and anchors, both
  languages in step, the built HTML, the versions shown): the site is built once and
  kept while its inputs are unchanged (`tools.built_site`).

Left to `make test`: the browser survey of every page, the chapter notebooks, and
the other pages' code.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tools import site
from tools.paths import ROOT

SITE_CHECKS = ["tests/site/test_links.py", "tests/site/test_parity.py",
               "tests/site/test_built.py", "tests/site/test_versions.py"]
ALWAYS = ["tests/test_examples.py", "tests/test_prose_numbers.py", *SITE_CHECKS]


def page_tests(page_path: str | Path) -> list[str]:
    """The pytest arguments of one page's loop, paths relative to the root."""
    model = site.load()
    path = (ROOT / page_path).resolve()
    if path.suffix != ".md" or model.docs not in path.parents or not path.is_file():
        raise SystemExit(f"PAGE={page_path}: not a page under docs/")
    page = model.page(path)
    found = [model.page(page.counterpart(language)).path for language in model.codes]
    for included, _ in page.includes:
        snippet = Path(included)
        if snippet.parts[0] == "snippets" and snippet.suffix == ".py":
            package = Path(*snippet.parts[1:-1])
            # its test module, and the browser test of what the page does with it
            for test in (ROOT / "tests" / package / f"test_{snippet.stem}.py",
                         ROOT / "tests" / "site" / f"test_{snippet.stem}_in_browser.py"):
                if test.is_file() and test not in found:
                    found.append(test)
    return [p.relative_to(ROOT).as_posix() for p in found if p.is_file()] + ALWAYS


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit("usage: python -m tools.page_tests docs/<chapter>/<page>.md")
    command = [sys.executable, "-m", "pytest", "-n", "2", *page_tests(args[0])]
    print(" ".join(command[1:]), flush=True)
    os.execv(sys.executable, command)


if __name__ == "__main__":
    sys.exit(main())
