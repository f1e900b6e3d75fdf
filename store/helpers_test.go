package store_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
)

// The RDF and XSD terms of the tests.
const (
	rdfNS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	xsdNS = "http://www.w3.org/2001/XMLSchema#"
)

var (
	rdfType       = iri(rdfNS + "type")
	rdfXMLLiteral = iri(rdfNS + "XMLLiteral")

	xsdString   = iri(xsdNS + "string")
	xsdInteger  = iri(xsdNS + "integer")
	xsdInt      = iri(xsdNS + "int")
	xsdLong     = iri(xsdNS + "long")
	xsdDecimal  = iri(xsdNS + "decimal")
	xsdDouble   = iri(xsdNS + "double")
	xsdFloat    = iri(xsdNS + "float")
	xsdDateTime = iri(xsdNS + "dateTime")
)

// exNS is the namespace of the example classes and properties of the
// tests; ns(local) is a term in it.
const exNS = "http://example.org/ns#"

func ns(local string) rdf.IRI { return iri(exNS + local) }

// Example properties and classes: records with a title, description,
// identifier and date, part of a host, observing measures, each a metric
// with a value and a unit.
var (
	exTitle       = ns("title")
	exDescription = ns("description")
	exIdentifier  = ns("identifier")
	exDate        = ns("date")
	exPartOf      = ns("isPartOf")
	exSource      = ns("source")
	exStatus      = ns("status")
	exRecord      = ns("Record")

	exObserves = ns("observes")
	exMeasure  = ns("Measure")
	exMetric   = ns("metric")
	exValue    = ns("value")
	exUnit     = ns("unit")
)

// The indexes the tests ask of a store unless they say otherwise: the
// full-text index of titles, descriptions and identifiers, and the pair
// index of a measure's metric and value, also by the records observing
// the measures.
var (
	testText  = []rdf.IRI{exTitle, exDescription, exIdentifier}
	testPairs = []store.Pair{{Key: exMetric, Value: exValue, Via: exObserves}}
)

// openDB opens a store in a temporary directory, closed when the test
// ends, with testText and testPairs where opt leaves the text predicates
// and pairs nil.
func openDB(t testing.TB, opt *store.Options) (*store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pm.db")
	db, err := store.Open(path, withTestIndexes(opt))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db, path
}

// withTestIndexes returns a copy of opt with testText and testPairs where
// it leaves the text predicates and pairs nil.
func withTestIndexes(opt *store.Options) *store.Options {
	var o store.Options
	if opt != nil {
		o = *opt
	}
	if o.TextPredicates == nil {
		o.TextPredicates = testText
	}
	if o.Pairs == nil {
		o.Pairs = testPairs
	}
	return &o
}

func iri(s string) rdf.IRI {
	i, err := rdf.NewIRI(s)
	if err != nil {
		panic(err)
	}
	return i
}

func ex(local string) rdf.IRI { return iri("http://example.org/" + local) }

func blank(label string) rdf.Blank {
	b, err := rdf.NewBlank(label)
	if err != nil {
		panic(err)
	}
	return b
}

func str(s string) rdf.Literal { return rdf.NewTypedLiteral(s, xsdString) }

func typed(lex string, dt rdf.IRI) rdf.Literal { return rdf.NewTypedLiteral(lex, dt) }

func lang(s, tag string) rdf.Literal {
	l, err := rdf.NewLangLiteral(s, tag)
	if err != nil {
		panic(err)
	}
	return l
}

func dbl(lex string) rdf.Literal  { return typed(lex, xsdDouble) }
func dt(lex string) rdf.Literal   { return typed(lex, xsdDateTime) }
func intl(lex string) rdf.Literal { return typed(lex, xsdInteger) }

func tr(s rdf.Subject, p rdf.Predicate, o rdf.Object) rdf.Triple {
	return rdf.Triple{Subj: s, Pred: p, Obj: o}
}

// nt is the N-Triples form of a term: a comparable identity, unlike
// rdf.TermsEqual, which ignores datatypes.
func nt(t rdf.Term) string { return t.Serialize(rdf.NTriples) }

func ntTriple(t rdf.Triple) string {
	return nt(t.Subj) + " " + nt(t.Pred) + " " + nt(t.Obj)
}

// ntSet returns the sorted N-Triples lines of g.
func ntSet(g []rdf.Triple) []string {
	s := make([]string, len(g))
	for i, t := range g {
		s[i] = ntTriple(t)
	}
	slices.Sort(s)
	return s
}

// matchAll collects the triples Match reports.
func matchAll(t testing.TB, db *store.DB, s rdf.Subject, p rdf.Predicate, o rdf.Object) []string {
	t.Helper()
	var got []string
	err := db.Match(t.Context(), s, p, o, func(tr rdf.Triple) bool {
		got = append(got, ntTriple(tr))
		return true
	})
	require.NoError(t, err)
	slices.Sort(got)
	return got
}

// rangeAll collects what Range reports, as "subject object" lines in
// order.
func rangeAll(t testing.TB, db *store.DB, p rdf.IRI, lo, hi *rdf.Literal, opt store.RangeOptions) []string {
	t.Helper()
	var got []string
	err := db.Range(t.Context(), p, lo, hi, opt, func(s rdf.Subject, o rdf.Literal) bool {
		got = append(got, nt(s)+" "+nt(o))
		return true
	})
	require.NoError(t, err)
	return got
}

// sampleRecord returns a realistic record: 18 triples, three of them
// about measure blank nodes.
func sampleRecord(i int) (rdf.IRI, []rdf.Triple) {
	id := iri(fmt.Sprintf("http://pm.example.org/records/%d", i))
	host := iri(fmt.Sprintf("http://pm.example.org/hosts/%d", i%50))
	g := []rdf.Triple{
		tr(id, rdfType, exRecord),
		tr(id, exDate, dt(fmt.Sprintf("2026-11-01T%02d:%02d:%02dZ", i/3600%24, i/60%60, i%60))),
		tr(id, exPartOf, host),
		tr(id, exStatus, ns("Available")),
		tr(id, exTitle, str(fmt.Sprintf("Sample %d of host %d", i, i%50))),
	}
	metrics := []string{"CpuUsed", "MemoryUsed", "ResponseTime"}
	units := []string{"Percent", "Byte", "Millisecond"}
	for m := range metrics {
		b := blank(fmt.Sprintf("m%d", m))
		g = append(g,
			tr(id, exObserves, b),
			tr(b, rdfType, exMeasure),
			tr(b, exMetric, ns(metrics[m])),
			tr(b, exUnit, iri("http://example.org/unit#"+units[m])),
			tr(b, exValue, dbl(fmt.Sprintf("%d.%d", (i*7+m)%100, i%10))),
		)
	}
	return id, g
}
