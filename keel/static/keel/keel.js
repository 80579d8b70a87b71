/* Keel's page behaviour: ECharts charts fed from json_script data, filter counts. No framework. */
(function () {
  "use strict";

  var palette = {
    green: "#198754", amber: "#ffc107", red: "#dc3545",
    proposed: "#adb5bd", active: "#0d6efd", on_hold: "#ffc107", closed: "#6c757d", cancelled: "#212529"
  };

  function readData(el) {
    var source = document.getElementById(el.dataset.source);
    return source ? JSON.parse(source.textContent) : null;
  }

  function options(kind, data) {
    var colors = data.keys.map(function (k) { return palette[k] || "#1d4ed8"; });
    if (kind === "donut") {
      return {
        tooltip: { trigger: "item" },
        legend: { bottom: 0, itemGap: 8, itemWidth: 14, textStyle: { fontSize: 11 } },
        color: colors,
        series: [{
          type: "pie", radius: ["42%", "72%"], center: ["50%", "42%"], avoidLabelOverlap: true,
          label: { show: false },
          data: data.labels.map(function (label, i) { return { name: label, value: data.values[i] }; })
        }]
      };
    }
    var horizontal = kind === "hbar";
    var category = { type: "category", data: data.labels, axisLabel: { interval: 0, width: 120, overflow: "truncate" } };
    var value = { type: "value", minInterval: 1 };
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: horizontal ? 130 : 40, right: 20, top: 20, bottom: 30, containLabel: !horizontal },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? Object.assign({ inverse: true }, category) : value,
      series: [{
        type: "bar", barMaxWidth: 48, label: { show: true, position: horizontal ? "right" : "top" },
        data: data.values.map(function (v, i) { return { value: v, itemStyle: { color: colors[i] } }; })
      }]
    };
  }

  function initCharts(root) {
    if (typeof window.echarts === "undefined") { return; }
    root.querySelectorAll("[data-keel-chart]").forEach(function (el) {
      if (el.dataset.ready) { return; }
      var data = readData(el);
      if (!data) { return; }
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(options(el.dataset.keelChart, data));
      el.dataset.ready = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initCharts(document); });
  document.addEventListener("htmx:load", function (event) { initCharts(event.target); });

  // A multi-choice filter shows how many of its choices are ticked.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.type !== "checkbox" || !box.form) { return; }
    var badge = box.form.querySelector('[data-keel-count="' + box.name + '"]');
    if (!badge) { return; }
    var n = box.form.querySelectorAll('input[type=checkbox][name="' + box.name + '"]:checked').length;
    badge.textContent = n;
    badge.hidden = n === 0;
  });
})();
