// Every POST form of the pages: a per-page-load idempotency key, and submit buttons disabled while
// the submission is in flight; every button that makes an HTMX request, disabled until answered. A form sent twice (a double click, the browser resending after a
// lost connection) is then done once: the server answers the repeat with the first answer
// (govcloud/core/idempotency.py). No inline script: loaded from base.html.
(function () {
  "use strict";
  var FIELD = "idempotency_key";
  // A safety net for a submission that never leaves the page (a file download): the buttons come
  // back after this long.
  var REENABLE_MS = 15000;

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    // randomUUID needs a secure context; plain HTTP on the intranet still has getRandomValues.
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function isPost(form) { return (form.getAttribute("method") || "").toLowerCase() === "post"; }

  function setKey(form, fresh) {
    var input = form.querySelector("input[name='" + FIELD + "']");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = FIELD;
      form.appendChild(input);
    } else if (!fresh) {
      return;
    }
    input.value = uuid();
  }

  function addKeys(root) {
    var forms = root.tagName === "FORM" ? [root] : root.querySelectorAll("form");
    Array.prototype.forEach.call(forms, function (form) { if (isPost(form)) { setKey(form, false); } });
  }

  function buttons(form) {
    var inside = form.querySelectorAll("button[type='submit'], button:not([type]), input[type='submit']");
    var outside = form.id ? document.querySelectorAll("[form='" + form.id + "'][type='submit']") : [];
    return Array.prototype.slice.call(inside).concat(Array.prototype.slice.call(outside));
  }

  function setBusy(form, busy) {
    buttons(form).forEach(function (b) {
      if (busy && !b.disabled) { b.disabled = true; b.dataset.gcBusy = "1"; }
      if (!busy && b.dataset.gcBusy) { b.disabled = false; delete b.dataset.gcBusy; }
    });
    if (busy) { window.setTimeout(function () { setBusy(form, false); }, REENABLE_MS); }
  }

  function formOf(elt) { return elt && (elt.tagName === "FORM" ? elt : elt.closest("form")); }

  document.addEventListener("DOMContentLoaded", function () { addKeys(document); });
  // Forms that HTMX swaps into the page get a key too.
  document.addEventListener("htmx:load", function (e) { addKeys(e.target); });

  // A plain submission: disable the buttons once the browser has taken the form's data (the
  // clicked button's name and value are sent only if it is still enabled at that moment).
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!isPost(form) || e.defaultPrevented) { return; }  // HTMX handles its own forms below
    window.setTimeout(function () { setBusy(form, true); }, 0);
  });

  // A button that makes an HTMX request itself ("add an item" and the like): disabled until its
  // answer is in, so a double click does not add two rows with the same index.
  function isButton(elt) {
    return elt && (elt.tagName === "BUTTON" || (elt.tagName === "INPUT" && /^(submit|button)$/i.test(elt.type)));
  }
  function setButtonBusy(button, busy) {
    if (busy && !button.disabled) {
      button.disabled = true;
      button.dataset.gcBusy = "1";
      button.setAttribute("aria-busy", "true");
      window.setTimeout(function () { setButtonBusy(button, false); }, REENABLE_MS);
    }
    if (!busy && button.dataset.gcBusy) {
      button.disabled = false;
      delete button.dataset.gcBusy;
      button.removeAttribute("aria-busy");
    }
  }

  // HTMX submissions: busy while the request runs; a new key once it has been answered, since the
  // form stays on the page for the next, different submission.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    if (isButton(elt)) { setButtonBusy(elt, true); return; }
    var form = formOf(elt);
    if (form && isPost(form) && elt === form) { setBusy(form, true); }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var elt = e.detail.elt;
    if (isButton(elt)) { setButtonBusy(elt, false); return; }
    var form = formOf(elt);
    if (!form || elt !== form) { return; }
    setBusy(form, false);
    if (e.detail.successful && isPost(form)) { setKey(form, true); }
  });

  // Back to this page from the history (bfcache): the buttons work again. The key stays: sending the
  // same form again is the same request.
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) { setBusy(form, false); });
  });
})();
