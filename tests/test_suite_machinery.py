"""The machinery that keeps the suite fast: one build of the site, longest first."""

from __future__ import annotations

import json

from tools import built_site, numerics, suite_times


def test_units_of_work_a_page_with_its_translations_a_module_by_language():
    assert suite_times.scope_of("docs/tokens/pieces.md::line 12") == \
        "docs/tokens/pieces.md"
    assert suite_times.scope_of("docs/tokens/pieces.zh.md::line 9") == \
        "docs/tokens/pieces.md"
    # a module's tests of one language are a unit (the survey: one per language)
    assert suite_times.scope_of("tests/site/test_reader.py::test_home_page[zh]") == \
        "tests/site/test_reader.py[zh]"
    assert suite_times.scope_of("tests/x.py::test_y[model-example-zh]") == "tests/x.py"
    assert suite_times.scope_of("docs/index.md::line 3") == "docs/index.md"
    # a page's exercises with the snippet they continue: it is imported once
    assert suite_times.scope_of("tests/tokens/test_exercises_learned.py::test_a") == \
        "tests/tokens/test_learned.py"
    assert suite_times.scope_of(  # no test_load_and_generate.py: a unit of its own
        "tests/model_example/test_exercises_load_and_generate.py::test_a") == \
        "tests/model_example/test_exercises_load_and_generate.py"


def test_units_start_longest_first(tmp_path, monkeypatch):
    monkeypatch.setattr(suite_times, "RECORD", tmp_path / "times.json")
    units = ["a.py", "b.py", "c.py", "d.py"]
    assert suite_times.longest_first(units) == units  # no record: collection order
    suite_times.save({"b.py": 1.0, "c.py": 40.0, "d.py": 9.0})
    suite_times.save({"a.py": 0.5})  # a later run adds to the record
    assert json.loads((tmp_path / "times.json").read_text())["c.py"] == 40.0
    assert suite_times.longest_first(units + ["new.py"]) == [
        "c.py", "d.py", "a.py", "b.py", "new.py"]


def test_behind_one_long_test_the_shortest_unit_waits(tmp_path, monkeypatch):
    """A worker holds its last test until it has the next one: behind the outputs'
    check (one test, minutes) the shortest unit waits, not the next longest."""
    monkeypatch.setattr(suite_times, "RECORD", tmp_path / "times.json")
    suite_times.save({"check.py": 100.0, "few.py": 5.0, "long.py": 40.0})
    queue = ["long.py", "b.py", "c.py"]  # longest first
    assert suite_times.companion("check.py", 1, queue) == "c.py"
    assert suite_times.companion("check.py", 3, queue) is None  # more tests: as usual
    assert suite_times.companion("few.py", 1, queue) is None  # a short test
    assert suite_times.companion("new.py", 1, queue) is None  # no record
    assert suite_times.companion("check.py", 1, ["long.py"]) is None


def test_the_build_key_follows_every_input(tmp_path, monkeypatch):
    page, config = tmp_path / "docs" / "index.md", tmp_path / "mkdocs.yml"
    page.parent.mkdir()
    page.write_text("# Home\n")
    config.write_text("site_name: x\n")
    monkeypatch.setattr(built_site, "ROOT", tmp_path)
    monkeypatch.setattr(built_site, "INPUTS", [page.parent, config])
    first = built_site.key()
    assert built_site.key() == first
    page.write_text("# Home, edited\n")
    assert built_site.key() != first
    page.write_text("# Home\n")
    assert built_site.key() == first
    with monkeypatch.context() as published:
        published.setitem(built_site.PUBLISHED, "SITE_URL", "https://example.org/x/")
        assert built_site.key() != first  # the hooks read it
    assert built_site.key() == first
    monkeypatch.setenv("SITE_URL", "https://example.org/elsewhere/")
    assert built_site.key() == first  # the tests build for PUBLISHED, whatever is set


def test_the_second_numeric_configuration_runs_other_kernels():
    """`make test-numerics` asks ATen for a narrower kernel set than the one it picks
    (torch says which it uses: a wider one can crash), with two threads, not one."""
    native = numerics.capability()
    second = numerics.environment(native)["ATEN_CPU_CAPABILITY"]
    order = numerics.CANDIDATES
    assert second in order  # and torch ran it: second_capability asked
    if native in order:
        assert order.index(second) == order.index(native) + 1 or native == "default"
    assert numerics.THREADS == "2"  # make test: one per worker


def test_axe_findings_are_reused_only_for_the_same_bytes(tmp_path, monkeypatch):
    """tests/site/survey.py's AxeRecord: a page whose HTML and the site's other files
    are unchanged keeps its findings; one changed byte in its HTML or any file a page
    may load (the search index, downloads and other pages' HTML apart) checks it again;
    a run keeps only its own findings."""
    from tests.site import survey

    monkeypatch.setattr(survey, "AXE_RECORDS", tmp_path / "records")
    site = tmp_path / "site"
    for folder in ("page", "other"):
        (site / folder).mkdir(parents=True)
        (site / folder / "index.html").write_text(f"<p>{folder}</p>")
    (site / "style.css").write_text("p {}")
    (site / "search_index.json").write_text("{}")

    def key(version="chromium 1", everywhere=False):
        record = survey.AxeRecord("en", site, version)
        return record, record.key("page/", everywhere)

    record, first = key()
    record.keep(first, [{"id": "region", "impact": "moderate", "nodes": 1}])
    record.save()
    again, same = key()
    assert same == first and again.get(same) == record.kept[first]
    (site / "search_index.json").write_text('{"docs": []}')  # not shown on a page
    (site / "other" / "index.html").write_text("<p>changed</p>")  # another page
    assert key()[1] == first
    assert key(everywhere=True)[1] != first and key("chromium 2")[1] != first
    (site / "page" / "index.html").write_text("<p>page, changed</p>")
    assert key()[1] != first
    (site / "page" / "index.html").write_text("<p>page</p>")
    assert key()[1] == first
    (site / "style.css").write_text("p { color: red }")
    changed_record, changed = key()
    assert changed != first and changed_record.get(changed) is None
    changed_record.save()  # this run checked the page again: the old key is gone
    assert survey.AxeRecord("en", site, "chromium 1").get(first) is None


def test_a_run_s_report_is_reused_only_for_the_same_inputs(tmp_path, monkeypatch):
    """tools/run_records.py: a report comes back for the same name, inputs and
    environment, naming the new run's folder where the old one named its own; a
    changed byte of any input, another name or another environment (a package, a
    file of the offline cache, a variable that configures it) gives no report."""
    from tools import run_records

    monkeypatch.setattr(run_records, "RECORDS", tmp_path / "records")
    hub = tmp_path / "hub"
    hub.mkdir()
    (hub / "model.safetensors").write_bytes(b"weights")
    monkeypatch.setenv("HF_HUB_CACHE", str(hub))

    def record(name="notebook x en", inputs=(b"code", "probe")):
        run_records.environment.cache_clear()
        return run_records.RunRecord(name, list(inputs))

    first, later = tmp_path / "run1", tmp_path / "run2"
    report = {"cwd": str(first), "modules": [f"{first}/snippets/a.py"], "ran": [True]}
    record().save(report, first)
    assert record().get(later) == {
        "cwd": str(later), "modules": [f"{later}/snippets/a.py"], "ran": [True]}
    assert record(inputs=(b"code!", "probe")).get(later) is None
    assert record(inputs=(b"cod", "eprobe")).get(later) is None  # where inputs part
    assert record(name="notebook x zh").get(later) is None
    (hub / "model.safetensors").write_bytes(b"other weights")
    assert record().get(later) is None
    (hub / "model.safetensors").write_bytes(b"weights")
    assert record().get(later) is not None
    monkeypatch.setenv("TRANSFORMERS_VERBOSITY", "debug")
    assert record().get(later) is None
    monkeypatch.delenv("TRANSFORMERS_VERBOSITY")
    monkeypatch.setattr("tools.update_examples._installed", lambda: "other packages")
    assert record().get(later) is None
    monkeypatch.undo()
    run_records.environment.cache_clear()  # this process's own, for the tests after
