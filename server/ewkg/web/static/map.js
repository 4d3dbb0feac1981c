/* The map's phone view (templates/_map.html): a static file, so the pages'
   Content-Security-Policy needs no inline script. */
/* On a phone: the whole map fitted to the screen (marks only: its names would be too small
   to read), a button to zoom in to its own size with the names, and the list open. */
(function () {
  if (!(window.matchMedia && window.matchMedia("(max-width: 44rem)").matches)) return;
  var section = document.getElementById("ewkg-map");
  var list = document.getElementById("ewkg-map-list");
  if (list) list.open = true;
  var figure = section.querySelector(".ewkg-map-figure");
  var bar = section.querySelector(".ewkg-map-zoom");
  var button = bar.querySelector("button");
  function set(fit) {
    figure.classList.toggle("fit", fit);
    button.setAttribute("aria-pressed", String(!fit));
    button.querySelector(".to-zoom").hidden = !fit;
    button.querySelector(".to-fit").hidden = fit;
    if (!fit) figure.scrollLeft = (figure.scrollWidth - figure.clientWidth) / 2;
  }
  bar.hidden = false;
  button.addEventListener("click", function () { set(!figure.classList.contains("fit")); });
  set(true);
})();
