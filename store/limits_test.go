package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
)

// randomWords returns n distinct random words, space-separated, as a
// hostile client might send in one title.
func randomWords(n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 1))
	ws := make([]string, n)
	for i := range ws {
		ws[i] = fmt.Sprintf("w%x", rng.Uint64())
	}
	return ws
}

// textKeys counts the postings of the full-text index.
func textKeys(t testing.TB, db *store.DB) int {
	t.Helper()
	var n int
	require.NoError(t, db.View(t.Context(), func(s *store.Snapshot) error {
		var err error
		n, err = s.BucketKeysForTest("text")
		return err
	}))
	return n
}

func TestTextTokenLimit(t *testing.T) {
	db, _ := openDB(t, &store.Options{NoSync: true})
	ws := randomWords(330000, 1)
	title := ws[0] + " " + strings.Join(ws, " ") // the first word twice
	id := ex("big")
	_, err := db.Create(t.Context(), id, []rdf.Triple{{Subj: id, Pred: exTitle, Obj: rdf.NewTypedLiteral(title, xsdString)}})
	require.NoError(t, err)

	assert.Equal(t, store.MaxTextTokens, textKeys(t, db), "the first MaxTextTokens distinct words")
	post := "<" + id.String() + "> <" + exTitle.String() + "> "
	assert.Equal(t, []string{post + "2"}, textAll(t, db, ws[0]), "a kept word counts all its occurrences")
	assert.Equal(t, []string{post + "1"}, textAll(t, db, ws[store.MaxTextTokens-1]))
	assert.Empty(t, textAll(t, db, ws[store.MaxTextTokens]), "past the limit")
	assert.Empty(t, textAll(t, db, ws[len(ws)-1]), "past the limit")

	_, err = db.Replace(t.Context(), id, []rdf.Triple{{Subj: id, Pred: exTitle, Obj: rdf.NewTypedLiteral("small title", xsdString)}}, "")
	require.NoError(t, err)
	assert.Equal(t, 2, textKeys(t, db), "replaced: the new title's words only")
	require.NoError(t, db.Delete(t.Context(), id, ""))
	assert.Zero(t, textKeys(t, db))
}

// TestTextLimitOldPostings checks that deleting a literal indexed before
// the limit, with postings of all its words, removes them all.
func TestTextLimitOldPostings(t *testing.T) {
	db, _ := openDB(t, &store.Options{NoSync: true})
	ws := randomWords(store.MaxTextTokens+500, 2)
	id := ex("old")
	_, err := db.Create(t.Context(), id, []rdf.Triple{{Subj: id, Pred: exTitle, Obj: rdf.NewTypedLiteral(strings.Join(ws, " "), xsdString)}})
	require.NoError(t, err)
	require.NoError(t, db.IndexAllTokensForTest(id))
	require.Equal(t, len(ws), textKeys(t, db))
	require.NoError(t, db.Delete(t.Context(), id, ""))
	assert.Zero(t, textKeys(t, db))
}

// BenchmarkLargeWrite writes one large resource into a fresh store: a
// title of 330,000 distinct words (3.9 MB), or 100,000 triples with
// distinct values. Keys put in random order into a small index cost the
// square of their number (see putBuffer): ms/op should grow with size.
func BenchmarkLargeWrite(b *testing.B) {
	cases := []struct {
		name string
		g    func(id rdf.IRI) []rdf.Triple
	}{
		{"title/words=330000", func(id rdf.IRI) []rdf.Triple {
			return []rdf.Triple{{Subj: id, Pred: exTitle, Obj: rdf.NewTypedLiteral(strings.Join(randomWords(330000, 3), " "), xsdString)}}
		}},
	}
	for _, n := range []int{25000, 50000, 100000} {
		cases = append(cases, struct {
			name string
			g    func(id rdf.IRI) []rdf.Triple
		}{fmt.Sprint("triples=", n), func(id rdf.IRI) []rdf.Triple {
			g := make([]rdf.Triple, n)
			for i, w := range randomWords(n, 4) {
				g[i] = rdf.Triple{Subj: id, Pred: ns("note"), Obj: rdf.NewTypedLiteral(w, xsdString)}
			}
			return g
		}})
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			id := ex("big")
			g := c.g(id)
			for b.Loop() {
				b.StopTimer()
				db, _ := openDB(b, &store.Options{NoSync: true})
				b.StartTimer()
				if _, err := db.Create(b.Context(), id, g); err != nil {
					b.Fatal(err)
				}
				if err := db.Delete(b.Context(), id, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSmallWriteBesideLarge creates small records while another
// goroutine writes resources with a 330,000-word title, and reports how
// long the small writes wait: the p50 and the longest.
func BenchmarkSmallWriteBesideLarge(b *testing.B) {
	db, _ := openDB(b, &store.Options{NoSync: true})
	title := strings.Join(randomWords(330000, 5), " ")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			id := ex(fmt.Sprint("big", i))
			if _, err := db.Create(b.Context(), id, []rdf.Triple{{Subj: id, Pred: exTitle, Obj: rdf.NewTypedLiteral(title, xsdString)}}); err != nil {
				b.Error(err)
				return
			}
		}
	}()
	var times []time.Duration
	i := 0
	for b.Loop() {
		id, g := sampleRecord(i)
		i++
		start := time.Now()
		if _, err := db.Create(b.Context(), id, g); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	close(stop)
	wg.Wait()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "max-ms")
}

// TestTextRebuildInChunks rebuilds the text index in passes of a few
// postings each: it must hold what writing the resources made.
func TestTextRebuildInChunks(t *testing.T) {
	db, path := openDB(t, &store.Options{NoSync: true})
	ws := randomWords(300, 6)
	for i := range 30 {
		id := ex(fmt.Sprint("r", i))
		text := strings.Join(ws[i*7:i*7+40], " ") + " Élan 42 été"
		_, err := db.Create(t.Context(), id, []rdf.Triple{{Subj: id, Pred: exTitle, Obj: rdf.NewTypedLiteral(text, xsdString)}})
		require.NoError(t, err)
	}
	want := prefixAll(t, db, "")
	require.NoError(t, db.Close())

	defer store.SetRebuildChunk(17)()
	db, err := store.Open(path, &store.Options{NoSync: true, TextPredicates: []rdf.IRI{exDescription}})
	require.NoError(t, err)
	assert.Empty(t, prefixAll(t, db, ""))
	require.NoError(t, db.Close())
	db, err = store.Open(path, &store.Options{NoSync: true, TextPredicates: testText})
	require.NoError(t, err)
	defer db.Close()
	assert.Equal(t, want, prefixAll(t, db, ""))
}

// BenchmarkTextRebuild rebuilds the text index of a store of 40,000
// records (about 200,000 postings), as opening it with other text
// predicates does. Put in the order of the resources, the postings of a
// rebuild all land in the nodes of one new bucket (see putBuffer).
func BenchmarkTextRebuild(b *testing.B) {
	db, path := openDB(b, &store.Options{NoSync: true, TextPredicates: []rdf.IRI{}})
	for i := 0; i < 40000; i += 1000 {
		require.NoError(b, db.Load(b.Context(), records(i, 1000)))
	}
	require.NoError(b, db.Close())
	for b.Loop() {
		db, err := store.Open(path, &store.Options{NoSync: true, TextPredicates: testText})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		require.NoError(b, db.Close())
		db, err = store.Open(path, &store.Options{NoSync: true, TextPredicates: []rdf.IRI{}})
		require.NoError(b, err)
		require.NoError(b, db.Close())
		b.StartTimer()
	}
}
