"""The no-JavaScript list on the network page shows what the whole-dossier graph draws."""

from __future__ import annotations

from generator.outputs.graph import WHOLE_GRAPH_NODE_LIMIT, Graph, GraphEdge, GraphNode


def star_graph(leaves: int) -> Graph:
    """A hub linked to ``leaves`` entities, plus a pair of leaves linked to each other."""
    nodes = [GraphNode("hub", "Hub", "company", "entities/hub/", leaves)]
    nodes += [
        GraphNode(f"leaf-{i:04d}", f"Leaf {i}", "company", f"entities/leaf-{i:04d}/", 1 + (i < 2))
        for i in range(leaves)
    ]
    edges = [GraphEdge("hub", f"leaf-{i:04d}", "owns", "owns") for i in range(leaves)]
    edges.append(GraphEdge("leaf-0000", "leaf-0001", "partner-of", "partner of"))
    return Graph(nodes, edges, [])


def test_small_graph_lists_every_relationship():
    graph = star_graph(10)
    drawn, listed = graph.drawn_whole()
    assert len(drawn) == 11 and listed == graph.edges


def test_large_graph_lists_only_relationships_among_the_drawn_entities():
    graph = star_graph(1000)
    drawn, listed = graph.drawn_whole()
    assert len(drawn) == WHOLE_GRAPH_NODE_LIMIT
    # most connected first (hub, then the two leaves with degree 2), ties by id as the script breaks them
    assert {"hub", "leaf-0000", "leaf-0001", "leaf-0002"} <= drawn and "leaf-0999" not in drawn
    assert all(edge.source in drawn and edge.target in drawn for edge in listed)
    assert len(listed) == WHOLE_GRAPH_NODE_LIMIT - 1 + 1  # hub to each drawn leaf, and the leaf pair
