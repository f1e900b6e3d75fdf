package codec

import (
	"bytes"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/vocab"
)

func TestRDFXMLInline(t *testing.T) {
	rs := vocab.IRI("http://pm.example.org/", "rootservices")
	cat := vocab.IRI("http://pm.example.org/", "catalog")
	rec := vocab.IRI("http://pm.example.org/records/", "r1")
	m1 := vocab.IRI("http://pm.example.org/records/r1#", "m1")
	oslcCatalogs := vocab.IRI(vocab.JD, "oslcCatalogs")
	tests := []struct {
		name   string
		g      []rdf.Triple
		opt    *Options
		want   []string
		absent []string
	}{
		{
			name: "jazz rootservices",
			g: []rdf.Triple{
				{Subj: rs, Pred: vocab.IRI(vocab.PM, "pmServiceProviders"), Obj: cat},
				{Subj: rs, Pred: oslcCatalogs, Obj: cat},
				{Subj: cat, Pred: vocab.RDFType, Obj: vocab.OSLCServiceProviderCatalog},
				{Subj: cat, Pred: vocab.IRI(vocab.OSLC, "domain"), Obj: vocab.IRI(vocab.PM, "")},
			},
			opt: &Options{Root: rs, Inline: []rdf.IRI{oslcCatalogs}},
			want: []string{
				"    <jd:oslcCatalogs>\n      <oslc:ServiceProviderCatalog rdf:about=\"http://pm.example.org/catalog\">\n        <oslc:domain",
				`<pm:pmServiceProviders rdf:resource="http://pm.example.org/catalog"/>`,
			},
		},
		{
			name: "measures named in the record",
			g: []rdf.Triple{
				{Subj: rec, Pred: vocab.RDFType, Obj: vocab.PMRecord},
				{Subj: rec, Pred: vocab.EMSObserves, Obj: m1},
				{Subj: m1, Pred: vocab.RDFType, Obj: vocab.EMSMeasure},
				{Subj: m1, Pred: vocab.EMSNumericValue, Obj: rdf.NewTypedLiteral("1.5", vocab.XSDDouble)},
			},
			opt:  &Options{Root: rec},
			want: []string{"    <ems:observes>\n      <ems:Measure rdf:about=\"http://pm.example.org/records/r1#m1\">"},
		},
		{
			name: "no inlining without a root or option",
			g: []rdf.Triple{
				{Subj: rs, Pred: oslcCatalogs, Obj: cat},
				{Subj: cat, Pred: vocab.RDFType, Obj: vocab.OSLCServiceProviderCatalog},
			},
			want:   []string{`<jd:oslcCatalogs rdf:resource="http://pm.example.org/catalog"/>`},
			absent: []string{"<jd:oslcCatalogs>"},
		},
		{
			name: "cycle stays flat",
			g: []rdf.Triple{
				{Subj: rs, Pred: oslcCatalogs, Obj: cat},
				{Subj: cat, Pred: oslcCatalogs, Obj: rs},
			},
			opt:  &Options{Inline: []rdf.IRI{oslcCatalogs}},
			want: []string{`rdf:about="http://pm.example.org/rootservices"`, `rdf:about="http://pm.example.org/catalog"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, Encode(&buf, RDFXML, tt.g, tt.opt))
			out := buf.String()
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
			for _, a := range tt.absent {
				assert.NotContains(t, out, a)
			}
			for _, tr := range tt.g {
				assert.Equal(t, 1, strings.Count(out, `rdf:about="`+tr.Subj.String()+`"`), "%s described once", tr.Subj)
			}
			back, err := Decode(&buf, RDFXML, "")
			require.NoError(t, err)
			assert.ElementsMatch(t, ntriples(tt.g), ntriples(back), "round trip")
		})
	}
}

func ntriples(g []rdf.Triple) []string {
	var s []string
	for _, t := range g {
		s = append(s, t.Serialize(rdf.NTriples))
	}
	return s
}
