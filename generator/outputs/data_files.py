"""The data page's downloads: one JSON file, CSV tables per kind, FollowTheMoney entities, the feed.

:func:`build_data_files` maps site paths (``data/dossier.json`` ...) to file text.  Everything
is derived from the linked :class:`~generator.link.Dossier` and sorted by id, with no build
time in it, so two builds of the same records give byte-identical files.

The JSON document and the CSV tables hold the same rows (:mod:`.rows`): each CSV table is a
projection of the document, so a column has the name and the value of the JSON field it shows.
Record text stays plain data here: JSON strings, CSV cells and FtM property values are never
markup.  Rich text keeps its ``[[id]]`` links as written in the JSON; a CSV cell holds it as a
reader sees it (:func:`generator.richtext.plain_text`) with the ids beside it, and cells that a
spreadsheet would read as a formula are prefixed with a single quote.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from ..check import TEXT_LINK_RE
from ..link import Dossier
from ..richtext import plain_text
from ..settings import SiteSettings
from .feed import FEED_PATH, atom_feed
from .rows import dossier_document

DATA_DIR = "data"
DOSSIER_JSON_PATH = f"{DATA_DIR}/dossier.json"
FTM_PATH = f"{DATA_DIR}/entities.ftm.json"
#: Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Download:
    """One file of the data page: where it lives, what it holds, how big it is."""

    path: str
    title: str
    description: str
    size: int
    count: int | None = None
    count_nouns: tuple[str, str] = ("row", "rows")  # singular, plural

    @property
    def count_text(self) -> str:
        """'1 row', '12 rows'; empty when the file has no count."""
        if self.count is None:
            return ""
        return f"{self.count} {self.count_nouns[0] if self.count == 1 else self.count_nouns[1]}"


def spreadsheet_safe(value) -> str:
    """A CSV cell: None as empty, lists joined, and formula-looking text defused with a quote."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = LIST_SEPARATOR.join(str(item) for item in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _csv_text(columns: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: spreadsheet_safe(row.get(column)) for column in columns})
    return buffer.getvalue()


#: CSV tables: file name -> (columns, description).  Rows are built by :func:`csv_tables`.
CSV_TABLES: dict[str, tuple[list[str], str]] = {
    "entities": (
        ["id", "type", "name", "summary", "description", "tags", "sources", "url", "former_ids"],
        "one row per entity",
    ),
    "events": (
        [
            "id",
            "date",
            "date_precision",
            "qualifier",
            "title",
            "summary",
            "place",
            "topics",
            "tags",
            "sources",
            "url",
            "former_ids",
        ],
        "one row per event, oldest first",
    ),
    "sources": (
        [
            "id",
            "title",
            "title_en",
            "source_kind",
            "publisher",
            "date",
            "qualifier",
            "language",
            "url",
            "relays",
            "note",
            "former_ids",
        ],
        "one row per source",
    ),
    "relationships": (
        ["subject", "type", "label", "inverse_label", "object", "since", "until", "qualifier", "note", "sources"],
        "one row per typed relationship, as declared by its subject",
    ),
    "participants": (["event", "date", "entity", "role"], "one row per entity taking part in an event"),
    "aliases": (["entity", "name", "lang", "note"], "one row per other name of an entity"),
    "facts": (["entity", "key", "value", "sources"], "one row per key fact of an entity"),
    "lifecycle": (
        ["entity", "state", "date", "qualifier", "event", "note", "sources"],
        "one row per dated state of an entity that has a lifecycle",
    ),
    "excerpts": (
        [
            "source",
            "id",
            "citation",
            "quote",
            "translation",
            "lang",
            "section",
            "paragraph",
            "page",
            "timestamp",
            "voice",
            "voice_chain",
            "voice_text",
            "note",
            "cited_by",
        ],
        "one row per quoted passage of a source, with whose voice it is and the records resting on it",
    ),
}


#: Rich-text columns of the CSV tables: the cell holds the text as a reader sees it ([[links]] become
#: names, citations go), and a ``<column>_links`` column beside it lists the ids the text names
#: (``source-id#excerpt-id`` for a citation).  The JSON keeps the text as written.
CSV_RICH_COLUMNS: dict[str, tuple[str, ...]] = {
    "entities": ("summary", "description"),
    "events": ("summary",),
    "sources": ("note",),
    "relationships": ("note",),
    "facts": ("value",),
    "lifecycle": ("note",),
}
for _table, _rich_columns in CSV_RICH_COLUMNS.items():
    _columns = CSV_TABLES[_table][0]
    for _column in _rich_columns:
        _columns.insert(_columns.index(_column) + 1, f"{_column}_links")


def _readable(dossier: Dossier, rows: dict[str, list[dict]]) -> None:
    for table, columns in CSV_RICH_COLUMNS.items():
        for row in rows[table]:
            for column in columns:
                text = row.get(column)
                if text:
                    row[f"{column}_links"] = list(
                        dict.fromkeys(m.group(1).strip() for m in TEXT_LINK_RE.finditer(text))
                    )
                    row[column] = plain_text(dossier, text)


def csv_rows(dossier: Dossier, document: dict) -> dict[str, list[dict]]:
    """The rows of every CSV table, keyed like :data:`CSV_TABLES`: the JSON document's rows.

    A record's nested rows (aliases, facts, relationships ...) become rows of their own tables,
    with the id of the record they belong to as their first column; events come oldest first.
    """
    rows: dict[str, list[dict]] = {name: [] for name in CSV_TABLES}
    for entity in document["entities"]:
        rows["entities"].append(dict(entity))
        rows["relationships"].extend(dict(relationship) for relationship in entity["relationships"])
        rows["aliases"].extend({"entity": entity["id"], **alias} for alias in entity["aliases"])
        rows["facts"].extend({"entity": entity["id"], "key": key, **fact} for key, fact in entity["facts"].items())
        rows["lifecycle"].extend({"entity": entity["id"], **state} for state in entity["lifecycle"])
    events_by_id = {event["id"]: event for event in document["events"]}
    for event in (events_by_id[e.id] for e in dossier.events_in_order):
        rows["events"].append(dict(event))
        rows["participants"].extend(
            {"event": event["id"], "date": event["date"], **participant} for participant in event["participants"]
        )
    for source in document["sources"]:
        rows["sources"].append(dict(source))
        for excerpt in source["excerpts"]:
            row = {"source": source["id"], **excerpt}
            row.update(row.pop("location") or {})
            rows["excerpts"].append(row)
    _readable(dossier, rows)
    return rows


def csv_path(table: str) -> str:
    return f"{DATA_DIR}/{table}.csv"


def _json_text(document) -> str:
    """Compact JSON: Python's fast C encoder serves only unindented output (an indented dossier of
    10,000 records took 5 s to write); browsers and ``jq`` lay it out for reading."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def build_data_files(dossier: Dossier, settings: SiteSettings | None = None) -> tuple[dict[str, str], list[Download]]:
    """Every data file of the site, and the list the data page shows (in the page's order)."""
    from .ftm import ftm_lines  # imports followthemoney, which is slow to load: only when exporting

    settings = settings or SiteSettings()
    files: dict[str, str] = {}
    downloads: list[Download] = []

    document = dossier_document(dossier, settings)
    files[DOSSIER_JSON_PATH] = _json_text(document)
    counts = dossier.counts()
    downloads.append(
        Download(
            DOSSIER_JSON_PATH,
            "The whole dossier (JSON)",
            "every record as written, with relations in both directions, event roles, mentions and citations resolved",
            len(files[DOSSIER_JSON_PATH].encode("utf-8")),
            sum(counts.values()),
            ("record", "records"),
        )
    )

    for table, table_rows in csv_rows(dossier, document).items():
        columns, description = CSV_TABLES[table]
        path = csv_path(table)
        files[path] = _csv_text(columns, table_rows)
        downloads.append(
            Download(
                path, f"{table.capitalize()} (CSV)", description, len(files[path].encode("utf-8")), len(table_rows)
            )
        )

    lines = ftm_lines(dossier, settings)
    files[FTM_PATH] = "".join(line + "\n" for line in lines)
    downloads.append(
        Download(
            FTM_PATH,
            "FollowTheMoney entities (line-delimited JSON)",
            "for Aleph, OpenSanctions tools and the ftm command line: organizations, people, places, assets, "
            "relationships, events and the sources that document them",
            len(files[FTM_PATH].encode("utf-8")),
            len(lines),
            ("entity", "entities"),
        )
    )

    files[FEED_PATH] = atom_feed(dossier, settings)
    downloads.append(
        Download(
            FEED_PATH,
            "Atom feed of events",
            "every event, newest first, for a feed reader; dates are the events' own",
            len(files[FEED_PATH].encode("utf-8")),
            len(dossier.events),
            ("entry", "entries"),
        )
    )
    return files, downloads
