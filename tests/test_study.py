"""Every lesson ends with its key points and exercises, in every language.

The structure is `tools.site.Study`: the last two sections of a lesson page, with the
same anchors in every language and the titles of mkdocs.yml's strings. Each exercise
has a collapsed solution whose Python block includes the page's exercise module
(`Page.exercise_module`, tested by its own test module) and continues the page's
program, so the page tests run every solution, and so does the chapter's notebook.
"""

from __future__ import annotations

import pytest

from tools import site

SITE = site.load()
# The chapters whose every lesson has its key points and exercises; a lesson of
# another chapter that has begun them is checked the same way.
COMPLETE = ("model-example", "tokens", "inside-the-block", "scores-to-text",
            "why-slow")
LESSONS = [page for page in SITE.pages() if page.is_lesson]


def test_the_lessons_are_found():
    assert {page.chapter.folder for page in LESSONS} >= set(COMPLETE)
    assert not any(page.src.endswith("/index.md") for page in LESSONS)


@pytest.mark.parametrize("page", LESSONS, ids=lambda p: p.path.name)
def test_a_lesson_ends_with_key_points_and_exercises(page):
    if page.study is None and page.chapter.folder not in COMPLETE:
        pytest.skip(f"{page.chapter.folder}: key points and exercises not written yet")
    problems = page.study_problems()
    assert not problems, f"{page.path.relative_to(SITE.docs)}: " + "; ".join(problems)


def test_the_structure_is_read_as_a_reader_sees_it(tmp_path):
    text = """\
# T { #t }

Prose.

## Key points { #key-points }

- one
  continued
- two
- three

## Exercises { #exercises }

**1.** First?

??? success "Solution"

    <!--pytest-codeblocks:cont-->
    ```python
    print(1)  # --8<-- "snippets/home/exercises_t.py:a"
    ```

    Because.

**2.** Second?

??? success "Solution"

    ```python
    print(2)
    ```
"""
    (tmp_path / "t.md").write_text(text, encoding="utf-8")
    page = SITE.reading(tmp_path).page(tmp_path / "t.md")
    study = page.study
    assert study.key_points == ("one continued", "two", "three")
    assert [e.question for e in study.exercises] == ["**1.** First?", "**2.** Second?"]
    assert study.last and study.titles == {"key-points": "Key points",
                                           "exercises": "Exercises"}
    first, second = (e.solutions for e in study.exercises)
    assert first[0].is_continuation and not second[0].is_continuation
    assert second[0].code == "print(2)"  # the admonition's indent is not code
    assert [f.code for f in page.fences] == [first[0].code, "print(2)"]
    assert page.study_problems() == [
        "exercise 2 (line 27): a solution continues the page's program",
        "exercise 2 (line 27): a solution includes snippets/home/exercises_t.py"]
