"""`make setup`'s installer: uv, taking the packages from where pip would take them.

`python -m tools.install PIP_INSTALL_ARGUMENTS...` runs `uv pip install` into the
Python that runs it, with the indexes, find-links, constraints, certificate and proxy
of pip's configuration.

Why: pip installs the project's 140 pinned packages one after the other; that was
72 of a fresh clone's set-up seconds here, torch's 800 MB wheel unpacked in one
thread. uv installs the same pins in parallel: 11 s, its cache empty. But uv reads
none of pip's configuration, and a machine may serve packages from its own disk
(this one keeps torch's CPU wheel there: PyPI's torch is a multi-GB CUDA build). So
this reads pip's configuration, as `pip config list` prints it (its files and the PIP_
variables), and hands uv the same sources. pip looks for the best version across all
its indexes; uv, by default, only in the first that has the package:
`--index-strategy unsafe-best-match` is pip's way.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

# pip's option: uv's option, repeated for each of the option's values
SOURCES = {"index-url": "--index-url", "extra-index-url": "--extra-index-url",
           "find-links": "--find-links", "constraint": "--constraint",
           "trusted-host": "--allow-insecure-host"}
SWITCHES = {"no-index": "--no-index"}  # pip's yes/no option: uv's flag
# pip's option: the variable uv reads for it
VARIABLES = {"cert": "SSL_CERT_FILE", "proxy": "HTTPS_PROXY",
             "timeout": "UV_HTTP_TIMEOUT", "default-timeout": "UV_HTTP_TIMEOUT"}
# pip's sections that apply to `pip install`, the later ones overriding the earlier
# (the PIP_ variables are listed as ':env:')
SECTIONS = ("global", "install", ":env:")


def pip_configuration(listed: str) -> dict[str, str]:
    """{option: value} from `pip config list`'s lines (`section.option='value'`)."""
    found: dict[str, dict[str, str]] = {}
    for line in listed.splitlines():
        name, _, value = line.partition("=")
        section, _, option = name.rpartition(".")
        if section in SECTIONS and value:
            found.setdefault(section, {})[option] = ast.literal_eval(value)
    merged: dict[str, str] = {}
    for section in SECTIONS:
        merged.update(found.get(section, {}))
    return merged


def uv_command(configuration: dict[str, str], python: str,
               arguments: list[str]) -> tuple[list[str], dict[str, str]]:
    """The `uv pip install` command line and the variables it needs."""
    command = [str(Path(python).with_name("uv")), "pip", "install", "--python", python,
               "--index-strategy", "unsafe-best-match"]
    variables = {}
    for option, value in configuration.items():
        if option in SOURCES:
            for each in value.split():
                command += [SOURCES[option], each]
        elif option in SWITCHES and value.lower() in ("1", "true", "yes", "on"):
            command.append(SWITCHES[option])
        elif option in VARIABLES:
            variables[VARIABLES[option]] = value
    return command + arguments, variables


def main(arguments: list[str]) -> int:
    listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"],
                            capture_output=True, text=True, check=True).stdout
    command, variables = uv_command(pip_configuration(listed), sys.executable,
                                    arguments)
    return subprocess.run(command, env={**os.environ, **variables}).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
