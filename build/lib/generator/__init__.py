"""Dossier engine: YAML records -> checked model -> cross-linked Markdown tree.

The pipeline is load -> check -> link -> render -> write, one module each.  Nothing here
imports MkDocs; :mod:`generator.mkdocs_plugin` is the thin adapter that runs the engine
inside ``mkdocs build`` and ``mkdocs serve``.
"""

__version__ = "0.1.0"
