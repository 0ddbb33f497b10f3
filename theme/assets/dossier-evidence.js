/* Citations: when a reader follows a citation mark to the reference list, the back-link of the
   place they came from is marked, so that "back" leads where they were.  Without JavaScript the
   reference list still links back to every place that cites it. */
(function () {
  "use strict";
  var FROM = "dossier-ref__back--from";

  function markOrigin(markId) {
    var previous = document.querySelectorAll("." + FROM);
    for (var i = 0; i < previous.length; i++) previous[i].classList.remove(FROM);
    var back = document.querySelector('.dossier-ref__back a[href="#' + markId + '"]');
    if (back) back.classList.add(FROM);
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var link = target && target.closest ? target.closest('.dossier-cite a[href^="#ref-"]') : null;
    if (link && link.id) markOrigin(link.id);
  });
})();
