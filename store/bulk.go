package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"runtime"

	"github.com/oslc-pm/pmprovider/codec/literal"
	bolt "go.etcd.io/bbolt"
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

// buildChunk bounds the memory of a build: the records a sorter holds in
// each of its two buffers (a pair's five sorters share it), about 48
// bytes each, and the keys a transaction of the build appends.
var buildChunk = 1 << 19

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
	steps := []struct {
		name string
		fn   func(ctx context.Context) error
	}{
		// First: the other steps look terms up, and a build that
		// stopped in this one left t2i empty.
		{"t2i", db.packT2I},
		{"posg", db.buildPOSG},
		{"pair", db.buildPairs},
		{"text", db.buildText},
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
// resource, in res order, that of the graph ids. The entries are valid
// until fn returns.
func eachEntry(ctx context.Context, tx *bolt.Tx, fn func(g uint64, entries []byte) error) error {
	var buf []byte
	c := tx.Bucket(bucketRes).Cursor()
	n := 0
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if n++; n%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if len(k) != 8 {
			return fmt.Errorf("%w: res key %q", ErrCorrupt, k)
		}
		var err error
		if buf, err = unpackRes(buf[:0], v, binary.BigEndian.Uint64(k)); err != nil {
			return err
		}
		if err := fn(binary.BigEndian.Uint64(buf[8:16]), buf[headerLen:]); err != nil {
			return err
		}
	}
	return nil
}

// buildDir is where a build's sorters spill: beside the store.
func (db *DB) buildDir() string { return filepath.Dir(db.db.Path()) }

// appendAll appends the records of s to bucket name in blocks of layout
// l, at fill 1, key makes each record's key; it commits every buildChunk
// keys, so that no transaction holds more pages than that in memory.
func appendAll[T record[T]](ctx context.Context, db *DB, s *sorter[T], name []byte, l *layout, key func(k []byte, t T) ([]byte, []byte)) error {
	defer s.close()
	ks, err := newKeyStream(ctx, s, key)
	if err != nil {
		return err
	}
	for done := false; !done; {
		err := db.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(name)
			b.FillPercent = 1
			bb := blockBuilder{b: b, l: l, target: buildTarget}
			for part := 0; part < buildChunk; part++ {
				k, v, ok, err := ks.next()
				if err != nil {
					return err
				}
				if !ok {
					done = true
					break
				}
				if err := bb.add(k, v); err != nil {
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

// A keyStream makes the keys of a sorter's records in order, once each,
// as a bulk build writes them and a check compares them.
type keyStream[T record[T]] struct {
	ctx  context.Context
	m    *merger[T]
	key  func(k []byte, t T) ([]byte, []byte)
	prev T
	n    int
	kbuf []byte
}

func newKeyStream[T record[T]](ctx context.Context, s *sorter[T], key func(k []byte, t T) ([]byte, []byte)) (*keyStream[T], error) {
	m, err := s.merge()
	if err != nil {
		return nil, err
	}
	return &keyStream[T]{ctx: ctx, m: m, key: key}, nil
}

// next returns the next key and its value, valid until the next call, or
// ok false at the end.
func (ks *keyStream[T]) next() (k, v []byte, ok bool, err error) {
	for {
		t, ok, err := ks.m.next()
		if err != nil || !ok {
			return nil, nil, false, err
		}
		if ks.n > 0 && t.compare(ks.prev) == 0 {
			continue // the sorter may hold a key twice
		}
		if ks.n++; ks.n%ctxEvery == 0 {
			if err := ks.ctx.Err(); err != nil {
				return nil, nil, false, err
			}
		}
		ks.prev = t
		ks.kbuf, v = ks.key(ks.kbuf[:0], t)
		return ks.kbuf, v, true, nil
	}
}

// posgRec is a posg key: p | class | value | o | s | g.
type posgRec struct {
	p, v, o, s, g uint64
	class         byte
}

func (posgRec) width() int { return 41 }

func (r posgRec) put(b []byte) {
	binary.BigEndian.PutUint64(b[0:], r.p)
	b[8] = r.class
	binary.BigEndian.PutUint64(b[9:], r.v)
	binary.BigEndian.PutUint64(b[17:], r.o)
	binary.BigEndian.PutUint64(b[25:], r.s)
	binary.BigEndian.PutUint64(b[33:], r.g)
}

func (posgRec) get(b []byte) posgRec {
	return posgRec{
		p: binary.BigEndian.Uint64(b[0:]), class: b[8], v: binary.BigEndian.Uint64(b[9:]),
		o: binary.BigEndian.Uint64(b[17:]), s: binary.BigEndian.Uint64(b[25:]), g: binary.BigEndian.Uint64(b[33:]),
	}
}

func (a posgRec) compare(b posgRec) int {
	if c := cmp.Compare(a.p, b.p); c != 0 {
		return c
	}
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

// buildPOSG builds posg from res: one walk gathers its keys into a
// sorter, whose output is appended in order.
func (db *DB) buildPOSG(ctx context.Context) error {
	if err := db.db.Update(func(tx *bolt.Tx) error {
		_, err := newBucket(tx, bucketPOSG, 1)
		return err
	}); err != nil {
		return err
	}
	s := newSorter[posgRec](db.buildDir(), buildChunk)
	err := db.db.View(func(tx *bolt.Tx) error {
		return eachEntry(ctx, tx, func(g uint64, e []byte) error {
			for ; len(e) > 0; e = e[entryLen:] {
				err := s.add(posgRec{
					p: binary.BigEndian.Uint64(e[8:]), class: e[16], v: binary.BigEndian.Uint64(e[17:]),
					o: binary.BigEndian.Uint64(e[25:]), s: binary.BigEndian.Uint64(e[0:]), g: g,
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		s.close()
		return err
	}
	var k [8 + okeyLen + 16]byte
	return appendAll(ctx, db, s, bucketPOSG, layoutPOSG, func(_ []byte, r posgRec) ([]byte, []byte) {
		r.put(k[:])
		return k[:], nil
	})
}

// What buildPair gathers from res, in subject order: a pair's key
// halves (s, kp, o) and the via triples pointing to their subjects
// (x, via, s) as subjRefs, stated by g, and its value halves.
type (
	subjRef   struct{ s, x, g uint64 }
	valueHalf struct {
		s, v, o, g uint64
		class      byte
	}
)

func (subjRef) width() int { return 24 }

func (h subjRef) put(b []byte) {
	binary.BigEndian.PutUint64(b[0:], h.s)
	binary.BigEndian.PutUint64(b[8:], h.x)
	binary.BigEndian.PutUint64(b[16:], h.g)
}

func (subjRef) get(b []byte) subjRef {
	return subjRef{s: binary.BigEndian.Uint64(b[0:]), x: binary.BigEndian.Uint64(b[8:]), g: binary.BigEndian.Uint64(b[16:])}
}

func (a subjRef) compare(b subjRef) int {
	if c := cmp.Compare(a.s, b.s); c != 0 {
		return c
	}
	if c := cmp.Compare(a.x, b.x); c != 0 {
		return c
	}
	return cmp.Compare(a.g, b.g)
}

func (valueHalf) width() int { return 33 }

func (h valueHalf) put(b []byte) {
	binary.BigEndian.PutUint64(b[0:], h.s)
	b[8] = h.class
	binary.BigEndian.PutUint64(b[9:], h.v)
	binary.BigEndian.PutUint64(b[17:], h.o)
	binary.BigEndian.PutUint64(b[25:], h.g)
}

func (valueHalf) get(b []byte) valueHalf {
	return valueHalf{
		s: binary.BigEndian.Uint64(b[0:]), class: b[8], v: binary.BigEndian.Uint64(b[9:]),
		o: binary.BigEndian.Uint64(b[17:]), g: binary.BigEndian.Uint64(b[25:]),
	}
}

func (a valueHalf) compare(b valueHalf) int {
	if c := cmp.Compare(a.s, b.s); c != 0 {
		return c
	}
	if c := cmp.Compare(a.class, b.class); c != 0 {
		return c
	}
	if c := cmp.Compare(a.v, b.v); c != 0 {
		return c
	}
	if c := cmp.Compare(a.o, b.o); c != 0 {
		return c
	}
	return cmp.Compare(a.g, b.g)
}

// pairEnt is a pair key of one pair: ko | class | value | vo | s | gk | gv.
type pairEnt struct {
	ko, v, vo, s, gk, gv uint64
	class                byte
}

func (pairEnt) width() int { return 49 }

func (e pairEnt) put(b []byte) {
	binary.BigEndian.PutUint64(b[0:], e.ko)
	b[8] = e.class
	binary.BigEndian.PutUint64(b[9:], e.v)
	binary.BigEndian.PutUint64(b[17:], e.vo)
	binary.BigEndian.PutUint64(b[25:], e.s)
	binary.BigEndian.PutUint64(b[33:], e.gk)
	binary.BigEndian.PutUint64(b[41:], e.gv)
}

func (pairEnt) get(b []byte) pairEnt {
	return pairEnt{
		ko: binary.BigEndian.Uint64(b[0:]), class: b[8], v: binary.BigEndian.Uint64(b[9:]),
		vo: binary.BigEndian.Uint64(b[17:]), s: binary.BigEndian.Uint64(b[25:]),
		gk: binary.BigEndian.Uint64(b[33:]), gv: binary.BigEndian.Uint64(b[41:]),
	}
}

// compare orders pair keys of one pair.
func (a pairEnt) compare(b pairEnt) int {
	if c := a.compareValue(b); c != 0 {
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

// compareValue orders ko | class | value | vo.
func (a pairEnt) compareValue(b pairEnt) int {
	if c := cmp.Compare(a.ko, b.ko); c != 0 {
		return c
	}
	if c := cmp.Compare(a.class, b.class); c != 0 {
		return c
	}
	if c := cmp.Compare(a.v, b.v); c != 0 {
		return c
	}
	return cmp.Compare(a.vo, b.vo)
}

// viaEnt is a pairvia key of one pair: the pair key's ko | class | value
// | vo, then r | gr | gk | gv.
type viaEnt struct {
	pairEnt // s unused
	r, gr   uint64
}

func (viaEnt) width() int { return 57 }

func (e viaEnt) put(b []byte) {
	binary.BigEndian.PutUint64(b[0:], e.ko)
	b[8] = e.class
	binary.BigEndian.PutUint64(b[9:], e.v)
	binary.BigEndian.PutUint64(b[17:], e.vo)
	binary.BigEndian.PutUint64(b[25:], e.r)
	binary.BigEndian.PutUint64(b[33:], e.gr)
	binary.BigEndian.PutUint64(b[41:], e.gk)
	binary.BigEndian.PutUint64(b[49:], e.gv)
}

func (viaEnt) get(b []byte) viaEnt {
	return viaEnt{
		pairEnt: pairEnt{
			ko: binary.BigEndian.Uint64(b[0:]), class: b[8], v: binary.BigEndian.Uint64(b[9:]),
			vo: binary.BigEndian.Uint64(b[17:]), gk: binary.BigEndian.Uint64(b[41:]), gv: binary.BigEndian.Uint64(b[49:]),
		},
		r: binary.BigEndian.Uint64(b[25:]), gr: binary.BigEndian.Uint64(b[33:]),
	}
}

func (a viaEnt) compare(b viaEnt) int {
	if c := a.compareValue(b.pairEnt); c != 0 {
		return c
	}
	if c := cmp.Compare(a.r, b.r); c != 0 {
		return c
	}
	if c := cmp.Compare(a.gr, b.gr); c != 0 {
		return c
	}
	if c := cmp.Compare(a.gk, b.gk); c != 0 {
		return c
	}
	return cmp.Compare(a.gv, b.gv)
}

// buildPairs builds the pair and pairvia buckets from res, as the
// writes keep them (see pairKeys), a pair at a time (see buildPair). The
// keys of two pairs with one key predicate, or one via and key predicate,
// would interleave: for such pairs it rebuilds the buckets as an Open
// with new pairs does, from the built posg and spog.
func (db *DB) buildPairs(ctx context.Context) error {
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
		if sharesRanges(ids) {
			rebuilt = true
			return w.rebuildPairs(tx)
		}
		return nil
	})
	if err != nil || rebuilt {
		return err
	}
	for _, id := range ids {
		if err := db.buildPair(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// sharesRanges reports whether pairs of ids share a key predicate, or a
// via and key predicate: each pair's keys start with its key predicate,
// its via keys with its via and key predicates, so such pairs' keys
// interleave and cannot be appended pair by pair.
func sharesRanges(ids []pairID) bool {
	kps, vias := map[uint64]bool{}, map[[2]uint64]bool{}
	for _, id := range ids {
		if kps[id.key] || id.via != 0 && vias[[2]uint64{id.via, id.key}] {
			return true
		}
		kps[id.key] = true
		if id.via != 0 {
			vias[[2]uint64{id.via, id.key}] = true
		}
	}
	return false
}

// buildPair appends the keys of pair id to the pair and pairvia buckets:
// one walk of res gathers the pair's halves and the via triples pointing
// to their subjects into sorters by subject; joining those by subject
// makes the pair's keys and via keys, into two more sorters, whose
// outputs are appended in order.
func (db *DB) buildPair(ctx context.Context, id pairID) error {
	pairs, vias, err := pairEntries(ctx, db.buildDir(), id, db.db.View)
	if err != nil {
		return err
	}
	defer vias.close()
	runtime.GC() // the halves' buffers gone before the pages come
	if err := appendAll(ctx, db, pairs, bucketPair, layoutPair, pairRecKey(id)); err != nil || id.via == 0 {
		return err
	}
	return appendAll(ctx, db, vias, bucketPairVia, layoutPairVia, viaRecKey(id))
}

// pairEntries returns the sorted entries of pair id and of its via keys,
// gathered from res in a read transaction that view runs, through files
// in dir. The caller closes them.
func pairEntries(ctx context.Context, dir string, id pairID, view func(func(*bolt.Tx) error) error) (*sorter[pairEnt], *sorter[viaEnt], error) {
	// Three sorters fill at once, then two: the memory of one each.
	third := max(buildChunk/3, 1)
	keys := newSorter[subjRef](dir, third)
	vals := newSorter[valueHalf](dir, third)
	refs := newSorter[subjRef](dir, third)
	defer func() {
		for _, s := range []interface{ close() }{keys, vals, refs} {
			s.close()
		}
	}()
	pairs := newSorter[pairEnt](dir, third)
	vias := newSorter[viaEnt](dir, third)
	err := view(func(tx *bolt.Tx) error { return gatherPair(ctx, tx, id, keys, vals, refs) })
	if err == nil {
		err = joinHalves(keys, vals, refs, id.via != 0, pairs, vias)
	}
	if err != nil {
		pairs.close()
		vias.close()
		return nil, nil, err
	}
	return pairs, vias, nil
}

// gatherPair adds to keys, vals and refs the halves of pair id and the
// via triples pointing to their subjects, of the resources of tx.
func gatherPair(ctx context.Context, tx *bolt.Tx, id pairID, keys *sorter[subjRef], vals *sorter[valueHalf], refs *sorter[subjRef]) error {
	return eachEntry(ctx, tx, func(g uint64, e []byte) error {
		for ; len(e) > 0; e = e[entryLen:] {
			p := binary.BigEndian.Uint64(e[8:])
			s := binary.BigEndian.Uint64(e[0:])
			o := binary.BigEndian.Uint64(e[25:])
			var err error
			switch {
			case p == id.key:
				err = keys.add(subjRef{s: s, x: o, g: g})
			case p == id.value:
				if c := e[16]; c == classNumber || c == classDateTime {
					err = vals.add(valueHalf{s: s, class: c, v: binary.BigEndian.Uint64(e[17:]), o: o, g: g})
				}
			case id.via != 0 && p == id.via:
				err = refs.add(subjRef{s: o, x: s, g: g})
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// pairRecKey returns the function that makes the key of an entry of
// pair id.
func pairRecKey(id pairID) func(k []byte, e pairEnt) ([]byte, []byte) {
	return func(k []byte, e pairEnt) ([]byte, []byte) {
		k = appendPairEnt(k, id, e)
		k = binary.BigEndian.AppendUint64(k, e.s)
		k = binary.BigEndian.AppendUint64(k, e.gk)
		return binary.BigEndian.AppendUint64(k, e.gv), nil
	}
}

// viaRecKey returns the function that makes the pairvia key of an entry
// of pair id.
func viaRecKey(id pairID) func(k []byte, e viaEnt) ([]byte, []byte) {
	return func(k []byte, e viaEnt) ([]byte, []byte) {
		k = binary.BigEndian.AppendUint64(k, id.via)
		k = appendPairEnt(k, id, e.pairEnt)
		k = binary.BigEndian.AppendUint64(k, e.r)
		k = binary.BigEndian.AppendUint64(k, e.gr)
		k = binary.BigEndian.AppendUint64(k, e.gk)
		return binary.BigEndian.AppendUint64(k, e.gv), nil
	}
}

// joinHalves joins the key and value halves of a pair by subject, all in
// subject order, into pair keys, and each of those with the via triples
// pointing to its subject into via keys (if via).
func joinHalves(keys *sorter[subjRef], vals *sorter[valueHalf], refs *sorter[subjRef], via bool, pairs *sorter[pairEnt], vias *sorter[viaEnt]) error {
	km, err := keys.merge()
	if err != nil {
		return err
	}
	vm, err := vals.merge()
	if err != nil {
		return err
	}
	rm, err := refs.merge()
	if err != nil {
		return err
	}
	// The next record of each, if ok.
	type src[T any] struct {
		cur T
		ok  bool
	}
	var (
		k  src[subjRef]
		v  src[valueHalf]
		r  src[subjRef]
		ks []subjRef
		vs []valueHalf
		rs []subjRef
	)
	if k.cur, k.ok, err = km.next(); err != nil {
		return err
	}
	if v.cur, v.ok, err = vm.next(); err != nil {
		return err
	}
	if r.cur, r.ok, err = rm.next(); err != nil {
		return err
	}
	for k.ok && v.ok {
		s := k.cur.s
		if s != v.cur.s {
			var err error
			if s < v.cur.s {
				k.cur, k.ok, err = km.next()
			} else {
				v.cur, v.ok, err = vm.next()
			}
			if err != nil {
				return err
			}
			continue
		}
		ks, vs, rs = ks[:0], vs[:0], rs[:0]
		for k.ok && k.cur.s == s {
			ks = append(ks, k.cur)
			if k.cur, k.ok, err = km.next(); err != nil {
				return err
			}
		}
		for v.ok && v.cur.s == s {
			vs = append(vs, v.cur)
			if v.cur, v.ok, err = vm.next(); err != nil {
				return err
			}
		}
		if via {
			for r.ok && r.cur.s < s {
				if r.cur, r.ok, err = rm.next(); err != nil {
					return err
				}
			}
			for r.ok && r.cur.s == s {
				rs = append(rs, r.cur)
				if r.cur, r.ok, err = rm.next(); err != nil {
					return err
				}
			}
		}
		for _, kh := range ks {
			for _, vh := range vs {
				e := pairEnt{ko: kh.x, class: vh.class, v: vh.v, vo: vh.o, s: s, gk: kh.g, gv: vh.g}
				if err := pairs.add(e); err != nil {
					return err
				}
				for _, ref := range rs {
					if err := vias.add(viaEnt{pairEnt: e, r: ref.x, gr: ref.g}); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
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

// textRec is a posting of the text index being built: its token, the
// entry s | p | o | g, and the token's count in the entry's object.
// Tokens hold no 0 byte, so that ordering them as bytes orders the keys,
// token | 0x00 | s | p | o | g.
type textRec struct {
	s, p, o, g uint64
	tf         uint32
	n          uint8 // the token's length
	tok        [literal.MaxTokenLen]byte
}

func (textRec) width() int { return 32 + 4 + 1 + literal.MaxTokenLen }

func (r *textRec) token() []byte { return r.tok[:r.n] }

func (r textRec) put(b []byte) {
	binary.BigEndian.PutUint64(b[0:], r.s)
	binary.BigEndian.PutUint64(b[8:], r.p)
	binary.BigEndian.PutUint64(b[16:], r.o)
	binary.BigEndian.PutUint64(b[24:], r.g)
	binary.BigEndian.PutUint32(b[32:], r.tf)
	b[36] = r.n
	copy(b[37:], r.tok[:])
}

func (textRec) get(b []byte) textRec {
	r := textRec{
		s: binary.BigEndian.Uint64(b[0:]), p: binary.BigEndian.Uint64(b[8:]),
		o: binary.BigEndian.Uint64(b[16:]), g: binary.BigEndian.Uint64(b[24:]),
		tf: binary.BigEndian.Uint32(b[32:]), n: b[36],
	}
	copy(r.tok[:], b[37:])
	return r
}

func (a textRec) compare(b textRec) int {
	if c := bytes.Compare(a.token(), b.token()); c != 0 {
		return c
	}
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
}

// buildText builds the text bucket from res: one walk cuts the objects
// of the text predicates into tokens and puts the postings, each with its
// token, into a sorter whose output is appended in order. A record is
// about 100 bytes, so the sorter holds a quarter as many as others.
func (db *DB) buildText(ctx context.Context) error {
	if err := db.db.Update(func(tx *bolt.Tx) error {
		_, err := newBucket(tx, bucketText, 1)
		return err
	}); err != nil {
		return err
	}
	s := newSorter[textRec](db.buildDir(), buildChunk/4)
	err := db.db.View(func(tx *bolt.Tx) error { return db.gatherText(ctx, tx, s) })
	if err != nil {
		s.close()
		return err
	}
	return appendAll(ctx, db, s, bucketText, layoutText, textRecKey)
}

// gatherText adds to s a record per text key the resources of tx make.
func (db *DB) gatherText(ctx context.Context, tx *bolt.Tx, s *sorter[textRec]) error {
	t2i, i2t := db.index(tx, bucketT2I, layoutT2I), db.index(tx, bucketI2T, layoutI2T)
	preds := map[uint64]bool{}
	for enc := range db.text.encs {
		id, err := lookupID(t2i, i2t, enc)
		if err != nil {
			return err
		}
		if id != 0 {
			preds[id] = true
		}
	}
	if len(preds) == 0 {
		return nil
	}
	var (
		lastO    uint64
		lastToks []tokenCount
		seen     bool
	)
	return eachEntry(ctx, tx, func(g uint64, e []byte) error {
		for ; len(e) > 0; e = e[entryLen:] {
			p := binary.BigEndian.Uint64(e[8:])
			if !preds[p] {
				continue
			}
			o := binary.BigEndian.Uint64(e[25:])
			if !seen || o != lastO {
				seen, lastO, lastToks = true, o, nil
				enc := termEncoding(i2t, e[25:33])
				if enc == nil {
					return fmt.Errorf("%w: no term %d", ErrCorrupt, o)
				}
				if text, ok := textOf(string(enc)); ok {
					lastToks = countTokens(text, MaxTextTokens)
				}
			}
			for _, t := range lastToks {
				if len(t.tok) > literal.MaxTokenLen {
					return fmt.Errorf("%w: token of %d bytes", ErrCorrupt, len(t.tok))
				}
				r := textRec{s: binary.BigEndian.Uint64(e[0:]), p: p, o: o, g: g, tf: uint32(min(t.n, 1<<32-1)), n: uint8(len(t.tok))}
				copy(r.tok[:], t.tok)
				if err := s.add(r); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// textRecKey makes the text key and value of r.
func textRecKey(k []byte, r textRec) ([]byte, []byte) {
	k = append(k, r.token()...)
	k = append(k, 0)
	k = binary.BigEndian.AppendUint64(k, r.s)
	k = binary.BigEndian.AppendUint64(k, r.p)
	k = binary.BigEndian.AppendUint64(k, r.o)
	k = binary.BigEndian.AppendUint64(k, r.g)
	return k, countValue(int(r.tf))
}
