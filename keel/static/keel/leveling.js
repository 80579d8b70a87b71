/* Leveling comparison: each project's finish before (grey) and after (blue) on a time axis. */
(function () {
  "use strict";

  function draw(root) {
    if (typeof window.echarts === "undefined") { return; }
    root.querySelectorAll("[data-keel-leveling-chart]").forEach(function (el) {
      if (el.dataset.ready) { return; }
      var source = document.getElementById(el.dataset.source);
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      var series = [
        { name: "Before", type: "scatter", symbolSize: 12, itemStyle: { color: "#6c757d" },
          data: data.projects.map(function (p, i) { return [data.before[i], p]; }) },
        { name: "After", type: "scatter", symbolSize: 12, itemStyle: { color: "#0d6efd" },
          data: data.projects.map(function (p, i) { return [data.after[i], p]; }) }
      ];
      data.projects.forEach(function (p, i) {
        series.push({ type: "line", silent: true, symbol: "none", lineStyle: { color: "#adb5bd" },
          data: [[data.before[i], p], [data.after[i], p]], tooltip: { show: false } });
      });
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        tooltip: { trigger: "item", formatter: function (p) { return p.seriesName + ": " + p.value[1] + " finishes " + p.value[0]; } },
        legend: { data: ["Before", "After"], bottom: 0 },
        grid: { left: 100, right: 30, top: 10, bottom: 40 },
        xAxis: { type: "time" },
        yAxis: { type: "category", data: data.projects, inverse: true },
        series: series
      });
      el.dataset.ready = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:load", function (event) { draw(event.target); });
})();
