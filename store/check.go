package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

// CheckReport is what Check counted and found wrong.
type CheckReport struct {
	Resources, Triples, Terms int64 // counted in res and i2t
	SPOG, POSG                int64 // index keys counted
	Text, Pair, PairVia       int64 // derived index keys counted (see Check)
	// Problems lists what disagrees, up to the number Check was asked
	// for; More counts those left out.
	Problems []string
	More     int64
	// Building is set when a bulk load's index build is pending (a killed
	// import): posg, text and the pairs are not checked, the next
	// writable Open builds them.
	Building bool
	// Unchecked says what Check could not check, and why.
	Unchecked []string
}

// OK reports whether Check found nothing wrong.
func (r *CheckReport) OK() bool { return len(r.Problems) == 0 }

func (r *CheckReport) problem(max int, format string, args ...any) {
	if len(r.Problems) < max {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
		return
	}
	r.More++
}

// Check reads the whole store in one snapshot and reports where its parts
// disagree, listing up to max problems: every term id a resource uses is
// in the dictionary, both ways (t2i maps each i2t entry back to its id);
// every resource's IRI maps to its graph id in rid; every triple of a
// resource has its spog and posg keys, and the indexes hold no other keys;
// the counters Stats reports match what is there; the text and pair
// indexes hold the keys a bulk build would make of the resources, no
// more, no fewer. It reads every key once and seeks an index key per
// triple and a dictionary key per term; the derived indexes' keys are
// made as a bulk build makes them, sorted through files in the system's
// temporary directory, and compared in one pass each. Check reads format
// 10 and 11 files only: a writable Open upgrades older ones.
func (db *DB) Check(ctx context.Context, max int) (CheckReport, error) {
	if db.resByIRI || !db.blocks || db.v7 {
		return CheckReport{}, fmt.Errorf("check reads store formats %d and %d only: open the store writable once (pmprovider serve) to upgrade it", formatVersionV10, formatVersion)
	}
	var r CheckReport
	err := db.View(ctx, func(s *Snapshot) error { return s.check(ctx, max, &r) })
	return r, err
}

// check is Check in the snapshot, reporting to r. A res value it cannot
// unpack ends it with an ErrCorrupt that names the value.
func (s *Snapshot) check(ctx context.Context, max int, r *CheckReport) error {
	tx, db := s.tx, s.db
	r.Building = tx.Bucket(bucketMeta).Get(keyBuilding) != nil
	i2t := db.index(tx, bucketI2T, layoutI2T)
	t2i := db.index(tx, bucketT2I, layoutT2I)
	rid := db.index(tx, bucketRID, layoutRID)
	spog := db.index(tx, bucketSPOG, layoutSPOG)
	posg := db.index(tx, bucketPOSG, layoutPOSG)
	n := 0
	tick := func() error {
		if n++; n%ctxEvery == 0 {
			return ctx.Err()
		}
		return nil
	}

	// The dictionary: which ids it holds, each mapped back by t2i.
	known := s.bitset()
	c := i2t.cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := tick(); err != nil {
			return err
		}
		if len(k) != 8 || len(v) == 0 {
			r.problem(max, "i2t: malformed entry %x", k)
			continue
		}
		id := binary.BigEndian.Uint64(k)
		if id/64 >= uint64(len(known)) {
			r.problem(max, "i2t: id %d beyond the sequence", id)
			continue
		}
		known[id/64] |= 1 << (id % 64)
		r.Terms++
		if got := t2i.get(dictKey(string(v))); len(got) != 8 || binary.BigEndian.Uint64(got) != id {
			r.problem(max, "t2i: term %d (%.80q) maps to %x", id, v, got)
		}
	}
	has := func(id uint64) bool {
		return isInline(id) || (id/64 < uint64(len(known)) && known[id/64]&(1<<(id%64)) != 0)
	}

	// The resources: their IRIs, terms and index keys.
	var key [41]byte
	if err := eachEntry(ctx, tx, func(gid uint64, ents []byte) error {
		r.Resources++
		g := u64(gid)
		name := fmt.Sprint(gid)
		if enc := i2t.get(g); len(enc) == 0 || enc[0] != tagIRI {
			r.problem(max, "res: resource %d: its IRI is not in the dictionary", gid)
		} else {
			name = string(enc[1:])
			if rg := rid.get(enc[1:]); len(rg) != 8 || binary.BigEndian.Uint64(rg) != gid {
				r.problem(max, "rid: %s maps to %x, not its graph id %d", name, rg, gid)
			}
		}
		for e := ents; len(e) >= entryLen; e = e[entryLen:] {
			r.Triples++
			for _, id := range [3]uint64{binary.BigEndian.Uint64(e[0:]), binary.BigEndian.Uint64(e[8:]), binary.BigEndian.Uint64(e[25:])} {
				if !has(id) {
					r.problem(max, "res: %s uses term %d, which the dictionary lacks", name, id)
				}
			}
			if spog.get(spogKey(key[:0], e, g)) == nil {
				r.problem(max, "spog: %s lacks the key of a triple (%x)", name, e[:entryLen])
			}
			if !r.Building && posg.get(posgKey(key[:0], e, g)) == nil {
				r.problem(max, "posg: %s lacks the key of a triple (%x)", name, e[:entryLen])
			}
		}
		return nil
	}); err != nil {
		return err
	}

	// The indexes hold a key per triple, no more.
	count := func(x index) (int64, error) {
		var n int64
		c := x.cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if err := tick(); err != nil {
				return 0, err
			}
			n++
		}
		return n, nil
	}
	var err error
	if r.SPOG, err = count(spog); err != nil {
		return err
	}
	if r.SPOG != r.Triples {
		r.problem(max, "spog: %d keys for %d triples", r.SPOG, r.Triples)
	}
	if !r.Building {
		if r.POSG, err = count(posg); err != nil {
			return err
		}
		if r.POSG != r.Triples {
			r.problem(max, "posg: %d keys for %d triples", r.POSG, r.Triples)
		}
	}
	rids, err := count(rid)
	if err != nil {
		return err
	}
	if rids != r.Resources {
		r.problem(max, "rid: %d resources named for %d stored", rids, r.Resources)
	}

	if !r.Building {
		if err := s.checkDerived(ctx, max, r); err != nil {
			return err
		}
	}

	st, err := s.Stats(ctx)
	if err != nil {
		return err
	}
	for _, c := range []struct {
		what           string
		stat, measured int64
	}{{"resources", st.Resources, r.Resources}, {"triples", st.Triples, r.Triples}, {"terms", st.Terms, r.Terms}} {
		if c.stat != c.measured {
			r.problem(max, "meta: the count of %s says %d, the store holds %d", c.what, c.stat, c.measured)
		}
	}
	return nil
}

// checkDerived compares the text, pair and pairvia indexes with the keys
// a bulk build makes of the resources (see buildText, buildPair), and
// counts theirs.
func (s *Snapshot) checkDerived(ctx context.Context, max int, r *CheckReport) error {
	tx, db := s.tx, s.db
	dir := os.TempDir()
	text := db.index(tx, bucketText, layoutText)
	ts := newSorter[textRec](dir, buildChunk/4)
	if err := db.gatherText(ctx, tx, ts); err != nil {
		ts.close()
		return err
	}
	var err error
	if r.Text, err = compareAll(ctx, ts, text, nil, textRecKey, "text", max, r); err != nil {
		return err
	}

	t2i, i2t := db.index(tx, bucketT2I, layoutT2I), db.index(tx, bucketI2T, layoutI2T)
	ids, _, err := db.pairs.ids(t2i, i2t)
	if err != nil {
		return err
	}
	if sharesRanges(ids) {
		// A bulk build rebuilds such pairs another way (see buildPairs).
		r.Unchecked = append(r.Unchecked, "pair and pairvia: pairs share a key predicate")
		return nil
	}
	pair, pairVia := db.index(tx, bucketPair, layoutPair), db.index(tx, bucketPairVia, layoutPairVia)
	inTx := func(fn func(*bolt.Tx) error) error { return fn(tx) }
	for _, id := range ids {
		pairs, vias, err := pairEntries(ctx, dir, id, inTx)
		if err != nil {
			return err
		}
		n, err := compareAll(ctx, pairs, pair, u64(id.key), pairRecKey(id), "pair", max, r)
		r.Pair += n
		if err != nil || id.via == 0 {
			vias.close()
			if err != nil {
				return err
			}
			continue
		}
		prefix := binary.BigEndian.AppendUint64(u64(id.via), id.key)
		n, err = compareAll(ctx, vias, pairVia, prefix, viaRecKey(id), "pairvia", max, r)
		r.PairVia += n
		if err != nil {
			return err
		}
	}
	return nil
}

// compareAll compares the records of s, whose keys and values key makes,
// with the keys of x that start with prefix, reporting to r the keys
// missing, those no record makes and the values that differ, and returns
// how many keys x holds under prefix. It closes s.
func compareAll[T record[T]](ctx context.Context, s *sorter[T], x index, prefix []byte, key func(k []byte, t T) ([]byte, []byte), what string, max int, r *CheckReport) (int64, error) {
	defer s.close()
	ks, err := newKeyStream(ctx, s, key)
	if err != nil {
		return 0, err
	}
	c := x.cursor()
	ck, cv := c.Seek(prefix)
	var n int64
	// extra reports the keys of x under prefix before k (all, if k is
	// nil).
	extra := func(k []byte) {
		for ; ck != nil && bytes.HasPrefix(ck, prefix) && (k == nil || bytes.Compare(ck, k) < 0); ck, cv = c.Next() {
			r.problem(max, "%s: holds key %x, which no resource makes", what, ck)
			n++
		}
	}
	for {
		k, v, ok, err := ks.next()
		if err != nil {
			return n, err
		}
		if !ok {
			break
		}
		extra(k)
		if ck == nil || !bytes.Equal(ck, k) {
			r.problem(max, "%s: lacks key %x", what, k)
			continue
		}
		if !bytes.Equal(cv, v) {
			r.problem(max, "%s: key %x holds %x, not %x", what, ck, cv, v)
		}
		n++
		ck, cv = c.Next()
	}
	extra(nil)
	return n, nil
}
