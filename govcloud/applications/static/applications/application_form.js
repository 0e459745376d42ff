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
  rows.addEventListener("click", function (e) {
    var button = e.target.closest("[data-remove-row]");
    if (!button) { return; }
    button.closest(".gc-item-row").remove();
    renumber();
    document.body.dispatchEvent(new CustomEvent("rowsChanged"));
  });
})();
