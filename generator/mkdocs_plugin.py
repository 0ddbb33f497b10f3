"""The MkDocs adapter: runs the engine inside ``mkdocs build`` and ``mkdocs serve``.

It only translates MkDocs events into engine calls (after mkdocs-gen-files): the records
are loaded and checked in ``on_config`` (so that a bad record stops the build before any
page is written), the navigation comes from the records, the rendered Markdown pages are
added as generated files in ``on_files``, and ``on_serve`` watches ``content/``.
"""

from __future__ import annotations

import gc
import logging
import shutil
import subprocess
import threading
from pathlib import Path

import jinja2
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from .build import SiteBuild
from .cache import FEWER_COLLECTIONS, ParseCache
from .incremental import IncrementalRenderer
from .pipeline import default_workers, load_dossier, published_ids
from .problems import DossierError, Severity
from .provenance import ProvenanceIndex
from .published import record_published
from .render import MemoryBytecodeCache, template_problem
from .search import canonical_filters, ignore_sections, pagefind_command, record_search_data
from .searchindex import tidy_search_index
from .searchwords import han_names
from .settings import SiteSettings
from .watcher import watch_by_file_events

log = logging.getLogger("mkdocs.plugins.dossier")

#: The theme's templates (mkdocs-material's and theme/'s), compiled once a process: MkDocs makes a new
#: environment for every build, and under `mkdocs serve` compiling them again (the 404 page, base.html,
#: main.html) was a third of a rebuild's CPU after a one-record edit (0.27 of 0.78 s at 1,000 records).
THEME_TEMPLATES = MemoryBytecodeCache()
#: How much lower than the preview's the background search indexer's priority is (nice(1)).
INDEXER_NICENESS = 10
#: Seconds after a preview rebuild at which the preview collects its cyclic garbage, when nothing
#: else is to be done (see DossierPlugin.on_startup).
IDLE_COLLECTION_DELAY_S = 0.5


def _teach_search_segmenter(words: list[str], cache_dir: Path | None = None) -> None:
    """Keep Chinese names whole in the search index (see generator/searchwords.py).

    jieba caches its dictionary in ``cache_dir`` (the project's .build/), not in the shared
    /tmp/jieba.cache, which another user's build may own: replacing it fails there, and the
    build with it.
    """
    try:
        import jieba  # the segmenter mkdocs-material's search plugin uses when it is installed
    except ImportError:
        return
    if cache_dir is not None and not jieba.dt.initialized:
        cache_dir.mkdir(parents=True, exist_ok=True)
        jieba.dt.tmp_dir = str(cache_dir)
    for word in words:
        jieba.add_word(word)


#: The theme's files that only mkdocs-material's search plugin uses.
_MATERIAL_SEARCH_ASSETS = ("assets/javascripts/lunr/", "assets/javascripts/workers/search.")


def _material_search(config) -> bool:
    """Whether mkdocs-material's search plugin is listed (the site's own search is Pagefind)."""
    return "material/search" in config.plugins or "search" in config.plugins


class _GeneratedFile(File):
    """A generated page; ``mkdocs serve --dirty`` skips it when its text did not change."""

    unchanged = False

    def is_modified(self) -> bool:
        return not self.unchanged


_DIRTY_BUILD_WARNING = "A 'dirty' build is being performed"


class _DirtyBuildNotice(logging.Filter):
    """``mkdocs serve --dirty``: MkDocs' warning that a dirty build is being performed, as information.

    Under ``strict: true`` that one warning aborted every preview build (issue 17).  It says
    what ``--dirty`` means, not a problem of the site, so it is still shown, at INFO; every other
    warning (a broken link, an unlinked record ...) still fails the build under strict.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and str(record.msg).startswith(_DIRTY_BUILD_WARNING):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg = (
                "Dirty build: only the pages a change reaches are rebuilt; the others keep their "
                "navigation from the first build until you restart the preview or run `make site`."
            )
            record.args = ()
        return True


_DIRTY_NOTICE = _DirtyBuildNotice()


class DossierConfig(Config):
    content_dir = config_options.Type(str, default="content")
    templates_dir = config_options.Type(str, default="")
    #: The licence of the data, stated on the data page (e.g. "CC BY 4.0") with its address.
    data_license = config_options.Type(str, default="")
    data_license_url = config_options.Type(str, default="")
    #: "pagefind": index the built site with Pagefind (generator/search.py); "material": leave search
    #: to mkdocs-material's search plugin, which must then be listed in mkdocs.yml (bench/run.py
    #: lists it to measure it beside Pagefind).
    search = config_options.Choice(("pagefind", "material"), default="pagefind")
    #: How `mkdocs serve` notices a change: "events", the system's file events where it has them
    #: (inotify on Linux), else polling; "polling", MkDocs' own look at every file twice a second
    #: (for folders that send no events, such as some network and container mounts).
    watcher = config_options.Choice(("events", "polling"), default="events")


class DossierPlugin(BasePlugin[DossierConfig]):
    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.serving = False
        self.incremental = IncrementalRenderer()
        self.unchanged_paths: set[str] = set()
        self.search_data: dict[tuple[str, str], dict] = {}
        self.indexer: subprocess.Popen | None = None
        self.idle_collection: threading.Timer | None = None
        self._collector_thresholds: tuple[int, int, int] | None = None  # CPython's, to restore
        self.published: set[str] = set()
        self.parse_cache: ParseCache | None = None

    def on_startup(self, *, command, dirty):
        # Defining on_startup keeps this instance across `mkdocs serve` rebuilds, so a rebuild
        # re-renders only the pages a change reaches (generator/incremental.py).
        self.serving = command == "serve"
        if self.serving and dirty:
            logging.getLogger("mkdocs.commands.build").addFilter(_DIRTY_NOTICE)
        if self.serving:
            # Import followthemoney once here (~0.7 s), not on every rebuild's data files (built in
            # this process: generator/background.py never forks beside the server's threads).
            from .outputs import ftm  # noqa: F401

            # Each rebuild makes a new linked dossier (millions of objects at 10,000 records), and
            # CPython then scans every object in the process once during the rebuild: 2-2.4 s of a
            # 10,000-record rebuild went to it.  The preview collects with the raised thresholds
            # of a build throughout, and collects its garbage itself once a rebuild is served.
            if self._collector_thresholds is None:
                self._collector_thresholds = gc.get_threshold()
            gc.set_threshold(*FEWER_COLLECTIONS)

    def _project_path(self, config, value: str) -> Path:
        return (Path(config.config_file_path).parent / value).resolve()

    def on_config(self, config):
        if self.idle_collection is not None:  # a new rebuild before the last one's collection: later
            self.idle_collection.cancel()
        if not config.repo_url:
            # No repository known (DOSSIER_REPO_URL unset): pages get no edit link, rather than
            # one MkDocs would make from edit_uri alone and warn about.
            config.edit_uri = ""
        content_dir = self._project_path(config, self.config.content_dir)
        try:
            result = load_dossier(
                content_dir, self._project_path(config, ".build/cache"), default_workers(), self.parse_cache
            )
        except DossierError as error:
            raise PluginError("the dossier has errors:\n" + str(error)) from None
        for warning in result.warnings:
            if warning.severity is Severity.WARNING:
                log.info(warning.format())
        if self.serving and result.parse_cache is not None:  # kept for the next rebuild, written on shutdown
            self.parse_cache = result.parse_cache
            self.parse_cache.autosave = False
        templates = self._project_path(config, self.config.templates_dir) if self.config.templates_dir else None
        renderer_args = (
            result.dossier,
            templates,
            SiteSettings(
                name=config.site_name,
                site_url=config.site_url or "",
                directory_urls=config.use_directory_urls,
                data_license=self.config.data_license,
                data_license_url=self.config.data_license_url,
            ),
            ProvenanceIndex.for_project(
                Path(config.config_file_path).parent, content_dir, config.repo_url or "", config.edit_uri or ""
            ),
        )
        renderer = SiteBuild(*renderer_args)
        self.published = published_ids(result.dossier)
        if _material_search(config):
            _teach_search_segmenter(han_names(result.dossier), self._project_path(config, ".build"))
        try:
            if self.serving:
                first = not self.incremental.pages
                # a new vocabulary renders all; the pages' "last changed" dates come from git: so does a commit
                settings = (
                    repr(renderer_args[2])
                    + result.dossier.vocabulary.digest
                    + repr(sorted((renderer_args[3].dates or {}).items()))
                )
                self.pages = self.incremental.render(
                    result.dossier, lambda view: SiteBuild(view, *renderer_args[1:]), templates, settings
                )
                self.unchanged_paths = set() if first else set(self.pages) - self.incremental.changed
            else:
                self.pages = renderer.render_all()
        except jinja2.TemplateError as error:
            raise PluginError("a template has an error:\n" + template_problem(error).format()) from None
        if self.config.search == "pagefind":  # the preview makes again only the entries a change reaches
            self.search_data = record_search_data(result.dossier, self.incremental.pieces if self.serving else None)
        if not config.nav:
            config.nav = renderer.navigation()
        else:  # hand-listed fixed pages first, then the sections built from the records
            config.nav = [*config.nav, *renderer.navigation()[1:]]
        return config

    def on_files(self, files: Files, config) -> Files:
        for path, text in self.pages.items():
            existing = files.get_file_from_path(path)
            if existing is not None:
                files.remove(existing)
            generated = _GeneratedFile.generated(config, path, content=text)
            generated.unchanged = path in self.unchanged_paths
            files.append(generated)
        if not self.serving:  # the files hold the texts now; serve keeps them for the next rebuild
            self.pages = {}
        if not _material_search(config):
            # mkdocs-material's search worker and its lunr languages (1.2 MB) load only for its own
            # search box, which the site does not have: the site ships Pagefind alone.
            for file in [file for file in files if file.src_uri.startswith(_MATERIAL_SEARCH_ASSETS)]:
                files.remove(file)
        return files

    def on_page_markdown(self, markdown, page, config, files):
        """In a one-off build, a generated page's text is forgotten once MkDocs has read it.

        MkDocs keeps every page's Markdown and HTML until the build ends; without this the
        generated text stayed beside them, 0.5 GB more than a plain build at 10,000 records.
        """
        if not self.serving and isinstance(page.file, _GeneratedFile):
            page.file.content_string = ""
        record = page.meta.get("dossier_record")
        if self.search_data and isinstance(record, dict):
            page.meta["dossier_search"] = self.search_data.get((record.get("kind"), record.get("id")))
        return markdown

    def on_page_content(self, html, page, config, files):
        """Sections whose heading says data-search-exclude stay out of Pagefind's index too."""
        return ignore_sections(html) if self.config.search == "pagefind" else html

    def on_shutdown(self) -> None:
        # MkDocs keeps this instance for the process (it defines on_startup): a later command starts afresh.
        logging.getLogger("mkdocs.commands.build").removeFilter(_DIRTY_NOTICE)
        if self.parse_cache is not None:  # the preview's cache, kept in memory between rebuilds
            self.parse_cache.save()
            self.parse_cache = None
        self.pages, self.unchanged_paths, self.incremental = {}, set(), IncrementalRenderer()
        if self.indexer is not None and self.indexer.poll() is None:
            self.indexer.terminate()
            self.indexer.wait()
        if self.idle_collection is not None:
            self.idle_collection.cancel()
            self.idle_collection = None
        if self._collector_thresholds is not None:
            gc.set_threshold(*self._collector_thresholds)
            self._collector_thresholds = None

    def on_post_build(self, config):
        """A built site publishes its records' ids: they go on the dossier's list, if it keeps one
        (not while serving: that is a preview, and writing into content/ would rebuild again).

        Then Pagefind indexes the site; ``mkdocs serve`` does it in the background.  A build waits
        for the index and fails on an error.  The preview does not wait: the page reloads at once
        and search catches up a few seconds later (a newer rebuild stops an indexing run still
        going, and starts its own).  When mkdocs-material's search plugin is listed too (the
        benchmark's comparison), its index loses its citation markers (generator/searchindex.py).
        """
        if _material_search(config):
            tidy_search_index(Path(config.site_dir))
        if not self.serving:
            record_published(self._project_path(config, self.config.content_dir), self.published)
        if self.serving:  # the page is written: collect once the reader has it, unless a new rebuild comes first
            self.idle_collection = threading.Timer(IDLE_COLLECTION_DELAY_S, gc.collect)
            self.idle_collection.daemon = True
            self.idle_collection.start()
        if self.config.search != "pagefind":
            return
        command = pagefind_command(config.site_dir)
        if self.serving:
            if self.indexer is not None and self.indexer.poll() is None:
                self.indexer.terminate()
                self.indexer.wait()
            # At a lower priority: at 10,000 records an index takes ~23 s of CPU, and the next edit's
            # rebuild, which the reader waits for, must not share the cores with it evenly.
            nice = shutil.which("nice")
            self.indexer = subprocess.Popen(
                [nice, "-n", str(INDEXER_NICENESS), *command] if nice else command, stdout=subprocess.DEVNULL
            )
            return
        result = subprocess.run(command, capture_output=True, text=True)
        output = (result.stdout + result.stderr).strip()
        if result.returncode != 0:
            raise PluginError(f"Pagefind could not index {config.site_dir} (exit {result.returncode}):\n{output}")
        for line in output.splitlines():
            if line.strip():
                log.warning("Pagefind: %s", line.strip())
        if not canonical_filters(Path(config.site_dir) / "pagefind"):  # byte-identical rebuilds
            log.warning("Pagefind's bundle is not in the form generator/search.py reads: rebuilds may differ")

    def on_env(self, env, config, files):
        env.bytecode_cache = THEME_TEMPLATES  # read whenever a template is loaded, after this event
        return env

    def on_serve(self, server, config, builder):
        # The address to open: MkDocs serves the site under the path of site_url (/dossier/ here).
        log.info("Preview: open %s", config.site_url)
        server.watch(str(self._project_path(config, self.config.content_dir)))
        if self.config.templates_dir:
            server.watch(str(self._project_path(config, self.config.templates_dir)))
        if self.config.watcher == "events":
            fallback = watch_by_file_events(server)
            if fallback is None:
                log.info("Watching for changes by file events (inotify)")
            else:
                log.info("Watching for changes by polling (file events unavailable: %s)", fallback)
        return server
