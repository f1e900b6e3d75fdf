package store

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/knakk/rdf"
	bolt "go.etcd.io/bbolt"
)

// Snapshot is a consistent read-only view of the store: every call on it
// sees the same state. It is valid only inside the function passed to
// DB.View, and only in that goroutine.
//
// Its methods mirror DB's read methods, so a query engine can declare one
// interface that both satisfy.
type Snapshot struct {
	db *DB
	tx *bolt.Tx
	r  termReader

	buckets [numScanned]*bolt.Bucket   // opened on first use
	free    [numScanned][]*blockCursor // cursors to reuse
	sets    []*[]uint64                // bit sets lent by bitset

	stageState int8 // see anyStaged: 0 unknown, 1 nothing staged, 2 some

	installed []*segment // the overlay's segments when it began
	ov        []*segment // those of them it sees (see visible)
	ovKnown   bool
}

// The buckets a Snapshot scans, as indexes of Snapshot.buckets.
const (
	scanSPOG = iota
	scanPOSG
	scanText
	scanRes
	scanRID
	numScanned
)

var (
	scannedNames   = [numScanned][]byte{bucketSPOG, bucketPOSG, bucketText, bucketRes, bucketRID}
	scannedLayouts = [numScanned]*layout{layoutSPOG, layoutPOSG, layoutText, nil, layoutRID}
)

// cursor returns a cursor of bucket b for one scan; release gives it back.
// Scans nest (a callback may scan again), so each takes its own cursor,
// but a cursor is reused across scans: a new one costs an allocation and
// regrows its stack. Cursors of the index buckets read their logical
// keys, whether the file packs them in blocks or not.
func (s *Snapshot) cursor(b int) *blockCursor {
	if n := len(s.free[b]); n > 0 {
		c := s.free[b][n-1]
		s.free[b] = s.free[b][:n-1]
		return c
	}
	if s.buckets[b] == nil {
		s.buckets[b] = s.tx.Bucket(scannedNames[b])
	}
	return newCursor(s.buckets[b], s.db.layout(scannedLayouts[b]))
}

func (s *Snapshot) release(b int, c *blockCursor) {
	s.free[b] = append(s.free[b], c)
}

// View calls fn with a snapshot of the store. Use it to make several reads
// agree, and for reads nested in a Match or Range callback: the callbacks
// of DB's methods run inside a read transaction and must not call DB
// methods, as bbolt may deadlock when a reader waits on a writer that waits
// on that reader.
func (db *DB) View(ctx context.Context, fn func(s *Snapshot) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var tx *bolt.Tx
	segs, err := db.ov.atBegin(func() (err error) {
		tx, err = db.db.Begin(false)
		return err
	})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	s := &Snapshot{db: db, tx: tx, r: termReader{tx: tx, shared: db.terms, t2iLayout: db.layout(layoutT2I), i2tLayout: db.layout(layoutI2T), inline: db.blocks && !db.v7}, installed: segs}
	defer func() {
		for _, b := range s.sets {
			db.bits.Put(b)
		}
	}()
	return fn(s)
}

// bitset returns a zeroed bit set with a bit for every term id, valid
// until the end of the snapshot. At a million resources one is a megabyte:
// reused across snapshots, it costs a clear rather than an allocation the
// garbage collector then has to scan and return.
func (s *Snapshot) bitset() []uint64 {
	words := int(s.tx.Bucket(bucketI2T).Sequence()/64 + 1)
	p, _ := s.db.bits.Get().(*[]uint64)
	if p == nil || cap(*p) < words {
		b := make([]uint64, words, words+words/8)
		p = &b
	} else {
		*p = (*p)[:words]
		clear(*p)
	}
	s.sets = append(s.sets, p)
	return *p
}

// Get is DB.Get in the snapshot.
func (s *Snapshot) Get(ctx context.Context, id rdf.IRI) (g []rdf.Triple, etag string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	key := []byte(id.String())
	if g, etag, ok, err := stagedGet(s.tx, s.db.nonce, key); ok || err != nil {
		return g, etag, err
	}
	v, err := s.resource(nil, key)
	if err != nil {
		return nil, "", err
	}
	if v == nil {
		return nil, "", ErrNotFound
	}
	g = make([]rdf.Triple, 0, (len(v)-headerLen)/entryLen)
	for e := v[headerLen:]; len(e) > 0; e = e[entryLen:] {
		t, err := s.r.triple(binary.BigEndian.Uint64(e[0:]), binary.BigEndian.Uint64(e[8:]), binary.BigEndian.Uint64(e[25:]))
		if err != nil {
			return nil, "", err
		}
		g = append(g, t)
	}
	return g, formatETag(s.db.nonce, binary.BigEndian.Uint64(v)), nil
}

// Exists is DB.Exists in the snapshot.
func (s *Snapshot) Exists(ctx context.Context, id rdf.IRI) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if b := s.tx.Bucket(bucketStage); b != nil && b.Get([]byte(id.String())) != nil {
		return true, nil
	}
	b, _ := s.resourceIDs()
	c := s.cursor(b)
	defer s.release(b, c)
	return seekExact(c, []byte(id.String())) != nil, nil
}

// resource appends to dst the res value of the resource with IRI key,
// unpacked, and returns it; nil if there is none. Since version 10 it
// finds the graph id, res's key, in rid; before, res's key is the IRI.
func (s *Snapshot) resource(dst, key []byte) ([]byte, error) {
	if s.db.resByIRI {
		c := s.cursor(scanRes)
		v := seekExact(c, key)
		s.release(scanRes, c)
		if v == nil {
			return nil, nil
		}
		return unpackResV9(dst, v, key, s.db.packed)
	}
	c := s.cursor(scanRID)
	g := seekExact(c, key)
	s.release(scanRID, c)
	if g == nil {
		return nil, nil
	}
	if len(g) != 8 {
		return nil, fmt.Errorf("%w: rid value of %q", ErrCorrupt, key)
	}
	gid := binary.BigEndian.Uint64(g)
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], gid)
	c = s.cursor(scanRes)
	v := seekExact(c, k[:])
	s.release(scanRes, c)
	if v == nil {
		return nil, fmt.Errorf("%w: resource %q has no res value", ErrCorrupt, key)
	}
	return unpackRes(dst, v, gid)
}

// Resources is DB.Resources in the snapshot.
func (s *Snapshot) Resources(ctx context.Context, after rdf.IRI, fn func(id rdf.IRI) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, _ := s.resourceIDs()
	c := s.cursor(b)
	defer s.release(b, c)
	var k []byte
	if a := after.String(); a == "" {
		k, _ = c.First()
	} else if k, _ = c.Seek([]byte(a)); k != nil && string(k) == a {
		k, _ = c.Next()
	}
	n := 0
	next := func() (string, bool, error) {
		if k == nil {
			return "", false, nil
		}
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return "", false, err
			}
		}
		id := string(k)
		k, _ = c.Next()
		return id, true, nil
	}
	var ov []string
	if segs := s.visible(); len(segs) > 0 {
		ov = ovResources(segs)
	}
	var bad error
	err := mergeIRIs(ov, after.String(), next, func(k string) bool {
		id, err := rdf.NewIRI(k)
		if err != nil {
			bad = fmt.Errorf("%w: resource %q: %v", ErrCorrupt, k, err)
			return false
		}
		return fn(id)
	})
	if err != nil {
		return err
	}
	return bad
}

// Stats is DB.Stats in the snapshot.
func (s *Snapshot) Stats(ctx context.Context) (Stats, error) {
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	meta := s.tx.Bucket(bucketMeta)
	get := func(k []byte) int64 {
		if v := meta.Get(k); len(v) == 8 {
			return int64(binary.BigEndian.Uint64(v))
		}
		return 0
	}
	st := Stats{
		Resources: get(keyResources),
		Triples:   get(keyTriples),
		Terms:     get(keyTerms),
		Size:      s.tx.Size(),
	}
	for _, sg := range s.visible() {
		st.Resources += int64(sg.len())
		st.Triples += int64(sg.nTriples)
	}
	return st, nil
}
