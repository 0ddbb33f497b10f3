"""Words the search index must keep whole: record names and aliases written in Chinese script.

mkdocs-material segments Chinese text with jieba before indexing it, and the browser matches a
query against those segments.  jieba's dictionary does not know the names in a dossier and cuts
"深度求索" (DeepSeek) into "深度" + "求索", so a search for the whole name would find nothing.
The MkDocs adapter adds these words to jieba before the index is built.
"""

from __future__ import annotations

import re

from .link import Dossier

_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def han_names(dossier: Dossier) -> list[str]:
    """Every entity name and alias that holds Han characters, each once, in a stable order."""
    names = []
    for entity in sorted(dossier.entities.values(), key=lambda e: e.id):
        for name in (entity.name, *(alias.name for alias in entity.aliases)):
            word = name.strip()
            if _HAN_RE.search(word) and " " not in word:
                names.append(word)
    return list(dict.fromkeys(names))
