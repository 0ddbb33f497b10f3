"""Run one pure computation in a forked child process while the parent does other work.

A site build has two cores and two independent halves: rendering the pages and building the
data files (whole-dossier JSON, CSV, FollowTheMoney, the feed), which read the same linked
dossier.  :func:`start` forks a child that inherits the dossier (no pickling of the input),
computes the function there and sends back its result; :meth:`Pending.result` waits for it.

Forking is safe only while this process runs one thread: a child of a threaded process
(``mkdocs serve`` runs an HTTP server and a file watcher) inherits locks other threads may
hold and can deadlock.  So :func:`start` never forks while another thread runs; the function
then runs in the parent when its result is wanted.  A child that fails, sends a damaged answer
or takes longer than ``timeout`` seconds (it is killed) is logged as a warning and the
function runs in the parent, so the result always equals a plain call; ``Pending.computed_in``
says which process computed it (``"child"`` or ``"parent"``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("generator.background")

#: Seconds a child may take before it is killed and the parent computes the result itself.
#: The data files of 10,000 records take ~12 s; the limit is for a child that hangs.
DEFAULT_TIMEOUT = 600.0


def may_fork() -> bool:
    """Whether forking is safe here: ``os.fork`` exists and no other thread runs in this process."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Pending:
    """A computation started by :func:`start`; :meth:`result` returns what the function returned."""

    def __init__(
        self, function: Callable, args: tuple, pid: int | None, reader: int | None, timeout: float = DEFAULT_TIMEOUT
    ):
        self._function, self._args = function, args
        self._pid, self._reader = pid, reader
        self._timeout = timeout
        self._done, self._value = False, None
        self.computed_in: str | None = None  # "child" or "parent", once the result is known

    @property
    def forked(self) -> bool:
        return self._pid is not None

    def _kill(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self._pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(self._pid, 0)

    def cancel(self) -> None:
        """Kill the child, if any, and forget the computation (the render it served failed)."""
        if self._pid is not None and not self._done:
            self._kill()
            os.close(self._reader)
        self._pid = self._reader = None
        self._done, self._value, self._function, self._args = True, None, None, None

    def _read_child(self) -> tuple[bytes | None, str]:
        """The child's answer, or None and why not (read before waiting: the child blocks on a full pipe)."""
        chunks, deadline = [], time.monotonic() + self._timeout
        with os.fdopen(self._reader, "rb", buffering=0) as stream:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([stream], [], [], left)[0]:
                    self._kill()
                    return None, f"took longer than {self._timeout:g} s and was stopped"
                chunk = stream.read(1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        _pid, status = os.waitpid(self._pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code != 0 or not chunks:
            return None, f"exited with status {code}"
        return b"".join(chunks), ""

    def result(self) -> Any:
        if self._done:
            return self._value
        if self._pid is not None:
            data, why = self._read_child()
            if data is not None:
                try:
                    value = pickle.loads(data)  # our own child's answer through a private pipe
                except Exception as error:  # noqa: BLE001 - a damaged answer: compute it here instead
                    why = f"sent a damaged answer ({type(error).__name__})"
                else:
                    self._finish(value, "child")
                    return value
            log.warning(
                "the child process computing %s %s; computing it here instead",
                getattr(self._function, "__name__", "a result"),
                why,
            )
        value = self._function(*self._args)
        self._finish(value, "parent")
        return value

    def _finish(self, value, computed_in: str) -> None:
        self._done, self._value, self.computed_in = True, value, computed_in
        self._function = self._args = None
        self._pid = self._reader = None


def start(function: Callable, *args, fork: bool = True, timeout: float = DEFAULT_TIMEOUT) -> Pending:
    """Start ``function(*args)`` in a forked child; with ``fork=False``, where fork is unavailable,
    or while other threads run (:func:`may_fork`), it is computed in the parent on demand."""
    if not fork or not may_fork():
        return Pending(function, args, None, None)
    reader, writer = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        return Pending(function, args, None, None)
    if pid == 0:  # the child: compute, send, leave without running the parent's exit handlers
        code = 1
        try:
            os.close(reader)
            data = pickle.dumps(function(*args), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writer, "wb") as stream:
                stream.write(data)
            code = 0
        except BaseException:  # noqa: BLE001 - the parent computes it again and shows any error
            pass
        finally:
            os._exit(code)
    os.close(writer)
    return Pending(function, args, pid, reader, timeout)
