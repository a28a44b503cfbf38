/* Charts of the figures pages (Chart.js, vendored).
 *
 * Each <canvas data-chart-source="ID"> reads its data from the
 * <script type="application/json" id="ID"> block written by Django's
 * json_script filter: {type, title, labels, datasets: [{label, data}]}.
 * The same numbers are always in a table next to the chart.
 */
(function () {
  "use strict";

  // Colours that stay apart for colour-blind readers and in greyscale print.
  var COLOURS = ["#154273", "#e17000", "#39870c", "#a90061", "#8fcae7"];
  var charts = [];

  function readData(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function build(canvas) {
    var data = readData(canvas.getAttribute("data-chart-source"));
    if (!data || typeof window.Chart === "undefined") { return; }
    var line = data.type === "line";
    var datasets = data.datasets.map(function (set, i) {
      var colour = COLOURS[i % COLOURS.length];
      return {
        label: set.label,
        data: set.data,
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: line ? 3 : 0,
        pointRadius: line ? 3 : 0,
        pointStyle: ["circle", "rect", "triangle", "rectRot"][i % 4],
        tension: 0,
        fill: false
      };
    });
    charts.push(new window.Chart(canvas, {
      type: data.type,
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom", labels: { usePointStyle: true, font: { size: 14 } } },
          title: { display: false }
        },
        scales: {
          x: { ticks: { autoSkip: true, maxRotation: 60, font: { size: 12 } } },
          y: { beginAtZero: true, ticks: { precision: 0, font: { size: 12 } } }
        }
      }
    }));
  }

  function start() {
    var canvases = document.querySelectorAll("canvas[data-chart-source]");
    for (var i = 0; i < canvases.length; i++) { build(canvases[i]); }
  }

  // Redraw at the paper's size before printing, and back afterwards.
  function resizeAll() {
    for (var i = 0; i < charts.length; i++) { charts[i].resize(); }
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
