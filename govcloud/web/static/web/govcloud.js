// GovCloud page helpers. No third-party code here: Bootstrap, HTMX and ECharts are served from
// the pinned npm packages. The Content-Security-Policy allows no inline script and no style=
// attributes, so sizes computed on the server arrive as data- attributes and are set here through
// the CSSOM (element.style), which the policy allows.
(function () {
  "use strict";
  // The elements under root matching selector, root itself included (HTMX swaps whole elements).
  function within(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) { found.unshift(root); }
    return found;
  }
  // Progress bars: <div class="progress-bar" data-progress-percent="40">.
  function sizeProgressBars(root) {
    within(root, "[data-progress-percent]").forEach(function (el) {
      el.style.width = el.dataset.progressPercent + "%";
    });
  }
  // Charts: any element with data-chart holds an ECharts option as JSON in a <script> sibling
  // (json_script); data-chart-height sets its height in pixels.
  function renderCharts(root) {
    if (!window.echarts) { return; }
    within(root, "[data-chart]").forEach(function (el) {
      if (el.dataset.rendered) { return; }
      var source = document.getElementById(el.dataset.chart);
      if (!source) { return; }
      if (el.dataset.chartHeight) { el.style.height = el.dataset.chartHeight + "px"; }
      var option = JSON.parse(source.textContent);
      // ECharts' HTML tooltips are markup with style= attributes (set as innerHTML), which the
      // policy blocks; rich-text tooltips are drawn inside the chart's SVG instead.
      if (option.tooltip) { option.tooltip.renderMode = "richText"; }
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option);
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  function enhance(root) {
    sizeProgressBars(root);
    renderCharts(root);
  }
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  // htmx:load fires for every element HTMX adds (and for the body once it starts).
  document.addEventListener("htmx:load", function (e) { enhance(e.target); });
  // Confirmation for destructive buttons: <button data-confirm="...">.
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) { e.preventDefault(); e.stopPropagation(); }
  }, true);
})();
