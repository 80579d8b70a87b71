/* Compliance roll-up: the share of compliant projects per unit (line) over the open gaps per kind (stacked bars). */
(function () {
  "use strict";

  function draw(el) {
    var source = document.getElementById("compliance-data");
    if (!source || !window.echarts) { return; }
    var d = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var series = d.kinds.map(function (k) {
      return { name: k.label, type: "bar", stack: "gaps", data: k.counts, emphasis: { focus: "series" } };
    });
    series.push({ name: "Compliant projects (%)", type: "line", yAxisIndex: 1, data: d.share, symbolSize: 8 });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 8, right: 8, top: 24, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: d.units, axisLabel: { interval: 0, rotate: d.units.length > 8 ? 30 : 0 } },
      yAxis: [
        { type: "value", name: "Open gaps", minInterval: 1 },
        { type: "value", name: "Compliant", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
      ],
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("compliance-chart");
    if (el) { draw(el); }
  });
})();
