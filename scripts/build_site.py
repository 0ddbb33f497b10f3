"""Build site/ atomically: check, build into a fresh folder, then swap it in whole.

`mkdocs build --strict` that aborts still leaves a complete new site behind, and
`--strict -q` can exit 0 despite warnings; so the build goes to a temporary folder, its
warnings are counted from the log, and site/ is replaced only when all is well.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    build_dir = ROOT / ".build"
    build_dir.mkdir(exist_ok=True)
    fresh = build_dir / "site.new"
    old = build_dir / "site.old"
    for folder in (fresh, old):
        shutil.rmtree(folder, ignore_errors=True)
    check = subprocess.run([sys.executable, "-m", "generator", "check"], cwd=ROOT)
    if check.returncode != 0:
        print("site/ left unchanged: fix the errors above", file=sys.stderr)
        return 1
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(fresh)],
                           cwd=ROOT, env=env, capture_output=True, text=True)
    sys.stderr.write(build.stderr)
    warnings = [line for line in build.stderr.splitlines() if line.startswith(("WARNING", "ERROR"))]
    if build.returncode != 0 or warnings or not (fresh / "index.html").is_file():
        shutil.rmtree(fresh, ignore_errors=True)
        print(f"site/ left unchanged: the build failed ({len(warnings)} warnings or errors)", file=sys.stderr)
        return 1
    site = ROOT / "site"
    if site.exists():
        site.rename(old)
    fresh.rename(site)
    shutil.rmtree(old, ignore_errors=True)
    pages = sum(1 for _ in site.rglob("index.html"))
    print(f"built site/ with {pages} pages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
