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
from ..pieces import EveryPiece
from ..richtext import plain_text
from ..schema import KIND_FOLDERS, RECORD_KINDS
from ..settings import SiteSettings
from .feed import FEED_PATH, atom_feed
from .rows import ROW_BUILDERS, document_head, former_ids

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
        for row in rows.get(table, ()):
            for column in columns:
                text = row.get(column)
                if text:
                    row[f"{column}_links"] = list(
                        dict.fromkeys(m.group(1).strip() for m in TEXT_LINK_RE.finditer(text))
                    )
                    row[column] = plain_text(dossier, text)


def csv_tables(kind: str, row: dict) -> dict[str, list[dict]]:
    """One record's rows of the CSV tables (keyed like :data:`CSV_TABLES`), from its row of the JSON document.

    A record's nested rows (aliases, facts, relationships ...) become rows of their own tables,
    with the id of the record they belong to as their first column.
    """
    if kind == "entity":
        return {
            "entities": [dict(row)],
            "relationships": [dict(relationship) for relationship in row["relationships"]],
            "aliases": [{"entity": row["id"], **alias} for alias in row["aliases"]],
            "facts": [{"entity": row["id"], "key": key, **fact} for key, fact in row["facts"].items()],
            "lifecycle": [{"entity": row["id"], **state} for state in row["lifecycle"]],
        }
    if kind == "event":
        return {
            "events": [dict(row)],
            "participants": [
                {"event": row["id"], "date": row["date"], **participant} for participant in row["participants"]
            ],
        }
    excerpts = []
    for excerpt in row["excerpts"]:
        excerpt_row = {"source": row["id"], **excerpt}
        excerpt_row.update(excerpt_row.pop("location") or {})
        excerpts.append(excerpt_row)
    return {"sources": [dict(row)], "excerpts": excerpts}


def csv_path(table: str) -> str:
    return f"{DATA_DIR}/{table}.csv"


def _json_text(document) -> str:
    """Compact JSON: Python's fast C encoder serves only unindented output (an indented dossier of
    10,000 records took 5 s to write); browsers and ``jq`` lay it out for reading."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _csv_lines(columns: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    for row in rows:
        writer.writerow({column: spreadsheet_safe(row.get(column)) for column in columns})
    return buffer.getvalue()


def _csv_header(columns: list[str]) -> str:
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n").writeheader()
    return buffer.getvalue()


@dataclass(frozen=True)
class RecordData:
    """What one record gives the data files: its row of the JSON document, as JSON text, and its
    rows of each CSV table, as CSV text with their number."""

    json: str
    csv: dict[str, tuple[str, int]]


def record_data(dossier: Dossier, kind: str, record_id: str, settings: SiteSettings) -> RecordData:
    """One record's part of ``dossier.json`` and of the CSV tables.

    The files are these parts joined in order, so the preview keeps each record's part from
    build to build (:mod:`generator.pieces`) and builds again only those of the records a change
    reaches; a one-off build makes them all.
    """
    row = ROW_BUILDERS[kind](dossier, getattr(dossier, KIND_FOLDERS[kind])[record_id], settings)
    tables = csv_tables(kind, row)
    _readable(dossier, tables)
    return RecordData(
        _json_text(row),
        {table: (_csv_lines(CSV_TABLES[table][0], rows), len(rows)) for table, rows in tables.items() if rows},
    )


def _record_order(dossier: Dossier) -> dict[str, list[str]]:
    """The records of each kind in the files' order: by id, and events oldest first in the CSV tables."""
    order = {kind: sorted(getattr(dossier, KIND_FOLDERS[kind])) for kind in RECORD_KINDS}
    order["event-csv"] = [event.id for event in dossier.events_in_order]
    return order


def build_data_files(
    dossier: Dossier, settings: SiteSettings | None = None, pieces=None
) -> tuple[dict[str, str], list[Download]]:
    """Every data file of the site, and the list the data page shows (in the page's order).

    Each record's part of the JSON, CSV and FollowTheMoney files comes through ``pieces``
    (:mod:`generator.pieces`; every part is made without one), which the preview uses to keep
    the parts a change does not reach.
    """
    from .ftm import ftm_lines  # imports followthemoney, which is slow to load: only when exporting

    settings = settings or SiteSettings()
    files: dict[str, str] = {}
    downloads: list[Download] = []

    pieces = pieces or EveryPiece(dossier)
    order = _record_order(dossier)
    parts: dict[tuple[str, str], RecordData] = {
        (kind, record_id): pieces(("data", kind, record_id), record_data, pieces.view, kind, record_id, settings)
        for kind in RECORD_KINDS
        for record_id in order[kind]
    }
    # The document: its head, the lists of records, the former ids; as one json.dumps would write it.
    document = [_json_text(document_head(dossier, settings))[:-1]]
    for kind in RECORD_KINDS:
        records = ",".join(parts[kind, record_id].json for record_id in order[kind])
        document.append(f',"{KIND_FOLDERS[kind]}":[{records}]')
    document.append(',"former_ids":' + _json_text(former_ids(dossier)) + "}\n")
    files[DOSSIER_JSON_PATH] = "".join(document)
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

    csv_order = [("entity", order["entity"]), ("event", order["event-csv"]), ("source", order["source"])]
    for table, (columns, description) in CSV_TABLES.items():
        path = csv_path(table)
        texts, count = [_csv_header(columns)], 0
        for kind, record_ids in csv_order:
            for record_id in record_ids:
                text, rows = parts[kind, record_id].csv.get(table, ("", 0))
                texts.append(text)
                count += rows
        files[path] = "".join(texts)
        downloads.append(
            Download(path, f"{table.capitalize()} (CSV)", description, len(files[path].encode("utf-8")), count)
        )

    lines = ftm_lines(dossier, settings, pieces)
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
