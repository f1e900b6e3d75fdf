// The console's pages read without script; this adds to them: live
// updates of the parts marked data-live, hover values and drag zoom on
// the charts, and the viewer's own time zone among the choices.
(function () {
  "use strict";

  // --- live updates ---
  // On a change in the store (/ui/live) or a job notification
  // (/oslc/events), the page is fetched again and its live parts
  // replaced, at most once per refreshGap.
  var refreshGap = 500;
  var live = Array.prototype.slice.call(document.querySelectorAll("[data-live][id]"));
  var busy = false, again = false, last = 0, also = [], done = null;
  // refresh fetches the page again and replaces its live parts; extra
  // parts (ids) are replaced once too, then then is called.
  function refresh(extra, then) {
    if (Array.isArray(extra)) { also = also.concat(extra); }
    if (typeof then === "function") { done = then; }
    if (busy) { again = true; return; }
    var wait = last + refreshGap - Date.now();
    if (wait > 0) { busy = true; setTimeout(function () { busy = false; refresh(); }, wait); return; }
    busy = true;
    last = Date.now();
    fetch(window.location.href, { headers: { Accept: "text/html" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var parts = live.concat(also.map(function (id) { return document.getElementById(id); }).filter(Boolean));
        also = [];
        parts.forEach(function (el) {
          var fresh = doc.getElementById(el.id);
          if (fresh && fresh.innerHTML !== el.innerHTML) {
            el.innerHTML = fresh.innerHTML;
            Array.prototype.forEach.call(fresh.attributes, function (a) { el.setAttribute(a.name, a.value); });
            el.setAttribute("data-updated", String(Date.now()));
            charts(el);
          }
        });
        if (done) { var d = done; done = null; d(); }
      })
      .catch(function () { /* the next event tries again */ })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }
  if (live.length && window.EventSource) {
    var body = document.body;
    [body.getAttribute("data-live-url"), body.getAttribute("data-events-url")].forEach(function (url) {
      if (!url) { return; }
      var es = new EventSource(url);
      es.addEventListener("change", refresh);
      es.onmessage = refresh;
      ["FilesReady", "PreparationError"].forEach(function (t) { es.addEventListener(t, refresh); });
    });
    document.body.setAttribute("data-live-on", "true");
  }

  // --- charts: hover values and drag zoom ---
  var tip = null;
  function tooltip() {
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "tip";
      tip.setAttribute("role", "status");
      tip.hidden = true;
      document.body.appendChild(tip);
    }
    return tip;
  }
  // svgX converts a pointer event to the chart's own x.
  function svgX(svg, ev) {
    var pt = svg.createSVGPoint();
    pt.x = ev.clientX; pt.y = ev.clientY;
    var m = svg.getScreenCTM();
    return m ? pt.matrixTransform(m.inverse()).x : 0;
  }
  // when writes the time ms in the chart's zone, as the axis reads.
  function when(ms, zone) {
    try {
      return new Intl.DateTimeFormat("en-GB", { timeZone: zone || "UTC", year: "numeric", month: "short", day: "numeric",
        hour: "2-digit", minute: "2-digit", timeZoneName: "short" }).format(new Date(ms));
    } catch (e) {
      return new Date(ms).toISOString().replace("T", " ").replace(/:\d\d\.\d+Z$/, " UTC");
    }
  }
  function chart(svg) {
    if (svg.dataset.wired) { return; }
    svg.dataset.wired = "1";
    var t0 = Number(svg.dataset.t0), t1 = Number(svg.dataset.t1);
    var left = Number(svg.dataset.left), right = Number(svg.dataset.right);
    // Each series' points, by x: from its dots, or from the data a series
    // too long for dots carries.
    var series = {};
    Array.prototype.forEach.call(svg.querySelectorAll("circle.pt"), function (c) {
      var k = c.getAttribute("class");
      (series[k] = series[k] || []).push({ x: Number(c.getAttribute("cx")), t: Number(c.dataset.t), v: c.dataset.v });
    });
    Array.prototype.forEach.call(svg.querySelectorAll("g.data[data-t]"), function (g) {
      var ts = g.dataset.t.split(","), vs = g.dataset.v.split("|"), ps = [];
      ts.forEach(function (s, i) {
        var t = t0 + Number(s) * 1000;
        ps.push({ x: left + (right - left) * (t - t0) / (t1 - t0 || 1), t: t, v: g.dataset.label + ": " + vs[i] });
      });
      series[g.getAttribute("class")] = ps;
    });
    Object.keys(series).forEach(function (k) { series[k].sort(function (a, b) { return a.x - b.x; }); });
    // nearest is the point of ps (by x) nearest x.
    function nearest(ps, x) {
      var lo = 0, hi = ps.length - 1;
      while (hi - lo > 1) {
        var mid = (lo + hi) >> 1;
        if (ps[mid].x < x) { lo = mid; } else { hi = mid; }
      }
      return Math.abs(ps[lo].x - x) <= Math.abs(ps[hi].x - x) ? ps[lo] : ps[hi];
    }
    var ns = "http://www.w3.org/2000/svg";
    var cursor = document.createElementNS(ns, "line");
    cursor.setAttribute("class", "cursor");
    cursor.setAttribute("y1", "0"); cursor.setAttribute("y2", svg.viewBox.baseVal.height);
    cursor.style.display = "none";
    var band = document.createElementNS(ns, "rect");
    band.setAttribute("class", "zoom");
    band.setAttribute("y", "0"); band.setAttribute("height", svg.viewBox.baseVal.height);
    band.style.display = "none";
    svg.appendChild(cursor); svg.appendChild(band);
    var timeAt = function (x) { return t0 + (t1 - t0) * (x - left) / (right - left); };
    var down = null;
    svg.addEventListener("pointermove", function (ev) {
      var x = Math.max(left, Math.min(right, svgX(svg, ev)));
      if (down !== null) {
        band.setAttribute("x", Math.min(down, x));
        band.setAttribute("width", Math.abs(x - down));
        band.style.display = "";
      }
      // The values nearest the pointer, one per series.
      var best = {};
      Object.keys(series).forEach(function (k) { if (series[k].length) { best[k] = nearest(series[k], x); } });
      var keys = Object.keys(best);
      var t = tooltip();
      if (!keys.length) { t.hidden = true; cursor.style.display = "none"; return; }
      var first = best[keys[0]];
      cursor.setAttribute("x1", first.x); cursor.setAttribute("x2", first.x);
      cursor.style.display = "";
      t.textContent = "";
      var head = document.createElement("strong");
      head.textContent = when(first.t, svg.dataset.tz);
      t.appendChild(head);
      keys.forEach(function (k) {
        var line = document.createElement("div");
        line.textContent = best[k].v;
        t.appendChild(line);
      });
      t.hidden = false;
      t.style.left = Math.min(ev.pageX + 12, window.scrollX + document.documentElement.clientWidth - 200) + "px";
      t.style.top = (ev.pageY + 12) + "px";
    });
    svg.addEventListener("pointerleave", function () {
      tooltip().hidden = true; cursor.style.display = "none";
    });
    svg.addEventListener("pointerdown", function (ev) {
      down = Math.max(left, Math.min(right, svgX(svg, ev)));
      svg.setPointerCapture(ev.pointerId);
      ev.preventDefault();
    });
    svg.addEventListener("pointerup", function (ev) {
      if (down === null) { return; }
      var x = Math.max(left, Math.min(right, svgX(svg, ev)));
      var a = Math.min(down, x), b = Math.max(down, x);
      down = null;
      band.style.display = "none";
      if (b - a < 4 || !(t1 > t0)) { return; }
      var u = new URL(window.location.href);
      u.searchParams.delete("range");
      u.searchParams.set("from", new Date(timeAt(a)).toISOString().replace(/\.\d+Z$/, "Z"));
      u.searchParams.set("to", new Date(timeAt(b)).toISOString().replace(/\.\d+Z$/, "Z"));
      window.location.assign(u.toString());
    });
  }
  function charts(root) {
    Array.prototype.forEach.call(root.querySelectorAll("svg.chart[data-t0]"), chart);
  }
  charts(document);

  // --- the viewer's time zone ---
  // Offered first; and applied when the page was not given a zone (the
  // page without script reads in UTC or its jobs' zone): the address
  // takes it, and the page's times are fetched again in it.
  var mine = "";
  try { mine = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { mine = ""; }
  function offerZone() {
    var tz = document.getElementById("tz");
    if (tz && mine && !Array.prototype.some.call(tz.options, function (o) { return o.value === mine; })) {
      var o = document.createElement("option");
      o.value = mine;
      o.textContent = mine + " (yours)";
      tz.insertBefore(o, tz.firstChild);
    }
  }
  offerZone();
  var controls = document.getElementById("chart-controls");
  if (controls && mine) {
    var applied = function () { offerZone(); wireRange(); document.body.setAttribute("data-tz", controls.getAttribute("data-tz") || ""); };
    if (!controls.hasAttribute("data-tz-given") && controls.getAttribute("data-tz") !== mine) {
      var u = new URL(window.location.href);
      u.searchParams.set("tz", mine);
      window.history.replaceState(null, "", u.toString());
      last = 0;
      refresh(["chart-controls"], applied);
    } else {
      applied();
    }
  }
  // Picking a time sets the range to custom.
  function wireRange() {
    var range = document.getElementById("range");
    ["from", "to"].forEach(function (id) {
      var f = document.getElementById(id);
      if (f && range) { f.addEventListener("change", function () { range.value = "custom"; }); }
    });
  }
  wireRange();
  document.documentElement.classList.add("js");
})();
