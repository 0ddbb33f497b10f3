"""Pagefind searching in the page (noWorker, as the site ships) against in its own Web Worker, alternating.

    .venv/bin/python bench/pagefind_worker_ab.py --size 1000 --rounds 2 [--out FILE.md]

Run after ``bench/run.py --sizes SIZE`` has built ``.build/bench/SIZE/site``. The built site's
``assets/dossier-search.js`` is switched between the two in place (and restored afterwards); each
round measures both with bench/run.py's ``measure_search``: a query typed at once on page load, and
one typed into the box opened a second before, from the input event to the first result drawn.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import run  # noqa: E402 - bench/run.py

IN_PAGE = "module.options({ noWorker: true, baseUrl:"
IN_WORKER = "module.options({ baseUrl:"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    work = run.WORK / str(args.size)
    script = work / "site" / "assets" / "dossier-search.js"
    shipped = script.read_text(encoding="utf-8")
    if IN_PAGE not in shipped:
        raise SystemExit(f"{script}: not the shipped search script (no {IN_PAGE!r}); rebuild the site")
    variants = {"in the page (noWorker)": shipped, "in a Web Worker": shipped.replace(IN_PAGE, IN_WORKER)}
    queries = run.search_queries(work)
    figures: dict[str, dict[str, list[float]]] = {name: {"at_once": [], "opened": []} for name in variants}
    try:
        for round_number in range(args.rounds):
            for name, text in variants.items():
                script.write_text(text, encoding="utf-8")
                measured = run.measure_search(work / "site", queries, "pagefind", 1)
                figures[name]["at_once"].append(measured["in_page_s"]["median"])
                figures[name]["opened"].append(measured["in_page_opened_s"]["median"])
                print(f"round {round_number + 1}, {name}: {measured['in_page_s']} {measured['in_page_opened_s']}")
    finally:
        script.write_text(shipped, encoding="utf-8")
    lines = [
        f"# Pagefind in the page against in a Web Worker, {args.size:,} records, {args.rounds} rounds",
        "",
        f"Queries: {', '.join(queries)}; each round's median over them, then the median of the rounds (s).",
        "",
        "| Pagefind runs | typed at once on page load | typed into the box opened 1 s before |",
        "|---|---|---|",
    ]
    for name, values in figures.items():
        lines.append(
            f"| {name} | {statistics.median(values['at_once']):.3f} {values['at_once']} "
            f"| {statistics.median(values['opened']):.3f} {values['opened']} |"
        )
    table = "\n".join(lines) + "\n"
    print(table)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
