/* Timeline filters and the as-of view: hide and show the server-rendered events; the query string
 * keeps the filter (?participant=ID&from=2025-01&asof=2025-03).
 *
 * The list is complete without this script.  Every <li data-date> carries data-types,
 * data-participants and data-tags (space-separated ids from checked patterns); this script
 * toggles `hidden` on them, on year headings a filter empties and on those headings' entries in
 * the table of contents.  The as-of view reads data/graph.json and lists, with textContent only,
 * which rules were in force and which dated relationships held in the chosen month.
 */
(function () {
  "use strict";

  var FIELDS = ["type", "participant", "tag", "from", "to", "asof"];
  var MONTH_FIELDS = ["from", "to", "asof"];
  var MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"];

  function words(value) {
    return value ? value.split(" ") : [];
  }

  /* An ISO date at year, month or day precision as the months it covers ("2025" -> 2025-01..2025-12). */
  function monthSpan(iso) {
    var parts = iso.split("-");
    if (parts.length === 1) return [parts[0] + "-01", parts[0] + "-12"];
    var month = parts[0] + "-" + parts[1];
    return [month, month];
  }

  function humanMonth(month) {
    return MONTHS[parseInt(month.slice(5, 7), 10) - 1] + " " + month.slice(0, 4);
  }

  /* "2025" stays, "2025-05" -> "May 2025", "2025-05-14" -> "14 May 2025". */
  function humanDate(iso) {
    if (iso.length === 4) return iso;
    return (iso.length === 10 ? parseInt(iso.slice(8, 10), 10) + " " : "") + humanMonth(iso.slice(0, 7));
  }

  function matches(item, filter) {
    if (filter.type && words(item.dataset.types).indexOf(filter.type) < 0) return false;
    if (filter.participant && words(item.dataset.participants).indexOf(filter.participant) < 0) return false;
    if (filter.tag && words(item.dataset.tags).indexOf(filter.tag) < 0) return false;
    var span = monthSpan(item.dataset.date);
    if (filter.from && span[1] < filter.from) return false;
    if (filter.to && span[0] > filter.to) return false;
    if (filter.asof && span[0] > filter.asof) return false;  /* what had happened by then */
    return true;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function siteRoot() {
    var config = JSON.parse(document.getElementById("__config").textContent);
    return new URL(config.base.replace(/\/?$/, "/"), location.href);
  }

  function firstMonth(iso) { return iso.length === 4 ? iso + "-01" : iso.slice(0, 7); }
  function lastMonth(iso) { return iso.length === 4 ? iso + "-12" : iso.slice(0, 7); }

  /* The as-of panel: rules and their state, dated relationships that held, a link to the graph. */
  function fillAsOf(panel, graph, month, root) {
    var names = {}, urls = {};
    graph.nodes.forEach(function (node) { names[node.id] = node.label; urls[node.id] = node.url; });
    function link(id) {
      var anchor = element("a", "", names[id] || id);
      anchor.href = new URL(urls[id] || "", root).href;
      return anchor;
    }
    panel.textContent = "";
    panel.appendChild(element("h2", "", "As of " + humanMonth(month)));
    panel.appendChild(element("p", "", "Events after " + humanMonth(month) + " are hidden below. What the records " +
      "say held then, from rules' dated states and relationships' since and until:"));

    var rules = element("ul");
    (graph.rules || []).forEach(function (rule) {
      var current = null, since = null;
      rule.states.forEach(function (pair) { if (firstMonth(pair[0]) <= month) { current = pair[1]; since = pair[0]; } });
      var item = element("li");
      item.dataset.rule = rule.id;
      item.appendChild(link(rule.id));
      var inForce = current !== null && (graph.inForce || []).indexOf(current) >= 0;
      item.dataset.inForce = inForce ? "true" : "false";
      item.appendChild(document.createTextNode(current === null ? ": no state yet (first " +
        rule.states[0][1] + ", " + humanDate(rule.states[0][0]) + ")" : (inForce ? ": in force (" : ": not in force (") +
        current + " since " + humanDate(since) + ")"));
      rules.appendChild(item);
    });
    panel.appendChild(element("h3", "", "Rules"));
    panel.appendChild(rules.children.length ? rules : element("p", "", "The records give no rule a dated state."));

    var held = element("ul"), undated = 0;
    graph.edges.forEach(function (edge) {
      if (!edge.since && !edge.until) { undated += 1; return; }
      if (edge.since && firstMonth(edge.since) > month) return;
      if (edge.until && lastMonth(edge.until) < month) return;
      var item = element("li");
      item.dataset.relationship = edge.source + " " + edge.type + " " + edge.target;
      item.appendChild(link(edge.source));
      item.appendChild(document.createTextNode(" " + edge.label + " "));
      item.appendChild(link(edge.target));
      item.appendChild(document.createTextNode(" (" + (edge.since ? "since " + humanDate(edge.since) : "") +
        (edge.since && edge.until ? ", " : "") + (edge.until ? "until " + humanDate(edge.until) : "") + ")"));
      held.appendChild(item);
    });
    panel.appendChild(element("h3", "", "Dated relationships that held"));
    panel.appendChild(held.children.length ? held : element("p", "", "None of the dated relationships held then."));
    panel.appendChild(element("p", "", undated + " relationships carry no dates and are not counted here."));
    var graphLink = element("a", "", "See the network as of " + humanMonth(month));
    graphLink.href = new URL("graph/?asof=" + month, root).href;
    var last = element("p");
    last.appendChild(graphLink);
    panel.appendChild(last);
  }

  function start() {
    var form = document.getElementById("timeline-filters");
    if (!form) return;
    var panel = document.getElementById("timeline-asof");
    var root = siteRoot();
    var graphData = null, graphRequest = null;
    var items = Array.prototype.slice.call(document.querySelectorAll("li[data-date]"));
    var lists = [];
    items.forEach(function (item) {
      if (lists.indexOf(item.parentElement) < 0) lists.push(item.parentElement);
    });

    function current() {
      var filter = {};
      FIELDS.forEach(function (name) {
        var field = form.elements[name];
        var value = field ? field.value.trim() : "";
        if (MONTH_FIELDS.indexOf(name) >= 0) {
          var valid = !value || MONTH_PATTERN.test(value);
          field.setAttribute("aria-invalid", valid ? "false" : "true");
          if (!valid) value = "";  /* an incomplete month filters nothing yet */
        }
        filter[name] = value;
      });
      return filter;
    }

    function showAsOf(month) {
      if (!panel) return;
      if (!month) { panel.hidden = true; panel.textContent = ""; return; }
      panel.hidden = false;
      if (graphData) { fillAsOf(panel, graphData, month, root); return; }
      if (!graphRequest) {
        graphRequest = fetch(new URL("data/graph.json", root).href).then(function (response) {
          if (!response.ok) throw new Error("data/graph.json: HTTP " + response.status);
          return response.json();
        });
      }
      graphRequest.then(function (graph) {
        graphData = graph;
        var latest = current().asof;
        if (latest) fillAsOf(panel, graph, latest, root);
      }).catch(function (error) { panel.textContent = "The as-of view could not load its data (" + error.message + ")."; });
    }

    function apply() {
      var filter = current();
      var shown = 0;
      items.forEach(function (item) {
        item.hidden = !matches(item, filter);
        if (!item.hidden) shown += 1;
      });
      lists.forEach(function (list) {
        var empty = !list.querySelector("li[data-date]:not([hidden])");
        list.hidden = empty;
        var heading = list.previousElementSibling;
        if (heading && heading.tagName === "H2") {
          heading.hidden = empty;
          /* and the year's entry in the table of contents */
          document.querySelectorAll(".md-nav--secondary a[href='#" + heading.id + "']").forEach(function (anchor) {
            var entry = anchor.closest("li");
            if (entry) entry.hidden = empty;
          });
        }
      });
      form.elements.status.value = "Showing " + shown + " of " + items.length + " events" +
        (filter.asof ? ", up to " + humanMonth(filter.asof) : "");
      showAsOf(filter.asof);
      var params = new URLSearchParams();
      FIELDS.forEach(function (name) { if (filter[name]) params.set(name, filter[name]); });
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }

    var params = new URLSearchParams(location.search);
    FIELDS.forEach(function (name) {
      var value = params.get(name);
      if (value && form.elements[name]) form.elements[name].value = value;
    });
    form.hidden = false;
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    apply();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
