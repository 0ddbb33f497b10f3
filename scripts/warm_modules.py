"""Import what the engine, its commands and its tests import, so that Python compiles each module once.

``make test`` runs this before the test processes start.  They start together, with builds and
commands beside them, and each would compile the same modules on its first import; afterwards they
share what this wrote to ``__pycache__/``.  Importing compiles what is used (some 1,100 modules,
3.3 s of CPU on one core, 2 December 2026) where ``compileall`` over the virtual environment compiled
every file of every library (4,300 files, 11 s), most of which nothing here imports.

A module missing from the list costs time, never a result: Python compiles it on first import.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

#: Where the commands and the tests enter the libraries (the engine's own modules are all imported).
ENTRY_MODULES = [
    "mkdocs.__main__",
    "mkdocs.commands.build",
    "mkdocs.commands.serve",
    "material.plugins.search.plugin",
    "playwright.sync_api",
    "pytest",
    "xdist.plugin",
    "lxml.html",
    "linkcheck.command.linkchecker",
    "check_jsonschema",
    "filelock",
    "feedparser",
    "watchdog.observers",
]


def main() -> int:
    sys.dont_write_bytecode = False  # PYTHONDONTWRITEBYTECODE, set in many container images, would defeat it
    import generator

    names = [info.name for info in pkgutil.walk_packages(generator.__path__, "generator.")]
    for name in [name for name in names if not name.endswith("__main__")] + ENTRY_MODULES:
        try:
            importlib.import_module(name)
        except Exception as problem:  # noqa: BLE001 - a module that cannot be imported here is only not warmed
            print(f"warm_modules: {name} not imported ({type(problem).__name__}: {problem})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
