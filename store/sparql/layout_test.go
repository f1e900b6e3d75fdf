package sparql_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/store/sparql"
	"github.com/oslc-pm/pmprovider/store/sparql/sparqltest"
)

// TestLayoutUpgrade: a store of layout version 1 (no resource IRIs as
// strings, value keys of IRIs), half upgraded as a crash would leave it,
// is upgraded in place by Open in several requests, answers queries as
// before, and is left alone by the next Open; a newer layout is refused.
func TestLayoutUpgrade(t *testing.T) {
	ctx := t.Context()
	db := sparqltest.Open(t)
	v, err := db.Layout(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, v, "an empty store is marked with the current layout")

	p, kind := iri("http://example.org/p"), iri("http://example.org/kind")
	var ids []rdf.IRI
	for i := range 7 {
		id := iri(fmt.Sprintf("http://example.org/r/%d", 6-i))
		ids = append([]rdf.IRI{id}, ids...)
		b, _ := rdf.NewBlank("b")
		_, err := db.Create(ctx, id, []rdf.Triple{
			{Subj: id, Pred: p, Obj: xsd(fmt.Sprint(i), "integer")},
			{Subj: id, Pred: kind, Obj: iri(fmt.Sprintf("http://example.org/k%d", i%3))},
			{Subj: id, Pred: p, Obj: b},
		})
		require.NoError(t, err)
	}

	// Back to version 1: no IRI strings, no version, value keys of
	// IRIs; then the first two IRIs back, as a crashed upgrade leaves it.
	prefix := db.Options().GraphPrefix
	ns := sparql.Namespace
	var u strings.Builder
	fmt.Fprintf(&u, "DELETE { GRAPH ?g { ?s <%siri> ?k } } WHERE { GRAPH ?g { ?s <%siri> ?k } FILTER(STRSTARTS(STR(?g), %q)) } ;\n", ns, ns, prefix)
	fmt.Fprintf(&u, "DROP SILENT GRAPH <%s%slayout> ;\n", prefix, ns)
	fmt.Fprintf(&u, "INSERT { GRAPH ?g { ?s <%skey:%s> ?k } } WHERE { GRAPH ?g { ?s <%s> ?o } FILTER(STRSTARTS(STR(?g), %q)) BIND(CONCAT(\"6\", STR(?o)) AS ?k) } ;\n", ns, kind, kind, prefix)
	fmt.Fprintf(&u, "INSERT DATA { GRAPH <%s%s> { <%s> <%siri> %q } GRAPH <%s%s> { <%s> <%siri> %q } }", prefix, ids[0], ids[0], ns, ids[0], prefix, ids[1], ids[1], ns, ids[1])
	require.NoError(t, db.Update(ctx, u.String()))
	v, err = db.Layout(ctx)
	require.NoError(t, err)
	require.Equal(t, 0, v)

	defer sparql.SetUpgradeBatch(2)()
	db = sparqltest.Reopen(t, db)
	v, err = db.Layout(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, v)

	check := func(db *sparql.DB) {
		t.Helper()
		var listed []rdf.IRI
		require.NoError(t, db.Resources(ctx, rdf.IRI{}, func(id rdf.IRI) bool { listed = append(listed, id); return true }))
		assert.Equal(t, ids, listed)
		require.NoError(t, db.View(ctx, func(src query.Source) error {
			ans, err := src.(query.Answerer).Answer(ctx, &query.Pushdown{
				Scope: query.Scope{Prefix: "http://example.org/r/"},
				Where: []query.Cond{{Kind: query.CondNe, Prop: kind, Keys: []string{query.ValueKey(iri("http://example.org/k1"))}}},
				Keys:  []query.SortKey{{Path: []rdf.IRI{kind}, Desc: true}},
				Limit: 3, Count: true,
			})
			require.NoError(t, err)
			assert.Equal(t, 5, ans.Total)
			var got []string
			for _, r := range ans.Rows {
				got = append(got, r.ID.String()+" "+r.Keys[0])
			}
			// Resource r/n has kind k(6-n)%3.
			assert.Equal(t, []string{
				"http://example.org/r/1 6http://example.org/k2",
				"http://example.org/r/4 6http://example.org/k2",
				"http://example.org/r/0 6http://example.org/k0",
			}, got)
			return nil
		}))
	}
	check(db)
	db = sparqltest.Reopen(t, db)
	check(db)

	require.NoError(t, db.Update(ctx, fmt.Sprintf("DELETE WHERE { GRAPH <%s%slayout> { ?s ?p ?o } } ; INSERT DATA { GRAPH <%s%slayout> { <%slayout> <%sversion> 3 } }", prefix, ns, prefix, ns, ns, ns)))
	_, err = sparql.Open(ctx, db.Options())
	require.ErrorIs(t, err, store.ErrCorrupt)
	assert.ErrorContains(t, err, "version 3")
}
