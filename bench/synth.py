"""Write a synthetic dossier of N records that passes ``python -m generator check``.

Realistic in shape and size: entities with 5-15 relationships, aliases in Latin, Cyrillic and
Chinese scripts, sourced facts and [[links]] in their text; events with 2-6 participants, a place
and topics; sources with publishers and relay chains.  Deterministic for a given N and seed.

    python bench/synth.py --records 1000 --out /tmp/dossier-1000
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ren",
    "tor",
    "vex",
    "san",
    "qi",
    "dao",
    "zen",
    "ar",
    "bel",
    "cor",
    "dun",
    "el",
    "fin",
    "gal",
    "hu",
    "ion",
    "jas",
    "kel",
    "lun",
    "mor",
    "nev",
    "os",
    "pra",
    "rul",
    "sol",
    "tan",
    "ur",
]
CYRILLIC = {
    "a": "а",
    "b": "б",
    "c": "к",
    "d": "д",
    "e": "е",
    "f": "ф",
    "g": "г",
    "h": "х",
    "i": "и",
    "j": "ж",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "q": "ц",
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "v": "в",
    "x": "кс",
    "z": "з",
}
HANZI = "华为星云海光天工智芯龙腾科技数据中心算力深度求索通义千问阿里巴字节跳动豆包寒武纪摩尔线程"
WORDS = [
    "export",
    "controls",
    "accelerator",
    "cluster",
    "cloud",
    "rental",
    "supply",
    "chain",
    "data",
    "centre",
    "compliance",
    "licence",
    "shipment",
    "model",
    "training",
    "inference",
    "subsidiary",
    "distributor",
    "customs",
    "investigation",
    "report",
    "partnership",
    "capacity",
    "semiconductor",
    "foundry",
    "wafer",
    "packaging",
    "memory",
    "bandwidth",
    "procurement",
    "intermediary",
    "regulator",
]

FIRST_DOSSIER_VOCABULARY = Path(__file__).resolve().parent.parent / "content" / "vocabulary.yaml"
# Relation types that accept any entity type on both ends, so every pairing passes the checks.
FREE_RELATIONS = (
    "supplies",
    "customer-of",
    "competes-with",
    "operates",
    "uses",
    "member-of",
    "part-of",
    "regulates",
    "targets",
    "successor-of",
)
ACTOR_TYPES = ("company", "company", "company", "organization", "government-body", "chip", "ai-model", "service")


def _name(rng: random.Random, index: int) -> str:
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    suffix = rng.choice(["Systems", "Labs", "Group", "Holdings", "Technologies", "Works"])
    return f"{word.capitalize()} {suffix} {index}"


def _cyrillic(name: str) -> str:
    return "".join(CYRILLIC.get(ch.lower(), ch) for ch in name)


def _sentence(rng: random.Random, links: list[str], length: int = 18) -> str:
    words = [rng.choice(WORDS) for _ in range(length)]
    for link in links:
        words.insert(rng.randrange(len(words) + 1), f"[[{link}]]")
    return " ".join(words).capitalize() + "."


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _folded(text: str, indent: str) -> list[str]:
    """A YAML folded block (>-) wrapped at about 78 columns."""
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + len(word) + 1 > 78 - len(indent):
            lines.append(indent + current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(indent + current)
    return lines


def _date(rng: random.Random) -> str:
    year = rng.randint(2015, 2026)
    precision = rng.random()
    if precision < 0.2:
        return f"'{year}'"
    if precision < 0.5:
        return f"'{year}-{rng.randint(1, 12):02d}'"
    return f"'{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}'"


def plan(records: int, seed: int = 7) -> dict:
    """The ids and types of every record, before any file is written."""
    rng = random.Random(seed)
    n_sources = max(4, records // 10)
    n_events = max(4, records * 3 // 10)
    n_entities = max(8, records - n_sources - n_events)
    n_places = max(2, n_entities // 20)
    n_topics = max(2, n_entities // 25)
    entity_types = {}
    for index in range(n_entities):
        if index < n_places:
            entity_types[f"place-{index}"] = "place"
        elif index < n_places + n_topics:
            entity_types[f"topic-{index}"] = rng.choice(("topic", "method"))
        elif index % 7 == 0:
            entity_types[f"person-{index}"] = "person"
        else:
            entity_types[f"entity-{index}"] = rng.choice(ACTOR_TYPES)
    return {
        "entities": entity_types,
        "events": [f"event-{i}" for i in range(n_events)],
        "sources": [f"source-{i}" for i in range(n_sources)],
    }


#: Excerpts per synthetic source; every citation names one, round robin (no draw from the main
#: random stream, so the dossier's shape is the same as before sources had excerpts).
EXCERPTS_PER_SOURCE = 4


def write_dossier(records: int, out: Path, seed: int = 7) -> dict[str, int]:
    """Write ``records`` record files (and two hand-written pages) under ``out``; returns counts."""
    rng = random.Random(seed)
    quote_rng = random.Random(seed + 1)
    turn = iter(range(10**9))

    def cite(source_id: str) -> str:
        return f"{source_id}#excerpt-{next(turn) % EXCERPTS_PER_SOURCE + 1}"

    layout = plan(records, seed)
    if out.exists():
        shutil.rmtree(out)
    for folder in ("entities", "events", "sources", "pages"):
        (out / folder).mkdir(parents=True)
    # The synthetic dossier speaks the first dossier's words (chips, AI models, methods, topics ...).
    shutil.copyfile(FIRST_DOSSIER_VOCABULARY, out / "vocabulary.yaml")
    entity_ids = list(layout["entities"])
    places = [i for i, t in layout["entities"].items() if t == "place"]
    topics = [i for i, t in layout["entities"].items() if t in ("topic", "method")]
    sources = layout["sources"]
    organizations = [i for i, t in layout["entities"].items() if t in ("company", "organization")]
    publishers = organizations[: max(3, len(sources) // 20)]

    for index, entity_id in enumerate(entity_ids):
        entity_type = layout["entities"][entity_id]
        name = _name(rng, index)
        cited = rng.sample(sources, 2)
        lines = [
            "# synthetic record for the benchmark",
            f"type: {entity_type}",
            f"name: {_quoted(name)}",
            "aliases:",
            f"  - name: {_quoted(_cyrillic(name))}",
            "    lang: ru",
            f"  - name: {''.join(rng.sample(HANZI, 4))}",
            "    lang: zh",
            "    note: the Chinese trade name",
            "summary: >-",
        ]
        lines += _folded(_sentence(rng, rng.sample(entity_ids, 2) + [cite(cited[0])], 30), "  ")
        lines += ["description: >-"]
        lines += _folded(_sentence(rng, [rng.choice(entity_ids)], 45), "  ")
        lines += [
            "facts:",
            "  country:",
            f"    value: '[[{rng.choice(places)}]]'",
            f"    sources: [{cite(cited[0])}]",
            "  founded:",
            f"    value: '{rng.randint(1950, 2024)}'",
            f"    sources: [{cite(cited[1])}]",
            "relationships:",
        ]
        others = [e for e in rng.sample(entity_ids, 16) if e != entity_id][: rng.randint(5, 15)]
        for target in others:
            lines += [f"  - type: {rng.choice(FREE_RELATIONS)}", f"    target: {target}"]
            if rng.random() < 0.3:
                lines += [f"    since: {_date(rng)}"]
            if rng.random() < 0.3:
                lines += [f"    note: {_quoted(_sentence(rng, [], 10))}"]
            lines += [f"    sources: [{cite(rng.choice(sources))}]"]
        lines += [f"tags: [{rng.choice(WORDS)}, synthetic]", f"sources: [{cite(cited[1])}]"]
        (out / "entities" / f"{entity_id}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    for event_id in layout["events"]:
        participants = rng.sample(entity_ids, rng.randint(2, 6))
        lines = [
            "# synthetic record for the benchmark",
            f"date: {_date(rng)}",
            f"title: {_quoted(_sentence(rng, [], 7)[:-1])}",
            "summary: >-",
        ]
        lines += _folded(_sentence(rng, participants[:2] + [cite(rng.choice(sources))], 35), "  ")
        lines += ["participants:"]
        for participant in participants:
            lines += [f"  - entity: {participant}", f"    role: {rng.choice(WORDS)} {rng.choice(WORDS)}"]
        lines += [
            f"place: {rng.choice(places)}",
            f"topics: [{rng.choice(topics)}]",
            "tags: [synthetic]",
            f"sources: [{', '.join(cite(s) for s in rng.sample(sources, 2))}]",
        ]
        (out / "events" / f"{event_id}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    for index, source_id in enumerate(sources):
        language = rng.choice(("en", "ru", "zh"))
        title = _sentence(rng, [], 9)[:-1]
        if language == "ru":
            title = _cyrillic(title)
        lines = ["# synthetic record for the benchmark", f"title: {_quoted(title)}"]
        if language != "en":
            lines += [f"title_en: {_quoted(_sentence(rng, [], 9)[:-1])}"]
        lines += [
            "kind: news-article",
            f"publisher: {rng.choice(publishers)}",
            f"date: {_date(rng)}",
            f"language: {language}",
            f"url: https://news.example.org/{source_id}",
        ]
        relayed = sources[rng.randrange(index)] if index > 0 else None
        if relayed:
            lines += [f"relays: [{relayed}]"]
        lines += ["note: >-"] + _folded(_sentence(rng, [rng.choice(entity_ids)], 20), "  ")
        lines += ["excerpts:"]
        for number in range(1, EXCERPTS_PER_SOURCE + 1):
            quote = _sentence(quote_rng, [], 24)
            lines += [f"  - id: excerpt-{number}", "    quote: >-"]
            lines += _folded(_cyrillic(quote) if language == "ru" else quote, "      ")
            if language != "en":
                lines += ["    translation: >-"] + _folded(_sentence(quote_rng, [], 24), "      ")
            lines += ["    location:", f"      paragraph: {number}"]
            if relayed and number == 1:  # the relayed source speaks in the first excerpt
                lines += [f"    voice: {relayed}"]
        (out / "sources" / f"{source_id}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    (out / "pages" / "index.md").write_text(
        f"---\ntitle: Synthetic dossier\n---\n\nA synthetic dossier of {records} records for the benchmark; "
        f"start with [[{entity_ids[-1]}]].\n",
        encoding="utf-8",
    )
    (out / "pages" / "about.md").write_text(
        "---\ntitle: About\n---\n\nGenerated by `bench/synth.py`.\n", encoding="utf-8"
    )
    return {"entities": len(entity_ids), "events": len(layout["events"]), "sources": len(sources)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    counts = write_dossier(args.records, args.out, args.seed)
    print(f"wrote {sum(counts.values())} records to {args.out}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
