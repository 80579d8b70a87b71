/* Capacity pages: the utilization heatmap (a click opens the demand behind a cell) and the role chart. */
(function () {
  "use strict";

  function data(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function hours(value) {
    return (Math.round(value * 10) / 10).toString() + " h";
  }

  function heatmap(el) {
    var d = data("heatmap-data");
    if (!d || !d.resources.length) { return; }
    el.style.height = Math.max(220, d.resources.length * 24 + 90) + "px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: {
        position: "top",
        formatter: function (p) {
          var c = p.data;
          var load = c[2] >= 999 ? "no capacity" : c[2] + " %";
          return d.resources[c[1]] + "<br>" + d.periods[c[0]] + ": <b>" + load + "</b><br>" +
            hours(c[3]) + " of " + hours(c[4]) + (c[5] ? "<br><b>Over-allocated</b>" : "");
        }
      },
      grid: { left: 8, right: 16, top: 8, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: d.periods, splitArea: { show: true }, axisLabel: { fontSize: 11 } },
      yAxis: {
        type: "category", data: d.resources, inverse: true,
        axisLabel: { fontSize: 11, width: 180, overflow: "truncate" }
      },
      visualMap: {
        type: "piecewise", orient: "horizontal", left: "center", bottom: 4, itemWidth: 14, textStyle: { fontSize: 11 },
        dimension: 2,
        pieces: [
          { lte: 0, label: "free", color: "#f1f3f5" },
          { gt: 0, lt: 50, label: "< 50 %", color: "#b7e4c7" },
          { gte: 50, lt: 85, label: "50–85 %", color: "#52b788" },
          { gte: 85, lte: 100, label: "85–100 %", color: "#ffd166" },
          { gt: 100, label: "> 100 % (over)", color: "#dc3545" }
        ]
      },
      series: [{
        type: "heatmap",
        data: d.cells,
        label: {
          show: true, fontSize: 10,
          formatter: function (p) {
            var c = p.data;
            if (c[2] >= 999) { return "!"; }
            return c[5] ? "!" + Math.round(c[2]) : (c[2] ? Math.round(c[2]) : "");
          }
        },
        itemStyle: { borderColor: "#fff", borderWidth: 1 },
        emphasis: { itemStyle: { borderColor: "#212529", borderWidth: 2 } }
      }]
    });
    chart.on("click", function (p) {
      var c = p.data;
      var url = el.dataset.cellUrl + "?resource=" + d.resource_ids[c[1]] + "&period=" + encodeURIComponent(d.period_keys[c[0]]) +
        (el.dataset.proposed ? "&include_proposed=on" : "");
      if (window.htmx) {
        window.htmx.ajax("GET", url, { target: "#cell-panel" });
      } else {
        window.location.href = url;
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function roleChart(el) {
    var d = data("role-chart-data");
    if (!d) { return; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return hours(v); } },
      legend: { bottom: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: d.periods },
      yAxis: { type: "value", name: "hours" },
      series: [
        { name: "Demand", type: "bar", stack: "demand", data: d.demand, itemStyle: { color: "#0d6efd" } },
        { name: "Requested", type: "bar", stack: "demand", data: d.requested, itemStyle: { color: "#9ec5fe" } },
        { name: "Capacity", type: "line", symbolSize: 7, data: d.capacity, itemStyle: { color: "#198754" }, lineStyle: { width: 3 } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof window.echarts === "undefined") { return; }
    var el = document.getElementById("capacity-heatmap");
    if (el) { heatmap(el); }
    var role = document.getElementById("role-chart");
    if (role) { roleChart(role); }
  });
})();
