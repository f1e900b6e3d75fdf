package sparql_test

import (
	"context"
	"sync"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/store/sparql"
	"github.com/oslc-pm/pmprovider/store/sparql/sparqltest"
	"github.com/oslc-pm/pmprovider/vocab"
)

func TestMain(m *testing.M) { sparqltest.Main(m) }

func iri(s string) rdf.IRI { i, _ := rdf.NewIRI(s); return i }

func xsd(lex, local string) rdf.Literal { return rdf.NewTypedLiteral(lex, vocab.IRI(vocab.XSD, local)) }

// tricky are literals a SPARQL store is apt to rewrite or refuse.
func tricky(id rdf.IRI) []rdf.Triple {
	p := iri("http://example.org/p")
	bn, _ := rdf.NewBlank("n1")
	en, _ := rdf.NewLangLiteral("Colour", "en-GB")
	var g []rdf.Triple
	for _, o := range []rdf.Object{
		xsd("007", "integer"), xsd("1.50", "decimal"), xsd("bad", "integer"), xsd(" 7 ", "double"),
		xsd("2026-11-01T00:00:00.500+02:00", "dateTime"), xsd("2026-13-01T00:00:00Z", "dateTime"),
		xsd("1", "boolean"), xsd("1e400", "double"), xsd("NaN", "double"), en,
		rdf.NewTypedLiteral("<p>x</p>", vocab.IRI(vocab.RDF, "XMLLiteral")),
		xsd("line\nbreak \"q\" \\ é 😀", "string"), rdf.NewTypedLiteral("x", iri("http://example.org/dt")),
		bn,
	} {
		g = append(g, rdf.Triple{Subj: id, Pred: p, Obj: o})
	}
	g = append(g, rdf.Triple{Subj: bn, Pred: p, Obj: xsd("inner", "string")})
	return g
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := sparqltest.Open(t)
	id := iri("http://example.org/r/1")
	g := tricky(id)
	etag, err := db.Create(ctx, id, g)
	require.NoError(t, err)
	got, etag2, err := db.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, etag, etag2)
	require.Len(t, got, len(g))
	for i := range g {
		if _, ok := g[i].Obj.(rdf.Blank); ok {
			continue
		}
		if _, ok := g[i].Subj.(rdf.Blank); ok {
			continue
		}
		assert.Equal(t, g[i], got[i])
	}
	// Match reads the terms back as written, too.
	var matched []rdf.Triple
	require.NoError(t, db.View(ctx, func(src query.Source) error {
		return src.Match(ctx, id, nil, nil, func(t rdf.Triple) bool { matched = append(matched, t); return true })
	}))
	assert.ElementsMatch(t, got[:len(got)-1], matched)

	_, err = db.Create(ctx, id, g)
	assert.ErrorIs(t, err, store.ErrExists)
	_, err = db.Replace(ctx, id, g[:2], `"stale"`)
	assert.ErrorIs(t, err, store.ErrPreconditionFailed)
	etag3, err := db.Replace(ctx, id, g[:2], etag)
	require.NoError(t, err)
	got, _, err = db.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, g[:2], got)
	assert.ErrorIs(t, db.Delete(ctx, id, etag), store.ErrPreconditionFailed)
	require.NoError(t, db.Delete(ctx, id, etag3))
	_, _, err = db.Get(ctx, id)
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.ErrorIs(t, err, query.ErrNotFound)
	assert.ErrorIs(t, db.Delete(ctx, id, ""), store.ErrNotFound)
	_, err = db.Replace(ctx, id, g, "")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

// TestLostRace has writers race on one ETag: exactly one wins, the others
// are told the precondition failed, and the resource is the winner's.
func TestLostRace(t *testing.T) {
	ctx := context.Background()
	db := sparqltest.Open(t)
	id := iri("http://example.org/r/race")
	etag, err := db.Create(ctx, id, tricky(id)[:1])
	require.NoError(t, err)
	const n = 6
	var wg sync.WaitGroup
	etags := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := []rdf.Triple{{Subj: id, Pred: iri("http://example.org/by"), Obj: xsd(string(rune('a'+i)), "string")}}
			etags[i], errs[i] = db.Replace(ctx, id, g, etag)
		}()
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		if err == nil {
			require.Equal(t, -1, won, "two writers won")
			won = i
		} else {
			assert.ErrorIs(t, err, store.ErrPreconditionFailed)
		}
	}
	require.NotEqual(t, -1, won)
	got, cur, err := db.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, etags[won], cur)
	require.Len(t, got, 1)
	assert.Equal(t, string(rune('a'+won)), got[0].Obj.(rdf.Literal).String())
}

func TestRangeAndResources(t *testing.T) {
	ctx := context.Background()
	db := sparqltest.Open(t)
	p := iri("http://example.org/v")
	var rs []store.Resource
	vals := []rdf.Literal{xsd("3", "int"), xsd("1.5", "decimal"), xsd("2E0", "double"), xsd("x", "double"),
		xsd("2026-11-01T01:00:00+02:00", "dateTime"), xsd("2026-11-01T00:00:00Z", "dateTime")}
	for i, v := range vals {
		id := iri("http://example.org/r/" + string(rune('a'+i)))
		rs = append(rs, store.Resource{ID: id, Triples: []rdf.Triple{{Subj: id, Pred: p, Obj: v}}})
	}
	require.NoError(t, db.Load(ctx, rs))
	var order []string
	src := &sparql.Source{}
	_ = src
	require.NoError(t, db.View(ctx, func(src query.Source) error {
		return src.Range(ctx, p, nil, nil, query.RangeOptions{}, func(s rdf.Subject, o rdf.Literal) bool {
			order = append(order, o.String())
			return true
		})
	}))
	assert.Equal(t, []string{"1.5", "2E0", "3", "2026-11-01T01:00:00+02:00", "2026-11-01T00:00:00Z"}, order)
	lo := xsd("2", "integer")
	order = nil
	require.NoError(t, db.View(ctx, func(src query.Source) error {
		return src.Range(ctx, p, &lo, nil, query.RangeOptions{LoInclusive: true, Desc: true}, func(s rdf.Subject, o rdf.Literal) bool {
			order = append(order, o.String())
			return true
		})
	}))
	assert.Equal(t, []string{"3", "2E0"}, order)
	var ids []string
	require.NoError(t, db.Resources(ctx, iri("http://example.org/r/b"), func(id rdf.IRI) bool { ids = append(ids, id.String()); return true }))
	assert.Equal(t, []string{"http://example.org/r/c", "http://example.org/r/d", "http://example.org/r/e", "http://example.org/r/f"}, ids)
}
