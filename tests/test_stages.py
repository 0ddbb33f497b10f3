"""The engine's layout: no import cycle between its modules, and README's "How it works" table matches it."""

from __future__ import annotations

import ast
import re

from conftest import ROOT

GENERATOR = ROOT / "generator"


def _module_name(path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _engine_modules() -> dict[str, object]:
    """Module name -> file, for every Python module of the engine (the starter project is data, not engine)."""
    return {
        _module_name(path): path
        for path in sorted(GENERATOR.rglob("*.py"))
        if path.relative_to(GENERATOR).parts[0] != "starter"
    }


def _imports(name: str, path, modules: dict) -> set[str]:
    """The engine modules ``name`` imports anywhere in its file (lazy imports inside functions too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            module = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
            # `from . import x` names a module x when there is one, else a name in the package
            targets = [f"{module}.{alias.name}" for alias in node.names if f"{module}.{alias.name}" in modules]
            targets.append(module)
        else:
            continue
        for target in targets:
            while target and target not in modules:  # `import generator.outputs.ftm.x` -> the module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _engine_modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        stack.append(module)
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == "open":
                return stack[stack.index(imported) :] + [imported]
            if imported not in state:
                cycle = visit(imported)
                if cycle:
                    return cycle
        stack.pop()
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


def test_no_import_cycle_between_engine_modules():
    graph = import_graph()
    assert "generator.outputs.data_files" in graph and "generator.build" in graph  # the walk sees the packages
    assert find_cycle(graph) is None, "import cycle: " + " -> ".join(find_cycle(graph))


def test_the_cycle_finder_finds_a_lazy_import_cycle(tmp_path):
    """The check that caught `exports` and `ftm` importing each other (one of them inside a function)."""
    package = tmp_path / "generator"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "exports.py").write_text("def build():\n    from .ftm import lines\n", encoding="utf-8")
    (package / "ftm.py").write_text("from .exports import page_url\n", encoding="utf-8")
    modules = {f"generator.{p.stem}" if p.stem != "__init__" else "generator": p for p in package.glob("*.py")}
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert find_cycle(graph) == ["generator.exports", "generator.ftm", "generator.exports"]


def test_pages_and_outputs_are_separate_stages():
    """render.py renders Markdown only; the outputs never reach back into rendering; build.py joins them."""
    graph = import_graph()
    outputs = {name for name in graph if name.startswith("generator.outputs")}
    assert not graph["generator.render"] & outputs
    assert "generator.background" not in graph["generator.render"]
    for name in outputs:
        assert "generator.render" not in graph[name] and "generator.build" not in graph[name], name
    assert {"generator.render", "generator.outputs.data_files", "generator.outputs.graph"} <= graph["generator.build"]
    users = {name for name, imported in graph.items() if "generator.build" in imported}
    assert users == {"generator.cli", "generator.mkdocs_plugin", "generator.incremental"}


def _readme_table_paths() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How it works", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `generator/")]
    assert rows, "no module table in README's How it works"
    return {path for row in rows for path in re.findall(r"`(generator/[^`]+)`", row.split(" | ")[0])}


def test_readme_module_table_names_every_module_and_only_existing_ones():
    named = _readme_table_paths()
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert missing == [], f"README names modules that do not exist: {missing}"
    modules = {
        path.relative_to(ROOT).as_posix()
        for path in GENERATOR.rglob("*.py")
        if "starter" not in path.relative_to(GENERATOR).parts[:1] and path.name not in ("__init__.py", "__main__.py")
    }
    covered = {m for m in modules if m in named or any(m.startswith(p.rstrip("/") + "/") for p in named)}
    assert sorted(modules - covered) == [], "generator modules missing from README's How it works table"
