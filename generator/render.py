"""Render the linked dossier into Markdown pages through Jinja2 templates.

Only Markdown (and the redirect pages' HTML): the data files, the graph's data and the JSON
Schema are outputs (:mod:`generator.outputs`), and :mod:`generator.build` puts the two together.

Templates are files in ``generator/templates``; a folder given as ``override_dir`` comes
first, so a project can replace any of them.  The most specific template wins:
``entity-company.md.j2`` before ``entity.md.j2``.  Every value from a record reaches the
Markdown through :mod:`generator.escape`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from . import escape, reference, schema
from .check import TEXT_LINK_RE
from .evidence import voice_words
from .link import Dossier
from .loader import display_path
from .model import Entity, Event, Excerpt, PartialDate, Source, human_period, split_citation
from .problems import Problem
from .provenance import ProvenanceIndex
from .richtext import plain_text, record_title
from .settings import SiteSettings, record_path, relative

TEMPLATES_DIR = Path(__file__).parent / "templates"
_PLACEHOLDER_RE = re.compile("\0(\\d+)\0")
DATA_PAGE_PATH = "data.md"
GRAPH_PAGE_PATH = "graph.md"


def redirect_path(record, former_id: str, directory_urls: bool = True) -> str:
    """Where the page that forwards a record's former id to its page is written (its old address)."""
    folder = schema.KIND_FOLDERS[record.kind]
    return f"{folder}/{former_id}/index.html" if directory_urls else f"{folder}/{former_id}.html"


def type_index_path(entity_type: str) -> str:
    return f"types/{entity_type}.md"


#: The home page's key players: the most connected entities of these types.
#: The home page's key players are entities of the types in this vocabulary group (any type if none is).
KEY_PLAYER_GROUP = "actor"
KEY_PLAYERS = 6


def human_day(iso_day: str) -> str:
    """'2026-11-30' -> '30 November 2026'."""
    return PartialDate.parse(iso_day).human()


#: Language codes as readers know them; a code not listed shows as it is.
LANGUAGE_NAMES = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "kk": "Kazakh",
    "ko": "Korean",
    "ms": "Malay",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh": "Chinese",
    "zh-hans": "Chinese (simplified)",
    "zh-hant": "Chinese (traditional)",
}


def language_name(code: str) -> str:
    """'ru' -> 'Russian', 'zh-Hant' -> 'Chinese (traditional)', 'en-GB' -> 'English (en-GB)'."""
    name = LANGUAGE_NAMES.get(code.lower())
    if name:
        return name
    base = LANGUAGE_NAMES.get(code.split("-")[0].lower())
    return f"{base} ({code})" if base else code


def cited_sources(citations) -> list[str]:
    """The ids of the sources that citations ('SOURCE' or 'SOURCE#EXCERPT') name, each once, in order."""
    return list(dict.fromkeys(split_citation(str(citation))[0] for citation in citations))


def tag_page_path(tag: str) -> str:
    """The page listing every record with ``tag`` (tags are checked: lowercase words and hyphens)."""
    return f"tags/{tag}.md"


@dataclass
class LinkMemo:
    """What every page of one render shares: finished links by folder, hover previews by record.

    A record is linked from many pages (a large dossier's entity pages hold ~100 links each),
    and a link's text depends only on the target, the label and the linking page's folder, so
    each is made once a render; this was over a third of a large render.
    """

    links: dict[tuple, str] = field(default_factory=dict)
    previews: dict[str, str | None] = field(default_factory=dict)
    citation_titles: dict[str, str] = field(default_factory=dict)
    voices: dict[str, str] = field(default_factory=dict)


#: Characters of a citation's hover text (quote, translation, voice); the reference list has it whole.
CITATION_TITLE_LIMIT = 700


@dataclass(frozen=True)
class Reference:
    """One numbered entry of a page's reference list: a source, or one excerpt of it.

    ``places`` is how often the page cites it: the marks ``#cite-N-1`` … ``#cite-N-places``
    that the entry links back to.
    """

    number: int
    citation: str
    source: Source
    excerpt: Excerpt | None
    voice: str
    places: int


@dataclass
class PageWriter:
    """Per-page helpers for templates: links relative to this page, numbered citations."""

    dossier: Dossier
    path: str
    cited: list[str] = field(default_factory=list)
    memo: LinkMemo = field(default_factory=LinkMemo)
    places: dict[str, int] = field(default_factory=dict)
    settings: SiteSettings = field(default_factory=SiteSettings)

    def url(self, to_path: str) -> str:
        return relative(self.path, to_path)

    def page_link(self, to_path: str) -> str:
        """The built page at ``to_path``, relative to this one: the address an HTML link needs."""
        return self.settings.page_link(self.path, to_path)

    @functools.cached_property
    def _url_folder(self) -> str:
        """The folder of this page's built address, which an HTML link's address depends on."""
        return self.settings.page_url(self.path).rpartition("/")[0]

    def link(self, record_id: str, label: str | None = None, preview: bool = True, html: bool = False) -> str:
        """A Markdown link to a record, its summary as the hover preview (unless ``preview`` is false);
        ``html``: the same as an HTML tag, for the parts of a page written as a raw HTML block.

        Python-Markdown passes such a block through untouched, which is what makes it cheap: a long
        reference list was most of a record page's conversion time as Markdown.  Both forms' text
        and hover preview go through the same escaping (character references, valid in HTML too).
        """
        record = self.dossier.require(record_id)  # looked up even when memoised: incremental.py notes it
        # A link depends only on the record, the label and where the page is (for HTML, where it is built).
        key = (html, self._url_folder if html else self.path.rpartition("/")[0], record_id, label, preview)
        links = self.memo.links
        made = links.get(key)
        if made is None:
            text = escape.inline(label if label is not None else record_title(record))
            title = self._preview(record) if preview else None
            if html:
                title_part = f' title="{title}"' if title else ""
                made = f'<a href="{self.page_link(record_path(record))}"{title_part}>{text}</a>'
            else:
                title_part = f' "{title}"' if title else ""
                made = f"[{text}]({self.url(record_path(record))}{title_part})"
            links[key] = made
        return made

    def _preview(self, record) -> str | None:
        """The hover preview: depends on the record and the records its text names, not on the page."""
        previews = self.memo.previews
        if record.id not in previews:
            previews[record.id] = escape.link_title(
                plain_text(self.dossier, getattr(record, "summary", None) or getattr(record, "note", None))
            )
        return previews[record.id]

    def flat(self, text: str | None) -> str:
        """Rich text as one line of plain words (names for links, no citation markers), not yet escaped."""
        return plain_text(self.dossier, text)

    def links(self, record_ids) -> str:
        return ", ".join(self.link(record_id) for record_id in record_ids)

    def html_link(self, record_id: str, label: str | None = None) -> str:
        """:meth:`link` as an HTML tag."""
        return self.link(record_id, label, html=True)

    def html_links(self, record_ids) -> str:
        return ", ".join(self.html_link(record_id) for record_id in record_ids)

    def type_link(self, entity_type: str, plural: bool = False) -> str:
        info = self.dossier.vocabulary.entity_types_by_name[entity_type]
        return f"[{escape.inline(info.plural if plural else info.label)}]({self.url(type_index_path(entity_type))})"

    def html_type_link(self, entity_type: str) -> str:
        """:meth:`type_link` as an HTML tag (see :meth:`html_link`)."""
        info = self.dossier.vocabulary.entity_types_by_name[entity_type]
        return f'<a href="{self.page_link(type_index_path(entity_type))}">{escape.inline(info.label)}</a>'

    def cite(self, citations) -> str:
        """Numbered references, in order of first citation on this page.

        Each distinct citation ('source-id' or 'source-id#excerpt-id') gets a number; each place
        that cites it gets an anchor (``cite-N-K``) that the reference list links back to, and a
        hover text with the quote, its translation and who speaks in it.
        """
        marks = [
            f'[\\[{number}\\]](#ref-{number} "{title}"){{#cite-{number}-{place}}}'
            for number, place, title in self._number(citations)
        ]
        return f'<sup class="dossier-cite">{"".join(marks)}</sup>' if marks else ""

    def html_cite(self, citations) -> str:
        """:meth:`cite` as HTML, for the lists a template writes as a raw HTML block (see :meth:`html_link`)."""
        marks = [
            f'<a href="#ref-{number}" id="cite-{number}-{place}" title="{title}">[{number}]</a>'
            for number, place, title in self._number(citations)
        ]
        return f'<sup class="dossier-cite">{"".join(marks)}</sup>' if marks else ""

    def _number(self, citations) -> list[tuple[int, int, str]]:
        """Each citation's number on this page, its place among the page's citations of it, its hover text."""
        numbered = []
        for citation in citations:
            if citation not in self.cited:
                self.cited.append(citation)
            number = self.cited.index(citation) + 1
            place = self.places[citation] = self.places.get(citation, 0) + 1
            numbered.append((number, place, self.citation_title(citation)))
        return numbered

    def citation_title(self, citation: str) -> str:
        """The hover text of a citation mark: “quote” — translation — voice chain (escaped, shortened)."""
        titles = self.memo.citation_titles
        if citation not in titles:
            excerpt = self.dossier.excerpt(citation)
            parts = []
            if excerpt is not None:
                parts.append(f"“{excerpt.quote}”")
                if excerpt.translation:
                    parts.append(f"“{excerpt.translation}”")
            parts.append(self.voice(citation))
            titles[citation] = escape.link_title(" — ".join(p for p in parts if p), CITATION_TITLE_LIMIT)
        return titles[citation]

    def voice(self, citation: str) -> str:
        """Who speaks in a citation, in words: 'CNews, 27 November 2025, relaying Financial Times, citing …'."""
        voices = self.memo.voices
        if citation not in voices:  # every page citing a source names its voice: made once a render
            voices[citation] = voice_words(self.dossier, citation)
        return voices[citation]

    def excerpt_url(self, citation: str, html: bool = False) -> str:
        """The source page, at the excerpt when the citation names one (``html``: the built page's address)."""
        source_id, excerpt_id = split_citation(citation)
        target = record_path(self.dossier.sources[source_id])
        url = self.page_link(target) if html else self.url(target)
        return f"{url}#excerpt-{excerpt_id}" if excerpt_id else url

    def rich(self, text: str | None, sources=()) -> str:
        """Rich record text: escaped, with [[id]] links and [[source]] citations resolved.

        ``sources`` are the record-level sources the text rests on; those the text does not
        already cite inline are cited at its end.
        """
        if not text:
            return self.cite(sources)
        inline_sources = {m.group(1).strip() for m in TEXT_LINK_RE.finditer(text)}
        body = self._rich(text)  # first, so that inline citations are numbered first
        return body + self.cite([s for s in sources if s not in inline_sources])

    def _rich(self, text: str) -> str:
        return self._escape_around_links(text, escape.rich_text)

    def _escape_around_links(self, text: str, escaper, html: bool = False) -> str:
        """Escape ``text`` with ``escaper``, then put its [[links]] back as Markdown links or citations
        (``html``: as HTML tags).

        Links are masked first so that the escaper sees whole lines (list markers count only at a
        line's start) and never touches the link syntax.
        """
        links = []

        def mask(match) -> str:
            links.append(match)
            return f"\0{len(links) - 1}\0"

        escaped = escaper(TEXT_LINK_RE.sub(mask, text))
        return _PLACEHOLDER_RE.sub(lambda m: self._text_link(links[int(m.group(1))], html), escaped)

    def _text_link(self, match, html: bool = False) -> str:
        target, label = match.group(1).strip(), match.group(2)
        if target in self.dossier.sources or "#" in target:
            return self.html_cite([target]) if html else self.cite([target])
        if html:
            return self.html_link(target, label.strip() if label else None)
        return self.link(target, label.strip() if label else None)

    def markdown(self, body: str) -> str:
        """A hand-written page: Markdown kept, raw HTML and attribute lists shown as text, [[links]] resolved."""
        return self._escape_around_links(body, escape.page_markdown).strip()

    def plain(self, text: str | None) -> str:
        """Rich text flattened to one inline line (for table cells)."""
        return " ".join(self.rich(text).split("\n")) if text else ""

    @staticmethod
    def html_can_show(texts) -> bool:
        """Whether :meth:`html_plain` writes each of these rich texts as Markdown would show it: when
        none has a ``*`` or ``_``, which rich text keeps for emphasis and only Markdown's own rules
        render (a list holding one is written as Markdown)."""
        return not any(text and ("*" in text or "_" in text) for text in texts)

    def html_plain(self, text: str | None) -> str:
        """:meth:`plain` as HTML, for a text :meth:`html_can_show`: the same escaping, links as tags."""
        return " ".join(self._escape_around_links(text, escape.rich_text, html=True).split("\n")) if text else ""

    def references(self) -> list[Reference]:
        references = []
        for index, citation in enumerate(self.cited):
            source_id, _ = split_citation(citation)
            references.append(
                Reference(
                    index + 1,
                    citation,
                    self.dossier.sources[source_id],
                    self.dossier.excerpt(citation),
                    self.voice(citation),
                    self.places.get(citation, 0),
                )
            )
        return references


def _by_excerpt(citations) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for citation in citations:
        if citation.excerpt:
            grouped.setdefault(citation.excerpt, []).append(citation)
    return grouped


def event_entities(event: Event) -> list[str]:
    """Ids of every entity an event involves: participants, place and topics, each once."""
    ids = [p.entity for p in event.participants] + ([event.place] if event.place else []) + list(event.topics)
    return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class RelationGroup:
    """Relationships of one kind and one direction, as an entity page lists them."""

    label: str
    outgoing: bool
    views: list


def group_relations(views) -> list[RelationGroup]:
    """Outgoing kinds first (what this record declares), then incoming ones, each by label."""
    groups: dict[tuple[bool, str], list] = {}
    for view in views:
        groups.setdefault((not view.outgoing, view.label), []).append(view)
    return [RelationGroup(label, not incoming, members) for (incoming, label), members in sorted(groups.items())]


ROLE_ORDER = ("participant", "place", "topic")  # the fields of an event that name entities


def group_event_roles(event_roles) -> list[tuple[str, list]]:
    """(role, event roles in date order) for each role the entity plays, participant first."""
    by_role: dict[str, list] = {}
    for item in event_roles:
        by_role.setdefault(item.role, []).append(item)
    return [
        (role, sorted(by_role[role], key=lambda item: item.event.sort_key)) for role in ROLE_ORDER if role in by_role
    ]


def lifecycle_spans(states) -> list[tuple]:
    """(state, the next state or None) in date order: a state is in force until the next one."""
    ordered = sorted(states, key=lambda state: state.date)
    return [(state, ordered[index + 1] if index + 1 < len(ordered) else None) for index, state in enumerate(ordered)]


def template_problem(error: jinja2.TemplateError) -> Problem:
    """A template's error as a problem at the template's file and line, for the CLI and the plugin.

    Built-in templates are tested; this is for a project's overrides (``--templates``).
    """
    path, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    if path is None:  # an error while rendering: the innermost template frame of the traceback
        frame = error.__traceback__
        while frame is not None:
            if frame.tb_frame.f_code.co_filename.endswith(".j2"):
                path, line = frame.tb_frame.f_code.co_filename, frame.tb_lineno
            frame = frame.tb_next
    shown = display_path(Path(path)) if path else "(template)"
    return Problem(
        shown,
        line or 1,
        1,
        "template",
        f"{type(error).__name__}: {error.message or error}",
        "fix the template; the built-in ones are in generator/templates/",
    )


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept for the process's lifetime, keyed by name and file and checked by source digest.

    ``mkdocs serve`` makes a renderer (and MkDocs a theme environment) for every rebuild;
    compiling the templates again cost 0.3 s of each.  An edited template has another digest,
    so it is compiled afresh.  One cache serves one kind of environment: the compiled code
    depends on the environment's options, which the key does not hold.
    """

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._compiled:
            bucket.bytecode_from_string(self._compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED_TEMPLATES = MemoryBytecodeCache()


def make_environment(override_dir: Path | None = None) -> jinja2.Environment:
    loaders = []
    if override_dir and override_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(override_dir)))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES_DIR)))
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # one environment a render
        bytecode_cache=_COMPILED_TEMPLATES,
    )
    environment.filters["md"] = escape.inline
    environment.filters["title"] = escape.plain_title
    environment.filters["attr"] = escape.attribute
    environment.filters["safe_url"] = escape.safe_url
    environment.globals["schema"] = schema
    environment.globals["tag_page_path"] = tag_page_path
    environment.globals["language_name"] = language_name
    environment.globals["cited_sources"] = cited_sources
    environment.globals["human_period"] = human_period
    return environment


class Renderer:
    """Renders the Markdown pages of a dossier, one kind of page at a time.

    :class:`generator.build.SiteBuild` calls them in order and adds the outputs; the graph page
    and the data page are given what the outputs made (the graph, the list of downloads).
    """

    def __init__(
        self,
        dossier: Dossier,
        override_dir: Path | None = None,
        settings: SiteSettings | None = None,
        provenance: ProvenanceIndex | None = None,
    ):
        self.dossier = dossier
        self.environment = make_environment(override_dir)
        self.settings = settings or SiteSettings()
        # Which file a page comes from, its edit link and last change (generator/provenance.py).
        self.environment.globals["provenance"] = (provenance or ProvenanceIndex(None)).of
        self._memo = LinkMemo()

    def _render(self, template_names: list[str], path: str, **context) -> str:
        template = self.environment.select_template(template_names)
        writer = PageWriter(self.dossier, path, memo=self._memo, settings=self.settings)
        return template.render(
            doc=writer, dossier=self.dossier, site=self.settings, vocabulary=self.dossier.vocabulary, **context
        )

    def render_entity(self, entity: Entity) -> str:
        path = record_path(entity)
        return self._render(
            [f"entity-{entity.type}.md.j2", "entity.md.j2"],
            path,
            entity=entity,
            type_info=self.dossier.vocabulary.entity_types_by_name[entity.type],
            relations=self.dossier.relations_by_entity.get(entity.id, []),
            relation_groups=group_relations(self.dossier.relations_by_entity.get(entity.id, [])),
            event_roles=self.dossier.events_by_entity.get(entity.id, []),
            role_groups=group_event_roles(self.dossier.events_by_entity.get(entity.id, [])),
            lifecycle=lifecycle_spans(entity.lifecycle),
            mentions=self.dossier.mentions_by_record.get(entity.id, []),
        )

    def render_event(self, event: Event) -> str:
        before, after = self.dossier.previous_and_next(event)
        return self._render(
            ["event.md.j2"],
            record_path(event),
            event=event,
            previous_event=before,
            next_event=after,
            mentions=self.dossier.mentions_by_record.get(event.id, []),
            lifecycle_changes=self.dossier.lifecycle_by_event.get(event.id, []),
        )

    def render_source(self, source: Source) -> str:
        return self._render(
            ["source.md.j2"],
            record_path(source),
            source=source,
            chain=self.relay_chain(source),
            relayed_by=self.dossier.relayed_by.get(source.id, []),
            relayed_by_chain=self.dossier.relayed_by_chain(source.id),
            citations=self.dossier.citations_by_source.get(source.id, []),
            excerpt_citations=_by_excerpt(self.dossier.citations_by_source.get(source.id, [])),
            voiced=self.dossier.voiced_by.get(source.id, []),
        )

    def render_redirect(self, record, former_id: str) -> tuple[str, str]:
        """(path, HTML) of the page at a former id's address, forwarding to the record's page."""
        path = redirect_path(record, former_id, self.settings.directory_urls)
        target = self.settings.record_url(record)
        relative_target = relative(path, target) if not target.endswith("/") else relative(path, target + "x")[:-1]
        canonical = self.settings.absolute_url(target) or relative_target
        text = self.environment.get_template("redirect.html.j2").render(
            record=record,
            former_id=former_id,
            title=record_title(record),
            target=relative_target,
            canonical=canonical,
            site=self.settings,
        )
        return path, text

    def relay_chain(self, source: Source) -> list[tuple[int, Source]]:
        """The sources this one relays, depth first, with their depth (1 = cited directly)."""
        chain, seen = [], {source.id}

        def walk(current: Source, depth: int) -> None:
            for relayed_id in current.relays:
                if relayed_id in seen:
                    continue
                seen.add(relayed_id)
                relayed = self.dossier.sources[relayed_id]
                chain.append((depth, relayed))
                walk(relayed, depth + 1)

        walk(source, 1)
        return chain

    def timeline_filter_choices(self) -> dict:
        """What the timeline's filters offer: entity types, participants and tags that occur, and the years."""
        events = self.dossier.events_in_order
        involved = {entity_id for event in events for entity_id in event_entities(event)}
        types = {self.dossier.entities[entity_id].type for entity_id in involved}
        participants = {p.entity for event in events for p in event.participants}
        return {
            "types": [t for t in self.dossier.vocabulary.entity_types if t.name in types],
            "participants": sorted((self.dossier.entities[i] for i in participants), key=lambda e: e.name.lower()),
            "tags": sorted({tag for event in events for tag in event.tags}),
            "years": (events[0].date.year, events[-1].date.year) if events else None,
        }

    def entity_types_by_event(self) -> dict[str, list[str]]:
        """The types of the entities each event involves, each once, in the vocabulary's order."""
        order = {t.name: index for index, t in enumerate(self.dossier.vocabulary.entity_types)}
        return {
            event.id: sorted({self.dossier.entities[i].type for i in event_entities(event)}, key=order.get)
            for event in self.dossier.events.values()
        }

    def record_pages(self, only: set[str] | None = None):
        """(path, text) of every record's page and of its redirects; with ``only``, just for those ids."""
        for entity in self.dossier.entities.values():
            if only is None or entity.id in only:
                yield record_path(entity), self.render_entity(entity)
        for event in self.dossier.events.values():
            if only is None or event.id in only:
                yield record_path(event), self.render_event(event)
        for source in self.dossier.sources.values():
            if only is None or source.id in only:
                yield record_path(source), self.render_source(source)
        yield from self.redirect_pages(only)

    def redirect_pages(self, only: set[str] | None = None):
        """(path, text) of the pages at records' former addresses; with ``only``, just for those ids."""
        for record in (*self.dossier.entities.values(), *self.dossier.events.values(), *self.dossier.sources.values()):
            if only is None or record.id in only:
                for former_id in record.former_ids:
                    yield self.render_redirect(record, former_id)

    def index_pages(self):
        """(path, text) of the pages that list records: types, tags, entities, sources, the timeline."""
        types = present_types(self.dossier)
        for entity_type in types:
            path = type_index_path(entity_type.name)
            yield (
                path,
                self._render(
                    ["type-index.md.j2"],
                    path,
                    type_info=entity_type,
                    entities=self.dossier.entities_of_type(entity_type.name),
                ),
            )
        yield from self._tag_pages()
        yield "entities/index.md", self._render(["entities-index.md.j2"], "entities/index.md", types=types)
        yield (
            "sources/index.md",
            self._render(
                ["sources-index.md.j2"],
                "sources/index.md",
                sources=sorted(self.dossier.sources.values(), key=lambda s: (s.date is None, s.date, s.id)),
            ),
        )
        yield (
            "timeline.md",
            self._render(
                ["timeline.md.j2"],
                "timeline.md",
                events=self.dossier.events_in_order,
                filter_choices=self.timeline_filter_choices(),
                types_by_event=self.entity_types_by_event(),
            ),
        )

    def graph_page(self, graph) -> tuple[str, str]:
        """The network page, listing what ``graph`` (:func:`generator.outputs.graph.build_graph`) draws."""
        return GRAPH_PAGE_PATH, self._render(["graph.md.j2"], GRAPH_PAGE_PATH, graph=graph)

    def hand_written_pages(self):
        """(path, text) of the dossier's own pages, and the home page (built when the dossier has none)."""
        types = present_types(self.dossier)
        home_written = False
        for page in self.dossier.pages.values():
            path = f"{page.id}.md"
            names = ["home.md.j2", "page.md.j2"] if page.id == "index" else ["page.md.j2"]
            home_written = home_written or path == "index.md"
            yield path, self._render(names, path, page=page, types=types, **self.home_context())
        if not home_written:
            yield (
                "index.md",
                self._render(["home.md.j2"], "index.md", page=None, types=types, **self.home_context()),
            )

    def reference_page(self, schema_path: str) -> tuple[str, str]:
        """The record format's reference, linking the JSON Schema served at ``schema_path``."""
        return (
            reference.PAGE_PATH,
            self._render(
                ["format-reference.md.j2"],
                reference.PAGE_PATH,
                rows_by_kind=reference.rows_by_kind(self.dossier.vocabulary),
                schema_url=relative(reference.PAGE_PATH, schema_path),
            ),
        )

    def data_page(self, downloads: list, schema_path: str, schema_size: int) -> tuple[str, str]:
        """The data page: every download (:mod:`generator.outputs.data_files`) and the JSON Schema."""
        return (
            DATA_PAGE_PATH,
            self._render(
                ["data.md.j2"],
                DATA_PAGE_PATH,
                downloads=downloads,
                schema_path=schema_path,
                counts=self.dossier.counts(),
                schema_size=schema_size,
            ),
        )

    def home_context(self) -> dict:
        """The home page's key players (the most connected actors) and the dossier's last change."""
        vocabulary = self.dossier.vocabulary
        kinds = {t.name for t in vocabulary.entity_types if KEY_PLAYER_GROUP in t.groups} or {
            t.name for t in vocabulary.entity_types
        }
        actors = [e for e in self.dossier.entities.values() if e.type in kinds]
        weight = {
            e.id: len(self.dossier.relations_by_entity.get(e.id, ())) + len(self.dossier.events_by_entity.get(e.id, ()))
            for e in actors
        }
        players = sorted(actors, key=lambda e: (-weight[e.id], e.name.lower()))[:KEY_PLAYERS]
        provenance = self.environment.globals["provenance"]
        changes = [
            provenance(record.origin.path).last_changed
            for collection in (self.dossier.entities, self.dossier.events, self.dossier.sources)
            for record in collection.values()
        ]
        last = max((change for change in changes if change), default="")
        return {"key_players": players, "last_changed": human_day(last) if last else ""}

    def records_by_tag(self) -> dict[str, tuple[list[Entity], list[Event]]]:
        """Each tag, in order, with the entities (by name) and events (by date) that carry it."""
        found: dict[str, tuple[list, list]] = {}
        for entity in sorted(self.dossier.entities.values(), key=lambda e: (e.name.lower(), e.id)):
            for tag in entity.tags:
                found.setdefault(tag, ([], []))[0].append(entity)
        for event in self.dossier.events_in_order:
            for tag in event.tags:
                found.setdefault(tag, ([], []))[1].append(event)
        return dict(sorted(found.items()))

    def _tag_pages(self):
        by_tag = self.records_by_tag()
        for tag, (entities, events) in by_tag.items():
            path = tag_page_path(tag)
            yield path, self._render(["tag.md.j2"], path, tag=tag, entities=entities, events=events)
        yield (
            "tags/index.md",
            self._render(
                ["tags-index.md.j2"], "tags/index.md", tags=[(tag, len(a) + len(b)) for tag, (a, b) in by_tag.items()]
            ),
        )


def present_types(dossier: Dossier) -> list:
    """The vocabulary's entity types that some entity has, in the vocabulary's order."""
    present = {entity.type for entity in dossier.entities.values()}
    return [t for t in dossier.vocabulary.entity_types if t.name in present]
