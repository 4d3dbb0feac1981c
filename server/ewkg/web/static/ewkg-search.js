/* Suggestions as one types in every search box (input[data-suggest]): names from
   /search/suggest fill the box's <datalist>; picking one opens its page. Without this script
   the form submits to /search, which lists the results. */
(function () {
  "use strict";
  var lang = (new URLSearchParams(window.location.search)).get("lang") || "";
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    var urls = {};
    var timer = null;
    var asked = "";
    function fill(data) {
      if (!Array.isArray(data) || data[0] !== input.value.trim()) return;
      urls = {};
      list.textContent = "";
      data[1].forEach(function (name, i) {
        var option = document.createElement("option");
        option.value = name;
        urls[name] = data[3][i];
        list.appendChild(option);
      });
      input.dispatchEvent(new Event("ewkg-suggestions"));
    }
    function ask() {
      var q = input.value.trim();
      if (!q || q === asked) return;
      asked = q;
      var params = new URLSearchParams({ q: q, limit: "8" });
      if (lang) params.set("lang", lang);
      fetch(input.dataset.suggest + "?" + params.toString(), { headers: { Accept: "application/x-suggestions+json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(fill)
        .catch(function () { /* the form still submits */ });
    }
    input.addEventListener("input", function () {
      if (urls[input.value]) { window.location.href = urls[input.value]; return; }
      clearTimeout(timer);
      timer = setTimeout(ask, 120);
    });
  });
})();
