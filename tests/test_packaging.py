"""The package declares what it runs on: every library generator/ imports is a dependency in pyproject.toml."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib

from conftest import ROOT


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_normalise(re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]) for requirement in project["dependencies"]}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_modules() -> dict[str, str]:
    """Top-level module -> first file importing it, for every import in generator/ (lazy ones too)."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "generator").rglob("*.py")):
        if "starter" in path.parts:
            continue  # files copied into new projects, not the engine's code
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_library_the_engine_imports_is_a_declared_dependency():
    distributions = importlib.metadata.packages_distributions()
    declared = _declared()
    missing = []
    for module, where in sorted(_imported_modules().items()):
        if module in sys.stdlib_module_names or module == "generator":
            continue
        owners = {_normalise(name) for name in distributions.get(module, [module])}
        if not owners & declared:
            missing.append(f"{module} (imported in {where}; from {sorted(owners)})")
    assert missing == [], f"add to [project] dependencies in pyproject.toml: {missing}"


def test_the_theme_mkdocs_yml_names_is_a_declared_dependency():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^theme:\s*\n\s+name:\s*material\b", config, re.MULTILINE)
    assert "mkdocs-material" in _declared()


def test_declared_dependencies_are_pinned_in_requirements():
    pinned = {
        _normalise(line.split("==")[0])
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    }
    assert sorted(_declared() - pinned) == []


def test_make_test_lints_and_checks_formatting_before_the_suite():
    planned = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in planned.splitlines()]
    lint, fmt = lines.index(".venv/bin/ruff check ."), lines.index(".venv/bin/ruff format --check .")
    pytest_line = next(index for index, line in enumerate(lines) if line.startswith(".venv/bin/python -m pytest"))
    assert lint < pytest_line and fmt < pytest_line, lines


def test_set_up_installs_the_pinned_pip_first_and_a_new_dossier_pins_the_same():
    """pip before the requirements (the pip of ``python -m venv`` is three times slower to choose among the
    index's files); a dossier made by ``generator init`` sets up with the same pip as the engine."""
    pins = [
        re.search(r"^PIP := (pip==[\d.]+)$", path.read_text(encoding="utf-8"), re.MULTILINE).group(1)
        for path in (ROOT / "Makefile", ROOT / "generator" / "starter" / "Makefile")
    ]
    assert pins[0] == pins[1], pins
    planned = subprocess.run(
        ["make", "-n", "-B", ".venv/.installed-stamp"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    first_pip = next(line for line in planned if " -m pip install " in line)
    assert first_pip.endswith(f" {pins[0]}"), planned
