/* Starts the query UI of _yasgui.html (YASGUI, offline) with the competency queries as
   examples; a static file, so the pages' Content-Security-Policy needs no inline script. */
(function () {
  "use strict";
  var el = document.getElementById("ewkg-yasgui");
  var endpoint = new URL(el.dataset.endpoint, window.location.href).href;
  var lang = el.dataset.lang;
  var examples = JSON.parse(document.getElementById("ewkg-examples").textContent);
  var initialQuery = JSON.parse(document.getElementById("ewkg-initial-query").textContent);
  function title(ex) {
    if (lang === "fr") return ex.fr;
    if (lang === "zh") return ex.zh;
    return ex.fr + " · " + ex.zh;
  }
  function shortName(ex) {
    var number = (ex.slug.match(/^\d+/) || [""])[0];
    var text = lang === "fr" ? ex.fr : ex.zh;
    if (text.length > 24) text = text.slice(0, 23) + "…";
    return (number ? number + " " : "") + text;
  }
  // Errors in the page language (each tab builds its YASR from these defaults).
  if (Yasgui.Yasr && Yasgui.Yasr.defaults) Yasgui.Yasr.defaults.errorRenderers = [window.ewkgYasguiError];
  var yasgui = new Yasgui(el, {
    // Offline and local only: this server's endpoint, no endpoint catalogue of remote services,
    // no stored tabs, no autocompleter that fetches from the web (LOV classes / properties).
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
    },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
    persistenceId: null,
    populateFromUrl: false,
    corsProxy: undefined,
    tabName: lang === "zh" ? "查询" : lang === "fr" ? "Requête" : "Requête · 查询",
    yasqe: { autocompleters: ["prefixes", "variables"], persistenceId: null, prefixCcApi: null },
    yasr: { persistenceId: null },
  });
  window.ewkgTranslateYasgui(el);
  var tabsBySlug = {};
  function open(ex) {
    var tabId = tabsBySlug[ex.slug];
    if (tabId && yasgui.getTab(tabId)) return yasgui.selectTabId(tabId);
    var tab = yasgui.addTab(true, { name: shortName(ex), yasqe: { value: ex.query } });
    tabsBySlug[ex.slug] = tab.getId();
    return tab;
  }
  var first = yasgui.getTab();
  if (initialQuery) {
    first.setQuery(initialQuery);
  } else if (examples.length) {
    first.setQuery(examples[0].query);
    first.setName(shortName(examples[0]));
    tabsBySlug[examples[0].slug] = first.getId();
  }
  document.querySelectorAll("button.ewkg-example").forEach(function (button) {
    var ex = examples.find(function (e) { return e.slug === button.dataset.slug; });
    button.title = title(ex);
    button.addEventListener("click", function () { open(ex); });
  });
  window.ewkgYasgui = yasgui;
  // The editor takes the focus when it starts, which scrolls the page to it: land at the top
  // (the page's heading) unless a #fragment asks for a section.
  function stayOnTop() {
    if (location.hash) return;
    var active = document.activeElement;
    if (active && active.closest && active.closest("#ewkg-yasgui")) active.blur();
    window.scrollTo(0, 0);
  }
  stayOnTop();
  window.addEventListener("load", function () { setTimeout(stayOnTop, 0); }, { once: true });

  // Results readable: an IRI of this dataset opens its local page (the server maps /id/… and
  // /ontology back to the IRI); a typed or tagged literal reads as its value, its datatype or
  // language shown small, in full on hover or focus.
  var OWN = "https://w3id.org/ewkg/";
  function localHref(iri) {
    if (iri.indexOf(OWN) !== 0) return null;
    var rest = iri.slice(OWN.length);
    if (rest.indexOf("id/") === 0) return "/" + rest;
    if (rest.indexOf("ontology") === 0) return "/" + rest;
    return null;
  }
  function tidy(root) {
    root.querySelectorAll(".yasr_results a.iri:not([data-ewkg])").forEach(function (a) {
      a.setAttribute("data-ewkg", "1");
      var local = localHref(a.getAttribute("href") || "");
      if (!local) return;
      a.title = a.getAttribute("href");
      a.setAttribute("href", local);
      a.setAttribute("target", "_self");
      a.removeAttribute("rel");
      a.classList.add("ewkg-local");
    });
    root.querySelectorAll(".yasr_results span.nonIri:not([data-ewkg])").forEach(function (span) {
      span.setAttribute("data-ewkg", "1");
      var sup = span.querySelector("sup");
      if (!sup) return;
      var first = span.firstChild;
      if (first && first.nodeType === 3) {
        first.nodeValue = first.nodeValue.replace(/^"/, "").replace(/"$/, "");
      }
      var tag = sup.textContent.replace(/^\^\^/, "");
      sup.classList.add("ewkg-type");
      sup.textContent = tag;
      span.title = tag;
      span.classList.add("ewkg-literal");
      span.tabIndex = 0;
    });
  }
  new MutationObserver(function () { tidy(el); }).observe(el, { childList: true, subtree: true });
})();
