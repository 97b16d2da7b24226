/**
 * The small script embedded in the HTML report that draws the charts. It reads the chart configurations from
 * the `<script type="application/json" id="ragscope-data">` block with `JSON.parse` (never `eval`, never
 * `innerHTML`) and hands them to Chart.js; all text in the page is rendered server-side and escaped.
 * @internal
 */
export const CLIENT_SCRIPT = `(function () {
  'use strict';
  var node = document.getElementById('ragscope-data');
  var data = JSON.parse(node ? node.textContent : '{"charts":[]}');
  Chart.defaults.animation = false;
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  Chart.defaults.color = '#333';
  var drawn = 0;
  data.charts.forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) return;
    canvas.parentNode.style.height = spec.height + 'px';
    new Chart(canvas, spec.config);
    drawn++;
  });
  document.documentElement.setAttribute('data-charts-drawn', String(drawn));
})();
`;
