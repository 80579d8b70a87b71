/* Status reports: the RAG trend of a project, one line per dimension (3 green, 2 amber, 1 red). */
(function () {
  "use strict";
  var NAMES = { 1: "Red", 2: "Amber", 3: "Green" };

  function draw() {
    var el = document.getElementById("report-trend");
    var source = document.getElementById("trend-data");
    if (!el || !source || !window.echarts) { return; }
    var d = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return NAMES[v] || ""; } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.periods },
      yAxis: { type: "value", min: 0.5, max: 3.5, interval: 1,
        axisLabel: { formatter: function (v) { return NAMES[v] || ""; } } },
      visualMap: { show: false, seriesIndex: 4, pieces: [
        { value: 1, color: "#dc3545" }, { value: 2, color: "#e0a800" }, { value: 3, color: "#198754" }] },
      series: d.series.map(function (s) {
        return { name: s.name, type: "line", step: "middle", data: s.data, symbolSize: 8,
          lineStyle: { width: s.name === "Overall" ? 4 : 1.5 } };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
