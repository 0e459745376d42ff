// GovCloud page helpers. No third-party code here: Bootstrap, HTMX and ECharts are served from
// the pinned npm packages.
(function () {
  "use strict";
  // Charts: any element with data-chart holds an ECharts option as JSON in a <script> sibling.
  function renderCharts(root) {
    if (!window.echarts) { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.rendered) { return; }
      var source = document.getElementById(el.dataset.chart);
      if (!source) { return; }
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(JSON.parse(source.textContent));
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
  document.body.addEventListener("htmx:afterSwap", function (e) { renderCharts(e.target); });
  // Confirmation for destructive buttons: <button data-confirm="...">.
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) { e.preventDefault(); e.stopPropagation(); }
  }, true);
})();
