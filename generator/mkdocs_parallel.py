"""``mkdocs build`` on every core: the same site, byte for byte, with the pages shared among forked workers.

MkDocs 1.6 converts every page's Markdown and renders it through the theme in one process, one
page after another.  Once the files, the navigation and the theme's environment exist, the pages
are independent of one another: a page reads only itself, the navigation (whose few pages are
converted first, here, so that every worker knows their titles) and the configuration.  So
:func:`build` does MkDocs' own steps (``mkdocs.commands.build.build``, 1.6.1, whose order it
keeps) up to that point in this process, then forks ``workers`` children which take pages from one
shared queue (small batches, so that a worker slowed by a busy machine takes fewer), convert and
render them and write their HTML.  Each worker sends back, for every page:

* the log records it made (warnings included), which this process replays through its own
  handlers in the order a serial build makes them: MkDocs' strict-mode count and
  ``scripts/build_site.py`` see every warning, exactly once;
* the page's anchors and its links to other pages' anchors, which this process checks across
  pages as MkDocs does after the pages are written;
* what a search plugin indexed for the page (mkdocs-material's ``search`` or MkDocs' own), put
  back in page order, so ``search_index.json`` is byte-identical too.

Then this process runs ``on_post_build`` and the rest as usual.  A worker that fails on a page
fails the build with the page and the error; one that dies (killed, out of memory) fails it with
its exit status and the page it was on.  Either way the build raises, so ``scripts/build_site.py``
leaves ``site/`` as it was.  A worker drops each page's Markdown and HTML once written, so the
whole build holds less than a serial MkDocs build, which keeps every page until the end.

Limits, which send the build to MkDocs' serial path (with a line of information saying why):
forking beside other threads is unsafe (``generator/background.py``; ``mkdocs serve`` therefore
never comes here), ``--dirty`` builds, another MkDocs version than this module was written for,
and plugins not known to be per-page (:data:`PER_PAGE_PLUGINS`): a plugin that reads other pages
in ``on_env``, ``on_page_context`` or ``on_post_page`` (a blog, a tags index) would see only a
worker's share.  ``DOSSIER_BUILD_WORKERS`` sets the number of workers (default: the cores this
process may use); 1 is MkDocs' serial build itself.

Usage, as ``mkdocs build`` (the same options): ``python -m generator.mkdocs_parallel build --strict``.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import mmap
import os
import pickle
import signal
import struct
import sys
import tempfile
import threading
import time
import traceback

import mkdocs
from mkdocs import utils
from mkdocs.commands import build as mkdocs_build
from mkdocs.exceptions import Abort, BuildError
from mkdocs.structure.files import InclusionLevel, get_files, set_exclusions
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.commands.build")

#: The MkDocs version whose build() this module follows step by step.
MKDOCS_VERSION = "1.6.1"
#: Plugins whose page events touch only the page at hand (and whose per-page results this
#: module collects): other plugins keep the build serial.
PER_PAGE_PLUGINS = frozenset({"search", "material/search", "dossier"})
#: Pages a worker takes from the queue at a time.
BATCH_PAGES = 8

_serial_build = mkdocs_build.build
_call_handlers = logging.Logger.callHandlers


def workers_wanted() -> int:
    """``DOSSIER_BUILD_WORKERS`` if set, else the cores this process may run on."""
    value = os.environ.get("DOSSIER_BUILD_WORKERS", "").strip()
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            raise Abort(f"DOSSIER_BUILD_WORKERS must be a whole number, not {value!r}") from None
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def serial_reason(config, workers: int, dirty: bool) -> str | None:
    """Why this build must run on one core, or None."""
    if workers <= 1:
        return ""  # asked for: no need to say so
    if dirty:
        return "a dirty build is serial"
    if not hasattr(os, "fork"):
        return "this system cannot fork"
    if threading.active_count() > 1:
        return "other threads run in this process (forking beside them is unsafe)"
    if mkdocs.__version__ != MKDOCS_VERSION:
        return f"written for MkDocs {MKDOCS_VERSION}, this is {mkdocs.__version__}"
    unknown = sorted(name for name in config.plugins if name not in PER_PAGE_PLUGINS)
    if unknown:
        return f"plugins not known to work page by page: {', '.join(unknown)}"
    return None


class _LogCapture:
    """Holds log records by slot (a page's conversion or rendering) instead of emitting them.

    While installed, ``Logger.callHandlers`` keeps each record (already past its logger's level
    and filters) under the current slot; :meth:`replay` later hands them to the same loggers'
    handlers, so they are shown and counted as if emitted then.
    """

    def __init__(self) -> None:
        self.records: dict[object, list[logging.LogRecord]] = {}
        self.slot: object = None

    def install(self) -> None:
        capture = self

        def call_handlers(logger: logging.Logger, record: logging.LogRecord) -> None:
            if capture.slot is None:
                _call_handlers(logger, record)
            else:
                capture.records.setdefault(capture.slot, []).append(_portable(record))

        logging.Logger.callHandlers = call_handlers

    @staticmethod
    def uninstall() -> None:
        logging.Logger.callHandlers = _call_handlers

    def replay(self, slot: object) -> None:
        """Emit the records of ``slot`` (and forget them)."""
        for record in self.records.pop(slot, []):
            _call_handlers(logging.getLogger(record.name), record)

    def replay_all(self) -> None:
        """Emit every record still held, in the order their slots began (a build that failed early)."""
        for slot in list(self.records):
            self.replay(slot)


def _portable(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message formatted and its traceback as text, so that it pickles."""
    copy = logging.makeLogRecord(record.__dict__)
    copy.msg, copy.args = record.getMessage(), None
    if record.exc_info:
        copy.exc_text = record.exc_text or logging.Formatter().formatException(record.exc_info)
        copy.exc_info = None
    return copy


def _search_entries(config) -> list | None:
    """The list a search plugin appends a page's index entries to, if one is enabled."""
    for name in ("material/search", "search"):
        plugin = config.plugins.get(name)
        index = getattr(plugin, "search_index", None)
        for attribute in ("entries", "_entries"):  # mkdocs-material's, MkDocs' own
            entries = getattr(index, attribute, None)
            if isinstance(entries, list):
                return entries
    return None


def _worker(number, config, files, nav, env, doc_files, populated, queue_fd, progress, result_path) -> None:
    """A forked worker: take batches of pages from the queue, convert and render them, send the results."""
    capture = _LogCapture()
    capture.install()
    entries = _search_entries(config)
    results = {}
    index = -1
    try:
        while True:
            batch = os.read(queue_fd, 4)
            if len(batch) < 4:
                break
            first = struct.unpack("<I", batch)[0]
            for index in range(first, min(first + BATCH_PAGES, len(doc_files))):
                struct.pack_into("<q", progress, 8 * number, index)
                file = doc_files[index]
                page = file.page
                if index not in populated:
                    capture.slot = ("populate", index)
                    mkdocs_build._populate_page(page, config, files)
                capture.slot = ("build", index)
                before = len(entries) if entries is not None else 0
                mkdocs_build._build_page(page, config, doc_files, nav, env, excluded=file.inclusion.is_excluded())
                capture.slot = None
                results[index] = {
                    "anchors": page.present_anchor_ids,
                    "links_to_anchors": {to.src_uri: links for to, links in page.links_to_anchors.items()},
                    "search": entries[before:] if entries is not None else [],
                }
                if entries is not None:
                    del entries[before:]
                if index not in populated:
                    # Written, and in no other page's menu: its text is not needed again (a serial
                    # build keeps every page's). Navigation pages keep theirs: their titles may come from it.
                    page.markdown = page.content = None
                    page.toc = []
        answer = {"pages": results, "logs": capture.records, "error": None}
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which fails the build
        capture.slot = None
        page = doc_files[index].src_uri if index >= 0 else None
        answer = {
            "pages": {},
            "logs": capture.records,
            "error": {"page": page, "text": "".join(traceback.format_exception(error)).rstrip()},
        }
    with open(result_path, "wb") as stream:
        pickle.dump(answer, stream, protocol=pickle.HIGHEST_PROTOCOL)


def _run_workers(count, config, files, nav, env, doc_files, populated) -> list[dict]:
    """Fork ``count`` workers over ``doc_files``; their answers, or BuildError naming what failed."""
    batches = list(range(0, len(doc_files), BATCH_PAGES))
    queue_read, queue_write = os.pipe()
    data = b"".join(struct.pack("<I", first) for first in batches)
    if len(data) > 60_000:  # the pipe must hold the whole queue before any worker reads
        raise BuildError(f"too many pages for one build queue ({len(doc_files)})")
    os.write(queue_write, data)
    os.close(queue_write)
    progress = mmap.mmap(-1, 8 * count)  # shared: the page each worker is on, for a crash message
    for number in range(count):
        struct.pack_into("<q", progress, 8 * number, -1)
    results_dir = tempfile.mkdtemp(prefix="mkdocs-workers-")
    pids, reaped = {}, set()
    sys.stdout.flush()
    sys.stderr.flush()
    gc.collect()
    gc.freeze()  # the collector must not touch the shared objects: each touch copies a memory page
    try:
        for number in range(count):
            result_path = os.path.join(results_dir, f"{number}.pickle")
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    _worker(number, config, files, nav, env, doc_files, populated, queue_read, progress, result_path)
                    code = 0
                finally:
                    os._exit(code)
            pids[pid] = (number, result_path)
        os.close(queue_read)
        answers, failures, cpu = [], [], []
        for pid, (number, result_path) in pids.items():
            _pid, status, usage = os.wait4(pid, 0)
            reaped.add(pid)
            cpu.append(usage.ru_utime + usage.ru_stime)
            code = os.waitstatus_to_exitcode(status)
            answer = None
            if code == 0:
                try:
                    with open(result_path, "rb") as stream:
                        answer = pickle.load(stream)  # written by our own child into our private folder
                except (OSError, pickle.UnpicklingError, EOFError) as error:
                    failures.append(f"build worker {number + 1} of {count} sent no readable result ({error})")
                    continue
                answers.append(answer)
                if answer["error"]:
                    where = f" on page '{answer['error']['page']}'" if answer["error"]["page"] else ""
                    failures.append(f"build worker {number + 1} of {count} failed{where}:\n{answer['error']['text']}")
                continue
            index = struct.unpack_from("<q", progress, 8 * number)[0]
            on_page = f" while on page '{doc_files[index].src_uri}'" if index >= 0 else ""
            why = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
            failures.append(
                f"build worker {number + 1} of {count} (pid {pid}) {why}{on_page} before it finished "
                "(out of memory? set DOSSIER_BUILD_WORKERS=1 to build on one core)"
            )
        log.info("Workers' CPU seconds: " + ", ".join(f"{seconds:.1f}" for seconds in cpu))
        return answers, failures
    finally:
        for pid in set(pids) - reaped:  # interrupted: no worker outlives the build
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        gc.unfreeze()
        progress.close()
        with contextlib.suppress(OSError):
            os.close(queue_read)
        for name in os.listdir(results_dir):
            os.unlink(os.path.join(results_dir, name))
        os.rmdir(results_dir)


def build(config, *, serve_url: str | None = None, dirty: bool = False) -> None:
    """``mkdocs.commands.build.build`` with the pages converted and rendered by forked workers.

    The steps and their order are MkDocs 1.6.1's (BSD-2-Clause, Copyright © 2014 Tom Christie);
    only the two loops over the pages differ.
    """
    workers = workers_wanted()
    reason = serial_reason(config, workers, dirty) if serve_url is None else "serve builds are serial"
    if reason is not None:
        if reason:
            log.info(f"Building on one core: {reason}.")
        return _serial_build(config, serve_url=serve_url, dirty=dirty)

    logger = logging.getLogger("mkdocs")
    warning_counter = utils.CountHandler()
    warning_counter.setLevel(logging.WARNING)
    if config.strict:
        logging.getLogger("mkdocs").addHandler(warning_counter)
    inclusion = InclusionLevel.is_included
    capture = _LogCapture()
    try:
        start = time.monotonic()
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        log.info("Cleaning site directory")
        utils.clean_directory(config.site_dir)
        log.info(f"Building documentation to directory: {config.site_dir}")

        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)

        doc_files = files.documentation_pages(inclusion=inclusion)
        for file in doc_files:
            if file.page is None and file.inclusion.is_not_in_nav():
                Page(None, file, config)
        # The navigation's pages first, here: every worker renders their titles in its pages' menus.
        in_nav = {id(page) for page in nav.pages}
        populated = {index for index, file in enumerate(doc_files) if id(file.page) in in_nav}
        capture.install()
        for index in sorted(populated):
            capture.slot = ("populate", index)
            mkdocs_build._populate_page(doc_files[index].page, config, files)
        # What a serial build does between the two loops, in this process before the workers write
        # pages (files written later take precedence, as in MkDocs).
        capture.slot = "between"
        env = config.plugins.on_env(env, config=config, files=files)
        files.copy_static_files(inclusion=inclusion)
        for template in config.theme.static_templates:
            mkdocs_build._build_theme_template(template, env, files, config, nav)
        for template in config.extra_templates:
            mkdocs_build._build_extra_template(template, files, config, nav)
        capture.slot = None
        count = min(workers, max(1, len(doc_files) // BATCH_PAGES))
        log.info(f"Building {len(doc_files)} pages on {count} processes")
        answers, failures = _run_workers(count, config, files, nav, env, doc_files, populated)
        capture.uninstall()

        pages = {}
        for answer in answers:
            for slot, records in answer["logs"].items():
                capture.records.setdefault(slot, []).extend(records)
            pages.update(answer["pages"])
        # The log, in a serial build's order: conversions, what came between, renderings.
        for index in range(len(doc_files)):
            capture.replay(("populate", index))
        capture.replay("between")
        for index in range(len(doc_files)):
            capture.replay(("build", index))
        if failures:
            raise BuildError("\n".join(failures))

        entries = _search_entries(config)
        for index, file in enumerate(doc_files):
            result = pages[index]
            file.page.present_anchor_ids = result["anchors"]
            file.page.links_to_anchors = {
                files.get_file_from_path(src_uri): links for src_uri, links in result["links_to_anchors"].items()
            }
            if entries is not None:
                entries.extend(result["search"])
        log_level = config.validation.links.anchors
        for file in doc_files:
            file.page.validate_anchor_links(files=files, log_level=log_level)

        config.plugins.on_post_build(config=config)
        if counts := warning_counter.get_counts():
            msg = ", ".join(f"{v} {k.lower()}s" for k, v in counts)
            raise Abort(f"Aborted with {msg} in strict mode!")
        log.info(f"Documentation built in {time.monotonic() - start:.2f} seconds")
    except Exception as e:
        capture.uninstall()
        capture.replay_all()  # what was held when the build failed, e.g. a navigation page's error
        config.plugins.on_build_error(error=e)
        if isinstance(e, BuildError):
            log.error(str(e))
            raise Abort("Aborted with a BuildError!") from None
        raise
    finally:
        capture.uninstall()
        logger.removeHandler(warning_counter)


def main(argv: list[str] | None = None) -> int:
    """``mkdocs`` itself (same options and log), with ``mkdocs build`` running :func:`build`."""
    from mkdocs.__main__ import cli

    mkdocs_build.build = build
    try:
        cli.main(args=argv, prog_name="mkdocs", standalone_mode=True)
    finally:
        mkdocs_build.build = _serial_build
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
