package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"slices"

	"github.com/knakk/rdf"
)

// A Pattern is one index read that lists subjects: those of the triples
// (?, Pred, Obj), or, with Obj nil, those of the triples of Pred whose
// object Range(Pred, Lo, Hi, Opt) reports (Opt.Desc is ignored).
//
// With With set, the pattern reads the pair index (see Pair, HasPair):
// the subjects that also have (?, With, WithObj).
type Pattern struct {
	Pred   rdf.IRI
	Obj    rdf.Object
	Lo, Hi *rdf.Literal
	Opt    RangeOptions

	With    rdf.IRI
	WithObj rdf.Object
}

// Intersect calls fn with each distinct subject that every group lists,
// a group listing the subjects of any of its patterns, until fn returns
// false. It reads each pattern's index keys once, in full, without
// decoding them, and keeps one bit per term id in the store for the
// subjects of the groups read so far: a join of several large conditions
// costs a sequential read of their keys rather than a lookup per subject.
// Subjects come in the order of the last group's keys.
//
// fn runs in the snapshot's read transaction: see View.
func (s *Snapshot) Intersect(ctx context.Context, groups [][]Pattern, fn func(s rdf.Subject) bool) error {
	var ferr error
	stopped := false
	err := s.intersectIDs(ctx, groups, func(id uint64) bool {
		subj, err := s.subject(id)
		if err != nil {
			ferr = err
			return false
		}
		stopped = !fn(subj)
		return !stopped
	})
	if err == nil {
		err = ferr
	}
	if err != nil || stopped {
		return err
	}
	return s.intersectUnion(groups, fn)
}

// IntersectVia follows the subjects Intersect lists one step back along
// via: it calls fn with the subject of each triple (subj, via, m), m one
// of those subjects, and whether subj is the resource stating it, until fn
// returns false. A subject comes once or more per such triple. It reads
// posg under via by term id, so the nodes in between are never decoded or looked
// up: the resources whose nested nodes match a condition, found from the
// nodes' index keys; or, when the condition is one pair the store
// indexes by via (Pair.Via), just the keys of that index.
//
// fn runs in the snapshot's read transaction: see View.
func (s *Snapshot) IntersectVia(ctx context.Context, groups [][]Pattern, via rdf.IRI, fn func(subj rdf.Subject, resource bool) bool) error {
	var ferr error
	stopped := false
	err := s.intersectViaIDs(ctx, groups, via, func(sid uint64, own bool) bool {
		subj, err := s.subject(sid)
		if err != nil {
			ferr = err
			return false
		}
		stopped = !fn(subj, own)
		return !stopped
	})
	if err == nil {
		err = ferr
	}
	if err != nil || stopped {
		return err
	}
	return s.intersectViaUnion(ctx, groups, via, fn)
}

// intersectViaIDs is IntersectVia by term id: own tells whether the
// subject is the resource stating the triple.
func (s *Snapshot) intersectViaIDs(ctx context.Context, groups [][]Pattern, via rdf.IRI, fn func(sid uint64, own bool) bool) error {
	if len(groups) == 1 && len(groups[0]) == 1 && s.viaIndexed(groups[0][0], via) {
		return s.pairViaSubjects(ctx, groups[0][0], via, fn)
	}
	vid, ok, err := s.patternID(via)
	if err != nil || !ok {
		return err
	}
	// Seek the nodes in id order: neighbouring keys share pages.
	var ms []uint64
	if err := s.intersectIDs(ctx, groups, func(m uint64) bool {
		ms = append(ms, m)
		return true
	}); err != nil {
		return err
	}
	slices.Sort(ms)
	// (r, via, m) is a posg key via | class 0 | value 0 | m | r | g: m
	// is a node, never a literal.
	c := s.cursor(scanPOSG)
	defer s.release(scanPOSG, c)
	var prefix [8 + okeyLen]byte
	binary.BigEndian.PutUint64(prefix[:], vid)
	for i, m := range ms {
		if i%ctxEvery == ctxEvery-1 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		binary.BigEndian.PutUint64(prefix[17:], m)
		for k, _ := c.Seek(prefix[:]); k != nil && bytes.HasPrefix(k, prefix[:]); k, _ = c.Next() {
			sid, g := binary.BigEndian.Uint64(k[25:]), binary.BigEndian.Uint64(k[33:])
			if !fn(sid, sid == g) {
				return nil
			}
		}
	}
	return nil
}

// intersectIDs calls fn with the id of each distinct subject every group
// lists (see Intersect), until fn returns false.
func (s *Snapshot) intersectIDs(ctx context.Context, groups [][]Pattern, fn func(id uint64) bool) error {
	if len(groups) == 0 {
		return nil
	}
	words := s.tx.Bucket(bucketI2T).Sequence()/64 + 1
	var have []uint64 // subjects of all groups so far; nil before the first
	for i, g := range groups {
		last := i == len(groups)-1
		next := s.bitset()
		err := s.subjectKeys(ctx, g, func(id uint64, _ bool) bool {
			w, bit := id/64, uint64(1)<<(id%64)
			if w >= words || have != nil && have[w]&bit == 0 || next[w]&bit != 0 {
				return true
			}
			next[w] |= bit
			if !last {
				return true
			}
			return fn(id)
		})
		if err != nil || last {
			return err
		}
		have = next
	}
	return nil
}

// Count returns the number of index keys the patterns read, with a
// subject's repeats, up to limit+1: a bound on the subjects they list,
// found without reading the terms.
func (s *Snapshot) Count(ctx context.Context, ps []Pattern, limit int) (int, error) {
	n := 0
	err := s.subjectKeys(ctx, ps, func(uint64, bool) bool {
		n++
		return n <= limit
	})
	if err != nil || n > limit {
		return n, err
	}
	m, err := s.ovCount(ps, limit-n)
	return n + m, err
}

// subjectKeys calls fn with the subject id of each index key the patterns
// read, with repeats, and whether a resource the subject names states the
// key (for a pair, one of its triples), until fn returns false.
func (s *Snapshot) subjectKeys(ctx context.Context, ps []Pattern, fn func(id uint64, own bool) bool) error {
	stopped := false
	for _, p := range ps {
		if p.With != (rdf.IRI{}) {
			err := s.pairSubjects(ctx, p, func(id uint64, own bool) bool {
				stopped = !fn(id, own)
				return !stopped
			})
			if err != nil || stopped {
				return err
			}
			continue
		}
		if p.Obj == nil {
			opt := p.Opt
			opt.Desc = false
			err := s.rangeKeys(ctx, p.Pred, p.Lo, p.Hi, opt, func(k []byte) (bool, error) {
				stopped = !fn(binary.BigEndian.Uint64(k[25:]), bytes.Equal(k[25:33], k[33:41]))
				return !stopped, nil
			})
			if err != nil || stopped {
				return err
			}
			continue
		}
		pid, ok, err := s.patternID(p.Pred)
		if err != nil {
			return err
		}
		oid, ok2, err := s.patternID(p.Obj)
		if err != nil {
			return err
		}
		if !ok || !ok2 {
			continue
		}
		var prefix [8 + okeyLen]byte
		binary.BigEndian.PutUint64(prefix[:], pid)
		class, v := sortKey(p.Obj)
		putSortKey(prefix[8:], class, v)
		binary.BigEndian.PutUint64(prefix[17:], oid)
		c := s.cursor(scanPOSG)
		n := 0
		for k, _ := c.Seek(prefix[:]); k != nil && bytes.HasPrefix(k, prefix[:]); k, _ = c.Next() {
			if n++; n%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					s.release(scanPOSG, c)
					return err
				}
			}
			if !fn(binary.BigEndian.Uint64(k[25:]), bytes.Equal(k[25:33], k[33:41])) {
				s.release(scanPOSG, c)
				return nil
			}
		}
		s.release(scanPOSG, c)
	}
	return nil
}
