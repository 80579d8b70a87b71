/* Benefits charts (ECharts) drawn from json_script data: a benefit's planned curve with its
   measurements, the portfolio's realization per benefit, and financial gains summed per month. */
(function () {
  "use strict";

  var PLANNED = "#6c757d", REALIZED = "#0d6efd";

  function readData(el) {
    var source = document.getElementById(el.dataset.source);
    return source ? JSON.parse(source.textContent) : null;
  }

  function line(data) {
    return {
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 60, right: 20, top: 20, bottom: 50, containLabel: true },
      xAxis: { type: "time" },
      yAxis: { type: "value", name: data.unit || "", scale: true },
      series: [
        { name: "Planned", type: "line", data: data.planned, symbol: "circle", symbolSize: 5,
          lineStyle: { type: "dashed", color: PLANNED }, itemStyle: { color: PLANNED },
          markLine: { symbol: "none", label: { formatter: "today" }, lineStyle: { color: "#adb5bd" },
                      data: [{ xAxis: data.today }] } },
        { name: "Realized", type: "line", data: data.realized, symbol: "circle", symbolSize: 9,
          lineStyle: { color: REALIZED, width: 3 }, itemStyle: { color: REALIZED } }
      ]
    };
  }

  function bars(data) {
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v === null ? "—" : v + " %"; } },
      legend: { bottom: 0 },
      grid: { left: 90, right: 30, top: 10, bottom: 40, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: "{value} %" } },
      yAxis: { type: "category", data: data.labels, inverse: true },
      series: [
        { name: "Planned by today", type: "bar", data: data.planned, itemStyle: { color: PLANNED } },
        { name: "Realized", type: "bar", data: data.realized, itemStyle: { color: REALIZED } }
      ]
    };
  }

  function sums(data) {
    return {
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 60, right: 20, top: 20, bottom: 50, containLabel: true },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value" },
      series: [
        { name: "Planned gain", type: "line", data: data.planned, lineStyle: { type: "dashed", color: PLANNED }, itemStyle: { color: PLANNED } },
        { name: "Realized gain", type: "line", data: data.realized, lineStyle: { color: REALIZED, width: 3 }, itemStyle: { color: REALIZED } }
      ]
    };
  }

  var BUILDERS = { line: line, bars: bars, sum: sums };

  function init(root) {
    if (typeof window.echarts === "undefined") { return; }
    root.querySelectorAll("[data-benefit-chart]").forEach(function (el) {
      if (el.dataset.ready) { return; }
      var data = readData(el);
      var build = BUILDERS[el.dataset.benefitChart];
      if (!data || !build) { return; }
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      var option = build(data);
      option.animation = false;  // drawn at once: the numbers are what matter, and screenshots show them
      chart.setOption(option);
      el.dataset.ready = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
