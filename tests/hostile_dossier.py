"""A small dossier whose every text field carries hostile payloads, for the escaping suite.

``make_hostile_project(tmp_path)`` writes records, a hand-written page and an ``mkdocs.yml``
(a copy of the real one pointing ``content_dir`` and ``docs_dir`` at the fixture) and returns
the folder.  The payloads try every way record text could become live HTML, a link, a style,
an event handler, a table cell, a heading, an attribute list or template code.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

#: Each payload must come out of the build as visible text and never as markup.
PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '{: onclick="x"}',
    "[x](javascript:alert(1))",
    "| a | b |",
    "`tick` ``two``",
    "{{ 7*7 }}",
    "{% raw %}",
    "]]",
    '"quoted"',
    "<style>body{color:red}</style>",
    "<a href='javascript:alert(2)'>a</a>",
)
SHORT = " ".join(PAYLOADS[:6]) + ' {{ 7*7 }} {% raw %} ]] " <style>x</style>'
LONG = "\n\n".join(PAYLOADS) + "\n\n# leading hash\n\n<div onmouseover=alert(3)>div</div>\n\n---\n\n    indented code?"
MARK = "ZQX"
ENCODED = "&lt;script&gt;alert(5)&lt;/script&gt; &#60;img src=x onerror=alert(6)&#62; &amp;lt;b&amp;gt;"
#: The documented safe Markdown subset of long fields, which must survive as markup.
SAFE_SUBSET = "Safe *emphasis* and **strong** words.\n\n- first item\n- second item\n\n1. numbered"  # a word every payload field carries, to find it again in the output


def short(label: str) -> str:
    """A short-field payload (one line, under 200 characters) with a findable label."""
    return f"# {MARK}{label} {SHORT}"[:199]


def rich(label: str, extra: str = "") -> str:
    return f"{MARK}{label} {LONG}{extra}"


def _write(path: Path, values: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # JSON strings are valid YAML double-quoted scalars, so every payload arrives unchanged.
    lines = json.dumps(values, ensure_ascii=False, indent=2)
    path.write_text(lines + "\n", encoding="utf-8")


def make_hostile_content(content: Path) -> None:
    _write(
        content / "entities" / "alpha.yaml",
        {
            "type": "company",
            "name": short("name"),
            "aliases": [{"name": short("alias"), "lang": "ru", "note": short("aliasnote")}],
            "summary": rich("summary", " [[src-one]] and [[beta]]"),
            "description": rich("description"),
            "facts": {"industry": {"value": rich("fact"), "sources": ["src-one"]}},
            "relationships": [
                {"type": "headquartered-in", "target": "gamma", "note": rich("relnote"), "sources": ["src-one"]}
            ],
            "tags": ["safe-tag"],
        },
    )
    # The vocabulary's words reach pages, the graph and the navigation too.
    (content / "vocabulary.yaml").write_text(
        yaml.safe_dump(
            {
                "extends": "default",
                "entity_types": {
                    "legal-instrument": {
                        "label": short("typelabel"),
                        "plural": short("typeplural"),
                        "description": short("typedoc"),
                    }
                },
                "relation_types": {"enacted-by": {"label": short("rellabel"), "inverse": short("relinverse")}},
                "wording": {"lifecycle_section": short("wording"), "event_lifecycle_section": short("eventwording")},
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    _write(
        content / "entities" / "beta.yaml",
        {
            "type": "legal-instrument",
            "name": short("rule"),
            "summary": rich("rulesummary", " [[src-one]]"),
            "relationships": [
                {
                    "type": "enacted-by",
                    "target": "alpha",
                    # no '*' or '_': this list is written as an HTML block (relnote's goes through Markdown)
                    "note": rich("enacted").replace("*", "x").replace("_", "x"),
                    "sources": ["src-one"],
                }
            ],
            "lifecycle": [
                {
                    "state": "adopted",
                    "date": "2025-01",
                    "note": rich("lifecycle"),
                    "event": "ev-one",
                    "sources": ["src-one"],
                }
            ],
        },
    )
    _write(
        content / "entities" / "gamma.yaml",
        {
            "type": "place",
            "name": short("place"),
            "summary": rich("placesummary", " [[src-one]]"),
            "description": SAFE_SUBSET,
        },
    )
    # Entities typed as text: striptags in <title> and the navigation decodes them.
    _write(
        content / "entities" / "delta.yaml",
        {
            "type": "place",
            "name": ENCODED,
            "aliases": [{"name": ENCODED}],
            "summary": f"{ENCODED} [[src-one]]",
            "relationships": [{"type": "part-of", "target": "gamma", "note": ENCODED, "sources": ["src-one"]}],
        },
    )
    _write(
        content / "events" / "ev-one.yaml",
        {
            "date": "2025-01-15",
            "title": short("eventtitle"),
            "summary": rich("eventsummary", " [[alpha]] [[src-one]]"),
            "description": rich("eventdescription"),
            "participants": [{"entity": "alpha", "role": short("role")}],
            "place": "gamma",
            "sources": ["src-one"],
        },
    )
    _write(
        content / "sources" / "src-one.yaml",
        {
            "title": short("sourcetitle"),
            "title_en": short("sourcetitleen"),
            "kind": "news-article",
            "publisher": "alpha",
            "date": "2025-01-16",
            "language": "en",
            "url": "https://example.org/a?q=%3Cscript%3E&x='\"><b>",
            "note": rich("sourcenote"),
        },
    )
    pages = content / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    front = yaml.safe_dump({"title": short("hometitle")}, allow_unicode=True, width=1000)
    (pages / "index.md").write_text(
        f"---\n{front}---\n\nWelcome. {MARK}pagebody {SHORT}\n\nSee [[alpha]].\n", encoding="utf-8"
    )
    front = yaml.safe_dump({"title": short("abouttitle")}, allow_unicode=True, width=1000)
    (pages / "about.md").write_text(f"---\n{front}---\n\n# About\n\n{MARK}aboutbody {LONG}\n", encoding="utf-8")


def make_hostile_project(folder: Path) -> Path:
    """A project folder with the hostile content and an mkdocs.yml pointing at it."""
    content = folder / "content"
    make_hostile_content(content)
    config_text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config_text = config_text.replace("custom_dir: theme", f"custom_dir: {ROOT / 'theme'}")
    (folder / "mkdocs.yml").write_text(config_text, encoding="utf-8")
    return folder
