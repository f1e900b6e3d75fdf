package shapes

import (
	"fmt"

	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/vocab"
)

func TestRecordShapeFromPublished(t *testing.T) {
	s := Lookup(RecordName)
	require.NotNil(t, s)
	p := s.Property(vocab.DCIsPartOf.String())
	require.NotNil(t, p)
	assert.Equal(t, ExactlyOne, p.Occurs)
	assert.Equal(t, Reference, p.Representation, "oslc:Representation mended to oslc:representation")
	sp := s.Property(vocab.OSLCServiceProvider.String())
	require.NotNil(t, sp)
	assert.Equal(t, []rdf.IRI{vocab.OSLCServiceProviderClass}, sp.Range)
	assert.True(t, sp.ServerManaged)
	assert.NotNil(t, s.Property(vocab.PMAvailabilityStatus.String()), "pm:Properties merged in")
	assert.True(t, s.Property(vocab.DCDate.String()).RequireTimezone)
}

func TestValidate(t *testing.T) {
	rec := vocab.IRI("http://example.org/", "r1")
	host := vocab.IRI("http://example.org/", "host")
	date := func(s string) rdf.Triple {
		return rdf.Triple{Subj: rec, Pred: vocab.DCDate, Obj: rdf.NewTypedLiteral(s, vocab.XSDDateTime)}
	}
	partOf := rdf.Triple{Subj: rec, Pred: vocab.DCIsPartOf, Obj: host}
	status := func(iri string) rdf.Triple {
		return rdf.Triple{Subj: rec, Pred: vocab.PMAvailabilityStatus, Obj: vocab.IRI(iri, "")}
	}
	tests := []struct {
		name string
		g    []rdf.Triple
		want []string // substrings of the violations, in order
	}{
		{"valid", []rdf.Triple{date("2026-11-01T10:00:00+02:00"), partOf}, nil},
		{"no timezone", []rdf.Triple{date("2026-11-01T10:00:00"), partOf}, []string{"has no timezone"}},
		{"no isPartOf", []rdf.Triple{date("2026-11-01T10:00:00Z")}, []string{"isPartOf must occur exactly once; found 0"}},
		{"two isPartOf", []rdf.Triple{partOf, {Subj: rec, Pred: vocab.DCIsPartOf, Obj: rec}}, []string{"found 2"}},
		{"literal isPartOf", []rdf.Triple{{Subj: rec, Pred: vocab.DCIsPartOf, Obj: rdf.NewTypedLiteral("x", vocab.XSDString)}}, []string{"must be a resource"}},
		{"date as string", []rdf.Triple{partOf, {Subj: rec, Pred: vocab.DCDate, Obj: rdf.NewTypedLiteral("2026-11-01T10:00:00Z", vocab.XSDString)}}, []string{"must be an xsd:dateTime, not xsd:string"}},
		{"status", []rdf.Triple{partOf, status(vocab.PM + "Running")}, nil},
		{"status and a product's", []rdf.Triple{partOf, status("http://example.org/Degraded"), status(vocab.PM + "Unknown")}, nil},
		{"only a product's status", []rdf.Triple{partOf, status("http://example.org/Degraded")}, []string{"availabilityStatus must have at least one value among pm:Running, pm:NotRunning, pm:Unknown; found <http://example.org/Degraded>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := Lookup(RecordName).Validate(rec, tt.g)
			require.Len(t, vs, len(tt.want), "got %v", vs)
			for i, w := range tt.want {
				assert.Contains(t, vs[i].Error(), w)
			}
		})
	}
}

func TestCheckLexical(t *testing.T) {
	tests := []struct {
		lex, dt string
		ok      bool
	}{
		{"12", "integer", true},
		{"1.5", "integer", false},
		{"-1.5", "decimal", true},
		{"1e3", "decimal", false},
		{"1e3", "double", true},
		{"INF", "double", true},
		{"abc", "double", false},
		{"true", "boolean", true},
		{"yes", "boolean", false},
		{"2026-11-01T10:00:00Z", "dateTime", true},
		{"2026-11-01T10:00:00.123+05:30", "dateTime", true},
		{"2026-11-01", "dateTime", false},
		{"2026-13-01T10:00:00Z", "dateTime", false},
		{"anything", "string", true},
		{"<b>bold</b> &amp; plain", vocab.RDF + "XMLLiteral", true},
		{"<b>unclosed", vocab.RDF + "XMLLiteral", false},
		{"a < b", vocab.RDF + "XMLLiteral", false},
		{"<x:y/>", vocab.RDF + "XMLLiteral", false},
	}
	for _, tt := range tests {
		t.Run(tt.dt+"/"+tt.lex, func(t *testing.T) {
			ns := vocab.XSD
			if tt.dt == vocab.RDF+"XMLLiteral" {
				ns = ""
			}
			msg := CheckLexical(rdf.NewTypedLiteral(tt.lex, vocab.IRI(ns, tt.dt)))
			assert.Equal(t, tt.ok, msg == "", "got %q", msg)
		})
	}
}

func TestHasTimezone(t *testing.T) {
	for s, want := range map[string]bool{
		"2026-11-01T10:00:00Z":      true,
		"2026-11-01T10:00:00+02:00": true,
		"2026-11-01T10:00:00-05:00": true,
		"2026-11-01T10:00:00":       false,
		"2026-11-01T10:00:00.5":     false,
	} {
		assert.Equal(t, want, HasTimezone(s), s)
	}
}

// record is a record with n measures, the i-th with a metric unless bad(i).
func record(n int, bad func(i int) bool) (rdf.IRI, []rdf.Triple) {
	rec := vocab.IRI("http://example.org/", "r1")
	g := []rdf.Triple{
		{Subj: rec, Pred: vocab.DCDate, Obj: rdf.NewTypedLiteral("2026-11-01T10:00:00Z", vocab.XSDDateTime)},
		{Subj: rec, Pred: vocab.DCIsPartOf, Obj: vocab.IRI("http://example.org/", "host")},
	}
	for i := range n {
		m, _ := rdf.NewBlank(fmt.Sprintf("m%d", i))
		g = append(g,
			rdf.Triple{Subj: rec, Pred: vocab.EMSObserves, Obj: m},
			rdf.Triple{Subj: m, Pred: vocab.RDFType, Obj: vocab.EMSMeasure},
			rdf.Triple{Subj: m, Pred: vocab.EMSNumericValue, Obj: rdf.NewTypedLiteral("1.5", vocab.XSDDouble)})
		if !bad(i) {
			g = append(g, rdf.Triple{Subj: m, Pred: vocab.EMSMetric, Obj: vocab.IRI(vocab.PM, "CpuUsed")})
		}
	}
	return rec, g
}

func TestValidateWithMeasures(t *testing.T) {
	none := func(int) bool { return false }
	tests := []struct {
		name string
		n    int
		bad  func(i int) bool
		want []string // substrings of the violations, in order
	}{
		{"valid", 3, none, nil},
		{"one measure without a metric", 3, func(i int) bool { return i == 1 }, []string{"<m1> <" + vocab.EMSMetric.String() + ">: metric must occur exactly once; found 0"}},
		{"at the limit", MaxMeasures, none, nil},
		{"past the limit", MaxMeasures + 1, func(int) bool { return true }, []string{fmt.Sprintf("%d measures; a resource may have at most %d", MaxMeasures+1, MaxMeasures)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, g := record(tt.n, tt.bad)
			vs := Lookup(RecordName).ValidateWithMeasures(rec, g)
			require.Len(t, vs, len(tt.want), "got %v", vs)
			for i, w := range tt.want {
				assert.Contains(t, vs[i].Error(), w)
			}
		})
	}
}

// TestValidateWithMeasuresLinear checks that the cost of validating a
// record grows with its measures, not their square: four times the
// measures, about four times the allocations.
func TestValidateWithMeasuresLinear(t *testing.T) {
	allocs := func(n int) float64 {
		rec, g := record(n, func(int) bool { return false })
		s := Lookup(RecordName)
		return testing.AllocsPerRun(3, func() { s.ValidateWithMeasures(rec, g) })
	}
	small, large := allocs(MaxMeasures/4), allocs(MaxMeasures)
	assert.Less(t, large/small, 6.0, "%.0f allocations for %d measures, %.0f for %d", small, MaxMeasures/4, large, MaxMeasures)
}

// BenchmarkValidateWithMeasures validates a record with MaxMeasures
// measures.
func BenchmarkValidateWithMeasures(b *testing.B) {
	rec, g := record(MaxMeasures, func(int) bool { return false })
	s := Lookup(RecordName)
	for b.Loop() {
		if vs := s.ValidateWithMeasures(rec, g); len(vs) > 0 {
			b.Fatal(vs)
		}
	}
}
