"""Outputs made record by record: each record's part through one call that may keep it.

The data files (:mod:`generator.outputs.data_files`, :mod:`generator.outputs.ftm`) and the
search's entries (:mod:`generator.search`) ask ``pieces(key, function, *args)`` for each
record's part, with ``function`` reading the dossier as ``pieces.view``.  :class:`EveryPiece`
makes every part (a one-off build); :class:`generator.incremental.DataPieces` keeps the parts
of the preview's last render with what they read, and makes again only those a change reaches.
"""

from __future__ import annotations

from collections.abc import Callable


class EveryPiece:
    """Make every part, reading ``dossier`` itself: nothing is kept or recorded."""

    def __init__(self, dossier):
        self.view = dossier

    def __call__(self, key, function: Callable, *args):
        return function(*args)
