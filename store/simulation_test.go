package store_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/codec/literal"
	"github.com/oslc-pm/pmprovider/store"
)

// TestSimulate runs random writes against the store and a simple in-memory
// model, comparing Get, Match, Range, Text and Stats after every step, with
// the shared term cache of the default size, so small that it drops terms
// all the time, and off. Writes reclaim terms and add them again under new
// ids, between reads through the caches, and while an older snapshot is
// open that must keep seeing the terms under their old ids.
// simSteps is the steps of a simulation: fewer under the race detector
// (see race_test.go), which makes each ten times slower.
var simSteps = 150

func TestSimulate(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		for _, cache := range []struct {
			name string
			size int
		}{{"cache", 0}, {"tinycache", 3}, {"nocache", -1}} {
			t.Run(fmt.Sprint("seed", seed, "/", cache.name), func(t *testing.T) {
				steps := simSteps
				if testing.Short() {
					steps = 50
				}
				newSim(t, seed, cache.size).run(steps)
			})
		}
	}
}

// simRes is the model of a stored resource: its graph as Get returned it
// after the write, so with the store's blank node labels.
type simRes struct {
	g    []rdf.Triple
	etag string
}

type sim struct {
	t      *testing.T
	rnd    *rand.Rand
	path   string
	opt    *store.Options
	db     *store.DB
	model  map[string]*simRes
	etags  map[string]bool // every ETag issued
	labels map[string]bool // every blank node label issued
	ids    []rdf.IRI
	log    []string // the change log the writes must have made

	overlaid int // checks that found staged resources in the overlay
}

// simText are the text predicates of the simulation: exDescription
// is left out, so that it holds text that must not be indexed.
var simText = []rdf.IRI{exTitle, ex("p0")}

// newSim returns a simulation with the given Options.TermCacheSize. The
// memory map is large enough that writes need not wait for the snapshot
// the simulation keeps open across them.
func newSim(t *testing.T, seed uint64, termCache int) *sim {
	s := &sim{
		t:   t,
		rnd: rand.New(rand.NewPCG(seed, seed)),
		opt: &store.Options{
			NoSync:          true,
			MaxBatchDelay:   50 * time.Microsecond,
			TextPredicates:  simText,
			TermCacheSize:   termCache,
			InitialMmapSize: 1 << 24,
		},
		model:  map[string]*simRes{},
		etags:  map[string]bool{},
		labels: map[string]bool{},
	}
	s.db, s.path = openDB(t, s.opt)
	for i := range 8 {
		s.ids = append(s.ids, ex(fmt.Sprint("r", i)))
	}
	return s
}

// Term pools. Numbers and dateTimes are chosen so that ParseFloat and
// time.Parse give the model an independent order.
var (
	simPreds   = []rdf.IRI{ex("p0"), ex("p1"), rdfType, exValue, exDate, exTitle, exDescription}
	simShared  = []rdf.IRI{ex("s0"), ex("s1"), ex("s2")}
	simNumbers = []rdf.Literal{
		intl("-3"), intl("0"), intl("7"), intl("10"),
		typed("-2.5", xsdDecimal), typed("0.10", xsdDecimal), typed("7.0", xsdDecimal),
		dbl("-1e1"), dbl("2.5E0"), dbl("0.1"), dbl("-INF"), dbl("INF"),
		typed("0.1", xsdFloat), typed("-3", xsdFloat), typed("1e2", xsdFloat),
		typed("7", xsdInt), typed("-100", xsdLong),
	}
	simDates = []rdf.Literal{
		dt("2026-11-01T10:00:00+02:00"), dt("2026-11-01T09:30:00Z"), dt("2026-11-01T08:00:00Z"),
		dt("2026-11-01T03:00:00-05:00"), dt("2026-10-31T23:59:59.999Z"), dt("1999-12-31T23:00:00-01:00"),
		dt("2026-11-01T09:30:00.000001Z"),
	}
	simOthers = []rdf.Object{
		str("a"), str("b"), lang("a", "en"), lang("a", "fr"),
		typed("x", xsdInteger), dbl("NaN"), dt("yesterday"),
		exRecord, ex("s0"),
	}
	simTexts = []rdf.Object{
		str("Alpha beta"), str("alpha ALPHA gamma"), lang("Beta café", "fr"), lang("beta", "en"),
		typed("<p>Gamma <b>alpha</b>beta</p>", rdfXMLLiteral), typed("alpha", ex("dt")),
		str("Ünïcode ÄLPHA-7"), str(""),
	}
	// simTokens are the tokens Text is asked for: those of simTexts and
	// simOthers, and some never stored.
	simTokens   = []string{"alpha", "beta", "gamma", "café", "ünïcode", "älpha", "7", "a", "b", "p", "zeta", ""}
	simPrefixes = []string{"", "a", "al", "be", "ü", "alpha", "z"}
)

func (s *sim) pick(n int) int { return s.rnd.IntN(n) }

// graph returns a random small graph for resource id, with input blank
// labels x0..x2.
func (s *sim) graph(id rdf.IRI) []rdf.Triple {
	n := s.pick(8)
	g := make([]rdf.Triple, 0, n)
	for range n {
		var subj rdf.Subject
		switch s.pick(4) {
		case 0, 1:
			subj = id
		case 2:
			subj = simShared[s.pick(len(simShared))]
		default:
			subj = blank(fmt.Sprint("x", s.pick(3)))
		}
		pred := simPreds[s.pick(len(simPreds))]
		var obj rdf.Object
		switch s.pick(7) {
		case 0:
			obj = simNumbers[s.pick(len(simNumbers))]
		case 1:
			obj = simDates[s.pick(len(simDates))]
		case 2:
			obj = blank(fmt.Sprint("x", s.pick(3)))
		case 3:
			obj = s.ids[s.pick(len(s.ids))]
		case 4:
			obj = simTexts[s.pick(len(simTexts))]
		default:
			obj = simOthers[s.pick(len(simOthers))]
		}
		g = append(g, tr(subj, pred, obj))
		if s.pick(8) == 0 { // a duplicate
			g = append(g, g[s.pick(len(g))])
		}
	}
	// Copy triples another resource states, so that some are in two.
	for _, id := range s.ids {
		r := s.model[id.String()]
		if r == nil || s.pick(3) > 0 {
			continue
		}
		for _, t := range r.g {
			_, b1 := t.Subj.(rdf.Blank)
			_, b2 := t.Obj.(rdf.Blank)
			if !b1 && !b2 && s.pick(2) == 0 {
				g = append(g, t)
			}
		}
	}
	return g
}

// ifMatch returns a random If-Match value for resource id.
func (s *sim) ifMatch(id rdf.IRI) string {
	switch s.pick(5) {
	case 0:
		return "*"
	case 1:
		return `"stale"`
	case 2:
		if r := s.model[id.String()]; r != nil {
			return r.etag
		}
	}
	return ""
}

func (s *sim) run(steps int) {
	t := s.t
	for step := range steps {
		id := s.ids[s.pick(len(s.ids))]
		cur := s.model[id.String()]
		var desc string
		op := s.pick(12)
		var old *oldSnapshot
		if op < 11 && op != 9 && s.pick(3) == 0 {
			old = s.openOld()
		}
		switch {
		case op < 3:
			g := s.graph(id)
			desc = "create " + id.String()
			etag, err := s.db.Create(t.Context(), id, g)
			if cur != nil {
				require.ErrorIs(t, err, store.ErrExists, desc)
				break
			}
			require.NoError(t, err, desc)
			s.logged(store.Created, id)
			s.written(id, g, etag)
		case op < 6:
			g := s.graph(id)
			im := s.ifMatch(id)
			desc = fmt.Sprintf("replace %s if-match %s", id, im)
			etag, err := s.db.Replace(t.Context(), id, g, im)
			switch {
			case cur == nil:
				require.ErrorIs(t, err, store.ErrNotFound, desc)
			case im != "" && im != "*" && im != cur.etag:
				require.ErrorIs(t, err, store.ErrPreconditionFailed, desc)
			default:
				require.NoError(t, err, desc)
				s.logged(store.Modified, id)
				s.written(id, g, etag)
			}
		case op < 8:
			im := s.ifMatch(id)
			desc = fmt.Sprintf("delete %s if-match %s", id, im)
			err := s.db.Delete(t.Context(), id, im)
			switch {
			case cur == nil:
				require.ErrorIs(t, err, store.ErrNotFound, desc)
			case im != "" && im != "*" && im != cur.etag:
				require.ErrorIs(t, err, store.ErrPreconditionFailed, desc)
			default:
				require.NoError(t, err, desc)
				s.logged(store.Deleted, id)
				delete(s.model, id.String())
			}
		case op < 9:
			rs := make([]store.Resource, 1+s.pick(4))
			for i := range rs {
				rid := s.ids[s.pick(len(s.ids))]
				rs[i] = store.Resource{ID: rid, Triples: s.graph(rid)}
			}
			desc = fmt.Sprintf("load %d", len(rs))
			require.NoError(t, s.db.Load(t.Context(), rs), desc)
			s.stored(desc, rs)
		case op < 10:
			rs := make([]store.Resource, 1+s.pick(4))
			for i := range rs {
				rid := s.ids[s.pick(len(s.ids))]
				if len(s.ids) < 12 && s.pick(2) == 0 { // few, for the model's sake
					rid = ex(fmt.Sprint("n", len(s.ids)))
					s.ids = append(s.ids, rid)
				}
				g := s.graph(rid)
				if s.pick(3) > 0 {
					g = s.ownGraph(rid)
				}
				rs[i] = store.Resource{ID: rid, Triples: g}
			}
			desc = fmt.Sprintf("stage %d", len(rs))
			if s.pick(2) == 0 {
				s.db.HoldMergeForTest(true) // so that checks find them staged
				desc += ", merges held"
			}
			require.NoError(t, s.db.Stage(t.Context(), rs), desc)
			s.stored(desc, rs)
		case op < 11:
			hold := s.pick(2) == 0
			desc = fmt.Sprintf("hold merges %v", hold)
			s.db.HoldMergeForTest(hold)
			if s.pick(3) == 0 {
				desc += ", merge"
				_, err := s.db.Merge(t.Context(), 0)
				require.NoError(t, err, desc)
			}
		default:
			desc = "reopen"
			require.NoError(t, s.db.Close())
			db, err := store.Open(s.path, s.opt)
			require.NoError(t, err)
			s.db = db
			t.Cleanup(func() { _ = db.Close() })
		}
		if old != nil {
			old.check(fmt.Sprintf("step %d: %s: snapshot from before", step, desc))
		}
		s.check(fmt.Sprintf("step %d: %s", step, desc))
		s.checkLog(fmt.Sprintf("step %d: %s", step, desc))
	}
	require.Positive(t, s.overlaid, "no check found a staged resource in the overlay")
}

// stored updates the model after a Load or Stage of rs: each created or
// replaced, the last listing of a resource winning.
func (s *sim) stored(desc string, rs []store.Resource) {
	t := s.t
	there := map[string]bool{}
	for _, r := range rs {
		kind := store.Modified
		if s.model[r.ID.String()] == nil && !there[r.ID.String()] {
			kind = store.Created
		}
		there[r.ID.String()] = true
		s.logged(kind, r.ID)
	}
	last := map[string]int{}
	for i, r := range rs {
		last[r.ID.String()] = i
	}
	for _, i := range last {
		_, etag, err := s.db.Get(t.Context(), rs[i].ID)
		require.NoError(t, err, desc)
		s.written(rs[i].ID, rs[i].Triples, etag)
	}
}

// ownGraph returns a random graph for resource id that the overlay may
// stage: no blank node, and every subject id or id and a fragment.
func (s *sim) ownGraph(id rdf.IRI) []rdf.Triple {
	g := s.graph(id)
	out := g[:0]
	for _, t := range g {
		switch t.Subj.(type) {
		case rdf.Blank:
			t.Subj = iri(id.String() + "#m" + fmt.Sprint(s.pick(3)))
		default:
			if t.Subj.String() != id.String() {
				t.Subj = id
			}
		}
		if _, ok := t.Obj.(rdf.Blank); ok {
			t.Obj = iri(id.String() + "#m" + fmt.Sprint(s.pick(3)))
		}
		out = append(out, t)
	}
	return out
}

// oldSnapshot is a snapshot held open in another goroutine across a write,
// with what its reads must return.
type oldSnapshot struct {
	s    *sim
	pats [][3]rdf.Term
	want []string
	run  chan struct{} // a request to read again
	done chan []string // the results of a round of reads
	quit chan struct{} // closed if the test ends first
	err  chan error
}

// openOld opens a snapshot, reads Get and Match of the current model
// through it (filling the caches), and leaves it open until check.
func (s *sim) openOld() *oldSnapshot {
	o := &oldSnapshot{s: s, run: make(chan struct{}), done: make(chan []string), quit: make(chan struct{}), err: make(chan error, 1)}
	// Runs before the DB's Close, which would wait for the snapshot.
	s.t.Cleanup(func() { close(o.quit) })
	for _, id := range s.ids {
		if r := s.model[id.String()]; r != nil {
			o.want = append(o.want, strings.Join(ntList(r.g), "\n"))
		} else {
			o.want = append(o.want, "not found")
		}
	}
	for range 8 {
		ps, pp, po := s.pattern()
		o.pats = append(o.pats, [3]rdf.Term{ps, pp, po})
		o.want = append(o.want, strings.Join(s.modelMatch(ps, pp, po), "\n"))
	}
	go func() {
		o.err <- s.db.View(s.t.Context(), func(sn *store.Snapshot) error {
			for round := range 2 {
				if round > 0 {
					select {
					case <-o.run:
					case <-o.quit:
						return nil
					}
				}
				select {
				case o.done <- o.reads(sn):
				case <-o.quit:
					return nil
				}
			}
			return nil
		})
	}()
	require.Equal(s.t, o.want, <-o.done, "old snapshot before the write")
	return o
}

// reads returns the results of the reads of o in sn.
func (o *oldSnapshot) reads(sn *store.Snapshot) []string {
	var out []string
	for _, id := range o.s.ids {
		g, _, err := sn.Get(o.s.t.Context(), id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			out = append(out, "not found")
		case err != nil:
			out = append(out, "error: "+err.Error())
		default:
			out = append(out, strings.Join(ntList(g), "\n"))
		}
	}
	for _, p := range o.pats {
		out = append(out, strings.Join(snapMatch(o.s.t, sn, p), "\n"))
	}
	return out
}

// check reads again in the old snapshot, after a write, and compares the
// results with the model from before.
func (o *oldSnapshot) check(desc string) {
	close(o.run)
	require.Equal(o.s.t, o.want, <-o.done, desc)
	require.NoError(o.s.t, <-o.err, desc)
}

// snapMatch is matchAll in a snapshot.
func snapMatch(t testing.TB, sn *store.Snapshot, p [3]rdf.Term) []string {
	var s rdf.Subject
	var pr rdf.Predicate
	var o rdf.Object
	if p[0] != nil {
		s = p[0].(rdf.Subject)
	}
	if p[1] != nil {
		pr = p[1].(rdf.Predicate)
	}
	if p[2] != nil {
		o = p[2].(rdf.Object)
	}
	var got []string
	err := sn.Match(t.Context(), s, pr, o, func(tr rdf.Triple) bool {
		got = append(got, ntTriple(tr))
		return true
	})
	if err != nil {
		got = append(got, "error: "+err.Error())
	}
	slices.Sort(got)
	return got
}

// written records a successful write of g to id after checking that the
// store holds g up to a fresh relabelling of blank nodes.
// logged adds an event to the change log the store must hold.
func (s *sim) logged(kind store.ChangeKind, id rdf.IRI) {
	s.log = append(s.log, fmt.Sprintf("%d %s %s", len(s.log)+1, kind, id))
}

// checkLog compares the store's change log, oldest first, with the model's.
func (s *sim) checkLog(desc string) {
	var got []string
	require.NoError(s.t, s.db.View(s.t.Context(), func(sn *store.Snapshot) error {
		return sn.ChangesAfter(s.t.Context(), 0, func(c store.Change) bool {
			got = append(got, fmt.Sprintf("%d %s %s", c.Order, c.Kind, c.ID))
			return true
		})
	}))
	require.Equal(s.t, s.log, got, "%s: change log", desc)
}

func (s *sim) written(id rdf.IRI, g []rdf.Triple, etag string) {
	t := s.t
	require.False(t, s.etags[etag], "etag %s reused", etag)
	s.etags[etag] = true

	got, gotTag, err := s.db.Get(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, etag, gotTag)

	// Expected: g without duplicates, in order.
	var want []rdf.Triple
	seen := map[string]bool{}
	for _, tr := range g {
		if k := ntTriple(tr); !seen[k] {
			seen[k] = true
			want = append(want, tr)
		}
	}
	require.Len(t, got, len(want), "Get %s", id)
	in2out, out2in := map[string]string{}, map[string]string{}
	for i := range want {
		w := [3]rdf.Term{want[i].Subj, want[i].Pred, want[i].Obj}
		o := [3]rdf.Term{got[i].Subj, got[i].Pred, got[i].Obj}
		for j := range w {
			wb, isBlank := w[j].(rdf.Blank)
			if !isBlank {
				require.Equal(t, nt(w[j]), nt(o[j]), "triple %d of %s", i, id)
				continue
			}
			ob, ok := o[j].(rdf.Blank)
			require.True(t, ok, "triple %d of %s: blank became %s", i, id, nt(o[j]))
			if m, ok := in2out[wb.String()]; ok {
				require.Equal(t, m, ob.String(), "blank %s relabelled inconsistently", wb)
				continue
			}
			require.NotContains(t, out2in, ob.String(), "two blanks relabelled %s", ob)
			require.False(t, s.labels[ob.String()], "blank label %s reused", ob)
			in2out[wb.String()], out2in[ob.String()] = ob.String(), wb.String()
		}
	}
	for l := range out2in {
		s.labels[l] = true
	}
	s.model[id.String()] = &simRes{g: got, etag: etag}
}

// check compares the store with the model.
func (s *sim) check(desc string) {
	t := s.t
	ctx := t.Context()
	// Get and Resources.
	var ids []string
	for _, id := range s.ids {
		g, etag, err := s.db.Get(ctx, id)
		r := s.model[id.String()]
		if r == nil {
			require.ErrorIs(t, err, store.ErrNotFound, "%s: Get %s", desc, id)
			continue
		}
		ids = append(ids, id.String())
		require.NoError(t, err, desc)
		require.Equal(t, r.etag, etag, "%s: etag of %s", desc, id)
		require.Equal(t, ntList(r.g), ntList(g), "%s: Get %s", desc, id)
	}
	slices.Sort(ids)
	var listed []string
	require.NoError(t, s.db.Resources(ctx, rdf.IRI{}, func(id rdf.IRI) bool {
		listed = append(listed, id.String())
		return true
	}))
	require.Equal(t, ids, listed, "%s: Resources", desc)
	bad, err := s.db.RIDAgreesForTest()
	require.NoError(t, err)
	require.Empty(t, bad, "%s: rid and res", desc)

	// Stats.
	terms := map[string]bool{}
	var triples int64
	for id, r := range s.model {
		terms["<"+id+">"] = true
		triples += int64(len(r.g))
		for _, tr := range r.g {
			terms[nt(tr.Subj)], terms[nt(tr.Pred)] = true, true
			if !store.InlineForTest(tr.Obj) {
				terms[nt(tr.Obj)] = true
			}
		}
	}
	// The terms of staged resources are counted once they are merged
	// (and nothing merged stages again meanwhile).
	staged := s.db.OverlayForTest() > 0
	if staged {
		s.overlaid++
	}
	st, err := s.db.Stats(ctx)
	require.NoError(t, err)
	wantTerms := int64(len(terms))
	if staged {
		wantTerms = st.Terms
	}
	require.Equal(t, store.Stats{Resources: int64(len(s.model)), Triples: triples, Terms: wantTerms, Size: st.Size}, st, "%s: Stats", desc)

	// Match.
	for range 12 {
		ps, pp, po := s.pattern()
		want := s.modelMatch(ps, pp, po)
		got := matchAll(t, s.db, ps, pp, po)
		require.Equal(t, want, got, "%s: Match %s %s %s", desc, termOrNil(ps), termOrNil(pp), termOrNil(po))
	}

	// Match in one snapshot, and again for the subject of each result,
	// nested, through the ids the snapshot learnt from its results.
	require.NoError(t, s.db.View(ctx, func(sn *store.Snapshot) error {
		for range 6 {
			ps, pp, po := s.pattern()
			p := [3]rdf.Term{ps, pp, po} // nil stays nil
			require.Equal(t, s.modelMatch(ps, pp, po), snapMatch(t, sn, p), "%s: snapshot Match %v", desc, p)
			err := sn.Match(ctx, ps, pp, po, func(tr rdf.Triple) bool {
				var pred rdf.Predicate
				if s.pick(2) == 0 {
					pred = tr.Pred
				}
				want := s.modelMatch(tr.Subj, pred, nil)
				got := snapMatch(t, sn, [3]rdf.Term{tr.Subj, pred, nil})
				require.Equal(t, want, got, "%s: nested Match %s %s", desc, nt(tr.Subj), termOrNil(pred))
				return true
			})
			require.NoError(t, err)
		}
		return nil
	}))

	// Range.
	for range 6 {
		p := simPreds[s.pick(len(simPreds))]
		pool := simNumbers
		if s.pick(2) == 0 {
			pool = simDates
		}
		var lo, hi *rdf.Literal
		if s.pick(3) > 0 {
			l := pool[s.pick(len(pool))]
			lo = &l
		}
		if s.pick(3) > 0 {
			h := pool[s.pick(len(pool))]
			hi = &h
		}
		opt := store.RangeOptions{LoInclusive: s.pick(2) == 0, HiInclusive: s.pick(2) == 0, Desc: s.pick(2) == 0}
		s.checkRange(desc, p, lo, hi, opt)
	}

	// Text and TextPrefix.
	postings := s.modelText()
	for range 3 {
		tok := simTokens[s.pick(len(simTokens))]
		var want []string
		for _, p := range postings {
			if p[0] == tok {
				want = append(want, p[1])
			}
		}
		var got []string
		require.NoError(t, s.db.Text(ctx, tok, func(subj rdf.Subject, p rdf.IRI, tf int) bool {
			got = append(got, fmt.Sprintf("%s %s %d", nt(subj), nt(p), tf))
			return true
		}))
		slices.Sort(got)
		require.Equal(t, want, got, "%s: Text %q", desc, tok)
	}
	prefix := simPrefixes[s.pick(len(simPrefixes))]
	var want, got, toks []string
	for _, p := range postings {
		if strings.HasPrefix(p[0], prefix) {
			want = append(want, p[0]+" "+p[1])
		}
	}
	require.NoError(t, s.db.TextPrefix(ctx, prefix, func(tok string, subj rdf.Subject, p rdf.IRI, tf int) bool {
		got = append(got, fmt.Sprintf("%s %s %s %d", tok, nt(subj), nt(p), tf))
		toks = append(toks, tok)
		return true
	}))
	require.True(t, slices.IsSorted(toks), "%s: TextPrefix %q: tokens out of order: %q", desc, prefix, toks)
	slices.Sort(got)
	require.Equal(t, want, got, "%s: TextPrefix %q", desc, prefix)
}

var simTag = regexp.MustCompile(`<[^>]*>`)

// modelText returns the postings the model implies, as sorted pairs of
// token and "s p tf": over the distinct triples of the text predicates,
// the token's count in the objects of each subject and predicate.
func (s *sim) modelText() [][2]string {
	text := map[string]bool{}
	for _, p := range simText {
		text[nt(p)] = true
	}
	seen := map[string]bool{}
	tf := map[[2]string]int{}
	for _, r := range s.model {
		for _, tr := range r.g {
			l, ok := tr.Obj.(rdf.Literal)
			if !ok || !text[nt(tr.Pred)] || seen[ntTriple(tr)] {
				continue
			}
			seen[ntTriple(tr)] = true
			lex := l.String()
			switch {
			case l.Lang() != "", l.DataType == xsdString:
			case l.DataType == rdfXMLLiteral:
				lex = simTag.ReplaceAllString(lex, " ")
			default:
				continue
			}
			for _, tok := range literal.Tokens(lex) {
				tf[[2]string{tok, nt(tr.Subj) + " " + nt(tr.Pred)}]++
			}
		}
	}
	out := make([][2]string, 0, len(tf))
	for k, n := range tf {
		out = append(out, [2]string{k[0], fmt.Sprintf("%s %d", k[1], n)})
	}
	slices.SortFunc(out, func(a, b [2]string) int {
		return strings.Compare(a[0]+" "+a[1], b[0]+" "+b[1])
	})
	return out
}

// pattern returns a random triple pattern over terms that are, were, or
// never were in the store.
func (s *sim) pattern() (rdf.Subject, rdf.Predicate, rdf.Object) {
	var blanks []rdf.Blank
	for _, r := range s.model {
		for _, tr := range r.g {
			if b, ok := tr.Subj.(rdf.Blank); ok {
				blanks = append(blanks, b)
			}
		}
	}
	slices.SortFunc(blanks, func(a, b rdf.Blank) int { return strings.Compare(a.String(), b.String()) })
	var subj rdf.Subject
	switch s.pick(5) {
	case 0:
		subj = s.ids[s.pick(len(s.ids))]
	case 1:
		subj = simShared[s.pick(len(simShared))]
	case 2:
		if len(blanks) > 0 {
			subj = blanks[s.pick(len(blanks))]
		} else {
			subj = blank("x0")
		}
	}
	var pred rdf.Predicate
	if s.pick(2) == 0 {
		pred = simPreds[s.pick(len(simPreds))]
	}
	var obj rdf.Object
	switch s.pick(6) {
	case 0:
		obj = simNumbers[s.pick(len(simNumbers))]
	case 1:
		obj = simDates[s.pick(len(simDates))]
	case 2:
		obj = simOthers[s.pick(len(simOthers))]
	case 3:
		obj = s.ids[s.pick(len(s.ids))]
	}
	return subj, pred, obj
}

func (s *sim) modelMatch(ps rdf.Subject, pp rdf.Predicate, po rdf.Object) []string {
	set := map[string]bool{}
	for _, r := range s.model {
		for _, tr := range r.g {
			if (ps == nil || nt(ps) == nt(tr.Subj)) && (pp == nil || nt(pp) == nt(tr.Pred)) && (po == nil || nt(po) == nt(tr.Obj)) {
				set[ntTriple(tr)] = true
			}
		}
	}
	var out []string
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// simValue is the model's order of literals: class (1 number, 2 dateTime),
// then value; ok is false for literals never in a range.
func simValue(l rdf.Literal) (class int, v float64, ok bool) {
	switch l.DataType {
	case xsdDateTime:
		tm, err := time.Parse(time.RFC3339Nano, l.String())
		if err != nil {
			return 0, 0, false
		}
		return 2, float64(tm.UnixMicro()), true
	case xsdInteger, xsdDecimal, xsdDouble, xsdInt, xsdLong, xsdFloat:
		bits := 64
		if l.DataType == xsdFloat {
			bits = 32
		}
		lex := strings.Replace(l.String(), "INF", "Inf", 1)
		f, err := strconv.ParseFloat(lex, bits)
		if err != nil || f != f || (l.DataType != xsdDouble && strings.Contains(lex, "Inf")) {
			return 0, 0, false
		}
		if l.DataType == xsdInteger && strings.ContainsAny(lex, ".eE") {
			return 0, 0, false
		}
		return 1, f, true
	}
	return 0, 0, false
}

func (s *sim) checkRange(desc string, p rdf.IRI, lo, hi *rdf.Literal, opt store.RangeOptions) {
	t := s.t
	desc = fmt.Sprintf("%s: Range %s [%s, %s] %+v", desc, nt(p), litOrNil(lo), litOrNil(hi), opt)
	var loC, hiC int
	var loV, hiV float64
	if lo != nil {
		loC, loV, _ = simValue(*lo)
	}
	if hi != nil {
		hiC, hiV, _ = simValue(*hi)
	}
	var got []string
	var vals [][2]float64
	err := s.db.Range(t.Context(), p, lo, hi, opt, func(subj rdf.Subject, o rdf.Literal) bool {
		got = append(got, nt(subj)+" "+nt(o))
		c, v, ok := simValue(o)
		require.True(t, ok, "%s: got %s", desc, nt(o))
		vals = append(vals, [2]float64{float64(c), v})
		return true
	})
	if lo != nil && hi != nil && loC != hiC {
		require.ErrorIs(t, err, store.ErrIncomparable, desc)
		return
	}
	require.NoError(t, err, desc)

	set := map[string]bool{}
	for _, r := range s.model {
		for _, tr := range r.g {
			o, isLit := tr.Obj.(rdf.Literal)
			if nt(tr.Pred) != nt(p) || !isLit {
				continue
			}
			c, v, ok := simValue(o)
			switch {
			case !ok,
				lo != nil && (c != loC || v < loV || (v == loV && !opt.LoInclusive)),
				hi != nil && (c != hiC || v > hiV || (v == hiV && !opt.HiInclusive)):
				continue
			}
			set[nt(tr.Subj)+" "+nt(o)] = true
		}
	}
	var want []string
	for k := range set {
		want = append(want, k)
	}
	require.ElementsMatch(t, want, got, desc)
	sorted := slices.IsSortedFunc(vals, func(a, b [2]float64) int {
		if opt.Desc {
			a, b = b, a
		}
		if a[0] != b[0] {
			return int(a[0] - b[0])
		}
		switch {
		case a[1] < b[1]:
			return -1
		case a[1] > b[1]:
			return 1
		}
		return 0
	})
	require.True(t, sorted, "%s: out of order: %v", desc, got)
}

func ntList(g []rdf.Triple) []string {
	out := make([]string, len(g))
	for i, tr := range g {
		out[i] = ntTriple(tr)
	}
	return out
}

func termOrNil(t rdf.Term) string {
	if t == nil {
		return "?"
	}
	return nt(t)
}

func litOrNil(l *rdf.Literal) string {
	if l == nil {
		return "-"
	}
	return nt(*l)
}
