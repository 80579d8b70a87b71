/* Finance charts (ECharts) drawn from the JSON each page embeds as #finance-chart.
 * Project tab: S-curve (PV, EV, AC, EAC projection), budget vs actual vs forecast by period, CPI/SPI trend.
 * Dashboard: CPI x SPI scatter of projects (click opens the project's finance), budget vs actual vs forecast
 * by org unit. Every chart has its table on the page and an Excel export. */
(function () {
  "use strict";

  function data() {
    var node = document.getElementById("finance-chart");
    return node ? JSON.parse(node.textContent) : null;
  }

  function num(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  function chart(id, option) {
    var node = document.getElementById(id);
    if (!node || typeof echarts === "undefined") return null;
    var instance = echarts.init(node);
    instance.setOption(option);
    window.addEventListener("resize", function () { instance.resize(); });
    return instance;
  }

  function scurve(d) {
    var curve = d.curve;
    var series = [
      { name: "PV", type: "line", showSymbol: false, data: curve.map(function (p) { return [p[0], num(p[1])]; }) },
      { name: "EV", type: "line", connectNulls: true, data: curve.filter(function (p) { return p[2] !== null; }).map(function (p) { return [p[0], num(p[2])]; }) },
      { name: "AC", type: "line", showSymbol: false, data: curve.filter(function (p) { return p[3] !== null; }).map(function (p) { return [p[0], num(p[3])]; }) },
    ];
    if (d.eac.length) {
      series.push({ name: "EAC projection", type: "line", lineStyle: { type: "dashed" }, data: d.eac.map(function (p) { return [p[0], num(p[1])]; }) });
    }
    var marks = [{ name: "Status date", xAxis: d.status_date }];
    if (d.forecast_finish) marks.push({ name: "Forecast finish", xAxis: d.forecast_finish });
    series[0].markLine = { symbol: "none", label: { formatter: "{b}" }, data: marks };
    chart("finance-scurve", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 70, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "time" },
      yAxis: { type: "value", name: d.currency },
      series: series,
    });
  }

  function periods(d) {
    var labels = [];
    var totals = {};
    d.periods.forEach(function (row) {
      if (!(row[0] in totals)) { labels.push(row[0]); totals[row[0]] = [0, 0, 0]; }
      totals[row[0]][0] += num(row[2]) || 0;
      totals[row[0]][1] += num(row[3]) || 0;
      totals[row[0]][2] += num(row[4]) || 0;
    });
    chart("finance-periods", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 70, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: labels },
      yAxis: { type: "value", name: d.currency },
      series: ["Budget", "Actual", "Forecast"].map(function (name, i) {
        return { name: name, type: "bar", data: labels.map(function (l) { return Math.round(totals[l][i] * 100) / 100; }) };
      }),
    });
  }

  function trend(d) {
    chart("finance-trend", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "time" },
      yAxis: { type: "value", min: function (v) { return Math.min(0.5, Math.floor(v.min * 10) / 10); } },
      series: ["CPI", "SPI", "SPI(t)"].map(function (name, i) {
        return { name: name, type: "line", data: d.trend.map(function (p) { return [p[0], num(p[i + 1])]; }) };
      }),
    });
  }

  function scatter(d) {
    var instance = chart("finance-scatter", {
      tooltip: { formatter: function (p) { return p.data.code + " " + p.data.name + "<br>CPI " + p.data.value[0] + " · SPI " + p.data.value[1]; } },
      grid: { left: 50, right: 20, top: 20, bottom: 40 },
      xAxis: { type: "value", name: "CPI", nameLocation: "middle", nameGap: 25, scale: true },
      yAxis: { type: "value", name: "SPI", scale: true },
      series: [{
        type: "scatter",
        symbolSize: 12,
        data: d.scatter.map(function (p) {
          return { value: [num(p.cpi), num(p.spi)], code: p.code, name: p.name, url: p.url, itemStyle: p.flagged ? { color: "#b02a37" } : undefined };
        }),
        markLine: { symbol: "none", lineStyle: { type: "dotted" }, data: [{ xAxis: 1 }, { yAxis: 1 }] },
      }],
    });
    if (instance) instance.on("click", function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
  }

  function units(d) {
    chart("finance-units", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 80, right: 20, top: 40, bottom: 60 },
      xAxis: { type: "category", data: d.units.map(function (u) { return u[0]; }), axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "value", name: d.currency },
      series: ["Budget", "Actual", "Forecast"].map(function (name, i) {
        return { name: name, type: "bar", data: d.units.map(function (u) { return num(u[i + 1]); }) };
      }),
    });
  }

  function draw() {
    var d = data();
    if (!d) return;
    if (d.curve) { scurve(d); periods(d); if (d.trend && d.trend.length) trend(d); }
    if (d.scatter) { scatter(d); units(d); }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
