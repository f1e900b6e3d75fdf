package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/knakk/rdf"
	bolt "go.etcd.io/bbolt"
)

// A Pair asks for a compound index of two properties of one subject: Key,
// whose objects name something (a metric, a kind, a status), and Value,
// whose objects are numbers or dateTimes (a reading, a timestamp). For
// each key object it lists the subjects in value order, so that a
// condition such as key=k and value>90 reads only the keys that match
// both, however common each half is alone.
//
// With Via set, the pair is also indexed by the subjects r of the triples
// (r, Via, s): via{key=k and value>90} is then one range scan that lists
// the subjects r, rather than a lookup of the r of each matching s.
//
// The store indexes no pair unless told to: see Options.Pairs.
type Pair struct {
	Key, Value rdf.IRI
	Via        rdf.IRI // optional
}

// bucketPair holds the pair index: key id | key object id | value id |
// class | value | value object id | s | key graph | value graph. A subject's
// key and value may be stated by different resources: each combination is
// a key, kept by the resources stating its two triples.
var bucketPair = []byte("pair")

// bucketPairVia holds the pair index by referring subject: via id | key id
// | key object id | value id | class | value | value object id | r | via
// graph | key graph | value graph, for each triple (r, via, s) and pair
// of s, each combination kept by the resources stating its three triples.
var bucketPairVia = []byte("pairvia")

// keyPairs is the meta key recording the pairs the index was built for:
// one line per pair, "key value" or "key value via" (the predicate IRIs),
// the lines sorted and newline-separated.
var keyPairs = []byte("pairs")

const (
	pairKeyLen    = 8 + 8 + 8 + okeyLen + 8 + 8 + 8
	pairViaKeyLen = 8 + 8 + 8 + 8 + okeyLen + 8 + 8 + 8 + 8
)

// pairSet is the configured pairs, as encoded predicate IRIs.
type pairSet struct {
	pairs [][3]string // encoded key, value and via ("" if none) predicates
	list  []Pair      // the same, as given
	conf  string      // canonical form, stored in meta
}

// pairID is a configured pair as term ids; via is 0 without one.
type pairID struct{ key, value, via uint64 }

// newPairSet returns the set of ps, none if ps is empty.
func newPairSet(ps []Pair) (pairSet, error) {
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
		line := p.Key.String() + " " + p.Value.String()
		var via string
		if p.Via != (rdf.IRI{}) {
			if via, err = encodeTerm(p.Via); err != nil {
				return s, err
			}
			line += " " + p.Via.String()
		}
		s.pairs = append(s.pairs, [3]string{k, v, via})
		s.list = append(s.list, p)
		lines = append(lines, line)
	}
	sort.Strings(lines)
	s.conf = strings.Join(lines, "\n")
	return s, nil
}

// parsePairSet returns the set a meta "pairs" value records: none if
// there is no value, as in a new or version 2 file. Version 3 files
// record pairs without via.
func parsePairSet(conf []byte) (pairSet, error) {
	var ps []Pair
	for line := range strings.SplitSeq(string(conf), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, " ")
		if len(f) != 2 && len(f) != 3 {
			return pairSet{}, fmt.Errorf("%w: pair %q", ErrCorrupt, line)
		}
		var iris [3]rdf.IRI
		for i, name := range f {
			iri, err := rdf.NewIRI(name)
			if err != nil {
				return pairSet{}, fmt.Errorf("%w: pair %q: %v", ErrCorrupt, line, err)
			}
			iris[i] = iri
		}
		ps = append(ps, Pair{Key: iris[0], Value: iris[1], Via: iris[2]})
	}
	return newPairSet(ps)
}

// pairIDs returns the term ids of the configured pairs' predicates; a pair
// whose key or value predicate is not in the dictionary has no keys and is
// left out, and one whose via predicate is not has no via keys.
//
// The ids are kept for the transaction once every predicate is found;
// reclaim forgets them whenever it removes a term, as it may be one of
// them.
func (w *txWriter) pairIDs() ([]pairID, error) {
	if w.pairIDsKnown {
		return w.pairIDCache, nil
	}
	out, known, err := w.pairSet.ids(w.t2iPuts, w.i2tPuts)
	if err != nil {
		return nil, err
	}
	w.pairIDCache, w.pairIDsKnown = out, known
	return out, nil
}

// ids returns the pairs of s whose key and value predicates the
// dictionary t2i, i2t holds, as term ids, and whether it holds all their
// predicates (via included).
func (s pairSet) ids(t2i, i2t interface{ get([]byte) []byte }) (out []pairID, known bool, err error) {
	known = true
	for _, p := range s.pairs {
		var ids [3]uint64
		for i, enc := range p {
			if enc == "" {
				continue
			}
			id, err := lookupID(t2i, i2t, enc)
			if err != nil {
				return nil, false, err
			}
			ids[i] = id
			known = known && id != 0
		}
		if ids[0] != 0 && ids[1] != 0 {
			out = append(out, pairID{key: ids[0], value: ids[1], via: ids[2]})
		}
	}
	return out, known, nil
}

// A pairHalf is one triple of a pair: its object (the key object id, or
// the value's sort key and id) and the resource stating it.
type pairHalf struct {
	obj   [okeyLen]byte // key half: id in the last 8 bytes
	graph uint64
}

// A pairRef is a triple (r, via, s) pointing to the subject of a pair, and
// the resource stating it.
type pairRef struct{ r, graph uint64 }

// pairNode is what a write knows of one subject of a pair: its halves and
// the triples pointing to it by the pair's via.
type pairNode struct {
	halves [2][]pairHalf
	refs   []pairRef
}

// pairKeys returns the pair index keys and the via index keys that
// involve graph g, given g's entries (nil if g states nothing now): every
// combination of a key and a value triple of a subject of g (and, for the
// via keys, of a triple pointing to it), one of them stated by g, the
// others by g or any other resource (read from spog and posg).
func (w *txWriter) pairKeys(ids []pairID, entries []byte, g uint64) (pairs, vias map[string]struct{}, err error) {
	for _, id := range ids {
		// The subjects of g with either half or pointed to by via, and
		// g's halves and pointers.
		nodes := map[uint64]*pairNode{}
		node := func(s uint64) *pairNode {
			n := nodes[s]
			if n == nil {
				n = &pairNode{}
				nodes[s] = n
			}
			return n
		}
		for e := entries; len(e) > 0; e = e[entryLen:] {
			p := binary.BigEndian.Uint64(e[8:])
			s := binary.BigEndian.Uint64(e[0:])
			switch {
			case p == id.key:
				var h pairHalf
				h.graph = g
				copy(h.obj[okeyLen-8:], e[25:33])
				n := node(s)
				n.halves[0] = append(n.halves[0], h)
			case p == id.value:
				if c := e[16]; c != classNumber && c != classDateTime {
					continue
				}
				var h pairHalf
				h.graph = g
				copy(h.obj[:], e[16:33])
				n := node(s)
				n.halves[1] = append(n.halves[1], h)
			case id.via != 0 && p == id.via:
				n := node(binary.BigEndian.Uint64(e[25:33]))
				n.refs = append(n.refs, pairRef{r: s, graph: g})
			}
		}
		for s, n := range nodes {
			others, err := w.otherHalves(s, id, g)
			if err != nil {
				return nil, nil, err
			}
			ks := append(n.halves[0], others[0]...)
			vs := append(n.halves[1], others[1]...)
			if len(ks) == 0 || len(vs) == 0 {
				continue
			}
			refs := n.refs
			if id.via != 0 {
				more, err := w.otherRefs(s, id.via, g)
				if err != nil {
					return nil, nil, err
				}
				refs = append(refs, more...)
			}
			for _, k := range ks {
				for _, v := range vs {
					if k.graph == g || v.graph == g {
						key := make([]byte, 0, pairKeyLen)
						key = appendPair(key, id, k, v)
						key = binary.BigEndian.AppendUint64(key, s)
						key = binary.BigEndian.AppendUint64(key, k.graph)
						key = binary.BigEndian.AppendUint64(key, v.graph)
						if pairs == nil {
							pairs = make(map[string]struct{})
						}
						pairs[string(key)] = struct{}{}
					}
					for _, r := range refs {
						if r.graph != g && k.graph != g && v.graph != g {
							continue
						}
						key := make([]byte, 0, pairViaKeyLen)
						key = binary.BigEndian.AppendUint64(key, id.via)
						key = appendPair(key, id, k, v)
						key = binary.BigEndian.AppendUint64(key, r.r)
						key = binary.BigEndian.AppendUint64(key, r.graph)
						key = binary.BigEndian.AppendUint64(key, k.graph)
						key = binary.BigEndian.AppendUint64(key, v.graph)
						if vias == nil {
							vias = make(map[string]struct{})
						}
						vias[string(key)] = struct{}{}
					}
				}
			}
		}
	}
	return pairs, vias, nil
}

// appendPair appends the part of a pair key the index is ordered by: key
// id | key object id | value id | class | value | value object id.
func appendPair(key []byte, id pairID, k, v pairHalf) []byte {
	key = binary.BigEndian.AppendUint64(key, id.key)
	key = append(key, k.obj[okeyLen-8:]...)
	key = binary.BigEndian.AppendUint64(key, id.value)
	return append(key, v.obj[:]...)
}

// otherRefs returns the triples (r, via, s) that resources other than g
// state, from posg: s is a node, so its keys are via | class 0 | value 0 |
// s | r | g.
func (w *txWriter) otherRefs(s, via, g uint64) ([]pairRef, error) {
	var out []pairRef
	var prefix [8 + okeyLen]byte
	binary.BigEndian.PutUint64(prefix[:], via)
	binary.BigEndian.PutUint64(prefix[17:], s)
	err := w.posgPuts.scanPrefix(prefix[:], w.fresh(s), func(k []byte) bool {
		if kg := binary.BigEndian.Uint64(k[33:]); kg != g {
			out = append(out, pairRef{r: binary.BigEndian.Uint64(k[25:]), graph: kg})
		}
		return true
	})
	return out, err
}

// otherHalves returns the key and value triples of subject s that
// resources other than g state, from spog.
func (w *txWriter) otherHalves(s uint64, id pairID, g uint64) ([2][]pairHalf, error) {
	var out [2][]pairHalf
	for i, p := range [2]uint64{id.key, id.value} {
		var prefix [16]byte
		binary.BigEndian.PutUint64(prefix[0:], s)
		binary.BigEndian.PutUint64(prefix[8:], p)
		var ferr error
		err := w.spogPuts.scanPrefix(prefix[:], w.fresh(s), func(k []byte) bool {
			kg := binary.BigEndian.Uint64(k[24:])
			if kg == g {
				return true
			}
			h := pairHalf{graph: kg}
			o := binary.BigEndian.Uint64(k[16:])
			if i == 1 {
				enc := termEncoding(w.i2tPuts, k[16:24])
				if enc == nil {
					ferr = fmt.Errorf("%w: no term %d", ErrCorrupt, o)
					return false
				}
				t, err := decodeTerm(enc)
				if err != nil {
					ferr = err
					return false
				}
				class, v := sortKey(t)
				if class != classNumber && class != classDateTime {
					return true
				}
				putSortKey(h.obj[:], class, v)
			}
			binary.BigEndian.PutUint64(h.obj[okeyLen-8:], o)
			out[i] = append(out[i], h)
			return true
		})
		if err == nil {
			err = ferr
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// updatePairs brings the pair index from a resource's old res value (nil
// if none) to its new one (nil if deleted). It runs after the resource's
// spog keys are written (to the buffers).
func (w *txWriter) updatePairs(old, val []byte) error {
	if len(w.pairSet.pairs) == 0 || w.bulk {
		return nil
	}
	ids, err := w.pairIDs()
	if err != nil || len(ids) == 0 {
		return err
	}
	var g uint64
	var before, after, viaBefore, viaAfter map[string]struct{}
	if old != nil {
		g = binary.BigEndian.Uint64(old[8:16])
		if before, viaBefore, err = w.pairKeys(ids, old[headerLen:], g); err != nil {
			return err
		}
	}
	if val != nil {
		g = binary.BigEndian.Uint64(val[8:16])
		if after, viaAfter, err = w.pairKeys(ids, val[headerLen:], g); err != nil {
			return err
		}
	}
	applyKeys(w.pairPuts, before, after)
	applyKeys(w.pairViaPuts, viaBefore, viaAfter)
	return nil
}

// applyKeys deletes from p the keys of before that are not in after, and
// puts those of after that are not in before.
func applyKeys(p *putBuffer, before, after map[string]struct{}) {
	for k := range before {
		if _, ok := after[k]; !ok {
			p.del([]byte(k))
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			p.add([]byte(k), []byte{})
		}
	}
}

// rebuildPairs replaces the pair buckets with the keys of every stored
// resource. It gathers the keys first and puts them in key order: bbolt
// then fills pages one after another instead of splitting them at random,
// several times faster at a million resources.
func (w *txWriter) rebuildPairs(tx *bolt.Tx) error {
	var buckets [2]index
	for i, name := range [][]byte{bucketPair, bucketPairVia} {
		b, err := newBucket(tx, name, 0.9)
		if err != nil {
			return err
		}
		buckets[i] = index{b: b, l: [2]*layout{w.pair.l, w.pairVia.l}[i]}
	}
	w.pair, w.pairVia = buckets[0], buckets[1]
	w.pairPuts.x, w.pairViaPuts.x = w.pair, w.pairVia
	ids, err := w.pairIDs()
	if err != nil || len(ids) == 0 {
		return err
	}
	var keys [2][]string
	if err := eachEntry(context.Background(), w.res.Tx(), func(g uint64, e []byte) error {
		pairs, vias, err := w.pairKeys(ids, e, g)
		if err != nil {
			return err
		}
		for k := range pairs {
			keys[0] = append(keys[0], k)
		}
		for k := range vias {
			keys[1] = append(keys[1], k)
		}
		return nil
	}); err != nil {
		return err
	}
	for i, ks := range keys {
		slices.Sort(ks)
		ks = slices.Compact(ks)
		ops := make([]op, len(ks))
		for j, k := range ks {
			ops[j] = op{key: []byte(k), val: []byte{}}
		}
		if err := buckets[i].apply(ops); err != nil {
			return err
		}
	}
	return nil
}

// Pairs returns the pairs the store indexes, none if it keeps no pair
// index. Do not modify the result.
func (s *Snapshot) Pairs() []Pair {
	if s.tx.Bucket(bucketPair) == nil {
		return nil
	}
	return s.db.pairs.list
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

// viaIndexed reports whether the store indexes the pair of p (see
// Pattern.With) by the subjects pointing to its subjects by via.
func (s *Snapshot) viaIndexed(p Pattern, via rdf.IRI) bool {
	if p.With == (rdf.IRI{}) || s.tx.Bucket(bucketPairVia) == nil {
		return false
	}
	k, err1 := encodeTerm(p.With)
	v, err2 := encodeTerm(p.Pred)
	r, err3 := encodeTerm(via)
	if err1 != nil || err2 != nil || err3 != nil {
		return false
	}
	for _, q := range s.db.pairs.pairs {
		if q == [3]string{k, v, r} {
			return true
		}
	}
	return false
}

// pairViaSubjects calls fn with each subject r of the via index keys of
// p, and whether r is the resource stating (r, via, s): the subjects
// pointing by via to a subject of p's pair keys (see pairSubjects), until
// fn returns false. A subject comes once per combination of triples.
func (s *Snapshot) pairViaSubjects(ctx context.Context, p Pattern, via rdf.IRI, fn func(r uint64, own bool) bool) error {
	return s.scanPairs(ctx, bucketPairVia, []rdf.Term{via, p.With, p.WithObj, p.Pred}, p, func(rk []byte) bool {
		return fn(binary.BigEndian.Uint64(rk), bytes.Equal(rk[:8], rk[8:16]))
	})
}

// pairSubjects calls fn with the subject id of each pair index key of p:
// subjects with (s, p.With, p.WithObj) and (s, p.Pred, o) for o in p's
// range, and whether one of the resources stating the two is s, until fn
// returns false.
func (s *Snapshot) pairSubjects(ctx context.Context, p Pattern, fn func(id uint64, own bool) bool) error {
	return s.scanPairs(ctx, bucketPair, []rdf.Term{p.With, p.WithObj, p.Pred}, p, func(sk []byte) bool {
		return fn(binary.BigEndian.Uint64(sk), bytes.Equal(sk[:8], sk[8:16]) || bytes.Equal(sk[:8], sk[16:24]))
	})
}

// scanPairs calls fn with the rest of each key of pair bucket name, past
// its value, that starts with the ids of terms and has a value in p's
// range, in value order, until fn returns false.
func (s *Snapshot) scanPairs(ctx context.Context, name []byte, terms []rdf.Term, p Pattern, fn func(rest []byte) bool) error {
	b := s.tx.Bucket(name)
	if b == nil {
		return nil
	}
	l := layoutPair
	if bytes.Equal(name, bucketPairVia) {
		l = layoutPairVia
	}
	prefix := make([]byte, 0, 8*len(terms)+okeyLen)
	for _, t := range terms {
		id, ok, err := s.patternID(t)
		if err != nil || !ok {
			return err
		}
		prefix = binary.BigEndian.AppendUint64(prefix, id)
	}
	classes, from, to, empty, err := rangeBounds(p.Lo, p.Hi, p.Opt)
	if err != nil || empty {
		return err
	}
	at := len(prefix) // of the class
	c := newCursor(b, s.db.layout(l))
	n := 0
	for _, class := range classes {
		start := binary.BigEndian.AppendUint64(append(prefix[:at], class), from)
		for k, _ := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix[:at]) && k[at] == class; k, _ = c.Next() {
			if binary.BigEndian.Uint64(k[at+1:]) > to {
				break
			}
			if n++; n%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if !fn(k[at+okeyLen:]) {
				return nil
			}
		}
	}
	return nil
}
