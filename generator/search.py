"""What the site's search (Pagefind) indexes for each record beyond its page text, and how it runs.

Pagefind (https://pagefind.app, the ``pagefind[extended]`` wheel pinned in requirements.txt)
indexes the built HTML after ``mkdocs build`` and writes a chunked index into ``site/pagefind/``:
the browser loads only the chunks a query needs, so the first result comes as fast at 10,000
records as at 100 (bench/run.py measures it beside mkdocs-material's search).

For each record page the theme (``theme/partials/dossier-search-data.html``) adds, from
:func:`record_search_data`:

* ``summary``: the record's summary in plain words (links become names, citations vanish),
  shown as the result's snippet instead of text cut from the page, so a snippet never holds
  infobox debris ("Field Value Type …") or citation markers ("[1]");
* ``words``: the aliases, indexed but never shown; a Chinese alias also as each of its suffixes,
  since Pagefind matches words by prefix: "集团" then finds "阿里巴巴集团", as jieba's segments
  did in mkdocs-material's search;
* ``filters``: record kind, entity type, tags and year, which the search box offers as filters.

The engine never imports MkDocs or Pagefind; :func:`pagefind_command` is what the MkDocs adapter
runs after a build.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .link import Dossier
from .pieces import EveryPiece
from .richtext import plain_text as plain_summary
from .schema import KIND_FOLDERS, RECORD_KINDS

_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SPACE_RE = re.compile(r"\s+")

#: Parts of a page Pagefind leaves out, besides the sections whose heading carries
#: ``data-search-exclude`` (References, Mentioned in, Relationships …; see ``ignore_sections``):
#: citation markers, heading permalinks, table header rows ("Field Value"), the graph, the record
#: footer and the page's edit buttons.
EXCLUDE_SELECTORS = (
    "sup.dossier-cite, a.headerlink, thead, .dossier-graph, .dossier-record-footer, "
    ".md-content__button, .md-source-file"
)

KIND_LABELS = {"entity": "Entity", "event": "Event", "source": "Source"}


def alias_words(names) -> str:
    """Names to index but not show, space-separated; Han-script names also as each of their suffixes."""
    words: list[str] = []
    for name in names:
        name = _SPACE_RE.sub(" ", name).strip()
        if not name:
            continue
        words.append(name)
        for part in name.split(" "):
            if _HAN_RE.search(part):
                words.extend(part[start:] for start in range(1, len(part)) if _HAN_RE.match(part[start]))
    return " ".join(dict.fromkeys(words))


def record_search_data(dossier: Dossier, pieces=None) -> dict[tuple[str, str], dict]:
    """(kind, id) -> {"summary", "words", "filters": [(name, value), …]} for every record; an entity's
    also "name", indexed at Pagefind's highest weight so that its name finds it before pages that
    only mention it (an event titled after it, a short page naming it twice).

    ``pieces`` (:mod:`generator.pieces`; every entry is made without one) keeps each record's
    entry in the preview, and makes again only those a change reaches.
    """
    pieces = pieces or EveryPiece(dossier)
    return {
        (kind, record_id): pieces(("search", kind, record_id), search_entry, pieces.view, kind, record_id)
        for kind in RECORD_KINDS
        for record_id in getattr(dossier, KIND_FOLDERS[kind])
    }


def search_entry(dossier: Dossier, kind: str, record_id: str) -> dict:
    """One record's entry of :func:`record_search_data`."""
    if kind == "entity":
        entity = dossier.entities[record_id]
        filters = [("kind", KIND_LABELS["entity"]), ("type", dossier.vocabulary.type_label(entity.type))]
        filters += [("tag", tag) for tag in entity.tags]
        return {
            "name": entity.name,
            "summary": plain_summary(dossier, entity.summary or ""),
            "words": alias_words(alias.name for alias in entity.aliases),
            "filters": filters,
        }
    if kind == "event":
        event = dossier.events[record_id]
        filters = [("kind", KIND_LABELS["event"]), ("year", str(event.date.year))]
        filters += [("tag", tag) for tag in event.tags]
        return {
            "summary": f"{event.human_date}: " + plain_summary(dossier, event.summary or ""),
            "words": "",
            "filters": filters,
        }
    source = dossier.sources[record_id]
    filters = [("kind", KIND_LABELS["source"])]
    if source.date:
        filters.append(("year", str(source.date.year)))
    publisher = dossier.get(source.publisher) if source.publisher else None
    parts = [source.kind_of_source.replace("-", " ").capitalize()]
    if publisher is not None:
        parts.append(getattr(publisher, "name", source.publisher))
    if source.date:
        parts.append(source.date.human(source.qualifier))
    summary = ", ".join(part for part in parts if part) + "."
    if source.note:
        summary += " " + plain_summary(dossier, source.note)
    names = [source.title] if source.title_en else []
    return {"summary": summary, "words": alias_words(names), "filters": filters}


_HEADING_RE = re.compile(r"<h([1-6])\b([^>]*)>")


def ignore_sections(html: str) -> str:
    """Wrap each section whose heading has ``data-search-exclude`` in ``<div data-pagefind-ignore>``.

    A section runs to the next heading of the same or a higher level, as in mkdocs-material's own
    search, which honours the same attribute.
    """
    if "data-search-exclude" not in html:
        return html
    headings = [(m.start(), int(m.group(1)), "data-search-exclude" in m.group(2)) for m in _HEADING_RE.finditer(html)]
    out, position, skip_until = [], 0, -1
    for index, (start, level, excluded) in enumerate(headings):
        if not excluded or start < skip_until:
            continue
        end = next((s for s, lvl, _ in headings[index + 1 :] if lvl <= level), len(html))
        out += [html[position:start], "<div data-pagefind-ignore>", html[start:end], "</div>"]
        position = skip_until = end
    out.append(html[position:])
    return "".join(out)


def pagefind_command(site_dir: Path | str) -> list[str]:
    """The Pagefind run that indexes a built site (the binary comes with the pinned wheel)."""
    return [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site_dir),
        "--exclude-selectors",
        EXCLUDE_SELECTORS,
        "--quiet",
    ]


# --- Reproducible bundles -------------------------------------------------------------------------
# Pagefind 1.5 writes the values of each filter in hash-map order, which changes from run to run,
# so two builds of one commit differed in pagefind/filter/*, the metadata file naming them and
# pagefind-entry.json.  canonical_filters() sorts them and renames the files after their content.
# The files are gzip'd "pagefind_dcd" + CBOR; only the plain CBOR Pagefind writes is read (unsigned
# integers, text, arrays, maps), and a file that does not re-encode to its exact bytes is left as is.

_DCD = b"pagefind_dcd"


def _cbor_decode(data: bytes, at: int = 0):
    head = data[at]
    major, info = head >> 5, head & 31
    at += 1
    if info < 24:
        value = info
    elif info <= 27:
        size = 1 << (info - 24)
        value = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise ValueError("indefinite lengths are not read")
    if major == 0:
        return value, at
    if major == 3:
        return data[at : at + value].decode("utf-8"), at + value
    if major in (4, 5):
        items = []
        for _ in range(value * (2 if major == 5 else 1)):
            item, at = _cbor_decode(data, at)
            items.append(item)
        return (items if major == 4 else dict(zip(items[::2], items[1::2]))), at
    raise ValueError(f"CBOR major type {major} is not read")


def _cbor_head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise ValueError("integer too large")


def _cbor_encode(value) -> bytes:
    if isinstance(value, bool) or value is None:
        raise ValueError("not written")
    if isinstance(value, int):
        return _cbor_head(0, value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(item) for item in value)
    if isinstance(value, dict):
        return _cbor_head(5, len(value)) + b"".join(_cbor_encode(k) + _cbor_encode(v) for k, v in value.items())
    raise ValueError(f"{type(value).__name__} is not written")


def read_pagefind_file(path: Path):
    """A Pagefind index file (gzip'd \"pagefind_dcd\" + CBOR), decoded; ValueError when it is another form."""
    import gzip

    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_DCD):
        raise ValueError(f"{path.name} is not a Pagefind file")
    value, end = _cbor_decode(raw, len(_DCD))
    if end != len(raw) or _cbor_encode(value) != raw[len(_DCD) :]:
        raise ValueError(f"{path.name} does not re-encode to its own bytes")
    return value


def _write_dcd(path: Path, value) -> None:
    import gzip

    path.write_bytes(gzip.compress(_DCD + _cbor_encode(value), compresslevel=9, mtime=0))


def canonical_filters(bundle: Path) -> bool:
    """Sort the filter values of a Pagefind bundle so that equal sites give equal bytes.

    Returns False (and changes nothing) when the bundle is not in the form this reads.
    """
    import hashlib
    import json

    entry_path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        plans = []
        for language, info in entry["languages"].items():
            meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
            meta = read_pagefind_file(meta_path)
            filters = []
            for name, file_hash in meta[3]:
                filter_path = bundle / "filter" / f"{file_hash}.pf_filter"
                filter_name, values = read_pagefind_file(filter_path)
                filters.append((name, filter_path, [filter_name, sorted(values, key=lambda pair: pair[0])]))
            plans.append((language, info, meta_path, meta, filters))
    except (OSError, ValueError, KeyError, IndexError, TypeError) as error:
        print(f"Pagefind bundle left as written ({error})", file=sys.stderr)
        return False
    for language, info, meta_path, meta, filters in plans:
        renamed = []
        for name, filter_path, value in sorted(filters, key=lambda item: item[0]):
            digest = hashlib.sha256(_cbor_encode(value)).hexdigest()[:7]
            new_path = filter_path.with_name(f"{language}_{digest}.pf_filter")
            filter_path.unlink()
            _write_dcd(new_path, value)
            renamed.append([name, new_path.stem])
        meta[3] = renamed
        digest = hashlib.sha256(_cbor_encode(meta)).hexdigest()[:10]
        meta_path.unlink()
        _write_dcd(bundle / f"pagefind.{language}_{digest}.pf_meta", meta)
        info["hash"] = f"{language}_{digest}"
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return True
