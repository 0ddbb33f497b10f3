"""Rich record text as plain words: the one flattener of ``[[links]]``.

Rich text (summaries, descriptions, notes) names records as ``[[id]]`` or ``[[id|label]]`` and
cites sources as ``[[source]]`` or ``[[source#excerpt]]``.  Where the text must be plain (a hover
preview, a CSV cell, a feed entry, a filter's words) :func:`plain_text` turns a link into the
label or the linked record's name and drops citations.
"""

from __future__ import annotations

import re

from .check import TEXT_LINK_RE
from .model import Entity, Event

_WHITESPACE_RE = re.compile(r"\s+")
#: A citation removed from "text [[src#x]]." leaves "text ." behind.
_SPACE_BEFORE_PUNCTUATION_RE = re.compile(r"\s+([.,;:!?)])")


def record_title(record) -> str:
    """What a record is called in text: an entity's name, an event's title, a source's display title."""
    if isinstance(record, Entity):
        return record.name
    if isinstance(record, Event):
        return record.title
    return record.display_title


def plain_text(dossier, text: str | None) -> str:
    """``text`` as one line of plain words: links become labels or names, citations vanish.

    ``dossier`` is read only through ``sources`` and ``get`` (the incremental preview records
    those reads).  The result is not escaped.
    """
    if not text:
        return ""

    def word(match) -> str:
        target, label = match.group(1).strip(), match.group(2)
        if "#" in target or target in dossier.sources:
            return ""
        if label and label.strip():
            return label.strip()
        record = dossier.get(target)
        return record_title(record) if record is not None else target

    flat = _WHITESPACE_RE.sub(" ", TEXT_LINK_RE.sub(word, text))
    return _SPACE_BEFORE_PUNCTUATION_RE.sub(r"\1", flat).strip()
