package query_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// manyTerms is a conjunction of n terms of a shape, built as a value so
// that it may pass parser.MaxTerms: the engine's cost must grow with n
// alone, whoever made the tree.
func manyTerms(shape string, n int) *parser.Where {
	terms := make([]parser.Term, n)
	for i := range terms {
		switch shape {
		case "distinct": // none holds: every probe ends at once
			terms[i] = parser.Eq(vocab.DCTitle, str(fmt.Sprintf("w%d", i)))
		case "pairs": // keys and ranges of the measure pair, and hosts
			switch i % 3 {
			case 0:
				terms[i] = parser.Eq(vocab.EMSMetric, pmCpuUsed)
			case 1:
				terms[i] = parser.Compare(vocab.EMSNumericValue, parser.OpGT, typed(fmt.Sprint(i%90), vocab.XSDInteger))
			default:
				terms[i] = parser.Eq(vocab.DCIsPartOf, benchHost(i%10))
			}
		}
	}
	return parser.And(terms...)
}

// TestPlanLinear checks that planning a conjunction costs in proportion to
// its terms: twice the terms, about twice the allocations. The planner
// used to match every term with every other to find the pairs the store
// indexes together, four times the work for twice the terms.
func TestPlanLinear(t *testing.T) {
	db := openFixture(t)
	for _, shape := range []string{"distinct", "pairs"} {
		t.Run(shape, func(t *testing.T) {
			allocs := func(n int) float64 {
				q := &query.Query{Where: manyTerms(shape, n)}
				return testing.AllocsPerRun(3, func() {
					err := db.View(t.Context(), func(s *store.Snapshot) error {
						_, err := query.Run(t.Context(), boltsource.NewSource(s), recordScope, q, query.Page{Size: 10})
						return err
					})
					require.NoError(t, err)
				})
			}
			small, large := allocs(400), allocs(1600)
			ratio := large / small
			t.Logf("allocations: %.0f for 400 terms, %.0f for 1600: ×%.2f", small, large, ratio)
			assert.Less(t, ratio, 6.0, "four times the terms, at most about four times the work; quadratic is ×16")
		})
	}
}

// BenchmarkManyTerms runs conjunctions of many terms on a store of 2,000
// records; ns/op should grow in proportion to the terms.
func BenchmarkManyTerms(b *testing.B) {
	db, err := store.Open(filepath.Join(b.TempDir(), "pm.db"), pmStoreOptions(store.Options{NoSync: true}))
	require.NoError(b, err)
	defer db.Close()
	require.NoError(b, generate(b.Context(), b, db, 2000, 10))
	for _, shape := range []string{"distinct", "pairs"} {
		for _, n := range []int{parser.MaxTerms, 1000, 4000} {
			b.Run(fmt.Sprintf("%s/terms=%d", shape, n), func(b *testing.B) {
				q := &query.Query{Where: manyTerms(shape, n)}
				for b.Loop() {
					err := db.View(b.Context(), func(s *store.Snapshot) error {
						_, err := query.Run(b.Context(), boltsource.NewSource(s), recordScope, q, query.Page{Size: 100})
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// blindSource is a Source that never looks at the context it is given,
// and cancels the run's context after a number of reads: the engine alone
// must notice and stop.
type blindSource struct {
	src    query.Source
	calls  atomic.Int64
	after  int64
	cancel func()
	once   sync.Once
}

func (b *blindSource) tick() {
	if b.calls.Add(1) == b.after {
		b.once.Do(b.cancel)
	}
}

func (b *blindSource) Match(_ context.Context, s rdf.Subject, p rdf.Predicate, o rdf.Object, fn func(t rdf.Triple) bool) error {
	b.tick()
	return b.src.Match(context.Background(), s, p, o, fn)
}

func (b *blindSource) Range(_ context.Context, p rdf.IRI, lo, hi *rdf.Literal, opt query.RangeOptions, fn func(s rdf.Subject, o rdf.Literal) bool) error {
	b.tick()
	return b.src.Range(context.Background(), p, lo, hi, opt, fn)
}

func (b *blindSource) Resources(_ context.Context, after rdf.IRI, fn func(id rdf.IRI) bool) error {
	b.tick()
	return b.src.Resources(context.Background(), after, fn)
}

func (b *blindSource) Exists(_ context.Context, id rdf.IRI) (bool, error) {
	b.tick()
	return b.src.Exists(context.Background(), id)
}

func (b *blindSource) Get(_ context.Context, id rdf.IRI) ([]rdf.Triple, string, error) {
	b.tick()
	return b.src.Get(context.Background(), id)
}

// TestRunStopsWhenCanceled checks that a run stops soon after its context
// is done (the client went away), even on a source that does not notice.
func TestRunStopsWhenCanceled(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), pmStoreOptions(store.Options{NoSync: true}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, generate(t.Context(), t, db, 2000, 10))
	// Not indexable: every record is read and checked.
	q, err := parseQuery(`dcterms:title!="none" and ems:observes{ems:numericValue!=-1}`, "", "", "")
	require.NoError(t, err)
	for _, after := range []int64{1, 10, 100} {
		t.Run(fmt.Sprint("after=", after), func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var src *blindSource
			err := db.View(ctx, func(s *store.Snapshot) error {
				src = &blindSource{src: boltsource.NewSource(s), after: after, cancel: cancel}
				_, err := query.Run(ctx, src, recordScope, q, query.Page{Size: 10})
				return err
			})
			require.ErrorIs(t, err, context.Canceled)
			late := src.calls.Load() - after
			assert.LessOrEqual(t, late, int64(10), "reads after the cancel; a whole run reads over 10,000")
		})
	}
}
