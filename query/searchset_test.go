package query_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// termSource hides the snapshot's search by term id (TextHits and the
// resource sets), leaving its text index read term by term, with the
// postings' resources and the collection size: the engine then searches
// hit by hit.
type termSource struct{ query.Accelerator }

func (termSource) Features() query.Features { return query.Features{Text: true, Stats: true} }

// TestSearchByIDAgrees runs random searches, alone, on the snapshot, which
// answers them by term id, and on a source that reads every hit's term:
// every page must be the same, members, scores, totals and cursors, page
// after page, with and without totals. The data has many score classes,
// large and small, resources under several prefixes, subjects described
// by other resources (resources, staged resources, fragments, blank
// nodes, IRIs of nothing), the same triple stated twice, and a staged
// resource whose indexed version still holds its old title.
func TestSearchByIDAgrees(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), pmStoreOptions(store.Options{NoSync: true}))
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(17, 19))
	// Word i is in about one text in i+1, so the first ones make large
	// classes of hits and the last ones small.
	words := []string{"alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"}
	text := func() string {
		var ws []string
		for range 1 + rng.IntN(4) {
			i := min(int(rng.ExpFloat64()*2.5), len(words)-1)
			ws = append(ws, words[i])
		}
		if rng.IntN(4) == 0 {
			ws = append(ws, strings.ToUpper(ws[0])+",")
		}
		return strings.Join(ws, " ")
	}
	literal := func() rdf.Literal {
		switch rng.IntN(6) {
		case 0:
			l, err := rdf.NewLangLiteral(text(), "en")
			require.NoError(t, err)
			return l
		case 1:
			return typed("<p>"+text()+"</p><b>"+text()+"</b>", vocab.IRI(vocab.RDF, "XMLLiteral"))
		case 2:
			return typed(text(), vocab.IRI(vocab.XSD, "token")) // not searched
		}
		return str(text())
	}
	preds := []rdf.IRI{vocab.DCTitle, vocab.DCDescription, vocab.DCIdentifier, vocab.DCTitle, vocab.IRI(vocab.DCTerms, "subject")}
	dirs := []string{records, records + "j1", records + "j2", hosts, base + "other/"}
	// Staged resources that others describe (members, if under the
	// prefix), and one staged over a stored resource.
	var staged []store.Resource
	for i := range 6 {
		id := iri(fmt.Sprintf("%ss%02d", dirs[i%len(dirs)], i))
		staged = append(staged, store.Resource{ID: id, Triples: []rdf.Triple{tr(id, vocab.DCTitle, str(text()))}})
	}
	var rs []store.Resource
	for i := range 600 {
		id := iri(fmt.Sprintf("%s%04d", dirs[rng.IntN(len(dirs))], rng.IntN(10000)))
		if i%3 == 0 {
			id = iri(fmt.Sprintf("%s%04d", records, i))
		}
		g := []rdf.Triple{tr(id, vocab.RDFType, vocab.PMRecord)}
		for range rng.IntN(4) {
			g = append(g, tr(id, preds[rng.IntN(len(preds))], literal()))
		}
		switch rng.IntN(12) {
		case 0:
			g = append(g, tr(iri(id.String()+"#m1"), vocab.DCTitle, str(text())))
		case 1:
			g = append(g, tr(blank(fmt.Sprintf("n%d", i)), vocab.DCDescription, str(text())))
		case 2:
			g = append(g, tr(iri(fmt.Sprintf("%sghost%d", records, rng.IntN(5))), vocab.DCTitle, str(text())))
		case 3:
			s := staged[rng.IntN(len(staged))].ID
			g = append(g, tr(s, vocab.DCTitle, str(text())))
		case 4:
			if len(rs) > 0 {
				// Another resource's title, or a copy of its triple.
				other := rs[rng.IntN(len(rs))]
				if ts := other.Triples; len(ts) > 1 && rng.IntN(2) == 0 {
					g = append(g, ts[len(ts)-1])
				} else {
					g = append(g, tr(other.ID, vocab.DCTitle, str(text())))
				}
			}
		}
		rs = append(rs, store.Resource{ID: id, Triples: g})
	}
	require.NoError(t, db.Stage(ctx, staged))
	require.NoError(t, db.Load(ctx, dedupe(rs)))
	over := rs[5].ID
	require.NoError(t, db.Stage(ctx, []store.Resource{{ID: over, Triples: []rdf.Triple{tr(over, vocab.DCTitle, str("mu mu mu"))}}}))

	type outcome struct {
		pages []*query.Result
	}
	run := func(s *store.Snapshot, byID bool, scope query.Scope, q *query.Query, size int, rng *rand.Rand) outcome {
		var src query.Source = boltsource.NewSource(s)
		if !byID {
			src = termSource{boltsource.NewSource(s)}
		}
		var o outcome
		page := query.Page{Size: size, NoTotal: rng.IntN(3) == 0}
		for range 1000 {
			res, err := query.Run(ctx, src, scope, q, page)
			require.NoError(t, err)
			o.pages = append(o.pages, res)
			if res.Next == "" {
				return o
			}
			page = query.Page{Size: size, After: res.Next, NoTotal: rng.IntN(2) == 0}
		}
		t.Fatal("too many pages")
		return o
	}
	scopes := []query.Scope{{Prefix: records}, {Prefix: records + "j1"}, {Prefix: base}, {Prefix: hosts}, {Prefix: base + "none/"}, {Prefix: ""}}
	found := 0
	for i := range 300 {
		var terms []string
		for range 1 + rng.IntN(3) {
			w := words[rng.IntN(len(words))]
			switch rng.IntN(8) {
			case 0:
				w += " " + words[rng.IntN(len(words))]
			case 1:
				w = "nothing"
			case 2:
				w = strings.ToUpper(w)
			}
			terms = append(terms, fmt.Sprintf("%q", w))
		}
		q, err := parseQuery("", "", "", strings.Join(terms, ","))
		require.NoError(t, err)
		scope := scopes[i%len(scopes)]
		size := []int{1, 3, 7, 40, 1000, 0}[rng.IntN(6)]
		seed := rng.Uint64()
		require.NoError(t, db.View(ctx, func(s *store.Snapshot) error {
			want := run(s, false, scope, q, size, rand.New(rand.NewPCG(seed, 1)))
			got := run(s, true, scope, q, size, rand.New(rand.NewPCG(seed, 1)))
			what := fmt.Sprintf("%s in %q, size %d", strings.Join(terms, ","), scope.Prefix, size)
			require.Equal(t, len(want.pages), len(got.pages), what)
			for j := range want.pages {
				assert.Equal(t, want.pages[j], got.pages[j], "%s: page %d", what, j)
			}
			if want.pages[0].Total > 3*size {
				found++
			}
			return nil
		}))
	}
	assert.Greater(t, found, 50, "many searches have several pages")
}

// dedupe keeps the last resource of each IRI.
func dedupe(rs []store.Resource) []store.Resource {
	at := map[string]int{}
	var out []store.Resource
	for _, r := range rs {
		if i, ok := at[r.ID.String()]; ok {
			out[i] = r
			continue
		}
		at[r.ID.String()] = len(out)
		out = append(out, r)
	}
	return out
}
