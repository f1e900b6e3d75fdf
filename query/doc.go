/*
Package query is the engine of the OSLC query language (OSLC Query 3.0):
it answers the parsed query parameters from a store of triples, through
one contract (source.go) that any store can implement.

# Parsing

Package parser (query/parser) reads the parameters into syntax trees:
parser.ParseWhere, ParseSelect, ParseOrderBy, ParseSearchTerms and
ParsePrefixes, with the grammar and the errors. A Query holds the trees;
Run compiles and answers them. Errors of a parameter are *Error (the
parser's type) in the classes ErrSyntax, ErrUnknownPrefix, ErrUnsupported
and ErrTooComplex (the parser's values), and ErrCursor for a bad page
cursor. A tree built without the parser is held to what the parser
checks of each term: scopes at most parser.MaxDepth deep (ErrTooComplex)
and typed literals whose lexical form is one of their XSD datatype
(ErrSyntax: "x"^^xsd:dateTime is the client's error, not a value the
engine cannot order).

# Cost and cancellation

Compiling and planning cost in proportion to the terms of a query, at
every depth: the pairs a source indexes together (Accelerator.Pairs) are
matched with their conditions in one pass, keys in order with the first
range left on a paired property. The parser bounds what a client may
ask (parser.MaxTerms, MaxDepth, MaxProperties, MaxSortKeys,
MaxSearchTerms, MaxSearchWords); a tree built as a value is bounded by
its maker. A Run stops with the context's error once ctx is done: the
source is given ctx, and the engine itself looks at it before each probe
and each candidate it checks, so that a run whose client went away ends
within a few reads even on a source that does not.

# Sources

The engine reads a store through Source, declared here: the triples of
its resources (Match), a property's numbers and dateTimes in value order
(Range), the resources in IRI order (Resources, Exists) and one
resource whole (Get, for callers that read inside the same view). Run
needs nothing else: that is the naive path, and it answers every query.

A store may also be an Accelerator, which Run asserts once: Features
names the parts it serves, and the planner uses just those (see
"Planner"): resource counts (Stats), the resource stating each triple
(MatchQuads), counts and intersections of index reads by the store's own
ids (Count, Intersect, with pair indexes: Pairs), sets of resources by
id (ResourceSet, PageUnder, RangeIn), a full-text index (Text,
TextPrefix) and searches by id (TextHits, PageHits). Every type in these
signatures is declared here; sets and hits are opaque handles of the
store, and the options of the planner-shaped calls travel as structs
(Pattern, Join, PageOptions, RangeInOptions). An accelerated run must find
what the naive one finds: the tests run both over the bbolt store and
compare, and run random queries on the bbolt store and on a small
in-memory Source written from the contract alone (memsource_test.go),
which must agree page for page.

Package query/boltsource adapts the bbolt store (package store) to both,
and is the only package under query that imports it. Values compare as
literal.NumberValue and literal.DateTimeValue read them, and text is cut
as literal.Tokens cuts it (package codec/literal); the store's indexes
read and cut by the same package, so an index range lists just the
values a check accepts and search terms match the text index.

PrefixSearch is search as you type over the same text: the resources with
words starting with each token, from the text index when there is one.

# Push-down

A store with a query language of its own may answer whole queries: an
Answerer, which Run asks first with the query compiled (Pushdown), every
value reduced to a value key (ValueKey) that orders and matches as the
engine compares values. It gives the members of a page in the total
order, or with search terms every hit's term frequencies, and the total;
Run keeps the cursor, the scores and the selection, so pages and cursors
are the same on every store. What the Answerer leaves (ErrNotPushed) Run
answers itself. A SubjectReader also reads a page's selected triples
level by level of oslc.select rather than node by node. The SPARQL store
(store/sparql) is both, and TestContractAgrees compares its pages with
the bbolt store's.

# Semantics of oslc.where

A conjunction holds for a member when each of its terms does. Properties
may have several values:

  - p=v holds when some value of p equals v; p in [v1,...] when some value
    equals one of them; p!=v when no value of p equals v (so members
    without p match: != is the complement of =).
  - p<v, p<=v, p>v, p>=v hold when some value of p is on that side of v.
    Such comparisons of one property in one conjunction constrain the same
    value: p>=a and p<b holds when one value of p lies in [a, b).
  - p{terms} holds when some value of p is a node (IRI or blank node) for
    which the nested terms hold, to any depth. "*" is any property.

Values compare by kind, as a Source's Range orders them:

  - Numbers of every XSD numeric type compare by value, as float64
    (xsd:float through float32): 20 = "2.0E1"^^xsd:double. Bare numbers
    are xsd:integer, xsd:decimal or, with an exponent, xsd:double.
  - xsd:dateTime values compare as instants: the timezone offset counts,
    no timezone is UTC, fractions count to the microsecond.
  - A plain string (no tag, no datatype) compares as a string, and also as
    a dateTime when it is one and as a number when it is one, as the
    specification allows: dcterms:date>="2026-11-01T00:00:00Z" compares
    instants, ems:numericValue>"90" numbers. "true" and "false" also equal
    booleans.
  - Strings: = is case-sensitive equality of the lexical form. A plain
    string equals plain, xsd:string and rdf:XMLLiteral values; "x"@en
    equals language-tagged values with the same tag (case-insensitive).
    <, <=, >, >= do not order strings: ErrUnsupported.
  - Booleans: true, false, "true"^^xsd:boolean (also stored as 1 and 0);
    = and != only.
  - IRIs (<...> and prefixed-name values) compare by equality only;
    ordering them is ErrUnsupported.
  - Other typed literals equal the same lexical form and datatype.

A value of another kind than v never satisfies a comparison with v.

# oslc.select, oslc.orderBy, oslc.searchTerms

Select returns, per member, the triples of each selected property; "*"
is every property; p{...} adds the selected triples of each node p points
to (with p{*} all of them), to any depth. rdf:nil alone selects nothing.

Members are ordered by oslc:score (descending) with search terms, then by
the sort keys, then by member IRI, so the order is total. A key p{q}
sorts by the q values of the nodes p points to. A member sorts by its
smallest value ascending and its largest descending; values of different
kinds order numbers < dateTimes < booleans < strings < other literals <
IRIs < blank nodes; members without a value come last both ways. Without
oslc.orderBy the order is by IRI: the provider's IRIs sort by creation.

Search terms are cut into tokens by literal.Tokens; a member matches when
one of its string literals of dcterms:title, dcterms:description or
dcterms:identifier (TextPredicates) holds a token (several words in one
term match as separate tokens; there is no phrase search). Its score is
100 times the idf-weighted mean over the tokens of tf/(tf+1), with
idf = ln(1 + N/df), N the resources in the store (Stats), or without
Stats the subjects with a hit: from 0 to under 100. Without a text index
(Features.Text), a search whose conditions find few members reads just
their literals and weighs the tokens among them (df counts those
members), so its scores, and the order they give, may differ from an
indexed source's; the members are the same.
The idf weights of the first page travel in the cursor, so the pages of a
result score alike.

# Members

The members of a Scope are the IRIs under Scope.Prefix with an rdf:type
in Scope.Types or, without Types, the stored resources (Source.Resources)
under the prefix. The walk in IRI order (below) lists stored resources, so
with Types it does not see a typed subject that is not itself a resource,
such as a fragment node: give fragments other types than the query base's.

# Planner

Each condition is checked either from an index, listing the subjects for
which it holds, or per candidate, reading the candidate's values.

Indexed: = and in with an IRI or literal (Match on predicate and object,
one lookup per way the value may be stored; numbers and dateTimes by a
point Range), ranges (Range on the ordered keys), and scoped terms whose
nested conjunction has an indexed condition, evaluated inside-out: the
nested nodes are found by their own plan, then the subjects pointing to
them with Match(?, p, node); "*" uses Match(?, ?, o). Not indexed: !=,
and "*" compared with numbers or dateTimes (Range needs the property).

Indexed conditions are probed, in this order: equality with IRIs,
equality with literals, ranges with both bounds, scoped terms, ranges with
one bound. A probe lists a condition's distinct subjects within a budget
of index entries read. Probes go in rounds of 128, 256, 512, ... entries,
and stop after the first round in which one completes; a later probe in
that round stops at the size of the smallest complete one, as it is then
worth nothing. So the reads spent on large conditions stay within a few
times the size of the smallest. A lone condition is probed up to 2048
entries (probeBudget), which tells whether it is small; with a choice to
make, rounds go on up to 64 times that, since the driver is read in full
anyway. The driver is the condition with the smallest complete probe; its
subjects are the candidates.

Probes read terms, which is slow for large conditions. When the source
can join (Features.Join: Count and Intersect) and two or more
conditions are index reads on a named property (= and in, ranges), the
planner first counts their index keys without reading terms (each up to
2^17, or 32 times the fewest counted so far). The conditions with at most
32 times the fewest keys, or all of them if each has more than 8 times
probeBudget (joinProbe), are intersected: their keys are read in full,
with a bit per term id, and only the common subjects are read as terms;
they are the candidates. Reading a key costs a few percent of checking a
subject. The other conditions are probed as far as joinProbe and checked
per candidate. So dcterms:isPartOf=R and an hour of dcterms:date read
the keys of both and the terms of the few records in both; and
ems:observes{ems:metric=pm:CpuUsed and ems:numericValue>90}, where each
side holds most measures, reads both sides' keys once and looks up only
the measures in both, then the records observing them (Match ?
ems:observes node). A scoped term lists its nested nodes once per Run
and keeps them. Other
complete probes become membership filters; the other conditions are checked
per candidate, cheapest first, then the scope. With no complete probe the
first in probe order drives, its index read in full; with no indexed
condition, the scope's types (Match ? rdf:type T) or its resources
(Resources under the prefix) are the candidates. A scoped term plans its
nested conjunction the same way, once per Run.

Resource sets come first. When the scope has no types, the source makes
resource sets (Features.Sets), and the conditions are all index reads on named
properties (= and in, ranges, a metric=X and value-range pair), or one
scoped term on a named property whose nested conditions are, and the
planner would join rather than probe them (see largeJoin), the members are
the resources of a ResourceSet under the prefix: the reads' subjects
as term ids, with a scoped term followed back along its property (from
the pair index by referring subject when there is one). The page is then
found by the set, not by the planner:

  - Without sort keys, PageUnder gives the total and the first members
    in IRI order, mostly without reading a term.
  - With a first sort key that is an immediate property as for the walk
    in key order below, when the walk is expected to cost less than
    reading every member, the walk reads the key's values with RangeIn,
    which skips other subjects by id; its members need no check. The
    cost follows the members being spread evenly along the key: about
    one value per stored resource (Stats), so a page of n from m members
    reads (n+1) times resources/m keys, and a key costs 1/32 of reading a
    member. The walk reads at most 32 keys per member, never more than
    the reads it saves; past that it gives up for reading the members.
  - Otherwise every member is read with its sort keys, as in a scan.

A search alone in a scope without types is answered by term id too
(Features.Hits): the hits (TextHits, read without their terms) are
grouped by score, and each group, best first, is paged in IRI order by
PageHits.

Otherwise the page is found in one of four ways:

  - Walk in key order: when the values of the first sort key's last
    property are all numbers or dateTimes (Match lists other values
    first, so one read tells), and either the key is an immediate
    property and the driver's probe did not complete, or completed with
    candidates the walk is expected to cost less than (as for resource
    sets above), or the key goes through nested nodes (p{+q}) and there is
    no condition, Range walks the values from the cursor in sort order
    (Desc for "-"), follows each subject back along the key's path to the
    members (Match ? p node), checks each, groups equal values to order
    them by the other keys, keeping only as many of a group as the page
    lacks, and stops after Size+1 members: the 10 newest records of a
    resource, or the 100 records with the smallest measure, are found
    without reading the others. On a first page, a member's key is the
    first value the walk meets for it; after a cursor it is read, since
    the member may have had a smaller one before. Members without a value
    come last, from a scan. If 16 times max(2048, Size+1) values that
    lead to no member go by before the page is full, the members are too
    sparse along the key: it gives up for one of the scans. Values that
    lead to members do not count, so a long run of one value (a hundred
    thousand measures of 0, all of which sort before the page's last
    member by IRI) is walked: a scan would read those members too. The total, unless Page.NoTotal, is a separate
    count of the driver's candidates.
  - Scan: read every candidate, check it, count it, compute its sort keys,
    and keep the page in a heap of Size+1 rows. The default whenever a
    total is wanted, and for Size 0.
  - Lazy scan, with Page.NoTotal and a driver: list the driver's
    candidates with their sort keys, sort them, and check them in that
    order until the page is full; candidates after the page are never
    checked. Search terms without a total do the same with the hits, whose
    scores the text index gives without reading the members.
  - Walk in IRI order, with Page.NoTotal, no sort keys and no indexed
    condition: Resources walks the stored resources from the cursor,
    checking each, until the page is full.

With no condition, no types and no sort keys, the page is found by the
walk in IRI order also with a total, and the total, as for every plan
without conditions or types, is counted apart: the store's number of
resources (Stats) less those outside the prefix, which are walked, so
the members are not read; without Stats, the resources under the prefix
are walked and counted.

Memory is the candidates' ids and keys plus the page. A total is the count
of all matching members and needs every candidate checked, so
Page.NoTotal makes large results much faster. Checking that a candidate
is a stored resource (scope without types) costs no read when the index
entry that lists it is held by the resource it names (MatchQuads); else
it is an Exists; the text index tells the same of its postings
(Posting.Own). A driver that is one index read (?, p, o) lists each
subject's entries together, so its repeats are dropped by comparing
with the previous subject rather than by a set.

# Cursors

Result.Next is a keyset cursor: URL-safe base64 (no padding) of

	version 1 | fingerprint [8] | uvarint n | idf float64 * n | score float64 (if n > 0)
	| uvarint k | key value * k | uvarint len | member IRI

where the fingerprint is the first 8 bytes of the SHA-256 of the scope,
conditions, sort keys and search tokens (IRIs in full), a key value is a
class byte and its payload (float64 bits, int64 microseconds, or
uvarint-length strings), and the row is the last member of the page. The
next page is the members strictly after that row in the total order, so
following Next yields every member once, also when resources are created
between pages (those sorting before the cursor are not shown). A cursor
of another query is ErrCursor.
*/
package query
