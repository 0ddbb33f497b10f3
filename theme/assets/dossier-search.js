/* Search in the header, with Pagefind's JavaScript API (generator/search.py builds the index).
 *
 * Pagefind loads from the site's own pagefind/ folder as the page opens, and then only the
 * index chunks a query needs.  Each keystroke searches at once (a newer query drops the
 * answer to an older one); the first result is drawn as soon as its data arrives.  A result's
 * snippet is the record's summary in plain words (Pagefind metadata "summary"), with the query's
 * words marked; pages without one show Pagefind's excerpt.  Every text goes in as text, never as
 * HTML.  Filters (kind, entity type, tag, year) come from the index itself.
 */
(function () {
  "use strict";
  var root = document.querySelector(".dossier-search[data-bundle]");
  if (!root) return;
  var toggle = document.getElementById("__search");
  var form = root.querySelector("form");
  var input = root.querySelector("[data-dossier-search=query]");
  var meta = root.querySelector("[data-dossier-search=meta]");
  var list = root.querySelector("[data-dossier-search=list]");
  var more = root.querySelector("[data-dossier-search=more]");
  var filterBox = root.querySelector("[data-dossier-search=filters]");
  var resultBox = root.querySelector("[data-dossier-search=result]");
  var bundle = new URL(root.getAttribute("data-bundle"), document.baseURI);
  var FILTERS = [["kind", "All kinds"], ["type", "All entity types"], ["tag", "All tags"], ["year", "All years"]];
  var PAGE = 10;
  var loading = null;
  var generation = 0;
  var shown = [];
  var results = [];
  var pending = 0;

  function pagefind() {
    if (!loading) {
      loading = import(new URL("pagefind.js", bundle).href).then(function (module) {
        /* noWorker: Pagefind searches in the page rather than in a Web Worker of its own, so a query
           typed the moment the page loads does not wait for the worker's script and start-up: about
           0.03 s sooner to the first result at 1,000 records (bench/pagefind_worker_ab.py,
           bench/results/search/worker-ab.md); a query's work is a few small index chunks. */
        return Promise.resolve(module.options({ noWorker: true, baseUrl: new URL("../", bundle).pathname, excerptLength: 24 }))
          .then(function () { module.init(); return module; });
      });
      loading.catch(function (error) {
        meta.textContent = "Search is not available: " + error.message;
      });
    }
    return loading;
  }

  function chosenFilters() {
    var chosen = {};
    filterBox.querySelectorAll("select").forEach(function (select) {
      if (select.value) chosen[select.name] = select.value;
    });
    return chosen;
  }

  function drawFilters(module) {
    return module.filters().then(function (available) {
      var any = false;
      FILTERS.forEach(function (pair) {
        var values = available[pair[0]];
        if (!values || !Object.keys(values).length) return;
        any = true;
        var select = document.createElement("select");
        select.name = pair[0];
        select.setAttribute("aria-label", pair[1]);
        select.appendChild(new Option(pair[1], ""));
        Object.keys(values).sort(function (a, b) {
          return pair[0] === "year" ? b.localeCompare(a) : a.localeCompare(b);
        }).forEach(function (value) {
          select.appendChild(new Option(value + " (" + values[value] + ")", value));
        });
        select.addEventListener("change", search);
        filterBox.appendChild(select);
      });
      filterBox.hidden = !any;
    });
  }

  function words(query) {
    return query.toLowerCase().split(/\s+/).filter(Boolean);
  }

  /* Text with the query's words marked: each word that starts with a query word. */
  function marked(text, terms) {
    var fragment = document.createDocumentFragment();
    if (!terms.length) { fragment.appendChild(document.createTextNode(text)); return fragment; }
    var escaped = terms.map(function (t) { return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    var pattern = new RegExp("(" + escaped.join("|") + ")", "gi");
    var last = 0;
    text.replace(pattern, function (match, _group, offset) {
      fragment.appendChild(document.createTextNode(text.slice(last, offset)));
      var mark = document.createElement("mark");
      mark.textContent = match;
      fragment.appendChild(mark);
      last = offset + match.length;
      return match;
    });
    fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  /* Pagefind's excerpt is escaped text with <mark> around hits: keep the marks, decode the rest as text. */
  function excerptText(excerpt) {
    var parsed = new DOMParser().parseFromString("<p>" + excerpt + "</p>", "text/html").body.textContent;
    return parsed;
  }

  function item(data, terms) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var link = document.createElement("a");
    link.className = "md-search-result__link";
    link.href = data.url;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var title = document.createElement("h1");
    title.appendChild(marked((data.meta && data.meta.title) || data.url, terms));
    article.appendChild(title);
    var kinds = [];
    var filters = data.filters || {};
    (filters.kind || []).concat(filters.type || [], filters.year || []).forEach(function (v) { kinds.push(v); });
    if (kinds.length) {
      var label = document.createElement("p");
      label.className = "dossier-search__kind";
      label.textContent = kinds.join(" · ");
      article.appendChild(label);
    }
    var snippet = document.createElement("p");
    snippet.className = "dossier-search__snippet";
    snippet.appendChild(marked(data.meta && data.meta.summary ? data.meta.summary : excerptText(data.excerpt || ""),
                               terms));
    article.appendChild(snippet);
    link.appendChild(article);
    li.appendChild(link);
    return li;
  }

  function showMore(current, terms) {
    var start = shown.length;
    var batch = results.slice(start, start + PAGE);
    shown = shown.concat(batch);
    more.hidden = shown.length >= results.length;
    var slots = batch.map(function () { var li = document.createElement("li"); li.hidden = true; list.appendChild(li); return li; });
    var query = terms.join(" ");
    return Promise.all(batch.map(function (result, index) {
      return result.data().then(function (data) {
        if (current !== generation) return;
        var drawn = item(data, terms);
        list.replaceChild(drawn, slots[index]);
        /* A record named exactly as the query comes first: Pagefind's ranking favours short pages,
           so an event titled "DeepSeek R1 …" would otherwise come before DeepSeek's own page. */
        var title = ((data.meta && data.meta.title) || "").toLowerCase().replace(/\s+/g, " ").trim();
        if (start !== 0 || title !== query) return;
        drawn.exact = true;
        if (!list.firstChild.exact) list.insertBefore(drawn, list.firstChild);
      });
    }));
  }

  /* What the drawn results answer, as "q=…&kind=…" in FILTERS order: set on the result box once
     every result of the latest search is drawn, with aria-busy while one is loading, so that
     assistive technology (and a test) can tell a finished answer from one still on its way. */
  function signature(query, filters) {
    var params = new URLSearchParams();
    params.set("q", query);
    FILTERS.forEach(function (pair) { if (filters[pair[0]]) params.set(pair[0], filters[pair[0]]); });
    return params.toString();
  }
  function answered(current, query, filters) {
    if (current !== generation) return;
    resultBox.setAttribute("aria-busy", "false");
    resultBox.setAttribute("data-answered", signature(query, filters));
  }

  function search() {
    var query = input.value.trim();
    var filters = chosenFilters();
    var current = ++generation;
    if (!query && !Object.keys(filters).length) {
      list.textContent = "";
      more.hidden = true;
      meta.textContent = "Type to start searching";
      answered(current, query, filters);
      return Promise.resolve();
    }
    pending++;
    resultBox.setAttribute("aria-busy", "true");
    return pagefind().then(function (module) {
      return module.search(query || null, { filters: filters });
    }).then(function (answer) {
      if (current !== generation || !answer) return;
      results = answer.results;
      shown = [];
      list.textContent = "";
      var count = results.length;
      meta.textContent = count ? count + (count === 1 ? " matching page" : " matching pages") : "No matching pages";
      return showMore(current, words(query));
    }).catch(function (error) {
      if (current === generation) meta.textContent = "Search failed: " + error.message;
    }).then(function () { pending--; answered(current, query, filters); });
  }

  /* The filters need every filter chunk of the index: they are drawn once the box is open and no
     query is loading, so that they never hold up the first result. */
  var filtersDrawn = false;
  function drawFiltersWhenIdle() {
    if (filtersDrawn) return;
    if (pending) { setTimeout(drawFiltersWhenIdle, 200); return; }
    filtersDrawn = true;
    pagefind().then(drawFilters);
  }
  function open() {
    if (toggle && !toggle.checked) toggle.checked = true;
    pagefind();
    setTimeout(drawFiltersWhenIdle, 300);
  }

  input.addEventListener("focus", open);
  input.addEventListener("input", search);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      if (toggle) toggle.checked = false;
      input.blur();
    } else if (event.key === "ArrowDown") {
      var first = list.querySelector("a");
      if (first) { event.preventDefault(); first.focus(); }
    }
  });
  list.addEventListener("keydown", function (event) {
    var links = Array.prototype.slice.call(list.querySelectorAll("a"));
    var index = links.indexOf(document.activeElement);
    if (index < 0) return;
    if (event.key === "ArrowDown" && index + 1 < links.length) { event.preventDefault(); links[index + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (index ? links[index - 1] : input).focus(); }
    if (event.key === "Escape") { if (toggle) toggle.checked = false; }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = list.querySelector("a");
    if (first) window.location.href = first.href;
  });
  form.addEventListener("reset", function () {
    setTimeout(function () { search(); input.focus(); }, 0);
  });
  more.addEventListener("click", function () { showMore(generation, words(input.value.trim())); });
  if (toggle) {
    toggle.addEventListener("change", function () {
      if (toggle.checked) { open(); setTimeout(function () { input.focus(); }, 250); }
    });
  }
  /* As in mkdocs-material: "/", "s" or "f" outside a text field opens the search box. */
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (event.key === "/" || event.key === "s" || event.key === "f") {
      event.preventDefault();
      open();
      input.focus();
    }
  });
  /* Start Pagefind (its script, worker, WebAssembly and the small page list, about 170 kB, cached
     by the browser from page to page) as the page opens, so that the first keystroke only waits
     for the index chunks its words need. */
  pagefind();
})();
