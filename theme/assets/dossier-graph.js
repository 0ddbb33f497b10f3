/* The network graph: whole dossier (data-graph-focus="") or one entity's neighbourhood.
 *
 * Reads data/graph.json (made by generator/outputs/graph.py), loads the vendored Cytoscape.js on
 * demand and draws into every .dossier-graph element.  Names are drawn as canvas text or
 * set as textContent, never parsed as markup.  The relations are also listed in the page for
 * readers without JavaScript.  After drawing, the container's data-nodes-drawn,
 * data-edges-drawn and data-draw-ms tell how much was drawn and how long the layout took
 * (the browser tests read them).
 *
 * What a reader can rely on:
 * - the same data gives the same picture: the force-directed layout draws its random numbers
 *   from a generator seeded with the drawn ids, and neighbourhoods are rings by distance;
 * - labels are never drawn smaller than MIN_LABEL_PX on screen; which nodes get one is decided
 *   by importance (the entity in focus, then the most connected) and by room at the current
 *   zoom, so labels do not overlap; hovering or selecting a node shows its label and its
 *   relationships' labels;
 * - the page scrolls past the graph: wheel and drag zoom and pan only once the reader engages
 *   the graph (a click or tap on it, Enter on it), or at once with Ctrl or Cmd held;
 * - the graph follows mkdocs-material's colour scheme (light or slate);
 * - an evidence layer adds the sources and who relays whom; ?asof=YYYY-MM shows only the
 *   relationships that held then and greys out rules not in force;
 * - the canvas is focusable: arrow keys move between entities (announced in a live region),
 *   Enter opens one, + and - zoom, 0 fits; a text summary describes the graph.
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
  var SOURCE_COLOUR = "#78909c";
  /* The smallest rendered label, in CSS pixels, at any zoom. */
  var MIN_LABEL_PX = 12;
  var LABEL_MAX_CHARS = 28;
  var ASOF_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"];
  var instances = 0;

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

  /* A small, fast seeded generator (mulberry32) and a string hash to seed it. */
  function seededRandom(seed) {
    return function () {
      seed = (seed + 0x6D2B79F5) | 0;
      var t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function hash(text) {
    var h = 2166136261;
    for (var i = 0; i < text.length; i += 1) { h ^= text.charCodeAt(i); h = Math.imul(h, 16777619); }
    return h >>> 0;
  }

  /* Run fn with Math.random replaced by a generator seeded from `seedText`. */
  function withSeed(seedText, fn) {
    var original = Math.random;
    Math.random = seededRandom(hash(seedText));
    try { return fn(); } finally { Math.random = original; }
  }

  /* A CSS colour (custom properties allowed) as the browser computes it. */
  function resolveColour(value, probeParent) {
    var probe = element("span");
    probe.style.color = value;
    probe.style.display = "none";
    probeParent.appendChild(probe);
    var colour = getComputedStyle(probe).color;
    probeParent.removeChild(probe);
    return colour;
  }

  function schemeColours(container) {
    return {
      text: resolveColour("var(--md-default-fg-color)", container),
      muted: resolveColour("var(--md-default-fg-color--light)", container),
      line: resolveColour("var(--md-default-fg-color--lighter)", container),
      background: resolveColour("var(--md-default-bg-color)", container),
      accent: resolveColour("var(--md-accent-fg-color)", container)
    };
  }

  /* The first and last month a partial ISO date (YYYY, YYYY-MM, YYYY-MM-DD) covers. */
  function firstMonth(iso) { return iso.length === 4 ? iso + "-01" : iso.slice(0, 7); }
  function lastMonth(iso) { return iso.length === 4 ? iso + "-12" : iso.slice(0, 7); }

  function humanMonth(month) {
    return MONTHS[parseInt(month.slice(5, 7), 10) - 1] + " " + month.slice(0, 4);
  }

  /* Did a relationship hold in `month`?  Undated ends are open. */
  function heldIn(edge, month) {
    if (edge.since && firstMonth(edge.since) > month) return false;
    if (edge.until && lastMonth(edge.until) < month) return false;
    return true;
  }

  /* The state of each rule in `month` ({id: state or null}) and whether it was in force. */
  function rulesIn(graph, month) {
    var inForce = graph.inForce || [];
    var result = {};
    (graph.rules || []).forEach(function (rule) {
      var current = null;
      rule.states.forEach(function (pair) { if (firstMonth(pair[0]) <= month) current = pair[1]; });
      result[rule.id] = { state: current, inForce: current !== null && inForce.indexOf(current) >= 0 };
    });
    return result;
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

  function shortLabel(text) {
    return text.length > LABEL_MAX_CHARS ? text.slice(0, LABEL_MAX_CHARS - 1) + "\u2026" : text;
  }

  function plural(count, one, many) { return count + " " + (count === 1 ? one : many); }

  function draw(container, graph, root) {
    instances += 1;
    var uid = "dossier-graph-" + instances;
    var COLOURS = coloursOf(graph.types);
    var focus = container.dataset.graphFocus || "";
    var nodesById = {};
    graph.nodes.forEach(function (node) { nodesById[node.id] = node; });
    var typesByName = {};
    graph.types.forEach(function (type) { typesByName[type.name] = type; });
    function colourOf(typeName) {
      return COLOURS[typeName] || FALLBACK_COLOUR;
    }
    var sourcesById = {};
    (graph.sources || []).forEach(function (source) { sourcesById[source.id] = source; });

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
    var params = new URLSearchParams(location.search);
    var asof = ASOF_PATTERN.test(params.get("asof") || "") ? params.get("asof") : "";
    var evidence = params.get("evidence") === "1";

    container.hidden = false;
    container.textContent = "";
    var controls = element("div", "dossier-graph__controls");
    var legend = element("fieldset", "dossier-graph__legend");
    legend.appendChild(element("legend", "", "Entity types"));
    var layers = element("fieldset", "dossier-graph__layers");
    layers.appendChild(element("legend", "", "Show"));
    controls.appendChild(legend);
    controls.appendChild(layers);

    var help = element("p", "dossier-graph__help");
    help.id = uid + "-help";
    var canvas = element("div", "dossier-graph__canvas");
    canvas.id = uid + "-canvas";
    canvas.tabIndex = 0;
    canvas.setAttribute("role", "application");
    canvas.setAttribute("aria-roledescription", "network graph");
    canvas.setAttribute("aria-label", focus ? "Graph of the entities related to " + (nodesById[focus] || {}).label
                                            : "Graph of the whole dossier");
    var status = element("p", "dossier-graph__status");
    var summary = element("p", "dossier-graph__summary");
    summary.id = uid + "-summary";
    canvas.setAttribute("aria-describedby", summary.id + " " + help.id);
    var announcer = element("p", "dossier-graph__announce");
    announcer.setAttribute("aria-live", "polite");
    container.appendChild(controls);
    container.appendChild(help);
    container.appendChild(canvas);
    container.appendChild(announcer);
    container.appendChild(status);
    container.appendChild(summary);

    var colours = schemeColours(container);
    function styles() {
      return [
        { selector: "node", style: {
          "background-color": "data(colour)", "label": "", "font-size": "data(fs)", "color": colours.text,
          "text-valign": "bottom", "text-margin-y": 3, "width": "data(size)", "height": "data(size)",
          "text-outline-color": colours.background, "text-outline-width": 2, "min-zoomed-font-size": 0,
          "border-width": 1, "border-color": colours.background } },
        { selector: "node.labelled, node.hover, node.picked, node.focus", style: { "label": "data(short)" } },
        { selector: "node.focus", style: { "border-width": 4, "border-color": colours.text } },
        { selector: "node.picked", style: { "border-width": 4, "border-color": colours.accent, "z-index": 10 } },
        { selector: "node.source", style: { "shape": "round-rectangle", "background-color": SOURCE_COLOUR } },
        { selector: "node.inactive", style: { "background-opacity": 0.35, "border-style": "dashed",
                                              "border-width": 2, "border-color": colours.muted } },
        { selector: "edge", style: {
          "width": 1.2, "line-color": colours.line, "target-arrow-color": colours.line, "target-arrow-shape": "triangle",
          "curve-style": "bezier", "label": "", "font-size": "data(fs)", "color": colours.text,
          "text-rotation": "autorotate", "text-background-color": colours.background, "text-background-opacity": 0.9,
          "text-background-padding": 2, "min-zoomed-font-size": 0 } },
        { selector: "edge.near", style: { "label": "data(label)", "line-color": colours.muted,
                                          "target-arrow-color": colours.muted, "width": 2, "z-index": 5 } },
        { selector: "edge.evidence", style: { "line-style": "dashed", "target-arrow-shape": "none" } },
        { selector: "edge.relay", style: { "line-style": "dotted", "target-arrow-shape": "triangle", "width": 2 } }
      ];
    }

    var cy = window.cytoscape({
      container: canvas,
      minZoom: 0.1,
      maxZoom: 4,
      userZoomingEnabled: false,
      userPanningEnabled: false,
      boxSelectionEnabled: false,
      autoungrabify: true,
      style: styles()
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

    /* Focus first, then the most connected, ties by id: the order labels and the keyboard follow. */
    var order = [];
    function importanceOrder() {
      order = cy.nodes().toArray().sort(function (a, b) {
        return (b.id() === focus) - (a.id() === focus) || b.data("weight") - a.data("weight") ||
          (a.id() < b.id() ? -1 : 1);
      });
    }

    var measure = document.createElement("canvas").getContext("2d");
    /* Font size in model units, so that the rendered size is at least MIN_LABEL_PX. */
    function modelFontSize() { return Math.max(10, MIN_LABEL_PX / cy.zoom()); }

    /* Give labels to the most important nodes whose labels fit without overlapping others. */
    function placeLabels() {
      var fontSize = modelFontSize(), rendered = fontSize * cy.zoom();
      cy.batch(function () { cy.elements().data("fs", fontSize); });
      measure.font = rendered + "px " + getComputedStyle(canvas).fontFamily;
      var width = canvas.clientWidth, height = canvas.clientHeight, boxes = [];
      function overlaps(box) {
        return boxes.some(function (other) {
          return box.x1 < other.x2 && other.x1 < box.x2 && box.y1 < other.y2 && other.y1 < box.y2;
        });
      }
      cy.batch(function () {
        order.forEach(function (node) {
          var position = node.renderedPosition(), size = node.renderedWidth();
          var textWidth = measure.measureText(node.data("short")).width + 6;
          var top = position.y + size / 2 + 2;
          var box = { x1: position.x - textWidth / 2, x2: position.x + textWidth / 2, y1: top, y2: top + rendered * 1.3 };
          var inView = box.x1 >= 0 && box.x2 <= width && box.y1 >= 0 && box.y2 <= height;  /* whole label on screen */
          var forced = node.hasClass("focus") || node.hasClass("picked") || node.hasClass("hover");
          var fits = inView && !overlaps(box);
          node.toggleClass("labelled", forced || fits);
          if (forced || fits) boxes.push(box);
        });
      });
      container.dataset.labelsShown = String(cy.nodes(".labelled").length);
    }
    var labelFrame = 0;
    function scheduleLabels() {
      if (labelFrame) return;
      labelFrame = requestAnimationFrame(function () { labelFrame = 0; placeLabels(); });
    }
    cy.on("zoom pan resize", scheduleLabels);

    function highlight(node, on) {
      node.toggleClass("hover", on);
      node.connectedEdges().toggleClass("near", on);
      scheduleLabels();
    }
    cy.on("tap", "node", function (event) {
      location.href = new URL(event.target.data("url"), root).href;
    });
    cy.on("mouseover", "node", function (event) { canvas.style.cursor = "pointer"; highlight(event.target, true); });
    cy.on("mouseout", "node", function (event) { canvas.style.cursor = ""; highlight(event.target, false); });

    /* Engaging: until the reader clicks the graph (or presses Enter on it), wheel and drag scroll the page. */
    var engaged = false;
    function engage(on) {
      engaged = on;
      cy.userZoomingEnabled(on);
      cy.userPanningEnabled(on);
      container.classList.toggle("is-engaged", on);
      container.dataset.engaged = on ? "true" : "false";
      help.textContent = on
        ? "Zoom with the wheel or a pinch, drag to pan. Esc, or a click outside the graph, gives the page its scroll back."
        : "Scrolling moves the page. Click or tap the graph (or press Enter on it) to zoom and pan; Ctrl or Cmd with " +
          "the wheel zooms at once. On the focused graph, arrow keys move between entities, Enter opens one, " +
          "+ and - zoom, 0 fits.";
    }
    engage(false);
    cy.on("tap", function (event) {
      if (event.target !== cy && !event.target.isEdge()) return;
      engage(true);
      canvas.focus({ preventScroll: true });  /* Cytoscape keeps the click from focusing it */
    });
    document.addEventListener("keydown", function (event) {
      if (engaged && event.key === "Escape" && !canvas.contains(event.target)) engage(false);
    });
    canvas.addEventListener("wheel", function (event) {
      if (engaged || !(event.ctrlKey || event.metaKey)) return;
      event.preventDefault();
      var box = canvas.getBoundingClientRect();
      cy.zoom({ level: cy.zoom() * Math.pow(10, -event.deltaY / 500),
                renderedPosition: { x: event.clientX - box.left, y: event.clientY - box.top } });
    }, { passive: false });
    document.addEventListener("pointerdown", function (event) {
      if (engaged && !container.contains(event.target)) engage(false);
    });

    /* Keyboard: arrow keys pick entities in order of importance, Enter opens, + - 0 zoom. */
    var picked = -1;
    function describe(node) {
      var parts = [];
      node.connectedEdges().forEach(function (edge) {
        var other = edge.source().id() === node.id() ? edge.target() : edge.source();
        var label = edge.data("label") || "";
        parts.push(edge.source().id() === node.id() ? label + " " + other.data("label")
                                                     : other.data("label") + " " + label + " it");
      });
      var kind = node.hasClass("source") ? "source" : ((typesByName[node.data("type")] || {}).label || "entity");
      return node.data("label") + ", " + kind.toLowerCase() + ", " + plural(parts.length, "link", "links") +
        (parts.length ? ": " + parts.slice(0, 8).join("; ") + (parts.length > 8 ? "; and more" : "") : "") +
        ". Press Enter to open its page.";
    }
    function pick(index) {
      if (!order.length) return;
      if (picked >= 0 && order[picked]) highlight(order[picked].removeClass("picked"), false);
      picked = (index + order.length) % order.length;
      var node = order[picked].addClass("picked");
      highlight(node, true);
      var position = node.renderedPosition();
      if (position.x < 0 || position.y < 0 || position.x > canvas.clientWidth || position.y > canvas.clientHeight) {
        cy.center(node);
      }
      announcer.textContent = describe(node);
    }
    canvas.addEventListener("keydown", function (event) {
      var key = event.key, handled = true;
      if (key === "ArrowRight" || key === "ArrowDown") pick(picked + 1);
      else if (key === "ArrowLeft" || key === "ArrowUp") pick(picked - 1);
      else if (key === "Enter" || key === " ") {
        if (picked >= 0 && order[picked]) location.href = new URL(order[picked].data("url"), root).href;
        else engage(true);
      } else if (key === "+" || key === "=") cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: centre() });
      else if (key === "-" || key === "_") cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: centre() });
      else if (key === "0") cy.fit(undefined, 30);
      else if (key === "Escape") {
        engage(false);
        if (picked >= 0 && order[picked]) highlight(order[picked].removeClass("picked"), false);
        picked = -1;
        announcer.textContent = "";
      } else handled = false;
      if (handled) event.preventDefault();
    });
    function centre() { return { x: canvas.clientWidth / 2, y: canvas.clientHeight / 2 }; }

    function writeSummary(visible, edgeCount, ruleStates) {
      var text;
      if (focus) {
        var own = graph.edges.filter(function (edge) {
          return (edge.source === focus || edge.target === focus) && (!asof || heldIn(edge, asof));
        });
        var name = (nodesById[focus] || {}).label || focus;
        var items = own.slice(0, 12).map(function (edge) {
          return edge.source === focus ? edge.label + " " + nodesById[edge.target].label
                                       : nodesById[edge.source].label + " " + edge.label + " " + name;
        });
        text = name + " has " + plural(own.length, "direct relationship", "direct relationships") +
          (items.length ? ": " + items.join("; ") + (own.length > items.length ? "; and " +
            (own.length - items.length) + " more, listed below" : "") : "") + ". ";
        text += "The graph draws " + plural(visible.length, "entity", "entities") + " and " +
          plural(edgeCount, "relationship", "relationships") + " around it.";
      } else {
        var top = visible.slice().sort(function (a, b) {
          return b.degree - a.degree || (a.id < b.id ? -1 : 1);
        }).slice(0, 5);
        text = "The graph draws " + plural(visible.length, "entity", "entities") + " and " +
          plural(edgeCount, "relationship", "relationships") + ". Most connected: " + top.map(function (node) {
            return node.label + " (" + node.degree + ")";
          }).join(", ") + ". Every relationship is also listed as text on this page.";
      }
      if (ruleStates) {
        var inForce = Object.keys(ruleStates).filter(function (id) { return ruleStates[id].inForce && nodesById[id]; });
        text += " In " + humanMonth(asof) + ", rules in force: " + (inForce.length ? inForce.map(function (id) {
          return nodesById[id].label;
        }).join(", ") : "none recorded") + ".";
      }
      summary.textContent = text;
    }

    function render() {
      var started = performance.now();
      var visible = candidates.filter(function (node) { return active[node.type] || node.id === focus; });
      var total = visible.length, limit = focus ? Infinity : graph.limits.whole;
      if (visible.length > limit) {
        visible = visible.slice().sort(function (a, b) {
          return b.degree - a.degree || (a.id < b.id ? -1 : 1);
        }).slice(0, limit);
      }
      var ruleStates = asof ? rulesIn(graph, asof) : null;
      var shown = {};
      visible.forEach(function (node) { shown[node.id] = true; });
      var elements = visible.map(function (node) {
        var classes = node.id === focus ? "focus" : "";
        if (ruleStates && ruleStates[node.id] && !ruleStates[node.id].inForce) classes += " inactive";
        return { group: "nodes", classes: classes, data: { fs: 10,
          id: node.id, label: node.label, short: shortLabel(node.label), url: node.url, type: node.type,
          colour: colourOf(node.type), weight: node.degree, size: 14 + Math.min(26, Math.sqrt(node.degree) * 4) } };
      });
      var hiddenByDate = 0;
      graph.edges.forEach(function (edge, index) {
        if (shown[edge.source] && shown[edge.target]) {
          if (asof && !heldIn(edge, asof)) { hiddenByDate += 1; return; }
          elements.push({ group: "edges", data: { fs: 10, id: "e" + index, source: edge.source, target: edge.target,
                                                   label: edge.label } });
        }
      });
      var sourceCount = 0;
      if (evidence) {
        var wanted = {};
        (graph.sources || []).forEach(function (source) {
          if (source.cited_by.some(function (id) { return shown[id]; })) wanted[source.id] = true;
        });
        var queue = Object.keys(wanted);  /* and what they relay, all the way down */
        while (queue.length) {
          var current = sourcesById[queue.pop()];
          (current ? current.relays : []).forEach(function (id) {
            if (!wanted[id] && sourcesById[id]) { wanted[id] = true; queue.push(id); }
          });
        }
        Object.keys(wanted).sort().forEach(function (id) {
          var source = sourcesById[id];
          sourceCount += 1;
          elements.push({ group: "nodes", classes: "source", data: { fs: 10,
            id: "source:" + id, label: source.label, short: shortLabel(source.label), url: source.url,
            type: "source", colour: SOURCE_COLOUR, weight: source.cited_by.length, size: 16 } });
        });
        Object.keys(wanted).sort().forEach(function (id) {
          var source = sourcesById[id];
          source.cited_by.forEach(function (entityId) {
            if (shown[entityId]) elements.push({ group: "edges", classes: "evidence", data: { fs: 10,
              id: "cites:" + entityId + ":" + id, source: entityId, target: "source:" + id, label: "rests on" } });
          });
          source.relays.forEach(function (relayed) {
            if (wanted[relayed]) elements.push({ group: "edges", classes: "relay", data: { fs: 10,
              id: "relays:" + id + ":" + relayed, source: "source:" + id, target: "source:" + relayed, label: "relays" } });
          });
          if (source.publisher && shown[source.publisher]) elements.push({ group: "edges", classes: "evidence", data: { fs: 10,
            id: "published:" + id, source: "source:" + id, target: source.publisher, label: "published by" } });
        });
      }
      cy.elements().remove();
      cy.add(elements);
      var layout = layoutFor(cy);
      withSeed(cy.nodes().map(function (node) { return node.id(); }).join(" "), function () { cy.layout(layout).run(); });
      /* A wide picture in a tall canvas (a phone) would be drawn small: turn it a quarter, mirrored. */
      var box = cy.nodes().boundingBox();
      if (cy.nodes().length > 2 && (box.w > box.h) !== (canvas.clientWidth >= canvas.clientHeight)) {
        cy.nodes().positions(function (node) { var p = node.position(); return { x: p.y, y: p.x }; });
      }
      cy.fit(undefined, 30);
      importanceOrder();
      picked = -1;
      placeLabels();
      var entityCount = cy.nodes().length - sourceCount;
      var text = "Showing " + entityCount + " of " + total + " entities, " + (cy.edges().length -
        cy.edges(".evidence, .relay").length) + " relationships";
      if (sourceCount) text += ", " + plural(sourceCount, "source", "sources") + " and who relays whom";
      text += ".";
      if (asof) {
        text += " As of " + humanMonth(asof) + ": " + plural(hiddenByDate, "relationship", "relationships") +
          " that did not hold then are left out; greyed rules were not in force.";
      }
      if (total > visible.length) {
        text += " Only the " + visible.length + " most connected entities are drawn; switch types off in the " +
          "legend to see others, or read the full list below.";
      }
      status.textContent = (note ? note + " " : "") + text;
      writeSummary(visible, cy.edges().length - cy.edges(".evidence, .relay").length, ruleStates);
      container.dataset.nodesDrawn = String(entityCount);
      container.dataset.edgesDrawn = String(cy.edges().length - cy.edges(".evidence, .relay").length);
      container.dataset.sourcesDrawn = String(sourceCount);
      container.dataset.asof = asof;
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
      swatch.style.backgroundColor = colourOf(type.name);
      label.appendChild(box);
      label.appendChild(swatch);
      label.appendChild(document.createTextNode(type.plural));
      legend.appendChild(label);
    });

    function keepInAddress() {
      var query = new URLSearchParams(location.search);
      if (asof) query.set("asof", asof); else query.delete("asof");
      if (evidence) query.set("evidence", "1"); else query.delete("evidence");
      var text = query.toString();
      history.replaceState(null, "", location.pathname + (text ? "?" + text : "") + location.hash);
    }
    if ((graph.sources || []).length) {
      var evidenceLabel = element("label", "dossier-graph__type");
      var evidenceBox = element("input");
      evidenceBox.type = "checkbox";
      evidenceBox.name = "evidence";
      evidenceBox.checked = evidence;
      evidenceBox.addEventListener("change", function () { evidence = evidenceBox.checked; keepInAddress(); render(); });
      var sourceSwatch = element("span", "dossier-graph__swatch dossier-graph__swatch--source");
      sourceSwatch.style.backgroundColor = SOURCE_COLOUR;
      evidenceLabel.appendChild(evidenceBox);
      evidenceLabel.appendChild(sourceSwatch);
      evidenceLabel.appendChild(document.createTextNode("Evidence: sources and who relays whom"));
      layers.appendChild(evidenceLabel);
    }
    var asofLabel = element("label", "dossier-graph__asof", "As of (YYYY-MM) ");
    var asofInput = element("input");
    asofInput.type = "text";
    asofInput.name = "asof";
    asofInput.inputMode = "numeric";
    asofInput.placeholder = "YYYY-MM";
    asofInput.size = 8;
    asofInput.pattern = "\\d{4}-(0[1-9]|1[0-2])";
    asofInput.value = asof;
    asofInput.addEventListener("input", function () {
      var value = asofInput.value.trim();
      if (value && !ASOF_PATTERN.test(value)) return;  /* wait until the month is complete */
      asof = value;
      keepInAddress();
      render();
    });
    asofLabel.appendChild(asofInput);
    layers.appendChild(asofLabel);

    render();
    new MutationObserver(function () {
      colours = schemeColours(container);
      cy.style(styles());
      placeLabels();
    }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
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
