// The provider report's text editor (issue 13): Quill 2 (npm, vendor/quill) on the textarea of
// forms.RichTextWidget. The toolbar is the widget's HTML (labels through gettext); the textarea,
// hidden, keeps the editor's HTML so the form, the draft keeper (web/session.js, which restores the
// textarea before this runs) and a failed submission all see it. The server cleans it
// (reports/richtext.py). No inline script or style: Quill builds its DOM with createElement and
// sets positions through the CSSOM, which the CSP allows.
(function () {
  "use strict";
  if (!window.Quill) { return; }

  function start(box) {
    var textarea = document.getElementById(box.dataset.for);
    var toolbar = box.querySelector(".gc-rich-toolbar");
    var holder = box.querySelector(".gc-rich-editor");
    if (!textarea || !toolbar || !holder) { return; }
    toolbar.hidden = false;
    holder.hidden = false;
    textarea.classList.add("d-none");
    if (textarea.classList.contains("is-invalid")) { box.classList.add("is-invalid"); }

    function table() { return quill.getModule("table"); }
    var quill = new window.Quill(holder, {
      theme: "snow",
      placeholder: box.dataset.placeholder || "",
      modules: {
        table: true,
        toolbar: {
          container: toolbar,
          handlers: {
            "table-insert": function () { table().insertTable(3, 3); },
            "table-row": function () { table().insertRowBelow(); },
            "table-column": function () { table().insertColumnRight(); },
            "table-delete": function () { table().deleteTable(); }
          }
        }
      }
    });
    var initial = textarea.value.trim();
    if (initial) {
      quill.setContents(quill.clipboard.convert({ html: initial }), "silent");
    }

    // The label of the field names the editor; the link box speaks the page's language (the snow
    // theme's CSS shows these attributes instead of its English words, see rich_text.css).
    var label = document.querySelector("label[for='" + textarea.id + "']");
    if (label) {
      label.id = label.id || textarea.id + "-label";
      quill.root.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", function (e) { e.preventDefault(); quill.focus(); });
    }
    quill.root.setAttribute("role", "textbox");
    quill.root.setAttribute("aria-multiline", "true");
    var picker = toolbar.querySelector(".ql-picker.ql-header .ql-picker-label");
    if (picker) { picker.setAttribute("title", box.dataset.styleLabel || ""); }
    var tip = box.querySelector(".ql-tooltip");
    if (tip) {
      tip.dataset.visit = box.dataset.visit || "";
      tip.dataset.enter = box.dataset.enter || "";
      var action = tip.querySelector("a.ql-action");
      var remove = tip.querySelector("a.ql-remove");
      var input = tip.querySelector("input[type=text]");
      if (action) { action.dataset.edit = box.dataset.edit || ""; action.dataset.save = box.dataset.save || ""; }
      if (remove) { remove.dataset.remove = box.dataset.remove || ""; }
      if (input) { input.dataset.link = "https://"; }
    }

    function sync() {
      // Semantic HTML: real <ul>/<ol> lists. Quill writes every space as &nbsp; there, which would
      // keep lines from wrapping; ordinary spaces read the same.
      var html = quill.getText().trim() || quill.getContents().ops.some(function (op) { return typeof op.insert === "object"; })
        ? quill.getSemanticHTML().replace(/&nbsp;/g, " ")
        : "";
      if (textarea.value !== html) {
        textarea.value = html;
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
    quill.on("text-change", sync);
    var form = textarea.form;
    if (form) { form.addEventListener("submit", sync, true); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-rich-editor]"), start);
  });
})();
