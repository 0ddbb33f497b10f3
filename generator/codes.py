"""Every problem code the engine reports, with what it means: the table in CONTRIBUTING.md.

``python -m generator codes`` prints the table and ``--update`` writes it into CONTRIBUTING.md
between its markers; a test fails when the engine reports a code that is not here, when a code
here is no longer reported, or when CONTRIBUTING's table differs from :func:`code_table`.
"""

from __future__ import annotations

from pathlib import Path

#: code -> what it means and what to do.  Grouped as a contributor meets them: the file itself, the
#: YAML, the fields, references between records, then the site's own files.
CODES: dict[str, str] = {
    "file-too-large": "a record file over 256 KiB: split the record or shorten its description",
    "byte-order-mark": "the file starts with a byte-order mark: save it as UTF-8 without BOM",
    "not-utf8": "a byte that is not UTF-8: save the file as UTF-8",
    "tab": "a tab character: indent with spaces",
    "control-character": "an invisible control character (NUL, ESC ...), in the file or made by an escape such as "
    '`"\\e"`: remove it',
    "bidi-control": "a bidirectional control character (U+202A–U+202E, U+2066–U+2069), which could make a name "
    "read as another: remove it",
    "unreadable": "the file or page cannot be read",
    "empty-file": "the file holds nothing",
    "yaml-syntax": "the file is not valid YAML; the line is where the parser gave up",
    "unquoted-link": "a value starts with `[[`, which YAML reads as a list: quote the value or write `>-`",
    "duplicate-key": "a field given twice: YAML would silently drop one",
    "yaml-tag": "a YAML tag (`!!python/...`): records hold only text, lists and mappings",
    "yaml-alias": "an anchor or alias (`&`, `*`): write the value out in full",
    "yaml-merge": "a merge key (`<<`): write the fields out in full",
    "yaml-key": "a mapping key that is not a plain word",
    "too-deep": "lists and mappings nested more than 20 deep",
    "multiple-documents": "more than one YAML document (`---`) in a file: one record a file",
    "not-a-mapping": "the file is a list or a single value, not `field: value` lines",
    "missing-field": "a required field is absent; the hint says what it holds",
    "empty-value": "a field is there but empty: give a value, or remove an optional field",
    "unknown-field": "a field name the format does not know (typo?); the hint suggests the closest",
    "unknown-value": "a value outside the allowed list (entity type, relation type, source kind ...)",
    "wrong-type": "a value of the wrong shape (a list where text belongs), or an entity of the wrong type",
    "needs-quotes": "YAML would read the value as a number or true/false: put it in quotes",
    "too-long": "a text longer than its field allows",
    "bad-format": "a tag or language code that is not well formed",
    "bad-url": "not an `http` or `https` address",
    "bad-date": "not `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, or a day that does not exist",
    "bad-number": "not a whole number where one belongs (an excerpt's paragraph or page)",
    "bad-citation": "not `source-id` or `source-id#excerpt-id` in a `sources:` list",
    "empty-list": "a `sources:` list with no source",
    "duplicate-item": "the same id or tag twice in one list",
    "dates-reversed": "a relationship whose `since` is after its `until`",
    "duplicate-participant": "the same entity twice among an event's participants",
    "self-relationship": "a relationship from an entity to itself",
    "self-relay": "a source that relays itself",
    "duplicate-excerpt": "an excerpt id used twice in one source",
    "missing-translation": "a quote not in English without `translation`",
    "self-voice": "an excerpt whose voice is the source itself: omit `voice`",
    "bad-id": "a file name (or a line of published-ids.txt) that is not a valid id",
    "duplicate-id": "an id used by two files",
    "bad-reference": "not a record id where one belongs (a name such as 'The Verge'?); the hint names the record",
    "unknown-reference": "an id that no record has; the hint suggests the closest id, name or alias, or the "
    "command that creates the record",
    "wrong-kind": "an id of the wrong kind (a source where an entity belongs)",
    "wrong-relationship": "a relation type that does not fit the two ends (a place cannot `own`)",
    "date-mismatch": "a lifecycle state names an event of another date",
    "relay-cycle": "sources that relay each other in a circle",
    "unknown-excerpt": "a citation `source-id#excerpt-id` whose source has no such excerpt; the hint suggests the "
    "closest",
    "voice-not-relayed": "an excerpt's voice that is not down the source's `relays:` chain",
    "quote-not-in-text": "a quote that does not occur in the source's stored text; the hint shows the closest "
    "passage and the first difference",
    "stored-text-missing": "`stored_text.path` names no file",
    "stored-text-outside": "`stored_text.path` leads outside the content folder",
    "stored-text-unreadable": "the stored text cannot be read as UTF-8",
    "former-id-clash": "a former id that is a live id, or that two records claim",
    "vanished-id": "a published id that is no record's id or former id: its page would vanish",
    "no-lifecycle": "a `lifecycle` on an entity whose type has none in the vocabulary",
    "unknown-vocabulary": "in `content/vocabulary.yaml`: `extends` names no vocabulary file",
    "extends-loop": "in `content/vocabulary.yaml`: vocabularies that extend each other in a circle",
    "bad-name": "in `content/vocabulary.yaml`: a name that is not lowercase a-z, 0-9 and hyphens",
    "unknown-group": "in `content/vocabulary.yaml`: a group that is not declared",
    "unknown-type": "in `content/vocabulary.yaml`: a type or relation end that is not declared",
    "missing-inverse": "in `content/vocabulary.yaml`: a relation type without its inverse label",
    "symmetric-inverse": "in `content/vocabulary.yaml`: a symmetric relation type that also gives an inverse",
    "bad-colour": "in `content/vocabulary.yaml`: a colour that is not `#rgb` or `#rrggbb`",
    "duplicate-type": "in `content/vocabulary.yaml`: a type also used as a group name, or declared twice",
    "unknown-ftm-schema": "in `content/vocabulary.yaml`: an `ftm` mapping that names no FollowTheMoney schema",
    "removed-in-use": "a type the vocabulary removed that records still use (the message lists them)",
    "symlink-outside": "a symbolic link leading outside `content/`",
    "unexpected-folder": "a folder inside `content/entities`, `events` or `sources`",
    "unexpected-file": "a file that is not `.yaml` inside a record folder",
    "wrong-extension": "a record file ending in `.yml`: rename it to `.yaml`",
    "page-title": "a hand-written page without front matter and a `title`",
    "template": "a template override that fails (`build --templates`)",
    "fmt": "`fmt` cannot format the file safely (see the message)",
    "unlinked-entity": "warning: nothing links to the entity",
    "uncited-summary": "warning: an entity summary that cites no source",
    "no-excerpt": "warning: a statement that cites only whole sources, no excerpt",
    "event-without-place": "warning: an event without a place",
}

START_MARKER = "<!-- error codes: generated by 'python -m generator codes --update'; edit generator/codes.py -->"
END_MARKER = "<!-- end of error codes -->"


def code_table() -> str:
    """The Markdown table of every code, in the order of :data:`CODES`."""
    rows = ["| code | meaning |", "|---|---|"]
    rows.extend(f"| `{code}` | {meaning} |" for code, meaning in CODES.items())
    return "\n".join(rows) + "\n"


def with_table(document: str) -> str:
    """``document`` with the text between the markers replaced by the current table."""
    start, end = document.index(START_MARKER) + len(START_MARKER), document.index(END_MARKER)
    return document[:start] + "\n" + code_table() + document[end:]


def update_document(path: Path, write: bool = True) -> bool:
    """Whether ``path``'s table was stale; writes the current one when ``write``."""
    text = path.read_text(encoding="utf-8")
    updated = with_table(text)
    if updated != text and write:
        path.write_text(updated, encoding="utf-8")
    return updated != text
