"""Says, before .venv is made, whether this Python can install the pinned requirements: Python 3.11 or
newer, with venv, and what building pyicu from source needs (it has no wheels on PyPI; followthemoney
needs it through normality): ICU's headers found by pkg-config, a C++ compiler and Python's headers.

Kept to syntax any Python 3 reads, so that an old interpreter gets this message, not a traceback.
"""

import os
import shutil
import subprocess
import sys
import sysconfig

MINIMUM = (3, 11)
DEBIAN_PACKAGES = "libicu-dev pkg-config g++ python3-dev"


def icu_build_problems():
    """What is missing to compile pyicu here; empty when nothing is."""
    missing = []
    if not shutil.which("pkg-config"):
        missing.append("pkg-config")
    elif subprocess.run(["pkg-config", "--exists", "icu-i18n", "icu-uc"]).returncode != 0:
        missing.append("ICU's headers (pkg-config finds no icu-i18n)")
    if not (shutil.which("c++") or shutil.which("g++") or shutil.which("clang++")):
        missing.append("a C++ compiler")
    include = sysconfig.get_paths().get("include") or ""
    if not os.path.isfile(os.path.join(include, "Python.h")):
        missing.append(f"Python's headers ({include} has no Python.h)")
    return missing


def main():
    found = "{}.{}.{}".format(*sys.version_info[:3])
    if sys.version_info < MINIMUM:
        return (
            f"error: this project needs Python {MINIMUM[0]}.{MINIMUM[1]} or newer; {sys.executable} is Python {found}.\n"
            "Run `make PYTHON=/path/to/python3.11 ...` (or newer), e.g. from your system's packages or pyenv."
        )
    try:
        import ensurepip  # noqa: F401 - Debian and Ubuntu ship venv's pip bootstrap in python3-venv
        import venv  # noqa: F401
    except ImportError:
        return (
            f"error: {sys.executable} (Python {found}) has no working venv module.\n"
            "On Debian or Ubuntu: sudo apt-get install python3-venv"
        )
    missing = icu_build_problems()
    if missing:
        return (
            "error: pyicu (pinned; followthemoney needs it) is compiled while .venv is made, and this machine "
            "lacks {}.\nOn Debian or Ubuntu: sudo apt-get install {}  (or: make build-deps)".format(
                ", ".join(missing), DEBIAN_PACKAGES
            )
        )
    return None


if __name__ == "__main__":
    sys.exit(main())
