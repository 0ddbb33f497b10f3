"""Build site/ atomically and reproducibly: check, build into a fresh folder, then swap it in whole.

* Atomic: `mkdocs build --strict` that aborts still leaves a complete new site behind, and
  `--strict -q` can exit 0 despite warnings; so the build goes to a fresh `.build/site.new-*`
  folder, its warnings are counted from the log (never trusting the exit code alone), and
  `site/` is swapped for it (one atomic rename-exchange on Linux) only when the check and the
  build are both clean.  A failed run leaves the previous `site/` exactly as it was; a good
  one leaves no page of a deleted record.
* Reproducible: SOURCE_DATE_EPOCH is set from the last commit (unless already set), so the
  sitemap dates, the gzip header of sitemap.xml.gz and every other date MkDocs or the
  generator writes come from the commit, not the clock; two builds of one commit are
  byte-identical (tests/test_site_qa.py builds twice and compares the trees).

* On every core: the pages are converted and rendered by forked workers
  (generator/mkdocs_parallel.py), with output byte-identical to MkDocs' serial build;
  ``--workers 1`` (or DOSSIER_BUILD_WORKERS=1) builds on one core.

Usage: python scripts/build_site.py [--root PROJECT] [--site-dir DIR] [--workers N]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARNING_PREFIXES = ("WARNING", "ERROR", "CRITICAL", "Traceback")


def source_date_epoch(root: Path) -> str | None:
    """The committer time of the last commit, or the value already in the environment."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        result = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    value = result.stdout.strip()
    return value if result.returncode == 0 and value.isdigit() else None


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0


def swap_in(fresh: Path, site: Path) -> None:
    """Put ``fresh`` in place of ``site``: readers see the old tree or the new one, never a mix."""
    if not site.exists():
        fresh.rename(site)
        return
    if _exchange(fresh, site):
        shutil.rmtree(fresh)  # now holds the previous site
        return
    old = fresh.with_name(fresh.name + ".old")  # two renames: a moment without site/, never a mix
    site.rename(old)
    fresh.rename(site)
    shutil.rmtree(old, ignore_errors=True)


def build(root: Path, site: Path, workers: int | None = None) -> int:
    # Staged beside the target, so that the swap is a rename within one file system; a folder
    # of its own, so that two builds running at once never delete each other's work.
    build_dir = root / ".build" if site.parent == root else site.parent
    build_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONHASHSEED="0")
    if workers is not None:
        env["DOSSIER_BUILD_WORKERS"] = str(workers)
    epoch = source_date_epoch(root)
    if epoch:
        env["SOURCE_DATE_EPOCH"] = epoch
    else:
        print("warning: no git history and no SOURCE_DATE_EPOCH: dates come from the clock", file=sys.stderr)
    check = subprocess.run([sys.executable, "-m", "generator", "check"], cwd=root, env=env)
    if check.returncode != 0:
        print(f"{site} left unchanged: fix the errors above", file=sys.stderr)
        return 1
    fresh = Path(tempfile.mkdtemp(prefix=f"{site.name}.new-", dir=build_dir))
    fresh.chmod(0o755)  # mkdtemp makes it private; the site is for a web server to read
    try:
        result = subprocess.run(
            # `mkdocs build` with the pages shared among the cores (generator/mkdocs_parallel.py)
            [sys.executable, "-m", "generator.mkdocs_parallel", "build", "--strict", "--site-dir", str(fresh)],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
        )
    except BaseException:  # interrupted: leave no half-built folder behind
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    sys.stderr.write(result.stderr)
    warnings = [line for line in result.stderr.splitlines() if line.startswith(WARNING_PREFIXES)]
    if result.returncode != 0 or warnings or not (fresh / "index.html").is_file():
        shutil.rmtree(fresh, ignore_errors=True)
        print(
            f"{site} left unchanged: the build failed (exit {result.returncode}, {len(warnings)} warnings or errors)",
            file=sys.stderr,
        )
        return 1
    swap_in(fresh, site)
    pages = sum(1 for _ in site.rglob("index.html"))
    print(f"built {site} with {pages} pages")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the project folder (default: this one)")
    parser.add_argument("--site-dir", type=Path, default=None, help="where the site goes (default: ROOT/site)")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes that render the pages (default: DOSSIER_BUILD_WORKERS, else the cores; 1 = serial)",
    )
    args = parser.parse_args(argv)
    root = args.root.resolve()
    site = (args.site_dir or root / "site").resolve()
    return build(root, site, args.workers)


if __name__ == "__main__":
    raise SystemExit(main())
