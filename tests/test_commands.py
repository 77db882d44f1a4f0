"""Every command README.md names works as written.

Each `make <target>` the README names exists and says what it runs (`make -n`). The two
real-tier commands can't run here (they need the weights, or an hour and 8 GB of
disk). Both run the real tier's one command line (tools.rehearse.REAL_TIER): `make
test-real` hands its options to it (checked without running it), and what `make -n
rehearse-real` prints is run as printed with `--collect-only` after it, which
collects that command line over every page and test module, offline, against the
real configs and tokenizer without weights. A page or test module that the real tier
could not collect (a marker not registered without pytest-xdist, say) fails here.

The rest are run elsewhere: `make test` is this suite; `make build` is the build
tests/site/ checks (`site_dir`); `make update-examples` and `make figures` are checked
by tests/test_examples.py (`--check`); `make new-page` by tests/test_new_page.py.
`make serve`, `bench`, `peers` and `train-tiny` get their dry run only. And the
set-up every target starts with fetches the front-end assets again when any of them
is missing (tools/vendor.sh's stamp).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from tools import rehearse
from tools.paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
NAMED = sorted(set(re.findall(r"`make ([a-z][-a-z]*)", README)))
# the Commands table: `make target ...` | what it does (`the command it runs`)
ROWS = dict(re.findall(r"^\| `make ([a-z][-a-z]*)[^`]*` \| (.*) \|$", README, re.M))
VARIABLES = {"new-page": ["CHAPTER=first-steps", "SLUG=hello", "TITLE=Hello"]}


def environment(env=os.environ) -> dict[str, str]:
    """`env` without the settings of the make and the pytest that run this one."""
    return {key: value for key, value in env.items()
            if not key.startswith(("MAKE", "MFLAGS", "PYTEST_"))}


def dry_run(target: str) -> list[str]:
    """The commands `make <target>` runs once set up (`-o setup`: taken as done)."""
    result = subprocess.run(["make", "-n", "-o", "setup", target,
                             *VARIABLES.get(target, [])],
                            cwd=ROOT, env=environment(), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, f"make -n {target}:\n{result.stderr}"
    return [line for line in result.stdout.splitlines() if line.strip()]


def collect(command: list[str]) -> str:
    """Run `command` offline, with the real configs and tokenizer and no weights."""
    env = environment(rehearse.configs_only_env())  # no stand-in: HF_* replaced
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{shlex.join(command)}:\n{output[-4000:]}"
    return output


def test_the_readme_names_the_commands():
    assert {"serve", "test", "test-real", "rehearse-real", "build"} <= set(NAMED)
    assert set(ROWS) <= set(NAMED) and "test-real" in ROWS


@pytest.mark.parametrize("target", NAMED)
def test_every_make_target_the_readme_names_exists(target):
    commands = dry_run(target)
    assert commands, f"make {target} runs nothing"
    # a command the table quotes is the one it runs: "(`mkdocs build --strict`)"
    for quoted in re.findall(r"\(`([^`]+)`\)", ROWS.get(target, "")):
        assert any(quoted in command for command in commands), (target, quoted)


def test_make_test_real_runs_the_real_tier_as_defined(monkeypatch):
    """`make test-real` is `python -m tools.rehearse --test-real`, which runs
    `pytest --real-model -p no:xdist` (tools.rehearse.REAL_TIER, the one definition)
    with the options after it, in place of itself."""
    [command] = dry_run("test-real")
    assert command.endswith("-m tools.rehearse --test-real"), command
    ran = []

    def execv(path, argv):  # replaces the process: never returns
        ran.append(argv)
        raise SystemExit(0)

    monkeypatch.setattr(rehearse.os, "execv", execv)
    with pytest.raises(SystemExit):
        rehearse.main(["--test-real", "-k", "chat"])
    assert ran == [rehearse.real_tier("-k", "chat")]
    assert rehearse.real_tier() == [sys.executable, "-m", "pytest", "--real-model",
                                    "-p", "no:xdist"]


def test_the_real_tier_collects_as_written():
    """`make rehearse-real --collect-only` runs the real tier's command line
    (REAL_TIER, as `make test-real` does, above) on every page of docs/ and every
    module of tests/ (their real_model tests selected), collected without building
    the checkpoint: a page or module the tier could not collect (a marker not
    registered without pytest-xdist, say) fails here. One collection for both
    commands: the same command line over the same files."""
    [command] = dry_run("rehearse-real")
    output = collect([*shlex.split(command), "--collect-only"])
    assert re.search(r"^docs/\S+\.md::", output, re.M), "no page collected"
    assert re.search(r"real_model.*: [1-9]", output), output[-2000:]
    pages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md")
             if not p.name.endswith(".zh.md")  # the same programs: collected once
             and "```python" in p.read_text(encoding="utf-8")}
    collected = set(re.findall(r"^(docs/\S+\.md)::", output, re.M))
    assert pages - collected == set(), "pages with Python blocks not collected"


def test_setup_fetches_the_assets_again_when_one_is_missing(tmp_path):
    """tools/vendor.sh's stamp stands for every file it writes: `make clean` removes
    axe-core (.cache/vendor/) and not the stamp, so `make setup` must fetch again
    (and the accessibility check then runs instead of failing)."""
    (tmp_path / "tools").mkdir()
    for name in ("Makefile", "tools/vendor.sh"):
        shutil.copy(ROOT / name, tmp_path / name)
    script = subprocess.run(["bash", "tools/vendor.sh", "--outputs"], cwd=tmp_path,
                            capture_output=True, text=True, check=True)
    outputs = script.stdout.split()
    stamp = "docs/assets/vendor/.versions"
    assert {stamp, ".cache/vendor/axe.min.js"} <= set(outputs)
    for name in outputs:  # every one there, the stamp saying these versions
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / stamp).write_bytes((ROOT / stamp).read_bytes())  # what setup wrote
    os.utime(tmp_path / "tools/vendor.sh", (0, 0))  # older than the stamp

    def fetches() -> tuple[bool, bool]:
        """Would `make setup` run the script; would the script fetch."""
        make = subprocess.run(["make", "-n", stamp], cwd=tmp_path, env=environment(),
                              capture_output=True, text=True, timeout=60)
        check = subprocess.run(["bash", "tools/vendor.sh", "--check"], cwd=tmp_path)
        return "bash tools/vendor.sh" in make.stdout, check.returncode != 0

    assert fetches() == (False, False)
    for name in outputs:
        moved = tmp_path / name
        moved.rename(moved.with_name(moved.name + ".away"))
        assert fetches() == (True, True), f"{name} missing"
        moved.with_name(moved.name + ".away").rename(moved)
    (tmp_path / stamp).write_text("mermaid@0 katex@0 axe-core@0\n")
    assert fetches() == (False, True)  # the script checks the versions itself
