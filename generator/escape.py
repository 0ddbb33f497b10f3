"""The one escaping step between record text and Markdown.

Record text is untrusted.  It reaches the generated Markdown only through these functions:

* :func:`inline` for names, titles, roles, tags and other short fields: every character
  that Markdown, the enabled extensions (tables, attr_list) or HTML give a meaning to is
  written as a numeric character reference, so it shows as text and can never open a tag,
  a link, a table cell or an attribute list.  Character references are HTML too: the same
  output is safe as text or as a quoted attribute in the raw HTML blocks a template writes
  (the reference lists, :meth:`generator.render.PageWriter.html_link`).
* :func:`rich_text` for summaries, descriptions and notes: the same, except that the safe
  subset documented in the format reference survives: paragraphs, ``*emphasis*``,
  ``**strong**`` and ``-`` / ``1.`` lists.  ``[[id]]`` links are replaced by the caller.
* :func:`plain_title` for page titles in front matter, which mkdocs-material prints through
  ``striptags`` (which decodes entities): angle brackets become look-alike quotation
  marks and '&' is escaped there, so no title can turn back into markup.
* :func:`nav_title` for navigation titles, printed raw by the theme: the same rules.
* :func:`page_markdown` for hand-written pages: Markdown kept, raw HTML shown as text, links
  only to relative, http, https or mailto targets.
"""

from __future__ import annotations

import functools
import json
import re

_INLINE_SPECIALS = "\\`*_{}[]()<>&|!#~^=\"'$:@+"
_INLINE_TABLE = {ord(char): f"&#{ord(char)};" for char in _INLINE_SPECIALS}
_WHITESPACE_RE = re.compile(r"\s+")


def inline(text: str | None) -> str:
    """Escape a short field for any inline Markdown context (heading, table cell, link text)."""
    if text is None:
        return ""
    return _inline(str(text))


@functools.lru_cache(maxsize=1 << 17)
def _inline(text: str) -> str:
    # Remembered: a render escapes the same names, titles and hover previews again and again
    # (at 1,000 records 123,000 calls for 6,500 texts, 9.5 million characters translated: a
    # fifth of `generator build`'s CPU).
    return _WHITESPACE_RE.sub(" ", text).strip().translate(_INLINE_TABLE)


# In rich text, * and _ stay (emphasis); so do '-', '+', '.' for lists.  Everything that
# could make a link, image, HTML, code, table, heading, quote or attribute list is escaped.
_RICH_SPECIALS = "\\`{}[]()<>&|!#~^=\"'$:@"
_RICH_TABLE = {ord(char): f"&#{ord(char)};" for char in _RICH_SPECIALS}
_RULE_LINE_RE = re.compile(r"^\s*([-=_*])\s*(\1\s*)+$")
_LIST_LINE_RE = re.compile(r"^( {0,3})([-+*]|\d{1,3}\.)\s+")


def rich_line(line: str) -> str:
    """Escape one line of rich text, keeping emphasis and list markers."""
    if _RULE_LINE_RE.match(line):  # a line of dashes would turn the paragraph above into a heading
        return "".join(f"&#{ord(c)};" if not c.isspace() else c for c in line)
    list_marker = _LIST_LINE_RE.match(line)
    prefix = ""
    if list_marker:
        prefix, line = line[: list_marker.end()], line[list_marker.end() :]
        prefix = prefix.lstrip()  # no indented code blocks from record text
    else:
        line = line.lstrip()
    return prefix + line.translate(_RICH_TABLE)


def rich_text(text: str | None) -> str:
    """Escape a long field, keeping the documented safe Markdown subset."""
    if not text:
        return ""
    return "\n".join(rich_line(line) for line in str(text).replace("\r\n", "\n").split("\n")).strip()


def link_title(text: str | None, limit: int = 200) -> str:
    """Text for a link's title attribute (hover preview): short, one line, quote-safe.

    Rich text comes here flattened (:func:`generator.richtext.plain_text`); its [[links]] are
    not this function's business.
    """
    if not text:
        return ""
    flat = _WHITESPACE_RE.sub(" ", text).strip()
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "\u2026"
    return inline(flat)


def plain_title(text: str) -> str:
    """A page title for front matter: one line, no angle brackets, as a YAML (JSON) string."""
    flat = _WHITESPACE_RE.sub(" ", text).strip().replace("<", "\u2039").replace(">", "\u203a")
    # '&' escaped too: the title is printed raw or through striptags (which decodes entities),
    # so a typed '&lt;' shows as typed instead of turning into '<'.
    return json.dumps(flat.replace("&", "&amp;"), ensure_ascii=False)


def attribute(text: str) -> str:
    """Escape text for a double-quoted HTML attribute in a template-built tag."""
    return (
        str(text)
        .replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("'", "&#39;")
    )


def safe_url(url: str) -> str:
    """An http(s) URL for an autolink: anything that could end or break the link is percent-encoded."""
    from urllib.parse import quote

    if not url.lower().startswith(("http://", "https://")):
        return ""
    return quote(url, safe=":/?#@!$&*+,;=%~-._[]")


def nav_title(text: str) -> str:
    """A title for the navigation, which mkdocs-material prints raw (and elsewhere through
    ``striptags``, which decodes entities): angle brackets become look-alike marks, so the
    title is text in both places; '&' is escaped so that typed entities show as typed."""
    flat = _WHITESPACE_RE.sub(" ", text).strip().replace("<", "\u2039").replace(">", "\u203a")
    return flat.replace("&", "&amp;")


_SAFE_SCHEMES = ("http", "https", "mailto")
# A link or image destination with a scheme: "](javascript:", "]( <data:", and reference
# definitions "[x]: vbscript:".  Python-Markdown keeps any scheme, so unsafe ones are broken.
_INLINE_DESTINATION_RE = re.compile(r"\]\(\s*<?\s*([A-Za-z][A-Za-z0-9+.\-]*)\s*:")
_DEFINITION_RE = re.compile(r"^( {0,3})\[([^\]\n]+)\]:\s*<?\s*([A-Za-z][A-Za-z0-9+.\-]*)\s*:", re.MULTILINE)


def page_markdown(body: str) -> str:
    """A hand-written page's Markdown: raw HTML, entities and attribute lists shown as text,
    and links kept only when they are relative or http, https or mailto."""
    escaped = body.replace("&", "&amp;").replace("<", "&lt;").replace("{", "&#123;")

    def inline_link(match) -> str:
        if match.group(1).lower() in _SAFE_SCHEMES:
            return match.group(0)
        return "]&#40;" + match.group(0)[2:]

    def definition(match) -> str:
        if match.group(3).lower() in _SAFE_SCHEMES:
            return match.group(0)
        return match.group(1) + "&#91;" + match.group(0)[len(match.group(1)) + 1 :]

    return _DEFINITION_RE.sub(definition, _INLINE_DESTINATION_RE.sub(inline_link, escaped))
