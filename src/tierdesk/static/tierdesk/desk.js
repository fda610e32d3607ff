/* Tierdesk desk: keyboard shortcuts and focus after htmx swaps. No inline handlers anywhere,
   so the pages work under a Content-Security-Policy without 'unsafe-inline'.

   Shortcuts (listed in the page footer):
     /    focus the search field   (element with data-shortcut="search")
     r    focus the reply field    (element with data-shortcut="reply", on a ticket page)
     Esc  leave the current field */
(function () {
  "use strict";

  var SHORTCUTS = { "/": "search", "r": "reply" };

  function isTyping(element) {
    if (!element || !element.tagName) { return false; }
    var tag = element.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || element.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (isTyping(event.target)) {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    var name = SHORTCUTS[event.key];
    if (!name) { return; }
    var target = document.querySelector('[data-shortcut="' + name + '"]');
    if (!target) { return; }
    event.preventDefault();
    target.focus();
    if (typeof target.select === "function" && target.tagName.toLowerCase() === "input") { target.select(); }
  });

  // After htmx replaces a fragment, move focus to its message (error or confirmation), so
  // keyboard and screen-reader users learn what happened instead of losing their place.
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.target;  // the settled (new) element; event.detail.elt is the requester
    var message = null;
    if (root && typeof root.querySelector === "function") {
      message = root.matches("[data-focus-after-swap]") ? root : root.querySelector("[data-focus-after-swap]");
    }
    if (!message) { message = document.querySelector("[data-focus-after-swap]"); }
    if (message) { message.focus(); }
  });
})();
