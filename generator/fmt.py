"""``python -m generator fmt``: every record in canonical key order and quoting, comments kept.

Canonical form, so that diffs show changes of substance only:

* keys in the order :mod:`generator.schema` declares them, at every level (unknown keys stay,
  after the known ones, for ``check`` to report);
* text written plain when YAML reads it back as the same text, else in single quotes (double
  quotes only where an escape is needed); dates always in single quotes; folded (``>-``) and literal (``|``) blocks are kept;
* two-space indentation, lists indented under their key, no re-wrapping of long lines;
* the ``yaml-language-server`` comment on the first line.

ruamel.yaml does the round trip, so comments survive.  As a guard, the formatted text is read
back the way the engine reads it (PyYAML, YAML 1.1) and must give the same values as the
original; a file where it would not is left untouched and reported.
"""

from __future__ import annotations

import datetime
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelYAMLError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString, SingleQuotedScalarString

from . import schema
from .jsonschema import schema_comment
from .loader import discover_record_files, display_path
from .problems import DossierError
from .vocabulary import default_vocabulary, load_vocabulary

_SCHEMA_COMMENT_PREFIX = "# yaml-language-server:"
_RESOLVER = pyyaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


class FormatError(Exception):
    """A record that cannot be formatted safely; the message says why."""


def _round_trip_yaml() -> YAML:
    rt = YAML(typ="rt")
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = 4096  # never re-wrap a line: a changed line break is a diff without substance
    rt.preserve_quotes = False
    return rt


def _reads_as_text_in_yaml_1_1(text: str) -> bool:
    """Would the engine's YAML 1.1 reader take ``text``, written plain, as a string?"""
    return _RESOLVER.resolve(pyyaml.ScalarNode, text, (True, False)) == _STR_TAG


def _unquoted_date_text(value, spec: schema.Spec | None) -> str | None:
    """The text of a date YAML read as a date or a number (2025-11-27, 2025) where the format wants text."""
    if not isinstance(spec, schema.Date) or isinstance(value, (bool, datetime.datetime)):
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return None


def _canonical_scalar(value, spec: schema.Spec | None):
    date_text = _unquoted_date_text(value, spec)
    if date_text is not None:
        return SingleQuotedScalarString(date_text)  # '2025-11-27', as every other date
    if isinstance(value, (FoldedScalarString, LiteralScalarString)) or not isinstance(value, str):
        return value
    text = str(value)
    # Dates are always quoted, so that '2025-04' and '2025-04-01' look alike and stay text.
    if isinstance(spec, schema.Date) or not _reads_as_text_in_yaml_1_1(text):
        return SingleQuotedScalarString(text)  # the emitter switches to double quotes if it must
    return text


def _ordered_keys(mapping: CommentedMap, known: list[str]) -> list:
    return [key for key in known if key in mapping] + [key for key in mapping if key not in known]


def _canonicalize(node, spec: schema.Spec | None, vocabulary):
    """Reorder mappings and normalize scalars in place; returns the (possibly replaced) node."""
    if isinstance(node, CommentedMap):
        if isinstance(spec, schema.Obj):
            specs = {name: field_spec for name, field_spec, _required in spec.fields}
            order = _ordered_keys(node, spec.field_names())
        elif isinstance(spec, schema.MapOf):
            keys = schema.keys_of(spec, vocabulary)
            specs = dict.fromkeys(keys, spec.value)
            order = _ordered_keys(node, list(keys))
        else:
            specs, order = {}, list(node)
        for key in order:
            node.move_to_end(key)  # comments are stored per key and move with it
        for key in order:
            node[key] = _canonicalize(node[key], specs.get(key), vocabulary)
        return node
    if isinstance(node, CommentedSeq):
        item_spec = spec.item if isinstance(spec, schema.ListOf) else None
        for index, item in enumerate(node):
            node[index] = _canonicalize(item, item_spec, vocabulary)
        return node
    return _canonical_scalar(node, spec)


def _engine_values(text: str, kind: str, vocabulary):
    """The values as the engine reads them: a date field holds its text, quoted or not."""
    try:
        return _dates_as_text(pyyaml.safe_load(text), schema.RECORD_SPECS[kind], vocabulary)
    except pyyaml.YAMLError as error:
        raise FormatError(f"not valid YAML for the engine: {error}") from None


def _dates_as_text(value, spec, vocabulary):
    if isinstance(value, dict):
        if isinstance(spec, schema.Obj):
            specs = {name: field_spec for name, field_spec, _required in spec.fields}
        elif isinstance(spec, schema.MapOf):
            specs = dict.fromkeys(schema.keys_of(spec, vocabulary), spec.value)
        else:
            specs = {}
        return {key: _dates_as_text(item, specs.get(key), vocabulary) for key, item in value.items()}
    if isinstance(value, list):
        item_spec = spec.item if isinstance(spec, schema.ListOf) else None
        return [_dates_as_text(item, item_spec, vocabulary) for item in value]
    date_text = _unquoted_date_text(value, spec)
    return value if date_text is None else date_text


def format_record_text(text: str, kind: str, vocabulary=None) -> str:
    """The canonical form of one record's text; raises :class:`FormatError` when it cannot be formatted.

    Fact keys follow the order of ``vocabulary`` (the dossier's; by default the engine's)."""
    vocabulary = vocabulary or default_vocabulary()
    formatted = _format_once(text, kind, vocabulary)
    if formatted == text:  # already canonical: the common case, one pass
        return text
    # A comment that sat between moved keys can land in a spot that the next pass prints
    # differently; a few passes reach the fixed point, so formatting twice changes nothing.
    for _attempt in range(3):
        again = _format_once(formatted, kind, vocabulary)
        if again == formatted:
            break
        formatted = again
    if _engine_values(formatted, kind, vocabulary) != _engine_values(text, kind, vocabulary):
        raise FormatError(
            "formatting would change a value (an unquoted yes/no/on/off or number where text "
            "belongs?); run 'python -m generator check', fix the record, then format again"
        )
    return formatted


def _format_once(text: str, kind: str, vocabulary) -> str:
    rt = _round_trip_yaml()
    try:
        document = rt.load(text)
    except RuamelYAMLError as error:
        raise FormatError(f"YAML syntax error: {error}") from None
    if not isinstance(document, CommentedMap):
        raise FormatError("a record must be a mapping of fields")
    _canonicalize(document, schema.RECORD_SPECS[kind], vocabulary)
    buffer = io.StringIO()
    rt.dump(document, buffer)
    formatted = buffer.getvalue()
    first_line, _, rest = formatted.partition("\n")
    if first_line.startswith(_SCHEMA_COMMENT_PREFIX):
        formatted = schema_comment(kind) + "\n" + rest
    else:
        formatted = schema_comment(kind) + "\n" + formatted
    # Blank lines that ended a moved block would otherwise pile up at the end of the file.
    return formatted.rstrip("\n") + "\n"


def first_change(original: str, formatted: str) -> tuple[int, int, str, str]:
    """(line, column, line as written, line as formatted) where two texts first differ."""
    old_lines, new_lines = original.split("\n"), formatted.split("\n")
    for number, (old, new) in enumerate(zip(old_lines, new_lines), 1):
        if old != new:
            column = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
            return number, column + 1, old, new
    number = min(len(old_lines), len(new_lines))
    return number, 1, "\n".join(old_lines[number:]), "\n".join(new_lines[number:])


@dataclass
class FormatReport:
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    #: shown path -> (line, column, line as written, line as formatted) of the first change
    first_changes: dict[str, tuple[int, int, str, str]] = field(default_factory=dict)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def _kind_of(path: Path) -> str | None:
    folder = path.parent.name
    return next((kind for kind, name in schema.KIND_FOLDERS.items() if name == folder), None)


#: Bump when the canonical form changes, so that cached verdicts are dropped.
FORMAT_VERSION = "2"  # 2: each kind names its own schema on the first line
_CACHE_FILE = "fmt-canonical.txt"


def _cache_key(data: bytes, kind: str, vocabulary) -> str:
    # The schema and the vocabulary decide key order, so a change to them invalidates every verdict.
    salt = (FORMAT_VERSION + kind + repr(schema.RECORD_SPECS[kind]) + vocabulary.digest).encode("utf-8")
    return hashlib.sha256(salt + b"\0" + data).hexdigest()


def _read_cache(cache_dir: Path | None) -> set[str]:
    if cache_dir is None:
        return set()
    try:
        return set((cache_dir / _CACHE_FILE).read_text(encoding="ascii").split())
    except (OSError, UnicodeDecodeError):
        return set()


def _write_cache(cache_dir: Path | None, keys: set[str]) -> None:
    if cache_dir is None:
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        temporary = cache_dir / (_CACHE_FILE + ".tmp")
        temporary.write_text("\n".join(sorted(keys)) + "\n", encoding="ascii")
        temporary.replace(cache_dir / _CACHE_FILE)
    except OSError:
        pass  # a cache that cannot be written only costs time


def format_files(
    content_dir: Path, paths: list[Path] | None = None, write: bool = True, cache_dir: Path | None = None
) -> FormatReport:
    """Format the given record files (default: every record under ``content_dir``).

    ``cache_dir`` remembers the hashes of files found canonical (ruamel.yaml's round trip costs
    some 50 ms a file), so that a second run only reads the files that changed.
    """
    known_canonical = _read_cache(cache_dir)
    now_canonical: set[str] = set()
    try:
        vocabulary = load_vocabulary(content_dir)
    except DossierError:  # check reports the vocabulary's errors; formatting orders facts as the default does
        vocabulary = default_vocabulary()
    if paths:
        targets = [(_kind_of(path), path) for path in paths]
    else:
        targets, _tree_problems = discover_record_files(content_dir)  # the tree itself is check's business
    report = FormatReport()
    for kind, path in targets:
        shown = display_path(path)
        if kind is None or path.suffix != ".yaml":
            report.failed.append((shown, "not a record file (content/entities|events|sources/*.yaml)"))
            continue
        try:
            data = path.read_bytes()
            original = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            report.failed.append((shown, f"cannot read: {error}"))
            continue
        key = _cache_key(data, kind, vocabulary)
        if key in known_canonical:
            now_canonical.add(key)
            report.unchanged += 1
            continue
        try:
            formatted = format_record_text(original, kind, vocabulary=vocabulary)
        except FormatError as error:
            report.failed.append((shown, str(error)))
            continue
        if formatted == original:
            now_canonical.add(key)
            report.unchanged += 1
            continue
        report.changed.append(shown)
        report.first_changes[shown] = first_change(original, formatted)
        if write:
            encoded = formatted.encode("utf-8")
            temporary = path.with_name(path.name + ".fmt-tmp")
            temporary.write_bytes(encoded)
            temporary.replace(path)
            now_canonical.add(_cache_key(encoded, kind, vocabulary))
    if paths:  # a partial run keeps what it did not look at
        now_canonical |= known_canonical
    if now_canonical != known_canonical:
        _write_cache(cache_dir, now_canonical)
    return report
