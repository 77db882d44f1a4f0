"""`make setup` installs with uv from pip's sources (tools/install.py), and what it
installed is what the lock pins."""

from importlib import metadata

from packaging.utils import canonicalize_name

from tools.install import pip_configuration, uv_command
from tools.paths import ROOT

# as `pip config list` prints it on a machine that serves torch from its disk
LISTED = """\
:env:.default-timeout='180'
:env:.find-links='/opt/wheels'
freeze.exclude='pip'
global.cert='/etc/ssl/certs/ca-certificates.crt'
global.constraint='/etc/xdg/pip/constraints.txt'
global.extra-index-url='file:///opt/pypi/simple file:///opt/pypi-more/simple'
global.find-links='/elsewhere'
install.no-index='true'
"""


def test_pip_s_variables_override_its_files_and_other_commands_are_left_out():
    configuration = pip_configuration(LISTED)
    assert configuration == {
        "default-timeout": "180", "find-links": "/opt/wheels",
        "cert": "/etc/ssl/certs/ca-certificates.crt",
        "constraint": "/etc/xdg/pip/constraints.txt",
        "extra-index-url": "file:///opt/pypi/simple file:///opt/pypi-more/simple",
        "no-index": "true"}


def test_uv_gets_each_source_pip_has():
    command, variables = uv_command(pip_configuration(LISTED), "/v/bin/python",
                                    ["-c", "lock.txt", "-e", "."])
    assert command[:4] == ["/v/bin/uv", "pip", "install", "--python"]
    pairs = set(zip(command, command[1:]))
    assert {("--find-links", "/opt/wheels"),
            ("--extra-index-url", "file:///opt/pypi/simple"),
            ("--extra-index-url", "file:///opt/pypi-more/simple"),
            ("--constraint", "/etc/xdg/pip/constraints.txt"),
            ("--index-strategy", "unsafe-best-match")} <= pairs
    assert ("--find-links", "/elsewhere") not in pairs  # PIP_FIND_LINKS wins
    assert "--no-index" in command
    assert command[-4:] == ["-c", "lock.txt", "-e", "."]
    assert variables == {"SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
                         "UV_HTTP_TIMEOUT": "180"}


def test_no_source_no_option():
    command, variables = uv_command({}, "/v/bin/python", ["x"])
    assert command == ["/v/bin/uv", "pip", "install", "--python", "/v/bin/python",
                       "--index-strategy", "unsafe-best-match", "x"]
    assert variables == {}


def test_every_installed_package_the_lock_pins_has_its_version():
    pins = dict(line.split("==") for line in
                (ROOT / "requirements-lock.txt").read_text().split())
    installed = {canonicalize_name(d.metadata["Name"]): d.version.split("+")[0]
                 for d in metadata.distributions()}
    checked = {name: version for name, version in pins.items()
               if canonicalize_name(name) in installed}
    assert {"torch", "transformers", "uv"} <= set(checked)
    assert {name: installed[canonicalize_name(name)] for name in checked} == checked
