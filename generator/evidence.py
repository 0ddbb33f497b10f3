"""Evidence checks: quotes against the stored texts of their sources, and statements without a passage.

A source may keep a copy of its text in the repository (``stored_text``).  Every excerpt's
quote must then occur in that copy.  Sources are copied by hand, re-typed, or pasted from
editors that change typography, so the comparison forgives what does not change the words:
runs of whitespace, the style of quotation marks (« » “ ” „ " ' ‘ ’) and ё written as е.
Everything else must match, so a quote altered by one word fails, and the message shows the
closest passage of the text and the first words that differ.

A statement that cites only whole sources, with no excerpt behind it, is a warning: a
dossier can move to excerpts step by step, and :func:`count_statements` says how far it is.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from .loader import display_path
from .model import Entity, Event, Source
from .problems import Problem, Severity

_QUOTE_MARKS = "«»“”„‟\"'‘’‚‹›〝〞＂"
_NORMALIZE_TABLE = {ord(mark): '"' for mark in _QUOTE_MARKS} | {ord("ё"): "е", ord("Ё"): "Е"}
#: A gap in a quote: words of the source left out.
GAP_RE = re.compile(r"\s*\[(?:…|\.\.\.)\]\s*")
_WORD_RE = re.compile(r"\S+")


@dataclass(frozen=True)
class NormalizedText:
    """A text with whitespace, quotation marks and ё normalized; ``positions[i]`` is where
    character ``i`` of ``text`` stands in the original."""

    text: str
    positions: tuple[int, ...]
    original: str

    @classmethod
    def of(cls, original: str) -> NormalizedText:
        chars: list[str] = []
        positions: list[int] = []
        in_space = True  # drops leading whitespace
        for index, char in enumerate(original):
            if char.isspace():
                if not in_space:
                    chars.append(" ")
                    positions.append(index)
                in_space = True
                continue
            in_space = False
            chars.append(char.translate(_NORMALIZE_TABLE))
            positions.append(index)
        if chars and chars[-1] == " ":
            chars.pop()
            positions.pop()
        return cls("".join(chars), tuple(positions), original)

    def original_span(self, start: int, end: int) -> str:
        """The original text behind normalized characters ``start`` to ``end``."""
        if start >= end:
            return ""
        return self.original[self.positions[start] : self.positions[end - 1] + 1]

    def line_of(self, start: int) -> int:
        return self.original.count("\n", 0, self.positions[start]) + 1 if self.positions else 1


def normalize(text: str) -> str:
    return NormalizedText.of(text).text


def find_quote(quote: str, stored: NormalizedText) -> bool:
    """Whether every part of ``quote`` (parts split at '[…]') occurs in the stored text, in order."""
    position = 0
    for part in GAP_RE.split(quote):
        wanted = normalize(part)
        if not wanted:
            continue
        found = stored.text.find(wanted, position)
        if found < 0:
            return False
        position = found + len(wanted)
    return True


@dataclass(frozen=True)
class ClosestPassage:
    text: str  # as in the stored text
    line: int  # its line in the stored file
    difference: str  # 'the quote has "X" where the text has "Y"'


def closest_passage(quote: str, stored: NormalizedText) -> ClosestPassage | None:
    """The passage of the stored text most like ``quote`` (gaps ignored), with the first difference."""
    wanted = normalize(" ".join(GAP_RE.split(quote)))
    text = stored.text
    if not wanted or not text:
        return None
    starts = [0] + [match.start() for match in _WORD_RE.finditer(text)]
    size = len(wanted)
    # quick_ratio() bounds ratio() from above: rank every word start by it, then score the best few.
    ranked = sorted(
        set(starts),
        key=lambda start: (
            -difflib.SequenceMatcher(None, wanted, text[start : start + size], autojunk=False).quick_ratio()
        ),
    )[:25]
    best_start, best_ratio = ranked[0], -1.0
    for start in ranked:
        ratio = difflib.SequenceMatcher(None, wanted, text[start : start + size], autojunk=False).ratio()
        if ratio > best_ratio:
            best_start, best_ratio = start, ratio
    end = min(len(text), best_start + size + size // 4)
    # Trim the window to what matches the quote, then widen it to whole words.
    blocks = [
        b
        for b in difflib.SequenceMatcher(None, wanted, text[best_start:end], autojunk=False).get_matching_blocks()
        if b.size
    ]
    if blocks:
        best_start, end = best_start + blocks[0].b, best_start + blocks[-1].b + blocks[-1].size
    while best_start > 0 and text[best_start - 1] != " ":
        best_start -= 1
    while end < len(text) and text[end] != " ":
        end += 1
    window = text[best_start:end]
    return ClosestPassage(
        stored.original_span(best_start, end), stored.line_of(best_start), _first_difference(wanted, window)
    )


def _first_difference(quote: str, passage: str) -> str:
    quote_words, passage_words = quote.split(" "), passage.split(" ")
    matcher = difflib.SequenceMatcher(None, quote_words, passage_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        ours, theirs = " ".join(quote_words[i1:i2]), " ".join(passage_words[j1:j2])
        if tag == "replace":
            return f"the quote has “{ours}” where the text has “{theirs}”"
        if tag == "delete":
            return f"the quote adds “{ours}”"
        return f"the quote leaves out “{theirs}” (mark a gap with […])"
    return ""


def check_stored_texts(sources: list[Source], marks_of, content_dir: Path) -> list[Problem]:
    """Every quote of a source with a stored text occurs in that text.

    ``marks_of(source_id, path)`` gives the (line, column) of a field of a source's file.
    """
    problems: list[Problem] = []
    root = content_dir.resolve()
    for source in sources:
        if source.stored_text is None:
            continue
        stored_path = content_dir / source.stored_text.path
        line, column = marks_of(source.id, ("stored_text", "path"))
        resolved = stored_path.resolve()
        if resolved != root and root not in resolved.parents:
            problems.append(
                Problem(
                    source.origin.path,
                    line,
                    column,
                    "stored-text-outside",
                    f"stored_text.path '{source.stored_text.path}' leads outside the content folder",
                    "keep the copy below the content folder, e.g. texts/<source-id>.txt",
                )
            )
            continue
        try:
            stored = NormalizedText.of(stored_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            problems.append(
                Problem(
                    source.origin.path,
                    line,
                    column,
                    "stored-text-missing",
                    f"stored_text.path: no file {display_path(stored_path)}",
                    "add the file with the source's text, or fix the path (relative to the content folder)",
                )
            )
            continue
        except (OSError, UnicodeDecodeError) as error:
            problems.append(
                Problem(
                    source.origin.path,
                    line,
                    column,
                    "stored-text-unreadable",
                    f"stored_text.path: cannot read {display_path(stored_path)}: {error}",
                    "save it as UTF-8 text",
                )
            )
            continue
        for index, excerpt in enumerate(source.excerpts):
            if find_quote(excerpt.quote, stored):
                continue
            quote_line, quote_column = marks_of(source.id, ("excerpts", index, "quote"))
            closest = closest_passage(excerpt.quote, stored)
            hint = "copy the words exactly as the source has them"
            if closest is not None:
                hint = (
                    f"closest passage ({display_path(stored_path)}, line {closest.line}): "
                    f"“{closest.text}”" + (f"; {closest.difference}" if closest.difference else "") + "; " + hint
                )
            problems.append(
                Problem(
                    source.origin.path,
                    quote_line,
                    quote_column,
                    "quote-not-in-text",
                    f"excerpts[{index}] ('{excerpt.id}'): the quote is not in the stored text "
                    f"{display_path(stored_path)}",
                    hint,
                )
            )
    return problems


def _statements(record):
    """(where, citations) for every statement of a record that needs a source: its text and its claims."""
    from .check import TEXT_LINK_RE

    def inline(text):
        return [m.group(1).strip() for m in TEXT_LINK_RE.finditer(text or "")]

    if isinstance(record, Entity):
        yield ("summary", 0), inline(record.summary) + list(record.sources)
        if record.description:
            yield ("description", 0), inline(record.description)
        for fact in record.facts:
            yield ("facts", fact.key), list(fact.sources) + inline(fact.value)
        for index, relationship in enumerate(record.relationships):
            yield ("relationships", index), list(relationship.sources) + inline(relationship.note)
        for index, state in enumerate(record.lifecycle):
            yield ("lifecycle", index), list(state.sources) + inline(state.note)
    elif isinstance(record, Event):
        yield ("summary", 0), inline(record.summary) + list(record.sources)
        if record.description:
            yield ("description", 0), inline(record.description)


@dataclass(frozen=True)
class EvidenceCounts:
    """How far a dossier rests on excerpts: statements citing one, citing only whole sources, citing none."""

    on_excerpts: int
    on_whole_sources: int

    def summary(self) -> str:
        total = self.on_excerpts + self.on_whole_sources
        return (
            f"{self.on_excerpts} of {total} cited statements rest on an excerpt; "
            f"{self.on_whole_sources} on a whole source only"
        )


def whole_source_warnings(records, source_ids: set[str], marks_of) -> tuple[list[Problem], EvidenceCounts]:
    """A warning for each statement whose citations name no excerpt, and the counts for the report."""
    warnings: list[Problem] = []
    on_excerpts = on_whole = 0
    for record in records:
        for (field_name, key), citations in _statements(record):
            cited = [c for c in citations if c.partition("#")[0] in source_ids]
            if not cited:
                continue  # uncited text has its own warning; a description may rest on the summary's sources
            if any("#" in c for c in cited):
                on_excerpts += 1
                continue
            on_whole += 1
            path = (field_name,) if field_name in ("summary", "description") else (field_name, key)
            line, column = marks_of(record.id, path)
            where = (
                field_name
                if path == (field_name,)
                else (f"{field_name}.{key}" if isinstance(key, str) else f"{field_name}[{key}]")
            )
            warnings.append(
                Problem(
                    record.origin.path,
                    line,
                    column,
                    "no-excerpt",
                    f"{where} rests on a whole source ({', '.join(dict.fromkeys(cited))}), not on an excerpt",
                    "add the passage to the source's 'excerpts:' and cite it as source-id#excerpt-id",
                    Severity.WARNING,
                )
            )
    return warnings, EvidenceCounts(on_excerpts, on_whole)


def source_label(dossier, source: Source) -> str:
    """'CNews, 27 November 2025': the publisher's name (or the title) and the date, as a voice chain names it."""
    publisher = dossier.entities.get(source.publisher) if source.publisher else None
    label = publisher.name if publisher is not None else source.display_title
    if source.date:
        label += ", " + source.date.human(source.qualifier)
    return label


def _mid_sentence(title: str) -> str:
    """A title's first word in lower case when it is an ordinary capitalised word (not 'FT' or 'McKinsey')."""
    first, _, rest = title.partition(" ")
    if first[:1].isupper() and first[1:].islower():
        return first.lower() + (" " + rest if rest else "")
    return title


def voice_words(dossier, citation: str) -> str:
    """Who speaks in a citation: 'CNews, 27 November 2025, relaying Financial Times, citing two informed sources'.

    An excerpt in the source's own voice says so, and a whole-source citation says that no passage is quoted.
    """
    chain = dossier.voice_chain(citation)
    words = []
    for index, source in enumerate(chain):
        label = source_label(dossier, source)
        if index:
            verb = dossier.vocabulary.source_kinds_by_name[source.kind_of_source].relay_verb
            if verb == "citing" and not source.publisher:
                label = _mid_sentence(label)  # "citing two informed sources", not "citing Two ..."
            label = f"{verb} {label}"
        words.append(label)
    if dossier.excerpt(citation) is None:
        words.append("the whole source, no passage quoted")
    elif len(chain) == 1:
        words.append("in its own voice, attributed to no one else")
    return ", ".join(words)
