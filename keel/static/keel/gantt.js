/* Keel's Gantt: a WBS grid (HTML rows) beside a chart drawn on a <canvas>, fed from the JSON document
   the page embeds (see keel/schedule/views.py). Only the rows in view exist in the grid and only they
   are drawn on the canvas, so thousands of tasks scroll smoothly. Times are integer minutes of the
   project's wall-clock time since 1970-01-01, read with the UTC getters of Date. No dependencies. */
(function () {
  "use strict";

  var ROW = 28, HEAD = 44, DAY = 1440, OVERSCAN = 8;
  var PX_PER_DAY = { day: 40, week: 12, month: 3 };
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var WEEKDAYS = ["Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"];
  var SUMMARY = 1, MILESTONE = 2, CRITICAL = 4, VIOLATION = 8;
  var LINK_NAMES = { FS: "finish-to-start", SS: "start-to-start", FF: "finish-to-finish", SF: "start-to-finish" };
  var CONSTRAINTS = [
    ["ASAP", "As soon as possible"], ["ALAP", "As late as possible"], ["SNET", "Start no earlier than"],
    ["SNLT", "Start no later than"], ["FNET", "Finish no earlier than"], ["FNLT", "Finish no later than"],
    ["MSO", "Must start on"], ["MFO", "Must finish on"]
  ];
  var RAG = {
    green: ["text-bg-success", "bi-check-circle-fill"],
    amber: ["text-bg-warning", "bi-exclamation-triangle-fill"],
    red: ["text-bg-danger", "bi-x-octagon-fill"]
  };
  var C = {
    task: "#3b82f6", taskEdge: "#1d4ed8", critical: "#dc2626", criticalEdge: "#7f1d1d",
    progress: "rgba(15, 23, 42, .65)", summary: "#1f2937", milestone: "#111827",
    baseline: "#9ca3af", baselineEdge: "#6b7280", link: "rgba(75, 85, 99, .6)", criticalLink: "#b91c1c",
    today: "#d97706", status: "#7c3aed", nonworking: "#f1f3f5", line: "#e5e7eb", lineStrong: "#ced4da",
    select: "rgba(13, 110, 253, .10)", group: "#f1f5f9", text: "#212529", muted: "#6c757d",
    planned: "#dbeafe", scheduled: "#2563eb", ghost: "rgba(13, 110, 253, .35)"
  };
  var FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, 'Liberation Sans', sans-serif";
  var FONT_BOLD = "600 " + FONT;
  var FONT_SMALL = "11px system-ui, -apple-system, 'Segoe UI', Roboto, 'Liberation Sans', sans-serif";

  // --- dates (wall-clock minutes) ------------------------------------------------------------------

  function utc(min) { return new Date(min * 60000); }
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function fmtDay(min) {
    if (min === null || min === undefined) { return ""; }
    var d = utc(min);
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
  }
  function fmtWhen(min) {
    if (min === null || min === undefined) { return "—"; }
    var d = utc(min);
    return fmtDay(min) + " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }
  // A finish at midnight belongs to the day before (as MS Project shows it).
  function fmtFinish(start, finish) {
    if (finish === null || finish === undefined) { return ""; }
    return fmtDay(finish % DAY === 0 && finish > start ? finish - 1 : finish);
  }
  function isoDay(min) {
    var d = utc(min);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate());
  }
  function monthStart(y, m) { return Date.UTC(y, m, 1) / 60000; }
  function mondayOnOrBefore(min) {
    var day = Math.floor(min / DAY);
    return (day - ((day + 3) % 7)) * DAY;  // 1 Jan 1970 was a Thursday
  }
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function signed(text) { return text && text.charAt(0) !== "-" && text !== "0d" ? "+" + text : text; }

  // --- the chart -----------------------------------------------------------------------------------

  function Gantt(root, doc) {
    this.root = root;
    this.zoom = PX_PER_DAY[root.dataset.zoom] ? root.dataset.zoom : "week";
    this.baseline = root.dataset.baseline || "";
    this.selected = null;
    this.collapsed = {};
    this.window = [-1, -1];
    this.pending = false;
    this.drag = null;
    this.editing = null;
    this.build();
    this.load(doc, true);
    root.keelGantt = this;
  }

  Gantt.prototype.build = function () {
    var root = this.root;
    root.innerHTML =
      '<div class="keel-gantt-body">' +
      '<div class="keel-gantt-grid" role="treegrid">' +
      '<div class="keel-gantt-ghead" role="rowgroup"><div class="keel-gantt-hrow" role="row" aria-rowindex="1"></div></div>' +
      '<div class="keel-gantt-gbody"><div class="keel-gantt-gspace" role="rowgroup"></div></div>' +
      "</div>" +
      '<div class="keel-gantt-split" role="separator" aria-orientation="vertical" tabindex="0" aria-label="Resize the task grid (left and right arrow keys)"></div>' +
      '<div class="keel-gantt-chart">' +
      '<canvas class="keel-gantt-scale" aria-hidden="true"></canvas>' +
      '<div class="keel-gantt-view">' +
      '<canvas class="keel-gantt-canvas" role="img"></canvas>' +
      '<div class="keel-gantt-scroll"><div class="keel-gantt-cspace"></div></div>' +
      '<div class="keel-gantt-tip" role="tooltip" hidden></div>' +
      "</div></div></div>";
    var q = function (sel) { return root.querySelector(sel); };
    this.grid = q(".keel-gantt-grid");
    this.hrow = q(".keel-gantt-hrow");
    this.ghead = q(".keel-gantt-ghead");
    this.gbody = q(".keel-gantt-gbody");
    this.gspace = q(".keel-gantt-gspace");
    this.split = q(".keel-gantt-split");
    this.scale = q(".keel-gantt-scale");
    this.view = q(".keel-gantt-view");
    this.canvas = q(".keel-gantt-canvas");
    this.scroller = q(".keel-gantt-scroll");
    this.cspace = q(".keel-gantt-cspace");
    this.tip = q(".keel-gantt-tip");
    this.ctx = this.canvas.getContext("2d");
    this.sctx = this.scale.getContext("2d");
    this.hatch = this.makeHatch();
    this.bind();
  };

  Gantt.prototype.makeHatch = function () {
    var tile = document.createElement("canvas");
    tile.width = tile.height = 8;
    var t = tile.getContext("2d");
    t.strokeStyle = "rgba(255, 255, 255, .55)";
    t.lineWidth = 2;
    t.beginPath();
    t.moveTo(-2, 10); t.lineTo(10, -2);
    t.moveTo(-2, 2); t.lineTo(2, -2);
    t.moveTo(6, 10); t.lineTo(10, 6);
    t.stroke();
    return this.ctx.createPattern(tile, "repeat");
  };

  // Read the document into items (tasks or portfolio rows) and links, then lay out and draw.
  Gantt.prototype.load = function (doc, first) {
    var self = this;
    this.doc = doc;
    this.portfolio = doc.mode === "portfolio";
    var items = [];
    if (this.portfolio) {
      doc.rows.forEach(function (row, i) {
        row.i = i;
        row.key = row.kind === "group" ? "g" + i : "p" + row.id;
        row.level = 1;
        items.push(row);
      });
      this.links = [];
    } else {
      var f = {};
      doc.fields.forEach(function (name, n) { f[name] = n; });
      doc.tasks.forEach(function (r, i) {
        var flags = r[f.flags];
        items.push({
          i: i, key: "t" + r[f.id], id: r[f.id], uid: r[f.uid], outline: r[f.outline], level: r[f.level],
          name: r[f.name], summary: !!(flags & SUMMARY), milestone: !!(flags & MILESTONE),
          critical: !!(flags & CRITICAL), flagged: !!(flags & VIOLATION), start: r[f.start], finish: r[f.finish],
          duration: r[f.duration], float: r[f["float"]], percent: r[f.percent], version: r[f.version],
          bstart: r[f.baseline_start], bfinish: r[f.baseline_finish], svar: r[f.start_variance],
          fvar: r[f.finish_variance], violations: r[f.violations], constraint: r[f.constraint],
          ctype: r[f.constraint_type], cday: r[f.constraint_day], delay: r[f.leveling_delay],
          stretches: r[f.stretches] || null, preds: [], succs: []
        });
      });
      this.links = doc.links.map(function (l, n) {
        var link = { n: n, p: l[0], s: l[1], type: l[2], id: l[3], version: l[4], lag: l[5] };
        items[link.p].succs.push(link);
        items[link.s].preds.push(link);
        return link;
      });
    }
    this.items = items;
    this.nonworking = {};
    (doc.nonworking || []).forEach(function (day) { self.nonworking[day] = true; });
    this.range();
    this.columns();
    this.computeVisible();
    if (this.selected && !items.some(function (it) { return it.key === self.selected; })) { this.selected = null; }
    this.layout();
    if (first) {
      this.setGridWidth(Math.min(this.gridWidth + 2, Math.max(260, this.root.clientWidth * 0.5)));
      this.layout();
      this.scroller.scrollLeft = Math.max(0, this.x(this.anchor()) - 48);
    }
    this.canvas.setAttribute("aria-label", this.summaryText());
    this.refresh(true);
  };

  // Where the chart opens: the project's start. For a portfolio, the first start of the projects still
  // running, but with today no further than a quarter of the view in; the first start of all of them
  // when every one has finished.
  Gantt.prototype.anchor = function () {
    var doc = this.doc;
    if (!this.portfolio) { return doc.start !== null ? doc.start : doc.today; }
    var running = Infinity, any = Infinity;
    this.items.forEach(function (it) {
      if (it.start === null || it.start === undefined) { return; }
      any = Math.min(any, it.start);
      if (it.finish >= doc.today - 30 * DAY) { running = Math.min(running, it.start); }
    });
    if (running !== Infinity) { return Math.max(running, doc.today - (this.cw || 800) * 0.25 / this.ppm()); }
    return any === Infinity ? doc.today : any;
  };

  Gantt.prototype.summaryText = function () {
    if (this.portfolio) {
      return "Timeline of " + this.items.filter(function (it) { return it.kind === "project"; }).length +
        " projects; the grid beside it lists them.";
    }
    var critical = this.items.filter(function (it) { return it.critical && !it.summary; }).length;
    return "Gantt chart of " + this.items.length + " tasks, " + critical +
      " on the critical path; the task grid beside it gives every date.";
  };

  Gantt.prototype.range = function () {
    var lo = Infinity, hi = -Infinity, doc = this.doc;
    function see(v) { if (v !== null && v !== undefined) { if (v < lo) { lo = v; } if (v > hi) { hi = v; } } }
    this.items.forEach(function (it) {
      see(it.start); see(it.finish); see(it.bstart); see(it.bfinish);
      (it.milestones || []).forEach(function (m) { see(m[0]); });
    });
    see(doc.today); see(doc.status_date);
    if (lo === Infinity) { lo = hi = doc.today || 0; }
    this.origin = mondayOnOrBefore(lo - 14 * DAY);
    // Room after the last date (and after today) so that either can be scrolled to the middle.
    this.end = Math.max(hi, (doc.today || hi) + 183 * DAY) + 60 * DAY;
  };

  Gantt.prototype.ppm = function () { return PX_PER_DAY[this.zoom] / DAY; };
  Gantt.prototype.x = function (min) { return (min - this.origin) * this.ppm(); };
  Gantt.prototype.timeAt = function (x) { return this.origin + x / this.ppm(); };

  Gantt.prototype.columns = function () {
    if (this.portfolio) {
      this.cols = [
        { key: "project", label: "Project", width: 250 },
        { key: "status", label: "Status", width: 92 },
        { key: "health", label: "Health", width: 92 },
        { key: "start", label: "Start", width: 96 },
        { key: "finish", label: "Finish", width: 96 }
      ];
    } else {
      this.cols = [
        { key: "outline", label: "WBS", width: 52 },
        { key: "name", label: "Task name", width: 190 },
        { key: "duration", label: "Duration", width: 68, num: true },
        { key: "start", label: "Start", width: 100 },
        { key: "finish", label: "Finish", width: 100 },
        { key: "float", label: "Total float", width: 58, num: true },
        { key: "percent", label: "% done", width: 54, num: true }
      ];
      if (this.doc.baseline !== null && this.doc.baseline !== undefined) {
        this.cols.push({ key: "svar", label: "Start var.", width: 70, num: true });
        this.cols.push({ key: "fvar", label: "Finish var.", width: 74, num: true });
      }
    }
    this.gridWidth = this.cols.reduce(function (sum, c) { return sum + c.width; }, 0);
    this.hrow.innerHTML = this.cols.map(function (c) {
      return '<div class="keel-gantt-cell' + (c.num ? " num" : "") + '" role="columnheader" style="width:' +
        c.width + 'px">' + esc(c.label) + "</div>";
    }).join("");
    this.hrow.style.width = this.gridWidth + "px";
    this.grid.setAttribute("aria-label", this.portfolio ? "Projects" : "Tasks");
  };

  // The rows shown, in order: collapsed summaries hide the rows below them.
  Gantt.prototype.computeVisible = function () {
    var visible = [], rowOf = new Int32Array(this.items.length).fill(-1), skip = Infinity, self = this;
    this.items.forEach(function (it, i) {
      if (it.level > skip) { return; }
      skip = Infinity;
      rowOf[i] = visible.length;
      visible.push(i);
      if (it.summary && self.collapsed[it.key]) { skip = it.level; }
    });
    this.visible = visible;
    this.rowOf = rowOf;
    this.grid.setAttribute("aria-rowcount", String(visible.length + 1));
  };

  Gantt.prototype.layout = function () {
    var rows = this.visible.length;
    var width = Math.max(1, Math.ceil(this.x(this.end)));
    this.cspace.style.width = width + "px";
    this.cspace.style.height = rows * ROW + "px";
    this.gspace.style.width = this.gridWidth + "px";
    var chartBar = this.scroller.offsetHeight - this.scroller.clientHeight;
    var gridBar = this.gbody.offsetHeight - this.gbody.clientHeight;
    this.gspace.style.height = rows * ROW + Math.max(0, chartBar - gridBar) + "px";
    this.resize();
  };

  Gantt.prototype.resize = function () {
    var dpr = window.devicePixelRatio || 1;
    var w = this.scroller.clientWidth, h = this.scroller.clientHeight;
    this.dpr = dpr;
    this.cw = w;
    this.ch = h;
    this.canvas.style.width = w + "px";
    this.canvas.style.height = h + "px";
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(h * dpr);
    this.scale.style.width = w + "px";
    this.scale.style.height = HEAD + "px";
    this.scale.width = Math.round(w * dpr);
    this.scale.height = Math.round(HEAD * dpr);
  };

  Gantt.prototype.refresh = function (gridToo) {
    if (gridToo) { this.window = [-1, -1]; }
    if (this.pending) { return; }
    this.pending = true;
    var self = this;
    window.requestAnimationFrame(function () {
      self.pending = false;
      self.renderRows();
      self.draw();
      var frames = (Number(self.root.dataset.rendered) || 0) + 1;
      if (frames === 1 && window.performance && performance.mark) { performance.mark("keel-gantt-first-draw"); }
      self.root.dataset.rendered = String(frames);
    });
  };

  // --- the grid ------------------------------------------------------------------------------------

  // Put the rows in view (and a few around them) in the grid. Scrolling only adds the rows coming into
  // view and drops those leaving it; a change of data, selection or layout redraws them all.
  Gantt.prototype.renderRows = function () {
    var top = this.gbody.scrollTop, height = this.gbody.clientHeight || 600;
    var first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    var last = Math.min(this.visible.length - 1, Math.ceil((top + height) / ROW) + OVERSCAN);
    var was = this.window, self = this;
    if (first === was[0] && last === was[1]) { return; }
    this.window = [first, last];
    var html = function (from, to) {
      var out = [];
      for (var pos = from; pos <= to; pos++) { out.push(self.rowHtml(self.items[self.visible[pos]], pos)); }
      return out.join("");
    };
    if (was[0] < 0 || last < was[0] || first > was[1]) {
      this.endEdit();
      var hadFocus = this.gspace.contains(document.activeElement);
      this.gspace.innerHTML = html(first, last);
      this.syncSelection();
      if (hadFocus && this.selected) {
        var row = this.rowElement(this.selected);
        if (row) { row.focus({ preventScroll: true }); }
      }
      return;
    }
    var rows = this.gspace.children;
    for (var k = rows.length - 1; k >= 0; k--) {
      var pos = Number(rows[k].getAttribute("aria-rowindex")) - 2;
      if (pos < first || pos > last) {
        if (this.editing && rows[k].dataset.key === this.editing.key) { this.endEdit(); }
        rows[k].remove();
      }
    }
    if (first < was[0]) { this.gspace.insertAdjacentHTML("afterbegin", html(first, Math.min(last, was[0] - 1))); }
    if (last > was[1]) { this.gspace.insertAdjacentHTML("beforeend", html(Math.max(first, was[1] + 1), last)); }
    this.syncSelection();
  };

  // An edit in place ends when its row leaves the grid.
  Gantt.prototype.endEdit = function () {
    this.editing = null;
    var box = this.root.querySelector(".keel-gantt-edit-error");
    if (box) { box.remove(); }
  };

  Gantt.prototype.rowElement = function (key) {
    return this.gspace.querySelector('[data-key="' + key + '"]');
  };

  Gantt.prototype.rowHtml = function (it, pos) {
    var selected = it.key === this.selected;
    var attrs = ' role="row" aria-rowindex="' + (pos + 2) + '" data-key="' + it.key + '" style="top:' + pos * ROW +
      "px;width:" + this.gridWidth + 'px" tabindex="' + (selected || (!this.selected && pos === 0) ? "0" : "-1") + '"' +
      (selected ? ' aria-selected="true"' : ' aria-selected="false"');
    if (this.portfolio) {
      if (it.kind === "group") {
        return '<div class="keel-gantt-row keel-gantt-group"' + attrs + ' aria-level="1">' +
          '<div class="keel-gantt-cell" role="gridcell" style="width:' + this.gridWidth + 'px">' + esc(it.label) +
          "</div></div>";
      }
      var rag = RAG[it.health] || ["text-bg-light border", "bi-question-circle"];
      var cells = {
        project: '<a href="' + esc(it.url) + '" class="fw-semibold">' + esc(it.code) + "</a> " + esc(it.name),
        status: esc(it.status_label),
        health: '<span class="badge rounded-pill keel-rag ' + rag[0] + '"><i class="bi ' + rag[1] +
          '" aria-hidden="true"></i> ' + esc(it.health_label) + "</span>",
        start: it.start === null ? "—" : fmtDay(it.start),
        finish: it.finish === null ? "—" : fmtFinish(it.start, it.finish)
      };
      return '<div class="keel-gantt-row' + (selected ? " is-selected" : "") + '"' + attrs + ' aria-level="2">' +
        this.cols.map(function (c) {
          var title = c.key === "start" || c.key === "finish"
            ? ' title="' + (it.scheduled ? "Scheduled" : "Planned (no schedule yet)") + '"' : "";
          return '<div class="keel-gantt-cell" role="gridcell" style="width:' + c.width + 'px"' + title + ">" +
            cells[c.key] + "</div>";
        }).join("") + "</div>";
    }
    var expanded = it.summary ? ' aria-expanded="' + (!this.collapsed[it.key]) + '"' : "";
    var cls = "keel-gantt-row" + (it.summary ? " is-summary" : "") + (it.critical && !it.summary ? " is-critical" : "") +
      (selected ? " is-selected" : "");
    var name = '<span class="keel-gantt-indent" style="width:' + (it.level - 1) * 14 + 'px"></span>';
    if (it.summary) {
      name += '<button type="button" class="keel-gantt-toggle" tabindex="-1" aria-label="' +
        (this.collapsed[it.key] ? "Expand" : "Collapse") + " " + esc(it.name) + '"><i class="bi ' +
        (this.collapsed[it.key] ? "bi-caret-right-fill" : "bi-caret-down-fill") + '" aria-hidden="true"></i></button>';
    } else {
      name += '<span class="keel-gantt-toggle-space"></span>';
    }
    if (it.milestone) {
      name += '<i class="bi bi-diamond-fill keel-gantt-ms" title="Milestone" aria-hidden="true"></i><span class="visually-hidden">Milestone: </span>';
    }
    if (it.critical && !it.summary) {
      name += '<span class="keel-gantt-crit" title="Critical task: no float">C</span><span class="visually-hidden">Critical: </span>';
    }
    if (it.flagged) {
      name += '<i class="bi bi-exclamation-triangle-fill text-warning" title="' + esc(it.violations) +
        '" aria-hidden="true"></i><span class="visually-hidden">Flagged (' + esc(it.violations) + '): </span>';
    }
    if (it.stretches && it.stretches.length > 1) {
      name += '<i class="bi bi-scissors text-body-secondary" title="Split into ' + it.stretches.length +
        ' stretches of work" aria-hidden="true"></i><span class="visually-hidden">Split into ' +
        it.stretches.length + " stretches: </span>";
    }
    if (it.constraint) {
      name += '<i class="bi bi-pin-angle-fill text-body-secondary" title="' + esc(it.constraint) +
        '" aria-hidden="true"></i><span class="visually-hidden">' + esc(it.constraint) + ": </span>";
    }
    name += '<span class="keel-gantt-name" title="' + esc(it.name) + '">' + esc(it.name) + "</span>";
    var editable = this.doc.editable && !it.summary;
    var cellsP = {
      outline: esc(it.outline),
      name: name,
      duration: esc(it.duration),
      start: '<span title="' + fmtWhen(it.start) + '">' + fmtDay(it.start) + "</span>",
      finish: '<span title="' + fmtWhen(it.finish) + '">' + fmtFinish(it.start, it.finish) + "</span>",
      "float": esc(it.float),
      percent: it.percent + "%",
      svar: esc(signed(it.svar)),
      fvar: esc(signed(it.fvar))
    };
    return '<div class="' + cls + '"' + attrs + ' aria-level="' + it.level + '"' + expanded + ' data-critical="' +
      (it.critical && !it.summary) + '" data-task-id="' + it.id + '">' +
      this.cols.map(function (c) {
        var extra = "";
        if (c.key === "duration" && editable) {
          extra = ' data-edit="duration" title="Double-click, or press F2, to change the duration"';
        }
        return '<div class="keel-gantt-cell' + (c.num ? " num" : "") + " c-" + c.key + '" role="gridcell" style="width:' +
          c.width + 'px"' + extra + ">" + cellsP[c.key] + "</div>";
      }).join("") + "</div>";
  };

  // --- drawing -------------------------------------------------------------------------------------

  Gantt.prototype.ticks = function (tier, t0, t1) {
    var out = [], d, y, m, t;
    var zoom = this.zoom;
    if ((zoom === "day" && tier === "low")) {
      for (t = Math.floor(t0 / DAY) * DAY; t < t1; t += DAY) {
        d = utc(t);
        out.push({ t: t, label: WEEKDAYS[d.getUTCDay()] + " " + d.getUTCDate() });
      }
    } else if ((zoom === "day" && tier === "high") || (zoom === "week" && tier === "low")) {
      for (t = mondayOnOrBefore(t0); t < t1; t += 7 * DAY) {
        d = utc(t);
        out.push({
          t: t,
          label: zoom === "day" ? "Week of " + fmtDay(t) : d.getUTCDate() + " " + MONTHS[d.getUTCMonth()]
        });
      }
    } else if ((zoom === "week" && tier === "high") || (zoom === "month" && tier === "low")) {
      d = utc(t0);
      y = d.getUTCFullYear(); m = d.getUTCMonth();
      for (t = monthStart(y, m); t < t1; m++, t = monthStart(y, m)) {
        d = utc(t);
        out.push({ t: t, label: zoom === "week" ? MONTH_NAMES[d.getUTCMonth()] + " " + d.getUTCFullYear() : MONTHS[d.getUTCMonth()] });
      }
    } else {
      for (y = utc(t0).getUTCFullYear(); monthStart(y, 0) < t1; y++) {
        out.push({ t: monthStart(y, 0), label: String(y) });
      }
    }
    return out;
  };

  Gantt.prototype.draw = function () {
    var ctx = this.ctx, w = this.cw, h = this.ch, dpr = this.dpr;
    if (!w || !h) { return; }
    var sl = this.scroller.scrollLeft, st = this.scroller.scrollTop;
    var t0 = this.timeAt(sl), t1 = this.timeAt(sl + w), ppm = this.ppm(), self = this;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, w, h);

    // Non-working days (day and week zoom), then the time grid
    if (this.zoom !== "month") {
      ctx.fillStyle = C.nonworking;
      for (var day = Math.floor(t0 / DAY); day * DAY < t1; day++) {
        if (this.nonworking[day]) { ctx.fillRect(Math.floor(this.x(day * DAY) - sl), 0, Math.ceil(DAY * ppm), h); }
      }
    }
    ctx.fillStyle = C.line;
    this.ticks("low", t0, t1).forEach(function (tick) { ctx.fillRect(Math.round(self.x(tick.t) - sl), 0, 1, h); });

    var first = Math.max(0, Math.floor(st / ROW));
    var last = Math.min(this.visible.length - 1, Math.floor((st + h) / ROW));
    // Row backgrounds: groups and the selected row
    for (var pos = first; pos <= last; pos++) {
      var it = this.items[this.visible[pos]];
      var y0 = pos * ROW - st;
      if (it.kind === "group") { ctx.fillStyle = C.group; ctx.fillRect(0, y0, w, ROW); }
      if (it.key === this.selected) { ctx.fillStyle = C.select; ctx.fillRect(0, y0, w, ROW); }
    }
    if (!this.portfolio) { this.drawLinks(first, last, sl, st); }
    for (pos = first; pos <= last; pos++) {
      this.drawItem(this.items[this.visible[pos]], pos * ROW - st, sl);
    }
    if (this.drag && this.drag.moved) { this.drawGhost(sl, st); }
    this.drawLine(this.doc.today, C.today, [5, 3], sl, h);
    this.drawLine(this.doc.status_date, C.status, [9, 3, 2, 3], sl, h);
    this.drawScale(t0, t1, sl);
  };

  Gantt.prototype.drawLine = function (min, color, dash, sl, h) {
    if (min === null || min === undefined) { return; }
    var x = Math.round(this.x(min) - sl) + 0.5, ctx = this.ctx;
    if (x < -2 || x > this.cw + 2) { return; }
    ctx.save();
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.setLineDash(dash);
    ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, h); ctx.stroke();
    ctx.restore();
  };

  Gantt.prototype.barBox = function (it, y0) {
    var withBaseline = !this.portfolio && this.doc.baseline !== null && this.doc.baseline !== undefined;
    if (this.portfolio) { return { y: y0 + 8, h: 12, mid: y0 + 14 }; }
    if (it.summary) { return { y: y0 + (withBaseline ? 6 : 9), h: 6, mid: y0 + (withBaseline ? 9 : 12) }; }
    return withBaseline ? { y: y0 + 4, h: 13, mid: y0 + 10.5 } : { y: y0 + 7, h: 14, mid: y0 + 14 };
  };

  Gantt.prototype.diamond = function (cx, cy, r, fill, stroke, width) {
    var ctx = this.ctx;
    ctx.beginPath();
    ctx.moveTo(cx, cy - r); ctx.lineTo(cx + r, cy); ctx.lineTo(cx, cy + r); ctx.lineTo(cx - r, cy); ctx.closePath();
    ctx.fillStyle = fill;
    ctx.fill();
    if (stroke) { ctx.lineWidth = width || 1; ctx.strokeStyle = stroke; ctx.stroke(); }
  };

  Gantt.prototype.drawItem = function (it, y0, sl) {
    var ctx = this.ctx, self = this;
    if (it.kind === "group") {
      return;
    }
    if (this.portfolio) {
      var box = this.barBox(it, y0);
      if (it.start !== null && it.finish !== null) {
        var px0 = this.x(it.start) - sl, px1 = Math.max(px0 + 2, this.x(it.finish) - sl);
        if (it.scheduled) {
          ctx.fillStyle = C.scheduled;
          ctx.fillRect(px0, box.y, px1 - px0, box.h);
        } else {
          ctx.fillStyle = C.planned;
          ctx.fillRect(px0, box.y, px1 - px0, box.h);
          ctx.save();
          ctx.setLineDash([4, 3]);
          ctx.strokeStyle = C.scheduled;
          ctx.strokeRect(px0 + 0.5, box.y + 0.5, px1 - px0 - 1, box.h - 1);
          ctx.restore();
        }
        it.milestones.forEach(function (m) {
          var cx = self.x(m[0]) - sl;
          self.diamond(cx, box.mid, 6, m[2] ? C.critical : C.milestone, m[2] ? C.criticalEdge : "#fff", m[2] ? 2 : 1);
        });
        this.label(it.code + (it.scheduled ? "" : " (planned)"), px1 + 8, box.mid);
      }
      return;
    }
    if (it.start === null || it.finish === null) { return; }
    var b = this.barBox(it, y0);
    var x0 = this.x(it.start) - sl, x1 = this.x(it.finish) - sl;
    // Baseline under the bar
    if (it.bstart !== null && it.bstart !== undefined && it.bfinish !== null && it.bfinish !== undefined) {
      var bx0 = this.x(it.bstart) - sl, bx1 = this.x(it.bfinish) - sl;
      if (it.milestone || it.bfinish === it.bstart) {
        this.diamond(bx0, y0 + 22, 4, C.baseline, C.baselineEdge);
      } else {
        ctx.fillStyle = C.baseline;
        ctx.fillRect(bx0, y0 + 19, Math.max(2, bx1 - bx0), 5);
      }
    }
    if (it.summary) {
      var sw = Math.max(2, x1 - x0);
      ctx.fillStyle = C.summary;
      ctx.fillRect(x0, b.y, sw, b.h);
      ctx.beginPath();
      ctx.moveTo(x0, b.y); ctx.lineTo(x0 + 5, b.y); ctx.lineTo(x0, b.y + b.h + 5); ctx.closePath();
      ctx.moveTo(x0 + sw, b.y); ctx.lineTo(x0 + sw - 5, b.y); ctx.lineTo(x0 + sw, b.y + b.h + 5); ctx.closePath();
      ctx.fill();
      this.label(it.name, x0 + sw + 8, b.mid, true);
      return;
    }
    if (it.milestone) {
      this.diamond(x0, b.mid, 7, it.critical ? C.critical : C.milestone, it.critical ? C.criticalEdge : null, 2);
      this.label(it.name + "  " + fmtDay(it.finish), x0 + 12, b.mid);
      return;
    }
    var width = Math.max(2, x1 - x0);
    // A split task: its stretches of work as bars, the pauses between them as a dotted line.
    var parts = it.stretches && it.stretches.length > 1 ? it.stretches.map(function (p) {
      var px0 = self.x(p[0]) - sl;
      return [px0, Math.max(2, self.x(p[1]) - sl - px0)];
    }) : [[x0, width]];
    if (parts.length > 1) {
      ctx.save();
      ctx.setLineDash([2, 3]);
      ctx.strokeStyle = it.critical ? C.criticalEdge : C.taskEdge;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(parts[0][0], Math.round(b.mid) + 0.5);
      ctx.lineTo(parts[parts.length - 1][0], Math.round(b.mid) + 0.5);
      ctx.stroke();
      ctx.restore();
    }
    var total = parts.reduce(function (sum, p) { return sum + p[1]; }, 0);
    var progress = total * it.percent / 100;
    parts.forEach(function (p) {
      ctx.fillStyle = it.critical ? C.critical : C.task;
      ctx.fillRect(p[0], b.y, p[1], b.h);
      if (it.critical) {
        ctx.fillStyle = self.hatch;
        ctx.save();
        ctx.translate(-sl % 8, 0);
        ctx.fillRect(p[0] + sl % 8, b.y, p[1], b.h);
        ctx.restore();
      }
      ctx.strokeStyle = it.critical ? C.criticalEdge : C.taskEdge;
      ctx.lineWidth = 1;
      ctx.strokeRect(Math.round(p[0]) + 0.5, b.y + 0.5, Math.max(1, Math.round(p[1]) - 1), b.h - 1);
      if (progress > 0) {
        ctx.fillStyle = C.progress;
        ctx.fillRect(p[0], b.mid - 2, Math.min(p[1], progress), 4);
        progress -= p[1];
      }
    });
    this.label(it.name, x0 + width + 6, b.mid);
  };

  Gantt.prototype.label = function (text, x, y, bold) {
    if (x > this.cw) { return; }
    var ctx = this.ctx;
    ctx.font = bold ? FONT_BOLD : FONT;
    ctx.fillStyle = C.text;
    ctx.textBaseline = "middle";
    ctx.textAlign = "left";
    ctx.fillText(text, x, y);
  };

  // The end of a task's bar a link leaves from or goes to (milestones: the diamond's tip).
  Gantt.prototype.edgeX = function (it, finishSide) {
    if (it.milestone) { return this.x(it.start) + (finishSide ? 7 : -7); }
    return this.x(finishSide ? it.finish : it.start);
  };

  Gantt.prototype.drawLinks = function (first, last, sl, st) {
    var ctx = this.ctx, gap = 7, self = this;
    ctx.save();
    ctx.lineWidth = 1.25;
    this.links.forEach(function (l) {
      var pr = self.rowOf[l.p], sr = self.rowOf[l.s];
      if (pr < 0 || sr < 0 || Math.max(pr, sr) < first || Math.min(pr, sr) > last) { return; }
      var P = self.items[l.p], S = self.items[l.s];
      if (P.start === null || S.start === null) { return; }
      var fromFinish = l.type.charAt(0) === "F", toStart = l.type.charAt(1) === "S";
      var sx = self.edgeX(P, fromFinish) - sl, tx = self.edgeX(S, !toStart) - sl;
      var sy = self.barBox(P, pr * ROW - st).mid, ty = self.barBox(S, sr * ROW - st).mid;
      var sdir = fromFinish ? 1 : -1, tdir = toStart ? -1 : 1;
      var x1 = sx + sdir * gap, ax = tx + tdir * gap;
      var pts;
      if (tdir === -1 ? x1 <= ax : x1 >= ax) {
        pts = [[sx, sy], [x1, sy], [x1, ty], [tx, ty]];
      } else {
        var my = ty > sy ? sr * ROW - st : sr * ROW - st + ROW;
        pts = [[sx, sy], [x1, sy], [x1, my], [ax, my], [ax, ty], [tx, ty]];
      }
      var critical = P.critical && S.critical;
      ctx.strokeStyle = ctx.fillStyle = critical ? C.criticalLink : C.link;
      ctx.beginPath();
      ctx.moveTo(Math.round(pts[0][0]) + 0.5, Math.round(pts[0][1]) + 0.5);
      for (var k = 1; k < pts.length; k++) { ctx.lineTo(Math.round(pts[k][0]) + 0.5, Math.round(pts[k][1]) + 0.5); }
      ctx.stroke();
      var dir = -tdir;
      ctx.beginPath();
      ctx.moveTo(tx, ty); ctx.lineTo(tx - dir * 6, ty - 4); ctx.lineTo(tx - dir * 6, ty + 4); ctx.closePath();
      ctx.fill();
    });
    ctx.restore();
  };

  Gantt.prototype.drawGhost = function (sl, st) {
    var d = this.drag, it = this.items[d.index], pos = this.rowOf[d.index];
    if (pos < 0) { return; }
    var b = this.barBox(it, pos * ROW - st), ctx = this.ctx;
    var x0 = this.x(d.day * DAY) - sl, x1 = x0 + (this.x(it.finish) - this.x(it.start));
    ctx.save();
    ctx.fillStyle = C.ghost;
    ctx.setLineDash([3, 2]);
    ctx.strokeStyle = C.taskEdge;
    if (it.milestone) {
      this.diamond(x0, b.mid, 7, C.ghost, C.taskEdge);
    } else {
      ctx.fillRect(x0, b.y - 2, Math.max(2, x1 - x0), b.h + 4);
      ctx.strokeRect(x0 + 0.5, b.y - 1.5, Math.max(2, x1 - x0) - 1, b.h + 3);
    }
    ctx.restore();
  };

  Gantt.prototype.drawScale = function (t0, t1, sl) {
    var ctx = this.sctx, w = this.cw, dpr = this.dpr, self = this, mid = HEAD / 2;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = "#f8f9fa";
    ctx.fillRect(0, 0, w, HEAD);
    ctx.fillStyle = C.lineStrong;
    ctx.fillRect(0, mid, w, 1);
    ctx.fillRect(0, HEAD - 1, w, 1);
    ctx.font = FONT;
    ctx.textBaseline = "middle";
    var high = this.ticks("high", t0 - 400 * DAY, t1);
    high.forEach(function (tick, k) {
      var x = Math.round(self.x(tick.t) - sl);
      var next = k + 1 < high.length ? self.x(high[k + 1].t) - sl : w;
      ctx.fillStyle = C.lineStrong;
      ctx.fillRect(x, 0, 1, mid);
      // The label of a period cut by the left edge stays readable at the edge.
      var lx = Math.max(x + 5, 5);
      ctx.fillStyle = C.text;
      ctx.textAlign = "left";
      if (lx + ctx.measureText(tick.label).width < next - 3 || next >= w) { ctx.fillText(tick.label, lx, mid / 2 + 1); }
    });
    var low = this.ticks("low", t0 - 31 * DAY, t1 + 31 * DAY);
    ctx.textAlign = "center";
    ctx.font = FONT_SMALL;
    low.forEach(function (tick, k) {
      var x = self.x(tick.t) - sl;
      var next = k + 1 < low.length ? self.x(low[k + 1].t) - sl : x + 80;
      ctx.fillStyle = C.lineStrong;
      ctx.fillRect(Math.round(x), mid, 1, mid);
      if (next - x >= ctx.measureText(tick.label).width + 2) {
        ctx.fillStyle = self.nonworking[Math.floor(tick.t / DAY)] && self.zoom === "day" ? C.muted : C.text;
        ctx.fillText(tick.label, (x + next) / 2, mid + mid / 2 + 1);
      }
    });
    this.flag(this.doc.today, "Today", C.today, sl);
    this.flag(this.doc.status_date, "Status date", C.status, sl);
  };

  Gantt.prototype.flag = function (min, text, color, sl) {
    if (min === null || min === undefined) { return; }
    var ctx = this.sctx, x = Math.round(this.x(min) - sl);
    if (x < -60 || x > this.cw + 2) { return; }
    ctx.font = FONT_BOLD;
    var width = ctx.measureText(text).width + 8;
    ctx.fillStyle = color;
    ctx.fillRect(x, HEAD - 16, width, 15);
    ctx.fillRect(x, HEAD - 16, 2, 16);
    ctx.fillStyle = "#fff";
    ctx.textAlign = "left";
    ctx.fillText(text, x + 4, HEAD - 8);
  };

  // --- interaction ---------------------------------------------------------------------------------

  Gantt.prototype.bind = function () {
    var self = this;
    this.gbody.addEventListener("scroll", function () {
      if (self.scroller.scrollTop !== self.gbody.scrollTop) { self.scroller.scrollTop = self.gbody.scrollTop; }
      self.ghead.scrollLeft = self.gbody.scrollLeft;
      self.refresh(false);
    }, { passive: true });
    this.scroller.addEventListener("scroll", function () {
      if (self.gbody.scrollTop !== self.scroller.scrollTop) { self.gbody.scrollTop = self.scroller.scrollTop; }
      self.hideTip();
      self.refresh(false);
    }, { passive: true });
    if (window.ResizeObserver) {
      new ResizeObserver(function () { self.layout(); self.refresh(true); }).observe(this.view);
    } else {
      window.addEventListener("resize", function () { self.layout(); self.refresh(true); });
    }

    // Grid: select, expand/collapse, edit the duration in place
    this.gspace.addEventListener("click", function (e) {
      var row = e.target.closest(".keel-gantt-row");
      if (!row) { return; }
      if (e.target.closest(".keel-gantt-toggle")) { self.toggle(row.dataset.key); return; }
      if (e.target.closest("a") || e.target.closest("input")) { return; }
      self.select(row.dataset.key, false);
    });
    this.gspace.addEventListener("dblclick", function (e) {
      var row = e.target.closest(".keel-gantt-row");
      if (!row || e.target.closest("input")) { return; }
      if (e.target.closest('[data-edit="duration"]')) { self.startEdit(row.dataset.key); return; }
      self.open(row.dataset.key);
    });
    this.gspace.addEventListener("keydown", function (e) { self.onKey(e); });

    // Chart: hover tips, click to select, drag a bar to move its start
    this.scroller.addEventListener("pointermove", function (e) { self.onMove(e); });
    this.scroller.addEventListener("pointerleave", function () { if (!self.drag) { self.hideTip(); } });
    this.scroller.addEventListener("pointerdown", function (e) { self.onDown(e); });
    this.scroller.addEventListener("pointerup", function (e) { self.onUp(e); });
    this.scroller.addEventListener("pointercancel", function () { self.drag = null; self.refresh(false); });
    this.scroller.addEventListener("dblclick", function (e) {
      var hit = self.hit(e);
      if (hit && !self.portfolio) { self.open(hit.item.key); }
    });

    // The splitter between grid and chart
    this.split.addEventListener("pointerdown", function (e) {
      e.preventDefault();
      var startX = e.clientX, startW = self.grid.offsetWidth;
      self.split.setPointerCapture(e.pointerId);
      function move(ev) { self.setGridWidth(startW + ev.clientX - startX); }
      function up() {
        self.split.removeEventListener("pointermove", move);
        self.split.removeEventListener("pointerup", up);
      }
      self.split.addEventListener("pointermove", move);
      self.split.addEventListener("pointerup", up);
    });
    this.split.addEventListener("keydown", function (e) {
      if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
        e.preventDefault();
        self.setGridWidth(self.grid.offsetWidth + (e.key === "ArrowLeft" ? -24 : 24));
      }
    });
  };

  Gantt.prototype.setGridWidth = function (px) {
    var max = this.root.clientWidth - 160;
    this.grid.style.width = Math.max(120, Math.min(max, px)) + "px";
    this.grid.style.flexBasis = this.grid.style.width;
  };

  Gantt.prototype.hit = function (e) {
    var rect = this.scroller.getBoundingClientRect();
    var x = e.clientX - rect.left + this.scroller.scrollLeft, y = e.clientY - rect.top + this.scroller.scrollTop;
    if (e.clientX - rect.left > this.cw || e.clientY - rect.top > this.ch) { return null; }
    var pos = Math.floor(y / ROW);
    if (pos < 0 || pos >= this.visible.length) { return null; }
    var it = this.items[this.visible[pos]], onBar = false;
    if (it.start !== null && it.start !== undefined && it.finish !== null) {
      var x0 = this.x(it.start), x1 = this.x(it.finish);
      if (it.milestone) { x0 -= 8; x1 = x0 + 16; }
      var b = this.barBox(it, pos * ROW);
      onBar = x >= x0 - 3 && x <= Math.max(x1, x0 + 2) + 3 && y >= b.y - 4 && y <= b.y + b.h + 4;
    }
    return { item: it, pos: pos, x: x, onBar: onBar };
  };

  Gantt.prototype.onMove = function (e) {
    if (this.drag) {
      var dx = e.clientX - this.drag.clientX;
      if (!this.drag.moved && Math.abs(dx) < 4) { return; }
      this.drag.moved = true;
      var it = this.items[this.drag.index];
      this.drag.day = Math.floor((it.start + dx / this.ppm()) / DAY);
      this.showTip(e, "<strong>Start no earlier than</strong><br>" + fmtDay(this.drag.day * DAY) +
        '<br><span class="text-body-secondary">Release to reschedule</span>');
      this.refresh(false);
      return;
    }
    var hit = this.hit(e);
    var draggable = hit && hit.onBar && this.doc.editable && !this.portfolio && !hit.item.summary;
    this.scroller.style.cursor = draggable ? "ew-resize" : hit && hit.onBar ? "pointer" : "";
    if (hit && hit.onBar && hit.item.kind !== "group") { this.showTip(e, this.tipHtml(hit.item)); } else { this.hideTip(); }
  };

  Gantt.prototype.onDown = function (e) {
    if (e.button !== 0) { return; }
    var hit = this.hit(e);
    if (!hit) { return; }
    if (this.portfolio) { return; }
    if (hit.onBar && this.doc.editable && !hit.item.summary && e.pointerType === "mouse") {
      this.drag = { index: hit.item.i, clientX: e.clientX, moved: false, day: null };
      this.scroller.setPointerCapture(e.pointerId);
    }
  };

  Gantt.prototype.onUp = function (e) {
    var drag = this.drag;
    this.drag = null;
    if (drag && drag.moved) {
      this.hideTip();
      var it = this.items[drag.index];
      if (Math.floor(it.start / DAY) !== drag.day) {
        this.post(this.url("start", it.id), { start: isoDay(drag.day * DAY), version: it.version }, null);
      }
      this.refresh(false);
      return;
    }
    var hit = this.hit(e);
    if (!hit) { return; }
    if (this.portfolio) {
      if (hit.item.kind === "project" && hit.onBar) { window.location.href = hit.item.url; }
      if (hit.item.kind === "project") { this.select(hit.item.key, false); }
      return;
    }
    this.select(hit.item.key, false);
  };

  Gantt.prototype.tipHtml = function (it) {
    if (this.portfolio) {
      var ms = it.milestones.slice(0, 6).map(function (m) {
        return "<li>" + esc(m[1]) + " — " + fmtDay(m[0]) + (m[2] ? " (critical)" : "") + "</li>";
      }).join("");
      return "<strong>" + esc(it.code) + "</strong> " + esc(it.name) + "<br>" +
        (it.scheduled ? "Scheduled " : "Planned ") + fmtDay(it.start) + " – " + fmtFinish(it.start, it.finish) +
        (ms ? '<ul class="mb-0 ps-3">' + ms + "</ul>" : "") +
        (it.milestones.length > 6 ? "<div>and " + (it.milestones.length - 6) + " more milestones</div>" : "") +
        '<div class="text-body-secondary">Click to open its schedule</div>';
    }
    var html = "<strong>" + esc(it.outline + " " + it.name) + "</strong>" +
      (it.critical && !it.summary ? ' <span class="keel-gantt-crit">C</span> critical' : "") +
      "<br>" + fmtWhen(it.start) + " → " + fmtWhen(it.finish) +
      "<br>Duration " + esc(it.duration) + " · total float " + esc(it.float) + " · " + it.percent + "% done";
    if (it.bstart !== null && it.bstart !== undefined) {
      html += "<br>Baseline " + fmtDay(it.bstart) + " → " + fmtFinish(it.bstart, it.bfinish) +
        " (finish " + esc(signed(it.fvar) || "0d") + ")";
    }
    if (it.stretches && it.stretches.length > 1) {
      html += "<br>Split: " + it.stretches.map(function (p) {
        return fmtDay(p[0]) + " – " + fmtFinish(p[0], p[1]);
      }).join(", ");
    }
    if (it.constraint) { html += "<br>" + esc(it.constraint); }
    if (it.violations) { html += '<br><span class="text-danger">' + esc(it.violations) + "</span>"; }
    if (this.doc.editable && !it.summary) { html += '<div class="text-body-secondary">Drag to move its start</div>'; }
    return html;
  };

  Gantt.prototype.showTip = function (e, html) {
    var rect = this.view.getBoundingClientRect();
    this.tip.innerHTML = html;
    this.tip.hidden = false;
    var x = e.clientX - rect.left + 14, y = e.clientY - rect.top + 16;
    var tw = this.tip.offsetWidth, th = this.tip.offsetHeight;
    if (x + tw > rect.width) { x = Math.max(0, e.clientX - rect.left - tw - 10); }
    if (y + th > rect.height) { y = Math.max(0, e.clientY - rect.top - th - 10); }
    this.tip.style.transform = "translate(" + x + "px," + y + "px)";
  };

  Gantt.prototype.hideTip = function () { this.tip.hidden = true; };

  Gantt.prototype.select = function (key, scroll) {
    this.selected = key;
    var pos = -1, self = this;
    this.visible.forEach(function (i, p) { if (self.items[i].key === key) { pos = p; } });
    if (scroll && pos >= 0) {
      var top = pos * ROW, view = this.gbody.clientHeight;
      if (top < this.gbody.scrollTop) { this.gbody.scrollTop = top; }
      else if (top + ROW > this.gbody.scrollTop + view) { this.gbody.scrollTop = top + ROW - view; }
    }
    this.syncSelection();
    this.refresh(false);
    this.root.dispatchEvent(new CustomEvent("gantt:select", { detail: { key: key } }));
  };

  // Mark the selected row in place (replacing rows would end a double-click or an edit), and keep one
  // row in the tab order.
  Gantt.prototype.syncSelection = function () {
    var rows = this.gspace.children, reachable = false;
    for (var k = 0; k < rows.length; k++) {
      var on = rows[k].dataset.key === this.selected;
      rows[k].classList.toggle("is-selected", on);
      rows[k].setAttribute("aria-selected", String(on));
      rows[k].tabIndex = on ? 0 : -1;
      reachable = reachable || on;
    }
    if (!reachable && rows.length) { rows[0].tabIndex = 0; }
  };

  Gantt.prototype.toggle = function (key) {
    this.collapsed[key] = !this.collapsed[key];
    this.computeVisible();
    this.layout();
    this.refresh(true);
  };

  Gantt.prototype.onKey = function (e) {
    if (e.target.tagName === "INPUT") { return; }
    var pos = -1, self = this;
    this.visible.forEach(function (i, p) { if (self.items[i].key === self.selected) { pos = p; } });
    if (pos < 0) { pos = Math.max(0, this.window[0]); }
    var it = this.items[this.visible[pos]];
    var page = Math.max(1, Math.floor(this.gbody.clientHeight / ROW) - 1);
    var move = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity }[e.key];
    if (move !== undefined) {
      e.preventDefault();
      var next = Math.max(0, Math.min(this.visible.length - 1, pos + move));
      this.select(this.items[this.visible[next]].key, true);
      this.focusSelected();
    } else if ((e.key === "ArrowRight" || e.key === "ArrowLeft") && it && it.summary) {
      e.preventDefault();
      if ((e.key === "ArrowLeft") !== !!this.collapsed[it.key]) { this.toggle(it.key); this.focusSelected(); }
    } else if (e.key === "Enter" && it) {
      e.preventDefault();
      if (this.portfolio) { if (it.url) { window.location.href = it.url; } } else { this.open(it.key); }
    } else if (e.key === "F2" && it && this.doc.editable && !it.summary) {
      e.preventDefault();
      this.startEdit(it.key);
    } else if ((e.key === "ArrowRight" || e.key === "ArrowLeft") && e.altKey && e.shiftKey && it && this.doc.editable) {
      // As MS Project: Alt+Shift+Right indents, Alt+Shift+Left outdents.
      e.preventDefault();
      this.indent(it.key, e.key === "ArrowLeft");
    }
  };

  Gantt.prototype.focusSelected = function () {
    var self = this;
    window.requestAnimationFrame(function () {
      window.requestAnimationFrame(function () {
        var row = self.selected && self.rowElement(self.selected);
        if (row) { row.focus({ preventScroll: true }); }
      });
    });
  };

  Gantt.prototype.byKey = function (key) {
    for (var i = 0; i < this.items.length; i++) { if (this.items[i].key === key) { return this.items[i]; } }
    return null;
  };

  Gantt.prototype.scrollToTime = function (min) {
    this.scroller.scrollLeft = Math.max(0, this.x(min) - this.cw / 3);
  };

  Gantt.prototype.setZoom = function (zoom) {
    if (!PX_PER_DAY[zoom] || zoom === this.zoom) { return; }
    var centre = this.timeAt(this.scroller.scrollLeft + this.cw / 2);
    this.zoom = zoom;
    this.root.dataset.zoom = zoom;
    this.layout();
    this.scroller.scrollLeft = Math.max(0, this.x(centre) - this.cw / 2);
    this.refresh(true);
  };

  // --- editing -------------------------------------------------------------------------------------

  Gantt.prototype.url = function (name, id) {
    var url = this.doc.urls[name].replace("{id}", id);
    return this.baseline !== "" ? url + "?baseline=" + encodeURIComponent(this.baseline) : url;
  };

  Gantt.prototype.startEdit = function (key) {
    var it = this.byKey(key);
    if (!it || it.summary || !this.doc.editable) { return; }
    this.select(key, true);
    var self = this;
    var begin = function () {
      var row = self.rowElement(key);
      var cell = row && row.querySelector('[data-edit="duration"]');
      if (!cell) { return false; }
      self.editing = { key: key, cell: cell };
      cell.innerHTML = '<form class="keel-gantt-edit" novalidate><label class="visually-hidden" for="gantt-edit-duration">Duration of ' +
        esc(it.name) + '</label><input id="gantt-edit-duration" name="duration" class="form-control form-control-sm" value="' +
        esc(it.duration) + '" autocomplete="off" aria-describedby="gantt-edit-error"></form>';
      var input = cell.querySelector("input");
      input.focus();
      input.select();
      cell.querySelector("form").addEventListener("submit", function (e) {
        e.preventDefault();
        self.post(self.url("duration", it.id), { duration: input.value, version: it.version }, cell.querySelector("form"));
      });
      input.addEventListener("keydown", function (e) {
        if (e.key === "Escape") { e.preventDefault(); self.cancelEdit(); self.focusSelected(); }
      });
      return true;
    };
    // The row may first have to scroll into the grid.
    if (!begin()) { window.requestAnimationFrame(function () { window.requestAnimationFrame(begin); }); }
  };

  // Indent (or outdent) a task one level; the selection stays on it.
  Gantt.prototype.indent = function (key, outdent) {
    var it = this.byKey(key), self = this;
    if (!it || this.portfolio || !this.doc.editable) { return Promise.resolve(false); }
    return this.post(this.url(outdent ? "outdent" : "indent", it.id), { version: it.version }, null).then(function (ok) {
      if (ok) { self.select(key, true); self.focusSelected(); }
      return ok;
    });
  };

  Gantt.prototype.cancelEdit = function () {
    this.window = [-1, -1];
    this.renderRows();
  };

  Gantt.prototype.csrf = function () {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  // Post an edit; the answer brings the recomputed chart, or errors to show beside the fields.
  Gantt.prototype.post = function (url, fields, form) {
    var self = this, body = new FormData();
    Object.keys(fields).forEach(function (k) { body.append(k, fields[k]); });
    clearErrors(form);
    this.root.classList.add("is-busy");
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": this.csrf() }
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; },
        function () { return { status: response.status, data: null }; });
    }).then(function (answer) {
      self.root.classList.remove("is-busy");
      var data = answer.data || {};
      if (answer.status === 200 && data.gantt) {
        self.editing = null;
        self.load(data.gantt, false);
        self.say(data.message, "success");
        self.root.dispatchEvent(new CustomEvent("gantt:changed", { detail: data }));
        return true;
      }
      if (data.gantt) {
        // A conflict: show what is stored now, and keep the person's typing to apply again.
        var kind = form && form.dataset.panel;
        self.load(data.gantt, false);
        self.root.dispatchEvent(new CustomEvent("gantt:changed", { detail: data }));
        if (kind) {
          form = document.querySelector('form[data-panel="' + kind + '"]');
          restore(form, fields);
        }
        self.say(allErrors(data.errors), "warning");
      }
      if (data.errors) {
        if (form && document.body.contains(form)) { showErrors(form, data.errors, self); }
        else if (!data.gantt) { self.say(allErrors(data.errors), "danger"); }
        return false;
      }
      self.say(answer.status === 403 ? "You may view this schedule but not change it." :
        "The change could not be saved (the server answered " + answer.status + "). Nothing was changed.", "danger");
      return false;
    }).catch(function () {
      self.root.classList.remove("is-busy");
      self.say("The change could not be sent: check your connection and try again.", "danger");
      return false;
    });
  };

  Gantt.prototype.say = function (text, kind) {
    var box = document.getElementById("gantt-messages");
    if (!box || !text) { return; }
    box.innerHTML = '<div class="alert alert-' + kind + ' alert-dismissible fade show py-2" role="' +
      (kind === "success" ? "status" : "alert") + '">' + esc(text) +
      '<button type="button" class="btn-close" data-bs-dismiss="alert" aria-label="Close"></button></div>';
  };

  function allErrors(errors) {
    var out = [];
    Object.keys(errors || {}).forEach(function (k) { out = out.concat(errors[k]); });
    return out.join(" ");
  }

  function restore(form, fields) {
    if (!form) { return; }
    Object.keys(fields).forEach(function (name) {
      var field = form.querySelector('[name="' + name + '"]');
      if (field && field.type !== "hidden") { field.value = fields[name]; }
    });
  }

  function clearErrors(form) {
    if (!form) { return; }
    form.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); el.removeAttribute("aria-invalid"); });
    form.querySelectorAll(".keel-gantt-error").forEach(function (el) { el.remove(); });
    var outside = document.querySelector(".keel-gantt-edit-error");
    if (outside) { outside.remove(); }
  }

  function showErrors(form, errors, gantt) {
    var inline = !!form.closest(".keel-gantt-row");
    Object.keys(errors).forEach(function (name) {
      var field = form.querySelector('[name="' + name + '"]');
      var messages = errors[name].map(function (m) { return "<div>" + esc(m) + "</div>"; }).join("");
      if (inline) {
        // The grid cell is too small: the message sits in the chart area's top, tied to the input.
        var input = form.querySelector("input");
        input.classList.add("is-invalid");
        input.setAttribute("aria-invalid", "true");
        var box = document.createElement("div");
        box.className = "keel-gantt-edit-error alert alert-danger py-1 px-2 small";
        box.id = "gantt-edit-error";
        box.setAttribute("role", "alert");
        box.innerHTML = '<i class="bi bi-exclamation-circle" aria-hidden="true"></i> ' + messages;
        var rect = form.getBoundingClientRect(), root = gantt.root.getBoundingClientRect();
        box.style.left = rect.left - root.left + "px";
        box.style.top = rect.bottom - root.top + 2 + "px";
        gantt.root.appendChild(box);
        input.focus();
        return;
      }
      var div = document.createElement("div");
      div.className = "keel-gantt-error invalid-feedback d-block";
      div.setAttribute("role", "alert");
      div.innerHTML = messages;
      if (field && name !== "__all__" && field.type !== "hidden") {
        field.classList.add("is-invalid");
        field.setAttribute("aria-invalid", "true");
        div.id = (field.id || name) + "-error";
        field.setAttribute("aria-describedby", div.id);
        field.insertAdjacentElement("afterend", div);
      } else {
        div.className = "keel-gantt-error alert alert-danger py-1 px-2 small mb-2";
        form.insertAdjacentElement("afterbegin", div);
      }
    });
    var bad = form.querySelector(".is-invalid");
    if (bad) { bad.focus(); }
  }

  // --- the task panel (details, duration, start, links) ----------------------------------------------

  Gantt.prototype.open = function (key) {
    var it = this.byKey(key);
    var panel = document.getElementById("gantt-panel");
    if (!it || !panel || this.portfolio) { return; }
    this.select(key, true);
    this.panelKey = key;
    this.renderPanel();
    if (window.bootstrap) { window.bootstrap.Offcanvas.getOrCreateInstance(panel).show(); } else { panel.classList.add("show"); }
  };

  Gantt.prototype.renderPanel = function () {
    var it = this.byKey(this.panelKey);
    var body = document.getElementById("gantt-panel-body");
    var title = document.getElementById("gantt-panel-title");
    if (!body) { return; }
    if (!it) { body.innerHTML = '<p class="text-body-secondary">This task is no longer in the schedule.</p>'; return; }
    var self = this, editable = this.doc.editable;
    title.textContent = (it.outline ? it.outline + " " : "") + it.name;
    var rows = [
      ["Start", fmtWhen(it.start)], ["Finish", fmtWhen(it.finish)], ["Duration", it.duration],
      ["Total float", it.float], ["% complete", it.percent + "%"],
      ["Critical", it.summary ? "—" : it.critical ? "Yes: no float, it drives the project finish" : "No"]
    ];
    if (it.constraint) { rows.push(["Constraint", it.constraint]); }
    if (it.bstart !== null && it.bstart !== undefined) {
      rows.push(["Baseline", fmtDay(it.bstart) + " → " + fmtFinish(it.bstart, it.bfinish)]);
      rows.push(["Variance", "start " + (signed(it.svar) || "0d") + ", finish " + (signed(it.fvar) || "0d")]);
    }
    if (it.delay) { rows.push(["Leveling delay", it.delay]); }
    if (it.violations) { rows.push(["Flagged", it.violations]); }
    var html = '<dl class="row small mb-3">' + rows.map(function (r) {
      return '<dt class="col-5">' + esc(r[0]) + '</dt><dd class="col-7 mb-1">' + esc(r[1]) + "</dd>";
    }).join("") + "</dl>";
    var comments = document.getElementById("gantt-panel").dataset.commentsUrl;
    if (comments) {
      html += '<p class="mb-3"><a class="btn btn-sm btn-outline-secondary" data-panel-comments href="' +
        esc(comments.replace("/0/", "/" + it.id + "/")) + '"><i class="bi bi-chat-left-text" aria-hidden="true"></i> Comments on this task</a></p>';
    }
    if (editable) {
      var dated = it.ctype !== "ASAP" && it.ctype !== "ALAP";
      html += '<form class="mb-3 border rounded p-2" data-panel="details" novalidate><h3 class="h6">Details</h3>' +
        '<label class="form-label small mb-1" for="panel-name">Name</label>' +
        '<input class="form-control form-control-sm mb-2" id="panel-name" name="name" maxlength="255" autocomplete="off" value="' + esc(it.name) + '">' +
        (it.summary ? "" : '<label class="form-label small mb-1" for="panel-percent">% complete</label>' +
          '<input class="form-control form-control-sm mb-2" type="number" min="0" max="100" step="1" id="panel-percent" name="percent_complete" value="' + it.percent + '">') +
        '<div class="row g-2"><div class="col-7"><label class="form-label small mb-1" for="panel-constraint">Constraint</label>' +
        '<select class="form-select form-select-sm" id="panel-constraint" name="constraint_type">' +
        CONSTRAINTS.map(function (c) { return '<option value="' + c[0] + '"' + (c[0] === it.ctype ? " selected" : "") + ">" + c[1] + "</option>"; }).join("") +
        '</select></div><div class="col-5"><label class="form-label small mb-1" for="panel-constraint-date">Constraint date</label>' +
        '<input class="form-control form-control-sm" type="date" id="panel-constraint-date" name="constraint_date" value="' + esc(dated ? it.cday || "" : "") + '"></div></div>' +
        (it.summary ? "" : '<label class="form-label small mb-1 mt-2" for="panel-delay">Leveling delay</label>' +
          '<input class="form-control form-control-sm" id="panel-delay" name="leveling_delay" placeholder="0d" autocomplete="off" value="' + esc(it.delay || "") +
          '" aria-describedby="panel-delay-help"><div class="form-text" id="panel-delay-help">Working time leveling holds the task after its links allow.</div>') +
        '<button class="btn btn-sm btn-primary mt-2" type="submit">Save details</button></form>' +
        '<div class="d-flex gap-2 mb-3" role="group" aria-label="Outline level">' +
        '<button type="button" class="btn btn-sm btn-outline-secondary" data-panel="outdent"' + (it.level > 1 ? "" : " disabled") + '><i class="bi bi-text-indent-right" aria-hidden="true"></i> Outdent</button>' +
        '<button type="button" class="btn btn-sm btn-outline-secondary" data-panel="indent"><i class="bi bi-text-indent-left" aria-hidden="true"></i> Indent</button></div>';
    }
    if (editable && !it.summary) {
      html += '<form class="mb-3" data-panel="duration" novalidate>' +
        '<label class="form-label small mb-1" for="panel-duration">Duration</label>' +
        '<div class="input-group input-group-sm"><input class="form-control" id="panel-duration" name="duration" value="' +
        esc(it.duration) + '" autocomplete="off" aria-describedby="panel-duration-help">' +
        '<button class="btn btn-primary" type="submit">Save duration</button></div>' +
        '<div class="form-text" id="panel-duration-help">5d, 2w, 3h, 30m, 1mo, or 2ed for elapsed days.</div></form>' +
        '<form class="mb-3" data-panel="start" novalidate>' +
        '<label class="form-label small mb-1" for="panel-start">Start no earlier than</label>' +
        '<div class="input-group input-group-sm"><input class="form-control" type="date" id="panel-start" name="start" value="' +
        (it.start !== null ? isoDay(it.start) : "") + '">' +
        '<button class="btn btn-outline-primary" type="submit">Set start</button></div>' +
        '<div class="form-text">What dragging the bar does: links can still push it later.</div></form>';
    }
    html += this.linkList("Predecessors", it.preds, true, editable);
    if (editable) {
      var options = this.items.filter(function (o) { return o.key !== it.key; }).map(function (o) {
        return '<option value="' + o.id + '">' + esc((o.outline ? o.outline + " " : "") + o.name) + "</option>";
      }).join("");
      html += '<form class="mb-3 border rounded p-2" data-panel="link" novalidate><h3 class="h6">Add a predecessor</h3>' +
        '<label class="form-label small mb-1" for="panel-predecessor">Predecessor</label>' +
        '<select class="form-select form-select-sm mb-2" id="panel-predecessor" name="predecessor"><option value="">Choose a task</option>' +
        options + "</select>" +
        '<div class="row g-2"><div class="col-6"><label class="form-label small mb-1" for="panel-type">Type</label>' +
        '<select class="form-select form-select-sm" id="panel-type" name="type">' +
        Object.keys(LINK_NAMES).map(function (k) { return '<option value="' + k + '">' + k + " — " + LINK_NAMES[k] + "</option>"; }).join("") +
        '</select></div><div class="col-6"><label class="form-label small mb-1" for="panel-lag">Lag</label>' +
        '<input class="form-control form-control-sm" id="panel-lag" name="lag" placeholder="0d" autocomplete="off" aria-describedby="panel-lag-help"></div></div>' +
        '<div class="form-text" id="panel-lag-help">2d waits two days, -1d overlaps one, 50% half the predecessor.</div>' +
        '<button class="btn btn-sm btn-primary mt-2" type="submit">Add link</button></form>';
    }
    html += this.linkList("Successors", it.succs, false, editable);
    if (editable) {
      html += '<button type="button" class="btn btn-sm btn-outline-danger" data-panel="delete"><i class="bi bi-trash" aria-hidden="true"></i> Delete task' +
        (it.summary ? " and its subtasks" : "") + "</button>";
    }
    body.innerHTML = html;
    body.querySelectorAll("form[data-panel]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var kind = form.dataset.panel, current = self.byKey(self.panelKey);
        if (!current) { return; }
        var val = function (name) { return form.querySelector('[name="' + name + '"]').value; };
        if (kind === "details") {
          var fields = { name: val("name"), constraint_type: val("constraint_type"), constraint_date: val("constraint_date"), version: current.version };
          if (!current.summary) { fields.percent_complete = val("percent_complete"); fields.leveling_delay = val("leveling_delay"); }
          self.post(self.url("edit", current.id), fields, form);
        } else if (kind === "duration") {
          self.post(self.url("duration", current.id), { duration: val("duration"), version: current.version }, form);
        } else if (kind === "start") {
          self.post(self.url("start", current.id), { start: val("start"), version: current.version }, form);
        } else {
          self.post(self.url("link_create"), {
            predecessor: val("predecessor"), successor: current.id, type: val("type"), lag: val("lag")
          }, form);
        }
      });
    });
    body.querySelectorAll("[data-link]").forEach(function (button) {
      button.addEventListener("click", function () {
        var link = self.links[Number(button.dataset.link)];
        self.post(self.url("link_delete", link.id), { version: link.version }, null);
      });
    });
    body.querySelectorAll('[data-panel="indent"], [data-panel="outdent"]').forEach(function (button) {
      button.addEventListener("click", function () {
        var key = self.panelKey;
        self.post(self.url(button.dataset.panel, self.byKey(key).id), { version: self.byKey(key).version }, null).then(function (ok) {
          if (ok) { self.select(key, true); }
        });
      });
    });
    var del = body.querySelector('[data-panel="delete"]');
    if (del) {
      del.addEventListener("click", function () {
        var current = self.byKey(self.panelKey);
        if (!current || !window.confirm("Delete ‘" + current.name + "’" + (current.summary ? " and its subtasks" : "") +
          " and its links?")) { return; }
        self.post(self.url("task_delete", current.id), { version: current.version }, null).then(function (ok) {
          if (ok && window.bootstrap) { window.bootstrap.Offcanvas.getOrCreateInstance(document.getElementById("gantt-panel")).hide(); }
        });
      });
    }
  };

  Gantt.prototype.linkList = function (heading, links, incoming, editable) {
    var self = this;
    var items = links.map(function (l) {
      var other = self.items[incoming ? l.p : l.s];
      return '<li class="d-flex justify-content-between align-items-center gap-2 py-1 border-bottom">' +
        "<span>" + esc((other.outline ? other.outline + " " : "") + other.name) +
        ' <span class="badge text-bg-light border" title="' + LINK_NAMES[l.type] + '">' + l.type + esc(l.lag) + "</span></span>" +
        (editable ? '<button type="button" class="btn btn-sm btn-link text-danger p-0" data-link="' + l.n +
          '" aria-label="Remove the link ' + (incoming ? "from " : "to ") + esc(other.name) + '">Remove</button>' : "") +
        "</li>";
    }).join("");
    return '<h3 class="h6 mt-2">' + heading + "</h3>" +
      (items ? '<ul class="list-unstyled small mb-3">' + items + "</ul>" : '<p class="small text-body-secondary">None.</p>');
  };

  // --- page wiring ---------------------------------------------------------------------------------

  // The page's summary follows the recomputed schedule.
  function counts(gantt) {
    var set = function (id, value) { var el = document.getElementById(id); if (el) { el.textContent = value; } };
    set("gantt-start", fmtWhen(gantt.doc.start));
    set("gantt-finish", fmtWhen(gantt.doc.finish));
    set("gantt-task-count", gantt.items.length);
    set("gantt-critical-count", gantt.items.filter(function (it) { return it.critical && !it.summary; }).length);
  }

  // Page controls (zoom, today, baseline, add task, add link) act on the page's current chart; they
  // are bound once, as htmx may swap the chart for a filtered one.
  function wire(root, gantt) {
    var page = root.closest("[data-gantt-page]") || document.body;
    page.keelGantt = gantt;
    root.addEventListener("gantt:changed", function (e) {
      counts(gantt);
      var panel = document.getElementById("gantt-panel");
      if (gantt.panelKey && panel && panel.classList.contains("show")) { gantt.renderPanel(); }
    });
    var where = page.querySelector("[data-gantt-where]");
    root.addEventListener("gantt:select", function (e) {
      var it = gantt.byKey(e.detail.key);
      if (where) {
        where.textContent = it ? (it.summary ? "as the first subtask of ‘" + it.name + "’" : "below ‘" + it.name + "’") : "at the end";
      }
    });
    if (page.dataset.ganttWired) { return; }
    page.dataset.ganttWired = "1";
    var current = function () { return page.keelGantt; };
    page.querySelectorAll("[data-gantt-zoom]").forEach(function (button) {
      button.addEventListener("click", function (e) {
        e.preventDefault();
        var chart = current();
        chart.setZoom(button.dataset.ganttZoom);
        page.querySelectorAll("[data-gantt-zoom]").forEach(function (b) {
          var on = b.dataset.ganttZoom === chart.zoom;
          b.classList.toggle("active", on);
          b.setAttribute("aria-pressed", String(on));
        });
        var url = new URL(window.location.href);
        url.searchParams.set("zoom", chart.zoom);
        window.history.replaceState(window.history.state, "", url);
        page.querySelectorAll("input[name=zoom]").forEach(function (input) { input.value = chart.zoom; });
      });
    });
    page.querySelectorAll("[data-gantt-today]").forEach(function (button) {
      button.addEventListener("click", function () { current().scrollToTime(current().doc.today); });
    });
    page.querySelectorAll("select[data-gantt-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    var addTask = document.getElementById("gantt-add-task");
    if (addTask && page.contains(addTask)) {
      addTask.addEventListener("submit", function (e) {
        var chart = current();
        if (page.querySelector("[data-gantt-empty]")) { return; }  // the first task: a plain post and reload
        e.preventDefault();
        var it = chart.selected ? chart.byKey(chart.selected) : null;
        chart.post(chart.url("task_create"), {
          name: addTask.querySelector("[name=name]").value,
          duration: addTask.querySelector("[name=duration]").value,
          after: it ? it.id : ""
        }, addTask).then(function (ok) { if (ok) { addTask.querySelector("[name=name]").value = ""; } });
      });
    }
    page.querySelectorAll("[data-gantt-link]").forEach(function (button) {
      button.addEventListener("click", function (e) {
        var chart = current();
        if (!chart.items.length) { return; }
        e.preventDefault();
        chart.open(chart.selected || chart.items[0].key);
        var select = document.getElementById("panel-predecessor");
        if (select) { window.setTimeout(function () { select.focus(); }, 350); }
      });
    });
  }

  function init(scope) {
    scope.querySelectorAll("[data-gantt]").forEach(function (root) {
      if (root.keelGantt) { return; }
      var source = document.getElementById(root.dataset.gantt);
      if (!source) { return; }
      var gantt = new Gantt(root, JSON.parse(source.textContent));
      wire(root, gantt);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (e) { init(e.target); });
  window.KeelGantt = Gantt;
})();
