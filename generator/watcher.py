"""How the preview (``mkdocs serve``) learns that a file changed: file events instead of MkDocs' polling.

Used by the MkDocs adapter's ``on_serve``; MkDocs' ``LiveReloadServer`` keeps its watched
paths in ``_watched_paths`` and ``_watch_refs`` and its observer in ``observer`` (MkDocs 1.6),
which is all this module touches: the handlers are MkDocs' own, made by ``server.watch``.
"""

from __future__ import annotations


def watch_by_file_events(server) -> str | None:
    """Move every path ``server`` (MkDocs' LiveReloadServer) watches to an observer of file events.

    MkDocs polls: it looks at every watched file twice a second, in a thread that holds the
    interpreter's lock while it walks the folders.  At 1,000 records that was a tenth of a core
    all the time and the rebuild waited a quarter of a second on average before it began; with
    inotify a change is known at once and nothing runs while nothing changes.  The new observer
    is started here, so that a system without file events (or out of inotify instances) keeps
    MkDocs' polling; MkDocs' own start of it later does nothing.  Returns why it fell back, or None.
    """
    try:
        from watchdog import events
        from watchdog.observers.inotify import InotifyObserver
    except Exception as error:  # noqa: BLE001 - not Linux, or no inotify in its C library
        return str(error) or type(error).__name__
    # Changes only: MkDocs' handler rebuilds on any event, and the build's own reading of the
    # records (opened, closed without writing) would start the next rebuild, for ever.
    changes = [
        events.FileCreatedEvent,
        events.FileModifiedEvent,
        events.FileAttribEvent,  # `touch`: polling sees a new time too
        events.FileDeletedEvent,
        events.FileMovedEvent,
        events.FileClosedEvent,  # closed after writing
        events.DirCreatedEvent,
        events.DirDeletedEvent,
        events.DirMovedEvent,
    ]

    class StartedObserver(InotifyObserver):
        def schedule(self, handler, path, *, recursive=False, event_filter=None, follow_symlink=False):
            return super().schedule(
                handler, path, recursive=recursive, event_filter=event_filter or changes, follow_symlink=follow_symlink
            )

        def start(self) -> None:
            if not self.is_alive():
                super().start()

    try:
        polling = (server.observer, server._watched_paths, server._watch_refs)
    except AttributeError as error:  # another MkDocs than the pinned one: leave its watcher alone
        return f"MkDocs' server is not the one this was written for ({error})"
    server.observer, server._watched_paths, server._watch_refs = StartedObserver(), {}, {}
    try:
        for path, count in polling[1].items():
            for _ in range(count):
                server.watch(path)  # MkDocs' own handler, on the new observer
        server.observer.start()
    except Exception as error:  # noqa: BLE001 - an OSError from inotify, whatever the system says
        if server.observer.is_alive():
            server.observer.stop()
        server.observer, server._watched_paths, server._watch_refs = polling
        return str(error) or type(error).__name__
    polling[0].unschedule_all()
    return None
