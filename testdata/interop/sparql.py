#!/usr/bin/python3
"""Reference engine for the OSLC query differential tests.

Usage: sparql.py DATA.nt < queries.json > answers.json

queries.json is a JSON list of SPARQL SELECT queries, each selecting ?m;
the answer is a JSON list with, for each query, the sorted list of the
distinct IRIs bound to ?m by rdflib.
"""
import json
import sys

import rdflib


def main():
    g = rdflib.Graph()
    g.parse(sys.argv[1], format="nt")
    out = []
    for q in json.load(sys.stdin):
        rows = g.query(q)
        out.append(sorted({str(r[0]) for r in rows}))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
