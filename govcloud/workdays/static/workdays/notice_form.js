// The holiday notice form: "Add a row" appends an empty row of the formset (from the <template>)
// and counts it in the management form's TOTAL_FORMS.
(function () {
  "use strict";
  var button = document.getElementById("add-day-row");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var total = document.getElementById("id_days-TOTAL_FORMS");
    var html = document.getElementById("day-row-template").innerHTML.replace(/__prefix__/g, total.value);
    document.querySelector("#day-rows tbody").insertAdjacentHTML("beforeend", html);
    total.value = parseInt(total.value, 10) + 1;
  });
})();
