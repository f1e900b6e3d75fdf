package query

import (
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzCursor decodes client-supplied cursors: no panic, and a cursor that
// decodes encodes to one that decodes the same.
func FuzzCursor(f *testing.F) {
	c := &cursor{row: row{keys: []val{{cls: clsNumber, num: 1.5}, {cls: clsDateTime, us: 42}, {cls: clsString, str: "x", lang: "en"},
		{cls: clsOther, str: "y", dt: "http://example.org/dt"}, {cls: clsIRI, str: "http://example.org/i"}, {cls: clsMissing}, {cls: clsBoolean, num: 1}}}}
	c.row.id = mustIRIForTest("http://example.org/records/r1")
	f.Add(c.encode())
	c.idf, c.row.score = []float64{0.5, 1.25}, 62.5
	f.Add(c.encode())
	f.Add("")
	f.Add("AQ")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeCursor(s)
		if err != nil {
			return
		}
		c2, err := decodeCursor(c.encode())
		require.NoError(t, err)
		assert.Equal(t, c.encode(), c2.encode())
	})
}

func mustIRIForTest(s string) rdf.IRI {
	i, err := rdf.NewIRI(s)
	if err != nil {
		panic(err)
	}
	return i
}
