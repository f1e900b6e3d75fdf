package parser

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/vocab"
)

func iriForTest(t testing.TB, s string) rdf.IRI {
	t.Helper()
	i, err := rdf.NewIRI(s)
	require.NoError(t, err)
	return i
}

// builtTrees are trees made with the constructors, and how each prints
// once compacted with testPrefixes ("" to skip that check).
func builtTrees(t testing.TB) []struct {
	w       *Where
	compact string
} {
	ex := func(l string) rdf.IRI { return iriForTest(t, "http://example.org/ns#"+l) }
	other := iriForTest(t, "http://other.example/a/b?c=d&e#f")
	lang, err := rdf.NewLangLiteral("Sauvegarde", "fr-CA")
	require.NoError(t, err)
	dt := func(l string) rdf.IRI { return vocab.IRI(vocab.XSD, l) }
	job := iriForTest(t, "http://pm.example/oslc/jobs/j1")
	return []struct {
		w       *Where
		compact string
	}{
		{And(Eq(ex("p"), job)), `ex:p=<http://pm.example/oslc/jobs/j1>`},
		{And(Eq(ex("p"), ex("v"))), `ex:p=ex:v`},
		{And(Eq(vocab.DCTitle, rdf.NewTypedLiteral(`a "quoted" back\slash`+"\ttab\nnewline \u0001 é 😀", vocab.XSDString))),
			`dcterms:title="a \"quoted\" back\\slash\ttab\nnewline \u0001 é 😀"^^xsd:string`},
		{And(Eq(vocab.DCTitle, rdf.NewTypedLiteral("", vocab.XSDString))), `dcterms:title=""^^xsd:string`},
		{And(Eq(vocab.DCDescription, lang)), `dcterms:description="Sauvegarde"@fr-CA`},
		{And(Compare(vocab.DCDate, OpGE, rdf.NewTypedLiteral("2026-11-01T00:00:00Z", vocab.XSDDateTime)),
			Compare(vocab.DCDate, OpLT, rdf.NewTypedLiteral("2026-11-01T01:00:00.5+02:00", vocab.XSDDateTime))),
			`dcterms:date>="2026-11-01T00:00:00Z"^^xsd:dateTime and dcterms:date<"2026-11-01T01:00:00.5+02:00"^^xsd:dateTime`},
		{And(Compare(ex("n"), OpGT, rdf.NewTypedLiteral("-1.5E-3", dt("double"))), Compare(ex("n"), OpLE, rdf.NewTypedLiteral("42", dt("integer")))),
			`ex:n>"-1.5E-3"^^xsd:double and ex:n<="42"^^xsd:integer`},
		{And(Compare(ex("b"), OpNE, rdf.NewTypedLiteral("true", vocab.XSDBoolean))), `ex:b!="true"^^xsd:boolean`},
		{And(Eq(ex("x"), rdf.NewTypedLiteral("x", iriForTest(t, "http://example.org/dt")))), `ex:x="x"^^<http://example.org/dt>`},
		{And(In(ex("p"), ex("a"), other, rdf.NewTypedLiteral("1", dt("int")), lang)),
			`ex:p in [ex:a,<http://other.example/a/b?c=d&e#f>,"1"^^xsd:int,"Sauvegarde"@fr-CA]`},
		{And(In(vocab.DCIsPartOf)), ""}, // no values: prints, but is no oslc.where
		{And(Scoped(vocab.EMSObserves, Eq(vocab.EMSMetric, vocab.IRI(vocab.PM, "CpuUsed")), Compare(vocab.EMSNumericValue, OpGT, rdf.NewTypedLiteral("90", dt("decimal"))))),
			`ems:observes{ems:metric=pm:CpuUsed and ems:numericValue>"90"^^xsd:decimal}`},
		{And(Scoped(ex("a"), Scoped(ex("b"), Eq(other, other))), Eq(vocab.RDFType, vocab.PMRecord)),
			`ex:a{ex:b{<http://other.example/a/b?c=d&e#f>=<http://other.example/a/b?c=d&e#f>}} and rdf:type=pm:PerformanceMonitoringRecord`},
		{And(Eq(iriForTest(t, "http://example.org/ns#a.b."), ex("1st")), Eq(iriForTest(t, "http://example.org/default#x"), ex(""))),
			`<http://example.org/ns#a.b.>=ex:1st and :x=ex:`},
		{And(Eq(iriForTest(t, "http://example.org/ns#a,b"), iriForTest(t, "http://example.org/ns#c%41"))), `<http://example.org/ns#a,b>=ex:c%41`},
	}
}

// TestBuiltRoundTrip checks that every built tree prints text that
// ParseWhere parses back to the same tree, as written and compacted.
func TestBuiltRoundTrip(t *testing.T) {
	for _, b := range builtTrees(t) {
		text := b.w.String()
		t.Run(text, func(t *testing.T) {
			if len(b.w.Terms) == 1 {
				if in, ok := b.w.Terms[0].(*InTerm); ok && len(in.Values) == 0 {
					_, err := ParseWhere(text, testPrefixes)
					assert.ErrorIs(t, err, ErrSyntax, "an empty in has no syntax")
					return
				}
			}
			got, err := ParseWhere(text, testPrefixes)
			require.NoError(t, err)
			assert.Equal(t, b.w, clearPos(got), "the printed text parses to the same tree")
			assert.Equal(t, text, got.String())

			c := b.w.Compact(testPrefixes)
			assert.Equal(t, b.compact, c.String())
			got, err = ParseWhere(c.String(), testPrefixes)
			require.NoError(t, err)
			assert.Equal(t, c, clearPos(got), "the compacted text parses to the same tree")
			assert.Equal(t, b.w.String(), b.w.Compact(nil).String(), "without prefixes nothing is compacted")
			assert.Equal(t, text, b.w.String(), "Compact leaves its receiver alone")
		})
	}
}

func TestValueOfPanics(t *testing.T) {
	b, err := rdf.NewBlank("b1")
	require.NoError(t, err)
	assert.Panics(t, func() { ValueOf(b) })
	assert.Panics(t, func() { ValueOf(nil) })
}

// FuzzBuiltRoundTrip builds comparisons of arbitrary literals and IRIs:
// each prints text that parses back to the same tree.
func FuzzBuiltRoundTrip(f *testing.F) {
	f.Add("2026-11-01T00:00:00Z", "", "http://www.w3.org/2001/XMLSchema#dateTime", "http://example.org/ns#p")
	f.Add("Sauvegarde", "fr", "", "http://example.org/ns#p")
	f.Add(`a "b" \c`+"\n", "", "http://www.w3.org/2001/XMLSchema#string", "http://example.org/ns#a.b")
	f.Add("x", "", "http://example.org/dt", "http://example.org/default#")
	f.Fuzz(func(t *testing.T, lex, tag, dt, prop string) {
		if !utf8.ValidString(lex) || !utf8.ValidString(dt) || !utf8.ValidString(prop) {
			return // no RDF term
		}
		p, err := rdf.NewIRI(prop)
		if err != nil || prop == "" {
			return
		}
		var v rdf.Term
		switch {
		case tag != "":
			if v, err = rdf.NewLangLiteral(lex, tag); err != nil {
				return
			}
		case dt != "":
			d, err := rdf.NewIRI(dt)
			if err != nil {
				return
			}
			v = rdf.NewTypedLiteral(lex, d)
		default:
			v = p
		}
		if l, ok := ValueOf(v).(*Literal); ok && l.Malformed() != "" {
			// Not a value of its datatype: no query may state it.
			_, err := ParseWhere(And(Eq(p, v)).String(), testPrefixes)
			if err == nil || !strings.Contains(err.Error(), "invalid IRI") {
				require.ErrorIs(t, err, ErrSyntax)
			}
			return
		}
		for _, w := range []*Where{And(Eq(p, v)), And(Scoped(p, Compare(p, OpNE, v))), And(In(p, v, v))} {
			for _, w := range []*Where{w, w.Compact(testPrefixes)} {
				got, err := ParseWhere(w.String(), testPrefixes)
				if err != nil && strings.Contains(err.Error(), "invalid IRI") {
					return // an IRI knakk/rdf takes and the parser does not
				}
				require.NoError(t, err, "%s", w)
				assert.Equal(t, w, clearPos(got))
			}
		}
	})
}

// TestBuiltSelectAndOrder checks that built selections and sort orders
// print text that ParseSelect and ParseOrderBy parse back to them.
func TestBuiltSelectAndOrder(t *testing.T) {
	sel := Select(Sel(vocab.DCDate), Sel(vocab.EMSObserves, Sel(vocab.EMSMetric), Sel(vocab.EMSNumericValue)))
	gotSel, err := ParseSelect(sel.String(), testPrefixes)
	require.NoError(t, err)
	assert.Equal(t, sel, clearPos(gotSel))
	assert.Equal(t, "<"+vocab.DCTerms+"date>,<"+vocab.EMS+"observes>{<"+vocab.EMS+"metric>,<"+vocab.EMS+"numericValue>}", sel.String())

	for _, o := range []*OrderBy{Order(Desc(vocab.DCDate)), Order(Asc(vocab.DCTitle), Desc(vocab.DCDate))} {
		got, err := ParseOrderBy(o.String(), testPrefixes)
		require.NoError(t, err)
		assert.Equal(t, o, clearPos(got), o.String())
	}
}
