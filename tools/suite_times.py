"""How long each unit of the test suite took last time, to start the longest first.

With two workers, a long unit (the built site's browser survey, the notebooks) that
starts last keeps one core busy alone at the end. `conftest.py` records the seconds
of every unit (a test module, or a page with its translations: `scope_of`) in
`.cache/suite-times.json` at the end of a run; the next run's scheduler hands out
the units longest first. Without a record (a fresh clone) they go in collection
order. Only the order changes: every test runs either way.
"""

from __future__ import annotations

import json
import re
from functools import cache

from tools import site
from tools.paths import CACHE, ROOT

RECORD = CACHE / "suite-times.json"


@cache
def _translation() -> re.Pattern:
    """`.zh.md` and every other language's suffix (mkdocs.yml's languages)."""
    model = site.load()
    others = "|".join(re.escape(c) for c in model.codes if c != model.default)
    return re.compile(rf"\.(?:{others})\.md$")


@cache
def _codes() -> frozenset[str]:
    return frozenset(site.load().codes)


# The tests of a page's exercises and of the page's snippet (`test_exercises_x.py`,
# `test_x.py`): the exercises import that snippet, so one worker imports it once.
EXERCISES = re.compile(
    r"^(?P<folder>tests/(?:\w+/)*)test_exercises_(?P<module>\w+)\.py$")


def scope_of(nodeid: str) -> str:
    """The unit of work a test belongs to: its file; a page with its translations; a
    file's tests of one language (`test_x[zh]`: a module fixture per language, such
    as the browser survey, lets the languages run on two workers at once); the tests
    of a page's exercises with those of the snippet they continue (`EXERCISES`)."""
    path, _, test = nodeid.partition("::")
    unit = _translation().sub(".md", path)
    exercises = EXERCISES.match(unit)
    if exercises and (ROOT / exercises["folder"] /
                      f"test_{exercises['module']}.py").is_file():
        unit = f"{exercises['folder']}test_{exercises['module']}.py"
    language = re.search(r"\[([^\]]+)\]$", test)
    return f"{unit}[{language[1]}]" if language and language[1] in _codes() else unit


def load() -> dict[str, float]:
    try:
        return json.loads(RECORD.read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def longest_first(scopes: list[str]) -> list[str]:
    """`scopes` by the seconds they took last time, longest first; unknown ones
    (new, or no record) keep their order, after the known ones that took longer than
    a few seconds and before the rest."""
    seconds = load()
    known_long = sorted((s for s in scopes if seconds.get(s, 0) >= 5),
                        key=lambda s: -seconds[s])
    return known_long + [s for s in scopes if s not in known_long]


# A worker runs a test once it knows the next one: a worker given a unit of one test
# is given a second unit at once, which waits behind it. Behind a test this long, the
# second is the shortest unit there is, not the next longest (`companion`).
LONG = 30.0


def companion(held: str, tests_held: int, queue: list[str]) -> str | None:
    """The unit to give a worker that holds only `held` (`tests_held` tests), from the
    `queue` of units not given yet, longest first: the last (shortest) one when `held`
    is one test that took LONG seconds or more last time; else None (the first)."""
    if tests_held == 1 and len(queue) > 1 and load().get(held, 0) >= LONG:
        return queue[-1]
    return None


def save(seconds: dict[str, float]) -> None:
    merged = {**load(), **{scope: round(s, 2) for scope, s in seconds.items()}}
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    RECORD.write_text(json.dumps(merged, indent=1, sort_keys=True), "utf-8")
