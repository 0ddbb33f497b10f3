"""Says, before .venv is made, whether this Python can run the project: 3.11 or newer, with venv.

Kept to syntax any Python 3 reads, so that an old interpreter gets this message, not a traceback.
"""

import sys

MINIMUM = (3, 11)

found = "{}.{}.{}".format(*sys.version_info[:3])
if sys.version_info < MINIMUM:
    sys.exit("error: this project needs Python {}.{} or newer; {} is Python {}.\n"
             "Run `make PYTHON=/path/to/python3.11 ...` (or newer), e.g. from your system's packages or pyenv."
             .format(MINIMUM[0], MINIMUM[1], sys.executable, found))
try:
    import ensurepip  # noqa: F401 - Debian and Ubuntu ship venv's pip bootstrap in python3-venv
    import venv  # noqa: F401
except ImportError:
    sys.exit("error: {} (Python {}) has no working venv module.\n"
             "On Debian or Ubuntu: sudo apt-get install python3-venv".format(sys.executable, found))
