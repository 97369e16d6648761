/* Sleep-study viewer (issue #15): the whole night as SVG, and the signals around a moment.
 *
 * Read-only, like the review screen of a scoring program. Everything is drawn here
 * from JSON (views/viewer.py), as SVG with presentation attributes and CSS classes:
 * the CSP allows no inline script or style. The overview JSON holds the hypnogram,
 * the event rows and min/max envelopes (one pair per pixel column); a window holds
 * the raw samples of that window only. Paging: the arrow keys or the buttons move
 * one 30-second epoch; the next window is fetched ahead so paging feels instant.
 */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var root = document.getElementById("psgv");
  if (!root) return;
  var lang = document.documentElement.lang || "nl";
  var fmt1 = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  var ov = null;            // overview JSON
  var win = { start: null, len: 30 };
  var cache = {};           // "start|len" -> window JSON (a few, for paging)
  var t0 = performance.now();

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function txt(parent, x, y, s, cls, anchor) {
    var t = el("text", { x: x, y: y, "class": cls || "psgv-lbl", "text-anchor": anchor || "start" }, parent);
    t.textContent = s;
    return t;
  }
  function title(parent, s) { el("title", {}, parent).textContent = s; }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(sec, withSec) {
    // The recording's own clock (naive EDF time), not the browser's time zone.
    var base = 0;
    if (ov && ov.start) {
      var m = /T(\d\d):(\d\d):(\d\d)/.exec(ov.start);
      if (m) base = (+m[1]) * 3600 + (+m[2]) * 60 + (+m[3]);
    }
    var s = Math.floor(base + sec) % 86400;
    var out = pad(Math.floor(s / 3600)) + ":" + pad(Math.floor(s / 60) % 60);
    return withSec ? out + ":" + pad(s % 60) : out;
  }
  function kindLabel(kind, type) {
    var s = (ov.kinds[kind] || kind.replace(/_/g, " "));
    if (type) s += ", " + (ov.types[type] || type);
    return s;
  }

  // ---------------------------------------------------------------- overview
  var STAGE_Y = { W: 0, R: 1, N1: 2, N2: 3, N3: 4 };
  var STAGE_ROWS = ["W", "R", "N1", "N2", "N3"];

  function drawOverview() {
    var box = document.getElementById("psgv-overview");
    var W = Math.max(300, box.clientWidth || 320);
    var narrow = W < 560;
    // On a phone the row names go on a line of their own above each row, so the
    // plot keeps nearly the whole width; on a desktop they stand in the margin.
    var L = narrow ? 36 : 180, R = 8, plotW = W - L - R;
    var dur = ov.duration_s || 1;
    function rowLabel(yTop, h, s) {
      if (narrow) { txt(svg, L, yTop + 10, s, "psgv-lbl psgv-small"); return 12; }
      txt(svg, L - 6, yTop + h / 2 + 4, s, "psgv-lbl psgv-small", "end");
      return 0;
    }
    var x = function (t) { return L + (t / dur) * plotW; };
    var y = 6;
    var svg = el("svg", { width: W, viewBox: "0 0 " + W + " 10", "class": "psgv-svg", role: "img",
                          "aria-label": ov.text.hypnogram });
    // Diary episodes: a marker above the hypnogram.
    if (ov.episodes.length) {
      y += rowLabel(y, 14, ov.text.diary);
      ov.episodes.forEach(function (e) {
        var cx = x(e.onset_s);
        var g = el("g", { "class": "psgv-ep" }, svg);
        el("path", { d: "M" + (cx - 6) + " " + (y + 2) + "h12l-6 10z" }, g);
        title(g, e.clock + " · " + e.label + (e.stage ? " (" + (ov.text[e.stage] || e.stage) + ")" : ""));
      });
      y += 18;
    }
    // Hypnogram: stage levels, REM drawn thick.
    var rowH = narrow ? 16 : 18, hypTop = y;
    STAGE_ROWS.forEach(function (s, i) {
      var yy = hypTop + i * rowH + rowH / 2;
      el("line", { x1: L, x2: L + plotW, y1: yy, y2: yy, "class": "psgv-grid" }, svg);
      txt(svg, L - 6, yy + 4, narrow && s === "W" ? "W" : (ov.text[s] || s), "psgv-lbl", "end");
    });
    var ep = ov.epoch_s, st = ov.stages, d = "", rem = "";
    for (var i = 0; i < st.length; i++) {
      var lvl = STAGE_Y[st[i]];
      if (lvl === undefined) continue;
      var yy = hypTop + lvl * rowH + rowH / 2, xa = x(i * ep), xb = x((i + 1) * ep);
      d += (d ? "L" : "M") + xa.toFixed(1) + " " + yy + "H" + xb.toFixed(1);
      if (st[i] === "R") rem += "M" + xa.toFixed(1) + " " + yy + "H" + xb.toFixed(1);
    }
    el("path", { d: d, "class": "psgv-hyp" }, svg);
    el("path", { d: rem, "class": "psgv-rem" }, svg);
    y = hypTop + 5 * rowH + 4;
    // Confidence strip of automatic staging: taller grey bar is more certain.
    if (!ov.technician && ov.confidence) {
      var ch = 14, cd = "";
      y += rowLabel(y, ch, ov.text.certainty);
      ov.confidence.forEach(function (c, j) {
        if (c === null) return;
        var h = Math.max(0.5, c * ch);
        cd += "M" + x(j * ep).toFixed(1) + " " + (y + ch).toFixed(1) + "h" + Math.max(0.6, x(ep) - L).toFixed(2) +
              "v" + (-h).toFixed(1) + "h" + (-Math.max(0.6, x(ep) - L)).toFixed(2) + "z";
      });
      var cp = el("path", { d: cd, "class": "psgv-conf" }, svg);
      title(cp, ov.text.confidence);
      y += ch + 6;
    }
    // Event rows.
    ov.rows.forEach(function (row) {
      var h = 16;
      y += rowLabel(y, h, row.label + " (" + row.events.length + ")");
      el("rect", { x: L, y: y, width: plotW, height: h, "class": "psgv-band" }, svg);
      var byKind = {};
      row.events.forEach(function (e) {
        var k = e[2] + "|" + e[3];
        (byKind[k] = byKind[k] || []).push(e);
      });
      Object.keys(byKind).forEach(function (k) {
        var list = byKind[k], p = "";
        list.forEach(function (e) {
          var xa = x(e[0]), w = Math.max(1.5, x(e[0] + e[1]) - xa);
          p += "M" + xa.toFixed(1) + " " + (y + 2) + "h" + w.toFixed(1) + "v" + (h - 4) + "h" + (-w).toFixed(1) + "z";
        });
        var parts = k.split("|");
        var path = el("path", { d: p, "class": "psgv-ev psgv-k-" + parts[0] }, svg);
        title(path, kindLabel(parts[0], parts[1]) + ": " + list.length);
      });
      y += h + 2;
    });
    // Envelopes (min/max per pixel column).
    ov.traces.forEach(function (tr) {
      var h = tr.role === "spo2" ? 54 : 30, lo = Infinity, hi = -Infinity;
      tr.min.forEach(function (v) { if (v !== null && v < lo) lo = v; });
      tr.max.forEach(function (v) { if (v !== null && v > hi) hi = v; });
      if (tr.role === "spo2") { hi = 100; lo = Math.max(50, Math.min(90, Math.floor(percentile(tr.min, 0.005)) - 2)); }
      if (!(hi > lo)) { hi = lo + 1; }
      var n = tr.min.length, p = "";
      for (var i2 = 0; i2 < n; i2++) {
        if (tr.min[i2] === null) continue;
        var xx = L + (i2 + 0.5) / n * plotW;
        var ya = y + h - (Math.max(lo, tr.min[i2]) - lo) / (hi - lo) * h;
        var yb = y + h - (Math.min(hi, tr.max[i2]) - lo) / (hi - lo) * h;
        p += "M" + xx.toFixed(1) + " " + ya.toFixed(1) + "V" + Math.min(ya - 0.6, yb).toFixed(1);
      }
      var shift = rowLabel(y, h, tr.name + (tr.unit ? " (" + tr.unit + ")" : ""));
      y += shift;  // the label took a line: the trace (drawn above) moves under it
      el("rect", { x: L, y: y, width: plotW, height: h, "class": "psgv-band" }, svg);
      el("path", { d: p, "class": "psgv-env psgv-r-" + tr.role, transform: shift ? "translate(0 " + shift + ")" : null }, svg);
      if (tr.role === "spo2") {
        [90].forEach(function (v) {
          if (v < lo || v > hi) return;
          var yy2 = y + h - (v - lo) / (hi - lo) * h;
          el("line", { x1: L, x2: L + plotW, y1: yy2, y2: yy2, "class": "psgv-ref" }, svg);
          txt(svg, L + 2, yy2 - 2, fmt1.format(v) + " %", "psgv-lbl psgv-tiny");
        });
      }
      y += h + 4;
    });
    // Clock axis.
    var step = dur > 4 * 3600 ? 3600 : dur > 3600 ? 1800 : dur > 1800 ? 600 : 300;
    var first = Math.ceil(0 / step) * step;
    for (var t = first; t <= dur; t += step) {
      el("line", { x1: x(t), x2: x(t), y1: hypTop, y2: y, "class": "psgv-tick" }, svg);
      if (narrow && step < 3600 && (t / step) % 2) continue;
      // Near the edges the label is anchored inside, so it is never cut off.
      txt(svg, x(t), y + 12, clock(t), "psgv-lbl psgv-small",
          x(t) > W - R - 20 ? "end" : x(t) < L + 20 ? "start" : "middle");
    }
    y += 18;
    // Where the signal window is.
    var cursor = el("rect", { x: L, y: hypTop, width: 2, height: y - hypTop - 18, "class": "psgv-cursor",
                              visibility: "hidden" }, svg);
    svg.setAttribute("viewBox", "0 0 " + W + " " + y);
    svg.setAttribute("height", y);
    svg.addEventListener("click", function (ev) {
      var r = svg.getBoundingClientRect();
      var px = (ev.clientX - r.left) * (W / r.width);
      if (px < L || !ov.has_file) return;
      var t2 = (px - L) / plotW * dur;
      openAt(t2 - (win.len > 30 ? win.len / 2 : 0));
    });
    // Keyboard: Enter on the night opens the first epoch of sleep (or the current one).
    svg.setAttribute("tabindex", "0");
    svg.addEventListener("keydown", function (ev) {
      if ((ev.key === "Enter" || ev.key === " ") && ov.has_file) {
        var firstSleep = ov.stages.findIndex(function (s2) { return s2 !== "W" && s2 !== "?"; });
        openAt(win.start !== null ? win.start : Math.max(0, firstSleep) * ov.epoch_s);
        document.getElementById("psgv-signals").focus();
        ev.preventDefault();
      }
    });
    box.replaceChildren(svg);
    ov._cursor = function () {
      if (win.start === null) return;
      cursor.setAttribute("visibility", "visible");
      cursor.setAttribute("x", x(win.start).toFixed(1));
      cursor.setAttribute("width", Math.max(2, x(win.start + win.len) - x(win.start)).toFixed(1));
    };
    ov._cursor();
  }

  function percentile(arr, q) {
    var v = arr.filter(function (a) { return a !== null; }).sort(function (a, b) { return a - b; });
    return v.length ? v[Math.min(v.length - 1, Math.floor(q * v.length))] : 0;
  }

  // ---------------------------------------------------------------- signal window
  // Fixed sensitivities as scoring programs use (µV half-range), so the size of a
  // wave means the same from epoch to epoch; other channels scale to the window.
  var RANGE_UV = { eeg: 100, eeg_frontal: 100, eeg_occipital: 100, eog: 150, eog_r: 150,
                   emg_chin: 50, emg_masseter: 100, leg_l: 60, leg_r: 60, arm: 60 };

  function epochOf(t) { return Math.floor(t / ov.epoch_s); }

  function openAt(start) {
    var ep = ov.epoch_s;
    start = Math.max(0, Math.min(Math.floor(start / ep) * ep, Math.max(0, Math.floor((ov.duration_s - 1) / ep) * ep)));
    win.start = start;
    var box = document.getElementById("psgv-window");
    box.hidden = false;
    if (ov._cursor) ov._cursor();
    var key = start + "|" + win.len;
    var pos = document.getElementById("psgv-pos");
    var e = epochOf(start);
    pos.textContent = ov.text.epoch + " " + (e + 1) + " " + ov.text.of + " " + Math.max(1, ov.stages.length) + " · " +
      clock(start, true) + (ov.stages[e] ? " · " + ov.text.stage + " " + (ov.text[ov.stages[e]] || ov.stages[e]) : "");
    var t1 = performance.now();
    fetchWindow(start, win.len).then(function (data) {
      if (win.start !== start) return;  // paged on meanwhile
      drawWindow(data);
      root.setAttribute("data-window-ms", Math.round(performance.now() - t1));
      fetchWindow(start + ep, win.len).catch(function () {});  // ahead, for the next page
    }).catch(function () {
      document.getElementById("psgv-signals").replaceChildren(note(ov.text.failed));
    });
    if (!cache[key]) document.getElementById("psgv-signals").setAttribute("aria-busy", "true");
  }

  function note(s) { var p = document.createElement("p"); p.className = "note"; p.textContent = s; return p; }

  function fetchWindow(start, len) {
    var key = start + "|" + len;
    if (cache[key]) return cache[key];
    var url = root.getAttribute("data-window") + "?start=" + start + "&len=" + len;
    var keys = Object.keys(cache);
    if (keys.length > 8) delete cache[keys[0]];
    cache[key] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
    cache[key].catch(function () { delete cache[key]; });
    return cache[key];
  }

  function drawWindow(data) {
    var box = document.getElementById("psgv-signals");
    box.removeAttribute("aria-busy");
    var W = Math.max(300, box.clientWidth || 320), narrow = W < 560;
    var L = narrow ? 58 : 110, R = 6, plotW = W - L - R;
    var rowH = narrow ? 40 : 52, top = 4;
    var chans = data.channels, n = chans.length;
    var H = top + n * rowH + 22;
    var svg = el("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, "class": "psgv-svg psgv-sig" });
    var a = data.start_s, len = data.len_s;
    var x = function (t) { return L + (t - a) / len * plotW; };
    var rowOf = {};
    chans.forEach(function (c, i) { rowOf[c.name] = i; });
    // Events first, under the traces: on the rows of the channels they came from.
    data.events.forEach(function (e) {
      var rows = (e.channel || "").split("+").map(function (nm) { return rowOf[nm]; })
        .filter(function (r) { return r !== undefined; });
      var xa = Math.max(L, x(e.onset_s)), xb = Math.min(L + plotW, x(e.onset_s + Math.max(e.duration_s, 0.3)));
      if (xb <= xa) xb = xa + 1.5;
      var g = el("g", { "class": "psgv-wev psgv-k-" + e.kind }, svg);
      if (!rows.length) rows = [-1];
      rows.forEach(function (r) {
        el("rect", { x: xa, width: xb - xa, y: r < 0 ? top : top + r * rowH, height: r < 0 ? n * rowH : rowH }, g);
      });
      title(g, clock(e.onset_s, true) + " · " + e.label);
    });
    // Seconds grid: every 5 s in one epoch, every 30 s (an epoch) in longer windows.
    var grid = len <= 30 ? 5 : 30, lastX = -Infinity;
    for (var t = Math.ceil(a / grid) * grid; t <= a + len + 0.01; t += grid) {
      el("line", { x1: x(t), x2: x(t), y1: top, y2: top + n * rowH, "class": "psgv-tick" }, svg);
      if (x(t) - lastX < 60 || x(t) > W - R - 24) continue;  // labels never overlap or get cut off
      txt(svg, x(t), top + n * rowH + 14, clock(t, true), "psgv-lbl psgv-tiny", "middle");
      lastX = x(t);
    }
    chans.forEach(function (c, i) {
      var y0 = top + i * rowH, mid = y0 + rowH / 2;
      var role = (ov.channels[i] && ov.channels[i].name === c.name) ? ov.channels[i].role : roleOf(c.name);
      var lo, hi, half = RANGE_UV[role];
      var vals = c.y || c.min.concat(c.max);
      if (half && c.unit === "µV") { lo = -half; hi = half; }
      else if (role === "spo2") { lo = Math.min(85, Math.floor(percentile(vals, 0.01)) - 1); hi = 100; }
      else { lo = percentile(vals, 0.005); hi = percentile(vals, 0.995); if (!(hi > lo)) { lo -= 1; hi += 1; } }
      var span = hi - lo, sy = function (v) { return y0 + rowH - 3 - (v - lo) / span * (rowH - 6); };
      el("line", { x1: L, x2: L + plotW, y1: y0 + rowH, y2: y0 + rowH, "class": "psgv-grid" }, svg);
      var clipId = "psgv-c" + i;
      var clip = el("clipPath", { id: clipId }, svg);
      el("rect", { x: L, y: y0, width: plotW, height: rowH }, clip);
      var p = "", dt = 1 / c.sf;
      if (c.y && c.y.length <= plotW * 2) {
        var pen = false;
        for (var j = 0; j < c.y.length; j++) {
          var v = c.y[j];
          if (v === null) { pen = false; continue; }
          p += (pen ? "L" : "M") + x(a + j * dt).toFixed(1) + " " + sy(v).toFixed(1);
          pen = true;
        }
      } else if (c.y) {
        // More samples than pixels (a phone): min/max per pixel column keeps every spike.
        var cols = Math.max(1, Math.floor(plotW)), per = c.y.length / cols;
        for (var col = 0; col < cols; col++) {
          var lo2 = Infinity, hi2 = -Infinity;
          for (var j2 = Math.floor(col * per); j2 < Math.floor((col + 1) * per); j2++) {
            var v2 = c.y[j2];
            if (v2 === null) continue;
            if (v2 < lo2) lo2 = v2;
            if (v2 > hi2) hi2 = v2;
          }
          if (lo2 === Infinity) continue;
          var xc = L + (col + 0.5) / cols * plotW, yl = sy(lo2), yh = sy(hi2);
          p += "M" + xc.toFixed(1) + " " + yl.toFixed(1) + "V" + Math.min(yl - 0.6, yh).toFixed(1);
        }
      } else {
        var m = c.min.length;
        for (var q = 0; q < m; q++) {
          if (c.min[q] === null) continue;
          var xx = L + (q + 0.5) / m * plotW, ya = sy(c.min[q]), yb = sy(c.max[q]);
          p += "M" + xx.toFixed(1) + " " + ya.toFixed(1) + "V" + Math.min(ya - 0.6, yb).toFixed(1);
        }
      }
      el("path", { d: p, "class": "psgv-trace psgv-r-" + role, "clip-path": "url(#" + clipId + ")" }, svg);
      txt(svg, 4, mid - 2, c.name, "psgv-lbl psgv-small");
      var scale = half && c.unit === "µV" ? "±" + half + " µV" : fmt1.format(lo) + "–" + fmt1.format(hi) + (c.unit ? " " + c.unit : "");
      txt(svg, 4, mid + 11, scale, "psgv-lbl psgv-tiny");
    });
    // Diary episodes in the window: a dashed line over all rows.
    var eps = ov.episodes.filter(function (e) { return e.onset_s >= a && e.onset_s < a + len; });
    eps.forEach(function (e) {
      var g = el("g", { "class": "psgv-wep" }, svg);
      el("line", { x1: x(e.onset_s), x2: x(e.onset_s), y1: top, y2: top + n * rowH }, g);
      title(g, e.clock + " · " + ov.text.diary + ": " + e.label);
    });
    box.replaceChildren(svg);
    var list = document.getElementById("psgv-events");
    list.replaceChildren();
    eps.forEach(function (e) {
      var li = document.createElement("li");
      li.className = "psgv-li-ep";
      li.textContent = e.clock + " · " + ov.text.diary + ": " + e.label;
      list.appendChild(li);
    });
    if (!data.events.length && !eps.length) {
      var li0 = document.createElement("li"); li0.textContent = ov.text.none_here; list.appendChild(li0);
    }
    data.events.slice(0, 40).forEach(function (e) {
      var li = document.createElement("li");
      li.textContent = clock(e.onset_s, true) + " · " + e.label + " · " + fmt1.format(e.duration_s) + " s" +
        (e.channel ? " · " + e.channel : "");
      list.appendChild(li);
    });
  }

  function roleOf(name) {
    for (var i = 0; i < ov.channels.length; i++) if (ov.channels[i].name === name) return ov.channels[i].role;
    return "";
  }

  function page(dir) {
    if (win.start === null) return;
    openAt(win.start + dir * ov.epoch_s);
  }

  document.getElementById("psgv-prev").addEventListener("click", function () { page(-1); });
  document.getElementById("psgv-next").addEventListener("click", function () { page(1); });
  document.getElementById("psgv-close").addEventListener("click", function () {
    document.getElementById("psgv-window").hidden = true; win.start = null;
  });
  document.getElementById("psgv-len").addEventListener("change", function (ev) {
    win.len = +ev.target.value || 30;
    if (win.start !== null) openAt(win.start);
  });
  document.addEventListener("keydown", function (ev) {
    if (win.start === null || document.getElementById("psgv-window").hidden) return;
    var tag = (ev.target && ev.target.tagName) || "";
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
    if (ev.key === "ArrowRight") { page(1); ev.preventDefault(); }
    else if (ev.key === "ArrowLeft") { page(-1); ev.preventDefault(); }
  });

  fetch(root.getAttribute("data-overview"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (data) {
      ov = data;
      var d0 = performance.now();
      drawOverview();
      root.setAttribute("data-draw-ms", Math.round(performance.now() - d0));
      if (!ov.has_file) document.getElementById("psgv-overview").appendChild(note(ov.text.no_signal));
      // Fetch + draw, and time since the page was requested (for the browser test).
      root.setAttribute("data-overview-ms", Math.round(performance.now() - t0));
      root.setAttribute("data-overview-at", Math.round(performance.now()));
      root.setAttribute("data-ready", "1");
      var last = 0;
      window.addEventListener("resize", function () {
        var w = document.getElementById("psgv-overview").clientWidth;
        if (Math.abs(w - last) > 20) { last = w; drawOverview(); }
      });
    })
    .catch(function () {
      document.getElementById("psgv-overview").replaceChildren(note(root.getAttribute("data-failed")));
    });
})();
