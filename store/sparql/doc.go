/*
Package sparql keeps the provider's resources in a SPARQL 1.1 store
(Virtuoso 7 and Oxigraph are tested), over the SPARQL 1.1 Protocol, so
that several provider instances can share one store.

# Layout

Every resource is a named graph: the resource's IRI, or Options.GraphPrefix
and the IRI. Besides the resource's triples its graph holds, in the
namespace urn:x-pmstore: that no vocabulary uses:

  - (r, etag, "…") and (r, body, "…"): the ETag, and the triples as
    written, which Get returns term for term (stores canonicalise what they
    parse). Literals are stored under a datatype of the store's that
    carries their own (lit:…, lang:…), so none is rewritten or refused.
  - (r, iri, "r"): the resource's IRI as a string, by which queries list,
    count and order the members of a query base without turning IRIs
    into strings.
  - for each triple (s, p, o) whose object is a literal: (s, key:p,
    query.ValueKey(o)), the value key by which pushed-down queries match
    and sort literals of every kind as strings; and for a number or a
    dateTime (s, num:p, double) or (s, time:p, unix microseconds), by
    which ranges of numbers and dateTimes are compared from the store's
    indexes (Source.Answer, Source.Range). An IRI or a blank node (stored
    as an IRI, b:…) is its own key: queries match and sort the triple
    itself.
  - for each string literal of a text predicate (Options.TextPredicates):
    (s, text, t:hash) and (t:hash, tok:TOKEN, frequency), the search tokens
    as the query engine cuts them (query.TextTokens).

The graph urn:x-pmstore:layout holds the layout version (2). Open marks an
empty store with it, refuses a newer one, and upgrades a store of version
1 (value keys of every object, no iri triple) in place: it adds the iri
triples, a few thousand resources per SPARQL Update request, then the
version; it is idempotent and resumes after a crash. Stop the providers
of version 1 first. The value keys of IRIs that version 1 kept stay until
the resource is next written; no query reads them.

A record of the fixture data (22 triples on average, 15 of them of an
IRI) so takes 48 stored triples in its graph (62 in version 1; measured
on 5,000 records), and 5 more per change-log event until TrimChanges
drops it: plan for two and a half times the triples of the data, and one
graph per resource. The graph
urn:x-pmstore:changes holds the change log and urn:x-pmstore:counter the
last order taken.

# Writes

Each write is one SPARQL Update request, compare-and-set on the ETag read
before it (see DB.Replace), which also logs its event in the change log
with an order taken from the counter in the same request (changes.go).
Virtuoso serialises such requests, rolling one back on a deadlock, which
the client sends again; a store that let two requests take one order would
have the later writer move its event to a new order (fixOrder).

# Queries

Source is the store as the query engine reads it (query.Source), and
answers whole OSLC queries itself (query.Answerer): one SPARQL SELECT per
page, conditions as patterns over the triples of IRIs and the value keys
of literals, ranges of numbers and dateTimes over their companions,
scopes as joins, != as FILTER NOT EXISTS, sort keys as MIN or MAX of the
keys along their paths, keyset paging by the engine's cursors (one UNION branch per sort
key: Virtuoso 7 loses rows of the equivalent disjunction), the total as
a COUNT in another branch of the same query. A search reads the token
frequencies of every member with a token, the tokens' document
frequencies and the resource count in one query; the engine scores and
pages them, so the ranking is the engine's on every store. Virtuoso's
bif:contains is not used: its tokenizer is not the engine's. Pages larger
than 10,000 members are left to the engine (Virtuoso sorts at most 10,000
rows for a LIMIT); DB.Pushdowns counts what was left.

# Indexes

Queries name the predicate of every pattern and the graph as a variable:
Virtuoso's default indexes (PSOG, POGS, and the GS, SP, OP bitmaps) serve
them. Equality on IRIs reads POGS; ranges of numbers and dateTimes compare
their companions as numbers, which Virtuoso reads from POGS in value
order. Strings are another matter: Virtuoso 7 compares and orders a
string of its dictionary (most of those longer than a few characters)
with a constant by its place in the dictionary, not as a string, so
every string comparison and ORDER BY goes through STR(), which no index
answers. A query base's members are listed by the prefix of their iri
string and sorted by it: a scan of the iri triples of the store, cheaper
than one of IRIs turned into strings, but linear in the resources; so
are a page of every member and its total. At 1,000,000 records Virtuoso
counts every iri triple in 25 ms but takes 2.7 s with the prefix test on
their strings, and walks the number companions of a property in order,
joined to their records, in 0.3 s, while the nested sort by the same
values' keys takes 12.5 s: equality on a member's directory and sorting
by numbers would let those shapes read index ranges (a later layout). On other stores, index
(predicate, object, subject) and (subject, predicate, object) over all
named graphs: GraphDB and Stardog do by default; Jena TDB2 has SPOG,
POSG and OSPG; QLever indexes every permutation; Neptune's default SPOG,
POGS and GPSO serve them, and its OSGP index helps the reverse joins of
scoped terms.
*/
package sparql
