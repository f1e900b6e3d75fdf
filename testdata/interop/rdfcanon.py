#!/usr/bin/python3
"""Canonical N-Triples of RDF documents, parsed by rdflib.

Used by github.com/oslc-pm/pmprovider/codec/codectest to compare
our output with what parsers we did not write make of it.

    rdfcanon.py FORMAT [BASE] < document
        Print the canonical form of one document.
    rdfcanon.py --batch < jobs.json
        jobs.json is a JSON array of {"data": str, "format": str, "base": str};
        print a JSON array of {"nt": str} or {"error": str}, in order. A job
        with "to": FORMAT is instead serialized by rdflib in that format,
        giving {"data": str}.

FORMAT is an rdflib parser name (xml, turtle, nt, json-ld) or a media type.

The canonical form is the graph with blank nodes relabelled by
rdflib.compare.to_canonical_graph, serialized as N-Triples, one triple a
line, lines sorted. Lexical forms are kept as written (literal
normalization is off), "x"^^xsd:string is written "x" (RDF 1.1: the same
term), and language tags are lowercased (RDF 1.1: case-insensitive; JSON-LD
processors lowercase them).
"""

import json
import sys

import rdflib
from rdflib import Graph, Literal
from rdflib.compare import to_canonical_graph
from rdflib.namespace import XSD

rdflib.NORMALIZE_LITERALS = False

FORMATS = {
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
}


def parser_name(fmt):
    fmt = fmt.split(";")[0].strip().lower()
    return FORMATS.get(fmt, fmt)


def normalize(term):
    if isinstance(term, Literal):
        if term.language:
            return Literal(str(term), lang=term.language.lower())
        if term.datatype == XSD.string:
            return Literal(str(term))
    return term


def parse(data, fmt, base):
    g = Graph()
    g.parse(data=data, format=parser_name(fmt), publicID=base or None)
    return g


def convert(data, fmt, base, to):
    out = parse(data, fmt, base).serialize(format=parser_name(to))
    if isinstance(out, bytes):
        out = out.decode("utf-8")
    return out


def canonical(data, fmt, base):
    g = parse(data, fmt, base)
    n = Graph()
    for s, p, o in g:
        n.add((s, p, normalize(o)))
    c = to_canonical_graph(n)
    out = c.serialize(format="nt")
    if isinstance(out, bytes):
        out = out.decode("utf-8")
    lines = sorted(line for line in out.splitlines() if line.strip())
    return "".join(line + "\n" for line in lines)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--batch":
        jobs = json.load(sys.stdin)
        results = []
        for job in jobs:
            try:
                if job.get("to"):
                    results.append({"data": convert(job["data"], job["format"], job.get("base", ""), job["to"])})
                    continue
                results.append({"nt": canonical(job["data"], job["format"], job.get("base", ""))})
            except Exception as e:  # report per document, keep going
                results.append({"error": "%s: %s" % (type(e).__name__, e)})
        json.dump(results, sys.stdout)
        return 0
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    base = sys.argv[2] if len(sys.argv) > 2 else ""
    sys.stdout.write(canonical(sys.stdin.read(), sys.argv[1], base))
    return 0


if __name__ == "__main__":
    sys.exit(main())
