package store

import (
	"bytes"
	"cmp"
	"errors"
	"iter"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/knakk/rdf"
)

// The overlay: resources that Stage acknowledged at the cost of a log
// append, durable in the stage bucket but not yet in the indexes, held in
// memory with small indexes of their own so that every read of a Snapshot
// sees them at once. A merger indexes them in the background, a segment
// (one Stage call's worth) per transaction, and drops the segment when
// that transaction has committed.
//
// A Snapshot sees a segment exactly when its transaction sees the
// segment's keys in the stage bucket: Stage writes them, and the merge
// deletes them, all in one transaction each, so one key tells (see
// Snapshot.overlay). Installing a segment after its commit and removing it
// after its merge's commit then never shows a state the bbolt snapshot
// does not hold.
//
// Only resources whose triples the union of the overlay's and the
// indexes' answers can answer without a join between the two are staged
// (see stageable): a new resource, its IRI no term of the store yet, with
// no blank node, whose triples' subjects are its own IRI or that IRI and a
// fragment. Its subjects then state nothing in the indexes, and no other
// resource states anything of them: every triple of a subject is on one
// side, so the two sides' answers to a pattern are disjoint. A write that
// would break that (a resource stating a triple of a staged subject, or
// the write of a staged resource) first merges the segment, in its own
// transaction (see txWriter.mergeOwners).

// maxOverlay is the most resources the overlay holds: past it, Stage
// indexes what it writes itself, as slowly as the indexes take, so a
// merger that falls behind slows the writers rather than growing memory
// without bound.
var maxOverlay = 50_000

// overlay is the DB's set of staged segments.
type overlay struct {
	mu     sync.RWMutex
	segs   []*segment          // installed, oldest first
	owners map[string]*segment // encoded IRI of a staged resource or subject: its segment
	n      int                 // resources in segs

	wake chan struct{} // a segment was installed (capacity 1)
}

func newOverlay() *overlay {
	return &overlay{owners: make(map[string]*segment), wake: make(chan struct{}, 1)}
}

// segment is the resources of one Stage call that went to the overlay,
// indexed in memory. Its index is made when a snapshot first reads it
// (see Snapshot.overlay), not on the way to acknowledging the write: a
// burst of records is acknowledged sooner, and one the merger takes
// before any read needs no index. It does not change once made.
type segment struct {
	keys     [][]byte    // resource IRIs (stage keys), sorted
	preps    []*prepared // by key, for the merge
	owned    []string    // the encoded IRIs it owns (see overlay.owners)
	nTriples int         // of all its resources

	once    sync.Once
	err     error       // making the index
	indexed atomic.Bool // once has run

	// The index (see index).
	trip   []ovTriple         // by resource, in the order prepare left them
	start  []int32            // by key: its first triple in trip; and len(trip)
	bySubj chains             // subject IRI → its triples
	byObj  chains             // encoded object → its triples
	byPred map[string][]int32 // predicate IRI → its triples, the ranged ones last, in value order
	nPlain map[string]int     // predicate IRI → how many of byPred's are not ranged

	text   map[string][]ovPosting // token → postings, by subject and predicate
	tokens []string               // text's keys, sorted
}

// ovTriple is a triple of a segment.
type ovTriple struct {
	t     rdf.Triple
	o     string // encoded object
	res   int32  // index of its resource in keys
	class byte   // the object's sort key (see sortKey)
	val   uint64
}

// ovPosting is a text posting of a segment: TF occurrences of a token in
// the literals of Pred stated of triple Subj's subject.
type ovPosting struct {
	subj int32 // a triple of the subject
	pred rdf.IRI
	tf   int
	own  bool // the subject is the resource stating them
}

// encIRI returns the IRI of the subject of encoded term enc, and
// whether it is an IRI.
func encIRI(enc string) (string, bool) {
	if len(enc) == 0 || enc[0] != tagIRI {
		return "", false
	}
	return enc[1:], true
}

// ownSubject reports whether IRI s is resource id's own: id itself, or id
// and a fragment.
func ownSubject(id, s string) bool {
	return s == id || len(s) > len(id) && s[len(id)] == '#' && strings.HasPrefix(s, id)
}

// chains index a segment's triples by a key without a slice per key (most
// objects are one triple's): head gives a key's first triple, next each
// triple's successor of the same key, in order; -1 ends a chain.
type chains struct {
	head map[string]int32
	next []int32
}

func newChains(keys, triples int) chains {
	return chains{head: make(map[string]int32, keys), next: make([]int32, 0, triples)}
}

// has reports whether key has a triple.
func (c *chains) has(key string) bool {
	_, ok := c.head[key]
	return ok
}

// all returns the triples of key, in order.
func (c *chains) all(key string) iter.Seq[int32] {
	return func(yield func(int32) bool) {
		x, ok := c.head[key]
		for ok && x >= 0 && yield(x) {
			x = c.next[x]
		}
	}
}

// link appends triple x, the next in order, to key's chain, whose last
// triple is tail[h] for its head h, and returns the head. Known h ≥ 0 (a
// head found before) spares the map.
func (c *chains) link(key string, x, h int32, tail []int32) int32 {
	c.next = append(c.next, -1)
	if h < 0 {
		var ok bool
		if h, ok = c.head[key]; !ok {
			c.head[key] = x
			tail[x] = x
			return x
		}
	}
	c.next[tail[h]] = x
	tail[h] = x
	return h
}

// newSegment makes the segment of the prepared resources ps, each
// stageable, which it sorts by key.
func newSegment(ps []*prepared) *segment {
	slices.SortFunc(ps, func(a, b *prepared) int { return bytes.Compare(a.key, b.key) })
	sg := &segment{keys: make([][]byte, len(ps)), preps: ps, owned: make([]string, 0, len(ps)*4)}
	var seen []bool
	for r, p := range ps {
		sg.keys[r] = p.key
		sg.nTriples += len(p.triples)
		sg.owned = append(sg.owned, p.idEnc)
		seen = slices.Grow(seen[:0], len(p.terms))[:len(p.terms)]
		clear(seen)
		for _, tr := range p.triples {
			if enc := p.terms[tr[0]].enc; !seen[tr[0]] && enc != p.idEnc {
				sg.owned = append(sg.owned, enc)
			}
			seen[tr[0]] = true
		}
	}
	return sg
}

// index makes sg's index, once, and returns the error making it met.
func (sg *segment) index() error {
	sg.once.Do(func() {
		sg.err = sg.makeIndex()
		sg.indexed.Store(true)
	})
	return sg.err
}

// makeIndex indexes the triples of sg's resources, with their terms
// decoded.
func (sg *segment) makeIndex() error {
	ps := sg.preps
	n := 0
	for _, p := range ps {
		n += len(p.triples)
	}
	sg.bySubj = newChains(len(ps)*4, n)
	sg.byObj = newChains(n, n)
	sg.byPred = make(map[string][]int32)
	sg.nPlain = make(map[string]int)
	sg.trip = make([]ovTriple, 0, n)
	subjTail, objTail := make([]int32, n), make([]int32, n)
	type postKey struct {
		tok  string
		subj string
		pred string
	}
	var posts map[postKey]int32 // → index into text[tok], for one resource
	sg.start = make([]int32, len(ps)+1)
	var terms []rdf.Term
	// Per resource, by term: the head of its chain as subject and as
	// object, and its predicate's triples in preds (-1: not met yet). A
	// record names few subjects and predicates many times.
	var subjHead, objHead, predAt []int32
	var preds [][]int32
	predOf := make(map[string]int32)
	for r, p := range ps {
		sg.start[r] = int32(len(sg.trip))
		// The literals are decoded, so that they read as they will from
		// the indexes (a plain literal as an xsd:string); IRIs are
		// themselves.
		terms = terms[:0]
		for i := range p.terms {
			if iri := p.terms[i].iri; iri != (rdf.IRI{}) {
				terms = append(terms, iri)
				continue
			}
			t, err := decodeTerm([]byte(p.terms[i].enc))
			if err != nil {
				return err
			}
			terms = append(terms, t)
		}
		subjHead, objHead, predAt = unknown(subjHead, len(terms)), unknown(objHead, len(terms)), unknown(predAt, len(terms))
		clear(posts)
		for i, tr := range p.triples {
			s, _ := terms[tr[0]].(rdf.Subject)
			pr, _ := terms[tr[1]].(rdf.Predicate)
			o, _ := terms[tr[2]].(rdf.Object)
			ot := &p.terms[tr[2]]
			x := int32(len(sg.trip))
			sg.trip = append(sg.trip, ovTriple{t: rdf.Triple{Subj: s, Pred: pr, Obj: o}, o: ot.enc, res: int32(r), class: ot.class, val: ot.val})
			sk, pk := s.String(), pr.String()
			subjHead[tr[0]] = sg.bySubj.link(sk, x, subjHead[tr[0]], subjTail)
			objHead[tr[2]] = sg.byObj.link(ot.enc, x, objHead[tr[2]], objTail)
			if predAt[tr[1]] < 0 {
				at, ok := predOf[pk]
				if !ok {
					at = int32(len(preds))
					predOf[pk] = at
					preds = append(preds, nil)
				}
				predAt[tr[1]] = at
			}
			preds[predAt[tr[1]]] = append(preds[predAt[tr[1]]], x)
			if p.text == nil || !p.text[i] {
				continue
			}
			if sg.text == nil {
				sg.text = make(map[string][]ovPosting)
				posts = make(map[postKey]int32)
			}
			own := sk == string(p.key)
			for _, tc := range ot.tokens {
				k := postKey{tc.tok, sk, pk}
				if j, ok := posts[k]; ok {
					sg.text[tc.tok][j].tf += tc.n
					continue
				}
				posts[k] = int32(len(sg.text[tc.tok]))
				sg.text[tc.tok] = append(sg.text[tc.tok], ovPosting{subj: x, pred: pr.(rdf.IRI), tf: tc.n, own: own})
			}
		}
	}
	sg.start[len(ps)] = int32(len(sg.trip))
	for pk, at := range predOf {
		xs := preds[at]
		slices.SortStableFunc(xs, func(a, b int32) int {
			ta, tb := &sg.trip[a], &sg.trip[b]
			return cmp.Or(cmp.Compare(ta.class, tb.class), cmp.Compare(ta.val, tb.val))
		})
		sg.byPred[pk] = xs
		sg.nPlain[pk] = countPlain(sg.trip, xs)
	}
	for tok := range sg.text {
		sg.tokens = append(sg.tokens, tok)
	}
	slices.Sort(sg.tokens)
	return nil
}

// unknown returns xs with n elements, each -1.
func unknown(xs []int32, n int) []int32 {
	xs = slices.Grow(xs[:0], n)[:n]
	for i := range xs {
		xs[i] = -1
	}
	return xs
}

// countPlain returns how many of xs, sorted with the unranged first, are
// not ranged.
func countPlain(trip []ovTriple, xs []int32) int {
	n, _ := slices.BinarySearchFunc(xs, classNumber, func(x int32, c byte) int { return cmp.Compare(trip[x].class, c) })
	return n
}

// graph returns the IRI of the resource stating triple x.
func (sg *segment) graph(x int32) rdf.IRI {
	id, _ := rdf.NewIRI(string(sg.keys[sg.trip[x].res]))
	return id
}

// resource returns the index in keys of the resource with IRI id; false
// if sg has none.
func (sg *segment) resource(id string) (int, bool) {
	return slices.BinarySearchFunc(sg.keys, id, func(k []byte, id string) int { return strings.Compare(string(k), id) })
}

// triples returns the triples of resource r, as Get reports them.
func (sg *segment) triples(r int) []rdf.Triple {
	g := make([]rdf.Triple, 0, sg.start[r+1]-sg.start[r])
	for _, t := range sg.trip[sg.start[r]:sg.start[r+1]] {
		g = append(g, t.t)
	}
	return g
}

// isOvResource reports whether id names a resource of segs.
func isOvResource(segs []*segment, id string) bool {
	for _, sg := range segs {
		if _, ok := sg.resource(id); ok {
			return true
		}
	}
	return false
}

// len is the number of resources of sg.
func (sg *segment) len() int { return len(sg.keys) }

// owner returns the segment that owns encoded IRI enc, if installed.
func (ov *overlay) owner(enc string) *segment {
	ov.mu.RLock()
	defer ov.mu.RUnlock()
	return ov.owners[enc]
}

// size returns the number of resources in the installed segments.
func (ov *overlay) size() int {
	ov.mu.RLock()
	defer ov.mu.RUnlock()
	return ov.n
}

// install adds sg, whose staging transaction has committed.
func (ov *overlay) install(sg *segment) {
	ov.mu.Lock()
	ov.segs = append(ov.segs, sg)
	ov.n += sg.len()
	for _, k := range sg.owned {
		ov.owners[k] = sg
	}
	ov.mu.Unlock()
	select {
	case ov.wake <- struct{}{}:
	default:
	}
}

// remove drops sg, whose merge has committed.
func (ov *overlay) remove(sg *segment) {
	ov.mu.Lock()
	defer ov.mu.Unlock()
	i := slices.Index(ov.segs, sg)
	if i < 0 {
		return
	}
	ov.segs = slices.Delete(ov.segs, i, i+1)
	ov.n -= sg.len()
	for _, k := range sg.owned {
		if ov.owners[k] == sg {
			delete(ov.owners, k)
		}
	}
}

// installed returns the installed segments, oldest first.
func (ov *overlay) installed() []*segment {
	ov.mu.RLock()
	defer ov.mu.RUnlock()
	return slices.Clone(ov.segs)
}

// atBegin calls begin, which begins a Snapshot's read transaction, and
// returns the segments installed at that instant. A segment is installed
// before the transaction that stages it commits and removed after the
// one that merges it commits, both under the write lock, so these are
// all the segments whose keys the transaction may hold: one merged after
// the transaction began is among them.
func (ov *overlay) atBegin(begin func() error) ([]*segment, error) {
	ov.mu.RLock()
	defer ov.mu.RUnlock()
	if err := begin(); err != nil {
		return nil, err
	}
	if len(ov.segs) == 0 {
		return nil, nil
	}
	return slices.Clone(ov.segs), nil
}

// visible returns the segments s sees: of those installed when it began,
// those whose first key its transaction's stage bucket holds. They may
// not be indexed yet (see overlay).
func (s *Snapshot) visible() []*segment {
	if s.ovKnown {
		return s.ov
	}
	s.ovKnown = true
	if len(s.installed) == 0 {
		return nil
	}
	st := s.tx.Bucket(bucketStage)
	if st == nil {
		return nil
	}
	for _, sg := range s.installed {
		if st.Get(sg.keys[0]) != nil {
			s.ov = append(s.ov, sg)
		}
	}
	return s.ov
}

// overlay returns the segments s sees, indexed.
func (s *Snapshot) overlay() ([]*segment, error) {
	segs := s.visible()
	if err := indexAll(segs); err != nil {
		return nil, err
	}
	return segs, nil
}

// indexAll makes the indexes of segs, on every core.
func indexAll(segs []*segment) error {
	var todo []*segment
	for _, sg := range segs {
		if !sg.indexed.Load() {
			todo = append(todo, sg)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	segs = todo
	errs := make([]error, len(segs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(segs)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(segs); i = int(next.Add(1)) - 1 {
				errs[i] = segs[i].index()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// ovResources returns the IRIs of the resources of segs, sorted.
func ovResources(segs []*segment) []string {
	n := 0
	for _, sg := range segs {
		n += sg.len()
	}
	ids := make([]string, 0, n)
	for _, sg := range segs {
		for _, k := range sg.keys {
			ids = append(ids, string(k))
		}
	}
	slices.Sort(ids)
	return ids
}

// ovMatch calls fn with each triple of segs that matches the pattern (s,
// p, o; nil for any) and whose object is ranged (a number or dateTime) or
// not, as ranged says, until fn returns false; it returns false then.
func ovMatch(segs []*segment, s rdf.Subject, p rdf.Predicate, o rdf.Object, oEnc string, ranged bool, fn func(sg *segment, x int32) bool) bool {
	for _, sg := range segs {
		var xs iter.Seq[int32]
		switch {
		case s != nil:
			xs = sg.bySubj.all(s.String())
		case o != nil:
			xs = sg.byObj.all(oEnc)
		case p != nil:
			ys := sg.byPred[p.String()]
			if n := sg.nPlain[p.String()]; ranged {
				ys = ys[n:]
			} else {
				ys = ys[:n]
			}
			xs = slices.Values(ys)
		default:
			for x := range sg.trip {
				t := &sg.trip[x]
				if (t.class != classOther) == ranged && !fn(sg, int32(x)) {
					return false
				}
			}
			continue
		}
		for x := range xs {
			t := &sg.trip[x]
			if (t.class != classOther) != ranged {
				continue
			}
			if s != nil && t.t.Subj.String() != s.String() {
				continue
			}
			if p != nil && t.t.Pred.String() != p.String() {
				continue
			}
			if o != nil && t.o != oEnc {
				continue
			}
			if !fn(sg, x) {
				return false
			}
		}
	}
	return true
}

// ovMatchAll is ovMatch of every triple, ranged or not.
func ovMatchAll(segs []*segment, s rdf.Subject, p rdf.Predicate, o rdf.Object, oEnc string, fn func(sg *segment, x int32) bool) bool {
	return ovMatch(segs, s, p, o, oEnc, false, fn) && ovMatch(segs, s, p, o, oEnc, true, fn)
}

// ovKeyed is a ranged overlay triple with its place in Range's order.
type ovKeyed struct {
	sg *segment
	x  int32
}

// ovRange is an iterator over the triples of some segments with one
// predicate whose sort key is of one of some classes and in a range, in
// Range's order: classes in the order given, values ascending, or
// downwards with desc. Each segment keeps its ranged triples in value
// order, so it merges the segments' runs as it goes: a walk that stops
// early reads little.
type ovRange struct {
	runs [][][]int32 // by class, by segment: its triples of the class in the range, ascending
	segs []*segment
	desc bool
	keep func(ovKeyed) bool // nil: all
	c    int                // the class being read
	cur  ovKeyed
	ok   bool // cur is the next triple
}

// newOvRange returns the ovRange of predicate p in segs, of the triples
// keep accepts (all with keep nil).
func newOvRange(segs []*segment, p rdf.IRI, classes []byte, from, to uint64, desc bool, keep func(ovKeyed) bool) *ovRange {
	it := &ovRange{runs: make([][][]int32, len(classes)), segs: segs, desc: desc, keep: keep}
	for ci, c := range classes {
		it.runs[ci] = make([][]int32, len(segs))
		for si, sg := range segs {
			xs := sg.byPred[p.String()]
			xs = xs[sg.nPlain[p.String()]:]
			key := func(x int32, k [2]uint64) int {
				t := &sg.trip[x]
				return cmp.Or(cmp.Compare(uint64(t.class), k[0]), cmp.Compare(t.val, k[1]))
			}
			lo, _ := slices.BinarySearchFunc(xs, [2]uint64{uint64(c), from}, key)
			n := sort.Search(len(xs)-lo, func(i int) bool {
				t := &sg.trip[xs[lo+i]]
				return t.class != c || t.val > to
			})
			it.runs[ci][si] = xs[lo : lo+n]
		}
	}
	return it
}

// peek returns the next triple, without taking it; false at the end.
func (it *ovRange) peek() (ovKeyed, bool) {
	for !it.ok && it.c < len(it.runs) {
		runs := it.runs[it.c]
		best := -1
		var bv uint64
		for si, xs := range runs {
			if len(xs) == 0 {
				continue
			}
			x := xs[0]
			if it.desc {
				x = xs[len(xs)-1]
			}
			v := it.segs[si].trip[x].val
			if best < 0 || !it.desc && v < bv || it.desc && v > bv {
				best, bv = si, v
			}
		}
		if best < 0 {
			it.c++
			continue
		}
		xs := runs[best]
		x := xs[0]
		if it.desc {
			x, runs[best] = xs[len(xs)-1], xs[:len(xs)-1]
		} else {
			runs[best] = xs[1:]
		}
		k := ovKeyed{it.segs[best], x}
		if it.keep == nil || it.keep(k) {
			it.cur, it.ok = k, true
		}
	}
	return it.cur, it.ok
}

// next takes the triple peek returned.
func (it *ovRange) next() { it.ok = false }
