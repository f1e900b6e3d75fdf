/*
Package store is an RDF triple store on bbolt, built for a query engine:
besides the triple indexes, it keeps the full-text and compound indexes
its caller asks for.

It holds resources: documents, each a named graph identified by an IRI (the
resource's URL) that holds the resource's triples, including those of
nested nodes, such as blank nodes describing parts of the resource. A resource is
written and replaced as a unit, in one transaction. Blank nodes are scoped
to their resource: every write relabels them with labels unique in the
store (b<base-36 term id>), and reads return them so. The same label in two
writes is two nodes.

Every write of a resource is also an event of a change log
(Snapshot.Changes), committed with it, from which a reader learns what
changed since it last looked; TrimChanges drops the oldest events.

Reads go through DB's methods or, for several reads that must agree or
reads nested in a scan callback, through a Snapshot from DB.View. Match
answers any triple pattern by a prefix scan of one index; Range scans the
numbers or dateTimes of one predicate in value order; Text and TextPrefix
read the full-text index. Snapshot.Count and Snapshot.Intersect read
index keys without decoding terms, to size and to intersect large
conditions for the query planner. Snapshot.Records reads the resources that
one posg key prefix lists from their res entries, by graph id, decoding
only the terms asked for: a resource's nested nodes are found by term id,
never decoded.

The store names no vocabulary of its own beyond RDF and XSD: which
predicates the full-text index holds (Options.TextPredicates) and which
compound indexes it keeps (Options.Pairs) are its caller's choice,
recorded in the file. Options left nil keep what the file records, so an
existing file keeps its indexes; a new file then has none.

# Concurrency

Create, Replace and Delete run in group commits (see committer): one
goroutine runs, in one transaction with one fsync, every call queued while
the previous transaction committed, so a lone writer waits for no timer
and many writers share each fsync. Their transaction functions are
idempotent, and report ErrExists, ErrNotFound and ErrPreconditionFailed as
results, before writing, rather than by failing the transaction, so one
caller's conflict neither rolls back nor re-runs the others; a batch whose
transaction fails runs each call again alone. Options.MaxBatchSize bounds
a batch (1000 calls); by default a batch waits, up to half the last
commit's time, for the writers that commit answered, and
Options.MaxBatchDelay replaces that by a fixed wait. Load is one Update transaction. Every write logs its change in
the transaction that writes it (see Change log). The ETag check of Replace and
Delete happens in the transaction that writes.

Scan callbacks run inside a read transaction and must not call DB methods;
nested reads go through the Snapshot (see DB.View).

# Cost of a write

A write costs in proportion to the keys it changes, whatever their order
and the size of the store. bbolt splits the nodes a transaction changes
only when it commits, and a key put into a node moves the keys after it:
the keys a transaction writes to the dictionary, the triple indexes and
the text index are therefore written in key order, each bucket's at once
(see putBuffer and Index blocks), so that each lands after the one
before. Terms a delete or
replace may leave unused are checked once the transaction's keys are
written, all together and in key order, so that the keys a large delete
emptied are walked once, and a replace among other writes flushes no
buffer. Large resources are still written in one
transaction, holding the write lock: the limits of what a resource may
hold are the caller's (the body size, the provider's shapes).

bbolt's reads and writes stay on the transaction's goroutine, but a
large write uses the other cores for the work that touches only its own
memory: one bucket's keys are sorted while the bucket before is written
(txWriter.flushPuts), and the blocks thousands of keys fall in are
spliced on other goroutines while the ones before are written
(applyParallel).

# Caches

Reads share a cache of decoded terms by id (Options.TermCacheSize): ids
are never reused, so an id's term never changes. Only read transactions
fill it, since a write's new ids may roll back. The id of a term is cached
only within a Snapshot, as a write may reclaim the term and add it again
under a new id; a Snapshot also remembers the ids of the IRIs and blank
nodes it has returned, so looking them up again costs a map access.

# File layout

Integers are 8 bytes big-endian unless stated otherwise. A term id is a
uint64 from the i2t bucket's sequence, starting at 1, or one with the top
bit set that holds its term (see Inline terms); ids are never reused.
Index values are empty: the keys hold everything. The buckets marked *
hold their keys in blocks (see Index blocks): the table gives their
logical keys and values.

	bucket  key                                  value
	meta    "version"                            format version, 10
	        "nonce"                              8 hex digits, random per file
	        "building"                           buckets a bulk load builds at
	                                             its end, space-separated (see
	                                             Bulk building); only then
	        "resources" | "triples" | "terms"    counters behind Stats
	        "text"                               text predicate IRIs, sorted,
	                                             newline-separated
	        "pairs"                              one "kp vp" or "kp vp via"
	                                             line of IRIs per pair, sorted,
	                                             newline-separated
	t2i*    dictKey(term)                        term id
	i2t*    term id                              term encoding
	res     graph id                             etag seq (uvarint) | entry*
	                                             (before version 10, keyed by
	                                             resource IRI (UTF-8): 0xff |
	                                             etag seq | graph id, uvarints;
	                                             before version 8, etag seq |
	                                             graph id)
	rid*    resource IRI (UTF-8)                 graph id
	spog*   s | p | o | g                        -
	posg*   p | class | value | o | s | g        -
	text*   token | 0x00 | s | p | o | g         term frequency (uvarint)
	stage   resource IRI (UTF-8)                 etag seq | (uvarint len | term encoding)*
	pair*   kp | ko | vp | class | value | vo | s | gk | gv   -
	pairvia* via | kp | ko | vp | class | value | vo | r | gr | gk | gv   -
	changes* order                               kind | time | resource IRI (UTF-8)
	deferred term id                             class | value (8 bytes): a term
	                                             to check at the end of a bulk
	                                             load; only then

s, p, o are the term ids of a triple and g the term id of the IRI of the
resource stating it. Putting g last keeps one key per resource stating a
triple, so deleting one resource leaves another's copy, and keeps the keys
of one triple adjacent, so Match reports it once.

There is no index led by the object: the queries of a monitoring
provider name the predicate of an object they look for, and posg answers
those. A pattern with an object and no predicate reads posg once per
predicate (a store holds a few dozen), and one with a subject and an
object spog once per predicate of the subject. Versions 1 to 5 kept
ospg, o | s | p | g, a third of the index keys: a writable Open of such a
file drops it and makes the file version 6, in one transaction, so a
crash leaves the old file; older writers refuse version 6, as they would
not find the keys written since. A read-only Open of a version 5 file
reads it as version 6.

# Index blocks

Since version 7 the buckets marked * above hold blocks of consecutive
logical keys rather than a bbolt key per logical key: bbolt spends 16
bytes of element header on each key, more than a key takes once it is
compressed against its neighbour. A block's bbolt key is its first
logical key, whole; its value is the first key's value, then each
following entry in key order, encoded against the entry before it:

	keys of fields (all but t2i and rid):
	  1 byte     n, the number of leading fields equal to the previous key's
	  field n    an id or value: uvarint of its increase over the
	             previous key's; a class: the byte; a token: uvarint
	             length of the prefix shared with the previous token,
	             uvarint length of the rest, the rest (its 0x00 included)
	  fields after n   ids and values as varints (zigzag) of their change
	             from the previous key's when the field starts where
	             it starts in the previous key (always, but after a
	             token of another length), else as uvarints, both
	             rotated left one bit first (since version 8: an
	             inline id is then an odd number of the size of its
	             term's bits, not a 10-byte varint); classes as bytes;
	             in posg, pair and pairvia, the value of an object sort
	             key whose object is an inline term is left out (the
	             id gives it), which bit 7 of n says; since version 8
	             a graph id after n is the varint of its difference from
	             its own key's subject (pair: gk and gv; pairvia: gr
	             from r), 0 for a resource's own triples
	t2i and rid keys (opaque bytes):
	  uvarint length of the prefix shared with the previous key,
	  uvarint length of the rest, the rest
	then the value: nothing; text's uvarint as it is; changes' kind
	byte, the varint of the time's change from the entry before, and
	the IRI as i2t's encoding below; t2i's id and rid's graph id as
	the uvarint of the first entry's, then the varint of each one's
	change from the entry before (before version 8, uvarints); i2t's
	encoding against the one of the 16 entries before it in the block
	(b back, b from 0 to 15) that shares the longest prefix with it,
	of length n: the uvarint of n*16+b, the uvarint length of the
	rest, the rest (before version 8, against the entry before)

The fields are the 8-byte integers and 1-byte classes of the table, for
text the token with its 0x00; an i2t key is one field, the id. So a
triple's spog key, which took 32 bytes plus the element header, takes
about four: the subject is the previous key's, the predicate a small
step, the object a short step from the last one, the graph most often
the same. Terms with neighbouring ids share a prefix more often than
not: a record's IRI and its nested nodes'; a term shares more with the
same kind of term of the record before, a few entries back.

An entry's key depends on the entry before it alone, as do the values
but i2t's, so a write splices its keys into a block, copying the entries
it does not touch as they are (an i2t block it decodes and encodes
whole). A block is cut at about 128 bytes once it passes 256, and one
that falls under 32 is joined to the next; a block left empty goes. i2t
blocks are four times as long: an i2t entry shares little with the one
before, a term of another kind, and much with one a few entries back,
the same kind of term of the resource before (at 100,000 records, a
term took 41 bytes in version 7's blocks, 17 so). Blocks decode
only forward, so a seek decodes a quarter of a kilobyte at most past a
bbolt seek (measured at 100,000 records, blocks twice as long took a
tenth less space and made a walk that seeks once per value half as
fast); readers that count or intersect keys decode no term, as before.
A bulk load cuts the blocks it writes in key order at about 224 bytes
(see Bulk building); a later write cuts such a block, as any other, once
it passes 256. Readers take blocks of any length.
The i2t bucket's sequence, the last term id, is kept with its blocks.

The writer keeps a transaction's index and dictionary writes in buffers
(see putBuffer) and writes each bucket's in key order at its end, so
that a block is rewritten once per transaction rather than once per
resource; its own reads see the pending writes.

A writable Open of a version 7 (or older) file packs the buckets into
blocks in the upgrade's transaction (each into a new bucket, then copied
under the old name, as bbolt renames no bucket): a crash leaves the old
file, and version 6 writers refuse version 7, as they would read blocks
as keys. A read-only Open of a version 6 (to 2) file reads its keys one
by one, as they are. Version 7 encoded each i2t entry against the one
before, in blocks of the others' sizes, and ids without rotating them: a
writable Open of a version 7 file packs its buckets again, as it moves
terms out of the dictionary (see Inline terms), in the upgrade's
transaction, and version 7 writers refuse version 8; a read-only Open
reads it as it is.

Nodes are packed as full as the order in which their keys come allows
(see fillPercent): bbolt's default leaves half of each page empty where
keys grow, and nothing fills it again.

Version 1 files lack the text bucket and meta key; a writable Open upgrades
them by building the index, and a read-only Open refuses them with
ErrVersion. Writers of version 1 would not maintain the index, so they
must not open version 2 files: hence the new version.

# Bulk building

The keys of posg, pair, pairvia and text come in random order, in the
order of their predicate and value rather than of the resources: written
as they come, each transaction splices them into blocks all over the
buckets, writes a page for a few keys each, and splits pages that later
keys never fill (at a million generated records those buckets were a
quarter to a third empty). A bulk load (DB.BeginBulk, into a store that
holds no resource) leaves them out of its writes and builds them at its
end (DB.EndBulk) from res, in key order, appending full blocks to full
pages. Each step walks res, puts the keys it makes, as fixed-width
records, into a sorter, and appends the sorter's output, a transaction
per buildChunk keys. A sorter holds at most buildChunk records in each of
two buffers: a full one is sorted on another goroutine (the other core)
while the walk fills the next, and written as a sorted run to a
temporary file beside the store, unlinked as soon as it is made (a crash
leaves nothing behind); its output merges the runs. So the build's
memory does not grow with the store: at a million records the import's
Go heap peaks at 183 MB (687 MB when the steps sorted in memory), and
the runs, some 40 to 100 bytes a key, are written and read once. posg
is one walk; pair and pairvia a pair at a time: one walk gathers the
pair's key halves, value halves and the via triples pointing to their
subjects into three sorters by subject, a merge join of their outputs
makes the pair keys and via keys into two more, appended in turn; text
one walk, cutting the objects of the text predicates into tokens, each
posting sorted with its token (tokens hold no 0 byte, so their bytes
order the keys). The dictionary, res, rid, spog and the
change log are written as usual, but for the size of spog's blocks and
t2i's packing, below.

The blocks a bulk load writes in key order, the build's and spog's (whose
keys come in order then, each transaction's after the last's), are cut
at about 224 bytes (buildTarget) rather than 128: a block's bbolt key is
its first key whole, 40 to 90 bytes with bbolt's element header, which
longer blocks spend less often. At a million generated records, with
t2i packed as below, the pages took 40.8 bytes a triple where they took
45.0 (spog 8.4 where 9.5, posg 5.2 where 5.8, pair and pairvia 3.7
where 4.3, text 3.5 where 3.8). A seek decodes up to a block past
bbolt's, so a walk that seeks once per value spends more: the bench's
sort on a nested value, a posg seek and a t2i lookup per value, took a
tenth more time and a seventh more CPU at a million records; the other
shapes of the bench took as long as before.

The build first packs t2i, whose keys, term encodings, come in no order,
so that a load leaves its pages a quarter empty: a transaction copies
its blocks, cut anew, in key order to a file beside the store (its path
and ".t2i~", removed at the end; a crash's is overwritten by the next
build) and empties the bucket; a second puts them back at fill 1,
into the pages the first freed, as bbolt reuses the pages a transaction
frees only in later ones (in one transaction, the file would grow by the
new t2i). A crash between the two leaves t2i empty and the file marked:
the next build makes t2i again from i2t, sorting all the dictionary's
keys in memory, a recovery's way. First, as the other steps look terms
up. At a million records t2i so takes 3.1 bytes a triple, its pages
0.97 full, where it took 4.4, 0.76 full.

The first bulk transaction sets the meta "building" key, naming the
buckets left out, and the last transaction of the build deletes it. The
writes in between, of Load or any other writer, leave those buckets out
(the build reads res, whatever wrote it, in graph id order), and
EndBulk holds off writers while it builds. A writable Open of a file
with the key (a process died in its load or build) builds them again
from the start, a transaction per step as EndBulk does; a read-only Open
refuses it with ErrBuilding, as its indexes lack the resources. Writers of version 8 would neither
leave those buckets alone nor build them: hence version 9, which they
refuse. A writable Open of a version 8 file just sets the version.

A write that replaces a resource checks the terms its old version used
against posg (see Terms), which a bulk load has not built: it reclaims
the blank nodes, which need no check, and puts the others in the deferred
bucket, with their sort keys; the build's last transaction checks them
against the built indexes, reclaims those no key uses, and drops the
bucket. A term deferred so and written again before the end keeps its id
where a normal load would have reclaimed it and given it a new one: the
stores differ in ids, not in what they hold.

# Pair index

A Pair (Options.Pairs) keeps, for each subject with a key triple (s, kp,
ko) and a value triple (s, vp, vo) whose object is a number or dateTime,
the key kp | ko | vp | class | value | vo | s | gk | gv, gk and gv the
resources stating the two triples. A condition such as kp=ko and vp>90 is
then one range scan of keys in value order. Each resource keeps the keys one of
whose triples it states: a write recomputes them from the resource's old
and new entries and, for the other half, the subject's triples in other
resources (from spog). The meta "pairs" key records the configured pairs;
a writable Open with others, or of a version 2 or 3 file, rebuilds the
buckets. Options.Pairs nil takes the recorded pairs, none if there is no
key (a new or version 2 file).

A pair with a Via predicate is also kept by the subjects pointing to its
subjects: for each triple (r, via, s) with s a subject of the pair, the
pairvia key via | kp | ko | vp | class | value | vo | r | gr | gk | gv, gr
the resource stating (r, via, s). So via{kp=ko and vp>90} is one range
scan listing the subjects r, not a seek per matching s. A write of g
recomputes the keys one of whose three triples g states, reading the
others' pointers from posg under via. Version 3 files lack the bucket, and rid:
a writable Open builds them and makes the file version 4, which version 3
writers refuse, as they would not maintain them; read-only, queries do
without the via index and walk res instead of rid.

# Checking

Check reads a store in one snapshot and reports where the parts written
from one another disagree: the dictionary both ways, rid against res,
each res entry's spog and posg keys, the keys' counts and the meta
counters; and the text, pair and pairvia indexes against the keys a bulk
build makes of res (the same gathering and sorting, compared instead of
written). It seeks a key per triple and term, so it is a tool for an
operator (pmprovider check), not for Open. Writers step back in a block
index with prevKey, not bbolt's Cursor.Prev, which answers nil at a leaf
the transaction's deletes emptied (bbolt removes such leaves at commit):
files that writers before that wrote are what Check is first for.

# Staging

Stage acknowledges new resources at the cost of a log append, in a group
commit: it writes each as one stage key holding its etag sequence and its
triples' terms in their dictionary encoding, without dictionary or index
keys, and logs its creation. The resources of one Stage call also go to
the overlay (overlay.go), a segment of them with small in-memory indexes
that every read of a Snapshot merges with the indexes' answers, so that
what Stage returns from, every query sees; a segment's indexes are made
when a snapshot first reads it, not before Stage returns, and one merged
before any read needs none. A merger goroutine indexes the
segments in the background, one transaction each, and drops a segment
once that transaction has committed; a Snapshot sees a segment exactly
when its transaction holds the segment's stage keys, which Stage writes
and the merge deletes in one transaction each. Only resources whose
triples cannot join the indexes' on a subject are staged: new, their IRI
and subjects no term of the dictionary, no blank node, every subject the
resource's IRI or that IRI and a fragment (a record and its measures).
Stage writes the others as Load does, as it does all of them while the
overlay holds maxOverlay resources. Any write of a staged resource or of
a triple about a staged subject first merges the segment.

A stage value is the resource's res sequence (8 bytes) and its triples.
Since version 11 it is a 0 byte, the number of the resource's distinct
terms and each term's dictionary encoding, uvarint-length-prefixed (an
IRI that is the resource's own, or its own and a fragment, as a 0 byte
and the part after the key: a record names itself and its measures many
times), then each triple as three uvarint indexes into those terms.
Before, each term of each triple followed in full, uvarint-length-
prefixed; no such value begins with 0, as no encoding is empty. A job
record's value is about 2.5 times smaller so: fewer pages to write and
fsync before Stage returns. Version 10 writers would not read the new
values, hence the version; a writable Open of a version 10 file just
sets it, and both read its values.

Before version 6, Stage wrote only the stage keys, and queries missed the
resources until Merge indexed them; from version 6 to this one, it
indexed them at once. Merge moves stage keys into the dictionary, res and
the indexes, keeping the sequence so the ETag a client read stays valid,
and a writable Open merges everything left, so the overlay starts empty.
Get and Exists look at stage before res.
Version 2 files lack the stage and pair buckets: a writable Open adds
them (building the pair index) and makes the file version 3, which
version 2 writers refuse, as they would not maintain the pair index;
read-only readers of a version 2 file see no staged resources and no pair
index.

# Change log

Every write of a resource appends an event to the changes bucket, in the
transaction of the write: an event is committed if and only if its write
is, so a crash neither loses nor invents one. Create, Replace, Load and
Stage log a creation ('C') if the resource was not there (indexed or
staged) and a modification ('M') if it was; Delete logs a deletion
('D'). Merge, and Open merging what a process left staged, log nothing:
Stage logged the change when Get began to see it. Resources listed twice
in one Load or Stage get two events. Writes that report an outcome
(ErrExists, ErrNotFound, ErrPreconditionFailed) log nothing.

The key is the event's order, 8 bytes big-endian, from the bucket's
sequence: orders start at 1, grow by one per event and are never reused,
since TrimChanges deletes keys and leaves the sequence. The value is the
kind byte, the time its transaction began as Unix nanoseconds (int64,
8 bytes big-endian), then the resource IRI. Since version 8 the events
are in blocks (see Index blocks), as i2t's entries, each IRI against
the one of the 16 before it sharing the longest prefix: an event took
about 87 bytes, key, value and bbolt's element header, and takes about
20; a write transaction extends the last block with its events when it
writes its index keys (see putBuffer), not once per event. Older files hold a key per event,
which a writable Open packs, and a read-only Open reads as they are. The store logs every
resource; which of them a reader publishes, and how long it keeps the
log (TrimChanges), is the caller's business.

Version 4 files have no changes bucket: a writable Open creates it,
empty, and makes the file version 5, which version 4 writers refuse, as
they would write without logging. The log of an upgraded file so starts
at the upgrade; the resources it held are in every listing from then on
(Snapshot.ResourcesUnder, which also lists staged resources, so that a
listing and the newest event read in one Snapshot agree). A read-only
Open of a version 4 file reads an empty log.

# Terms

A term encoding is a tag byte and a body:

	'I' IRI
	'B' blank node label
	'S' lexical form                                 xsd:string
	'A' language tag 0x00 lexical form               rdf:langString
	'X' XSD local name 0x00 lexical form             other xsd: datatypes
	'L' datatype IRI 0x00 lexical form               other datatypes

dictKey(term) is the encoding itself if at most 256 bytes long, else 'H'
followed by its SHA-256; lookups through a hashed key compare the i2t
encoding to catch a collision. Terms are compared by their encoding: "1"
and "01" as xsd:integer are two terms, equal in Range order.

Terms are reclaimed: when a write removes the last use of a term in the
dictionary (inline terms are in none), it deletes the term from t2i and
i2t. Once a transaction's index keys are written, it checks each term an
old version used and the new one does not: a term survives if a key of
spog starts with its id (a subject), or of posg
(a predicate), or has it as object (posg under each predicate, with the
term's sort key), or, for an IRI, if it names a resource. Blank nodes, used by one version of one resource only, are
deleted without looking. The text bucket needs no check: its keys exist
only beside the spog key of the same triple and graph, and go with it.

# Resources

A resource's res key is its graph id, the term id of its IRI, which rid
maps the IRI to. The value is the ETag sequence (from the res bucket's
sequence, so an ETag is never reused, even after a delete), then one
entry per distinct triple in the order written. Unpacked, an entry is 33
bytes:

	s | p | class | value | o

the triple's posg key without g, so a write derives the index keys from
it, compares the old and new entries, and touches only the keys that
change. The ETag is "nonce-seq" with seq in base 36, quoted.

Since version 6 the entries are packed (entries.go), about 10 bytes each
where they took 33: a flags byte (bit 0: s is the previous entry's and is
left out; bit 1: the value follows, else it is 0; bits 2 and 3: the
class; bit 4, since version 8: o is an inline term, written without its
top bit, and the class and value, not written, are its own; bits 5 and
6, since version 8: s, o is written as the varint of its difference
from the graph id, shorter for the nodes and values the resource
brought), then s (unless left out), p as uvarints, the value (8 bytes,
if present) and o as a uvarint. Since version 10 the header is the
uvarint of the sequence. Readers unpack a value before they read it;
a read-only Open of a version 5 file reads its entries as they are, and
a writable one packs them, in the upgrade's transaction.

Versions 8 and 9 keyed res by the resource IRI, and began the value with
a byte 0xff (which no older value starts with: their sequence's first
byte is 0) and the uvarints of the sequence and the graph id; older
versions with both as 8 bytes. The IRI, 52 bytes for a generated record
and 16 of bbolt's element header, repeated what rid holds: keyed by
graph id, res took 54 bytes less a record at a million generated
records (2.4 bytes a triple: 206.6 MB, 152.7), new resources append at
the end of res as ids grow, and readers that come with an id from an
index key (Records, ResourceSet) seek res by it without decoding the
IRI. Readers and writers with an IRI (Get, a write) find the id in rid;
a writer looks in rid only for an IRI the dictionary holds, as a
resource keeps its IRI's term in use. Exists and the listings in IRI
order read rid alone. A writable Open of a version 9 or older file rewrites res so in
the upgrade's transaction, after its older steps and before anything
reads res (the rebuilds of the text and pair indexes, a bulk load's
build), keeping the res sequence: a crash leaves the old file. Version 9
writers refuse version 10, as they would look resources up by IRI. A
read-only Open reads a version 9 or older file as it is, res by IRI
(Snapshot.resource knows both layouts).

# Inline terms

Since version 8 a number, dateTime or boolean whose lexical form a few
bits rebuild has no dictionary entry: its id holds it. A monitoring
record's values and times are mostly its own, and a dictionary entry (in
t2i and i2t) took more bytes than the id takes in every index. The id
has the top bit set, the kind in the low 3 bits, and the bits between
as the kind says:

	kind  datatype     bits (low to high)
	1     integer      sign (1), digits after the point (4), the digits
	2     int          as a decimal integer (up to 2^50): for "-15.83",
	3     long         1, 2, 1583; integer, int and long have no point
	4     decimal
	5     double
	6     dateTime     "Z" (1), digits of the fraction of a second (3, up
	                   to 6), zigzag count of units of that many digits
	                   since 1970-01-01T00:00:00 UTC (up to 2^54)
	7     boolean      0 false, 1 true

A term is inline only if its id rebuilds its encoding exactly: "007",
"+7", "1.5E3", "5." and a dateTime with an offset, or of another
datatype, stay in the dictionary, so each term has one id and terms are
still compared by their encoding. termReader and the writer decode an
inline id without reading i2t; its sort key (see Object sort keys) comes
from its bits: a number's digits and power of ten are exact in a
float64, so their quotient is the nearest float64 to the value, as
package literal reads it. Ids are compared as numbers: inline ids sort
after all the dictionary's, and tie-break equal values in posg so.

A writable Open of a version 7 or older file moves such terms out of the
dictionary, in the upgrade's transaction: it deletes their t2i and i2t
entries, renames them in spog and posg (a renamed key moves only within
the keys that share all fields before the object, after them) and in
the res entries, and rebuilds the pair buckets from res. A read-only
Open reads such a file's terms from its dictionary.

# Resource sets

A query whose conditions are all index reads needs, of a large result,
its count under a prefix and its first page in IRI order: a member is a
resource whose IRI starts with the query base. ResourceSet gathers the
resources the reads list as a bit per term id (an index key stated by
the resource its subject names proves that subject a resource, at no
read; other subjects are looked up). PageUnder counts them by walking the
resources outside the prefix, usually few, and subtracting those in the
set; it finds the page by walking the resources from the prefix or
cursor, testing ids, when the set is dense enough for that to end soon,
else by reading the set's IRIs and sorting them. Both walks read rid,
which holds each resource's graph id and nothing else, in blocks: about
15 bytes a resource where res holds 200. RangeIn walks a property's values in order
keeping the set's subjects, by id. Few terms are decoded either way: at a
million resources a dictionary seek costs about five steps of a walk.

# Full-text index

The text bucket holds postings of the literal objects of the text
predicates (Options.TextPredicates): xsd:string, plain and
rdf:langString literals by lexical form, rdf:XMLLiteral by character data
(tags become spaces, entities are decoded). Package codec/literal cuts the
text into tokens (literal.Tokens), as the query engine cuts search terms;
each distinct token of a triple's object gives one key, token | 0x00 | s |
p | o | g, with the token's count in that object as value. Only the first
MaxTextTokens (10,000) distinct tokens of one object, in the order they
occur, are indexed, each with its count in the whole object: a search
finds a long text by its first 10,000 distinct words. Files written
before the limit may hold postings of every token of a longer text; a
delete tells them by the posting of the next token past the limit, and
removes them all. Tokens hold only
letters and digits, never 0x00, so the postings of one token are the
contiguous range under token | 0x00, and those of all tokens with a prefix
are the range under the prefix, token by token.

TextHits reads a token's postings by subject term id, decoding no term,
and PageHits counts and pages a subset of the hits as a resource set, so
a search reads the terms of its page only.

Keys are per triple and graph, like those of spog, so a write adds and
deletes them with the index keys of the entries that change, and the value
depends on the object alone. Within a token, the keys of one triple are
adjacent (Text reports it once) and those of one subject and predicate are
adjacent (Text adds up their distinct objects).

The meta "text" key records the predicates the postings were built for. A
writable Open with another set rebuilds the bucket from the res entries,
putting the postings in key order: one pass counts them by the first byte
of their token, then one pass per range of first bytes with at most about
a million postings collects, sorts and puts them.
Options.TextPredicates nil takes the recorded set, none if there is no key
(a new or version 1 file).

# Object sort keys

In posg the object is a fixed-width 17-byte sort key, class | value | id, so
a predicate's numbers and dateTimes each form one run of keys in value
order:

	class  objects                         value (uint64)
	0      IRIs, blank nodes, other        0
	       literals, ill-formed numbers
	       and dateTimes, NaN
	1      xsd:integer, decimal, double,   float64 bits, sign bit flipped if
	       float, int, long, short, byte,  positive, all bits flipped if
	       (non)negative/positive/         negative (-0 as +0)
	       unsigned integer types
	2      xsd:dateTime, dateTimeStamp     unix microseconds UTC as int64,
	                                       sign bit flipped

Numbers of all types are parsed to the nearest float64 (xsd:float to the
nearest float32 first, as XSD promotes float to double), so they compare by
value across types. Integers beyond 2^53 and decimals with more digits than
float64 holds sort correctly to float64 granularity; values that round to
the same float64 tie, and ties are ordered by term id. Magnitudes beyond
float64's range sort as ±INF. Range facets of the derived integer types are
not checked.

A dateTime is converted to an instant using its timezone offset, so
2026-11-01T10:00:00+02:00 sorts before 2026-11-01T09:30:00Z. A dateTime
without a timezone is taken as UTC. Fractions of a second are cut to the
microsecond: sub-microsecond differences tie. Microseconds, not nanoseconds,
keep years from about -290000 to 290000 in range, so sentinels such as
9999-12-31 sort correctly; beyond that range values clamp to the extremes
and tie. Year 0000 is 1 BCE, as in XSD 1.1.

Lexical forms follow XSD (surrounding whitespace is trimmed); package
codec/literal reads the values (literal.NumberValue, literal.DateTimeValue),
by the rules the query engine's checks use. Literals that do not parse are
class 0: they are stored and matched but never in a Range. Any change to
these rules changes posg keys and needs a new format version.
*/
package store
