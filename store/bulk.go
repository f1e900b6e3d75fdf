package store

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/oslc-pm/pmprovider/codec/literal"
)

// A bulk load (BeginBulk, EndBulk) leaves the indexes whose keys come in
// random order, posg, pair, pairvia and text, out of its writes and
// builds them at its end from res, in key order, appended in full blocks
// at fill 1, after packing t2i so (see doc.go, Bulk building).

var (
	// keyBuilding is the meta key of a file whose writes leave out the
	// buckets it names, space-separated, for EndBulk to build.
	keyBuilding = []byte("building")
	// bucketDeferred holds, while keyBuilding is set, the terms writes
	// may have left unused, which only the built posg tells: term id →
	// its object sort key's class and value (see mayBeUnused).
	bucketDeferred = []byte("deferred")
)

// buildingValue is keyBuilding's value: the buckets a bulk load builds at
// its end.
const buildingValue = "posg pair pairvia text"

// buildChunk is about how many posg keys EndBulk sorts at once, in
// memory: it builds posg in runs of whole predicates with at most that
// many keys (a predicate with more is one run), a transaction each.
var buildChunk = 1 << 22

// buildTarget is the size, in bytes of encoded entries, that a bulk load
// cuts blocks to, in place of blockTarget: those of the buckets its build
// writes (posg, pair, pairvia, text, t2i) and of spog (layoutSPOGBulk). A
// block's bbolt key is its first key whole, and bbolt adds an element
// header: 40 to 90 bytes a block, which longer blocks spend less often.
// It stays under blockMax, so a later write into such a block cuts it as
// it cuts any other once it grows past blockMax. See doc.go, Bulk
// building, for what it costs a seek.
const buildTarget = 224

// layoutSPOGBulk is spog's layout in the writes of a bulk load: its keys
// come in order there, each transaction's after the last's, and the
// blocks they fill are cut at buildTarget.
var layoutSPOGBulk = layoutSPOG.sized(buildTarget)

// buildHook, if set, runs after each step of a build (t2i, posg, pair,
// text, and "t2i copy" within t2i's) has committed: tests fail the build
// there, as a crash would.
var buildHook func(step string) error

// BeginBulk makes the writes that follow, until EndBulk, leave out the
// posg, pair, pairvia and text indexes, which EndBulk then builds in key
// order, if the store holds no resource yet; it reports whether it did.
// An import of many resources into an empty store so writes each index
// page once, full, where writing those keys as they come splits pages at
// random and rewrites many per transaction.
//
// The mark is in the file: a writable Open of a file marked by a process
// that did not reach EndBulk (a crash) builds the indexes, and a
// read-only Open refuses it (ErrBuilding). Until EndBulk, reads of those
// indexes (Match by predicate or object, Range, Text, pair conditions)
// miss what the writes since BeginBulk wrote.
func (db *DB) BeginBulk(ctx context.Context) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	var ok bool
	err := db.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta.Get(keyBuilding) != nil {
			ok = true
			return nil
		}
		for _, name := range [][]byte{bucketRes, bucketStage} {
			if b := tx.Bucket(name); b != nil {
				if k, _ := b.Cursor().First(); k != nil {
					return nil
				}
			}
		}
		if _, err := tx.CreateBucketIfNotExists(bucketDeferred); err != nil {
			return err
		}
		ok = true
		return meta.Put(keyBuilding, []byte(buildingValue))
	})
	return ok, err
}

// EndBulk packs the dictionary's t2i, which the writes since BeginBulk
// left a quarter empty, builds the indexes they left out, and ends the
// bulk load; it does nothing if there is none. It takes a few
// transactions, during which other writes wait: a crash or a canceled ctx
// leaves the file marked, and the next writable Open builds them.
func (db *DB) EndBulk(ctx context.Context) error {
	db.buildMu.Lock()
	defer db.buildMu.Unlock()
	return db.build(ctx)
}

// building reports whether the file is marked (see BeginBulk).
func (db *DB) building() (bool, error) {
	var marked bool
	err := db.db.View(func(tx *bolt.Tx) error {
		marked = tx.Bucket(bucketMeta).Get(keyBuilding) != nil
		return nil
	})
	return marked, err
}

// build builds the indexes of a marked file from res, then reclaims the
// terms the writes deferred (see bucketDeferred) and clears the mark.
func (db *DB) build(ctx context.Context) error {
	marked, err := db.building()
	if err != nil || !marked {
		return err
	}
	// counts are the entries of each predicate, which posg counts first:
	// the steps size their memory so.
	counts := map[uint64]int{}
	steps := []struct {
		name string
		fn   func(ctx context.Context) error
	}{
		// First: the other steps look terms up, and a build that
		// stopped in this one left t2i empty.
		{"t2i", db.packT2I},
		{"posg", func(ctx context.Context) error { return db.buildPOSG(ctx, counts) }},
		{"pair", func(ctx context.Context) error { return db.buildPairs(ctx, counts) }},
		{"text", func(ctx context.Context) error { return db.buildText(ctx, counts) }},
	}
	for _, s := range steps {
		if err := s.fn(ctx); err != nil {
			return fmt.Errorf("build %s: %w", s.name, err)
		}
		runtime.GC() // the next step's memory in place of this one's
		if buildHook != nil {
			if err := buildHook(s.name); err != nil {
				return err
			}
		}
	}
	return db.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketMeta).Delete(keyBuilding); err != nil {
			return err
		}
		w := newTxWriter(tx, db) // not bulk: the mark is gone
		if d := tx.Bucket(bucketDeferred); d != nil {
			c := d.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if len(k) != 8 || len(v) != 9 {
					return fmt.Errorf("%w: deferred term %x", ErrCorrupt, k)
				}
				if w.candidates == nil {
					w.candidates = make(map[uint64][9]byte)
				}
				w.candidates[binary.BigEndian.Uint64(k)] = [9]byte(v)
			}
			if err := tx.DeleteBucket(bucketDeferred); err != nil {
				return err
			}
		}
		return w.flush()
	})
}

// deferCheck notes the terms of cands, which may be unused, for build to
// check once posg is built.
func (w *txWriter) deferCheck(ids []uint64, cands map[uint64][9]byte) error {
	for _, id := range ids {
		k := cands[id]
		if err := w.deferred.Put(u64(id), k[:]); err != nil {
			return err
		}
	}
	return nil
}

// eachEntry calls fn with the graph id and unpacked entries of every
// resource, in res order. The entries are valid until fn returns.
func eachEntry(ctx context.Context, tx *bolt.Tx, fn func(g uint64, entries []byte) error) error {
	var buf []byte
	c := tx.Bucket(bucketRes).Cursor()
	n := 0
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var err error
		if buf, err = unpackRes(buf[:0], v, k, true); err != nil {
			return err
		}
		if err := fn(binary.BigEndian.Uint64(buf[8:16]), buf[headerLen:]); err != nil {
			return err
		}
	}
	return nil
}

// posgEnt is a posg key of a known predicate: class | value | o | s | g.
type posgEnt struct {
	v, o, s, g uint64
	class      byte
}

func cmpPOSG(a, b posgEnt) int {
	if c := cmp.Compare(a.class, b.class); c != 0 {
		return c
	}
	if c := cmp.Compare(a.v, b.v); c != 0 {
		return c
	}
	if c := cmp.Compare(a.o, b.o); c != 0 {
		return c
	}
	if c := cmp.Compare(a.s, b.s); c != 0 {
		return c
	}
	return cmp.Compare(a.g, b.g)
}

// buildPOSG builds posg from res: it counts the keys of each predicate
// into counts,
// then, for each run of predicates with at most buildChunk keys, gathers
// their keys in one walk of res, sorts each predicate's on the cores and
// appends them, in one transaction per run.
func (db *DB) buildPOSG(ctx context.Context, counts map[uint64]int) error {
	err := db.db.View(func(tx *bolt.Tx) error {
		return eachEntry(ctx, tx, func(_ uint64, e []byte) error {
			for ; len(e) > 0; e = e[entryLen:] {
				counts[binary.BigEndian.Uint64(e[8:])]++
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	preds := make([]uint64, 0, len(counts))
	for p := range counts {
		preds = append(preds, p)
	}
	slices.Sort(preds)
	if err := db.db.Update(func(tx *bolt.Tx) error {
		_, err := newBucket(tx, bucketPOSG, 1)
		return err
	}); err != nil {
		return err
	}
	for lo := 0; lo < len(preds); {
		hi, n := lo, 0
		for hi < len(preds) && (hi == lo || n+counts[preds[hi]] <= buildChunk) {
			n += counts[preds[hi]]
			hi++
		}
		run := preds[lo:hi]
		err := db.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketPOSG)
			b.FillPercent = 1
			keys := make(map[uint64][]posgEnt, len(run))
			for _, p := range run {
				keys[p] = make([]posgEnt, 0, counts[p])
			}
			err := eachEntry(ctx, tx, func(g uint64, e []byte) error {
				for ; len(e) > 0; e = e[entryLen:] {
					p := binary.BigEndian.Uint64(e[8:])
					ks, ok := keys[p]
					if !ok {
						continue
					}
					keys[p] = append(ks, posgEnt{
						class: e[16], v: binary.BigEndian.Uint64(e[17:]),
						o: binary.BigEndian.Uint64(e[25:]), s: binary.BigEndian.Uint64(e[0:]), g: g,
					})
				}
				return nil
			})
			if err != nil {
				return err
			}
			parallel(len(run), func(i int) { slices.SortFunc(keys[run[i]], cmpPOSG) })
			bb := blockBuilder{b: b, l: layoutPOSG, target: buildTarget}
			var k [8 + okeyLen + 16]byte
			for _, p := range run {
				binary.BigEndian.PutUint64(k[0:], p)
				for _, e := range keys[p] {
					k[8] = e.class
					binary.BigEndian.PutUint64(k[9:], e.v)
					binary.BigEndian.PutUint64(k[17:], e.o)
					binary.BigEndian.PutUint64(k[25:], e.s)
					binary.BigEndian.PutUint64(k[33:], e.g)
					if err := bb.add(k[:], nil); err != nil {
						return err
					}
				}
				delete(keys, p) // let it go
			}
			return bb.flush()
		})
		if err != nil {
			return err
		}
		lo = hi
	}
	return nil
}

// parallel calls fn(i) for i from 0 to n-1 on as many goroutines as
// there are cores.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// Halves of a pair, gathered from res by buildPairs.
type (
	keyHalf   struct{ s, o, g uint64 }
	valueHalf struct {
		s, v, o, g uint64
		class      byte
	}
	viaRef struct{ s, r, g uint64 } // (r, via, s) stated by g
)

// pairEnt is a pair key of one pair: ko | class | value | vo | s | gk | gv.
type pairEnt struct {
	ko, v, vo, s, gk, gv uint64
	class                byte
}

// cmpPairEnt orders pair keys of one pair.
func cmpPairEnt(a, b pairEnt) int {
	if c := cmp.Compare(a.ko, b.ko); c != 0 {
		return c
	}
	if c := cmp.Compare(a.class, b.class); c != 0 {
		return c
	}
	if c := cmp.Compare(a.v, b.v); c != 0 {
		return c
	}
	if c := cmp.Compare(a.vo, b.vo); c != 0 {
		return c
	}
	if c := cmp.Compare(a.s, b.s); c != 0 {
		return c
	}
	if c := cmp.Compare(a.gk, b.gk); c != 0 {
		return c
	}
	return cmp.Compare(a.gv, b.gv)
}

// buildPairs builds the pair and pairvia buckets from res, as the
// writes keep them (see pairKeys), a pair at a time: it gathers the
// pair's halves and the via triples pointing to their subjects in one
// walk, joins the halves by subject into the pair's keys, sorts and
// appends them, and appends the via keys as it goes, those of each run
// of keys with one value sorted by referring subject. The keys of two
// pairs with one key predicate, or one via and key predicate, would
// interleave: for such pairs it rebuilds the buckets as an Open with new
// pairs does, from the built posg and spog.
func (db *DB) buildPairs(ctx context.Context, counts map[uint64]int) error {
	var ids []pairID
	rebuilt := false
	err := db.db.Update(func(tx *bolt.Tx) error {
		w := newTxWriter(tx, db) // first: it sets the buckets' usual fill
		for _, name := range [][]byte{bucketPair, bucketPairVia} {
			if _, err := newBucket(tx, name, 1); err != nil {
				return err
			}
		}
		var err error
		if ids, err = w.pairIDs(); err != nil {
			return err
		}
		kps, vias := map[uint64]bool{}, map[[2]uint64]bool{}
		for _, id := range ids {
			if kps[id.key] || id.via != 0 && vias[[2]uint64{id.via, id.key}] {
				rebuilt = true
				return w.rebuildPairs(tx)
			}
			kps[id.key] = true
			if id.via != 0 {
				vias[[2]uint64{id.via, id.key}] = true
			}
		}
		return nil
	})
	if err != nil || rebuilt {
		return err
	}
	// A transaction per pair: bbolt splits the nodes a transaction
	// writes only at its commit, and a put moves the keys after it in
	// its node, so keys put before those of an earlier pair in one
	// transaction would each move them all.
	for _, id := range ids {
		err := db.db.Update(func(tx *bolt.Tx) error {
			pb, vb := tx.Bucket(bucketPair), tx.Bucket(bucketPairVia)
			pb.FillPercent, vb.FillPercent = 1, 1
			return buildPair(ctx, tx, id, pb, vb, counts)
		})
		if err != nil {
			return err
		}
		runtime.GC() // the next pair's halves in place of this one's
	}
	return nil
}

// buildPair appends the keys of pair id to the pair bucket pb and the
// pairvia bucket vb (see buildPairs).
func buildPair(ctx context.Context, tx *bolt.Tx, id pairID, pb, vb *bolt.Bucket, counts map[uint64]int) error {
	keys := make([]keyHalf, 0, counts[id.key])
	vals := make([]valueHalf, 0, counts[id.value])
	var refs []viaRef
	if id.via != 0 {
		refs = make([]viaRef, 0, counts[id.via])
	}
	err := eachEntry(ctx, tx, func(g uint64, e []byte) error {
		for ; len(e) > 0; e = e[entryLen:] {
			p := binary.BigEndian.Uint64(e[8:])
			s := binary.BigEndian.Uint64(e[0:])
			o := binary.BigEndian.Uint64(e[25:])
			switch {
			case p == id.key:
				keys = append(keys, keyHalf{s: s, o: o, g: g})
			case p == id.value:
				if c := e[16]; c == classNumber || c == classDateTime {
					vals = append(vals, valueHalf{s: s, class: c, v: binary.BigEndian.Uint64(e[17:]), o: o, g: g})
				}
			case id.via != 0 && p == id.via:
				refs = append(refs, viaRef{s: o, r: s, g: g})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	parallel(3, func(j int) {
		switch j {
		case 0:
			slices.SortFunc(keys, func(a, b keyHalf) int { return cmp.Compare(a.s, b.s) })
		case 1:
			slices.SortFunc(vals, func(a, b valueHalf) int { return cmp.Compare(a.s, b.s) })
		case 2:
			slices.SortFunc(refs, func(a, b viaRef) int {
				if c := cmp.Compare(a.s, b.s); c != 0 {
					return c
				}
				if c := cmp.Compare(a.r, b.r); c != 0 {
					return c
				}
				return cmp.Compare(a.g, b.g)
			})
		}
	})
	// join calls fn with each subject's key and value halves.
	join := func(fn func(ks []keyHalf, vs []valueHalf)) {
		ks, vs := keys, vals
		for len(ks) > 0 && len(vs) > 0 {
			s := ks[0].s
			if s != vs[0].s {
				if s < vs[0].s {
					ks = ks[1:]
				} else {
					vs = vs[1:]
				}
				continue
			}
			nk, nv := 1, 1
			for nk < len(ks) && ks[nk].s == s {
				nk++
			}
			for nv < len(vs) && vs[nv].s == s {
				nv++
			}
			fn(ks[:nk], vs[:nv])
			ks, vs = ks[nk:], vs[nv:]
		}
	}
	n := 0
	join(func(ks []keyHalf, vs []valueHalf) { n += len(ks) * len(vs) })
	pairs := make([]pairEnt, 0, n)
	join(func(ks []keyHalf, vs []valueHalf) {
		for _, k := range ks {
			for _, v := range vs {
				pairs = append(pairs, pairEnt{ko: k.o, class: v.class, v: v.v, vo: v.o, s: k.s, gk: k.g, gv: v.g})
			}
		}
	})
	keys, vals = nil, nil
	slices.SortFunc(pairs, cmpPairEnt)

	bb := blockBuilder{b: pb, l: layoutPair, target: buildTarget}
	vbb := blockBuilder{b: vb, l: layoutPairVia, target: buildTarget}
	k := make([]byte, 0, pairViaKeyLen)
	type via struct{ r, gr, gk, gv uint64 }
	var run []via // the via keys of a run of pair keys with one value
	flushRun := func(e pairEnt) error {
		slices.SortFunc(run, func(a, b via) int {
			for _, c := range [...]int{cmp.Compare(a.r, b.r), cmp.Compare(a.gr, b.gr), cmp.Compare(a.gk, b.gk)} {
				if c != 0 {
					return c
				}
			}
			return cmp.Compare(a.gv, b.gv)
		})
		for _, x := range run {
			k = binary.BigEndian.AppendUint64(k[:0], id.via)
			k = appendPairEnt(k, id, e)
			k = binary.BigEndian.AppendUint64(k, x.r)
			k = binary.BigEndian.AppendUint64(k, x.gr)
			k = binary.BigEndian.AppendUint64(k, x.gk)
			k = binary.BigEndian.AppendUint64(k, x.gv)
			if err := vbb.add(k, nil); err != nil {
				return err
			}
		}
		run = run[:0]
		return nil
	}
	for i, e := range pairs {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		k = appendPairEnt(k[:0], id, e)
		k = binary.BigEndian.AppendUint64(k, e.s)
		k = binary.BigEndian.AppendUint64(k, e.gk)
		k = binary.BigEndian.AppendUint64(k, e.gv)
		if err := bb.add(k, nil); err != nil {
			return err
		}
		if id.via == 0 {
			continue
		}
		j, _ := slices.BinarySearchFunc(refs, e.s, func(r viaRef, s uint64) int { return cmp.Compare(r.s, s) })
		for ; j < len(refs) && refs[j].s == e.s; j++ {
			run = append(run, via{r: refs[j].r, gr: refs[j].g, gk: e.gk, gv: e.gv})
		}
		if next := i + 1; next == len(pairs) || pairs[next].ko != e.ko || pairs[next].class != e.class || pairs[next].v != e.v || pairs[next].vo != e.vo {
			if err := flushRun(e); err != nil {
				return err
			}
		}
	}
	if err := bb.flush(); err != nil {
		return err
	}
	return vbb.flush()
}

// appendPairEnt appends kp | ko | vp | class | value | vo of the key e
// of pair id.
func appendPairEnt(k []byte, id pairID, e pairEnt) []byte {
	k = binary.BigEndian.AppendUint64(k, id.key)
	k = binary.BigEndian.AppendUint64(k, e.ko)
	k = binary.BigEndian.AppendUint64(k, id.value)
	k = append(k, e.class)
	k = binary.BigEndian.AppendUint64(k, e.v)
	return binary.BigEndian.AppendUint64(k, e.vo)
}

// textEnt is an entry of a text predicate: s | p | o | g.
type textEnt struct{ s, p, o, g uint64 }

// buildText builds the text bucket from res: it gathers the entries of
// the text predicates in one walk and sorts them, tokenizes their
// objects, numbering the distinct tokens, and sorts the postings as
// numbers: a token's rank in byte order, then the entry's index.
func (db *DB) buildText(ctx context.Context, counts map[uint64]int) error {
	if err := db.db.Update(func(tx *bolt.Tx) error {
		_, err := newBucket(tx, bucketText, 1)
		return err
	}); err != nil {
		return err
	}
	var (
		ents     []textEnt
		postings []posting
		toks     []string
		order    []uint32 // token numbers by rank
	)
	err := db.db.View(func(tx *bolt.Tx) (err error) {
		ents, postings, toks, order, err = db.textPostings(ctx, tx, counts)
		return err
	})
	if err != nil {
		return err
	}
	// Written in several transactions, so that each holds the pages of
	// a part: bbolt keeps a transaction's pages in memory until its
	// commit.
	for from := 0; from < len(postings); from += buildChunk {
		err := db.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketText)
			b.FillPercent = 1
			bb := blockBuilder{b: b, l: layoutText, target: buildTarget}
			var k [literal.MaxTokenLen + 33]byte
			for _, p := range postings[from:min(from+buildChunk, len(postings))] {
				e := ents[p.key&(1<<32-1)]
				key := append(k[:0], toks[order[p.key>>32]]...)
				key = append(key, 0)
				key = binary.BigEndian.AppendUint64(key, e.s)
				key = binary.BigEndian.AppendUint64(key, e.p)
				key = binary.BigEndian.AppendUint64(key, e.o)
				key = binary.BigEndian.AppendUint64(key, e.g)
				if err := bb.add(key, countValue(int(p.tf))); err != nil {
					return err
				}
			}
			return bb.flush()
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// A posting of the text index being built: the number of its token (its
// rank in byte order, once ranked) << 32 | the index of its entry, and
// the token's count in the entry's object.
type posting struct {
	key uint64
	tf  uint32
}

// textPostings returns the entries of the text predicates, sorted, and
// their postings, sorted in key order, with the tokens and their order
// (see buildText).
func (db *DB) textPostings(ctx context.Context, tx *bolt.Tx, counts map[uint64]int) (ents []textEnt, postings []posting, toks []string, order []uint32, err error) {
	t2i, i2t := db.index(tx, bucketT2I, layoutT2I), db.index(tx, bucketI2T, layoutI2T)
	preds := map[uint64]bool{}
	for enc := range db.text.encs {
		id, err := lookupID(t2i, i2t, enc)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		if id != 0 {
			preds[id] = true
		}
	}
	if len(preds) == 0 {
		return nil, nil, nil, nil, nil
	}
	n := 0
	for p := range preds {
		n += counts[p]
	}
	ents = make([]textEnt, 0, n)
	err = eachEntry(ctx, tx, func(g uint64, e []byte) error {
		for ; len(e) > 0; e = e[entryLen:] {
			if p := binary.BigEndian.Uint64(e[8:]); preds[p] {
				ents = append(ents, textEnt{s: binary.BigEndian.Uint64(e[0:]), p: p, o: binary.BigEndian.Uint64(e[25:]), g: g})
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, nil, err
	}
	slices.SortFunc(ents, func(a, b textEnt) int {
		if c := cmp.Compare(a.s, b.s); c != 0 {
			return c
		}
		if c := cmp.Compare(a.p, b.p); c != 0 {
			return c
		}
		if c := cmp.Compare(a.o, b.o); c != 0 {
			return c
		}
		return cmp.Compare(a.g, b.g)
	})
	var (
		tokID    = map[string]uint32{}
		lastO    uint64
		lastToks []tokenCount
	)
	for i, e := range ents {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, nil, nil, err
			}
		}
		if i == 0 || e.o != lastO {
			lastO, lastToks = e.o, nil
			enc := termEncoding(i2t, u64(e.o))
			if enc == nil {
				return nil, nil, nil, nil, fmt.Errorf("%w: no term %d", ErrCorrupt, e.o)
			}
			if text, ok := textOf(string(enc)); ok {
				lastToks = countTokens(text, MaxTextTokens)
			}
		}
		for _, t := range lastToks {
			id, ok := tokID[t.tok]
			if !ok {
				id = uint32(len(toks))
				tokID[t.tok] = id
				toks = append(toks, t.tok)
			}
			postings = append(postings, posting{key: uint64(id)<<32 | uint64(i), tf: uint32(min(t.n, 1<<32-1))})
		}
	}
	if len(ents) >= 1<<32 || len(toks) >= 1<<32 {
		return nil, nil, nil, nil, fmt.Errorf("%d text entries of %d tokens: too many to build at once", len(ents), len(toks))
	}
	tokID = nil
	order = make([]uint32, len(toks))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int { return cmp.Compare(toks[a], toks[b]) })
	rank := make([]uint32, len(toks))
	for r, id := range order {
		rank[id] = uint32(r)
	}
	for i := range postings {
		p := &postings[i]
		p.key = uint64(rank[p.key>>32])<<32 | p.key&(1<<32-1)
	}
	slices.SortFunc(postings, func(a, b posting) int { return cmp.Compare(a.key, b.key) })
	return ents, postings, toks, order, nil
}
