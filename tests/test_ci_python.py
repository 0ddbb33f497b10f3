"""The two commands work with the Python a fresh machine has: every pin installs on the oldest Python
the README names (3.11, as Debian 12's 3.11.2), and make says at once when a Python is too old.
The whole suite under Debian 12's /usr/bin/python3 runs in the workflow (job test-debian)."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

OLDEST = "3.11.0"  # README: "Python 3.11+"; Debian 12 has 3.11.2
CHECK_PYTHON = ROOT / "scripts" / "check_python.py"


def pins() -> list[Requirement]:
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


def test_readme_names_the_minimum_the_makefile_checks():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Python 3.11 or newer" in readme
    assert re.search(r"^MINIMUM = \(3, 11\)$", CHECK_PYTHON.read_text(encoding="utf-8"), re.MULTILINE)


def test_every_pin_installs_on_the_oldest_supported_python():
    refused = []
    for pin in pins():
        (version,) = [spec.version for spec in pin.specifier]
        assert importlib.metadata.version(pin.name) == version, f"{pin.name}: .venv is not the pinned version"
        requires = importlib.metadata.metadata(pin.name).get("Requires-Python") or ""
        if not SpecifierSet(requires).contains(OLDEST, prereleases=True):
            refused.append(f"{pin.name}=={version} requires Python {requires}")
    # e.g. pymdown-extensions 13 and soupsieve 3 need 3.11.5 (broken possessive quantifiers in older re)
    assert refused == []


def test_makefile_checks_the_python_before_making_the_venv():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^\$\(STAMP\):.*\n((?:\t.*\n)+)", makefile, re.MULTILINE).group(1).splitlines()
    assert recipe[0] == "\t@$(PYTHON) scripts/check_python.py"
    assert recipe[1] == "\t$(PYTHON) -m venv $(VENV)"


def test_too_old_python_gets_a_clear_message_not_a_traceback():
    fake_old = (
        "import sys; sys.version_info = (3, 10, 13, 'final', 0); "
        f"exec(compile(open({str(CHECK_PYTHON)!r}).read(), 'check_python.py', 'exec'))"
    )
    result = subprocess.run([sys.executable, "-c", fake_old], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"error: this project needs Python 3.11 or newer; {sys.executable} is Python "
        "3.10.13.\nRun `make PYTHON=/path/to/python3.11 ...`"
    )


def test_missing_build_tools_for_pyicu_are_named_with_the_packages_to_install(tmp_path):
    empty_path = tmp_path / "bin"
    empty_path.mkdir()
    result = subprocess.run(
        [sys.executable, str(CHECK_PYTHON)], capture_output=True, text=True, env={"PATH": str(empty_path)}
    )
    assert result.returncode == 1
    assert result.stderr == (
        "error: pyicu (pinned; followthemoney needs it) is compiled while .venv is made, and this "
        "machine lacks pkg-config, a C++ compiler.\nOn Debian or Ubuntu: sudo apt-get install "
        "libicu-dev pkg-config g++ python3-dev  (or: make build-deps)\n"
    )


@pytest.mark.skipif(not Path("/usr/bin/python3").exists(), reason="no system Python at /usr/bin/python3")
def test_system_python_passes_the_check_or_is_told_why():
    result = subprocess.run(["/usr/bin/python3", str(CHECK_PYTHON)], capture_output=True, text=True)
    version = subprocess.run(
        ["/usr/bin/python3", "-c", "import sys; print(sys.version_info[:2] >= (3, 11))"], capture_output=True, text=True
    ).stdout.strip()
    if version == "True" and result.returncode != 0:
        assert "apt-get install" in result.stderr.splitlines()[-1]
    elif version == "True":
        assert result.stderr == ""
    else:
        assert "needs Python 3.11 or newer" in result.stderr


def test_readme_build_deps_command_runs_as_written_there():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`make build-deps` installs" in readme
    result = subprocess.run("make build-deps", shell=True, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert subprocess.run([sys.executable, str(CHECK_PYTHON)], capture_output=True).returncode == 0
