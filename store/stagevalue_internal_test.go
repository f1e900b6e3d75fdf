package store

import (
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStageValue: a stage value of version 11 decodes to the triples it
// was made of, the resource's own IRIs (itself, its fragments) kept
// relative to the key; no truncation of it decodes to other triples
// without an error, or panics.
func TestStageValue(t *testing.T) {
	iri := func(s string) rdf.IRI {
		i, err := rdf.NewIRI(s)
		require.NoError(t, err)
		return i
	}
	de, err := rdf.NewLangLiteral("Wert", "de")
	require.NoError(t, err)
	id := iri("http://example.org/records/1")
	m := iri("http://example.org/records/1#m1")
	other := iri("http://example.org/records/10#m1") // the key's prefix, not its fragment
	g := []rdf.Triple{
		{Subj: id, Pred: iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), Obj: iri("http://example.org/ns#Record")},
		{Subj: id, Pred: iri("http://example.org/ns#observes"), Obj: m},
		{Subj: id, Pred: iri("http://example.org/ns#seeAlso"), Obj: other},
		{Subj: id, Pred: iri("http://example.org/ns#self"), Obj: id},
		{Subj: m, Pred: iri("http://example.org/ns#value"), Obj: rdf.NewTypedLiteral("91.5", iri(xsdNS+"double"))},
		{Subj: m, Pred: iri("http://example.org/ns#title"), Obj: de},
	}
	p, err := prepare(id, g, textSet{})
	require.NoError(t, err)
	v := appendStageValue(nil, 42, p)
	assert.LessOrEqual(t, len(v), stageValueSize(p))
	seq, got, err := decodeStaged([]byte(id.String()), v)
	require.NoError(t, err)
	assert.Equal(t, uint64(42), seq)
	want := make([]string, len(g))
	for i, tr := range g {
		want[i] = tr.Serialize(rdf.NTriples)
	}
	have := make([]string, len(got))
	for i, tr := range got {
		have[i] = tr.Serialize(rdf.NTriples)
	}
	assert.Equal(t, want, have)
	for n := 8; n < len(v); n++ {
		_, got, err := decodeStaged([]byte(id.String()), v[:n])
		if err == nil {
			assert.Less(t, len(got), len(g), "a truncation at %d decodes to fewer triples", n)
		}
	}
}
