package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/knakk/rdf"
	bolt "go.etcd.io/bbolt"
)

// bucketChanges holds the change log: key the event's order, value its
// kind, time and resource IRI (see doc.go).
var bucketChanges = []byte("changes")

// ChangeKind says what a change event did to its resource.
type ChangeKind byte

// The kinds of change, as the changes bucket stores them.
const (
	Created  ChangeKind = 'C' // the resource was not there
	Modified ChangeKind = 'M' // it was there, and was written again
	Deleted  ChangeKind = 'D'
)

func (k ChangeKind) String() string {
	switch k {
	case Created:
		return "created"
	case Modified:
		return "modified"
	case Deleted:
		return "deleted"
	}
	return fmt.Sprintf("ChangeKind(%d)", byte(k))
}

// A Change is an event of the change log: one write of one resource,
// committed in the transaction that made the write, so that the log
// neither loses nor invents a change across a crash.
type Change struct {
	// Order is the event's place in the log: it starts at 1, grows by one
	// per event and is never reused, even after TrimChanges.
	Order uint64
	Kind  ChangeKind
	ID    rdf.IRI
	// Time is the writer's clock when its transaction began; events of
	// one transaction share it.
	Time time.Time
}

// changeHeaderLen is the size of a changes value before the IRI: the
// kind, then the time in Unix nanoseconds.
const changeHeaderLen = 9

// appendChange appends an event of kind for the resource with IRI key
// to b, the changes bucket of a read-write transaction, in blocks.
func appendChange(b *bolt.Bucket, kind ChangeKind, now time.Time, key []byte) error {
	if b == nil {
		return nil // the log is off (DB.noChangeLog)
	}
	order, err := b.NextSequence()
	if err != nil {
		return err
	}
	return index{b: b, l: layoutChanges}.apply([]op{{key: u64(order), val: changeValue(kind, now, key)}})
}

// changeValue is the value of an event of kind at now for the resource
// with IRI key.
func changeValue(kind ChangeKind, now time.Time, key []byte) []byte {
	v := make([]byte, changeHeaderLen+len(key))
	v[0] = byte(kind)
	binary.BigEndian.PutUint64(v[1:], uint64(now.UnixNano()))
	copy(v[changeHeaderLen:], key)
	return v
}

// appendChangeValue appends the encoding of change value v after the
// entries prevs of its block: the kind byte, the varint of the time's
// change from the entry before, then the IRI against the one of the
// histLen IRIs before it that shares the longest prefix with it
// (appendHist).
func appendChangeValue(dst []byte, prevs []entry, v []byte) []byte {
	pv := prevs[len(prevs)-1].v
	dst = append(dst, v[0])
	dst = binary.AppendVarint(dst, int64(binary.BigEndian.Uint64(v[1:])-binary.BigEndian.Uint64(pv[1:])))
	return appendHist(dst, prevs, changeHeaderLen, v[changeHeaderLen:])
}

// decodeChangeValue decodes what appendChangeValue encodes at the start
// of src, appending the value to dst.
func decodeChangeValue(dst []byte, prevs []entry, src []byte) ([]byte, []byte, bool) {
	pv := prevs[len(prevs)-1].v
	if len(src) < 1 || len(pv) < changeHeaderLen {
		return dst, src, false
	}
	kind := src[0]
	d, a := binary.Varint(src[1:])
	if a <= 0 {
		return dst, src, false
	}
	t := binary.BigEndian.Uint64(pv[1:]) + uint64(d)
	dst = append(dst, kind)
	dst = binary.BigEndian.AppendUint64(dst, t)
	return decodeHist(dst, prevs, changeHeaderLen, src[1+a:])
}

// changesCursor returns a cursor of the change log b of snapshot s.
func (s *Snapshot) changesCursor(b *bolt.Bucket) *blockCursor {
	return newCursor(b, s.db.changesLayout())
}

// changesLayout is the layout of the changes bucket: blocks since version
// 8, before that a key per event.
func (db *DB) changesLayout() *layout {
	if !db.blocks || db.v7 {
		return nil
	}
	return layoutChanges
}

// decodeChange decodes a changes key and value.
func decodeChange(k, v []byte) (Change, error) {
	if len(k) != 8 || len(v) < changeHeaderLen {
		return Change{}, fmt.Errorf("%w: change %x", ErrCorrupt, k)
	}
	id, err := rdf.NewIRI(string(v[changeHeaderLen:]))
	if err != nil {
		return Change{}, fmt.Errorf("%w: change %x: %v", ErrCorrupt, k, err)
	}
	kind := ChangeKind(v[0])
	if kind != Created && kind != Modified && kind != Deleted {
		return Change{}, fmt.Errorf("%w: change %x: kind %q", ErrCorrupt, k, v[0])
	}
	return Change{
		Order: binary.BigEndian.Uint64(k),
		Kind:  kind,
		ID:    id,
		Time:  time.Unix(0, int64(binary.BigEndian.Uint64(v[1:]))),
	}, nil
}

// Changes calls fn with the events of the change log whose order is below
// before (0: all), newest first, until fn returns false. A file written
// before the log (format version 4, opened read-only) has none.
func (s *Snapshot) Changes(ctx context.Context, before uint64, fn func(c Change) bool) error {
	b := s.tx.Bucket(bucketChanges)
	if b == nil {
		return nil
	}
	c := s.changesCursor(b)
	var k, v []byte
	if before == 0 {
		k, v = c.Last()
	} else if sk, _ := c.Seek(u64(before)); sk == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	for n := 0; k != nil; k, v = c.Prev() {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ch, err := decodeChange(k, v)
		if err != nil {
			return err
		}
		if !fn(ch) {
			return nil
		}
	}
	return ctx.Err()
}

// ChangesAfter calls fn with the events of the change log whose order is
// above after, oldest first, until fn returns false.
func (s *Snapshot) ChangesAfter(ctx context.Context, after uint64, fn func(c Change) bool) error {
	b := s.tx.Bucket(bucketChanges)
	if b == nil {
		return nil
	}
	c := s.changesCursor(b)
	for k, v := c.Seek(u64(after + 1)); k != nil; k, v = c.Next() {
		ch, err := decodeChange(k, v)
		if err != nil {
			return err
		}
		if !fn(ch) {
			return nil
		}
		if ch.Order%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// ChangeSpan returns the orders of the oldest and the newest event the
// change log holds; zeros if it holds none.
func (s *Snapshot) ChangeSpan() (oldest, newest uint64) {
	b := s.tx.Bucket(bucketChanges)
	if b == nil {
		return 0, 0
	}
	c := s.changesCursor(b)
	if k, _ := c.First(); len(k) == 8 {
		oldest = binary.BigEndian.Uint64(k)
	}
	if k, _ := c.Last(); len(k) == 8 {
		newest = binary.BigEndian.Uint64(k)
	}
	return oldest, newest
}

// TrimChanges deletes the events of the change log whose order is below
// before, oldest first, in transactions of at most trimChunk events so
// that writers never wait long, and returns how many it deleted. Orders
// are never reused: the next event still takes the next order.
func (db *DB) TrimChanges(ctx context.Context, before uint64) (int, error) {
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n := 0
		err := db.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketChanges)
			if b == nil {
				return nil
			}
			// Keys first, then deletes: a cursor walking on would cross the
			// nodes the deletes emptied, which bbolt drops only at commit.
			var ops []op
			c := newCursor(b, layoutChanges)
			for k, _ := c.First(); k != nil && bytes.Compare(k, u64(before)) < 0 && len(ops) < trimChunk; k, _ = c.Next() {
				ops = append(ops, op{key: bytes.Clone(k), del: true})
			}
			n = len(ops)
			return index{b: b, l: layoutChanges}.apply(ops)
		})
		total += n
		if err != nil || n < trimChunk {
			return total, err
		}
	}
}

// trimChunk is the most events one TrimChanges transaction deletes.
const trimChunk = 10000

// ResourcesUnder calls fn with the id of each resource whose IRI starts
// with prefix and sorts after after (an empty after: from the first), in
// byte order of the IRIs, until fn returns false. Unlike Resources, it
// also lists the resources staged and not yet merged (see Stage), as Get
// sees them: a listing of the resources and the change log read in one
// Snapshot agree.
func (s *Snapshot) ResourcesUnder(ctx context.Context, prefix string, after rdf.IRI, fn func(id rdf.IRI) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// rid holds a graph id per resource where res holds all its entries:
	// its pages hold far more keys. Files before version 4 have none.
	bucket := scanRID
	if s.tx.Bucket(bucketRID) == nil {
		bucket = scanRes
	}
	c := s.cursor(bucket)
	defer s.release(bucket, c)
	var st *blockCursor
	if b := s.tx.Bucket(bucketStage); b != nil {
		st = newCursor(b, nil)
	}
	start := []byte(prefix)
	if a := after.String(); a > prefix {
		start = []byte(a)
	}
	// first returns the first key of c at or after start that is past
	// after and under prefix, or nil.
	first := func(c *blockCursor) []byte {
		k, _ := c.Seek(start)
		if k != nil && string(k) == after.String() {
			k, _ = c.Next()
		}
		return k
	}
	under := func(k []byte) []byte {
		if k == nil || !bytes.HasPrefix(k, []byte(prefix)) {
			return nil
		}
		return k
	}
	k := under(first(c))
	var sk []byte
	if st != nil {
		sk = under(first(st))
	}
	for n := 0; k != nil || sk != nil; n++ {
		if n%1024 == 1023 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var next []byte
		switch cmp := compareKeys(k, sk); {
		case cmp < 0:
			next = k
			k, _ = c.Next()
			k = under(k)
		case cmp > 0:
			next = sk
			sk, _ = st.Next()
			sk = under(sk)
		default: // staged over an indexed version: one resource
			next = k
			k, _ = c.Next()
			k = under(k)
			sk, _ = st.Next()
			sk = under(sk)
		}
		id, err := rdf.NewIRI(string(next))
		if err != nil {
			return fmt.Errorf("%w: resource %q: %v", ErrCorrupt, next, err)
		}
		if !fn(id) {
			return nil
		}
	}
	return nil
}

// compareKeys compares two keys of a merge of two cursors, nil (the end)
// after every key.
func compareKeys(a, b []byte) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return bytes.Compare(a, b)
}
