"""The GitHub Actions workflows, checked like code, offline.

- `check-jsonschema --builtin-schema vendor.github-workflows`: GitHub's workflow
  schema as the tool ships it (nothing downloaded).
- `zizmor --offline` at its default policy, with no configuration file and no inline
  ignore comments to weaken it: actions pinned to a commit, no credentials left in
  `.git` for artifacts to carry, no template injection, least permissions, ...
- Every action pinned to a full commit hash with its release in a comment, the same
  commit wherever it is used.
- The Pages deployment (.github/workflows/ci.yml, README "Publish your copy") ships
  only what passed: built after the tests of the same commit, with the addresses the
  hooks read, and only the deploy job may write to Pages.

Both tools are pinned (pyproject.toml's `checks` extra, requirements-lock.txt) and
installed by `make setup`. They run with a proxy that does not exist, so a tool that
tried the network would fail here rather than pass online.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tools import built_site
from tools.paths import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent  # the tools beside this Python, from `make setup`
NO_NETWORK = {**os.environ, **{k: "http://127.0.0.1:9" for k in (
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")},
              "NO_PROXY": "", "no_proxy": ""}
USES = re.compile(r"^\s*(?:- )?uses:\s*(\S+?)@(\S+)(.*)$", re.M)
RELEASE = re.compile(r"\s+#\s+(v\d+(?:\.\d+)*)\b")


def run(tool: str, *args) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / tool), *map(str, args)], cwd=ROOT, env=NO_NETWORK,
                          capture_output=True, text=True, timeout=120)


def check_schema(*paths):
    schema = "vendor.github-workflows"
    return run("check-jsonschema", "--builtin-schema", schema, *paths)


def zizmor(*paths):
    return run("zizmor", "--offline", "--no-config", "--no-ignores", "--no-progress",
               "--color", "never", *paths)


def load(path: Path) -> dict:
    return yaml.load(path.read_text("utf-8"), Loader=yaml.BaseLoader)  # `on` a string


def test_the_workflows_are_there():
    assert {"ci.yml", "real-model.yml"} <= {path.name for path in WORKFLOWS}


def test_every_workflow_matches_githubs_schema():
    result = check_schema(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_at_its_default_policy():
    result = zizmor(".github/workflows/")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_both_checkers_reject_what_they_should(tmp_path):
    """They run here and read the files they are given: a workflow with an action by
    tag, credentials kept by checkout and untrusted text in a shell fails zizmor; a
    job without `runs-on` fails the schema."""
    unsafe, invalid = tmp_path / "unsafe.yml", tmp_path / "invalid.yml"
    unsafe.write_text("""on: pull_request
permissions: {}
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.pull_request.title }}"
      - uses: actions/upload-artifact@v4
        with: {path: .}
""")
    invalid.write_text("on: push\njobs:\n  x:\n    steps:\n      - run: echo\n")
    assert check_schema(unsafe).returncode == 0
    assert check_schema(invalid).returncode != 0
    found = zizmor(unsafe)
    assert found.returncode != 0
    for audit in ("unpinned-uses", "artipacked", "template-injection"):
        assert f"[{audit}]" in found.stdout, (audit, found.stdout)


def test_actions_are_pinned_to_a_commit_with_the_release_in_a_comment():
    pins: dict[str, set[tuple[str, str]]] = {}
    for path in WORKFLOWS:
        text = path.read_text("utf-8")
        found = USES.findall(text)
        assert len(found) == len(re.findall(r"^\s*(?:- )?uses:", text, re.M)), path.name
        for action, ref, rest in found:
            release = RELEASE.match(rest)
            assert re.fullmatch(r"[0-9a-f]{40}", ref) and release, (path.name, action)
            pins.setdefault(action, set()).add((ref, release.group(1)))
    assert pins, "no action found"
    assert {a: p for a, p in pins.items() if len(p) > 1} == {}, "one commit per action"


@pytest.fixture(scope="module")
def ci():
    return load(ROOT / ".github" / "workflows" / "ci.yml")


def steps_using(job: dict, action: str) -> list[dict]:
    return [s for s in job["steps"] if s.get("uses", "").startswith(action + "@")]


def test_only_the_deploy_job_may_write_and_checkouts_keep_no_credentials():
    for path in WORKFLOWS:
        workflow = load(path)
        assert workflow["permissions"] == {"contents": "read"}, path.name
        for name, job in workflow["jobs"].items():
            granted = job.get("permissions", workflow["permissions"])
            writes = {scope for scope, level in granted.items() if level == "write"}
            deploy = (path.name, name) == ("ci.yml", "deploy")
            assert writes == ({"pages", "id-token"} if deploy else set()), (path, name)
            for checkout in steps_using(job, "actions/checkout"):
                assert checkout["with"]["persist-credentials"] == "false", (path, name)


def test_the_site_is_deployed_only_after_the_tests_passed_on_that_commit(ci):
    """One run of ci.yml is one commit: `site` needs `test`, `deploy` needs `site`;
    only on a push to the default branch; one deployment at a time."""
    jobs = ci["jobs"]
    site, deploy = jobs["site"], jobs["deploy"]
    assert (site["needs"], deploy["needs"]) == ("test", "site")
    condition = re.sub(r"\s+", " ", site["if"])
    assert "github.event_name == 'push'" in condition
    assert ("github.ref == format('refs/heads/{0}', "
            "github.event.repository.default_branch)") in condition
    assert "if" not in deploy  # it runs exactly when `site` ran and passed
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": "false"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == [
        "actions/deploy-pages"]


def test_the_site_is_built_for_the_address_it_is_published_at(ci):
    """`make build` with the variables the hooks read (tools/built_site.ENVIRONMENT),
    from the repository and configure-pages' address; what it writes (site/) is what
    is uploaded; the whole history is checked out (each page's last-updated date)."""
    site = ci["jobs"]["site"]
    [configure] = steps_using(site, "actions/configure-pages")
    [build] = [s for s in site["steps"] if s.get("run", "").startswith("make build")]
    assert set(build["env"]) == set(built_site.ENVIRONMENT)
    address = f"steps.{configure['id']}.outputs.base_url"
    assert build["env"]["SITE_URL"] == "${{ " + address + " }}/"
    repository = "${{ github.server_url }}/${{ github.repository }}"
    assert build["env"]["REPO_URL"] == repository
    assert build["env"]["EDIT_URI"].endswith("/docs/")
    index = site["steps"].index
    [upload] = steps_using(site, "actions/upload-pages-artifact")
    assert index(configure) < index(build) < index(upload)
    assert upload["with"]["path"] == "site/"
    assert not re.search(r"^site_dir:", (ROOT / "mkdocs.yml").read_text("utf-8"), re.M)
    [checkout] = steps_using(site, "actions/checkout")
    assert checkout["with"]["fetch-depth"] == "0"


def test_the_readme_says_how_to_publish_a_copy():
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Publish your copy", 1)[1].split("\n## ", 1)[0]
    assert "GitHub Actions" in section and ".github/workflows/ci.yml" in section
    assert all(f"`{name}`" in section for name in built_site.ENVIRONMENT)
