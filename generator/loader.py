"""Load record files safely: bytes -> YAML events -> plain values with line:column marks.

libyaml's parser (through PyYAML) gives every event its position; we build the values from
the events ourselves instead of letting a composer and constructor run, which is what makes
loading safe, exact and as fast as ``yaml.load`` with ``CSafeLoader``:

* no tags other than the core ones, so no objects and no ``!!python`` anything;
* no anchors, aliases or merge keys, so no alias bombs;
* duplicate keys are errors, not silent overwrites;
* a plain scalar that YAML 1.1 resolves to a boolean, number or null (``NO``, ``on``,
  ``012``, ``1e3``) is kept as :class:`Plain` so the checker can ask for quotes where
  text belongs, and still read ``2025-04-01`` where a date belongs.
"""

from __future__ import annotations

import bisect
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .problems import Problem
from .schema import ID_MAX_LENGTH, ID_RE, KIND_FOLDERS, RESERVED_IDS

try:  # libyaml is several times faster; both give the same nodes and marks.
    from yaml import CSafeLoader as _NodeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _NodeLoader

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 20  # the deepest record field is 4 levels down
KEY = "\0key"  # path suffix under which a mapping key's own position is stored

_CORE = "tag:yaml.org,2002:"
# YAML 1.2 core numbers that YAML 1.1 reads as text: 1e3, .5e-2, 0o17.
_YAML12_NUMBER_RE = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+)$")
# Tabs and control characters (Unicode category Cc: C0, DEL, C1) other than line ends.
_BAD_CHARACTER_RE = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates: they reorder how text is shown, so a name or an id
# could read as something it is not ("Trojan source").  Refused anywhere in a file, comments included.
BIDI_CONTROL_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
# What a double-quoted escape ("\e", "\0", "\u202e") can put into a value: control characters other than
# tab and line end, and bidirectional controls.
_BAD_VALUE_CHARACTER_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MAX_PROBLEMS_A_FILE = 20  # more of the same in one file says nothing new
# A mapping value that starts with '[[': YAML reads it as the start of a list (a flow sequence).
_UNQUOTED_LINK_RE = re.compile(r"^[ ]*(?:-[ ]+)*([A-Za-z_][A-Za-z0-9_-]*):[ ]+(\[\[)", re.MULTILINE)
_ALLOWED_TAGS = {_CORE + name for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}


@dataclass(frozen=True)
class Plain:
    """A plain (unquoted) scalar that YAML would not read as a string."""

    raw: str
    tag: str

    @property
    def type_name(self) -> str:
        return self.tag.rsplit(":", 1)[-1]


Path_ = tuple  # a path into a record: ("relationships", 0, "target")


@dataclass(frozen=True)
class RawRecord:
    """A record file read into plain values, before it is checked."""

    kind: str
    record_id: str
    path: str  # as shown in messages: relative to the project root, with forward slashes
    values: dict
    marks: dict  # Path_ -> (line, column), 1-based
    #: Path_ -> runs ((offset in the value, line, column), ...) of text values that hold '[[' or a
    #: character that an escape made: where each character of the value was written in the file.
    spans: dict = field(default_factory=dict)

    def mark(self, path: Path_) -> tuple[int, int]:
        """The position of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return self.marks.get((), (1, 1))

    def position(self, path: Path_, offset: int) -> tuple[int, int]:
        """Where character ``offset`` of the text value at ``path`` stands in the file (folded,
        literal, quoted and plain scalars alike); the value's own position when it is not known."""
        runs = self.spans.get(path)
        if not runs:
            return self.mark(path)
        return position_in_runs(runs, offset)


def position_in_runs(runs: tuple, offset: int) -> tuple[int, int]:
    index = bisect.bisect_right(runs, (offset, float("inf"))) - 1
    start, line, column = runs[max(index, 0)]
    return line, column + max(offset - start, 0)


class _LoadFailure(Exception):
    def __init__(self, line: int, column: int, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.line, self.column, self.code, self.message, self.hint = line, column, code, message, hint
        self.others: list[_LoadFailure] = []  # further problems of the same file, reported with it


def _raise_all(failures: list[_LoadFailure]) -> None:
    if failures:
        first = failures[0]
        first.others = failures[1:MAX_PROBLEMS_A_FILE]
        raise first


_BLANK_RUN_RE = re.compile("[ \t\r\n]+")


def _line_starts(text: str) -> list[int]:
    return [0] + [match.end() for match in re.finditer("\n", text)]


def _scalar_runs(text: str, line_starts: list[int], event, value: str) -> tuple:
    """Map every character of a scalar's value back to the file: ((offset, line, column), ...) runs.

    The value is aligned with the scalar's source text a line at a time (the common case: a
    line of the file is a stretch of the value), then a character at a time where they differ:
    indentation and folded line breaks (a break becomes a space in ``>`` and plain scalars),
    doubled quotes in single-quoted and escapes in double-quoted scalars.  A run never crosses
    a line of the file.
    """
    style = event.style or ""
    start, end = event.start_mark.index, event.end_mark.index
    if style in (">", "|"):
        start = text.find("\n", start, end) + 1 or end  # the content begins below the header line
    elif style in ("'", '"'):
        start, end = start + 1, max(start + 1, end - 1)
    runs: list[tuple[int, int]] = []  # (offset in the value, index in the text)
    run_line_end = -1  # where the line of the last run ends: a run never goes past it

    def run(offset: int, index: int) -> None:
        nonlocal run_line_end
        if not runs or offset - runs[-1][0] != index - runs[-1][1] or index > run_line_end:
            runs.append((offset, index))
            run_line_end = text.find("\n", index)
            if run_line_end == -1:
                run_line_end = len(text)

    offset, index, length = 0, start, len(value)
    while offset < length and index < end:
        if value[offset] not in " \n":  # indentation and line breaks of the source in one step
            blank = _BLANK_RUN_RE.match(text, index, end)
            if blank:
                index = blank.end()
                continue
        line_end = text.find("\n", index, end)
        if line_end == -1:
            line_end = end
        chunk = text[index:line_end]
        if (
            chunk
            and value.startswith(chunk, offset)
            and (style != "'" or "'" not in chunk)
            and (style != '"' or "\\" not in chunk)
        ):
            run(offset, index)
            offset, index = offset + len(chunk), line_end
            continue
        wanted, found = value[offset], text[index]
        if style == "'" and wanted == "'" and text.startswith("''", index):
            run(offset, index)
            offset, index = offset + 1, index + 2
        elif style == '"' and found == "\\":
            following = text[index + 1 : index + 2]
            if following in ("\n", "\r"):  # an escaped line break: nothing in the value
                index += 2
                continue
            run(offset, index)
            offset, index = offset + 1, index + {"x": 4, "u": 6, "U": 10}.get(following, 2)
        elif wanted == found:
            run(offset, index)
            offset, index = offset + 1, index + 1
        elif found in " \t\r\n":  # indentation or a folded line break of the source
            index += 1
        elif wanted in " \n":  # a space or break the folding made
            run(offset, index)
            offset += 1
        else:  # cannot happen for a value the parser made from this text; keep what is known
            break
    if not runs:
        runs.append((0, start))
    result = []
    for offset, index in runs:
        line = bisect.bisect_right(line_starts, index) - 1
        result.append((offset, line + 1, index - line_starts[line] + 1))
    return tuple(result)


def _position(mark) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


class _Composer:
    """Builds values and marks straight from the parser's events, refusing anything unsafe.

    One pass over the events does what composing a node tree, walking it and a separate depth
    check did before, at about half the cost: deep nesting is refused as it is met (libyaml's
    own composer recurses in C until the process dies), and tags and aliases are refused on
    mapping keys as well as on values.  Problems in the first document
    (aliases, tags, keys) are kept until the whole stream has been read, so that a syntax error
    anywhere in the file is still the one reported, as when a composer ran first.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.marks: dict = {}
        self.spans: dict = {}
        self.failures: list[_LoadFailure] = []
        # Problems that leave the values whole (a duplicate key, a control character in a text): the
        # record is still checked, so that one run reports its other problems too.
        self.soft_failures: list[_LoadFailure] = []
        self.invalid: yaml.YAMLError | None = None
        self._anchors: dict[str, tuple[int, int]] = {}
        self._line_starts: list[int] | None = None

    def _invalid(self, problem: str, mark) -> None:
        """Invalid YAML that the parser accepts: raised once the parser has read the whole stream."""
        if self.invalid is None:
            self.invalid = yaml.composer.ComposerError(None, None, problem, mark)

    def _fail(self, position: tuple[int, int], code: str, message: str, hint: str) -> None:
        self.failures.append(_LoadFailure(*position, code, message, hint))

    def _text_value(self, event, path: tuple) -> None:
        """Keep where the characters of a text value stand when checks may point into it, and
        refuse the characters an escape of a double-quoted scalar can make."""
        value = event.value
        bad = _BAD_VALUE_CHARACTER_RE.search(value) if event.style == '"' else None
        if "[[" not in value and bad is None:
            return
        if self._line_starts is None:
            self._line_starts = _line_starts(self.text)
        runs = self.spans[path] = _scalar_runs(self.text, self._line_starts, event, value)
        while bad is not None:
            position = position_in_runs(runs, bad.start())
            self.soft_failures.append(_LoadFailure(*position, *bad_character(bad.group(), f"in {_path_label(path)}")))
            bad = _BAD_VALUE_CHARACTER_RE.search(value, bad.end())

    def documents(self) -> list[tuple[object, tuple[int, int]]]:
        """(values, start position) of each document; raises YAML errors and ``too-deep``."""
        loader = _NodeLoader(self.text)
        try:
            loader.get_event()  # stream start
            documents = []
            while not loader.check_event(yaml.StreamEndEvent):
                loader.get_event()  # document start
                self._anchors = {}  # anchors belong to their document
                start = _position(loader.peek_event().start_mark)
                documents.append((self._node(loader, (), 1, not documents), start))
                loader.get_event()  # document end
            if self.invalid is not None:
                raise self.invalid
            return documents
        finally:
            loader.dispose()

    def _node(self, loader, path: tuple, depth: int, keep: bool):
        """The next node's value; with ``keep`` false (keys, later documents) it is only checked."""
        event = loader.get_event()
        position = _position(event.start_mark)
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self._anchors:
                self._invalid(f"found undefined alias {event.anchor!r}", event.start_mark)
                return None
            self._fail(
                self._anchors[event.anchor],
                "yaml-alias",
                "anchors and aliases (& and *) are not allowed",
                "write the value out in full",
            )
            return None
        if event.anchor is not None:
            if event.anchor in self._anchors:
                self._invalid(f"found duplicate anchor {event.anchor!r}", event.start_mark)
            self._anchors[event.anchor] = position
        if keep:
            self.marks[path] = position
        if isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            self._check_tag(tag, position)
            if tag == _CORE + "str":
                if keep:
                    self._text_value(event, path)
                if not event.style and _YAML12_NUMBER_RE.match(event.value):  # plain: None (PyYAML) or "" (libyaml)
                    # Text to PyYAML (YAML 1.1) but a number to YAML 1.2 readers (editors, JSON Schema tools).
                    return Plain(event.value, _CORE + "float")
                return event.value
            return Plain(event.value, tag)
        if depth > MAX_DEPTH:
            raise _LoadFailure(
                *position,
                "too-deep",
                f"lists and mappings nested more than {MAX_DEPTH} deep",
                "records need only a few levels; flatten the structure",
            )
        is_sequence = isinstance(event, yaml.SequenceStartEvent)
        tag = event.tag
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.SequenceNode if is_sequence else yaml.MappingNode, None, event.implicit)
        self._check_tag(tag, position)
        if is_sequence:
            items = []
            while not loader.check_event(yaml.SequenceEndEvent):
                items.append(self._node(loader, path + (len(items),), depth + 1, keep))
            loader.get_event()
            return items
        return self._mapping(loader, path, depth, keep)

    def _check_tag(self, tag: str, position: tuple[int, int]) -> None:
        if tag not in _ALLOWED_TAGS:
            self._fail(
                position,
                "yaml-tag",
                f"YAML tag {tag!r} is not allowed",
                "remove the tag; records hold only plain text, lists and mappings",
            )

    def _mapping(self, loader, path: tuple, depth: int, keep: bool) -> dict:
        result: dict = {}
        while not loader.check_event(yaml.MappingEndEvent):
            key_event = loader.peek_event()
            position = _position(key_event.start_mark)
            key = None
            if not isinstance(key_event, yaml.ScalarEvent):
                self._fail(
                    position, "yaml-key", "a mapping key must be a plain word", "use a field name such as 'name:'"
                )
            elif key_event.value == "<<" and not key_event.style or key_event.tag == _CORE + "merge":
                self._fail(position, "yaml-merge", "merge keys (<<) are not allowed", "write the fields out in full")
            elif keep and key_event.value in result:
                first_line = self.marks[path + (key_event.value, KEY)][0]
                self.soft_failures.append(
                    _LoadFailure(
                        *position,
                        "duplicate-key",
                        f"duplicate key '{key_event.value}' (first given on line {first_line})",
                        "keep one of them; YAML would silently drop the other",
                    )
                )
            else:
                key = key_event.value
            self._node(loader, path, depth + 1, False)  # the key: checked for tags, anchors and depth
            if keep and key is not None:
                self.marks[path + (key, KEY)] = position
                result[key] = self._node(loader, path + (key,), depth + 1, True)
            else:
                self._node(loader, path, depth + 1, False)
        loader.get_event()
        return result


def _line_of_offset(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return line, column


def _path_label(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the record"


def bad_character(character: str, where: str) -> tuple[str, str, str]:
    """(code, message, hint) for a character no record may hold."""
    code_point = f"U+{ord(character):04X}"
    if BIDI_CONTROL_RE.match(character):
        name = unicodedata.name(character, "bidirectional control").lower()
        return (
            "bidi-control",
            f"bidirectional control character {code_point} ({name}) {where}",
            "remove it: it changes the order in which the text is shown, so a name could read as another",
        )
    if character == "\t":
        return ("tab", f"tab character {where}", "indent with spaces; YAML does not allow tabs for indentation")
    return (
        "control-character",
        f"control character {code_point} {where}",
        "remove it: control characters are invisible or garble the page",
    )


def _unquoted_link_failures(text: str) -> list[_LoadFailure]:
    """Every 'field: [[...' line: YAML reads the value as a list, not as text."""
    failures = []
    for match in _UNQUOTED_LINK_RE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        column = match.start(2) - match.start() + 1
        failures.append(
            _LoadFailure(line, column, "unquoted-link", unquoted_link_message(match.group(1)), UNQUOTED_LINK_HINT)
        )
    return failures


UNQUOTED_LINK_HINT = (
    "YAML reads '[[' at the start of a value as a list: put the whole value in quotes, "
    "or write '>-' after the field name and the text on the next line, indented"
)


def unquoted_link_message(field_name: str) -> str:
    return f"{field_name}: a value that starts with '[[' must be quoted"


def parse_record_text(
    data: bytes, display_path: str, kind: str, record_id: str, soft_failures: list | None = None
) -> RawRecord:
    """Parse one file's bytes; raises :class:`_LoadFailure` via :func:`load_record_file`.

    Problems that leave the values usable are added to ``soft_failures`` (when given) instead."""
    if len(data) > MAX_FILE_BYTES:
        raise _LoadFailure(
            1,
            1,
            "file-too-large",
            f"file is {len(data):,} bytes, more than the limit of {MAX_FILE_BYTES:,}",
            "split the record or shorten its description",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        raise _LoadFailure(
            1, 1, "byte-order-mark", "file starts with a byte-order mark (BOM)", "save the file as UTF-8 without BOM"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_of_offset(data, error.start)
        raise _LoadFailure(
            line, column, "not-utf8", f"byte 0x{data[error.start]:02x} is not valid UTF-8", "save the file as UTF-8"
        ) from None
    character_failures, lines_seen = [], set()
    for bad in _bad_characters(text):
        line, column = _line_of_offset(data, len(text[: bad.start()].encode("utf-8")))
        if line not in lines_seen:  # one a line: a tab-indented block is one mistake, not ten
            lines_seen.add(line)
            character_failures.append(_LoadFailure(line, column, *bad_character(bad.group(), "in the file")))
    _raise_all(character_failures)
    composer = _Composer(text)
    try:
        documents = composer.documents()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = _position(mark) if mark else (1, 1)
        problem = (error.problem or "").strip() or "invalid YAML"
        unquoted = _unquoted_link_failures(text)
        # '[[' at the start of a value opens a list that the rest of the line cannot follow: say so,
        # rather than "did not find expected key".
        if any(failure.line <= line <= failure.line + 2 for failure in unquoted):
            _raise_all(unquoted)
        raise _LoadFailure(
            line,
            column,
            "yaml-syntax",
            f"YAML syntax error: {problem}",
            "check the indentation and quoting on this line and the one above",
        ) from None
    except yaml.YAMLError as error:
        raise _LoadFailure(1, 1, "yaml-syntax", f"YAML error: {error}") from None
    if len(documents) > 1:
        line, column = documents[1][1]
        raise _LoadFailure(
            line,
            column,
            "multiple-documents",
            "file holds more than one YAML document",
            "one record a file: remove the '---' separator",
        )
    if not documents:
        raise _LoadFailure(1, 1, "empty-file", "file is empty", "write the record's fields; see the format reference")
    _raise_all(composer.failures if soft_failures is not None else composer.failures + composer.soft_failures)
    if soft_failures is not None:
        soft_failures.extend(composer.soft_failures[:MAX_PROBLEMS_A_FILE])
    values = documents[0][0]
    if not isinstance(values, dict):
        line, column = composer.marks[()]
        found = "a list" if isinstance(values, list) else "a single value"
        raise _LoadFailure(
            line,
            column,
            "not-a-mapping",
            f"a record must be a mapping of fields, found {found}",
            "write one 'field: value' per line at the top level",
        )
    return RawRecord(kind, record_id, display_path, values, composer.marks, composer.spans)


def _bad_characters(text: str):
    """Tabs, control characters and bidirectional controls anywhere in the text, in order."""
    if not (_BAD_CHARACTER_RE.search(text) or BIDI_CONTROL_RE.search(text)):
        return []
    return sorted([*_BAD_CHARACTER_RE.finditer(text), *BIDI_CONTROL_RE.finditer(text)], key=lambda m: m.start())


def _id_like(name: str) -> str:
    """The file's own name made into an id ('Bad_Id' -> 'bad-id'), as the example of a good one."""
    candidate = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:ID_MAX_LENGTH].strip("-")
    return candidate if ID_RE.match(candidate) and candidate not in RESERVED_IDS else ""


def check_record_id(record_id: str) -> tuple[str, str] | None:
    """Return (message, hint) when ``record_id`` is not a valid id, else None."""
    if not ID_RE.match(record_id) or len(record_id) > ID_MAX_LENGTH:
        ascii_form = unicodedata.normalize("NFKD", record_id).encode("ascii", "ignore").decode()
        if ascii_form != record_id:
            detail = "has characters outside a-z, 0-9 and '-' (look-alike or accented letters?)"
        elif len(record_id) > ID_MAX_LENGTH:
            detail = f"is longer than {ID_MAX_LENGTH} characters"
        else:
            detail = "is not lowercase a-z, 0-9 and single hyphens"
        suggestion = _id_like(ascii_form)
        return (
            f"id '{record_id}' {detail}",
            "rename the file: lowercase letters, digits and single hyphens"
            + (f", e.g. '{suggestion}.yaml'" if suggestion else ""),
        )
    if record_id in RESERVED_IDS:
        return (f"id '{record_id}' is reserved for a generated page", "choose another file name")
    return None


def discover_record_files(content_dir: Path) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """Every record file under ``content_dir`` with its kind, and problems with the tree itself."""
    found: list[tuple[str, Path]] = []
    problems: list[Problem] = []
    root = content_dir.resolve()
    for kind, folder in KIND_FOLDERS.items():
        kind_dir = content_dir / folder
        if not kind_dir.is_dir():
            continue
        if not _inside(kind_dir.resolve(), root):
            problems.append(
                Problem(
                    display_path(kind_dir),
                    1,
                    1,
                    "symlink-outside",
                    f"content/{folder} is a symbolic link leading outside content/",
                    "replace the link by the folder itself",
                )
            )
            continue
        for entry in sorted(kind_dir.iterdir()):
            display = display_path(entry)
            if entry.name.startswith("."):
                continue
            # A plain entry of a folder inside root is inside root: only links need resolving (10,000 calls ~1 s).
            if entry.is_symlink() and not _inside(entry.resolve(), root):
                problems.append(
                    Problem(
                        display,
                        1,
                        1,
                        "symlink-outside",
                        "symbolic link leads outside content/",
                        "replace the link by the file itself",
                    )
                )
                continue
            if entry.is_dir():
                problems.append(
                    Problem(
                        display,
                        1,
                        1,
                        "unexpected-folder",
                        f"folder inside content/{folder}/ is not read",
                        f"put record files directly in content/{folder}/",
                    )
                )
                continue
            if entry.suffix == ".yml":
                problems.append(
                    Problem(
                        display, 1, 1, "wrong-extension", "record files end in .yaml", f"rename it to {entry.stem}.yaml"
                    )
                )
                continue
            if entry.suffix != ".yaml":
                problems.append(
                    Problem(
                        display,
                        1,
                        1,
                        "unexpected-file",
                        f"only .yaml record files belong in content/{folder}/",
                        "move or remove this file",
                    )
                )
                continue
            found.append((kind, entry))
    return found, problems


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def display_path(path: Path) -> str:
    """The path as messages show it: relative to the working directory when below it."""
    # The common case without os.path.relpath, which makes every path absolute twice (~1 s for 10,000 files).
    cwd = os.getcwd().rstrip(os.sep) + os.sep
    absolute = os.path.normpath(os.path.join(cwd, os.fspath(path)))  # as relpath's abspath(); join keeps absolutes
    if absolute.startswith(cwd):
        return absolute[len(cwd) :].replace(os.sep, "/")
    try:
        relative = Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()
    return path.as_posix() if relative.startswith("../") else relative


def load_record_file(kind: str, file_path: Path, data: bytes | None = None) -> tuple[RawRecord | None, list[Problem]]:
    """Read and parse one record file; never raises for bad input."""
    shown = display_path(file_path)
    record_id = file_path.stem
    id_problem = check_record_id(record_id)
    problems: list[Problem] = []
    if id_problem:
        problems.append(Problem(shown, 1, 1, "bad-id", *id_problem))
    try:
        if data is None:
            if file_path.stat().st_size > MAX_FILE_BYTES:
                raise _LoadFailure(
                    1,
                    1,
                    "file-too-large",
                    f"file is {file_path.stat().st_size:,} bytes, more than the limit of {MAX_FILE_BYTES:,}",
                    "split the record or shorten its description",
                )
            data = file_path.read_bytes()
        soft_failures: list[_LoadFailure] = []
        record = parse_record_text(data, shown, kind, record_id, soft_failures)
        problems.extend(
            Problem(shown, each.line, each.column, each.code, each.message, each.hint) for each in soft_failures
        )
    except _LoadFailure as failure:
        for each in (failure, *failure.others):
            problems.append(Problem(shown, each.line, each.column, each.code, each.message, each.hint))
        return None, problems
    except OSError as error:
        problems.append(Problem(shown, 1, 1, "unreadable", f"cannot read file: {error.strerror}"))
        return None, problems
    return (None if id_problem else record), problems
