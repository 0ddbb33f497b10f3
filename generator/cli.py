"""Command line: ``python -m generator check|build|new|fmt|schema|init|diff``.  The only place that sets exit codes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .pipeline import default_workers, load_dossier
from .problems import DossierError, Severity, format_problems, format_report, summary_line

# Each other command imports the modules only it needs when it runs (Jinja2, ruamel.yaml, packaging ...):
# `check`, which contributors run after every edit, starts in 0.1 s instead of 0.28 s.


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
        print(
            f"checked {counts['entities']} entities, {counts['events']} events, {counts['sources']} sources: "
            f"no errors, {len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
            + (" (failing: --strict)" if failing else "")
        )
    return 1 if failing else 0


def _build_json(problems, build: dict | None) -> str:
    """``check --format json``'s object, with what the build wrote under ``build`` (None when it stopped)."""
    document = json.loads(format_report(problems, "json"))
    document["build"] = build
    return json.dumps(document, ensure_ascii=False, indent=2)


def command_build(args) -> int:
    import jinja2

    from . import manifest
    from .build import SiteBuild
    from .cache import fewer_collections
    from .pipeline import published_ids
    from .published import record_published
    from .render import template_problem
    from .write import OutputFolderError, write_tree

    out_dir, templates = Path(args.out), Path(args.templates) if args.templates else None
    as_json = args.format == "json"
    digest = None if args.no_cache else manifest.inputs_digest(Path(args.content), templates)
    unchanged = manifest.unchanged_files(out_dir, digest) if digest else None
    if unchanged is not None:
        if as_json:
            print(
                _build_json(
                    [],
                    {
                        "out": args.out,
                        "pages": unchanged,
                        "written": 0,
                        "unchanged": unchanged,
                        "removed": 0,
                        "skipped": True,
                    },
                )
            )
        else:
            print(
                f"{unchanged} pages: 0 written, {unchanged} unchanged, 0 removed, in {args.out} "
                f"(nothing changed since the last build)"
            )
        return 0
    try:
        result = load_dossier(Path(args.content), _cache_dir(args), default_workers())
    except DossierError as error:
        if as_json:
            print(_build_json(error.problems, None))
        else:
            _report(error.problems, args.format, sys.stderr)
            print(summary_line(error.problems), file=sys.stderr)
        return 1
    try:
        with fewer_collections():  # pages go to disk as they are rendered: the tree is never all in memory
            report = write_tree(SiteBuild(result.dossier, templates).iter_pages(), out_dir)
    except OutputFolderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except jinja2.TemplateError as error:
        problem = template_problem(error)
        if as_json:
            print(_build_json([problem], None))
        else:
            print(problem.format(), file=sys.stderr)
            print(
                f"pages rendered before the error are in {args.out}; the next build renders all again", file=sys.stderr
            )
        return 1
    if record_published(Path(args.content), published_ids(result.dossier)) and digest:
        digest = manifest.inputs_digest(Path(args.content), templates)  # the list is content too
    if digest:
        manifest.save(out_dir, digest, report.paths)
    warnings = [p for p in result.warnings if p.severity is Severity.WARNING]
    if as_json:
        print(
            _build_json(
                warnings,
                {
                    "out": args.out,
                    "pages": report.pages,
                    "written": len(report.written),
                    "unchanged": report.unchanged,
                    "removed": len(report.removed),
                    "skipped": False,
                },
            )
        )
        return 0
    print(
        f"{report.pages} pages: {len(report.written)} written, {report.unchanged} unchanged, "
        f"{len(report.removed)} removed, in {args.out}"
    )
    return 0


def command_codes(args) -> int:
    from . import codes

    if not args.update:
        print(codes.code_table(), end="")
        return 0
    target = Path(args.update)
    try:
        stale = codes.update_document(target, write=not args.check)
    except (OSError, ValueError) as error:
        print(f"error: cannot update the table in {target.as_posix()}: {error}", file=sys.stderr)
        return 2
    if args.check and stale:
        print(
            f"{target.as_posix()}: the table of error codes is out of date; "
            f"run 'python -m generator codes --update {target.as_posix()}'",
            file=sys.stderr,
        )
        return 1
    print(
        f"{target.as_posix()}: {'wrote' if stale and not args.check else 'up to date:'} the table of "
        f"{len(codes.CODES)} error codes"
    )
    return 0


def command_new(args) -> int:
    from .scaffold import ScaffoldError, create_record

    try:
        path = create_record(Path(args.content), args.kind, args.id, args.type)
    except ScaffoldError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"created {path.as_posix()}: fill in the empty fields, then run 'python -m generator check'")
    return 0


def command_fmt(args) -> int:
    from .fmt import format_files

    report = format_files(
        Path(args.content), [Path(p) for p in args.files] or None, write=not args.check, cache_dir=_cache_dir(args)
    )
    for shown, reason in report.failed:
        print(f"{shown}:1:1: error[fmt]: cannot format: {reason}", file=sys.stderr)
    verb = "would be reformatted" if args.check else "reformatted"
    for shown in report.changed:
        line, column, old, new = report.first_changes[shown]
        print(f"{'would reformat' if args.check else 'reformatted'} {shown}:{line}:{column}: {old!r} -> {new!r}")
    changed = len(report.changed)
    print(
        f"{changed} file{'s' if changed != 1 else ''} {verb}, {report.unchanged} already formatted"
        + (f", {len(report.failed)} could not be formatted" if report.failed else "")
    )
    if args.check and report.changed:
        print("run 'python -m generator fmt' to format them", file=sys.stderr)
    return 1 if report.failed or (args.check and report.changed) else 0


def command_rename(args) -> int:
    from .rename import RenameError, rename_record
    from .rename import describe as describe_rename

    try:
        report = rename_record(Path(args.content), args.old, args.new, write=not args.dry_run)
    except RenameError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(describe_rename(report, written=not args.dry_run))
    if not args.dry_run:
        print("run 'python -m generator check', then commit the moved file with the others")
    return 0


def command_schema(args) -> int:
    from . import jsonschema
    from .vocabulary import load_vocabulary

    root = Path(args.root)
    try:
        vocabulary = load_vocabulary(Path(args.content) if args.content else root / "content")
    except DossierError as error:
        print(format_problems(error.problems), file=sys.stderr)
        return 1
    if args.check:
        stale = jsonschema.stale_schemas(root, vocabulary)
        for target in stale:
            print(
                f"{target.as_posix()} is out of date with the record format and the dossier's vocabulary; "
                f"run 'python -m generator schema'",
                file=sys.stderr,
            )
        if not stale:
            print(f"{(root / 'schema').as_posix()}/*.schema.json are up to date")
        return 1 if stale else 0
    written = jsonschema.write_committed_schema(root, vocabulary)
    for target in written:
        print(f"wrote {target.as_posix()}")
    if not written:
        print(f"{(root / 'schema').as_posix()}/*.schema.json are up to date")
    return 0


def command_init(args) -> int:
    from .starter import InitError, init_project

    try:
        written = init_project(Path(args.dir), args.title, args.engine)
    except InitError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"wrote a new dossier in {Path(args.dir).as_posix()} ({len(written)} files); next: cd there, "
        f"then 'make site' builds it and 'make test' tests it"
    )
    return 0


def command_diff(args) -> int:
    from .diff import DiffError, diff_dossier, render_markdown

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


EXIT_STATUS = {
    "check": "0 no errors (warnings allowed), 1 errors, or warnings with --strict, 2 wrong usage",
    "build": "0 built (or nothing changed), 1 errors in the records or a template, 2 wrong usage or an output "
    "folder that is not the build's",
    "new": "0 written, 1 the id is taken or ill-formed or the type unknown, 2 wrong usage",
    "fmt": "0 every file formatted (with --check: already formatted), 1 a file needs formatting (--check) or "
    "cannot be formatted, 2 wrong usage",
    "rename": "0 renamed (or, with --dry-run, would be), 1 the rename cannot be made (nothing changed), 2 wrong usage",
    "schema": "0 written or up to date, 1 a committed schema is stale (--check), 2 wrong usage",
    "codes": "0 printed, written or up to date, 1 the table is stale (--check), 2 wrong usage or no markers",
    "init": "0 written, 1 the folder is not empty or cannot be written, 2 wrong usage",
    "diff": "0 report printed or written, 2 wrong usage, not a git checkout or an unknown revision",
}


def _subcommand(sub, name: str, summary: str, description: str) -> argparse.ArgumentParser:
    return sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog=f"exit status: {EXIT_STATUS[name]}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _content_option(parser) -> None:
    parser.add_argument(
        "--content",
        default="content",
        metavar="DIR",
        help="the records folder: entities/, events/, sources/ and pages/ (default: content)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Check the dossier's records, render its pages, keep its files tidy.",
        epilog="'python -m generator COMMAND --help' explains a command, its options and its exit status.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = _subcommand(
        sub,
        "check",
        "check every record and report all problems",
        "Check every record: fields, dates, ids, references between records, published ids.\n"
        "Every problem is reported in one run as 'path:line:col: severity[code]: message' with a\n"
        "hint, errors first, then warnings, then a summary line.",
    )
    _content_option(check)
    check.add_argument(
        "--format",
        choices=("text", "github", "json"),
        default="text",
        help="text for people (default); github: GitHub Actions annotations; json: one object "
        "{errors, warnings, summary}",
    )
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument(
        "--no-cache", action="store_true", help="parse every record file again instead of reusing .build/cache/"
    )
    check.set_defaults(handler=command_check)

    build = _subcommand(
        sub,
        "build",
        "write the Markdown tree for MkDocs or another builder",
        "Check the records, then write every page (Markdown), the data files, the feed, the\n"
        "schemas and the pages that forward former ids into --out.  Only changed files are\n"
        "written; when nothing changed since the last build, nothing is loaded.  The ids it\n"
        "publishes are added to content/published-ids.txt when that file exists.",
    )
    _content_option(build)
    build.add_argument("--out", required=True, metavar="DIR", help="folder for the Markdown tree (made if missing)")
    build.add_argument(
        "--templates",
        default=None,
        metavar="DIR",
        help="folder of template overrides, read before the built-in templates",
    )
    build.add_argument(
        "--format",
        choices=("text", "github", "json"),
        default="text",
        help="how to report: text (default), github annotations, or json: the object of "
        "'check --format json' with a 'build' member (pages written, unchanged, removed)",
    )
    build.add_argument(
        "--no-cache", action="store_true", help="parse every record file again, and generate even when nothing changed"
    )
    build.set_defaults(handler=command_build)

    new = _subcommand(
        sub,
        "new",
        "write the skeleton of a new record, every field explained",
        "Write content/<kind folder>/ID.yaml: required fields empty (check points at each), optional\n"
        "ones commented out, every field explained in a comment.",
    )
    new.add_argument("kind", choices=("entity", "event", "source"), help="the kind of record")
    new.add_argument("id", help="the new record's id: lowercase a-z, 0-9 and hyphens")
    new.add_argument("--type", default=None, help="entity type (entity) or source kind (source)")
    _content_option(new)
    new.set_defaults(handler=command_new)

    fmt = _subcommand(
        sub,
        "fmt",
        "put records in canonical key order and quoting, keeping comments",
        "Rewrite records in canonical form: keys in the order of the format reference, text quoted\n"
        "only where YAML needs it, dates in single quotes, each kind's schema named on the first\n"
        "line; comments and values are kept.  A file whose values would change is left alone.",
    )
    fmt.add_argument("files", nargs="*", help="record files (default: every record under --content)")
    fmt.add_argument(
        "--check",
        action="store_true",
        help="change nothing; list each file that needs formatting with its first change",
    )
    _content_option(fmt)
    fmt.add_argument("--no-cache", action="store_true", help="look at every file again, not only changed ones")
    fmt.set_defaults(handler=command_fmt)

    rename = _subcommand(
        sub,
        "rename",
        "give a record a new id; references follow, the old address forwards",
        "Move the record's file to NEW.yaml, rewrite every reference to OLD in the records and\n"
        "the hand-written pages ([[OLD]], [[OLD|label]], [[OLD#excerpt]], relationships,\n"
        "participants, sources ...) and add OLD to the record's former_ids: the site keeps a page\n"
        "at the old address that forwards to the new one, and the exports list the former id.\n"
        "Files are edited as text: comments and formatting stay.  Nothing is written when the\n"
        "rename cannot be made.",
    )
    rename.add_argument("old", help="the record's id now")
    rename.add_argument("new", help="its new id: lowercase a-z, 0-9 and hyphens")
    _content_option(rename)
    rename.add_argument("--dry-run", action="store_true", help="change nothing; say what would change")
    rename.set_defaults(handler=command_rename)

    schema_command = _subcommand(
        sub,
        "schema",
        "write the committed JSON Schemas in schema/",
        "Write schema/entity.schema.json, event.schema.json, source.schema.json (one a kind,\n"
        "named on each record's first line) and record.schema.json (any kind) from\n"
        "generator/schema.py and the dossier's vocabulary.  Run it after changing either.",
    )
    schema_command.add_argument(
        "--check", action="store_true", help="change nothing; fail if a committed copy is stale"
    )
    schema_command.add_argument("--root", default=".", metavar="DIR", help="the project folder (default: .)")
    schema_command.add_argument(
        "--content",
        default=None,
        metavar="DIR",
        help="the records folder, whose vocabulary.yaml is read (default: ROOT/content)",
    )
    schema_command.set_defaults(handler=command_schema)

    codes_command = _subcommand(
        sub,
        "codes",
        "print the table of error codes (or update it in a file)",
        "Print the Markdown table of every problem code the engine reports, from\n"
        "generator/codes.py; with --update FILE, write it between the markers in FILE.",
    )
    codes_command.add_argument(
        "--update", default=None, metavar="FILE", help="write the table between the markers in FILE (CONTRIBUTING.md)"
    )
    codes_command.add_argument("--check", action="store_true", help="with --update: change nothing; fail if stale")
    codes_command.set_defaults(handler=command_codes)

    init = _subcommand(
        sub,
        "init",
        "write a new dossier project: records, vocabulary, site, tests and CI",
        "Write a new dossier project into DIR (new or empty): starter records, a vocabulary.yaml\n"
        "that extends the engine's, mkdocs.yml, a Makefile, tests and a CI workflow.",
    )
    init.add_argument("dir", help="a new or empty folder")
    init.add_argument("--title", default=None, help="the site's title (default: from the folder's name)")
    init.add_argument(
        "--engine",
        default=None,
        help="the requirement that installs this engine (default: this engine's source folder)",
    )
    init.set_defaults(handler=command_init)

    diff = _subcommand(
        sub,
        "diff",
        "records added, removed, renamed and changed against a git revision, as Markdown",
        "Compare the records with those of a git revision: records added, removed, renamed and\n"
        "changed (each changed field's old and new value), and the pages each change affects,\n"
        "as Markdown for a pull-request comment.",
    )
    diff.add_argument("base", help="the git revision to compare with, e.g. origin/main or HEAD")
    _content_option(diff)
    diff.add_argument(
        "--out", default=None, metavar="FILE", help="write the Markdown to this file instead of standard output"
    )
    diff.set_defaults(handler=command_diff)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


def run() -> None:
    """The ``dossier`` console script: ``dossier init DIR`` is ``python -m generator init DIR``."""
    sys.exit(main())
