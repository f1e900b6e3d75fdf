package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
)

func TestCreateGet(t *testing.T) {
	long := strings.Repeat("x", 40000) // beyond bbolt's key limit
	tests := []struct {
		name string
		g    []rdf.Triple
		want []rdf.Triple // nil: same as g
	}{
		{name: "empty"},
		{name: "iris", g: []rdf.Triple{tr(ex("r"), rdfType, exRecord)}},
		{name: "literals", g: []rdf.Triple{
			tr(ex("r"), exTitle, str("plain")),
			tr(ex("r"), exTitle, lang("chat", "fr")),
			tr(ex("r"), exTitle, lang("chat", "en-GB")),
			tr(ex("r"), exDate, dt("2026-11-01T10:00:00+02:00")),
			tr(ex("r"), exValue, dbl("1.5")),
			tr(ex("r"), exValue, typed("1.5", xsdDecimal)),
			tr(ex("r"), exValue, typed("x", iri("http://example.org/dt"))),
			tr(ex("r"), exDescription, str("tab\tnull\x00nl\n\"q\"")),
			tr(ex("r"), exDescription, str("")),
		}},
		{name: "long terms", g: []rdf.Triple{
			tr(ex("r"), exDescription, str(long)),
			tr(ex("r"), exSource, ex(long)),
			tr(ex(long), exSource, typed(long, ex(long))),
		}},
		{
			name: "duplicates dropped, order kept",
			g: []rdf.Triple{
				tr(ex("r"), exTitle, str("b")),
				tr(ex("r"), exTitle, str("a")),
				tr(ex("r"), exTitle, str("b")),
			},
			want: []rdf.Triple{
				tr(ex("r"), exTitle, str("b")),
				tr(ex("r"), exTitle, str("a")),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openDB(t, nil)
			etag, err := db.Create(t.Context(), ex("r"), tt.g)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(etag, `"`) && strings.HasSuffix(etag, `"`) && len(etag) > 2, "etag %s not quoted", etag)

			g, got, err := db.Get(t.Context(), ex("r"))
			require.NoError(t, err)
			assert.Equal(t, etag, got)
			want := tt.want
			if want == nil {
				want = tt.g
			}
			gotNT := make([]string, len(g))
			for i := range g {
				gotNT[i] = ntTriple(g[i])
			}
			wantNT := make([]string, len(want))
			for i := range want {
				wantNT[i] = ntTriple(want[i])
			}
			assert.Equal(t, wantNT, gotNT)
		})
	}
}

func TestCreateErrors(t *testing.T) {
	db, _ := openDB(t, nil)
	_, err := db.Create(t.Context(), ex("r"), nil)
	require.NoError(t, err)

	tests := []struct {
		name string
		id   rdf.IRI
		g    []rdf.Triple
		want error
	}{
		{"exists", ex("r"), nil, store.ErrExists},
		{"empty id", rdf.IRI{}, nil, store.ErrInvalid},
		{"nil subject", ex("a"), []rdf.Triple{{Pred: exTitle, Obj: str("x")}}, store.ErrInvalid},
		{"nil predicate", ex("a"), []rdf.Triple{{Subj: ex("a"), Obj: str("x")}}, store.ErrInvalid},
		{"nil object", ex("a"), []rdf.Triple{{Subj: ex("a"), Pred: exTitle}}, store.ErrInvalid},
		{"zero blank", ex("a"), []rdf.Triple{tr(rdf.Blank{}, exTitle, str("x"))}, store.ErrInvalid},
		{"zero IRI object", ex("a"), []rdf.Triple{tr(ex("a"), exTitle, rdf.IRI{})}, store.ErrInvalid},
		{"pointer term", ex("a"), []rdf.Triple{tr(ex("a"), exTitle, &rdf.IRI{})}, store.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.Create(t.Context(), tt.id, tt.g)
			require.ErrorIs(t, err, tt.want)
			ok, err := db.Exists(t.Context(), ex("a"))
			require.NoError(t, err)
			assert.False(t, ok, "failed Create left a resource")
		})
	}
}

func TestBlankScoping(t *testing.T) {
	db, _ := openDB(t, nil)
	// Both resources say _:m; within each it is one node.
	for _, r := range []string{"a", "b"} {
		_, err := db.Create(t.Context(), ex(r), []rdf.Triple{
			tr(ex(r), exObserves, blank("m")),
			tr(blank("m"), exValue, dbl("1")),
			tr(blank("m"), exMetric, blank("n")),
		})
		require.NoError(t, err)
	}
	labels := map[string]string{} // label → resource
	for _, r := range []string{"a", "b"} {
		g, _, err := db.Get(t.Context(), ex(r))
		require.NoError(t, err)
		require.Len(t, g, 3)
		m, ok := g[0].Obj.(rdf.Blank)
		require.True(t, ok)
		assert.Equal(t, nt(m), nt(g[1].Subj), "same label in one resource is one node")
		assert.Equal(t, nt(m), nt(g[2].Subj))
		n := g[2].Obj.(rdf.Blank)
		assert.NotEqual(t, nt(m), nt(n))
		for _, b := range []rdf.Blank{m, n} {
			assert.NotContains(t, labels, b.String(), "label reused across resources")
			labels[b.String()] = r
		}
		// A relabelled blank node matches only its own resource's triples.
		assert.Len(t, matchAll(t, db, m, nil, nil), 2)
		assert.Len(t, matchAll(t, db, nil, nil, m), 1)
	}
	// Writing back what Get returned makes new nodes again.
	g, _, err := db.Get(t.Context(), ex("a"))
	require.NoError(t, err)
	_, err = db.Replace(t.Context(), ex("a"), g, "")
	require.NoError(t, err)
	g2, _, err := db.Get(t.Context(), ex("a"))
	require.NoError(t, err)
	assert.NotEqual(t, nt(g[0].Obj), nt(g2[0].Obj))
	assert.Empty(t, matchAll(t, db, g[0].Obj.(rdf.Blank), nil, nil), "old blank node still stored")
	assert.Empty(t, matchAll(t, db, blank("m"), nil, nil), "input label stored")
}

func TestSameTripleTwoResources(t *testing.T) {
	db, _ := openDB(t, nil)
	shared := tr(ex("host"), exTitle, str("shared"))
	part := func(r string) rdf.Triple { return tr(ex(r), exPartOf, ex("host")) }
	for _, r := range []string{"a", "b"} {
		_, err := db.Create(t.Context(), ex(r), []rdf.Triple{shared, part(r)})
		require.NoError(t, err)
	}
	patterns := []struct {
		name string
		s    rdf.Subject
		p    rdf.Predicate
		o    rdf.Object
	}{
		{"spo", ex("host"), exTitle, str("shared")},
		{"sp", ex("host"), exTitle, nil},
		{"s", ex("host"), nil, nil},
		{"p", nil, exTitle, nil},
		{"o", nil, nil, str("shared")},
		{"po", nil, exTitle, str("shared")},
		{"so", ex("host"), nil, str("shared")},
	}
	states := []struct {
		name   string
		delete string
		graphs []string     // resources stating shared
		all    []rdf.Triple // Match(nil, nil, nil)
	}{
		{"both", "", []string{ex("a").String(), ex("b").String()}, []rdf.Triple{shared, part("a"), part("b")}},
		{"after deleting a", "a", []string{ex("b").String()}, []rdf.Triple{shared, part("b")}},
		{"after deleting b", "b", nil, nil},
	}
	for _, st := range states {
		if st.delete != "" {
			require.NoError(t, db.Delete(t.Context(), ex(st.delete), ""))
		}
		t.Run(st.name, func(t *testing.T) {
			var want []string
			if len(st.graphs) > 0 {
				want = []string{ntTriple(shared)}
			}
			for _, pt := range patterns {
				assert.Equal(t, want, matchAll(t, db, pt.s, pt.p, pt.o), pt.name)
			}
			assert.ElementsMatch(t, ntSet(st.all), matchAll(t, db, nil, nil, nil))
			var gs []string
			err := db.MatchQuads(t.Context(), ex("host"), exTitle, nil, func(_ rdf.Triple, g rdf.IRI) bool {
				gs = append(gs, g.String())
				return true
			})
			require.NoError(t, err)
			assert.Equal(t, st.graphs, gs)
		})
	}
	st, err := db.Stats(t.Context())
	require.NoError(t, err)
	assert.Equal(t, store.Stats{Size: st.Size}, st, "terms left behind")
}

func TestReplace(t *testing.T) {
	db, _ := openDB(t, nil)
	etag1, err := db.Create(t.Context(), ex("r"), []rdf.Triple{tr(ex("r"), exTitle, str("one"))})
	require.NoError(t, err)

	tests := []struct {
		name    string
		id      rdf.IRI
		ifMatch func(current string) string
		wantErr error
	}{
		{"missing", ex("nope"), func(string) string { return "" }, store.ErrNotFound},
		{"stale etag", ex("r"), func(string) string { return etag1 + "x" }, store.ErrPreconditionFailed},
		{"weak etag", ex("r"), func(c string) string { return "W/" + c }, store.ErrPreconditionFailed},
		{"current etag", ex("r"), func(c string) string { return c }, nil},
		{"star", ex("r"), func(string) string { return "*" }, nil},
		{"unconditional", ex("r"), func(string) string { return "" }, nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, cur, err := db.Get(t.Context(), ex("r"))
			require.NoError(t, err)
			title := str(tt.name)
			etag, err := db.Replace(t.Context(), tt.id, []rdf.Triple{tr(ex("r"), exTitle, title)}, tt.ifMatch(cur))
			g, now, gerr := db.Get(t.Context(), ex("r"))
			require.NoError(t, gerr)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Equal(t, cur, now, "failed Replace changed the etag")
				assert.Equal(t, ntSet(before), ntSet(g), "failed Replace changed the graph")
				return
			}
			require.NoError(t, err, "case %d", i)
			assert.NotEqual(t, cur, etag)
			assert.Equal(t, etag, now)
			assert.Equal(t, []string{ntTriple(tr(ex("r"), exTitle, title))}, ntSet(g))
			assert.Equal(t, ntSet(g), matchAll(t, db, nil, exTitle, nil), "old triples left in the indexes")
		})
	}
}

func TestReplaceAtomic(t *testing.T) {
	db, _ := openDB(t, &store.Options{NoSync: true, MaxBatchDelay: time.Millisecond})
	versions := make([][]rdf.Triple, 2)
	for v := range versions {
		for i := range 30 {
			versions[v] = append(versions[v], tr(ex("r"), ex(fmt.Sprint("p", i)), intl(strings.Repeat("1", v+1))))
		}
	}
	want := []string{strings.Join(ntSet(versions[0]), "\n"), strings.Join(ntSet(versions[1]), "\n")}
	_, err := db.Create(t.Context(), ex("r"), versions[0])
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				g, _, err := db.Get(ctx, ex("r"))
				if errors.Is(err, context.Canceled) {
					return
				}
				if !assert.NoError(t, err) {
					return
				}
				assert.Contains(t, want, strings.Join(ntSet(g), "\n"), "Get saw a mix of versions")
				m := matchAll(t, db, ex("r"), nil, nil)
				assert.Contains(t, want, strings.Join(m, "\n"), "Match saw a mix of versions")
			}
		}()
	}
	for i := range 60 {
		_, err := db.Replace(t.Context(), ex("r"), versions[i%2], "")
		require.NoError(t, err)
	}
	cancel()
	wg.Wait()
}

func TestETags(t *testing.T) {
	db, _ := openDB(t, nil)
	seen := map[string]bool{}
	add := func(etag string) {
		t.Helper()
		assert.False(t, seen[etag], "etag %s reused", etag)
		seen[etag] = true
	}
	g := []rdf.Triple{tr(ex("r"), exTitle, str("same"))}
	for range 3 {
		etag, err := db.Create(t.Context(), ex("r"), g)
		require.NoError(t, err)
		add(etag)
		for range 3 {
			etag, err = db.Replace(t.Context(), ex("r"), g, etag)
			require.NoError(t, err)
			add(etag)
		}
		require.ErrorIs(t, db.Delete(t.Context(), ex("r"), etag+"0"), store.ErrPreconditionFailed)
		require.NoError(t, db.Delete(t.Context(), ex("r"), etag))
	}
	require.NoError(t, db.Load(t.Context(), []store.Resource{{ID: ex("r"), Triples: g}}))
	_, etag, err := db.Get(t.Context(), ex("r"))
	require.NoError(t, err)
	add(etag)

	// A new file makes new ETags.
	db2, _ := openDB(t, nil)
	etag2, err := db2.Create(t.Context(), ex("r"), g)
	require.NoError(t, err)
	add(etag2)
}

func TestDelete(t *testing.T) {
	db, _ := openDB(t, nil)
	id, g := sampleRecord(1)
	_, err := db.Create(t.Context(), ex("other"), []rdf.Triple{tr(ex("other"), exPartOf, id)})
	require.NoError(t, err)
	before, err := db.Stats(t.Context())
	require.NoError(t, err)
	etag, err := db.Create(t.Context(), id, g)
	require.NoError(t, err)

	require.ErrorIs(t, db.Delete(t.Context(), ex("nope"), ""), store.ErrNotFound)
	require.ErrorIs(t, db.Delete(t.Context(), id, `"bogus"`), store.ErrPreconditionFailed)
	require.NoError(t, db.Delete(t.Context(), id, etag))
	require.ErrorIs(t, db.Delete(t.Context(), id, ""), store.ErrNotFound)

	ok, err := db.Exists(t.Context(), id)
	require.NoError(t, err)
	assert.False(t, ok)
	_, _, err = db.Get(t.Context(), id)
	require.ErrorIs(t, err, store.ErrNotFound)
	for _, p := range []rdf.Predicate{nil, rdfType, exValue, exDate} {
		got := matchAll(t, db, nil, p, nil)
		for _, line := range got {
			assert.Equal(t, ntTriple(tr(ex("other"), exPartOf, id)), line)
		}
	}
	assert.Empty(t, rangeAll(t, db, exValue, nil, nil, store.RangeOptions{}))
	after, err := db.Stats(t.Context())
	require.NoError(t, err)
	after.Size, before.Size = 0, 0
	assert.Equal(t, before, after, "Delete left terms or triples")
}

func TestLoad(t *testing.T) {
	db, _ := openDB(t, nil)
	_, err := db.Create(t.Context(), ex("r0"), []rdf.Triple{tr(ex("r0"), exTitle, str("old"))})
	require.NoError(t, err)

	rs := []store.Resource{
		{ID: ex("r0"), Triples: []rdf.Triple{tr(ex("r0"), exTitle, str("new"))}},
		{ID: ex("r1"), Triples: []rdf.Triple{tr(ex("r1"), exTitle, str("first"))}},
		{ID: ex("r1"), Triples: []rdf.Triple{tr(ex("r1"), exTitle, str("last"))}},
		{ID: ex("r2"), Triples: []rdf.Triple{tr(ex("r2"), exObserves, blank("m")), tr(blank("m"), exValue, dbl("2"))}},
	}
	require.NoError(t, db.Load(t.Context(), rs))
	assert.Equal(t, []string{
		ntTriple(tr(ex("r0"), exTitle, str("new"))),
		ntTriple(tr(ex("r1"), exTitle, str("last"))),
	}, matchAll(t, db, nil, exTitle, nil))
	g, _, err := db.Get(t.Context(), ex("r2"))
	require.NoError(t, err)
	require.Len(t, g, 2)
	assert.Equal(t, nt(g[0].Obj), nt(g[1].Subj))

	t.Run("invalid input writes nothing", func(t *testing.T) {
		err := db.Load(t.Context(), []store.Resource{
			{ID: ex("r3"), Triples: nil},
			{ID: ex("r4"), Triples: []rdf.Triple{{Subj: ex("r4")}}},
		})
		require.ErrorIs(t, err, store.ErrInvalid)
		ok, err := db.Exists(t.Context(), ex("r3"))
		require.NoError(t, err)
		assert.False(t, ok)
	})
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		require.ErrorIs(t, db.Load(ctx, []store.Resource{{ID: ex("r3")}}), context.Canceled)
	})
	st, err := db.Stats(t.Context())
	require.NoError(t, err)
	assert.Equal(t, int64(3), st.Resources)
	assert.Equal(t, int64(4), st.Triples)
}

func TestMatch(t *testing.T) {
	db, _ := openDB(t, nil)
	a, b := ex("a"), ex("b")
	_, err := db.Create(t.Context(), a, []rdf.Triple{
		tr(a, rdfType, exRecord),
		tr(a, exPartOf, b),
		tr(a, exTitle, str("A")),
		tr(a, exValue, dbl("1")),
	})
	require.NoError(t, err)
	_, err = db.Create(t.Context(), b, []rdf.Triple{
		tr(b, rdfType, exRecord),
		tr(b, exTitle, str("B")),
		tr(b, exValue, intl("1")),
	})
	require.NoError(t, err)

	l := func(ts ...rdf.Triple) []string { return ntSet(ts) }
	tests := []struct {
		name    string
		s       rdf.Subject
		p       rdf.Predicate
		o       rdf.Object
		want    []string
		wantErr error
	}{
		{"spo", a, exTitle, str("A"), l(tr(a, exTitle, str("A"))), nil},
		{"spo absent", a, exTitle, str("B"), nil, nil},
		{"sp", a, rdfType, nil, l(tr(a, rdfType, exRecord)), nil},
		{"s", b, nil, nil, l(tr(b, rdfType, exRecord), tr(b, exTitle, str("B")), tr(b, exValue, intl("1"))), nil},
		{"so", a, nil, b, l(tr(a, exPartOf, b)), nil},
		{"po", nil, rdfType, exRecord, l(tr(a, rdfType, exRecord), tr(b, rdfType, exRecord)), nil},
		{"po typed literal is exact", nil, exValue, dbl("1"), l(tr(a, exValue, dbl("1"))), nil},
		{"p", nil, exTitle, nil, l(tr(a, exTitle, str("A")), tr(b, exTitle, str("B"))), nil},
		{"o", nil, nil, b, l(tr(a, exPartOf, b)), nil},
		{"o literal", nil, nil, intl("1"), l(tr(b, exValue, intl("1"))), nil},
		{"all", nil, nil, nil, nil, nil},
		{"unknown term", ex("zzz"), nil, nil, nil, nil},
		{"invalid term", rdf.IRI{}, nil, nil, nil, store.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := db.Match(t.Context(), tt.s, tt.p, tt.o, func(tr rdf.Triple) bool {
				got = append(got, ntTriple(tr))
				return true
			})
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			if tt.name == "all" {
				assert.Len(t, got, 7)
				return
			}
			assert.ElementsMatch(t, tt.want, got)
		})
	}
	t.Run("stop", func(t *testing.T) {
		n := 0
		require.NoError(t, db.Match(t.Context(), nil, nil, nil, func(rdf.Triple) bool { n++; return n < 2 }))
		assert.Equal(t, 2, n)
	})
}

func TestRange(t *testing.T) {
	db, _ := openDB(t, nil)
	val := exValue
	nums := []rdf.Literal{ // ascending by value
		dbl("-INF"),
		typed("-1e10", xsdFloat),
		intl("-42"),
		typed("-1.5", xsdDecimal),
		dbl("-0.1"),
		typed("0", xsdInt),
		typed("0.1", xsdDouble),
		typed("0.1", xsdFloat), // float32 0.1 > double 0.1
		typed("1", xsdLong),
		typed("2.5", xsdDecimal),
		dbl("3e0"),
		intl("10"),
		typed("1E300", xsdDouble),
		dbl("INF"),
	}
	date := exDate
	dates := []rdf.Literal{ // ascending as instants
		dt("0001-01-01T00:00:00Z"),
		dt("2026-11-01T07:59:59"), // no timezone: UTC
		dt("2026-11-01T10:00:00+02:00"),
		dt("2026-11-01T08:00:00.5-00:00"),
		dt("2026-11-01T09:30:00Z"),
		dt("2026-11-01T09:00:00-01:00"),
		dt("9999-12-31T23:59:59Z"),
	}
	var g []rdf.Triple
	for i, l := range nums {
		g = append(g, tr(ex(string(rune('a'+i))), val, l))
	}
	for i, l := range dates {
		g = append(g, tr(ex(string(rune('A'+i))), date, l))
	}
	// Not in any range:
	g = append(g,
		tr(ex("x"), val, dbl("NaN")),
		tr(ex("x"), val, intl("1.5")),
		tr(ex("x"), val, str("5")),
		tr(ex("x"), val, ex("five")),
		tr(ex("x"), date, dt("2026-13-01T00:00:00Z")),
		tr(ex("x"), date, typed("2026-11-01", iri(xsdNS+"date"))),
	)
	_, err := db.Create(t.Context(), ex("r"), g)
	require.NoError(t, err)
	// The same values in a second resource must not be reported twice.
	_, err = db.Create(t.Context(), ex("r2"), g)
	require.NoError(t, err)

	lines := func(p rdf.IRI, ls []rdf.Literal, first rune, from, to int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, nt(ex(string(rune(int(first)+i))))+" "+nt(ls[i]))
		}
		return out
	}
	rev := func(s []string) []string {
		r := make([]string, len(s))
		for i := range s {
			r[len(s)-1-i] = s[i]
		}
		return r
	}
	p := func(l rdf.Literal) *rdf.Literal { return &l }
	incl := store.RangeOptions{LoInclusive: true, HiInclusive: true}
	tests := []struct {
		name   string
		p      rdf.IRI
		lo, hi *rdf.Literal
		opt    store.RangeOptions
		want   []string
	}{
		{"all numbers", val, nil, nil, store.RangeOptions{}, lines(val, nums, 'a', 0, len(nums))},
		{"numbers desc", val, nil, nil, store.RangeOptions{Desc: true}, rev(lines(val, nums, 'a', 0, len(nums)))},
		{"negative inclusive", val, p(intl("-42")), p(intl("0")), incl, lines(val, nums, 'a', 2, 6)},
		{"negative exclusive", val, p(intl("-42")), p(intl("0")), store.RangeOptions{}, lines(val, nums, 'a', 3, 5)},
		{"mixed types bounds", val, p(typed("0.1", xsdDecimal)), p(dbl("10")), store.RangeOptions{HiInclusive: true}, lines(val, nums, 'a', 7, 12)},
		{"lower open", val, nil, p(dbl("-1.5")), incl, lines(val, nums, 'a', 0, 4)},
		{"upper open desc", val, p(typed("2.5", xsdDecimal)), nil, store.RangeOptions{LoInclusive: true, Desc: true}, rev(lines(val, nums, 'a', 9, len(nums)))},
		{"desc exclusive", val, p(intl("-42")), p(intl("1")), store.RangeOptions{Desc: true}, rev(lines(val, nums, 'a', 3, 8))},
		{"empty", val, p(intl("5")), p(intl("4")), incl, nil},
		{"point", val, p(dbl("2.50")), p(intl("3")), store.RangeOptions{LoInclusive: true}, lines(val, nums, 'a', 9, 10)},
		{"all dates", date, nil, nil, store.RangeOptions{}, lines(date, dates, 'A', 0, len(dates))},
		{"offsets", date, p(dt("2026-11-01T10:00:00+02:00")), p(dt("2026-11-01T09:30:00Z")), incl, lines(date, dates, 'A', 2, 5)},
		{"offsets desc", date, p(dt("2026-11-01T08:00:00Z")), p(dt("2026-11-01T09:30:00Z")), store.RangeOptions{HiInclusive: true, Desc: true}, rev(lines(date, dates, 'A', 3, 5))},
		{"dates open high", date, p(dt("2026-11-01T09:30:00Z")), nil, store.RangeOptions{}, lines(date, dates, 'A', 5, len(dates))},
		{"unknown predicate", ex("nope"), nil, nil, store.RangeOptions{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, rangeAll(t, db, tt.p, tt.lo, tt.hi, tt.opt))
		})
	}
	t.Run("both kinds unbounded", func(t *testing.T) {
		db, _ := openDB(t, nil)
		_, err := db.Create(t.Context(), ex("r"), []rdf.Triple{tr(ex("a"), val, dt("2026-11-01T00:00:00Z")), tr(ex("b"), val, intl("3"))})
		require.NoError(t, err)
		assert.Equal(t, []string{nt(ex("b")) + " " + nt(intl("3")), nt(ex("a")) + " " + nt(dt("2026-11-01T00:00:00Z"))}, rangeAll(t, db, val, nil, nil, store.RangeOptions{}))
		assert.Equal(t, []string{nt(ex("a")) + " " + nt(dt("2026-11-01T00:00:00Z")), nt(ex("b")) + " " + nt(intl("3"))}, rangeAll(t, db, val, nil, nil, store.RangeOptions{Desc: true}))
	})
	t.Run("incomparable", func(t *testing.T) {
		for _, b := range []struct{ lo, hi *rdf.Literal }{
			{p(str("1")), nil},
			{nil, p(dbl("NaN"))},
			{p(intl("1")), p(dt("2026-11-01T00:00:00Z"))},
		} {
			err := db.Range(t.Context(), val, b.lo, b.hi, store.RangeOptions{}, func(rdf.Subject, rdf.Literal) bool { return true })
			require.ErrorIs(t, err, store.ErrIncomparable)
		}
	})
	t.Run("stop", func(t *testing.T) {
		for _, desc := range []bool{false, true} {
			n := 0
			err := db.Range(t.Context(), val, nil, nil, store.RangeOptions{Desc: desc}, func(rdf.Subject, rdf.Literal) bool { n++; return false })
			require.NoError(t, err)
			assert.Equal(t, 1, n)
		}
	})
}

func TestResources(t *testing.T) {
	db, _ := openDB(t, nil)
	ids := []string{"c", "a", "b/1", "b", "d"}
	for _, id := range ids {
		_, err := db.Create(t.Context(), ex(id), nil)
		require.NoError(t, err)
	}
	list := func(after rdf.IRI, max int) []string {
		var got []string
		err := db.Resources(t.Context(), after, func(id rdf.IRI) bool {
			got = append(got, strings.TrimPrefix(id.String(), "http://example.org/"))
			return len(got) < max
		})
		require.NoError(t, err)
		return got
	}
	tests := []struct {
		name  string
		after rdf.IRI
		max   int
		want  []string
	}{
		{"all", rdf.IRI{}, 100, []string{"a", "b", "b/1", "c", "d"}},
		{"after existing", ex("b"), 100, []string{"b/1", "c", "d"}},
		{"after missing", ex("bb"), 100, []string{"c", "d"}},
		{"after last", ex("d"), 100, nil},
		{"page", ex("a"), 2, []string{"b", "b/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, list(tt.after, tt.max))
		})
	}
}

func TestStats(t *testing.T) {
	db, _ := openDB(t, nil)
	id, g := sampleRecord(1)
	_, err := db.Create(t.Context(), id, g)
	require.NoError(t, err)
	st, err := db.Stats(t.Context())
	require.NoError(t, err)
	assert.Equal(t, int64(1), st.Resources)
	assert.Equal(t, int64(len(g)), st.Triples)
	// Terms: distinct terms of g but those their id holds; the resource
	// IRI is among them.
	terms := map[string]bool{}
	for _, t := range g {
		terms[nt(t.Subj)], terms[nt(t.Pred)] = true, true
		if !store.InlineForTest(t.Obj) {
			terms[nt(t.Obj)] = true
		}
	}
	assert.Equal(t, int64(len(terms)), st.Terms)
	assert.Positive(t, st.Size)
}

func TestCanceled(t *testing.T) {
	db, _ := openDB(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := map[string]func() error{
		"Create":  func() error { _, err := db.Create(ctx, ex("r"), nil); return err },
		"Get":     func() error { _, _, err := db.Get(ctx, ex("r")); return err },
		"Replace": func() error { _, err := db.Replace(ctx, ex("r"), nil, ""); return err },
		"Delete":  func() error { return db.Delete(ctx, ex("r"), "") },
		"Exists":  func() error { _, err := db.Exists(ctx, ex("r")); return err },
		"Load":    func() error { return db.Load(ctx, nil) },
		"Match": func() error {
			return db.Match(ctx, nil, nil, nil, func(rdf.Triple) bool { return true })
		},
		"Range": func() error {
			return db.Range(ctx, exDate, nil, nil, store.RangeOptions{}, func(rdf.Subject, rdf.Literal) bool { return true })
		},
		"Resources": func() error { return db.Resources(ctx, rdf.IRI{}, func(rdf.IRI) bool { return true }) },
		"Stats":     func() error { _, err := db.Stats(ctx); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			require.ErrorIs(t, call(), context.Canceled)
		})
	}
}

func TestReopen(t *testing.T) {
	db, path := openDB(t, nil)
	id, g := sampleRecord(7)
	etag, err := db.Create(t.Context(), id, g)
	require.NoError(t, err)
	want, _, err := db.Get(t.Context(), id)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	t.Run("read-only", func(t *testing.T) {
		ro, err := store.Open(path, &store.Options{ReadOnly: true})
		require.NoError(t, err)
		defer ro.Close()
		got, gotTag, err := ro.Get(t.Context(), id)
		require.NoError(t, err)
		assert.Equal(t, etag, gotTag)
		assert.Equal(t, ntSet(want), ntSet(got))
		_, err = ro.Create(t.Context(), ex("x"), nil)
		require.Error(t, err)
	})
	t.Run("read-write", func(t *testing.T) {
		rw, err := store.Open(path, nil)
		require.NoError(t, err)
		defer rw.Close()
		_, err = rw.Replace(t.Context(), id, g, etag)
		require.NoError(t, err)
	})
}
