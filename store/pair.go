package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"github.com/knakk/rdf"
	bolt "go.etcd.io/bbolt"

	"github.com/oslc-pm/pmprovider/vocab"
)

// A Pair asks for a compound index of two properties of one subject: Key,
// whose objects name something (ems:metric pm:CpuUsed), and Value, whose
// objects are numbers or dateTimes (ems:numericValue 93.5). For each key
// object it lists the subjects in value order, so that a condition such as
// ems:metric=pm:CpuUsed and ems:numericValue>90 reads only the keys that
// match both, however common each half is alone.
type Pair struct {
	Key, Value rdf.IRI
}

// DefaultPairs are the pairs indexed when Options.Pairs is nil: the metric
// and value of ems:Measures.
var DefaultPairs = []Pair{{Key: vocab.EMSMetric, Value: vocab.EMSNumericValue}}

// bucketPair holds the pair index: key id | key object id | value id |
// class | value | value object id | s | key graph | value graph. A subject's
// key and value may be stated by different resources: each combination is
// a key, kept by the resources stating its two triples.
var bucketPair = []byte("pair")

// keyPairs is the meta key recording the pairs the index was built for.
var keyPairs = []byte("pairs")

const pairKeyLen = 8 + 8 + 8 + okeyLen + 8 + 8 + 8

// pairSet is the configured pairs, as encoded predicate IRIs.
type pairSet struct {
	pairs [][2]string // encoded key and value predicates
	conf  string      // canonical form, stored in meta
}

func newPairSet(ps []Pair) (pairSet, error) {
	if ps == nil {
		ps = DefaultPairs
	}
	var s pairSet
	var lines []string
	for _, p := range ps {
		k, err := encodeTerm(p.Key)
		if err != nil {
			return s, err
		}
		v, err := encodeTerm(p.Value)
		if err != nil {
			return s, err
		}
		s.pairs = append(s.pairs, [2]string{k, v})
		lines = append(lines, p.Key.String()+" "+p.Value.String())
	}
	sort.Strings(lines)
	s.conf = strings.Join(lines, "\n")
	return s, nil
}

// pairIDs returns the term ids of the configured pairs' predicates; a pair
// whose predicates are not in the dictionary has no keys and is left out.
//
// The ids are kept for the transaction once every pair is found; reclaim
// forgets them whenever it removes a term, as it may be one of them.
func (w *txWriter) pairIDs() ([][2]uint64, error) {
	if w.pairIDsKnown {
		return w.pairIDCache, nil
	}
	var out [][2]uint64
	for _, p := range w.pairSet.pairs {
		k, err := lookupID(w.t2i, w.i2t, p[0])
		if err != nil {
			return nil, err
		}
		v, err := lookupID(w.t2i, w.i2t, p[1])
		if err != nil {
			return nil, err
		}
		if k != 0 && v != 0 {
			out = append(out, [2]uint64{k, v})
		}
	}
	w.pairIDCache, w.pairIDsKnown = out, len(out) == len(w.pairSet.pairs)
	return out, nil
}

// A pairHalf is one triple of a pair: its object (the key object id, or
// the value's sort key and id) and the resource stating it.
type pairHalf struct {
	obj   [okeyLen]byte // key half: id in the last 8 bytes
	graph uint64
}

// pairKeys returns the pair index keys that involve graph g, given g's
// entries (nil if g states nothing now): every combination of a key and a
// value triple of a subject of g, one of them stated by g, the other by
// g or any other resource (read from spog).
func (w *txWriter) pairKeys(ids [][2]uint64, entries []byte, g uint64) (map[string]struct{}, error) {
	var keys map[string]struct{}
	for _, id := range ids {
		// The subjects of g with either half, and g's halves.
		own := map[uint64]*[2][]pairHalf{}
		for e := entries; len(e) > 0; e = e[entryLen:] {
			p := binary.BigEndian.Uint64(e[8:])
			if p != id[0] && p != id[1] {
				continue
			}
			s := binary.BigEndian.Uint64(e[0:])
			hs := own[s]
			if hs == nil {
				hs = &[2][]pairHalf{}
				own[s] = hs
			}
			var h pairHalf
			h.graph = g
			if p == id[0] {
				copy(h.obj[okeyLen-8:], e[25:33])
				hs[0] = append(hs[0], h)
			} else {
				if c := e[16]; c != classNumber && c != classDateTime {
					continue
				}
				copy(h.obj[:], e[16:33])
				hs[1] = append(hs[1], h)
			}
		}
		for s, hs := range own {
			others, err := w.otherHalves(s, id, g)
			if err != nil {
				return nil, err
			}
			ks := append(hs[0], others[0]...)
			vs := append(hs[1], others[1]...)
			for _, k := range ks {
				for _, v := range vs {
					if k.graph != g && v.graph != g {
						continue
					}
					key := make([]byte, 0, pairKeyLen)
					key = binary.BigEndian.AppendUint64(key, id[0])
					key = append(key, k.obj[okeyLen-8:]...)
					key = binary.BigEndian.AppendUint64(key, id[1])
					key = append(key, v.obj[:]...)
					key = binary.BigEndian.AppendUint64(key, s)
					key = binary.BigEndian.AppendUint64(key, k.graph)
					key = binary.BigEndian.AppendUint64(key, v.graph)
					if keys == nil {
						keys = make(map[string]struct{})
					}
					keys[string(key)] = struct{}{}
				}
			}
		}
	}
	return keys, nil
}

// otherHalves returns the key and value triples of subject s that
// resources other than g state, from spog.
func (w *txWriter) otherHalves(s uint64, id [2]uint64, g uint64) ([2][]pairHalf, error) {
	var out [2][]pairHalf
	c := w.spog.Cursor()
	for i, p := range id {
		var prefix [16]byte
		binary.BigEndian.PutUint64(prefix[0:], s)
		binary.BigEndian.PutUint64(prefix[8:], p)
		for k, _ := c.Seek(prefix[:]); k != nil && bytes.HasPrefix(k, prefix[:]); k, _ = c.Next() {
			kg := binary.BigEndian.Uint64(k[24:])
			if kg == g {
				continue
			}
			h := pairHalf{graph: kg}
			o := binary.BigEndian.Uint64(k[16:])
			if i == 1 {
				enc := w.i2t.Get(k[16:24])
				if enc == nil {
					return out, fmt.Errorf("%w: no term %d", ErrCorrupt, o)
				}
				t, err := decodeTerm(enc)
				if err != nil {
					return out, err
				}
				class, v := sortKey(t)
				if class != classNumber && class != classDateTime {
					continue
				}
				putSortKey(h.obj[:], class, v)
			}
			binary.BigEndian.PutUint64(h.obj[okeyLen-8:], o)
			out[i] = append(out[i], h)
		}
	}
	return out, nil
}

// updatePairs brings the pair index from a resource's old res value (nil
// if none) to its new one (nil if deleted). It runs after the resource's
// spog keys are updated.
func (w *txWriter) updatePairs(old, val []byte) error {
	if len(w.pairSet.pairs) == 0 {
		return nil
	}
	ids, err := w.pairIDs()
	if err != nil || len(ids) == 0 {
		return err
	}
	var g uint64
	var before, after map[string]struct{}
	if old != nil {
		g = binary.BigEndian.Uint64(old[8:16])
		if before, err = w.pairKeys(ids, old[headerLen:], g); err != nil {
			return err
		}
	}
	if val != nil {
		g = binary.BigEndian.Uint64(val[8:16])
		if after, err = w.pairKeys(ids, val[headerLen:], g); err != nil {
			return err
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			if err := w.pair.Delete([]byte(k)); err != nil {
				return err
			}
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			if err := w.pair.Put([]byte(k), []byte{}); err != nil {
				return err
			}
		}
	}
	return nil
}

// rebuildPairs replaces the pair bucket with the keys of every stored
// resource.
func (w *txWriter) rebuildPairs(tx *bolt.Tx) error {
	if tx.Bucket(bucketPair) != nil {
		if err := tx.DeleteBucket(bucketPair); err != nil {
			return err
		}
	}
	b, err := tx.CreateBucket(bucketPair)
	if err != nil {
		return err
	}
	w.pair = b
	c := w.res.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := w.updatePairs(nil, v); err != nil {
			return err
		}
	}
	return nil
}

// HasPair reports whether the store indexes the pair (key, value).
func (s *Snapshot) HasPair(key, value rdf.IRI) bool {
	if s.tx.Bucket(bucketPair) == nil {
		return false
	}
	k, err1 := encodeTerm(key)
	v, err2 := encodeTerm(value)
	if err1 != nil || err2 != nil {
		return false
	}
	for _, p := range s.db.pairs.pairs {
		if p[0] == k && p[1] == v {
			return true
		}
	}
	return false
}

// pairSubjects calls fn with the subject id of each pair index key of p:
// subjects with (s, p.With, p.WithObj) and (s, p.Pred, o) for o in p's
// range, until fn returns false.
func (s *Snapshot) pairSubjects(ctx context.Context, p Pattern, fn func(id uint64, own bool) bool) error {
	b := s.tx.Bucket(bucketPair)
	if b == nil {
		return nil
	}
	kid, ok1, err := s.patternID(p.With)
	if err != nil {
		return err
	}
	oid, ok2, err := s.patternID(p.WithObj)
	if err != nil {
		return err
	}
	vid, ok3, err := s.patternID(p.Pred)
	if err != nil || !ok1 || !ok2 || !ok3 {
		return err
	}
	classes, from, to, empty, err := rangeBounds(p.Lo, p.Hi, p.Opt)
	if err != nil || empty {
		return err
	}
	var prefix [24]byte
	binary.BigEndian.PutUint64(prefix[0:], kid)
	binary.BigEndian.PutUint64(prefix[8:], oid)
	binary.BigEndian.PutUint64(prefix[16:], vid)
	c := b.Cursor()
	n := 0
	for _, class := range classes {
		var start [33]byte
		copy(start[:], prefix[:])
		start[24] = class
		binary.BigEndian.PutUint64(start[25:], from)
		for k, _ := c.Seek(start[:]); k != nil && bytes.HasPrefix(k, prefix[:]) && k[24] == class; k, _ = c.Next() {
			if binary.BigEndian.Uint64(k[25:]) > to {
				break
			}
			if n++; n%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			sk := k[24+okeyLen:]
			if !fn(binary.BigEndian.Uint64(sk), bytes.Equal(sk[:8], sk[8:16]) || bytes.Equal(sk[:8], sk[16:24])) {
				return nil
			}
		}
	}
	return nil
}
