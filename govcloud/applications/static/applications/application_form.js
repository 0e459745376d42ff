// The application form: numbers the item rows, removes a row on its remove button and tells the
// estimate panel (hx-trigger "rowsChanged from:body") to recalculate.
(function () {
  "use strict";
  var rows = document.getElementById("item-rows");
  if (!rows) { return; }
  function renumber() {
    rows.querySelectorAll(".gc-item-row").forEach(function (row, i) {
      var n = row.querySelector(".gc-row-number");
      if (n) { n.textContent = i + 1; }
    });
  }
  renumber();
  document.body.addEventListener("htmx:afterSettle", renumber);

  // A change or termination names resources of the chosen system only (and those serving none):
  // the others are hidden from each resource chooser, and a choice that no longer fits is cleared.
  var system = document.getElementById("id_system");
  function filterResources() {
    var chosen = system ? system.value : "";
    rows.querySelectorAll("select[data-resource-chooser]").forEach(function (select) {
      Array.prototype.forEach.call(select.options, function (option) {
        var fits = !chosen || !option.dataset.system || option.dataset.system === chosen;
        option.hidden = !fits;
        option.disabled = !fits;
        if (!fits && option.selected) { select.value = ""; }
      });
    });
  }
  if (system) { system.addEventListener("change", filterResources); }
  filterResources();
  document.body.addEventListener("htmx:afterSettle", filterResources);
  rows.addEventListener("click", function (e) {
    var button = e.target.closest("[data-remove-row]");
    if (!button) { return; }
    button.closest(".gc-item-row").remove();
    renumber();
    document.body.dispatchEvent(new CustomEvent("rowsChanged"));
  });
})();
