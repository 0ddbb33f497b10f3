"""One build, its stages in order: render the pages, build the outputs, hand both to a writer.

Loading, checking and linking (:mod:`generator.pipeline`) give a :class:`~generator.link.Dossier`;
:class:`SiteBuild` then composes the rest, for the CLI's ``build``, the MkDocs adapter and the
incremental preview alike:

1. the data files start building (:mod:`generator.outputs.data_files`), in a forked child on the
   other core when the dossier is large enough for it to pay (:mod:`generator.background`);
2. the Markdown pages render (:mod:`generator.render`): record pages, index pages, the graph
   page with ``data/graph.json`` (:mod:`generator.outputs.graph`), hand-written pages, the
   format reference with the JSON Schema (:mod:`generator.jsonschema`);
3. the data files are collected and the data page lists them.

:meth:`SiteBuild.iter_pages` yields (path, text) in that order, so that a writer
(:mod:`generator.write`) never holds them all; :meth:`SiteBuild.navigation` is the site's menu.
"""

from __future__ import annotations

import functools
from pathlib import Path

from . import background, escape, reference
from .cache import fewer_collections
from .jsonschema import SITE_PATH as JSON_SCHEMA_PATH
from .jsonschema import schema_texts
from .link import Dossier
from .outputs.data_files import Download, build_data_files
from .outputs.graph import GRAPH_PATH, build_graph, graph_json
from .provenance import ProvenanceIndex
from .render import DATA_PAGE_PATH, GRAPH_PAGE_PATH, Renderer, present_types, type_index_path
from .settings import SiteSettings

#: From this many records on, the data files are built in a forked child while the pages render
#: (generator/background.py): at 1,000 records they cost ~1.2 s, a fork a few milliseconds.
EXPORTS_IN_CHILD_MIN_RECORDS = 300


class SiteBuild:
    """Every page and output of one dossier: ``render_all()`` maps site paths to their text."""

    def __init__(
        self,
        dossier: Dossier,
        override_dir: Path | None = None,
        settings: SiteSettings | None = None,
        provenance: ProvenanceIndex | None = None,
    ):
        self.dossier = dossier
        self.settings = settings or SiteSettings()
        self.renderer = Renderer(dossier, override_dir, self.settings, provenance)
        self.data_files: background.Pending | None = None
        #: The preview's record-by-record memo of the data files (generator/incremental.py); None: build all.
        self.data_pieces = None

    def start_outputs(self) -> None:
        """Start building the data files (JSON, CSV, FtM, feed), on the other core if it pays."""
        if self.data_files is None:
            large = sum(self.dossier.counts().values()) >= EXPORTS_IN_CHILD_MIN_RECORDS
            fork = large and self.data_pieces is None  # a child's memo would not come back
            self.data_files = background.start(
                build_data_files, self.dossier, self.settings, self.data_pieces, fork=fork
            )

    def cancel_outputs(self) -> None:
        """Stop building the data files: the render failed (a forked child would wait on its pipe)."""
        if self.data_files is not None:
            self.data_files.cancel()
            self.data_files = None

    def outputs(self) -> tuple[dict[str, str], list[Download]]:
        """The data files and the data page's list of them."""
        self.start_outputs()
        return self.data_files.result()

    @fewer_collections()
    def render_all(self, only: set[str] | None = None) -> dict[str, str]:
        """Every page and output; with ``only``, record pages just for those ids (see :mod:`generator.incremental`)."""
        pages = dict(self.iter_pages(only))  # a path given twice keeps its last text, as when written
        return dict(sorted(pages.items()))

    def iter_pages(self, only: set[str] | None = None):
        """(path, text) of every page and output, one at a time, so that a writer need not hold them all."""
        try:
            yield from self._stages(only)
        except BaseException:  # a template error, or the writer stopped (GeneratorExit)
            self.cancel_outputs()
            raise

    def _stages(self, only: set[str] | None):
        self.start_outputs()  # in a child process for large dossiers, while the pages render
        yield from self.renderer.record_pages(only)
        yield from self.list_pages()
        yield from self.data_pages()

    def list_pages(self):
        """(path, text) of the pages that list records, the graph and the format reference.

        Every page but the record pages and the data files (:meth:`data_pages`): what they show
        depends only on the dossier, so the incremental preview can keep them as one group.
        """
        renderer = self.renderer
        yield from renderer.index_pages()
        graph = build_graph(self.dossier, self.settings)
        yield renderer.graph_page(graph)
        yield GRAPH_PATH, graph_json(graph)  # not Markdown: copied to the site as it is
        yield from renderer.hand_written_pages()
        yield renderer.reference_page(JSON_SCHEMA_PATH)
        yield from self.schemas.items()  # served with the site for editors and check-jsonschema

    def data_pages(self):
        """(path, text) of the data files (JSON, CSV, FtM, the Atom feed) and of the data page listing them."""
        data_files, downloads = self.outputs()
        yield from data_files.items()
        schema_size = len(self.schemas[JSON_SCHEMA_PATH].encode("utf-8"))
        yield self.renderer.data_page(downloads, JSON_SCHEMA_PATH, schema_size)

    @functools.cached_property
    def schemas(self) -> dict[str, str]:
        """The JSON Schema files by site path: served with the listed pages, their size on the data page."""
        return schema_texts(self.dossier.vocabulary)

    def navigation(self) -> list:
        """MkDocs-style nav built from the records: sections and their index pages, never every record."""
        nav: list = [{"Home": "index.md"}]
        nav.append(
            {
                "Entities": ["entities/index.md"]
                + [{escape.nav_title(t.plural): type_index_path(t.name)} for t in present_types(self.dossier)]
            }
        )  # vocabulary words: escaped too
        nav.append({"Timeline": "timeline.md"})
        nav.append({"Network": GRAPH_PAGE_PATH})
        nav.append({"Sources": "sources/index.md"})
        nav.append({"Tags": "tags/index.md"})
        nav.append({"Data": DATA_PAGE_PATH})
        for page in sorted(self.dossier.pages.values(), key=lambda p: p.id):
            if page.id != "index":
                nav.append({escape.nav_title(page.title): f"{page.id}.md"})
        nav.append({"Record format": reference.PAGE_PATH})
        return nav


def site_pages(dossier: Dossier, override_dir: Path | None = None, settings: SiteSettings | None = None) -> dict:
    """Every page and output of ``dossier``, by site path (a whole build, in memory)."""
    return SiteBuild(dossier, override_dir, settings).render_all()
