package ui

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query/parser"
)

// TestNewestFirst: the links write the order the pages query by.
func TestNewestFirst(t *testing.T) {
	o, err := parser.ParseOrderBy(newestFirstText, parser.DefaultPrefixes())
	require.NoError(t, err)
	require.Len(t, o.Terms, len(newestFirst.Terms))
	for i, want := range newestFirst.Terms {
		assert.Equal(t, want.Prop.IRI, o.Terms[i].Prop.IRI)
		assert.Equal(t, want.Desc, o.Terms[i].Desc)
	}
}
