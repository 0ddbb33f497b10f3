"""The network of entities and typed relationships, as data for the interactive graph.

:func:`build_graph` turns a linked :class:`~generator.link.Dossier` into plain data (nodes,
edges, entity types) that :func:`graph_json` serialises for ``data/graph.json``.  The graph
script in ``theme/assets/dossier-graph.js`` draws it; the pages list the same relations as
Markdown for readers without JavaScript.  No record text becomes markup here: names travel as
JSON strings and the script draws them as canvas text or sets them as ``textContent``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field

from ..link import Dossier
from ..settings import SiteSettings
from ..vocabulary import EntityType

GRAPH_PATH = "data/graph.json"
#: The whole-dossier graph draws at most this many entities (the most connected first), so that
#: a dossier of thousands of records stays responsive; the page says what it left out.
WHOLE_GRAPH_NODE_LIMIT = 150
#: Per-entity neighbourhoods draw two hops, falling back to one hop above this many entities.
NEIGHBOURHOOD_NODE_LIMIT = 60


@dataclass(frozen=True)
class GraphNode:
    id: str
    label: str
    type: str
    url: str  # relative to the site root
    degree: int


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    type: str
    label: str
    since: str | None = None  # ISO dates (YYYY, YYYY-MM or YYYY-MM-DD): when the relationship held
    until: str | None = None


@dataclass(frozen=True)
class GraphRule:
    """A rule's dated states, for the as-of view: [(ISO date, state), ...] in date order."""

    id: str
    states: list[tuple[str, str]]


@dataclass(frozen=True)
class EvidenceSource:
    """A source for the graph's evidence layer: who cites it, whom it relays, who published it."""

    id: str
    label: str
    kind: str
    url: str  # its page, relative to the site root
    publisher: str | None
    relays: list[str]
    cited_by: list[str]  # ids of the entities resting on it


@dataclass(frozen=True)
class Graph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    types: list[EntityType]
    sources: list[EvidenceSource] = field(default_factory=list)
    rules: list[GraphRule] = field(default_factory=list)
    in_force: tuple[str, ...] = ()  # the lifecycle states in which a rule applies, from the vocabulary

    def drawn_whole(self, limit: int = WHOLE_GRAPH_NODE_LIMIT) -> tuple[set[str], list[GraphEdge]]:
        """The entities the whole-dossier graph draws (most connected first, ties by id, as the
        script picks them) and the relationships among them: what the no-JavaScript list shows."""
        if len(self.nodes) <= limit:
            return {node.id for node in self.nodes}, list(self.edges)
        drawn = {node.id for node in sorted(self.nodes, key=lambda n: (-n.degree, n.id))[:limit]}
        return drawn, [edge for edge in self.edges if edge.source in drawn and edge.target in drawn]


def build_graph(dossier: Dossier, settings: SiteSettings | None = None) -> Graph:
    """Every entity and every declared relationship, in a stable order."""
    settings = settings or SiteSettings()
    edges = [
        GraphEdge(
            entity.id,
            relationship.target,
            relationship.type,
            dossier.vocabulary.relation_types_by_name[relationship.type].label,
            relationship.since.iso() if relationship.since else None,
            relationship.until.iso() if relationship.until else None,
        )
        for entity in sorted(dossier.entities.values(), key=lambda e: e.id)
        for relationship in entity.relationships
    ]
    degree = Counter()
    for edge in edges:
        degree[edge.source] += 1
        degree[edge.target] += 1
    nodes = [
        GraphNode(entity.id, entity.name, entity.type, settings.record_url(entity), degree[entity.id])
        for entity in sorted(dossier.entities.values(), key=lambda e: e.id)
    ]
    present = {entity.type for entity in dossier.entities.values()}
    rules = [
        GraphRule(
            entity.id,
            [(state.date.iso(), state.state) for state in sorted(entity.lifecycle, key=lambda state: state.date)],
        )
        for entity in sorted(dossier.entities.values(), key=lambda e: e.id)
        if entity.lifecycle
    ]
    return Graph(
        nodes,
        edges,
        [t for t in dossier.vocabulary.entity_types if t.name in present],
        evidence_sources(dossier, settings),
        rules,
        dossier.vocabulary.in_force_states,
    )


def evidence_sources(dossier: Dossier, settings: SiteSettings) -> list[EvidenceSource]:
    """Every source with the entities that cite it and the sources it relays, for the evidence layer."""
    found = []
    for source in sorted(dossier.sources.values(), key=lambda s: s.id):
        cited_by = sorted(
            {
                str(citation.record)
                for citation in dossier.citations_by_source.get(source.id, ())
                if str(citation.record) in dossier.entities
            }
        )
        found.append(
            EvidenceSource(
                source.id,
                source.display_title,
                source.kind,
                settings.record_url(source),
                source.publisher,
                list(source.relays),
                cited_by,
            )
        )
    return found


def graph_json(graph: Graph) -> str:
    """The graph as compact JSON; ``<`` is escaped so that the text is safe even if inlined in HTML."""
    payload = {
        # The legend's words and the nodes' colours come from the dossier's vocabulary.
        "types": [{"name": t.name, "label": t.label, "plural": t.plural, "colour": t.colour} for t in graph.types],
        "nodes": [asdict(node) for node in graph.nodes],
        "edges": [asdict(edge) for edge in graph.edges],
        "sources": [asdict(source) for source in graph.sources],
        "rules": [asdict(rule) for rule in graph.rules],
        "inForce": list(graph.in_force),
        "limits": {"whole": WHOLE_GRAPH_NODE_LIMIT, "neighbourhood": NEIGHBOURHOOD_NODE_LIMIT},
    }
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"
