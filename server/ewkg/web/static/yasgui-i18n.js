/* A thin language layer around YASGUI, which has no i18n hooks of its own: its English strings
   (text, titles, placeholders, ARIA labels) are replaced by the page language's, from the
   message table of ewkg.web.i18n (JSON in #ewkg-yasgui-i18n), now and whenever YASGUI redraws;
   query text, results and the server's own messages are left as they are. The error panel is
   YASR's errorRenderers hook: a heading in the page language, the engine's detail below. */
(function () {
  "use strict";
  var source = document.getElementById("ewkg-yasgui-i18n");
  var data = source ? JSON.parse(source.textContent) : { strings: {}, patterns: [], errors: {} };
  var strings = data.strings;
  var patterns = data.patterns.map(function (p) { return [new RegExp(p[0]), p[1]]; });
  var ATTRS = ["title", "placeholder", "aria-label"];
  /* Left alone: the query text (CodeMirror's lines), answers (table cells, raw responses). */
  var KEEP = ".CodeMirror-lines, pre, td, .ewkg-keep";

  function translate(text) {
    var trimmed = text.trim();
    if (!trimmed) return null;
    if (Object.prototype.hasOwnProperty.call(strings, trimmed)) {
      return text.replace(trimmed, strings[trimmed]);
    }
    for (var i = 0; i < patterns.length; i++) {
      if (patterns[i][0].test(trimmed)) {
        return text.replace(trimmed, trimmed.replace(patterns[i][0], patterns[i][1]));
      }
    }
    return null;
  }
  function kept(el) { return !el || (el.closest && el.closest(KEEP)); }
  function text(node) {
    if (kept(node.parentElement)) return;
    var t = translate(node.nodeValue);
    if (t !== null && t !== node.nodeValue) node.nodeValue = t;
  }
  function attrs(el) {
    if (el.closest && el.closest(".CodeMirror-lines")) return;
    ATTRS.forEach(function (name) {
      var value = el.getAttribute(name);
      if (!value) return;
      var t = translate(value);
      if (t !== null && t !== value) el.setAttribute(name, t);
    });
  }
  function walk(node) {
    if (node.nodeType === 3) { text(node); return; }
    if (node.nodeType !== 1) return;
    attrs(node);
    var walker = document.createTreeWalker(node, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      var n = walker.currentNode;
      if (n.nodeType === 3) text(n); else attrs(n);
    }
  }
  window.ewkgTranslateYasgui = function (root) {
    walk(root);
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        if (r.type === "characterData") text(r.target);
        else if (r.type === "attributes") attrs(r.target);
        else r.addedNodes.forEach(walk);
      });
    }).observe(root, { subtree: true, childList: true, characterData: true,
                       attributes: true, attributeFilter: ATTRS });
  };
  window.ewkgYasguiError = function (error) {
    // YASR passes {text} (the response body) and, depending on the request, status too; the
    // server's JSON error body carries the status as well.
    var detail = error && error.text ? String(error.text) : "";
    var status = error && error.status ? String(error.status) : "";
    try {
      var parsed = JSON.parse(detail);
      if (parsed && parsed.error) {
        if (parsed.error.message) detail = parsed.error.message;
        if (!status && parsed.error.status) status = String(parsed.error.status);
      }
    } catch (e) { /* plain text */ }
    var m = !status && /^(\d{3}) /.exec(detail);
    if (m) status = m[1];
    if (!status) status = detail ? "other" : "0";
    var panel = document.createElement("div");
    panel.className = "ewkg-error-panel";
    var heading = document.createElement("p");
    heading.textContent = (data.errors[status] || data.errors.other) +
      (/^\d{3}$/.test(status) ? " (" + data.errors.status + " " + status + ")" : "");
    panel.appendChild(heading);
    if (detail) {
      var box = document.createElement("details");
      var summary = document.createElement("summary");
      summary.textContent = data.errors.detail;
      var pre = document.createElement("pre");
      pre.setAttribute("lang", "en");
      pre.className = "ewkg-keep";
      pre.textContent = detail;
      box.appendChild(summary);
      box.appendChild(pre);
      panel.appendChild(box);
    }
    return Promise.resolve(panel);
  };
})();
