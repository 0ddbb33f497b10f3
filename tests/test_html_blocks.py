"""Lists the engine writes as raw HTML blocks show what the same lists written as Markdown showed.

Relationship lists are written as HTML unless a note needs Markdown's rules for emphasis; both ways
are built here by MkDocs (in this process, so that the HTML way can be switched off) and compared.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import lxml.html
import pytest
from conftest import MINI, make_project
from mkdocs.commands.build import build
from mkdocs.config import load_config

from generator.render import PageWriter

#: A relationship note with a link and a citation of an excerpt, and one with emphasis.
LINKED_NOTE = (
    "Named with [[daily-paper]] in a report [[paper-2025#acme-growing]], & <b>not bold</b>, "
    "beside [[widget-x|the <i>chip</i> line]]."
)
EMPHASIS_NOTE = "The rule *as adopted* applies."


def _dossier(folder: Path) -> Path:
    content = folder / "content"
    shutil.copytree(MINI, content)
    acme = content / "entities" / "acme.yaml"
    text = acme.read_text(encoding="utf-8")
    assert text.count("type: develops") == 1, "the fixture changed: pick another relationship"
    text = text.replace("type: develops", f"type: develops\n    note: {LINKED_NOTE!r}", 1)
    acme.write_text(text, encoding="utf-8")
    rule = content / "entities" / "export-rule.yaml"
    text = rule.read_text(encoding="utf-8")
    assert text.count("type: targets") == 1, "the fixture changed: pick another relationship"
    rule.write_text(text.replace("type: targets", f"type: targets\n    note: {EMPHASIS_NOTE!r}", 1), encoding="utf-8")
    return content


def _build(folder: Path, content: Path) -> Path:
    folder.mkdir()
    config = load_config(str(make_project(folder, content)), site_dir=str(folder / "site"))
    # As `mkdocs build` does: MkDocs keeps a plugin that has on_startup across the builds of one
    # process, and an earlier test's preview (command "serve") would leave it rendering incrementally.
    config.plugins.on_startup(command="build", dirty=False)
    logging.disable(logging.WARNING)
    try:
        build(config)
    finally:
        logging.disable(logging.NOTSET)
    return folder / "site"


def _relationships(site: Path, record_id: str) -> str:
    page = lxml.html.parse(str(site / "entities" / record_id / "index.html")).getroot()
    article = page.find_class("md-content__inner")[0]
    text = lxml.html.tostring(article, encoding="unicode")
    return re.sub(r"\n\s*\n", "\n", text[text.index('id="relationships"') : text.index('id="references"')])


@pytest.fixture(scope="module")
def both_ways(tmp_path_factory):
    folder = tmp_path_factory.mktemp("html-blocks")
    content = _dossier(folder)
    as_html = _build(folder / "html", content)
    asked = folder / "asked"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PageWriter, "html_can_show", staticmethod(lambda texts: asked.touch() or False))
        as_markdown = _build(folder / "markdown", content)
    assert asked.exists(), "the build did not ask whether to write HTML: the comparison would compare HTML with HTML"
    return as_html, as_markdown


def test_relationship_lists_as_html_show_what_markdown_showed(both_ways):
    as_html, as_markdown = both_ways
    for record_id in ("acme", "widget-x", "export-rule"):
        assert _relationships(as_html, record_id) == _relationships(as_markdown, record_id), record_id
    shown = _relationships(as_html, "acme")
    assert '>Daily Paper</a> in a report <sup class="dossier-cite"><a href="#ref-' in shown
    assert "&amp; &lt;b&gt;not bold&lt;/b&gt;," in shown or "&#38; &#60;b&#62;not bold&#60;/b&#62;," in shown
    assert "<b>not bold</b>" not in shown
    assert re.search(r'<a href="\.\./widget-x/" title="[^"]*">the (&#60;|&lt;)i(&#62;|&gt;)chip', shown), shown
    assert "<i>chip</i>" not in shown
    # a list holding a note with emphasis is Markdown, emphasis and all, on both pages it shows on
    for record_id in ("export-rule", "widget-x"):
        assert "The rule <em>as adopted</em> applies." in _relationships(as_html, record_id), record_id


def test_a_note_with_emphasis_keeps_its_list_in_markdown():
    writer = PageWriter.html_can_show
    assert writer([None, LINKED_NOTE]) and not writer([LINKED_NOTE, EMPHASIS_NOTE])
    assert not writer(["snake_case"])  # an underscore may be emphasis too: Markdown decides
