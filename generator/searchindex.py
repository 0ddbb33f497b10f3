"""Tidy mkdocs-material's search index after it is written: no citation markers in snippets.

Record pages carry numbered citation markers (``<sup class="dossier-cite">[1]</sup>``); the
search plugin keeps them as ``<sup>[1]</sup>`` in each section's text, so a result's snippet
read "... language model. [1] According to ...".  The markers say nothing to a searcher and
the numbers mean nothing outside their page, so they are taken out of the index; the pages
keep them.  Record text cannot hold HTML (generator/escape.py), so every ``<sup>`` of
bracketed marks in the index is a marker the templates made.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

SEARCH_INDEX_PATH = "search/search_index.json"
_MARKERS_RE = re.compile(r"\s*<sup>(?:\s*\[[^\]<>]{1,40}\])+\s*</sup>")


def strip_citation_markers(text: str) -> str:
    """Section text without citation markers: 'model. <sup>[1]</sup> According' -> 'model. According'."""
    return _MARKERS_RE.sub("", text)


def tidy_search_index(site_dir: Path) -> bool:
    """Rewrite the site's search index without citation markers; False when there is no index."""
    path = Path(site_dir) / SEARCH_INDEX_PATH
    if not path.is_file():
        return False
    index = json.loads(path.read_text(encoding="utf-8"))
    for doc in index.get("docs", []):
        if isinstance(doc.get("text"), str):
            doc["text"] = strip_citation_markers(doc["text"])
    # The search plugin writes compact JSON; so do we, keeping non-ASCII text as it is.
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return True
