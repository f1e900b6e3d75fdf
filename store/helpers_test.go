package store_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// openDB opens a store in a temporary directory, closed when the test ends.
func openDB(t testing.TB, opt *store.Options) (*store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pm.db")
	db, err := store.Open(path, opt)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db, path
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

func str(s string) rdf.Literal { return rdf.NewTypedLiteral(s, vocab.XSDString) }

func typed(lex string, dt rdf.IRI) rdf.Literal { return rdf.NewTypedLiteral(lex, dt) }

func lang(s, tag string) rdf.Literal {
	l, err := rdf.NewLangLiteral(s, tag)
	if err != nil {
		panic(err)
	}
	return l
}

func dbl(lex string) rdf.Literal  { return typed(lex, vocab.XSDDouble) }
func dt(lex string) rdf.Literal   { return typed(lex, vocab.XSDDateTime) }
func intl(lex string) rdf.Literal { return typed(lex, vocab.XSDInteger) }

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

// pmRecord returns a realistic performance monitoring record: 18 triples,
// three of them ems:Measure blank nodes.
func pmRecord(i int) (rdf.IRI, []rdf.Triple) {
	id := iri(fmt.Sprintf("http://pm.example.org/records/%d", i))
	host := iri(fmt.Sprintf("http://pm.example.org/hosts/%d", i%50))
	g := []rdf.Triple{
		tr(id, vocab.RDFType, vocab.PMRecord),
		tr(id, vocab.DCDate, dt(fmt.Sprintf("2026-11-01T%02d:%02d:%02dZ", i/3600%24, i/60%60, i%60))),
		tr(id, vocab.DCIsPartOf, host),
		tr(id, vocab.PMAvailabilityStatus, iri(vocab.PM+"Available")),
		tr(id, vocab.DCTitle, str(fmt.Sprintf("Sample %d of host %d", i, i%50))),
	}
	metrics := []string{"CpuUsed", "MemoryUsed", "ResponseTime"}
	units := []string{"Percent", "Byte", "Millisecond"}
	for m := range metrics {
		b := blank(fmt.Sprintf("m%d", m))
		g = append(g,
			tr(id, vocab.EMSObserves, b),
			tr(b, vocab.RDFType, vocab.EMSMeasure),
			tr(b, vocab.EMSMetric, iri(vocab.PM+metrics[m])),
			tr(b, vocab.EMSUnitOfMeasure, iri("http://qudt.org/vocab/unit#"+units[m])),
			tr(b, vocab.EMSNumericValue, dbl(fmt.Sprintf("%d.%d", (i*7+m)%100, i%10))),
		)
	}
	return id, g
}
