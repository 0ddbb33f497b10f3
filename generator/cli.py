"""Command line: ``python -m generator check|build``.  The only place that sets exit codes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .pipeline import load_dossier
from .problems import DossierError, Severity, format_problems, summary_line
from .render import Renderer
from .write import OutputFolderError, write_tree


def _report(problems, output_format: str, stream) -> None:
    if problems:
        print(format_problems(problems, output_format), file=stream)


def _cache_dir(args) -> Path | None:
    """Parse results are cached beside the content folder, in the project's .build/cache/."""
    return None if args.no_cache else Path(args.content).resolve().parent / ".build" / "cache"


def command_check(args) -> int:
    try:
        result = load_dossier(Path(args.content), _cache_dir(args))
    except DossierError as error:
        _report(error.problems, args.format, sys.stdout)
        if args.format == "text":
            print(summary_line(error.problems), file=sys.stdout)
        return 1
    warnings = [p for p in result.warnings if p.severity is Severity.WARNING]
    _report(warnings, args.format, sys.stdout)
    if args.format == "text":
        counts = result.counts
        print(f"checked {counts['entities']} entities, {counts['events']} events, {counts['sources']} sources: "
              f"no errors, {len(warnings)} warning{'s' if len(warnings) != 1 else ''}")
    return 1 if (args.strict and warnings) else 0


def command_build(args) -> int:
    try:
        result = load_dossier(Path(args.content), _cache_dir(args))
    except DossierError as error:
        _report(error.problems, args.format, sys.stderr)
        print(summary_line(error.problems), file=sys.stderr)
        return 1
    pages = Renderer(result.dossier, Path(args.templates) if args.templates else None).render_all()
    try:
        report = write_tree(pages, Path(args.out))
    except OutputFolderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{len(pages)} pages: {len(report.written)} written, {report.unchanged} unchanged, "
          f"{len(report.removed)} removed, in {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator", description="Check and render the dossier.")
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="check every record and report all problems")
    check.add_argument("--content", default="content", help="the records folder (default: content)")
    check.add_argument("--format", choices=("text", "github", "json"), default="text")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument("--no-cache", action="store_true", help="parse every record file again")
    check.set_defaults(handler=command_check)

    build = sub.add_parser("build", help="write the Markdown tree for MkDocs or another builder")
    build.add_argument("--content", default="content")
    build.add_argument("--out", required=True, help="folder for the Markdown tree")
    build.add_argument("--templates", default=None, help="folder of template overrides")
    build.add_argument("--format", choices=("text", "github", "json"), default="text")
    build.add_argument("--no-cache", action="store_true", help="parse every record file again")
    build.set_defaults(handler=command_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)
