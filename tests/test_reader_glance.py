"""Record pages, tag pages and the home page as a reader meets them (Markdown from the mini dossier)."""

from __future__ import annotations

import json

from conftest import MINI

from generator.build import SiteBuild
from generator.pipeline import load_dossier
from generator.render import language_name
from generator.searchindex import strip_citation_markers, tidy_search_index
from generator.settings import SiteSettings


def _pages() -> dict[str, str]:
    return SiteBuild(load_dossier(MINI).dossier).render_all()


def test_infoboxes_have_row_headings_and_no_field_value_header():
    pages = _pages()
    acme, paper = pages["entities/acme.md"], pages["sources/paper-2025.md"]
    for text in (acme, paper):
        assert "| Field | Value |" not in text
        assert '<table class="dossier-infobox" markdown="1" data-search-exclude>' in text
    assert '<th scope="row">Type</th><td markdown="span">[Company](../types/company.md)</td>' in acme
    # aliases stay searchable as a sentence, with the language named
    assert "Also known as Акме <small>(Russian)</small>; 阿克米 <small>(Chinese)</small>." in acme
    assert '<th scope="row">Language</th><td markdown="span">English</td>' in paper
    assert '<th scope="row">Kind</th><td markdown="span">News article</td>' in paper


def test_language_codes_read_as_names():
    assert language_name("ru") == "Russian"
    assert language_name("zh-Hant") == "Chinese (traditional)"
    assert language_name("en-GB") == "English (en-GB)"
    assert language_name("xx") == "xx"


def test_every_tag_has_a_page_listing_every_record_with_it():
    pages = _pages()
    dossier = load_dossier(MINI).dossier
    tags = {tag for record in [*dossier.entities.values(), *dossier.events.values()] for tag in record.tags}
    assert tags and {f"tags/{tag}.md" for tag in tags} <= set(pages)
    for tag in tags:
        page = pages[f"tags/{tag}.md"]
        for record in [*dossier.entities.values(), *dossier.events.values()]:
            folder = "entities" if record in dossier.entities.values() else "events"
            # the lists are HTML: the built pages' addresses
            assert (f'<a href="../../{folder}/{record.id}/"' in page) == (tag in record.tags), (tag, record.id)
        assert f"[{tag}](../tags/{tag}.md)" in pages["tags/index.md"] or f"[{tag}]({tag}.md)" in pages["tags/index.md"]
    assert "[chips](../tags/chips.md)" in pages["entities/acme.md"]


def test_relationship_headings_say_which_way_in_plain_words():
    acme = _pages()["entities/acme.md"]
    assert "### Acme Group → others" in acme and "Declared in this record" not in acme
    assert "### Others → Widget X" in _pages()["entities/widget-x.md"]


def test_timeline_entries_carry_summary_sources_and_date_kind():
    timeline = _pages()["timeline.md"]
    # each year's list is HTML, with the built pages' addresses
    entry = next(line for line in timeline.splitlines() if "events/2025-01-rule-adopted/" in line)
    assert entry.startswith('<li data-date="2025-01" ')
    # mid-January: not an exact date
    assert '<strong class="dossier-date dossier-date--approx" title="Not an exact date: mid-January 2025">' in entry
    assert 'Reported by <a href="../sources/paper-2025/"' in entry
    exact = next(line for line in timeline.splitlines() if "events/2025-03-02-acme-report/" in line)
    assert '<strong class="dossier-date">2 March 2025</strong>' in exact


def test_home_page_opens_with_key_players_time_span_and_ways_in():
    home = _pages()["index.md"]
    order = [
        home.index(heading) for heading in ("## Key players", "## At a glance", "## Ways in", "## In this dossier")
    ]
    assert order == sorted(order)
    assert "**Time span**: January 2025 to 2 March 2025 (2 dated events)." in home
    assert "[Timeline](timeline.md)" in home and "[Network](graph.md)" in home


def test_citation_markers_leave_the_search_index(tmp_path):
    assert (
        strip_citation_markers("model. <sup>[1]</sup> According <sup>[2]</sup> <sup>[3]</sup> to")
        == "model. According to"
    )
    assert strip_citation_markers("<sup>[1]</sup><sup>[12]</sup>") == ""
    assert strip_citation_markers("x<sup>2</sup>") == "x<sup>2</sup>"  # not a marker
    index = tmp_path / "search" / "search_index.json"
    index.parent.mkdir()
    index.write_text(
        json.dumps(
            {"config": {}, "docs": [{"location": "a/", "title": "A", "text": "<p>One. <sup>[1]</sup> Два.</p>"}]}
        ),
        encoding="utf-8",
    )
    assert tidy_search_index(tmp_path)
    assert json.loads(index.read_text(encoding="utf-8"))["docs"][0]["text"] == "<p>One. Два.</p>"
    assert not tidy_search_index(tmp_path / "nothing")


def test_data_page_states_the_licence_from_the_plugin_options():
    dossier = load_dossier(MINI).dossier
    licensed = SiteBuild(
        dossier,
        settings=SiteSettings(
            name="Mini",
            data_license="CC BY 4.0",
            data_license_url="https://creativecommons.org/licenses/by/4.0/",
        ),
    )
    page = licensed.render_all()["data.md"]
    assert "The records' own text is published under [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/)" in page
    assert "Quoted excerpts remain their publishers' words, quoted for verification." in page
    assert "No licence is stated" in _pages()["data.md"]
