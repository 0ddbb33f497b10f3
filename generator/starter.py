"""``python -m generator init DIR``: a new dossier project that builds and tests as it is.

The project's files are files in ``generator/starter/`` (``*.j2`` ones are rendered with the
project's title; a leading ``dot-`` becomes ``.``, so that packaging keeps them); the engine's
theme additions are copied beside them; ``requirements.txt`` pins the engine and the libraries
this engine was tested with; the JSON Schemas in ``schema/`` (one a kind, and ``record.schema.json``) are written from the new vocabulary.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .jsonschema import write_committed_schema
from .vocabulary import load_vocabulary

STARTER_DIR = Path(__file__).parent / "starter"
ENGINE_ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTION = "dossier-generator"
#: What a new dossier's own ``make test`` runs, besides the engine.
_DOSSIER_TEST_TOOLS = ("pytest",)


class InitError(Exception):
    """The project cannot be written; the message says why and what to do."""


def engine_requirement() -> str:
    """How the new project installs this engine: from its source folder when it runs from one.

    Editable, so that the dossier follows the engine's folder as it changes (pip caches a wheel it
    built from a folder and would install a stale engine), and nothing is built inside that folder.
    """
    if (ENGINE_ROOT / "pyproject.toml").is_file() and (ENGINE_ROOT / Path(__file__).parent.name).is_dir():
        return f"-e {ENGINE_ROOT.as_posix()}"
    from importlib import metadata

    return f"{DISTRIBUTION}=={metadata.version(DISTRIBUTION)}"


def pinned_libraries() -> list[str]:
    """The pins of the engine's requirements.txt that a dossier needs: what the engine's declared
    dependencies and the dossier's test runner pull in, and nothing the engine's own tests,
    linters or browser use (a new project installs some sixty libraries, not ninety)."""
    source = ENGINE_ROOT / "requirements.txt"
    if not source.is_file():
        return []
    needed = runtime_closure()
    lines = []
    for line in source.read_text(encoding="utf-8").splitlines():
        name = canonicalize_name(line.split("==")[0].strip()) if line.strip() and not line.startswith("#") else ""
        if name and (needed is None or name in needed):
            lines.append(line.strip())
    return lines


def runtime_closure() -> set[str] | None:
    """The distributions the installed engine needs to run, with the dossier's test runner, by name;
    None when the engine is not installed (every pin is kept then).

    Requirements behind a platform or Python version marker are kept whatever this machine is
    (the project may be built elsewhere); those behind an extra only when the extra is asked for.
    """
    from importlib import metadata

    try:
        roots = [Requirement(text) for text in metadata.requires(DISTRIBUTION) or []]
    except metadata.PackageNotFoundError:
        return None
    roots = [root for root in roots if not _only_for_extras(root, ())]
    roots += [Requirement(tool) for tool in _DOSSIER_TEST_TOOLS]
    seen: set[tuple[str, tuple[str, ...]]] = set()
    while roots:
        requirement = roots.pop()
        extras = tuple(sorted(requirement.extras))
        key = (canonicalize_name(requirement.name), extras)
        if key in seen:
            continue
        seen.add(key)
        try:
            texts = metadata.requires(requirement.name) or []
        except metadata.PackageNotFoundError:
            continue  # a platform-only dependency not installed here: its own pin, if any, is kept below
        roots += [needed for needed in map(Requirement, texts) if not _only_for_extras(needed, extras)]
    return {name for name, _extras in seen}


def _only_for_extras(requirement: Requirement, extras: tuple[str, ...]) -> bool:
    """Whether ``requirement`` applies only with an extra that is not among ``extras``."""
    marker = requirement.marker
    if marker is None or "extra" not in str(marker):
        return False
    return not any(marker.evaluate({"extra": extra}) for extra in extras)


def _target_name(relative: Path) -> Path:
    parts = ["." + part[len("dot-") :] if part.startswith("dot-") else part for part in relative.parts]
    name = parts[-1][: -len(".j2")] if parts[-1].endswith(".j2") else parts[-1]
    return Path(*parts[:-1], name)


def init_project(target: Path, title: str | None = None, engine: str | None = None) -> list[Path]:
    """Write a new dossier project into ``target`` (new or empty); returns the files written."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InitError(f"{target.as_posix()} exists and is not an empty folder; choose a new folder")
    title = title or target.resolve().name.replace("-", " ").replace("_", " ").strip().capitalize() or "Dossier"
    engine = engine or engine_requirement()
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    written: list[Path] = []
    for source in sorted(STARTER_DIR.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts or source.suffix == ".pyc":
            continue
        destination = target / _target_name(source.relative_to(STARTER_DIR))
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix == ".j2":
            template = environment.from_string(source.read_text(encoding="utf-8"))
            destination.write_text(template.render(title=title, engine=engine), encoding="utf-8")
        else:
            shutil.copyfile(source, destination)
            shutil.copymode(source, destination)
        written.append(destination)
    theme = ENGINE_ROOT / "theme"
    if theme.is_dir():  # the engine's additions to the mkdocs-material theme: graph, timeline filters, styles
        shutil.copytree(theme, target / "theme")
        written.extend(path for path in (target / "theme").rglob("*") if path.is_file())
    else:  # an engine installed without its source folder: mkdocs.yml still names theme/ as custom_dir
        (target / "theme").mkdir()
    requirements = target / "requirements.txt"
    requirements.write_text("\n".join([engine, *pinned_libraries()]) + "\n", encoding="utf-8")
    written.append(requirements)
    written.extend(write_committed_schema(target, load_vocabulary(target / "content")))
    return written
