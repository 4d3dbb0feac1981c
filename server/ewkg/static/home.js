/* The query editor below takes the focus when it starts, which scrolls the page down to it: keep
   the home page at its top (unless a #fragment asks for a section). */
(function () {
  "use strict";
  function stayOnTop() {
    if (location.hash) return;
    var active = document.activeElement;
    if (active && active.closest && active.closest("#ewkg-yasgui")) active.blur();
    window.scrollTo(0, 0);
  }
  stayOnTop();
  window.addEventListener("load", function () { setTimeout(stayOnTop, 0); }, { once: true });
})();
