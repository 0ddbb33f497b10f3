"""Data exports: every file is read back (JSON, CSV, FollowTheMoney through followthemoney itself)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import ROOT, make_project, mkdocs_build, write_record
from followthemoney import model

from generator.check import TEXT_LINK_RE
from generator.outputs import data_files
from generator.outputs.feed import FEED_PATH
from generator.pipeline import load_dossier
from generator.richtext import plain_text
from generator.settings import SiteSettings

SITE_META = SiteSettings(name="Test dossier", site_url="https://example.org/dossier/", directory_urls=True)
HOSTILE_NAME = '=HYPERLINK("http://evil.example/","click")'
HOSTILE_SUMMARY = '<script>alert(1)</script> -2+3 @SUM(A1) "quoted" & [[acme]] [[paper-2025]]'


@pytest.fixture(scope="module")
def real_dossier():
    return load_dossier(ROOT / "content").dossier


@pytest.fixture(scope="module")
def real_exports(real_dossier):
    return data_files.build_data_files(real_dossier, SITE_META)


@pytest.fixture
def hostile_dossier(mini_content):
    write_record(
        mini_content,
        "entities",
        "hostile-corp",
        f"""type: company
name: '{HOSTILE_NAME.replace("'", "''")}'
aliases:
  - name: '+7 495 000-00-00'
  - name: '@handle'
    lang: en
summary: '{HOSTILE_SUMMARY}'
relationships:
  - type: owns
    target: acme
    sources: [paper-2025]
  - type: partner-of
    target: daily-paper
    note: '-1 </td><img src=x onerror=alert(1)>'
    sources: [paper-2025]
""",
    )
    return load_dossier(mini_content).dossier


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_dossier_json_holds_every_record_with_its_counts(real_dossier, real_exports):
    files, _downloads = real_exports
    document = json.loads(files[data_files.DOSSIER_JSON_PATH])
    assert document["counts"] == real_dossier.counts()
    assert [e["id"] for e in document["entities"]] == sorted(real_dossier.entities)
    assert [e["id"] for e in document["events"]] == sorted(real_dossier.events)
    assert [s["id"] for s in document["sources"]] == sorted(real_dossier.sources)
    by_id = {e["id"]: e for e in document["entities"]}
    for entity in real_dossier.entities.values():
        exported = by_id[entity.id]
        assert exported["name"] == entity.name
        assert exported["summary"] == entity.summary
        assert [a["name"] for a in exported["aliases"]] == [a.name for a in entity.aliases]
        assert len(exported["relationships"]) == len(entity.relationships)


def test_dossier_json_resolves_inverse_relations_on_both_ends(real_dossier, real_exports):
    files, _downloads = real_exports
    by_id = {e["id"]: e for e in json.loads(files[data_files.DOSSIER_JSON_PATH])["entities"]}
    checked = 0
    for entity in real_dossier.entities.values():
        for relationship in entity.relationships:
            relation = real_dossier.vocabulary.relation_types_by_name[relationship.type]
            outgoing = {
                "label": relation.label,
                "type": relationship.type,
                "direction": "outgoing",
                "other": relationship.target,
                "declared_by": entity.id,
            }
            incoming = {
                "label": relation.inverse_label,
                "type": relationship.type,
                "direction": "incoming",
                "other": entity.id,
                "declared_by": entity.id,
            }
            assert outgoing in by_id[entity.id]["relations"]
            assert incoming in by_id[relationship.target]["relations"]
            checked += 1
    assert checked > 20  # the real dossier has many relationships; an empty check would prove nothing
    total_views = sum(len(e["relations"]) for e in by_id.values())
    assert total_views == 2 * checked


def test_dossier_json_lists_event_roles_and_citations(real_dossier, real_exports):
    files, _downloads = real_exports
    document = json.loads(files[data_files.DOSSIER_JSON_PATH])
    by_id = {e["id"]: e for e in document["entities"]}
    for entity_id, roles in real_dossier.events_by_entity.items():
        assert sorted((r["event"], r["role"]) for r in by_id[entity_id]["events"]) == sorted(
            (r.event.id, r.role) for r in roles
        )
    sources = {s["id"]: s for s in document["sources"]}
    for source_id in real_dossier.sources:
        citations = real_dossier.citations_by_source.get(source_id, [])
        assert len(sources[source_id]["cited_by"]) == len(citations)
    assert sum(len(s["cited_by"]) for s in sources.values()) > 0


def test_csv_tables_read_back_row_for_row(real_dossier, real_exports):
    files, downloads = real_exports
    tables = {name: read_csv(files[data_files.csv_path(name)]) for name in data_files.CSV_TABLES}
    for name, (columns, _description) in data_files.CSV_TABLES.items():
        header = next(csv.reader(io.StringIO(files[data_files.csv_path(name)])))
        assert header == columns, name
    assert [row["id"] for row in tables["entities"]] == sorted(real_dossier.entities)
    assert [row["id"] for row in tables["events"]] == [e.id for e in real_dossier.events_in_order]
    assert len(tables["sources"]) == len(real_dossier.sources)
    assert len(tables["relationships"]) == sum(len(e.relationships) for e in real_dossier.entities.values())
    assert len(tables["participants"]) == sum(len(e.participants) for e in real_dossier.events.values())
    assert len(tables["aliases"]) == sum(len(e.aliases) for e in real_dossier.entities.values())
    assert len(tables["facts"]) == sum(len(e.facts) for e in real_dossier.entities.values())
    assert len(tables["lifecycle"]) == sum(len(e.lifecycle) for e in real_dossier.entities.values())
    aliases = {row["name"] for row in tables["aliases"]}
    assert any(any("\u0400" <= ch <= "\u04ff" for ch in name) for name in aliases), "a Russian alias survives"
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in name) for name in aliases), "a Chinese alias survives"
    counts = {d.path: d.count for d in downloads}
    for name in data_files.CSV_TABLES:
        assert counts[data_files.csv_path(name)] == len(tables[name])


def _json_rows_by_table(document: dict) -> dict[str, list[tuple[dict, dict]]]:
    """(JSON object, the columns its parent record gives) for each row each CSV table should hold."""
    entities, events, sources = document["entities"], document["events"], document["sources"]
    return {
        "entities": [(e, {}) for e in entities],
        "events": [(e, {}) for e in events],
        "sources": [(s, {}) for s in sources],
        "relationships": [(r, {}) for e in entities for r in e["relationships"]],
        "aliases": [(a, {"entity": e["id"]}) for e in entities for a in e["aliases"]],
        "facts": [(f, {"entity": e["id"], "key": k}) for e in entities for k, f in e["facts"].items()],
        "lifecycle": [(s, {"entity": e["id"]}) for e in entities for s in e["lifecycle"]],
        "participants": [(p, {"event": e["id"], "date": e["date"]}) for e in events for p in e["participants"]],
        "excerpts": [({**x, **(x["location"] or {})}, {"source": s["id"]}) for s in sources for x in s["excerpts"]],
    }


def test_every_csv_column_is_the_json_field_of_that_name_for_every_record(real_dossier, real_exports):
    """CSV and JSON hold the same rows: a column is named after a JSON field and holds its value
    (rich text as a reader sees it, with the ids it links in ``<column>_links``)."""
    files, _downloads = real_exports
    document = json.loads(files[data_files.DOSSIER_JSON_PATH])
    expected_by_table = _json_rows_by_table(document)
    assert set(expected_by_table) == set(data_files.CSV_TABLES)
    for table, (columns, _description) in data_files.CSV_TABLES.items():
        rich = data_files.CSV_RICH_COLUMNS.get(table, ())
        expected = []
        for json_row, parent in expected_by_table[table]:
            cells = {}
            for column in columns:
                if column in parent:
                    cells[column] = parent[column]
                    continue
                field = column.removesuffix("_links") if column.endswith("_links") else column
                assert field in json_row, f"{table}.csv column {column!r} is no field of the JSON row"
                value = json_row[field]
                if column.endswith("_links"):
                    value = [m.group(1).strip() for m in TEXT_LINK_RE.finditer(value or "")]
                    value = list(dict.fromkeys(value))
                elif column in rich and value:
                    value = plain_text(real_dossier, value)
                cells[column] = data_files.spreadsheet_safe(value)
            expected.append(tuple(cells[column] for column in columns))
        actual = [tuple(row[column] for column in columns) for row in read_csv(files[data_files.csv_path(table)])]
        assert len(actual) == len(expected) > 0, table
        assert sorted(actual) == sorted(expected), table


def test_a_sources_kind_has_one_name_in_json_and_csv(real_exports):
    files, _downloads = real_exports
    document = json.loads(files[data_files.DOSSIER_JSON_PATH])
    rows = {row["id"]: row for row in read_csv(files[data_files.csv_path("sources")])}
    assert "kind" not in next(iter(rows.values()))  # in the JSON, kind is the record's kind ("source")
    for source in document["sources"]:
        assert source["kind"] == "source" and rows[source["id"]]["source_kind"] == source["source_kind"]


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("=1+1", "'=1+1"),
        ("+7 495", "'+7 495"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        (None, ""),
        (("a", "b"), "a;b"),
        ("2025-01", "2025-01"),
    ],
)
def test_spreadsheet_formulas_are_defused(cell, expected):
    assert data_files.spreadsheet_safe(cell) == expected


def test_record_text_stays_plain_data_in_json_and_csv(hostile_dossier):
    files, _downloads = data_files.build_data_files(hostile_dossier, SITE_META)
    entity = next(e for e in json.loads(files[data_files.DOSSIER_JSON_PATH])["entities"] if e["id"] == "hostile-corp")
    assert entity["name"] == HOSTILE_NAME
    assert entity["summary"] == HOSTILE_SUMMARY
    row = next(r for r in read_csv(files[data_files.csv_path("entities")]) if r["id"] == "hostile-corp")
    assert row["name"] == "'" + HOSTILE_NAME
    # Readable text in the cell (links become names, citations go), the ids beside it; starts with '<',
    # which no spreadsheet evaluates.
    assert row["summary"] == '<script>alert(1)</script> -2+3 @SUM(A1) "quoted" & Acme Group'
    assert row["summary_links"] == "acme;paper-2025"
    aliases = [r["name"] for r in read_csv(files[data_files.csv_path("aliases")]) if r["entity"] == "hostile-corp"]
    assert aliases == ["'+7 495 000-00-00", "'@handle"]
    notes = [r["note"] for r in read_csv(files[data_files.csv_path("relationships")]) if r["subject"] == "hostile-corp"]
    assert "'-1 </td><img src=x onerror=alert(1)>" in notes
    for path, text in files.items():
        if path.endswith(".csv"):
            for row in csv.reader(io.StringIO(text)):
                assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), (path, row)


def _ftm_entities(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_ftm_lines_load_through_followthemoney_unchanged(real_exports):
    files, downloads = real_exports
    rows = _ftm_entities(files[data_files.FTM_PATH])
    assert rows and len({row["id"] for row in rows}) == len(rows)
    ids = {row["id"] for row in rows}
    for row in rows:
        proxy = model.get_proxy(row, cleaned=False)  # cleans every value through the FtM types
        assert proxy.to_dict() == row, row["id"]  # so nothing the builder wrote was invalid or dropped
        for prop in proxy.iterprops():
            if prop.type.name == "entity":  # no dangling references
                assert set(proxy.get(prop)) <= ids, (row["id"], prop.name, proxy.get(prop))
    assert {d.path: d.count for d in downloads}[data_files.FTM_PATH] == len(rows)
    schemata = {row["schema"] for row in rows}
    assert {"Company", "Person", "PublicBody", "Address", "Event", "Article", "Documentation"} <= schemata


def test_ftm_maps_types_relations_and_sources(mini_content):
    dossier = load_dossier(mini_content).dossier
    files, _downloads = data_files.build_data_files(dossier, SITE_META)
    by_id = {row["id"]: row for row in _ftm_entities(files[data_files.FTM_PATH])}
    assert by_id["dossier-entity-acme"]["schema"] == "Company"
    assert set(by_id["dossier-entity-acme"]["properties"]["alias"]) == {"Акме", "阿克米"}
    assert by_id["dossier-entity-acme"]["properties"]["addressEntity"] == ["dossier-entity-exampleland"]
    assert by_id["dossier-entity-acme"]["properties"]["sourceUrl"] == ["https://example.org/dossier/entities/acme/"]
    assert by_id["dossier-entity-daily-paper"]["schema"] == "Organization"
    assert by_id["dossier-entity-exampleland"]["schema"] == "Address"
    assert by_id["dossier-entity-widget-x"]["schema"] == "Asset"
    assert "dossier-entity-export-rule" not in by_id  # regulations have no FtM counterpart
    develops = by_id["dossier-link-acme.develops.widget-x"]
    assert develops["schema"] == "UnknownLink"
    assert develops["properties"] == {
        "subject": ["dossier-entity-acme"],
        "object": ["dossier-entity-widget-x"],
        "role": ["develops"],
        "startDate": ["2024"],
        "sourceUrl": ["https://example.org/acme"],
    }
    event = by_id["dossier-event-2025-03-02-acme-report"]
    assert event["schema"] == "Event"
    assert set(event["properties"]["involved"]) == {"dossier-entity-acme", "dossier-entity-daily-paper"}
    assert event["properties"]["date"] == ["2025-03-02"]
    article = by_id["dossier-source-paper-2025"]
    assert article["schema"] == "Article"
    assert article["properties"]["publisher"] == ["Daily Paper"]
    assert article["properties"]["publishedAt"] == ["2025-03-02"]
    documentation = by_id["dossier-documentation-paper-2025.acme"]
    assert documentation["properties"]["document"] == ["dossier-source-paper-2025"]
    assert documentation["properties"]["entity"] == ["dossier-entity-acme"]


def test_ftm_ownership_between_companies(hostile_dossier):
    files, _downloads = data_files.build_data_files(hostile_dossier, SITE_META)
    by_id = {row["id"]: row for row in _ftm_entities(files[data_files.FTM_PATH])}
    owns = by_id["dossier-link-hostile-corp.owns.acme"]
    assert owns["schema"] == "Ownership"
    assert owns["properties"]["owner"] == ["dossier-entity-hostile-corp"]
    assert owns["properties"]["asset"] == ["dossier-entity-acme"]
    assert by_id["dossier-entity-hostile-corp"]["properties"]["name"] == [HOSTILE_NAME]  # data, not markup
    model.get_proxy(by_id["dossier-entity-hostile-corp"], cleaned=False)


def test_exports_are_identical_from_build_to_build(real_dossier):
    first, _ = data_files.build_data_files(real_dossier, SITE_META)
    second, _ = data_files.build_data_files(real_dossier, SITE_META)
    assert first == second


def test_exports_run_in_a_fresh_interpreter_with_another_hash_seed(tmp_path):
    script = (
        "import sys, hashlib; from pathlib import Path; from generator.pipeline import load_dossier; "
        "from generator.outputs.data_files import build_data_files; from generator.settings import SiteSettings; "
        "files, _ = build_data_files(load_dossier(Path('content')).dossier, SiteSettings(site_url='https://example.org/')); "
        "print(hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest())"
    )
    digests = set()
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        )
        assert result.returncode == 0, result.stderr
        digests.add(result.stdout.strip())
    assert len(digests) == 1


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.in_article = False
        self.hrefs: list[str] = []
        self.feed_links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "article":
            self.in_article = True
        if tag == "a" and self.in_article and attributes.get("href"):
            self.hrefs.append(attributes["href"])
        if tag == "link" and attributes.get("type") == "application/atom+xml":
            self.feed_links.append(attributes.get("href", ""))

    def handle_endtag(self, tag):
        if tag == "article":
            self.in_article = False


@pytest.fixture(scope="module")
def built_mini_site(tmp_path_factory) -> Path:
    import shutil

    from conftest import MINI

    project = tmp_path_factory.mktemp("exports-project")
    content = project / "content"
    shutil.copytree(MINI, content)
    result = mkdocs_build(make_project(project, content), project / "site")
    assert result.returncode == 0, result.stderr
    assert not [line for line in result.stderr.splitlines() if line.startswith(("WARNING", "ERROR"))], result.stderr
    return project / "site"


def test_whole_build_publishes_every_export_and_the_data_page_links_resolve(built_mini_site):
    site = built_mini_site
    expected = [data_files.DOSSIER_JSON_PATH, data_files.FTM_PATH, FEED_PATH] + [
        data_files.csv_path(t) for t in data_files.CSV_TABLES
    ]
    for path in expected:
        assert (site / path).is_file(), path
    json.loads((site / data_files.DOSSIER_JSON_PATH).read_text(encoding="utf-8"))
    page = site / "data" / "index.html"
    parser = _Hrefs()
    parser.feed(page.read_text(encoding="utf-8"))
    base = "https://example.org/dossier/data/"
    linked = set()
    for href in parser.hrefs:
        url = urljoin(base, href)
        if not url.startswith("https://example.org/dossier/") or "#" in href:
            continue
        relative_path = urlsplit(url).path[len("/dossier/") :]
        target = site / relative_path
        if relative_path.endswith("/") or relative_path == "":
            target = target / "index.html"
        assert target.is_file(), href
        linked.add(relative_path)
    assert set(expected) <= linked, set(expected) - linked
    assert "schema/record.schema.json" in linked
    home = _Hrefs()
    home.feed((site / "index.html").read_text(encoding="utf-8"))
    assert home.feed_links == [FEED_PATH]


def test_data_page_states_sizes_and_counts(built_mini_site):
    text = (built_mini_site / "data" / "index.html").read_text(encoding="utf-8")
    entities_csv = (built_mini_site / "data" / "entities.csv").read_bytes()
    assert f"{len(read_csv(entities_csv.decode('utf-8')))} rows" in text
    assert f"{len(entities_csv)} bytes" in text  # the mini dossier's files are under a kilobyte


def test_cli_build_writes_the_exports_too(tmp_path, mini_content):
    out = tmp_path / "tree"
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--content", str(mini_content), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (out / "data.md").is_file()
    assert read_csv((out / data_files.csv_path("entities")).read_text(encoding="utf-8"))
    assert (out / FEED_PATH).read_text(encoding="utf-8").startswith("<?xml")


def test_a_dossier_of_a_thousand_records_exports_and_reads_back(thousand_record_content):
    dossier = load_dossier(thousand_record_content).dossier
    started = time.perf_counter()
    files, downloads = data_files.build_data_files(dossier, SITE_META)
    elapsed = time.perf_counter() - started
    assert elapsed < 30, f"exports took {elapsed:.1f} s"
    document = json.loads(files[data_files.DOSSIER_JSON_PATH])
    assert document["counts"] == dossier.counts() and sum(document["counts"].values()) == 1000
    relationships = sum(len(e.relationships) for e in dossier.entities.values())
    assert len(read_csv(files[data_files.csv_path("relationships")])) == relationships
    assert sum(len(e["relations"]) for e in document["entities"]) == 2 * relationships
    rows = _ftm_entities(files[data_files.FTM_PATH])
    for row in rows:
        assert model.get_proxy(row, cleaned=False).to_dict() == row
    assert {d.path: d.count for d in downloads}[data_files.FTM_PATH] == len(rows)
