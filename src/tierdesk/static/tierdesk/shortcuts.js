/* Tierdesk desk: the keyboard shortcuts beyond desk.js's "/" and "r", the "?" overlay that lists
   them (templates/components/_shortcuts.html), and the ticket list's selection (select all, the
   selected count, the bulk action's own fields). No framework, no build, no inline handlers.

     ?        open the list of shortcuts (a modal <dialog>; Esc closes it, focus comes back)
     g b      go to the board          g l   go to the ticket list
     j / k    next / previous ticket in the list (focuses its link)
     x        select or unselect that ticket
     o, Enter open it
     r        reply (desk.js focuses the field; here the internal-note box is unticked)
     n        internal note: the reply field with "internal note" ticked

   Nothing fires while the focus is in a text field, a select or an editable element. */
(function () {
  "use strict";

  var G_WINDOW_MS = 1500;
  var NOT_TYPING_INPUTS = { checkbox: true, radio: true, button: true, submit: true, reset: true };
  var waitingForG = false;
  var gTimer = null;
  var current = -1;
  var lastFocus = null;

  function isTyping(element) {
    if (!element || !element.tagName) { return false; }
    var tag = element.tagName.toLowerCase();
    if (tag === "input") { return !NOT_TYPING_INPUTS[(element.type || "").toLowerCase()]; }
    return tag === "textarea" || tag === "select" || element.isContentEditable;
  }

  function dialog() { return document.getElementById("shortcuts-dialog"); }

  function openHelp() {
    var box = dialog();
    if (!box || box.open || typeof box.showModal !== "function") { return; }
    lastFocus = document.activeElement;
    box.showModal();  // moves focus to the autofocus Close button; Esc closes it
  }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-list-row]")); }

  function rowLink(row) { return row ? row.querySelector("a[href]") : null; }

  function moveTo(index) {
    var list = rows();
    if (!list.length) { return; }
    current = Math.max(0, Math.min(list.length - 1, index));
    list.forEach(function (row, i) { row.classList.toggle("is-current", i === current); });
    var link = rowLink(list[current]);
    if (link) { link.focus(); }
    list[current].scrollIntoView({ block: "nearest" });
  }

  function currentRow() {
    var list = rows();
    if (current < 0 || current >= list.length) {
      var focused = document.activeElement && document.activeElement.closest ? document.activeElement.closest("[data-list-row]") : null;
      if (!focused) { return null; }
      current = list.indexOf(focused);
      return focused;
    }
    return list[current];
  }

  function toggleCurrent() {
    var row = currentRow();
    var box = row ? row.querySelector("[data-row-select]") : null;
    if (!box) { return; }
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function openCurrent() {
    var link = rowLink(currentRow());
    if (link) { window.location.assign(link.href); }
  }

  function replyField(internal) {
    var field = document.querySelector('[data-shortcut="reply"]');
    if (!field) { return false; }
    var form = field.form;
    var box = form ? form.querySelector('input[name="is_internal"]') : null;
    if (box) { box.checked = internal; }
    field.focus();
    return true;
  }

  function go(name) {
    var box = dialog();
    var url = box ? box.getAttribute("data-url-" + name) : null;
    if (url) { window.location.assign(url); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (isTyping(event.target)) { return; }
    var box = dialog();
    if (box && box.open) { return; }  // the dialog handles its own keys (Esc, Tab)
    var key = event.key;
    if (waitingForG) {
      waitingForG = false;
      window.clearTimeout(gTimer);
      if (key === "b" || key === "l") {
        event.preventDefault();
        go(key === "b" ? "board" : "list");
      }
      return;
    }
    if (key === "r") { replyField(false); return; }  // desk.js does the focusing and preventDefault
    if (event.defaultPrevented) { return; }
    var tag = event.target && event.target.tagName ? event.target.tagName.toLowerCase() : "";
    switch (key) {
      case "?":
        event.preventDefault();
        openHelp();
        break;
      case "g":
        waitingForG = true;
        gTimer = window.setTimeout(function () { waitingForG = false; }, G_WINDOW_MS);
        break;
      case "j":
        if (rows().length) { event.preventDefault(); moveTo(current + 1); }
        break;
      case "k":
        if (rows().length) { event.preventDefault(); moveTo(current < 0 ? 0 : current - 1); }
        break;
      case "x":
        if (currentRow()) { event.preventDefault(); toggleCurrent(); }
        break;
      case "o":
        if (currentRow()) { event.preventDefault(); openCurrent(); }
        break;
      case "Enter":
        // A focused link, button or checkbox keeps its own Enter.
        if (tag !== "a" && tag !== "button" && tag !== "input" && currentRow()) { event.preventDefault(); openCurrent(); }
        break;
      case "n":
        if (replyField(true)) { event.preventDefault(); }
        break;
    }
  });

  document.addEventListener("close", function (event) {
    if (event.target === dialog() && lastFocus && typeof lastFocus.focus === "function") {
      lastFocus.focus();
      lastFocus = null;
    }
  }, true);

  // --- the ticket list's selection and bulk bar ------------------------------------------------

  function updateCount() {
    var counter = document.querySelector("[data-selected-count]");
    if (!counter) { return; }
    var boxes = document.querySelectorAll("[data-row-select]");
    var ticked = document.querySelectorAll("[data-row-select]:checked").length;
    counter.textContent = String(ticked);
    var all = document.querySelector("[data-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
  }

  function showParamsFor(action) {
    document.querySelectorAll("[data-bulk-for]").forEach(function (group) {
      var wanted = (group.getAttribute("data-bulk-for") || "").split(" ");
      group.hidden = wanted.indexOf(action) === -1;
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target || !target.matches) { return; }
    if (target.matches("[data-select-all]")) {
      document.querySelectorAll("[data-row-select]").forEach(function (box) { box.checked = target.checked; });
      updateCount();
    } else if (target.matches("[data-row-select]")) {
      updateCount();
    } else if (target.matches('#bulk-form select[name="action"]')) {
      showParamsFor(target.value);
    }
  });

  function init() {
    var action = document.querySelector('#bulk-form select[name="action"]');
    if (action) { showParamsFor(action.value); }
    updateCount();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
