package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/knakk/rdf"
	bolt "go.etcd.io/bbolt"
)

// EncodeForTest is encodeTerm with its uvarint length, as a stage value
// holds it.
func EncodeForTest(t rdf.Term) []byte {
	enc, err := encodeTerm(t)
	if err != nil {
		panic(err)
	}
	return append(binary.AppendUvarint(nil, uint64(len(enc))), enc...)
}

// StagedForTest is appendStaged on an empty buffer.
func StagedForTest(t rdf.Term) []byte {
	b, err := appendStaged(nil, t)
	if err != nil {
		panic(err)
	}
	return b
}

// StageOnlyForTest writes rs to the stage bucket without indexing them,
// as Stage did in format 5.
func (db *DB) StageOnlyForTest(ctx context.Context, rs []Resource) error {
	return db.stageOnly(ctx, rs)
}

// SetChangeLogForTest turns the change log on or off, to measure its
// cost.
func (db *DB) SetChangeLogForTest(on bool) { db.noChangeLog = !on }

// SetOutsideLimit sets outsideLimit until the returned func is called.
func SetOutsideLimit(n int) (restore func()) {
	old := outsideLimit
	outsideLimit = n
	return func() { outsideLimit = old }
}

// BucketKeysForTest counts the keys of a bucket: the logical keys of
// an index bucket held in blocks.
func (s *Snapshot) BucketKeysForTest(name string) (int, error) {
	b := s.tx.Bucket([]byte(name))
	if b == nil {
		return 0, nil
	}
	for _, bl := range blockBuckets {
		if string(bl.name) == name {
			n := 0
			c := newCursor(b, s.db.layout(bl.l))
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				n++
			}
			return n, nil
		}
	}
	return b.Stats().KeyN, nil
}

// RIDAgreesForTest reports the keys in which the rid bucket and res
// disagree: a resource of rid whose graph id has no res value or is not
// the id of its IRI, or a res key no resource of rid has.
func (db *DB) RIDAgreesForTest() (bad []string, err error) {
	err = db.db.View(func(tx *bolt.Tx) error {
		i2t := index{b: tx.Bucket(bucketI2T), l: db.layout(layoutI2T)}
		left := map[uint64]bool{}
		tx.Bucket(bucketRes).ForEach(func(k, _ []byte) error {
			left[binary.BigEndian.Uint64(k)] = true
			return nil
		})
		c := newCursor(tx.Bucket(bucketRID), db.layout(layoutRID))
		for k, v := c.First(); k != nil; k, v = c.Next() {
			id := binary.BigEndian.Uint64(v)
			if !left[id] || string(termEncoding(i2t, v)) != string(tagIRI)+string(k) {
				bad = append(bad, string(k))
			}
			delete(left, id)
		}
		for id := range left {
			bad = append(bad, fmt.Sprintf("res key %d", id))
		}
		return nil
	})
	return bad, err
}

// IndexAllTokensForTest writes the postings of every token of the text
// literals of resource id, past MaxTextTokens too, as a version of the
// store before the limit wrote them.
func (db *DB) IndexAllTokensForTest(id rdf.IRI) error {
	return db.db.Update(func(tx *bolt.Tx) error {
		w := newTxWriter(tx, db)
		gid := w.rid.get([]byte(id.String()))
		if gid == nil {
			return ErrNotFound
		}
		v, err := unpackRes(nil, w.res.Get(gid), binary.BigEndian.Uint64(gid))
		if err != nil {
			return err
		}
		g := v[8:16]
		for e := v[headerLen:]; len(e) > 0; e = e[entryLen:] {
			toks, err := w.entryTokens(e[:entryLen], 0)
			if err != nil {
				return err
			}
			if err := w.putText(e[:entryLen], g, toks); err != nil {
				return err
			}
		}
		return w.flushPuts()
	})
}

// UnpackForTest rewrites the closed store file at path, of the current
// version, as version 5 and older wrote it: index keys and change events
// one by one rather than in blocks, res keyed by resource IRI, its values
// with the graph id and their entries unpacked. Tests make an older file so from a new one. Inline terms stay
// so: the real files of testdata hold those in the dictionary.
func UnpackForTest(path string) error {
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return err
	}
	defer bdb.Close()
	return bdb.Update(func(tx *bolt.Tx) error {
		buckets := append(blockBuckets[:len(blockBuckets):len(blockBuckets)], struct {
			name []byte
			l    *layout
		}{bucketChanges, layoutChanges})
		for _, bl := range buckets {
			b := tx.Bucket(bl.name)
			if b == nil {
				continue
			}
			var kvs [][2][]byte
			c := newCursor(b, bl.l)
			for k, v := c.First(); k != nil; k, v = c.Next() {
				kvs = append(kvs, [2][]byte{k, v})
			}
			seq := b.Sequence()
			if err := tx.DeleteBucket(bl.name); err != nil {
				return err
			}
			if b, err = tx.CreateBucket(bl.name); err != nil {
				return err
			}
			if err := b.SetSequence(seq); err != nil {
				return err
			}
			for _, kv := range kvs {
				if err := b.Put(kv[0], kv[1]); err != nil {
					return err
				}
			}
		}
		res := tx.Bucket(bucketRes)
		i2t := tx.Bucket(bucketI2T) // unpacked above
		vals := map[string][]byte{}
		if err := res.ForEach(func(k, v []byte) error {
			full, err := unpackRes(nil, v, binary.BigEndian.Uint64(k))
			enc := i2t.Get(k)
			if len(enc) == 0 || enc[0] != tagIRI {
				return fmt.Errorf("res key %x names no IRI", k)
			}
			vals[string(enc[1:])] = full
			return err
		}); err != nil {
			return err
		}
		seq := res.Sequence()
		res, err := newBucket(tx, bucketRes, 0.5)
		if err != nil {
			return err
		}
		if err := res.SetSequence(seq); err != nil {
			return err
		}
		for k, v := range vals {
			if err := res.Put([]byte(k), v); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetRebuildChunk sets rebuildChunk until the returned func is called.
func SetRebuildChunk(n int) (restore func()) {
	old := rebuildChunk
	rebuildChunk = n
	return func() { rebuildChunk = old }
}

// HoldWriterForTest takes the writer's lock until release is called: a
// write waits behind it as it would behind a long one.
func (db *DB) HoldWriterForTest() (release func()) {
	held, done := make(chan struct{}), make(chan struct{})
	go db.db.Update(func(*bolt.Tx) error {
		close(held)
		<-done
		return nil
	})
	<-held
	return func() { close(done) }
}

// SetUpgradeHookForTest makes f run in an upgrade's transaction, before
// it sets the new version, until the returned func is called.
func SetUpgradeHookForTest(f func() error) (restore func()) {
	old := upgradeHook
	upgradeHook = f
	return func() { upgradeHook = old }
}

// PagesWrittenForTest is how many pages the store's commits have written.
func (db *DB) PagesWrittenForTest() int64 {
	st := db.db.Stats()
	return st.TxStats.GetWrite()
}

// BoltStatsForTest returns bbolt's cumulative transaction stats.
func (db *DB) BoltStatsForTest() bolt.TxStats { return db.db.Stats().TxStats }

// SetMaxPendingForTest sets maxPending until the returned func is
// called, so that a test's writers flush their buffers often.
func SetMaxPendingForTest(n int) (restore func()) {
	old := maxPending
	maxPending = n
	return func() { maxPending = old }
}

// InlineForTest reports whether the id of t holds t, which then has no
// dictionary entry (see inlineID).
func InlineForTest(t rdf.Term) bool {
	enc, err := encodeTerm(t)
	if err != nil {
		return false
	}
	_, ok := inlineID(enc)
	return ok
}

// SetBuildChunkForTest sets buildChunk until the returned func is
// called, so that a build spills its sorters to several runs and
// appends in several transactions.
func SetBuildChunkForTest(n int) (restore func()) {
	old := buildChunk
	buildChunk = n
	return func() { buildChunk = old }
}

// SetBuildHookForTest makes f run after each transaction of a bulk
// load's build, until the returned func is called.
func SetBuildHookForTest(f func(step string) error) (restore func()) {
	old := buildHook
	buildHook = f
	return func() { buildHook = old }
}

// idFields are where the term ids of the logical keys of the index
// buckets start, past a text key's token.
var idFields = map[string][]int{
	"spog": {0, 8, 16, 24}, "posg": {0, 17, 25, 33}, "text": {0, 8, 16, 24},
	"pair": {0, 8, 16, 33, 41, 49, 57}, "pairvia": {0, 8, 16, 24, 41, 49, 57, 65, 73},
}

// LogicalKeysForTest returns the logical keys of an index bucket (spog,
// posg, text, pair, pairvia), or the terms of the dictionary (t2i: each
// key with the term of its id; i2t), or the resources of rid with their
// graph's term, as text in which each term id is its term's encoding,
// blank nodes all "B": what two stores holding the same data agree on,
// whatever ids they gave the terms. Sorted.
func (db *DB) LogicalKeysForTest(name string) ([]string, error) {
	var out []string
	err := db.db.View(func(tx *bolt.Tx) error {
		i2t := index{b: tx.Bucket(bucketI2T), l: db.layout(layoutI2T)}
		term := func(id []byte) (string, error) {
			enc := termEncoding(i2t, id)
			if enc == nil {
				return "", fmt.Errorf("no term %x", id)
			}
			if enc[0] == tagBlank {
				return "B", nil
			}
			return fmt.Sprintf("%q", enc), nil
		}
		var l *layout
		for _, bl := range blockBuckets {
			if string(bl.name) == name {
				l = bl.l
			}
		}
		b := tx.Bucket([]byte(name))
		if b == nil {
			return fmt.Errorf("no bucket %s", name)
		}
		c := newCursor(b, db.layout(l))
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var line string
			switch name {
			case "t2i", "rid":
				t, err := term(v)
				if err != nil {
					return err
				}
				if k[0] == tagBlank {
					k = []byte("B") // its label is its id
				}
				line = fmt.Sprintf("%q %s", k, t)
			case "i2t":
				t, err := term(k)
				if err != nil {
					return err
				}
				line = t
			default:
				rest, head := k, ""
				if name == "text" {
					i := bytes.IndexByte(k, 0)
					head, rest = string(k[:i]), k[i+1:]
				}
				offs, ok := idFields[name]
				if !ok {
					return fmt.Errorf("no layout of %s", name)
				}
				parts := []string{head}
				prev := 0
				for _, off := range offs {
					if off > prev {
						parts = append(parts, fmt.Sprintf("%x", rest[prev:off]))
					}
					t, err := term(rest[off : off+8])
					if err != nil {
						return err
					}
					parts = append(parts, t)
					prev = off + 8
				}
				line = strings.Join(parts, " ") + fmt.Sprintf(" =%x", v)
			}
			out = append(out, line)
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

// HoldMergeForTest stops the merger from merging the overlay's segments
// (hold), or lets it go on.
func (db *DB) HoldMergeForTest(hold bool) {
	db.holdMerge.Store(hold)
	if !hold {
		select {
		case db.ov.wake <- struct{}{}:
		default:
		}
	}
}

// OverlayForTest returns how many resources the overlay holds.
func (db *DB) OverlayForTest() int { return db.ov.size() }

// SetMaxOverlayForTest sets maxOverlay to n until the test ends.
func SetMaxOverlayForTest(t interface{ Cleanup(func()) }, n int) {
	old := maxOverlay
	maxOverlay = n
	t.Cleanup(func() { maxOverlay = old })
}

// FailMergeForTest makes the merge of the staged resource key fail, and
// the merger retry a failed segment after retry, until the test ends.
func FailMergeForTest(t interface{ Cleanup(func()) }, key string, retry time.Duration) {
	oldRetry := mergeRetry
	mergeRetry = retry
	failing.Store(true)
	testHookMerge = func(k []byte) error {
		if string(k) == key && failing.Load() {
			return fmt.Errorf("merge of %s failed (test)", k)
		}
		return nil
	}
	t.Cleanup(func() { testHookMerge, mergeRetry = nil, oldRetry })
}

var failing atomic.Bool

// StopFailingMergeForTest lets the merge FailMergeForTest made fail go.
func StopFailingMergeForTest() { failing.Store(false) }

// OnStagedForTest runs fn between the making of a Stage call's segments
// and its transaction, until the test ends.
func OnStagedForTest(t interface{ Cleanup(func()) }, fn func()) {
	testHookStaged = fn
	t.Cleanup(func() { testHookStaged = nil })
}

// IndexedForTest returns how many of the overlay's segments have their
// index made.
func (db *DB) IndexedForTest() int {
	n := 0
	for _, sg := range db.ov.installed() {
		if sg.indexed.Load() {
			n++
		}
	}
	return n
}
