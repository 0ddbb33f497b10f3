/* The network graph: whole dossier (data-graph-focus="") or one entity's neighbourhood.
 *
 * Reads data/graph.json (made by generator/graph.py), loads the vendored Cytoscape.js on
 * demand and draws into every .dossier-graph element.  Names are drawn as canvas text or
 * set as textContent, never parsed as markup.  The relations are also listed in the page for
 * readers without JavaScript.  After drawing, the container's data-nodes-drawn,
 * data-edges-drawn and data-draw-ms tell how much was drawn and how long the layout took
 * (the browser tests read them).
 */
(function () {
  "use strict";

  // Colours of entity types come with the graph (data/graph.json "types"), from the dossier's vocabulary.
  var FALLBACK_COLOUR = "#999";

  function coloursOf(types) {
    var colours = {};
    (types || []).forEach(function (type) {
      colours[type.name] = /^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$/.test(type.colour || "") ? type.colour : FALLBACK_COLOUR;
    });
    return colours;
  }

  function siteRoot() {
    var config = JSON.parse(document.getElementById("__config").textContent);
    return new URL(config.base.replace(/\/?$/, "/"), location.href);
  }

  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      if (window.cytoscape) return resolve();
      var script = document.createElement("script");
      script.src = url.href;
      script.onload = function () { resolve(); };
      script.onerror = function () { reject(new Error("cannot load " + url.href)); };
      document.head.appendChild(script);
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* Ids within `hops` relationships of `focus`, directions ignored. */
  function neighbourhood(graph, focus, hops) {
    var adjacent = {};
    graph.edges.forEach(function (edge) {
      (adjacent[edge.source] = adjacent[edge.source] || []).push(edge.target);
      (adjacent[edge.target] = adjacent[edge.target] || []).push(edge.source);
    });
    var reached = {}, frontier = [focus];
    reached[focus] = true;
    for (var step = 0; step < hops; step += 1) {
      var next = [];
      frontier.forEach(function (id) {
        (adjacent[id] || []).forEach(function (other) {
          if (!reached[other]) { reached[other] = true; next.push(other); }
        });
      });
      frontier = next;
    }
    return reached;
  }

  function draw(container, graph, root) {
    var COLOURS = coloursOf(graph.types);
    var focus = container.dataset.graphFocus || "";
    var nodesById = {};
    graph.nodes.forEach(function (node) { nodesById[node.id] = node; });
    var candidates, note = "";
    if (focus) {
      var hops = parseInt(container.dataset.graphHops || "2", 10);
      var reached = neighbourhood(graph, focus, hops);
      if (hops > 1 && Object.keys(reached).length > graph.limits.neighbourhood) {
        reached = neighbourhood(graph, focus, 1);
        note = "Direct relationships only: the two-step neighbourhood is too large to draw.";
      } else {
        note = hops > 1 ? "Entities up to two relationships away." : "";
      }
      candidates = graph.nodes.filter(function (node) { return reached[node.id]; });
    } else {
      candidates = graph.nodes.slice();
    }
    var presentTypes = graph.types.filter(function (type) {
      return candidates.some(function (node) { return node.type === type.name; });
    });
    var active = {};
    presentTypes.forEach(function (type) { active[type.name] = true; });

    container.hidden = false;
    container.textContent = "";
    var canvas = element("div", "dossier-graph__canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", focus ? "Graph of related entities" : "Graph of the whole dossier");
    var legend = element("fieldset", "dossier-graph__legend");
    legend.appendChild(element("legend", "", "Entity types"));
    var status = element("p", "dossier-graph__status");
    container.appendChild(legend);
    container.appendChild(canvas);
    container.appendChild(status);

    var cy = window.cytoscape({
      container: canvas,
      minZoom: 0.1,
      maxZoom: 4,
      style: [
        { selector: "node", style: {
          "background-color": "data(colour)", "label": "data(label)", "font-size": 10, "color": "#222",
          "text-valign": "bottom", "text-margin-y": 3, "width": "data(size)", "height": "data(size)",
          "text-outline-color": "#fff", "text-outline-width": 2, "text-max-width": 120, "text-wrap": "ellipsis" } },
        { selector: "node.focus", style: { "border-width": 4, "border-color": "#111" } },
        { selector: "edge", style: {
          "width": 1.2, "line-color": "#9e9e9e", "target-arrow-color": "#9e9e9e", "target-arrow-shape": "triangle",
          "curve-style": "bezier", "label": "data(label)", "font-size": 7, "color": "#555",
          "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.8,
          "text-background-padding": 1, "min-zoomed-font-size": 6 } }
      ]
    });
    /* A neighbourhood reads best as rings around its entity (one ring per step away); the whole
       dossier as a force-directed layout, with more room between nodes as the graph grows. */
    function layoutFor(cy) {
      if (cy.nodes().length < 2) return { name: "grid" };
      if (focus) {
        var distance = {};
        distance[focus] = 0;
        cy.elements().bfs({ roots: cy.getElementById(focus), directed: false,
                            visit: function (node, edge, previous, index, depth) { distance[node.id()] = depth; } });
        return { name: "concentric", animate: false, minNodeSpacing: 60, spacingFactor: 1.3, startAngle: Math.PI / 2,
                 concentric: function (node) { return 10 - (node.id() in distance ? distance[node.id()] : 9); },
                 levelWidth: function () { return 1; } };
      }
      var count = cy.nodes().length;
      return { name: "cose", animate: false, randomize: true, componentSpacing: 60, nodeOverlap: 20,
               nodeRepulsion: function () { return 20000 + count * 200; },
               idealEdgeLength: function () { return 70 + Math.min(80, count / 2); }, gravity: 0.6, numIter: 1000 };
    }

    cy.on("tap", "node", function (event) {
      location.href = new URL(event.target.data("url"), root).href;
    });
    cy.on("mouseover", "node", function () { canvas.style.cursor = "pointer"; });
    cy.on("mouseout", "node", function () { canvas.style.cursor = ""; });

    function render() {
      var started = performance.now();
      var visible = candidates.filter(function (node) { return active[node.type] || node.id === focus; });
      var total = visible.length, limit = focus ? Infinity : graph.limits.whole;
      if (visible.length > limit) {
        visible = visible.slice().sort(function (a, b) {
          return b.degree - a.degree || (a.id < b.id ? -1 : 1);
        }).slice(0, limit);
      }
      var shown = {};
      visible.forEach(function (node) { shown[node.id] = true; });
      var elements = visible.map(function (node) {
        return { group: "nodes", classes: node.id === focus ? "focus" : "", data: {
          id: node.id, label: node.label, url: node.url, colour: COLOURS[node.type] || FALLBACK_COLOUR,
          size: 14 + Math.min(26, Math.sqrt(node.degree) * 4) } };
      });
      graph.edges.forEach(function (edge, index) {
        if (shown[edge.source] && shown[edge.target]) {
          elements.push({ group: "edges", data: { id: "e" + index, source: edge.source, target: edge.target,
                                                   label: edge.label } });
        }
      });
      cy.elements().remove();
      cy.add(elements);
      cy.layout(layoutFor(cy)).run();
      cy.fit(undefined, 20);
      var text = "Showing " + cy.nodes().length + " of " + total + " entities, " + cy.edges().length +
        " relationships.";
      if (total > visible.length) {
        text += " Only the " + visible.length + " most connected entities are drawn; switch types off in the " +
          "legend to see others, or read the full list below.";
      }
      status.textContent = (note ? note + " " : "") + text;
      container.dataset.nodesDrawn = String(cy.nodes().length);
      container.dataset.edgesDrawn = String(cy.edges().length);
      container.dataset.drawMs = String(Math.round(performance.now() - started));
    }

    presentTypes.forEach(function (type) {
      var label = element("label", "dossier-graph__type");
      var box = element("input");
      box.type = "checkbox";
      box.checked = true;
      box.value = type.name;
      box.addEventListener("change", function () { active[type.name] = box.checked; render(); });
      var swatch = element("span", "dossier-graph__swatch");
      swatch.style.backgroundColor = COLOURS[type.name] || FALLBACK_COLOUR;
      label.appendChild(box);
      label.appendChild(swatch);
      label.appendChild(document.createTextNode(type.plural));
      legend.appendChild(label);
    });
    render();
    container.dossierGraph = cy;
  }

  function start() {
    var containers = document.querySelectorAll(".dossier-graph");
    if (!containers.length) return;
    var root = siteRoot();
    loadScript(new URL("assets/vendor/cytoscape/cytoscape.min.js", root))
      .then(function () { return fetch(new URL("data/graph.json", root).href); })
      .then(function (response) {
        if (!response.ok) throw new Error("data/graph.json: HTTP " + response.status);
        return response.json();
      })
      .then(function (graph) {
        Array.prototype.forEach.call(containers, function (container) { draw(container, graph, root); });
      })
      .catch(function (error) {
        Array.prototype.forEach.call(containers, function (container) {
          container.hidden = false;
          container.textContent = "The graph could not be drawn (" + error.message + "); the list below shows the " +
            "same relationships.";
        });
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
