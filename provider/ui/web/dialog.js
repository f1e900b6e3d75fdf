// Delegated dialogs (OSLC Core 3.0 Part 4, and the OSLC 2.0 protocols):
// the selection dialog searches as you type; the creation dialog checks
// the form against the resource shape, posts to the creation factory and
// shows the server's message when it says no. Both answer with
// oslc:results, or empty results on cancel.
(function () {
  "use strict";

  // openerOrigin is the origin of the page that embeds or opened the
  // dialog: results go to it alone, never to "*", so that no other page
  // that gets hold of the window reads them. An iframe knows its
  // ancestors; a window knows who sent it here (kept for the session, in
  // case the dialog navigates within itself).
  var openerOrigin = (function () {
    var o = "";
    if (window.location.ancestorOrigins && window.location.ancestorOrigins.length) {
      o = window.location.ancestorOrigins[0];
    } else if (document.referrer) {
      try { o = new URL(document.referrer).origin; } catch (e) { o = ""; }
    }
    try {
      if (o && o !== window.location.origin) {
        window.sessionStorage.setItem("oslc-opener", o);
      } else {
        o = window.sessionStorage.getItem("oslc-opener") || o;
      }
    } catch (e) { /* storage may be off */ }
    return o || window.location.origin;
  })();

  // respond sends the results by the protocol the client asked for in
  // the fragment: windowName (OSLC 2.0) or postMessage (3.0, the default).
  function respond(results) {
    var json = JSON.stringify({ "oslc:results": results });
    if (window.location.hash === "#oslc-core-windowName-1.0") {
      var ret = window.name;
      window.name = json;
      if (ret) { window.location.href = ret; }
      return;
    }
    var target = window.opener || window.parent;
    if (target && target !== window) {
      target.postMessage("oslc-response:" + json, openerOrigin);
    } else {
      document.body.setAttribute("data-response", json);
    }
  }

  // resize asks the parent for the height the dialog needs.
  function resize() {
    var target = window.opener ? null : window.parent;
    if (target && target !== window) {
      target.postMessage("oslc-resize:" + JSON.stringify({ "oslc:hintHeight": document.documentElement.scrollHeight + "px" }), openerOrigin);
    }
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) { if (attrs[k] !== undefined) { e.setAttribute(k, attrs[k]); } }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  // message finds oslc:message in an oslc:Error as JSON-LD.
  function message(j) {
    var found = "";
    (function walk(o) {
      if (found || !o || typeof o !== "object") { return; }
      for (var k in o) {
        if (/(^|[#:])message$/.test(k)) {
          var v = Array.isArray(o[k]) ? o[k][0] : o[k];
          found = v && typeof v === "object" ? String(v["@value"] || "") : String(v);
          return;
        }
        walk(o[k]);
      }
    })(j);
    return found;
  }

  function cancel() { respond([]); }
  var cancelButton = document.getElementById("cancel");
  if (cancelButton) { cancelButton.addEventListener("click", cancel); }
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { cancel(); } });

  // --- selection ---
  var searchForm = document.getElementById("search-form");
  if (searchForm) {
    var q = document.getElementById("q");
    var list = document.getElementById("results");
    var status = document.getElementById("status");
    var ok = document.getElementById("ok");
    var timer = null, seq = 0;

    var run = function () {
      var mine = ++seq;
      status.textContent = "Searching…";
      fetch(searchForm.dataset.search + "?q=" + encodeURIComponent(q.value), { headers: { Accept: "application/json" } })
        .then(function (r) {
          // Any answer is handled: an error's message, a body that is no
          // JSON, results that are null or missing (no hits).
          return r.text().then(function (t) {
            var data = null;
            try { data = JSON.parse(t); } catch (e) { data = null; }
            if (!r.ok) {
              var m = data && typeof data === "object" ? message(data) : "";
              throw new Error(m || "The search failed (HTTP " + r.status + ").");
            }
            return data;
          });
        })
        .then(function (data) {
          if (mine !== seq) { return; }
          var hits = data && Array.isArray(data.results) ? data.results : [];
          list.textContent = "";
          ok.disabled = true;
          hits.forEach(function (h, i) {
            if (!h || typeof h.uri !== "string") { return; }
            var label = typeof h.label === "string" && h.label ? h.label : h.uri;
            var id = "r" + i;
            var li = el("li");
            var input = el("input", { type: "radio", name: "pick", id: id, value: h.uri, "data-label": label });
            var lab = el("label", { "for": id });
            lab.appendChild(el("span", { "class": "label" }, label));
            if (h.detail) { lab.appendChild(el("small", {}, String(h.detail))); }
            li.appendChild(input);
            li.appendChild(lab);
            li.addEventListener("dblclick", function () { input.checked = true; choose(); });
            list.appendChild(li);
          });
          var n = list.children.length;
          status.textContent = n === 0 ? (q.value ? "Nothing found for “" + q.value + "”. Try fewer or shorter words." : "Nothing to pick yet.") :
            n + (n === 1 ? " result" : " results") + (q.value ? " for “" + q.value + "”" : "") + ".";
          resize();
        })
        .catch(function (err) { if (mine === seq) { list.textContent = ""; ok.disabled = true; status.textContent = err.message; } });
    };
    var choose = function () {
      var picked = list.querySelector("input:checked");
      if (!picked) { return; }
      respond([{ "oslc:label": picked.dataset.label, "rdf:resource": picked.value }]);
    };
    q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 150); });
    searchForm.addEventListener("submit", function (ev) { ev.preventDefault(); clearTimeout(timer); run(); });
    list.addEventListener("change", function () { ok.disabled = !list.querySelector("input:checked"); });
    document.getElementById("pick-form").addEventListener("submit", function (ev) { ev.preventDefault(); choose(); });
    run();
  }

  // --- creation ---
  var form = document.getElementById("create-form");
  if (form) {
    var serverError = document.getElementById("server-error");
    var fields = Array.prototype.slice.call(form.querySelectorAll("[data-pred]"));

    var values = function (f) {
      if (f.tagName === "FIELDSET") {
        return Array.prototype.filter.call(f.querySelectorAll("input[type=checkbox]"), function (c) { return c.checked; }).map(function (c) { return c.value; });
      }
      if (f.tagName === "SELECT") {
        return Array.prototype.filter.call(f.options, function (o) { return o.selected && o.value !== ""; }).map(function (o) { return o.value; });
      }
      var v = f.value.trim();
      if (v === "") { return []; }
      if (f.type === "datetime-local") {
        // The picker reads the browser's wall clock; the job wants an instant.
        var d = new Date(v);
        return isNaN(d.getTime()) ? [v] : [d.toISOString().replace(/\.\d+Z$/, "Z")];
      }
      if (f.dataset.split) {
        return v.split(f.dataset.split).map(function (x) { return x.trim(); }).filter(function (x) { return x !== ""; });
      }
      return [v];
    };
    var labelOf = function (f) {
      var l = f.tagName === "FIELDSET" ? f.querySelector("legend") : form.querySelector("label[for='" + f.id + "']");
      return l ? l.firstChild.textContent.trim() : f.name;
    };
    var seconds = function (sel) {
      var o = sel && sel.options[sel.selectedIndex];
      return o && o.dataset.for ? Number(o.dataset.for) : 0;
    };
    // check validates one field as its shape says: required values,
    // patterns and ranges, and the schedule's own rules. It returns the
    // message, "" when valid.
    var check = function (f) {
      var vs = values(f), msg = "";
      var label = labelOf(f);
      var name = f.dataset.name || f.name;
      if (f.required && vs.length === 0) {
        msg = label + " is required.";
      } else if (vs.length && f.pattern && !new RegExp("^(?:" + f.pattern + ")$").test(f.value.trim())) {
        msg = label + " must look like " + (f.placeholder || f.pattern) + ".";
      } else if (vs.length && f.type === "number" && f.step === "any") {
        var x = Number(vs[0]);
        if (!isFinite(x) || (f.min && x < Number(f.min))) {
          msg = label + " must be a number" + (f.min ? ", " + f.min + " or more." : ".");
        }
      } else if (vs.length && f.type === "number") {
        var n = Number(vs[0]);
        if (!Number.isInteger(n) || (f.min && n < Number(f.min)) || (f.max && n > Number(f.max))) {
          msg = label + " must be a whole number from " + f.min + " to " + f.max + ".";
        }
      } else if (vs.length && name === "reportingPeriod") {
        var g = seconds(form.querySelector("[name=granularity]")), p = seconds(f);
        if (g && p && p % g !== 0) { msg = "The reporting period must be a whole number of granularity periods."; }
      } else if (vs.length && name === "stopTime") {
        var start = form.querySelector("[name=startTime]");
        var sv = start ? values(start) : [];
        if (sv.length && new Date(vs[0]) <= new Date(sv[0])) { msg = "Stop must be after start."; }
        else if (new Date(vs[0]) <= new Date()) { msg = "Stop must be in the future."; }
      }
      var err = document.getElementById("e-" + name);
      if (err) { err.textContent = msg; }
      if (msg) { f.setAttribute("aria-invalid", "true"); } else { f.removeAttribute("aria-invalid"); }
      return msg;
    };
    // The metric picker offers what the chosen collector measures.
    var collector = form.querySelector("select[name=collector]");
    var metricsPick = form.querySelector("select[name=performanceIndicator]");
    var offer = function () {
      if (!collector || !metricsPick) { return; }
      var c = collector.value;
      Array.prototype.forEach.call(metricsPick.options, function (o) {
        var ok = !c || !o.dataset.for || o.dataset.for.split(" ").indexOf(c) >= 0;
        o.hidden = !ok;
        o.disabled = !ok;
        if (!ok) { o.selected = false; }
      });
    };
    if (collector) { collector.addEventListener("change", offer); offer(); }
    fields.forEach(function (f) {
      f.addEventListener("change", function () { check(f); });
      // A field marked wrong is checked again as it is corrected.
      f.addEventListener("input", function () { if (f.getAttribute("aria-invalid")) { check(f); } });
    });

    // body is the resource as JSON-LD, named <> (the factory resolves it).
    var body = function () {
      var node = { "@id": "", "@type": form.dataset.types ? [form.dataset.types] : [] };
      fields.forEach(function (f) {
        var vs = values(f);
        if (vs.length === 0) { return; }
        if (f.dataset.pred === "http://www.w3.org/1999/02/22-rdf-syntax-ns#type") {
          node["@type"] = node["@type"].concat(vs);
          return;
        }
        node[f.dataset.pred] = vs.map(function (v) {
          if ((f.tagName === "SELECT" || f.tagName === "FIELDSET") && !f.dataset.datatype) { return { "@id": v }; }
          return f.dataset.datatype ? { "@value": v, "@type": f.dataset.datatype } : { "@value": v };
        });
      });
      return JSON.stringify(node);
    };
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      serverError.hidden = true;
      var bad = fields.filter(function (f) { return check(f) !== ""; });
      if (bad.length) { bad[0].focus(); resize(); return; }
      var ok = document.getElementById("ok");
      ok.disabled = true;
      var titleField = form.querySelector("[name=title]");
      var title = titleField ? titleField.value.trim() : "";
      fetch(form.dataset.factory, {
        method: "POST",
        headers: { "Content-Type": "application/ld+json", Accept: "application/ld+json" },
        body: body()
      }).then(function (r) {
        if (r.status === 201) {
          respond([{ "oslc:label": title, "rdf:resource": r.headers.get("Location") }]);
          return;
        }
        return r.text().then(function (t) {
          var msg = "";
          try { msg = message(JSON.parse(t)); } catch (e) { msg = ""; }
          throw new Error(msg || "The provider refused the resource (HTTP " + r.status + ").");
        });
      }).catch(function (err) {
        serverError.textContent = err.message;
        serverError.hidden = false;
        serverError.focus();
        resize();
      }).then(function () { ok.disabled = false; });
    });
    resize();
  }

  // --- previews ---
  if (document.body.classList.contains("embedded") && !searchForm && !form) {
    window.addEventListener("load", resize);
  }
})();
