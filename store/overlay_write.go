package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/knakk/rdf"
)

// The writes of the overlay (see overlay.go): staging a Stage call's new
// resources, and merging a segment into the indexes.

// afterCommit runs fn once w's transaction has committed; not at all if
// it does not commit.
func (w *txWriter) afterCommit(fn func()) { w.onCommit = append(w.onCommit, fn) }

// ownerOf returns the segment that owns encoded IRI enc; nil if none
// does.
func (w *txWriter) ownerOf(enc string) *segment {
	if w.ov == nil {
		return nil
	}
	return w.ov.owner(enc)
}

// overlaid reports whether a segment may own something.
func (w *txWriter) overlaid() bool { return w.ov != nil && w.ov.size() > 0 }

// mergeOwners merges the segments that own the resource p or a subject of
// its triples, before p is written: a staged subject states nothing in
// the indexes (see overlay.go).
func (w *txWriter) mergeOwners(p *prepared) error {
	if !w.overlaid() {
		return nil
	}
	if sg := w.ownerOf(p.idEnc); sg != nil {
		if err := w.mergeSegment(sg); err != nil {
			return err
		}
	}
	for _, tr := range p.triples {
		if sg := w.ownerOf(p.terms[tr[0]].enc); sg != nil {
			if err := w.mergeSegment(sg); err != nil {
				return err
			}
		}
	}
	return nil
}

// mergeSegment indexes the resources of sg, with the sequence numbers
// they were staged with (their ETags), and deletes them from the stage
// bucket. The segment is dropped from the overlay once the transaction
// commits.
//
// A segment stays installed for a moment after the transaction that
// merged it commits, and is installed before the transaction that stages
// it commits (so that no write in between misses its owners): one whose
// keys this transaction does not see is merged already, or was never
// staged, and is left alone.
func (w *txWriter) mergeSegment(sg *segment) error {
	if w.merging[sg] {
		return nil
	}
	if w.merging == nil {
		w.merging = make(map[*segment]bool)
	}
	w.merging[sg] = true
	if w.stage.Get(sg.keys[0]) == nil {
		return nil
	}
	w.merged++
	for i, key := range sg.keys {
		if testHookMerge != nil {
			if err := testHookMerge(key); err != nil {
				return err
			}
		}
		v := w.stage.Get(key)
		if len(v) < 8 {
			return fmt.Errorf("%w: staged resource %q is not in the stage bucket", ErrCorrupt, key)
		}
		seq := binary.BigEndian.Uint64(v)
		if err := w.stage.Delete(key); err != nil {
			return err
		}
		p := *sg.preps[i]
		p.seq, p.logged = seq, true
		if _, err := w.put(&p, modeUpsert, ""); err != nil {
			return fmt.Errorf("merge staged %s: %w", key, err)
		}
	}
	ov := w.ov
	w.afterCommit(func() { ov.remove(sg) })
	return nil
}

// stageCandidates tells which of the resources ps of one Stage call may
// go to the overlay as far as they alone say (see overlay.go): an IRI
// without fragment, listed once, some triples, no blank node, every
// subject its own; and no other resource of the call stating a triple of
// one of its subjects. stageable checks the rest in the transaction.
func stageCandidates(ps []*prepared) ([]bool, int) {
	ok := make([]bool, len(ps))
	listed := make(map[string]int, len(ps))
	for _, p := range ps {
		listed[string(p.key)]++
	}
	n := 0
	for i, p := range ps {
		if ok[i] = listed[string(p.key)] == 1 && ownedOnly(p); ok[i] {
			n++
		}
	}
	if n == 0 || n == len(ps) {
		return ok, n
	}
	byKey := make(map[string]int, n)
	for i, p := range ps {
		if ok[i] {
			byKey[string(p.key)] = i
		}
	}
	for i, p := range ps {
		if ok[i] {
			continue
		}
		for _, tr := range p.triples {
			s, isIRI := encIRI(p.terms[tr[0]].enc)
			if !isIRI {
				continue
			}
			id, _, _ := strings.Cut(s, "#")
			if x, found := byKey[id]; found && ok[x] {
				ok[x] = false
				n--
			}
		}
	}
	return ok, n
}

// ownedOnly reports whether p has an IRI without fragment, some triples,
// no blank node, and only its own subjects.
func ownedOnly(p *prepared) bool {
	id := p.idEnc[1:] // the key, as a string
	if strings.IndexByte(id, '#') >= 0 || len(p.triples) == 0 {
		return false
	}
	for i := range p.terms {
		if enc := p.terms[i].enc; len(enc) > 0 && enc[0] == tagBlank {
			return false
		}
	}
	for _, tr := range p.triples {
		s, isIRI := encIRI(p.terms[tr[0]].enc)
		if !isIRI || !ownSubject(id, s) {
			return false
		}
	}
	return true
}

// newSegments makes the segments of the resources ps picked by ok, at
// most maxSegment each.
func newSegments(ps []*prepared, ok []bool) []*segment {
	var segs []*segment
	var chunk []*prepared
	for i, p := range ps {
		if ok[i] {
			chunk = append(chunk, p)
		}
		if len(chunk) == maxSegment || i == len(ps)-1 && len(chunk) > 0 {
			segs = append(segs, newSegment(chunk))
			chunk = nil
		}
	}
	return segs
}

// stageAll writes the resources ps of one Stage call, in order: those
// cand picks and stageable finds new to the stage bucket and the overlay,
// in segments, the others through put. cand picks n resources whose IRI
// and subjects were no terms of the dictionary when its last id was dict.
func (w *txWriter) stageAll(ps []*prepared, cand []bool, n int, dict uint64) error {
	ok := slices.Clone(cand)
	if w.ov == nil || n > maxOverlay-w.ov.size() {
		clear(ok)
		n = 0
	}
	since := w.termsSince(dict, 4*n)
	for i, p := range ps {
		if !ok[i] {
			continue
		}
		var err error
		if ok[i], err = w.stageable(p, since); err != nil {
			return err
		}
		if !ok[i] {
			n--
		}
	}
	var segs []*segment
	if n > 0 {
		segs = newSegments(ps, ok)
	}
	for i, p := range ps {
		if !ok[i] {
			if _, err := w.put(p, modeUpsert, ""); err != nil {
				return fmt.Errorf("stage %s: %w", p.key, err)
			}
			continue
		}
		seq, err := w.res.NextSequence()
		if err != nil {
			return err
		}
		v := appendStageValue(make([]byte, 0, stageValueSize(p)), seq, p)
		if err := w.stage.Put(p.key, v); err != nil {
			return err
		}
		if err := w.logChange(Created, p.key); err != nil {
			return err
		}
	}
	if n == 0 {
		return nil
	}
	// Installed now, before the commit, so that no write after it misses
	// the segments' owners; a snapshot sees one only once its keys are
	// committed (see Snapshot.overlay), and aborted drops them if they
	// never are.
	for _, sg := range segs {
		w.ov.install(sg)
		w.pending = append(w.pending, sg)
	}
	return nil
}

// aborted undoes what w did to the overlay in a transaction that did not
// commit: it drops the segments it staged.
func (w *txWriter) aborted() {
	for _, sg := range w.pending {
		w.ov.remove(sg)
	}
	w.pending = nil
}

// maxSegment is the most resources a segment holds: the merger indexes a
// segment in one transaction, which the writes that come meanwhile wait
// for. On two cores, into a store of a million records, 512 take
// 0.1-0.2 s.
const maxSegment = 512

// mergeQuiet is how long Stage must have been idle before the merger
// merges, unless the overlay is half full: a burst of writes at a period
// boundary is acknowledged first, and merged after.
const mergeQuiet = 250 * time.Millisecond

// waitQuiet waits until no Stage call has run for mergeQuiet or the
// overlay is half full; false if stop closed first.
func (db *DB) waitQuiet(stop <-chan struct{}) bool {
	for db.ov.size() < maxOverlay/2 {
		idle := time.Since(time.Unix(0, db.lastStage.Load()))
		if db.staging.Load() == 0 && idle >= mergeQuiet {
			return true
		}
		select {
		case <-stop:
			return false
		case <-time.After(max(mergeQuiet-idle, time.Millisecond)):
		}
	}
	return true
}

// stageable reports whether p, one of stageCandidates, may go to the
// overlay: neither its IRI nor a subject of its triples is a term of the
// store, owned by a segment, or staged before this version. With since
// not nil, the dictionary was asked already, and since holds the terms
// it took after.
func (w *txWriter) stageable(p *prepared, since map[string]bool) (bool, error) {
	if w.stage.Get(p.key) != nil {
		return false, nil
	}
	return fresh(p, func(enc string) (bool, error) {
		if w.ownerOf(enc) != nil {
			return false, nil
		}
		if since != nil {
			return !since[enc], nil
		}
		id, err := w.lookup(enc)
		return id == 0, err
	})
}

// termsSince returns the encoded terms the dictionary took after id
// dict (ids only grow, and a term deleted since makes none new), or nil
// if they are more than max, when asking the dictionary about each term
// costs less.
func (w *txWriter) termsSince(dict uint64, max int) map[string]bool {
	last := w.i2t.Sequence()
	if last < dict || last-dict > uint64(max) {
		return nil
	}
	since := make(map[string]bool, last-dict)
	for id := dict + 1; id <= last; id++ {
		if v := w.i2tPuts.get(u64(id)); v != nil {
			since[string(v)] = true
		}
	}
	return since
}

// fresh reports whether new holds for the IRI of p and each subject of
// its triples, each asked once (a resource's triples of one subject are
// mostly together).
func fresh(p *prepared, new func(enc string) (bool, error)) (bool, error) {
	if ok, err := new(p.idEnc); !ok || err != nil {
		return false, err
	}
	var last string
	for _, tr := range p.triples {
		enc := p.terms[tr[0]].enc
		if enc == last || enc == p.idEnc {
			continue
		}
		last = enc
		if ok, err := new(enc); !ok || err != nil {
			return false, err
		}
	}
	return true, nil
}

// fresh reports whether neither the IRI of p nor a subject of its triples
// is a term of s's dictionary.
func (s *Snapshot) fresh(p *prepared) (bool, error) {
	return fresh(p, func(enc string) (bool, error) {
		id, err := s.r.lookup(enc)
		return id == 0, err
	})
}

// runMerger merges the overlay's segments, oldest first, one transaction
// each, until stop is closed. A merge that fails leaves its segment staged
// and visible; the merger goes on with the others and tries it again
// after mergeRetry.
func (db *DB) runMerger(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	failed := make(map[*segment]time.Time)
	pause := func(d time.Duration) bool {
		select {
		case <-stop:
			return false
		case <-time.After(d):
			return true
		}
	}
	for {
		select {
		case <-stop:
			return
		case <-db.ov.wake:
		}
		for !db.holdMerge.Load() {
			sg := db.ov.next(failed, time.Now().Add(-mergeRetry))
			if sg == nil {
				if len(failed) == 0 {
					break
				}
				if !pause(time.Second) {
					return
				}
				continue
			}
			if !db.waitQuiet(stop) {
				return
			}
			n, err := db.mergeOne(context.Background(), sg)
			switch {
			case err != nil:
				failed[sg] = time.Now()
			case n == 0:
				// Merged by another write: gone once it has finished.
				if !pause(10 * time.Millisecond) {
					return
				}
			default:
				delete(failed, sg)
			}
		}
	}
}

// mergeRetry is how long the merger leaves a segment it failed to merge.
var mergeRetry = 10 * time.Second

// testHookMerge, if set, runs before a staged resource is merged: tests
// fail merges there.
var testHookMerge func(key []byte) error

// next returns the oldest installed segment that did not fail to merge
// after since (see runMerger), or nil; it forgets the failures of
// segments no longer installed.
func (ov *overlay) next(failed map[*segment]time.Time, since time.Time) *segment {
	ov.mu.RLock()
	defer ov.mu.RUnlock()
	for sg := range failed {
		if !slices.Contains(ov.segs, sg) {
			delete(failed, sg)
		}
	}
	for _, sg := range ov.segs {
		if t, ok := failed[sg]; !ok || t.Before(since) {
			return sg
		}
	}
	return nil
}

// mergeOne merges segment sg in a transaction of its own, if it is still
// in the overlay, and returns how many resources it merged.
func (db *DB) mergeOne(ctx context.Context, sg *segment) (int, error) {
	n := 0
	err := db.batch(ctx, func(w *txWriter) error {
		n = 0
		if w.merging[sg] || db.ov.owner(sg.owned[0]) != sg {
			return nil // merged meanwhile, by a write of one of its subjects
		}
		m := w.merged
		if err := w.mergeSegment(sg); err != nil {
			return err
		}
		if w.merged > m {
			n = sg.len()
		}
		return nil
	})
	return n, err
}

// loadOverlay puts in the overlay what the stage bucket holds and the
// overlay may hold (see stageCandidates and stageable), for a read-only
// Open, which cannot merge it: its queries then see what a process that
// stopped before merging had acknowledged. The rest, resources a version
// before 6 staged, Get and Exists still see.
func (db *DB) loadOverlay() error {
	return db.View(context.Background(), func(s *Snapshot) error {
		st := s.tx.Bucket(bucketStage)
		if st == nil {
			return nil
		}
		var ps []*prepared
		c := st.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			id, err := rdf.NewIRI(string(k))
			if err != nil {
				return fmt.Errorf("%w: staged key %q", ErrCorrupt, k)
			}
			_, g, err := decodeStaged(k, v)
			if err != nil {
				return err
			}
			p, err := prepare(id, g, db.text)
			if err != nil {
				return err
			}
			ok := ownedOnly(p)
			if ok {
				if ok, err = s.fresh(p); err != nil {
					return err
				}
			}
			if ok {
				ps = append(ps, p)
			} else {
				db.legacyStaged.Store(true)
			}
		}
		if len(ps) == 0 {
			return nil
		}
		ok := make([]bool, len(ps))
		for i := range ok {
			ok[i] = true
		}
		// Indexed now, so that a file the stage bucket of which does not
		// decode fails to open.
		segs := newSegments(ps, ok)
		for _, sg := range segs {
			if err := sg.index(); err != nil {
				return err
			}
		}
		for _, sg := range segs {
			db.ov.install(sg)
		}
		return nil
	})
}
