/* Timeline filters: hide and show the server-rendered events; the query string keeps the filter.
 *
 * The list is complete without this script.  Every <li data-date> carries data-types,
 * data-participants and data-tags (space-separated ids from checked patterns); this script
 * only toggles `hidden` and never writes markup.
 */
(function () {
  "use strict";

  var FIELDS = ["type", "participant", "tag", "from", "to"];

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

  function matches(item, filter) {
    if (filter.type && words(item.dataset.types).indexOf(filter.type) < 0) return false;
    if (filter.participant && words(item.dataset.participants).indexOf(filter.participant) < 0) return false;
    if (filter.tag && words(item.dataset.tags).indexOf(filter.tag) < 0) return false;
    var span = monthSpan(item.dataset.date);
    if (filter.from && span[1] < filter.from) return false;
    if (filter.to && span[0] > filter.to) return false;
    return true;
  }

  function start() {
    var form = document.getElementById("timeline-filters");
    if (!form) return;
    var items = Array.prototype.slice.call(document.querySelectorAll("li[data-date]"));
    var lists = [];
    items.forEach(function (item) {
      if (lists.indexOf(item.parentElement) < 0) lists.push(item.parentElement);
    });

    function current() {
      var filter = {};
      FIELDS.forEach(function (name) { filter[name] = form.elements[name].value; });
      return filter;
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
        if (heading && heading.tagName === "H2") heading.hidden = empty;
      });
      form.elements.status.value = "Showing " + shown + " of " + items.length + " events";
      var params = new URLSearchParams();
      FIELDS.forEach(function (name) { if (filter[name]) params.set(name, filter[name]); });
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }

    var params = new URLSearchParams(location.search);
    FIELDS.forEach(function (name) {
      var value = params.get(name);
      if (value) form.elements[name].value = value;
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
