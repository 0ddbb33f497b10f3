"""Command line: ``python -m generator check|build|new|fmt|schema|init|diff``.  The only place that sets exit codes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jinja2

from .pipeline import default_workers, load_dossier
from . import jsonschema, manifest
from .cache import fewer_collections
from .fmt import format_files
from .problems import DossierError, Severity, format_problems, format_report, summary_line
from .render import Renderer, template_problem
from .scaffold import ScaffoldError, create_record
from .starter import InitError, init_project
from .vocabulary import load_vocabulary
from .write import OutputFolderError, write_tree


def _report(problems, output_format: str, stream) -> None:
    if problems:
        print(format_problems(problems, output_format), file=stream)


def _cache_dir(args) -> Path | None:
    """Parse results are cached beside the content folder, in the project's .build/cache/."""
    return None if args.no_cache else Path(args.content).resolve().parent / ".build" / "cache"


def command_check(args) -> int:
    try:
        result = load_dossier(Path(args.content), _cache_dir(args), default_workers())
    except DossierError as error:
        report = format_report(error.problems, args.format)
        if report:
            print(report, file=sys.stdout)
        if args.format != "json":
            print(summary_line(error.problems), file=sys.stdout)
        return 1
    warnings = [p for p in result.warnings if p.severity is Severity.WARNING]
    report = format_report(warnings, args.format)
    if report:
        print(report, file=sys.stdout)
    failing = args.strict and bool(warnings)
    if args.format != "json":
        counts = result.counts
        if result.evidence is not None:
            print(f"evidence: {result.evidence.summary()}")
        print(f"checked {counts['entities']} entities, {counts['events']} events, {counts['sources']} sources: "
              f"no errors, {len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
              + (" (failing: --strict)" if failing else ""))
    return 1 if failing else 0


def command_build(args) -> int:
    out_dir, templates = Path(args.out), Path(args.templates) if args.templates else None
    digest = None if args.no_cache else manifest.inputs_digest(Path(args.content), templates)
    unchanged = manifest.unchanged_files(out_dir, digest) if digest else None
    if unchanged is not None:
        print(f"{unchanged} pages: 0 written, {unchanged} unchanged, 0 removed, in {args.out} "
              f"(nothing changed since the last build)")
        return 0
    try:
        result = load_dossier(Path(args.content), _cache_dir(args), default_workers())
    except DossierError as error:
        _report(error.problems, args.format, sys.stderr)
        print(summary_line(error.problems), file=sys.stderr)
        return 1
    try:
        with fewer_collections():  # pages go to disk as they are rendered: the tree is never all in memory
            report = write_tree(Renderer(result.dossier, templates).iter_pages(), out_dir)
    except OutputFolderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except jinja2.TemplateError as error:
        print(template_problem(error).format(), file=sys.stderr)
        print(f"pages rendered before the error are in {args.out}; the next build renders all again",
              file=sys.stderr)
        return 1
    if digest:
        manifest.save(out_dir, digest, report.paths)
    print(f"{report.pages} pages: {len(report.written)} written, {report.unchanged} unchanged, "
          f"{len(report.removed)} removed, in {args.out}")
    return 0


def command_new(args) -> int:
    try:
        path = create_record(Path(args.content), args.kind, args.id, args.type)
    except ScaffoldError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"created {path.as_posix()}: fill in the empty fields, then run 'python -m generator check'")
    return 0


def command_fmt(args) -> int:
    report = format_files(Path(args.content), [Path(p) for p in args.files] or None, write=not args.check,
                          cache_dir=_cache_dir(args))
    for shown, reason in report.failed:
        print(f"{shown}:1:1: error[fmt]: cannot format: {reason}", file=sys.stderr)
    verb = "would be reformatted" if args.check else "reformatted"
    for shown in report.changed:
        print(f"{'would reformat' if args.check else 'reformatted'} {shown}")
    changed = len(report.changed)
    print(f"{changed} file{'s' if changed != 1 else ''} {verb}, {report.unchanged} already formatted"
          + (f", {len(report.failed)} could not be formatted" if report.failed else ""))
    if args.check and report.changed:
        print("run 'python -m generator fmt' to format them", file=sys.stderr)
    return 1 if report.failed or (args.check and report.changed) else 0


def command_schema(args) -> int:
    target = Path(args.root) / jsonschema.COMMITTED_PATH
    try:
        vocabulary = load_vocabulary(Path(args.content) if args.content else Path(args.root) / "content")
    except DossierError as error:
        print(format_problems(error.problems), file=sys.stderr)
        return 1
    expected = jsonschema.json_schema_text(vocabulary)
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if args.check:
        if current != expected:
            print(f"{target.as_posix()} is out of date with the record format and the dossier's vocabulary; "
                  f"run 'python -m generator schema'", file=sys.stderr)
            return 1
        print(f"{target.as_posix()} is up to date")
        return 0
    if current != expected:
        jsonschema.write_committed_schema(Path(args.root), vocabulary)
        print(f"wrote {target.as_posix()}")
    else:
        print(f"{target.as_posix()} is up to date")
    return 0


def command_init(args) -> int:
    try:
        written = init_project(Path(args.dir), args.title, args.engine)
    except InitError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote a new dossier in {Path(args.dir).as_posix()} ({len(written)} files); next: cd there, "
          f"then 'make site' builds it and 'make test' tests it")
    return 0


def command_diff(args) -> int:
    from .diff import DiffError, diff_dossier, render_markdown  # imported here: only diff needs git

    try:
        report = render_markdown(diff_dossier(args.base, Path(args.content)))
    except DiffError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(report, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(report)
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
    build.add_argument("--no-cache", action="store_true",
                       help="parse every record file again, and generate even when nothing changed")
    build.set_defaults(handler=command_build)

    new = sub.add_parser("new", help="write the skeleton of a new record, every field explained")
    new.add_argument("kind", choices=("entity", "event", "source"))
    new.add_argument("id", help="the new record's id: lowercase a-z, 0-9 and hyphens")
    new.add_argument("--type", default=None, help="entity type (entity) or source kind (source)")
    new.add_argument("--content", default="content")
    new.set_defaults(handler=command_new)

    fmt = sub.add_parser("fmt", help="put records in canonical key order and quoting, keeping comments")
    fmt.add_argument("files", nargs="*", help="record files (default: every record under --content)")
    fmt.add_argument("--check", action="store_true", help="change nothing; fail if a file needs formatting")
    fmt.add_argument("--content", default="content")
    fmt.add_argument("--no-cache", action="store_true", help="look at every file again")
    fmt.set_defaults(handler=command_fmt)

    schema_command = sub.add_parser("schema", help="write the committed JSON Schema, schema/record.schema.json")
    schema_command.add_argument("--check", action="store_true", help="fail if the committed copy is stale")
    schema_command.add_argument("--root", default=".", help="the project folder (default: .)")
    schema_command.add_argument("--content", default=None, help="the records folder (default: ROOT/content)")
    schema_command.set_defaults(handler=command_schema)

    init = sub.add_parser("init", help="write a new dossier project: records, vocabulary, site, tests and CI")
    init.add_argument("dir", help="a new or empty folder")
    init.add_argument("--title", default=None, help="the site's title (default: from the folder's name)")
    init.add_argument("--engine", default=None,
                      help="the requirement that installs this engine (default: this engine's source folder)")
    init.set_defaults(handler=command_init)

    diff = sub.add_parser("diff", help="records added, removed, renamed and changed against a git revision, "
                                       "as Markdown")
    diff.add_argument("base", help="the git revision to compare with, e.g. origin/main")
    diff.add_argument("--content", default="content")
    diff.add_argument("--out", default=None, help="write the Markdown to this file instead of standard output")
    diff.set_defaults(handler=command_diff)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


def run() -> None:
    """The ``dossier`` console script: ``dossier init DIR`` is ``python -m generator init DIR``."""
    sys.exit(main())
