/* RAID heat map: probability × impact counts of open risks; a click on a cell lists its risks. */
(function () {
  "use strict";

  function draw(el) {
    var source = document.getElementById("heatmap-data");
    if (!source || !window.echarts) { return; }
    var d = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var top = Math.max(1, d.probability.length * d.impact.length);
    chart.setOption({
      animation: false,
      tooltip: {
        position: "top",
        formatter: function (p) {
          var c = p.data;
          return "Probability " + (c[1] + 1) + " " + d.probability[c[1]] + "<br>Impact " + (c[0] + 1) + " " +
            d.impact[c[0]] + "<br><b>" + c[2] + " risk" + (c[2] === 1 ? "" : "s") + "</b> · score " + c[3];
        }
      },
      grid: { left: 8, right: 16, top: 8, bottom: 64, containLabel: true },
      xAxis: { type: "category", name: "Impact", nameLocation: "middle", nameGap: 28,
        data: d.impact.map(function (l, i) { return (i + 1) + " " + l; }), splitArea: { show: true } },
      yAxis: { type: "category", name: "Probability", data: d.probability.map(function (l, i) { return (i + 1) + " " + l; }),
        splitArea: { show: true } },
      visualMap: {
        type: "piecewise", dimension: 3, orient: "horizontal", left: "center", bottom: 0, itemWidth: 14,
        pieces: [
          { lt: d.threshold / 2, label: "low score", color: "#b7e4c7" },
          { gte: d.threshold / 2, lt: d.threshold, label: "medium", color: "#ffd166" },
          { gte: d.threshold, lte: top, label: "≥ " + d.threshold + " (escalated)", color: "#e76f51" }
        ]
      },
      series: [{
        type: "heatmap", data: d.cells,
        label: { show: true, formatter: function (p) { return p.data[2] ? String(p.data[2]) : ""; } },
        itemStyle: { borderColor: "#fff", borderWidth: 2 }
      }]
    });
    chart.on("click", function (p) {
      var c = p.data;
      if (!c[2]) { return; }
      var url = el.dataset.cellUrl + "?probability=" + (c[1] + 1) + "&impact=" + (c[0] + 1) +
        (el.dataset.project ? "&project=" + el.dataset.project : "") + (el.dataset.unit ? "&unit=" + el.dataset.unit : "") +
        (el.dataset.residual ? "&residual=1" : "");
      if (window.htmx) { window.htmx.ajax("GET", url, { target: "#cell-panel" }); } else { window.location.href = url; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("raid-heatmap");
    if (el) { draw(el); }
  });
})();
