"""Run one pure computation in a forked child process while the parent does other work.

A site build has two cores and two independent halves: rendering the pages and building the
data files (whole-dossier JSON, CSV, FollowTheMoney, the feed), which read the same linked
dossier.  :func:`start` forks a child that inherits the dossier (no pickling of the input),
computes the function there and sends back its result; :meth:`Pending.result` waits for it.
Where ``fork`` is unavailable, or the child fails, the function simply runs in the parent, so
the result is always the same as a plain call.
"""

from __future__ import annotations

import os
import pickle
import signal
from typing import Any, Callable


class Pending:
    """A computation started by :func:`start`; :meth:`result` returns what the function returned."""

    def __init__(self, function: Callable, args: tuple, pid: int | None, reader: int | None):
        self._function, self._args = function, args
        self._pid, self._reader = pid, reader
        self._done, self._value = False, None

    def cancel(self) -> None:
        """Kill the child, if any, and forget the computation (the render it served failed)."""
        if self._pid is not None and not self._done:
            try:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            except OSError:
                pass
            os.close(self._reader)
        self._pid = self._reader = None
        self._done, self._value, self._function, self._args = True, None, None, None

    def result(self) -> Any:
        if self._done:
            return self._value
        value, ok = None, False
        if self._pid is not None:
            chunks = []
            with os.fdopen(self._reader, "rb") as stream:  # read before waiting: the child blocks on a full pipe
                while chunk := stream.read(1 << 20):
                    chunks.append(chunk)
            _pid, status = os.waitpid(self._pid, 0)
            if os.waitstatus_to_exitcode(status) == 0 and chunks:
                try:
                    value, ok = pickle.loads(b"".join(chunks)), True
                except Exception:  # noqa: BLE001 - a damaged answer: compute it here instead
                    ok = False
        if not ok:
            value = self._function(*self._args)
        self._done, self._value = True, value
        self._function = self._args = None
        return value


def start(function: Callable, *args, fork: bool = True) -> Pending:
    """Start ``function(*args)`` in a forked child (``fork=False`` or no fork: computed on demand)."""
    if not fork or not hasattr(os, "fork"):
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
    return Pending(function, args, pid, reader)
