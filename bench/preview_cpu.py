"""CPU seconds of the preview's engine work after one edit: loading, then the incremental render.

    .venv/bin/python bench/preview_cpu.py CONTENT_DIR [--edits 2] [--out FILE.json]

Copies CONTENT_DIR (a synthetic dossier of ``bench/synth.py``, say ``.build/bench/1000/content``),
renders it once as ``mkdocs serve`` does (:class:`generator.incremental.IncrementalRenderer`, the
parse cache kept in memory), then edits it ``--edits`` times each way and times each rebuild in CPU
seconds of this process (steadier than wall seconds on a shared machine):

* a new first word in an entity's description (only its own page shows it);
* a new name for another entity (every page linking to it shows it).

Run it with each version's Python (``/path/to/checkout/.venv/bin/python``) to compare two versions
of the engine on the same records.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
import time
from pathlib import Path

from generator.build import SiteBuild
from generator.incremental import IncrementalRenderer
from generator.pipeline import load_dossier


def _edit(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    new_text = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
    if new_text == text:
        raise SystemExit(f"{path}: nothing to edit ({pattern!r})")
    path.write_text(new_text, encoding="utf-8")


def measure(content: Path, edits: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="preview-cpu-"))
    try:
        shutil.copytree(content, work / "content")
        entities = sorted((work / "content" / "entities").glob("entity-*.yaml"))
        described, named = entities[-2], entities[-3]
        incremental, kept = IncrementalRenderer(), None

        def rebuild() -> dict:
            nonlocal kept
            start = time.process_time()
            result = load_dossier(work / "content", work / "cache", kept_cache=kept)
            kept = result.parse_cache
            loaded = time.process_time()
            incremental.render(result.dossier, SiteBuild)
            return {
                "load_cpu_s": round(loaded - start, 3),
                "render_cpu_s": round(time.process_time() - loaded, 3),
                "record_pages_rendered": len(incremental.rendered),
            }

        report = {"first": rebuild(), "description": [], "name": []}
        for number in range(edits):
            _edit(described, r"^(description: >-\n  )(?:Edited\d+ )?", rf"\g<1>Edited{number} ")
            report["description"].append(rebuild())
            _edit(named, r"^name: '(?:Renamed\d+ )?", f"name: 'Renamed{number} ")
            report["name"].append(rebuild())
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--edits", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    report = measure(args.content, args.edits)
    text = json.dumps(report, indent=2) + "\n"
    print(text, end="")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
