// A tiny SPARQL 1.1 Protocol server over an in-memory Oxigraph store, for
// the SPARQL store's tests: a second SPARQL implementation beside
// Virtuoso, so that the store is held to portable SPARQL.
//
//   node server.js PORT     # listens on 127.0.0.1:PORT, /sparql
//
// POST /sparql with a form body: query= (SELECT, ASK) answers
// application/sparql-results+json; update= runs a SPARQL Update.
"use strict";
const http = require("http");
const oxigraph = require("oxigraph");

const store = new oxigraph.Store();
const port = Number(process.argv[2] || 0);

function term(t) {
  switch (t.termType) {
    case "NamedNode":
      return { type: "uri", value: t.value };
    case "BlankNode":
      return { type: "bnode", value: t.value };
    default: {
      const o = { type: "literal", value: t.value };
      if (t.language) o["xml:lang"] = t.language;
      else if (t.datatype && t.datatype.value !== "http://www.w3.org/2001/XMLSchema#string")
        o.datatype = t.datatype.value;
      return o;
    }
  }
}

function answer(res, status, body, type) {
  res.writeHead(status, { "Content-Type": type || "text/plain; charset=utf-8" });
  res.end(body);
}

http
  .createServer((req, res) => {
    if (req.method !== "POST" || !req.url.startsWith("/sparql")) {
      return answer(res, 404, "POST /sparql\n");
    }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      try {
        if (form.has("update")) {
          store.update(form.get("update"));
          return answer(res, 200, "");
        }
        const q = form.get("query");
        if (q === null) return answer(res, 400, "no query or update\n");
        const r = store.query(q);
        let out;
        if (typeof r === "boolean") {
          out = { head: {}, boolean: r };
        } else {
          const vars = new Set();
          const bindings = r.map((m) => {
            const b = {};
            for (const [k, v] of m) {
              vars.add(k);
              if (v) b[k] = term(v);
            }
            return b;
          });
          out = { head: { vars: [...vars] }, results: { bindings } };
        }
        answer(res, 200, JSON.stringify(out), "application/sparql-results+json");
      } catch (e) {
        answer(res, 400, String(e && e.message ? e.message : e) + "\n");
      }
    });
  })
  .listen(port, "127.0.0.1", function () {
    console.log("listening " + this.address().port);
  });
