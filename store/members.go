package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/knakk/rdf"
)

// A ResourceSet is the stored resources among the subjects that index
// reads list: a bit per term id, the id of each resource's IRI. It is made
// by Snapshot.ResourceSet and valid in that snapshot only. It answers the
// questions a query engine asks of a large result, how many members lie
// under a prefix and which come first in IRI order, mostly without
// reading a term.
type ResourceSet struct {
	bits   []uint64
	n      int      // bits set
	staged []string // resources only staged (see Stage), sorted, not in bits

	stagedIDs map[uint64]bool // the term ids of staged
}

// outsideLimit is the fewest resources outside a prefix PageUnder walks
// before it reads the set's IRIs instead.
var outsideLimit = 4096

// Len is the number of resources in the set.
func (rs *ResourceSet) Len() int { return rs.n + len(rs.staged) }

func (rs *ResourceSet) has(id uint64) bool {
	w := id / 64
	return w < uint64(len(rs.bits)) && rs.bits[w]&(1<<(id%64)) != 0
}

func (rs *ResourceSet) add(id uint64) {
	w, bit := id/64, uint64(1)<<(id%64)
	if rs.bits[w]&bit == 0 {
		rs.bits[w] |= bit
		rs.n++
	}
}

// ResourceSet returns the stored resources among the subjects every group
// lists (see Intersect) or, with via set, among the subjects of the
// triples (x, via, m), m one of those (see IntersectVia). A subject an
// index key lists is known to be a resource without a read when the
// resource it names states that key; others are looked up (Exists).
func (s *Snapshot) ResourceSet(ctx context.Context, groups [][]Pattern, via rdf.IRI) (*ResourceSet, error) {
	rs := &ResourceSet{bits: s.bitset()}
	var others []uint64 // listed only by keys other resources state
	add := func(id uint64, own bool) {
		if own {
			rs.add(id)
		} else if !rs.has(id) {
			others = append(others, id)
		}
	}
	var err error
	if via == (rdf.IRI{}) {
		err = s.intersectOwn(ctx, groups, func(id uint64, own bool) bool {
			add(id, own)
			return true
		})
	} else {
		err = s.intersectViaIDs(ctx, groups, via, func(id uint64, own bool) bool {
			add(id, own)
			return true
		})
	}
	if err != nil {
		return nil, err
	}
	slices.Sort(others)
	others = slices.Compact(others)
	for _, id := range others {
		if rs.has(id) {
			continue
		}
		iri, graph, staged, err := s.resourceOf(id)
		switch {
		case err != nil:
			return nil, err
		case graph != 0:
			rs.add(graph)
		case staged:
			rs.staged = append(rs.staged, iri)
			if rs.stagedIDs == nil {
				rs.stagedIDs = map[uint64]bool{}
			}
			rs.stagedIDs[id] = true
		}
	}
	slices.Sort(rs.staged)
	if err := s.ovMembers(ctx, rs, groups, via); err != nil {
		return nil, err
	}
	return rs, nil
}

// resourceOf tells whether the term with id id names a resource: stored,
// with its graph id (the same id, unless the file is corrupt), or only
// staged, with its IRI. Since version 10 a stored one is found by id,
// without decoding the term.
func (s *Snapshot) resourceOf(id uint64) (iri string, graph uint64, staged bool, err error) {
	if !s.db.resByIRI {
		var k [8]byte
		binary.BigEndian.PutUint64(k[:], id)
		c := s.cursor(scanRes)
		v := seekExact(c, k[:])
		s.release(scanRes, c)
		if v != nil {
			return "", id, false, nil
		}
		if !s.anyStaged() {
			return "", 0, false, nil
		}
	}
	t, err := s.r.term(id)
	if err != nil {
		return "", 0, false, err
	}
	i, ok := t.(rdf.IRI)
	if !ok {
		return "", 0, false, nil
	}
	key := []byte(i.String())
	if s.db.resByIRI {
		c := s.cursor(scanRes)
		v := seekExact(c, key)
		s.release(scanRes, c)
		if v != nil {
			_, gid, ok := resHeader(v)
			if !ok {
				return "", 0, false, fmt.Errorf("%w: res value of %q", ErrCorrupt, key)
			}
			return i.String(), gid, false, nil
		}
	}
	if s.anyStaged() && s.staged(key) {
		return i.String(), 0, true, nil
	}
	return "", 0, false, nil
}

// resourceIDs returns the bucket to walk for the resources in IRI order
// with their graph ids, and the offset of the id in its values: rid, or
// in a version 3 file opened read-only, res.
func (s *Snapshot) resourceIDs() (bucket, off int) {
	if s.tx.Bucket(bucketRID) != nil {
		return scanRID, 0
	}
	return scanRes, 8
}

// anyStaged reports whether the stage bucket may hold a resource the
// overlay does not (what a version before 6 staged, and a read-only Open
// could not put in the overlay), finding out once per snapshot. The
// overlay's are looked up by IRI (Get, Exists), never by term id: their
// IRIs are no subject of the indexes.
func (s *Snapshot) anyStaged() bool {
	if !s.db.legacyStaged.Load() {
		// Every stage key is a segment's, whose resources are no
		// subject of the indexes (see overlay.go).
		return false
	}
	if s.stageState == 0 {
		s.stageState = 1
		if b := s.tx.Bucket(bucketStage); b != nil {
			if k, _ := b.Cursor().First(); k != nil {
				s.stageState = 2
			}
		}
	}
	return s.stageState == 2
}

// staged reports whether resource key is staged.
func (s *Snapshot) staged(key []byte) bool {
	b := s.tx.Bucket(bucketStage)
	return b != nil && b.Get(key) != nil
}

// intersectOwn is intersectIDs telling, with each id, whether a key of
// the last group listing it is stated by the resource the id names.
func (s *Snapshot) intersectOwn(ctx context.Context, groups [][]Pattern, fn func(id uint64, own bool) bool) error {
	if len(groups) == 0 {
		return nil
	}
	if len(groups) == 1 {
		return s.subjectKeys(ctx, groups[0], fn)
	}
	var have []uint64
	words := s.tx.Bucket(bucketI2T).Sequence()/64 + 1
	for i, g := range groups {
		last := i == len(groups)-1
		next := s.bitset()
		err := s.subjectKeys(ctx, g, func(id uint64, own bool) bool {
			w, bit := id/64, uint64(1)<<(id%64)
			if w >= words || have != nil && have[w]&bit == 0 {
				return true
			}
			next[w] |= bit
			if last {
				return fn(id, own)
			}
			return true
		})
		if err != nil || last {
			return err
		}
		have = next
	}
	return nil
}

// PageUnder returns how many resources of rs have an IRI that starts with
// prefix (-1 without count), and, in IRI order, the first n of them that
// sort after after (none for n 0, all for n < 0).
//
// The count walks the resources outside the prefix, usually few, and
// subtracts those in the set; when there are more of them than the set
// holds, it reads the set's IRIs instead. The page walks the resources
// from the prefix on, testing ids, when the set is dense enough for that
// to find n quickly; else it reads the set's IRIs and sorts them.
func (s *Snapshot) PageUnder(ctx context.Context, rs *ResourceSet, prefix string, after rdf.IRI, n int, count bool) (page []rdf.IRI, total int, err error) {
	total = -1
	under := -1 // resources under the prefix, if known
	if count || n > 0 {
		outside, inSet, ok, err := s.outside(ctx, rs, prefix, max(outsideLimit, rs.n))
		if err != nil {
			return nil, 0, err
		}
		if ok {
			st, err := s.Stats(ctx)
			if err != nil {
				return nil, 0, err
			}
			under = int(st.Resources) - outside
			total = rs.n - inSet
			for _, iri := range rs.staged {
				if strings.HasPrefix(iri, prefix) {
					total++
				}
			}
		}
	}
	var iris []string // the set's IRIs under the prefix, if read
	if under < 0 && (count || n != 0) || n < 0 {
		if iris, err = s.iris(ctx, rs, prefix); err != nil {
			return nil, 0, err
		}
		if total < 0 {
			total = len(iris)
		}
	}
	found := total // in the set under the prefix, if known
	if !count {
		total = -1
	}
	if n == 0 || under >= 0 && found == 0 {
		return nil, total, nil
	}
	from := prefix
	if a := after.String(); a > from {
		from = a
	}
	// A walk reads about n × under / in-set resources, in key order;
	// reading the IRIs, one dictionary seek each unless cached, reads all
	// of the set: measured at 1M resources, a seek costs about five steps.
	if iris == nil && n > 0 && found > 0 && n*under/found <= 4*rs.Len() {
		page, err = s.walkUnder(ctx, rs, prefix, from, after.String(), n)
		return page, total, err
	}
	if iris == nil {
		if iris, err = s.iris(ctx, rs, prefix); err != nil {
			return nil, 0, err
		}
	}
	slices.Sort(iris)
	i, _ := slices.BinarySearch(iris, after.String())
	for ; i < len(iris) && (n < 0 || len(page) < n); i++ {
		if iris[i] == after.String() {
			continue
		}
		id, err := rdf.NewIRI(iris[i])
		if err != nil {
			return nil, 0, fmt.Errorf("%w: resource %q: %v", ErrCorrupt, iris[i], err)
		}
		page = append(page, id)
	}
	return page, total, nil
}

// outside counts the resources whose IRI does not start with prefix, and
// those of them in rs, walking at most limit of them: ok is false if there
// are more.
func (s *Snapshot) outside(ctx context.Context, rs *ResourceSet, prefix string, limit int) (outside, inSet int, ok bool, err error) {
	b, off := s.resourceIDs()
	c := s.cursor(b)
	defer s.release(b, c)
	walk := func(k, v []byte, stop func(k []byte) bool) bool {
		for ; k != nil && !stop(k); k, v = c.Next() {
			if outside++; outside > limit {
				return false
			}
			if outside%ctxEvery == 0 && ctx.Err() != nil {
				return false
			}
			if len(v) >= off+8 && rs.has(binary.BigEndian.Uint64(v[off:])) {
				inSet++
			}
		}
		return true
	}
	k, v := c.First()
	if !walk(k, v, func(k []byte) bool { return bytes.Compare(k, []byte(prefix)) >= 0 }) {
		return 0, 0, false, ctx.Err()
	}
	if end, ok := prefixEnd(prefix); ok {
		k, v = c.Seek([]byte(end))
		if !walk(k, v, func([]byte) bool { return false }) {
			return 0, 0, false, ctx.Err()
		}
	}
	return outside, inSet, true, nil
}

// prefixEnd is the least key after every key that starts with prefix, if
// there is one: prefix with its last byte that is not 0xff incremented.
func prefixEnd(prefix string) (string, bool) {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] != 0xff {
			return prefix[:i] + string([]byte{prefix[i] + 1}), true
		}
	}
	return "", false
}

// walkUnder walks the resources from key from on while they start with
// prefix, and returns the first n in rs, skipping after.
func (s *Snapshot) walkUnder(ctx context.Context, rs *ResourceSet, prefix, from, after string, n int) ([]rdf.IRI, error) {
	var page []rdf.IRI
	b, off := s.resourceIDs()
	c := s.cursor(b)
	defer s.release(b, c)
	staged := rs.staged
	emit := func(key string) error {
		id, err := rdf.NewIRI(key)
		if err != nil {
			return fmt.Errorf("%w: resource %q: %v", ErrCorrupt, key, err)
		}
		page = append(page, id)
		return nil
	}
	i := 0
	for k, v := c.Seek([]byte(from)); k != nil && len(page) < n && bytes.HasPrefix(k, []byte(prefix)); k, v = c.Next() {
		if i++; i%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for len(staged) > 0 && staged[0] < string(k) && len(page) < n {
			if staged[0] > after && strings.HasPrefix(staged[0], prefix) {
				if err := emit(staged[0]); err != nil {
					return nil, err
				}
			}
			staged = staged[1:]
		}
		if len(page) < n && string(k) != after && len(v) >= off+8 && rs.has(binary.BigEndian.Uint64(v[off:])) {
			if err := emit(string(k)); err != nil {
				return nil, err
			}
		}
	}
	for ; len(staged) > 0 && len(page) < n; staged = staged[1:] {
		if staged[0] > after && strings.HasPrefix(staged[0], prefix) {
			if err := emit(staged[0]); err != nil {
				return nil, err
			}
		}
	}
	return page, nil
}

// iris returns the IRIs of the resources of rs that start with prefix,
// reading each from the dictionary (or the term cache).
func (s *Snapshot) iris(ctx context.Context, rs *ResourceSet, prefix string) ([]string, error) {
	out := make([]string, 0, rs.Len())
	k := 0
	for w, word := range rs.bits {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &^= 1 << b
			if k++; k%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			t, err := s.r.termQuiet(uint64(w)*64 + uint64(b))
			if err != nil {
				return nil, err
			}
			if iri, ok := t.(rdf.IRI); ok && strings.HasPrefix(iri.String(), prefix) {
				out = append(out, iri.String())
			}
		}
	}
	for _, iri := range rs.staged {
		if strings.HasPrefix(iri, prefix) {
			out = append(out, iri)
		}
	}
	return out, nil
}

// RangeIn is Range limited to the subjects in rs: it skips the keys of
// other subjects by id, without reading their terms. It reads at most
// limit keys (any number if limit <= 0) and reports whether it read all
// it had to, that is, it was not stopped by the limit.
//
// A walk of the values of one property in order that keeps only a set's
// resources, such as the 10 newest of those linked to one resource, then
// costs a key step per value rather than a lookup.
func (s *Snapshot) RangeIn(ctx context.Context, p rdf.IRI, lo, hi *rdf.Literal, opt RangeOptions, rs *ResourceSet, limit int, fn func(s rdf.Subject, o rdf.Literal) bool) (complete bool, err error) {
	read := 0
	complete = true
	keep := func(k ovKeyed) bool {
		_, ok := slices.BinarySearch(rs.staged, k.sg.trip[k.x].t.Subj.String())
		return ok
	}
	err = s.rangeMerge(ctx, p, lo, hi, opt, keep, func(k []byte) (bool, error) {
		if read++; limit > 0 && read > limit {
			complete = false
			return false, nil
		}
		sid := binary.BigEndian.Uint64(k[25:])
		if !rs.has(sid) && !rs.stagedIDs[sid] {
			return true, nil
		}
		subj, obj, err := s.rangeTerms(k)
		if err != nil {
			return false, err
		}
		return fn(subj, obj), nil
	}, ovRanged(fn))
	return complete, err
}
