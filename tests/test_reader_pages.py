"""Reader pages as the engine renders them: timeline data for the filters, the graph data, entity
pages grouped by role, lifecycle spans, and the words the Chinese search segmenter must keep whole."""

from __future__ import annotations

import json
import re
from pathlib import Path

import markdown
from conftest import MINI, ROOT, write_record

from generator.build import SiteBuild
from generator.outputs.graph import GRAPH_PATH, build_graph, graph_json
from generator.pipeline import load_dossier
from generator.searchwords import han_names
from generator.settings import SiteSettings

HOSTILE_NAME = '<img src=x onerror=alert(1)> "Evil" & {: .x } [[acme]]'


def _render(content: Path) -> dict[str, str]:
    return SiteBuild(load_dossier(content).dossier).render_all()


def _html(markdown_text: str) -> str:
    body = markdown_text.split("\n---\n", 1)[1] if markdown_text.startswith("---") else markdown_text
    return markdown.markdown(body, extensions=["tables", "attr_list", "toc"])


def _add_hostile_participant(content: Path) -> None:
    write_record(
        content,
        "entities",
        "evil-corp",
        f"""type: company
name: {json.dumps(HOSTILE_NAME)}
summary: A company with a hostile name. [[paper-2025]]
relationships:
  - type: partner-of
    target: acme
    sources: [paper-2025]
""",
    )
    write_record(
        content,
        "events",
        "2024-evil-event",
        """date: '2024'
title: Evil Corp meets Acme
summary: They met. [[paper-2025]]
participants:
  - entity: evil-corp
    role: host
  - entity: acme
place: exampleland
tags: [meeting]
sources: [paper-2025]
""",
    )


def test_timeline_items_carry_filter_data_from_the_records(mini_content):
    _add_hostile_participant(mini_content)
    html = _html(_render(mini_content)["timeline.md"])
    items = re.findall(r"<li ([^>]*)>", html)
    dossier = load_dossier(mini_content).dossier
    assert len(items) == len(dossier.events)
    attributes = [dict(re.findall(r'(data-[a-z]+)="([^"]*)"', item)) for item in items]
    assert [a["data-date"] for a in attributes] == [e.date.iso() for e in dossier.events_in_order]
    evil = next(a for a in attributes if "evil-corp" in a["data-participants"].split())
    assert evil == {
        "data-date": "2024",
        "data-types": "company place",
        "data-participants": "evil-corp acme",
        "data-tags": "meeting",
    }
    for item in attributes:  # only ids, tags, type names and dates: nothing a record could smuggle markup through
        assert all(re.fullmatch(r"[a-z0-9 -]*", value) for value in item.values()), item


def test_timeline_filter_form_escapes_names_and_stays_hidden_without_script(mini_content):
    _add_hostile_participant(mini_content)
    html = _html(_render(mini_content)["timeline.md"])
    form = re.search(r'<form class="dossier-filters" id="timeline-filters" hidden[^>]*>.*?</form>', html, re.S)
    assert form, "the filter form is rendered, hidden until the script shows it"
    assert "<img" not in form.group(0) and "&lt;img src=x onerror=alert(1)&gt;" in form.group(0)
    assert '<option value="evil-corp">' in form.group(0)
    assert re.findall(r'<option value="([^"]*)"', form.group(0))[:1] == [""]
    # month fields are text with a YYYY-MM pattern, their placeholders the first and last month of the events
    placeholders = re.findall(r'name="(from|to)"[^>]*placeholder="([^"]*)"', form.group(0))
    assert placeholders == [("from", "2024-01"), ("to", "2025-12")]


def test_graph_data_lists_every_entity_and_relationship(mini_content):
    _add_hostile_participant(mini_content)
    dossier = load_dossier(mini_content).dossier
    pages = SiteBuild(dossier).render_all()
    graph = json.loads(pages[GRAPH_PATH])
    assert {node["id"] for node in graph["nodes"]} == set(dossier.entities)
    declared = sum(len(entity.relationships) for entity in dossier.entities.values())
    assert len(graph["edges"]) == declared
    degree = {node["id"]: node["degree"] for node in graph["nodes"]}
    assert degree["evil-corp"] == 1 and degree["acme"] >= 2
    evil = next(node for node in graph["nodes"] if node["id"] == "evil-corp")
    assert evil["label"] == HOSTILE_NAME and evil["url"] == "entities/evil-corp/" and evil["type"] == "company"
    assert "<" not in pages[GRAPH_PATH] and "&" not in pages[GRAPH_PATH]  # safe even if inlined in HTML
    partner = next(edge for edge in graph["edges"] if edge["source"] == "evil-corp")
    assert partner == {
        "source": "evil-corp",
        "target": "acme",
        "type": "partner-of",
        "label": "partner of",
        "since": None,
        "until": None,
    }
    develops = next(edge for edge in graph["edges"] if edge["source"] == "acme" and edge["target"] == "widget-x")
    assert (develops["since"], develops["until"]) == ("2024", None)
    assert graph["rules"] == [{"id": "export-rule", "states": [["2025-01", "adopted"], ["2025-05", "rescinded"]]}]
    assert "effective" in graph["inForce"] and "rescinded" not in graph["inForce"]
    paper = next(source for source in graph["sources"] if source["id"] == "paper-2025")
    assert paper["relays"] == ["insiders"] and "acme" in paper["cited_by"] and paper["url"] == "sources/paper-2025/"
    assert graph["limits"]["whole"] >= 100


def test_graph_urls_follow_the_url_style(mini_content):
    dossier = load_dossier(mini_content).dossier
    flat = json.loads(graph_json(build_graph(dossier, SiteSettings(directory_urls=False))))
    assert {node["url"] for node in flat["nodes"]} == {f"entities/{i}.html" for i in dossier.entities}


def test_graph_page_lists_the_relations_for_readers_without_javascript(mini_content):
    _add_hostile_participant(mini_content)
    html = _html(_render(mini_content)["graph.md"])
    assert '<div class="dossier-graph" data-graph-focus="" hidden></div>' in html
    assert re.search(r'<a href="entities/evil-corp.md"[^>]*>&#60;img src&#61;x onerror&#61;alert&#40;1&#41;&#62;', html)
    assert "<img" not in html
    listed = re.findall(r"<li>", html.split('id="all-relationships"', 1)[1])
    assert len(listed) == sum(len(e.relationships) for e in load_dossier(mini_content).dossier.entities.values())


def test_entity_page_groups_relationships_by_direction_and_events_by_role(mini_content):
    _add_hostile_participant(mini_content)
    text = _render(mini_content)["entities/acme.md"]
    relationships = text.split("## Relationships", 1)[1].split("\n## ", 1)[0]
    assert 'data-graph-focus="acme"' in relationships
    declared, received = relationships.split("### Others → Acme Group")
    assert "### Acme Group → others" in declared and "**Develops** →" in declared
    # each group's list is an HTML block, with the built pages' addresses
    assert "**Located in** →" in declared and '<a href="../widget-x/"' in declared
    assert "**Partner of** ←" in received and '<a href="../evil-corp/"' in received
    timeline = text.split("## Timeline", 1)[1].split("\n## ", 1)[0]
    assert "### As a participant" in timeline
    rows = [line for line in timeline.splitlines() if line.startswith("| ") and "events/" in line]
    assert rows[0].startswith("| 2024 |") and "| host |" not in rows[0]  # acme's own role, not the host's
    order = [re.search(r"events/([a-z0-9-]+)\.md", row).group(1) for row in rows]
    assert order == ["2024-evil-event", "2025-01-rule-adopted", "2025-03-02-acme-report"]  # oldest first
    place_page = _render(mini_content)["entities/exampleland.md"]
    assert "### As the place" in place_page


def test_lifecycle_says_until_when_each_state_held(mini_content):
    text = _render(mini_content)["entities/export-rule.md"]
    rows = [line for line in text.split("## Lifecycle", 1)[1].splitlines() if line.startswith("| ") and "**" in line]
    assert rows[0].startswith("| mid-January 2025 | **Adopted** | May 2025 (rescinded) |")
    assert rows[1].startswith("| May 2025 | **Rescinded** | latest state |")


def test_boilerplate_sections_are_left_out_of_the_search_index(mini_content):
    html = _html(_render(mini_content)["entities/acme.md"])
    for heading in ("References", "Mentioned in"):
        assert re.search(rf"<h2 data-search-exclude[^>]*>{heading}</h2>", html), heading


def test_search_indexes_chinese_aliases_by_suffix_and_leaves_excluded_sections_out():
    """Pagefind matches words by prefix: each suffix of a Chinese name makes every part findable."""
    from generator.search import alias_words, ignore_sections

    words = alias_words(["阿里巴巴集团", "Алибаба", "Alibaba  Group"]).split(" ")
    assert words[:3] == ["阿里巴巴集团", "里巴巴集团", "巴巴集团"] and "集团" in words and "团" in words
    assert "Алибаба" in words and "Alibaba" in words and "Group" in words
    html = (
        '<h1 id="a">A</h1><p>kept</p><h2 data-search-exclude id="r">References</h2><ol><li>x</li></ol>'
        '<h3 data-search-exclude id="s">Sub</h3><p>y</p><h2 id="d">Description</h2><p>z</p>'
    )
    wrapped = ignore_sections(html)
    assert wrapped == (
        '<h1 id="a">A</h1><p>kept</p><div data-pagefind-ignore><h2 data-search-exclude id="r">'
        'References</h2><ol><li>x</li></ol><h3 data-search-exclude id="s">Sub</h3><p>y</p></div>'
        '<h2 id="d">Description</h2><p>z</p>'
    )


def test_chinese_names_are_taught_to_the_segmenter_whole():
    import jieba

    from generator.mkdocs_plugin import _teach_search_segmenter

    dossier = load_dossier(ROOT / "content").dossier
    names = han_names(dossier)
    assert "深度求索" in names and "阿里巴巴" in names
    assert all(re.search(r"[\u4e00-\u9fff]", name) for name in names)
    _teach_search_segmenter(names)
    assert "深度求索" in list(jieba.cut("深度求索公司的模型"))


def test_only_names_in_han_script_are_segmenter_words():
    assert han_names(load_dossier(MINI).dossier) == ["阿克米"]  # not "Acme Group", not "Акме"
