"""The site model (tools/site.py): how pages, fences, headings and numbers are read."""

import re
import string
from pathlib import Path

from tools import site
from tools.paths import ROOT

SITE = site.load()
PAGE = """\
# Title { #title }

Prose with 3072<!--hidden_size--> and a [link](other.md#there).

```python
x = 1
```

```text title="Output"
1
```

<!--pytest.mark.skip(reason="starts a server")-->
```sh
make serve
```

<!--pytest-codeblocks:cont-->
```python
print(x)
```

## Second { #second }

| Term | 中文 |
| --- | --- |
| `a|b` | 甲 |
"""


def page_of(tmp_path: Path, text: str, name: str = "x.md") -> site.Page:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return SITE.reading(tmp_path).page(tmp_path / name)


def test_fences_markers_headings_tables_links_and_numbers(tmp_path):
    page = page_of(tmp_path, PAGE)
    fences = page.fences
    assert [f.info for f in fences] == ["python", 'text title="Output"', "sh", "python"]
    assert fences[2].skip_reason == "starts a server" and fences[3].is_continuation
    assert [(h.level, h.anchor) for h in page.headings] == [(1, "title"), (2, "second")]
    assert page.tables() == [[["Term", "中文"], ["`a|b`", "甲"]]]
    assert page.links() == ["other.md#there"]
    assert page.numbers() == [("3072", "hidden_size")]
    assert "x = 1" not in page.prose and "Prose with" in page.prose
    assert page.skeleton() == {"anchors": ["title", "second"], "includes": [],
                               "fences": {"python": 2, "text": 1, "sh": 1}}


def test_what_is_not_prose(tmp_path):
    page = page_of(tmp_path, "The model has 3072 dims, `9216` 4k bf16 [a](x2.md) $d_1$\n"
                             "<!-- 77 -->\n\n    ```text\n    5678\n    ```\n\n"
                             "```python\nx = 1234\n```\n\nPhi-3 has 3,821,079,552 and 7.6.")
    assert page.numbers() == [("3072", None), ("3,821,079,552", None), ("7.6", None)]


def test_numbers_are_restated_from_the_facts_they_name(tmp_path):
    page = page_of(tmp_path, "It took 22.7<!--seconds--> s, 3,072<!-- width --> wide, "
                             "Phi-3<!--x-->, 50<!--unknown--> tokens, 7.6 GB.\n")
    assert page.restated({"seconds": "45.6", "width": "4,096", "x": "9"}) == (
        "It took 45.6<!--seconds--> s, 4,096<!-- width --> wide, "
        "Phi-3<!--x-->, 50<!--unknown--> tokens, 7.6 GB.\n")


def test_fences_that_would_not_run_are_problems():
    def problems(info, *markers):
        return site.Fence(info, 1, "x", markers).problems()

    assert problems("python") == []
    assert problems('python title="x.py"') and problems("py") and problems("pycon")
    assert problems("python", 'pytest.mark.skip(reason="why")') == []
    assert problems("python", "pytest.mark.skip()")  # no reason
    assert problems("python", "pytest-codeblocks:cont", 'pytest.mark.skip(reason="x")')
    assert problems("python", "pytest-codeblocks:expected-output")  # unsupported
    assert problems("text", "pytest.mark.skipif(False)")


def test_a_marker_must_stand_directly_above_its_fence():
    fences = site.read_fences("<!--pytest-codeblocks:cont-->\nProse.\n```python\nx\n```\n")
    assert not fences[0].is_continuation


def test_languages_urls_and_counterparts():
    assert SITE.default == "en" and "zh" in SITE.codes
    assert SITE.url("index.md", "en") == ""
    assert SITE.url("x/index.md", "zh") == "zh/x/"
    assert SITE.url("x/y.md", "en") == "x/y/"
    assert SITE.url("x/notebook.ipynb", "zh") == "zh/x/notebook/"
    page = SITE.page(SITE.docs / "model-example" / "next-token.zh.md")
    assert (page.language, page.src, page.url) == (
        "zh", "model-example/next-token.md", "zh/model-example/next-token/")
    assert page.counterpart("en") == SITE.docs / "model-example" / "next-token.md"
    assert page.package == "model_example" and page.chapter.folder == "model-example"


def test_chapters_come_from_the_navigation():
    chapters = {c.folder: c for c in SITE.chapters}
    assert chapters["model-example"].title == "A model example"
    assert chapters["why-slow"].title == "Why is it slow on a CPU?"
    assert chapters["model-example"].pages[0] == "model-example/load-and-generate.md"
    assert chapters["model-example"].notebook_name("zh") == "model-example-zh.ipynb"
    assert SITE.translate("A model example", "zh") == "模型示例"


def test_every_language_has_every_string_the_tools_use():
    """mkdocs.yml's `extra: strings:` hold, for every language of the site, every
    string the tools add to its pages and notebooks, with the same placeholders."""
    used = set()
    for path in [*(ROOT / "tools").glob("*.py"), *(ROOT / "bench").glob("*.py")]:
        used |= set(re.findall(r'\.text\(\s*"(\w+)"', path.read_text(encoding="utf-8")))
    assert used, "no string read through Site.text"
    keys = {language: set(SITE.strings.get(language, ())) for language in SITE.codes}
    assert {language: used - found for language, found in keys.items()
            if used - found} == {}, "missing in mkdocs.yml"
    assert {language: found - used for language, found in keys.items()
            if found - used} == {}, "in mkdocs.yml, used by no tool"

    def fields(value):
        """A string's placeholders; a table's (bench: dicts, lists) shape with each
        of its strings' placeholders."""
        if isinstance(value, dict):
            return {key: fields(item) for key, item in value.items()}
        if isinstance(value, list):
            return [fields(item) for item in value]
        return {name for _, name, _, _ in string.Formatter().parse(value) if name}

    def fits(found, default):
        """Same shape; each string asks for no placeholder the default language's
        does not (the code fills those; a translation may leave a detail out, as
        the Chinese summary leaves out the English list of a run's problems)."""
        if isinstance(default, (dict, list)):
            keys = default.keys() if isinstance(default, dict) else range(len(default))
            return (type(found) is type(default) and len(found) == len(default)
                    and all(fits(found[k], default[k]) for k in keys))
        return isinstance(found, set) and found <= default

    for key in used:
        default = fields(SITE.text(key, SITE.default))
        for language in SITE.codes:
            assert fits(fields(SITE.text(key, language)), default), (key, language)


def test_an_output_is_labelled_by_the_model_that_printed_it(tmp_path):
    """`.real.txt`: the real Phi-3-mini; a snippet that loads the tiny Phi-3 trained
    in "From scores to text": that model; anything else: computed offline."""
    (tmp_path / "snippets" / "x" / "output" / "tiny").mkdir(parents=True)
    (tmp_path / "snippets" / "x" / "tiny.py").write_text(
        "from snippets.scores_to_text.train_tiny import CHECKPOINT\n")
    (tmp_path / "snippets" / "x" / "meta.py").write_text(
        "from snippets.model_example.load_model import model\n")
    kind = {name: site.output_kind(f"snippets/x/output/{name}", tmp_path)
            for name in ("tiny/a.txt", "meta/a.txt", "meta/a.real.txt")}
    assert kind == {"tiny/a.txt": "tiny", "meta/a.txt": "computed",
                    "meta/a.real.txt": "recorded"}
    labels = {"tiny": "T", "computed": "C", "recorded": "R"}
    fence = '```text title="Output"\n    --8<-- "snippets/model_example/output/x/y.txt"'
    assert 'title="Output · C"' in site.label_outputs(fence, labels)
