// The idle logout, announced, and forms that survive it (issue 16 §4). No inline script: loaded
// from base.html, settings in data- attributes of <body>.
//
// 1. Warning: the server ends a session SESSION_COOKIE_AGE after its last activity
//    (core.middleware.SessionIdleMiddleware). A few minutes before, a modal offers "继续办理", which
//    posts to the keep-alive endpoint. Activity is shared between the tabs of the browser
//    (localStorage), so a tab left open does not log out someone working in another.
// 2. Drafts: what is typed into a POST form is kept in sessionStorage under the page's path, put
//    back when the page is shown again (after logging in again, `next` brings the person back), and
//    dropped once a submission has led to another page (it was saved).
(function () {
  "use strict";
  var body = document.body;
  var DRAFT_PREFIX = "gc-draft:";
  var ACTIVITY_KEY = "gc-session-activity";
  // The server saves the session at most once a minute (SessionIdleMiddleware.TOUCH_EVERY_SECONDS),
  // so its clock may have started up to a minute before the page's: the page counts that minute off.
  var SERVER_SLACK_MS = 60000;

  function loginUrl(expired) {
    var next = window.location.pathname + window.location.search;
    return body.dataset.loginUrl + "?next=" + encodeURIComponent(next) + (expired ? "&expired=1" : "");
  }

  function csrfToken() {
    try { return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }

  // --- Drafts --------------------------------------------------------------------------------------

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function draftable(form) {
    return (form.getAttribute("method") || "").toLowerCase() === "post" && !form.hasAttribute("data-no-draft") &&
      !form.querySelector("input[type=password]") && form.closest("main") !== null;
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (!el.name || el.disabled) { return false; }
      var type = (el.type || "").toLowerCase();
      return ["hidden", "file", "password", "submit", "button", "reset"].indexOf(type) === -1;
    });
  }

  function draftKey(form, index) {
    return DRAFT_PREFIX + window.location.pathname + "#" + (form.id || form.getAttribute("action") || index);
  }

  function forms() {
    return Array.prototype.filter.call(document.querySelectorAll("form"), draftable);
  }

  function saveDraft(form, index) {
    var store = storage();
    if (!store) { return; }
    var values = {};
    fields(form).forEach(function (el) {
      var type = (el.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        values[el.name] = values[el.name] || [];
        if (el.checked) { values[el.name].push(el.value); }
      } else if (el.tagName === "SELECT" && el.multiple) {
        values[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        values[el.name] = el.value;
      }
    });
    store.setItem(draftKey(form, index), JSON.stringify({ values: values, saved: Date.now() }));
  }

  function restoreDraft(form, index) {
    var store = storage();
    var raw = store && store.getItem(draftKey(form, index));
    if (!raw) { return false; }
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { return false; }
    var restored = false;
    fields(form).forEach(function (el) {
      if (!Object.prototype.hasOwnProperty.call(draft.values, el.name)) { return; }
      var value = draft.values[el.name];
      var type = (el.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        var on = value.indexOf(el.value) !== -1;
        if (el.checked !== on) { el.checked = on; restored = true; }
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = value.indexOf(o.value) !== -1; });
      } else if (el.value !== value) {
        el.value = value;
        restored = true;
        // Let the page react as if typed (HTMX rows, the live estimate).
        el.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    if (restored) {
      var note = document.createElement("div");
      note.className = "alert alert-info small";
      note.setAttribute("role", "status");
      note.dataset.testid = "draft-restored";
      note.textContent = body.dataset.draftRestored || "";
      if (note.textContent) { form.parentNode.insertBefore(note, form); }
    }
    return restored;
  }

  // After a submission, the next page tells what became of it: the login page (the session had
  // ended: the draft waits for the page `next` brings back), the same form answered with errors (a
  // POST answer: the draft stays), or any page fetched afterwards (the submission was taken and
  // redirected: the draft is dropped).
  var PENDING_KEY = "gc-draft-pending";
  var RESUME = "resume:";
  function settlePending() {
    var store = storage();
    var pending = store && store.getItem(PENDING_KEY);
    if (!pending) { return; }
    if (window.location.pathname === body.dataset.loginUrl) {
      if (pending.indexOf(RESUME) !== 0) { store.setItem(PENDING_KEY, RESUME + pending); }
      return;
    }
    if (pending.indexOf(RESUME) === 0 || body.dataset.posted) {
      if (pending.indexOf(RESUME) === 0) { store.removeItem(PENDING_KEY); }
      return;
    }
    store.removeItem(pending);
    store.removeItem(PENDING_KEY);
  }

  document.addEventListener("DOMContentLoaded", function () {
    settlePending();
    forms().forEach(function (form, index) {
      restoreDraft(form, index);
      var save = function () { saveDraft(form, index); };
      form.addEventListener("input", save);
      form.addEventListener("change", save);
      form.addEventListener("submit", function () {
        saveDraft(form, index);
        var store = storage();
        if (store) { store.setItem(PENDING_KEY, draftKey(form, index)); }
      });
    });
  });

  // --- The idle warning ----------------------------------------------------------------------------

  var idle = parseInt(body.dataset.sessionIdleSeconds || "0", 10) * 1000;
  if (!idle || !body.dataset.keepAliveUrl) { return; }
  var lead = Math.min(parseInt(body.dataset.sessionWarningSeconds || "180", 10) * 1000, idle / 2);
  var modalEl = document.getElementById("gc-session-warning");
  var modal = null;
  var ending = false;

  function lastActivity() {
    var shared = 0;
    try { shared = parseInt(window.localStorage.getItem(ACTIVITY_KEY) || "0", 10); } catch (e) { shared = 0; }
    return Math.max(shared, pageActivity);
  }
  var pageActivity = Date.now();
  function touched() {
    pageActivity = Date.now();
    try { window.localStorage.setItem(ACTIVITY_KEY, String(pageActivity)); } catch (e) { /* private mode */ }
  }
  touched();

  function expiresAt() { return lastActivity() + idle - SERVER_SLACK_MS; }

  function showWarning(left) {
    if (!modalEl || !window.bootstrap) { return; }
    var countdown = modalEl.querySelector("[data-session-countdown]");
    if (countdown) {
      var s = Math.max(0, Math.round(left / 1000));
      countdown.textContent = Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
    }
    if (!modal) { modal = window.bootstrap.Modal.getOrCreateInstance(modalEl); }
    if (!modalEl.classList.contains("show")) { modal.show(); }
  }

  function hideWarning() { if (modal && modalEl.classList.contains("show")) { modal.hide(); } }

  function expire() {
    if (ending) { return; }
    ending = true;
    forms().forEach(saveDraft);
    // Sign out on the server too (the session may have a minute left there), then to the login page.
    var done = function () { window.location.assign(loginUrl(true)); };
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrfToken());
    fetch(body.dataset.logoutUrl, { method: "POST", body: data, credentials: "same-origin", redirect: "manual" })
      .then(done, done);
  }

  function tick() {
    if (ending) { return; }
    var left = expiresAt() - Date.now();
    if (left <= 0) { expire(); } else if (left <= lead) { showWarning(left); } else { hideWarning(); }
  }
  window.setInterval(tick, 1000);

  function keepAlive() {
    fetch(body.dataset.keepAliveUrl, {
      method: "POST", credentials: "same-origin", redirect: "manual",
      headers: { "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      if (response.status === 204) { touched(); hideWarning(); } else { expire(); }
    }, function () { /* offline: the warning stays, the person may try again */ });
  }
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-session-continue]")) { keepAlive(); }
  });

  // A request the person made (not the bell's polling) counts as activity on the server too.
  document.addEventListener("htmx:afterRequest", function (e) {
    var xhr = e.detail.xhr;
    var headers = (e.detail.requestConfig && e.detail.requestConfig.headers) || {};
    if (xhr && xhr.responseURL && xhr.responseURL.indexOf(body.dataset.loginUrl) !== -1) {
      // The session ended on the server: the whole page goes to the login page, not a fragment.
      expire();
      return;
    }
    if (headers["X-GovCloud-Background"] !== "1") { touched(); }
  });
})();
