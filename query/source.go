package query

import (
	"context"
	"errors"

	"github.com/knakk/rdf"
)

// The contract between the engine and what stores the triples: a Source
// every store implements, and an Accelerator a store may add to answer
// from its indexes. Every type in them is declared here; package
// query/boltsource adapts the bbolt store (package store) to both.

// Source is the store as the engine reads it: resources (named graphs) of
// triples. Use one consistent view for a whole Run, so that the reads
// agree and the engine may read inside a callback. The engine's naive
// path needs nothing else, and is the reference the accelerated one is
// tested against.
//
// Callbacks return false to stop; the methods then return nil. A triple
// that several resources state is reported once. A blank node is the
// resource's that states it: two resources' blank nodes are different
// nodes, whatever their labels.
type Source interface {
	// Match calls fn with each distinct triple that matches s, p and o,
	// any of which may be nil (any term). When s is nil and p is set, a
	// triple whose object is a number or a dateTime (as Range reads
	// them) never comes before one whose object is not: the engine
	// tells from the first value whether Range lists them all.
	Match(ctx context.Context, s rdf.Subject, p rdf.Predicate, o rdf.Object, fn func(t rdf.Triple) bool) error

	// Range calls fn with the subject and object of each distinct triple
	// with predicate p whose object is a number or an xsd:dateTime
	// (xsd:dateTimeStamp) between lo and hi, in value order (reversed
	// with opt.Desc). A nil bound is open; bounds are both numbers or
	// both dateTimes; with both nil, all numbers come before all
	// dateTimes. Numbers of every XSD numeric type compare as
	// literal.NumberValue reads them (package codec/literal), dateTimes as
	// literal.DateTimeValue does; ill-formed values are not listed.
	Range(ctx context.Context, p rdf.IRI, lo, hi *rdf.Literal, opt RangeOptions, fn func(s rdf.Subject, o rdf.Literal) bool) error

	// Resources calls fn with the IRI of each resource after after (all
	// if after is empty), in byte order of the IRIs.
	Resources(ctx context.Context, after rdf.IRI, fn func(id rdf.IRI) bool) error

	// Exists reports whether id names a resource.
	Exists(ctx context.Context, id rdf.IRI) (bool, error)

	// Get returns the triples of resource id and its ETag, or an error
	// for which errors.Is(err, ErrNotFound) holds if there is none.
	Get(ctx context.Context, id rdf.IRI) (g []rdf.Triple, etag string, err error)
}

// ErrNotFound is what Source.Get returns, wrapped, for an IRI that names no
// resource.
var ErrNotFound = errors.New("resource not found")

// RangeOptions qualify a Range: which bounds are included, and the
// direction.
type RangeOptions struct {
	LoInclusive bool // include values equal to lo
	HiInclusive bool // include values equal to hi
	Desc        bool // from hi down to lo
}

// Accelerator is what a store may offer beyond Source to answer queries
// from its indexes without reading every candidate: counting and
// intersecting index reads, sets of resources by term id, and a full-text
// index. Run asserts it once on the source it is given and calls only the
// methods its Features name; the naive path does the rest. A store that
// has none of it implements Source alone.
//
// The answers must be those of the naive path over the same Source: the
// engine's tests run both ways over the bbolt store and compare.
type Accelerator interface {
	Source

	// Features tells which of the methods below the source serves. It
	// is read once per Run; the others are never called.
	Features() Features

	// Stats tells how many resources the source holds (Features.Stats),
	// the N of a search's idf and the total of a query without
	// conditions.
	Stats(ctx context.Context) (Stats, error)

	// MatchQuads is Match telling with each triple, as graph, a resource
	// that states it (Features.Quads): the engine then knows without an
	// Exists that a subject which states its own triple is a resource.
	MatchQuads(ctx context.Context, s rdf.Subject, p rdf.Predicate, o rdf.Object, fn func(t rdf.Triple, graph rdf.IRI) bool) error

	// Pairs lists the properties whose subjects the source indexes
	// together, a key's with a value's (Pattern.With; Features.Join). It
	// is read once per Run.
	Pairs() []Pair

	// Count counts the index entries of the patterns, up to a little
	// more than limit, without reading terms (Features.Join): the
	// planner's estimate of a condition's size.
	Count(ctx context.Context, ps []Pattern, limit int) (int, error)

	// Intersect calls fn with each distinct subject that every group of
	// j lists, a group listing the subjects of any of its patterns, or,
	// with j.Via, with the subject of each triple (x, Via, m), m such a
	// subject; resource tells whether the subject is known to be a
	// resource (Features.Join).
	Intersect(ctx context.Context, j Join, fn func(s rdf.Subject, resource bool) bool) error

	// ResourceSet returns the resources among the subjects Intersect
	// lists for j, as a handle valid in this view (Features.Sets).
	ResourceSet(ctx context.Context, j Join) (ResourceSet, error)

	// PageUnder pages the resources of rs whose IRI starts with
	// opt.Prefix, in IRI order, and counts them with opt.Count
	// (Features.Sets).
	PageUnder(ctx context.Context, rs ResourceSet, opt PageOptions) (page []rdf.IRI, total int, err error)

	// RangeIn is Range limited to the subjects of opt.Set, reading at
	// most opt.Limit index entries; complete is false if the limit
	// stopped it (Features.Sets).
	RangeIn(ctx context.Context, p rdf.IRI, lo, hi *rdf.Literal, opt RangeInOptions, fn func(s rdf.Subject, o rdf.Literal) bool) (complete bool, err error)

	// Text calls fn with the postings of token, as literal.Tokens cuts
	// text: one per subject and property with string literals (plain,
	// xsd:string, language-tagged or rdf:XMLLiteral) of one of
	// TextPredicates holding the token, TF the occurrences in all of them
	// (Features.Text).
	Text(ctx context.Context, token string, fn func(p Posting) bool) error

	// TextPrefix is Text for every token that starts with prefix, token
	// by token in byte order (Features.Text).
	TextPrefix(ctx context.Context, prefix string, fn func(token string, p Posting) bool) error

	// TextHits reads the postings of tokens by the source's own ids,
	// without their terms: the subjects with a posting of one of them,
	// and their frequency of each, summed over properties
	// (Features.Hits).
	TextHits(ctx context.Context, tokens []string) (TextHits, error)

	// PageHits pages, as PageUnder does, the resources among the hits
	// pick (indexes into h, ascending; nil for all): hits that are
	// resources stating one of their postings, or that Exists
	// (Features.Hits).
	PageHits(ctx context.Context, h TextHits, pick []int, opt PageOptions) (page []rdf.IRI, total int, err error)
}

// Features are the parts of an Accelerator a source serves.
type Features struct {
	Stats bool // Stats
	Quads bool // MatchQuads
	Join  bool // Pairs, Count, Intersect
	Sets  bool // ResourceSet, PageUnder, RangeIn; with Join
	Text  bool // Text, TextPrefix
	Hits  bool // TextHits, PageHits
}

// Stats are counts of what a source holds.
type Stats struct {
	Resources int64 // resources (named graphs)
}

// A Pair is two properties whose subjects a source indexes together:
// Key, whose objects name something, and Value, whose objects are numbers
// or dateTimes (see Accelerator.Pairs).
type Pair struct {
	Key, Value rdf.IRI
}

// A Pattern is one index read that lists subjects: those of the triples
// (?, Pred, Obj), or, with Obj nil, those of the triples of Pred whose
// object Range(Pred, Lo, Hi, Opt) reports (Opt.Desc is ignored). With
// With set (see Accelerator.Pairs), only the subjects that also have (?, With,
// WithObj), as the source's pair index lists them.
type Pattern struct {
	Pred   rdf.IRI
	Obj    rdf.Object
	Lo, Hi *rdf.Literal
	Opt    RangeOptions

	With    rdf.IRI
	WithObj rdf.Object
}

// A Join is a conjunction of index reads: the subjects every group lists,
// a group listing the subjects of any of its patterns; with Via set, the
// subjects pointing by Via to those.
type Join struct {
	Groups [][]Pattern
	Via    rdf.IRI
}

// PageOptions choose a page of a set of resources in IRI order.
type PageOptions struct {
	Prefix string  // only the resources whose IRI starts with Prefix
	After  rdf.IRI // only those after After
	Limit  int     // at most Limit resources; none for 0, all for less
	Count  bool    // also count them all, after or not; else total is -1
}

// RangeInOptions qualify a RangeIn: the Range options, and the set and
// the budget of the walk.
type RangeInOptions struct {
	RangeOptions
	Set   ResourceSet // only its subjects
	Limit int         // index entries read at most; any number if 0 or less
}

// A Posting is one subject's occurrences of a token in the literals of
// one property: TF times, at least once. Own is set when a resource
// stating one of the literals is the subject itself, so that it is known
// to be a resource.
type Posting struct {
	Subj rdf.Subject
	Pred rdf.IRI
	TF   int
	Own  bool
}

// A ResourceSet is a source's handle on a set of resources (see
// Accelerator.ResourceSet), valid in the view that made it.
type ResourceSet interface {
	Len() int // resources in the set
}

// TextHits are the subjects with postings of some tokens, read by an
// Accelerator's own ids (see Accelerator.TextHits), valid in the view
// that made them.
type TextHits interface {
	Len() int       // subjects with a posting of a token
	TF(i int) []int // hit i's frequency of each token, in the order asked for; do not modify
	DF() []int      // subjects per token; do not modify
}
