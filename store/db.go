package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/knakk/rdf"
	bolt "go.etcd.io/bbolt"
)

// formatVersion is the layout described in doc.go. A writable Open
// upgrades older files.
const (
	formatVersion    = 11
	formatVersionV10 = 10
	formatVersionV9  = 9
	formatVersionV8  = 8
	formatVersionV7  = 7
	formatVersionV6  = 6
	formatVersionV5  = 5
	formatVersionV4  = 4
	formatVersionV3  = 3
	formatVersionV2  = 2
	formatVersionV1  = 1
)

// Bucket names; see doc.go.
var (
	bucketMeta = []byte("meta")
	bucketT2I  = []byte("t2i")
	bucketI2T  = []byte("i2t")
	bucketRes  = []byte("res")
	bucketSPOG = []byte("spog")
	bucketPOSG = []byte("posg")
	// bucketOSPG is the index of versions 1 to 5 by object, which
	// version 6 reads from posg instead; an upgrade drops it.
	bucketOSPG = []byte("ospg")
	bucketText = []byte("text")
	bucketRID  = []byte("rid")

	allBuckets = [][]byte{bucketMeta, bucketT2I, bucketI2T, bucketRes, bucketSPOG, bucketPOSG, bucketText, bucketStage, bucketPair, bucketPairVia, bucketRID, bucketChanges}
)

// Keys in the meta bucket.
var (
	keyVersion   = []byte("version")
	keyNonce     = []byte("nonce")
	keyResources = []byte("resources")
	keyTriples   = []byte("triples")
	keyTerms     = []byte("terms")
	keyText      = []byte("text")
	// keyPairs: see pair.go.
)

// Options configure Open. The zero value, or a nil *Options, is the
// default: a new file then has no full-text or pair index, and an existing
// one keeps those it has.
type Options struct {
	// Timeout is how long Open waits for the file lock; zero waits forever.
	Timeout time.Duration

	// NoSync skips fsync after each commit. A crash may then lose or
	// corrupt the database: use it only for benchmarks and bulk loads that
	// can be redone.
	NoSync bool

	// ReadOnly opens the file with a shared lock; writes fail.
	ReadOnly bool

	// MaxBatchSize and MaxBatchDelay tune group commit of concurrent
	// Create, Replace and Delete calls: a batch takes the calls queued
	// while the previous one committed, at most MaxBatchSize, and then
	// waits up to MaxBatchDelay for more unless it is full. Zero means
	// 1000 calls and DefaultMaxBatchDelay: no fixed wait, but a wait for
	// the writers the last commit answered, up to half its time.
	MaxBatchSize  int
	MaxBatchDelay time.Duration

	// InitialMmapSize is the initial size of the memory map. A map larger
	// than the file keeps writers from waiting for readers when the file
	// grows.
	InitialMmapSize int

	// TextPredicates are the predicates whose string, language-tagged and
	// XML literals the full-text index holds (see Text). Nil means the
	// predicates the file records its index was built for (the meta "text"
	// key), none in a new file; an empty slice indexes nothing. A writable
	// Open with a set other than the file's rebuilds the index, in one
	// transaction over all resources. A read-only Open searches the index
	// as it is, and ignores this.
	TextPredicates []rdf.IRI

	// Pairs are the compound indexes kept (see Pair). Nil means the pairs
	// the file records its index was built for (the meta "pairs" key),
	// none in a new file; an empty slice keeps none. A writable Open with
	// other pairs rebuilds the index. A read-only Open uses the index as
	// it is, and ignores this.
	Pairs []Pair

	// TermCacheSize is about how many decoded terms the reads of the DB
	// share, by term id; it may hold up to twice as many. Zero means
	// DefaultTermCacheSize; a negative size disables the cache.
	TermCacheSize int

	// ObserveCommit, if set, is told the duration of each write
	// transaction of Create, Replace, Delete, Load and Stage, from the
	// call to the end of the commit (a metrics hook).
	ObserveCommit func(d time.Duration)

	// HoldMerges keeps the merger from indexing what Stage staged:
	// it stays in the overlay (see Stage) until Merge. For tests and
	// benchmarks of reads over the overlay.
	HoldMerges bool
}

// DefaultMaxBatchDelay is the default Options.MaxBatchDelay: no fixed
// wait. Writers that come while a batch commits form the next batch, and
// it waits only for the writers the last commit answered, up to half that
// commit's time (see committer): a fixed wait would cost a lone writer
// its length at every write.
const DefaultMaxBatchDelay time.Duration = 0

// DB is an RDF store of resources (named graphs) in a bbolt file. It is safe
// for concurrent use.
type DB struct {
	db     *bolt.DB
	nonce  string     // prefix of ETags, unique to this file
	text   textSet    // predicates of the full-text index
	pairs  pairSet    // the pair indexes
	terms  *termCache // decoded terms by id, shared by reads; nil: none
	commit *committer // group commits of Create, Replace and Delete
	packed bool       // res entries are packed (version 6), see entries.go
	blocks bool       // index buckets hold blocks (version 7), see block.go
	v7     bool       // they are version 7's blocks (a read-only Open)
	// resByIRI: res is keyed by resource IRI, its values hold the graph
	// id (version 9 and older, a read-only Open); see Snapshot.resource.
	resByIRI bool
	bits     sync.Pool // *[]uint64 bit sets of term ids, see Snapshot.bitset
	// noChangeLog turns the change log off, for the benchmarks that
	// measure its cost only: a log written so misses changes.
	noChangeLog bool

	// ov holds the resources Stage staged and the merger has not yet
	// indexed (see overlay.go); the merger stops when mergeStop closes,
	// and closes mergeDone.
	ov                   *overlay
	mergeStop, mergeDone chan struct{}
	closeOnce            sync.Once
	holdMerge            atomic.Bool  // the merger waits (tests)
	staging              atomic.Int32 // Stage calls under way
	legacyStaged         atomic.Bool  // the stage bucket may hold keys no segment does (see Snapshot.anyStaged)
	lastStage            atomic.Int64 // when one last began or ended, in Unix nanoseconds

	observe func(d time.Duration) // Options.ObserveCommit, or nil
	// writeBufs are the buffers of the txWriter of the write
	// transaction, reused by the next (see newTxWriter).
	writeBufs [9]putBuffer
	// buildMu is held by EndBulk, which builds indexes in several
	// transactions, and shared by the writers, which wait for it.
	buildMu sync.RWMutex
}

// observeCommit tells Options.ObserveCommit the time since start.
func (db *DB) observeCommit(start time.Time) {
	if db.observe != nil {
		db.observe(time.Since(start))
	}
}

// Stats are counts of what the store holds.
type Stats struct {
	Resources int64 // resources (named graphs)
	Triples   int64 // triples summed over resources: a triple in two counts twice
	Terms     int64 // distinct terms in the dictionary: not the values their id holds (see doc.go, Inline terms)
	Size      int64 // bytes in use in the file
}

// Open opens the store at path, creating it if needed.
func Open(path string, opt *Options) (*DB, error) {
	if opt == nil {
		opt = &Options{}
	}
	ts, err := newTextSet(opt.TextPredicates)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	pairs, err := newPairSet(opt.Pairs)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// The file's own sets replace those the options leave nil, and those
	// of a read-only Open, which cannot rebuild the indexes.
	fromFile := setsFromFile{
		text:  opt.TextPredicates == nil || opt.ReadOnly,
		pairs: opt.Pairs == nil || opt.ReadOnly,
	}
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:         opt.Timeout,
		NoSync:          opt.NoSync,
		ReadOnly:        opt.ReadOnly,
		InitialMmapSize: opt.InitialMmapSize,
		// As etcd does: the hashmap freelist stays fast as the file
		// fragments, and not syncing it halves the pages written per
		// commit, at the price of a freelist scan when opening.
		FreelistType:   bolt.FreelistMapType,
		NoFreelistSync: true,
	})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	cacheSize := opt.TermCacheSize
	if cacheSize == 0 {
		cacheSize = DefaultTermCacheSize
	}
	db := &DB{db: bdb, text: ts, pairs: pairs, terms: newTermCache(cacheSize), observe: opt.ObserveCommit, ov: newOverlay()}
	db.holdMerge.Store(opt.HoldMerges)
	initTx := func(tx *bolt.Tx) error { return db.init(tx, fromFile) }
	if opt.ReadOnly {
		err = bdb.View(initTx)
	} else {
		err = bdb.Update(initTx)
	}
	if err != nil {
		_ = bdb.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.commit = newCommitter(db, opt.MaxBatchSize, opt.MaxBatchDelay)
	if opt.ReadOnly {
		if err := db.loadOverlay(); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("open %s: read staged resources: %w", path, err)
		}
	}
	if !opt.ReadOnly {
		// Build what a bulk load that did not end left out.
		if err := db.build(context.Background()); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("open %s: finish a bulk load: %w", path, err)
		}
		// Index what a previous process staged and did not merge.
		for {
			n, err := db.Merge(context.Background(), 1000)
			if err != nil {
				_ = db.Close()
				return nil, fmt.Errorf("open %s: merge staged resources: %w", path, err)
			}
			if n == 0 {
				break
			}
		}
		db.mergeStop, db.mergeDone = make(chan struct{}), make(chan struct{})
		go db.runMerger(db.mergeStop, db.mergeDone)
	}
	return db, nil
}

// upgradeHook, if set, runs in an upgrade's transaction before it sets
// the new version: tests fail the upgrade there, as a crash would.
var upgradeHook func() error

// setsFromFile says which of a DB's index sets init reads from the file.
type setsFromFile struct{ text, pairs bool }

// init creates the buckets of a new file and checks those of an old one,
// takes the index sets that fromFile says from the file, upgrades an older
// version and rebuilds the text and pair indexes if their sets changed.
func (db *DB) init(tx *bolt.Tx, fromFile setsFromFile) error {
	if tx.Writable() {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
	}
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return fmt.Errorf("%w: no bucket %q", ErrCorrupt, bucketMeta)
	}
	if meta.Get(keyVersion) == nil && tx.Writable() {
		var nonce [4]byte
		if _, err := rand.Read(nonce[:]); err != nil {
			return err
		}
		if err := meta.Put(keyVersion, u64(formatVersion)); err != nil {
			return err
		}
		if err := meta.Put(keyNonce, []byte(hex.EncodeToString(nonce[:]))); err != nil {
			return err
		}
	}
	v := meta.Get(keyVersion)
	if len(v) != 8 {
		return fmt.Errorf("%w: no version", ErrCorrupt)
	}
	n := binary.BigEndian.Uint64(v)
	switch {
	case n == formatVersionV1 && !tx.Writable():
		return fmt.Errorf("%w: %d (open it writable once to upgrade)", ErrVersion, n)
	case n != formatVersion && n != formatVersionV10 && n != formatVersionV9 && n != formatVersionV8 && n != formatVersionV7 && n != formatVersionV6 && n != formatVersionV5 && n != formatVersionV4 && n != formatVersionV3 && n != formatVersionV2 && n != formatVersionV1:
		return fmt.Errorf("%w: %d", ErrVersion, n)
	}
	for _, name := range allBuckets {
		// Version 2 files have no stage or pair bucket, version 3 files
		// no pairvia or rid bucket, version 4 files no changes bucket;
		// read-only, they need none (queries then do without those
		// indexes, and the change log is empty).
		if tx.Bucket(name) == nil && !bytes.Equal(name, bucketStage) && !bytes.Equal(name, bucketPair) && !bytes.Equal(name, bucketPairVia) && !bytes.Equal(name, bucketRID) && !bytes.Equal(name, bucketChanges) {
			return fmt.Errorf("%w: no bucket %q", ErrCorrupt, name)
		}
	}
	db.nonce = string(meta.Get(keyNonce))
	if fromFile.text {
		ts, err := parseTextSet(meta.Get(keyText))
		if err != nil {
			return err
		}
		db.text = ts
	}
	if fromFile.pairs {
		ps, err := parsePairSet(meta.Get(keyPairs))
		if err != nil {
			return err
		}
		db.pairs = ps
	}
	db.packed = n >= formatVersionV6
	db.blocks = n >= formatVersionV7
	db.v7 = n == formatVersionV7
	db.resByIRI = n < formatVersionV10
	building := meta.Get(keyBuilding) != nil
	if !tx.Writable() {
		if building {
			return fmt.Errorf("%w (open it writable once to build them)", ErrBuilding)
		}
		return nil
	}
	// Version 5 and older files hold res entries unpacked, and version 6
	// and older index keys one by one: pack them first, as the rebuilds
	// below and every writer read them packed.
	if n < formatVersionV6 {
		if err := packAllRes(tx); err != nil {
			return fmt.Errorf("pack res entries: %w", err)
		}
		db.packed = true
	}
	// Version 7 and older files hold the terms inline ids hold in the
	// dictionary, and version 7's blocks: move them out, and pack the
	// blocks as version 8 does.
	if n < formatVersionV7 {
		if err := packIndexes(tx); err != nil {
			return fmt.Errorf("pack index blocks: %w", err)
		}
		db.blocks = true
	}
	if n < formatVersionV8 {
		from := func(l *layout) *layout { return l }
		if n == formatVersionV7 {
			from = func(l *layout) *layout {
				if l.v7 != nil {
					return l.v7
				}
				return l
			}
		}
		if err := inlineAll(tx, from); err != nil {
			return fmt.Errorf("inline terms: %w", err)
		}
		if err := repack(tx, bucketChanges, nil, layoutChanges); err != nil {
			return fmt.Errorf("pack change log: %w", err)
		}
		db.v7 = false
	}
	// Files before version 4 have no rid bucket: fill it from res, whose
	// keys are still the IRIs.
	if n < formatVersionV10 {
		if k, _ := tx.Bucket(bucketRID).Cursor().First(); k == nil {
			if k, _ := tx.Bucket(bucketRes).Cursor().First(); k != nil {
				if err := buildRID(tx); err != nil {
					return fmt.Errorf("build resource ids: %w", err)
				}
			}
		}
		// Version 9 and older key res by IRI: key it by graph id, before
		// the rebuilds below read it.
		if err := keyResByID(tx); err != nil {
			return fmt.Errorf("key res by graph id: %w", err)
		}
		db.resByIRI = false
	}
	// A version 1 file has no text index: build it as for a new set of
	// predicates (none, if the options leave them to the file). A new file
	// has neither the key nor postings, which is right for an empty set.
	// A bulk load's build (see BeginBulk) builds both, once Open is
	// past this transaction.
	if n == formatVersionV1 || string(meta.Get(keyText)) != db.text.conf {
		if !building {
			if err := newTxWriter(tx, db).rebuildText(tx); err != nil {
				return fmt.Errorf("build text index: %w", err)
			}
		}
		if err := meta.Put(keyText, []byte(db.text.conf)); err != nil {
			return err
		}
	}
	// Version 2 files have no pair index, version 3 files no via index,
	// and those of version 7 and older name terms by the ids of then:
	// build them as for new pairs. A version 2 file records no
	// pairs, and a version 3 file none with via: left to the file, they
	// stay so.
	if n < formatVersionV8 || string(meta.Get(keyPairs)) != db.pairs.conf {
		if !building {
			if err := newTxWriter(tx, db).rebuildPairs(tx); err != nil {
				return fmt.Errorf("build pair index: %w", err)
			}
		}
		if err := meta.Put(keyPairs, []byte(db.pairs.conf)); err != nil {
			return err
		}
	}
	// Older files have no change log: the bucket made above starts it
	// empty, at this Open. What the file holds is in any listing of the
	// resources read from now on, which is where a reader of the log
	// starts (see Changes). Version 4 writers would write without logging.
	//
	// Version 5 and older files have an ospg bucket, which version 6 does
	// without: dropping it frees its pages for new keys. Older writers
	// would look for it, and miss the keys of the triples written since;
	// version 6 writers would read blocks as keys. All this is one
	// transaction: a crash leaves the file as it was.
	if n == formatVersion {
		return nil
	}
	if tx.Bucket(bucketOSPG) != nil {
		if err := tx.DeleteBucket(bucketOSPG); err != nil {
			return fmt.Errorf("drop ospg: %w", err)
		}
	}
	if upgradeHook != nil {
		if err := upgradeHook(); err != nil {
			return err
		}
	}
	return meta.Put(keyVersion, u64(formatVersion))
}

// buildRID fills the rid bucket, in blocks, from res keyed by IRI
// (version 3), in key order.
func buildRID(tx *bolt.Tx) error {
	rid := tx.Bucket(bucketRID)
	rid.FillPercent = 1
	bb := blockBuilder{b: rid, l: layoutRID}
	c := tx.Bucket(bucketRes).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		_, gid, ok := resHeader(v)
		if !ok {
			return fmt.Errorf("%w: res value of %q", ErrCorrupt, k)
		}
		if err := bb.add(k, u64(gid)); err != nil {
			return err
		}
	}
	return bb.flush()
}

// Close closes the store, waiting for running transactions to finish.
func (db *DB) Close() error {
	if db.mergeStop != nil {
		db.closeOnce.Do(func() { close(db.mergeStop) })
		<-db.mergeDone
	}
	db.commit.close()
	return db.db.Close()
}

// batch runs fn in a group commit (see committer). fn may run more than
// once, and in a transaction shared with other calls: it must be
// idempotent, and must return outcomes such as ErrExists (see isOutcome)
// before writing anything. batch returns such an outcome without failing
// the transaction, so it neither rolls back the other calls nor makes the
// committer re-run fn alone.
func (db *DB) batch(ctx context.Context, fn func(w *txWriter) error) error {
	defer db.observeCommit(time.Now())
	return db.commit.do(ctx, fn)
}

// Create stores a new resource id with the triples g and returns its ETag.
// It returns ErrExists if id is already there. Blank nodes in g are
// relabelled with labels unique in the store; Get returns them so.
func (db *DB) Create(ctx context.Context, id rdf.IRI, g []rdf.Triple) (etag string, err error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	p, err := prepare(id, g, db.text)
	if err != nil {
		return "", err
	}
	err = db.batch(ctx, func(w *txWriter) (err error) {
		etag, err = w.put(p, modeCreate, "")
		return err
	})
	if err != nil {
		return "", err
	}
	return etag, nil
}

// Get returns the triples of resource id, in the order they were written
// with duplicates removed, and its ETag. It returns ErrNotFound if there is
// no such resource.
func (db *DB) Get(ctx context.Context, id rdf.IRI) (g []rdf.Triple, etag string, err error) {
	err = db.View(ctx, func(s *Snapshot) error {
		g, etag, err = s.Get(ctx, id)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return g, etag, nil
}

// Replace replaces the triples of resource id with g, atomically, and
// returns the new ETag. It returns ErrNotFound if id is not there, and
// ErrPreconditionFailed if ifMatch is neither empty, "*", nor the current
// ETag. The check and the write are one transaction.
func (db *DB) Replace(ctx context.Context, id rdf.IRI, g []rdf.Triple, ifMatch string) (etag string, err error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	p, err := prepare(id, g, db.text)
	if err != nil {
		return "", err
	}
	err = db.batch(ctx, func(w *txWriter) (err error) {
		etag, err = w.put(p, modeReplace, ifMatch)
		return err
	})
	if err != nil {
		return "", err
	}
	return etag, nil
}

// Delete removes resource id and all its triples. It returns ErrNotFound
// and ErrPreconditionFailed as Replace does.
func (db *DB) Delete(ctx context.Context, id rdf.IRI, ifMatch string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	key := []byte(id.String())
	return db.batch(ctx, func(w *txWriter) error {
		return w.delete(key, ifMatch)
	})
}

// Exists reports whether resource id is there.
func (db *DB) Exists(ctx context.Context, id rdf.IRI) (ok bool, err error) {
	err = db.View(ctx, func(s *Snapshot) error {
		ok, err = s.Exists(ctx, id)
		return err
	})
	return ok, err
}

// prepareAll prepares the resources rs of a call to op.
func (db *DB) prepareAll(op string, rs []Resource) ([]*prepared, error) {
	ps := make([]*prepared, len(rs))
	for i, r := range rs {
		p, err := prepare(r.ID, r.Triples, db.text)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", op, r.ID.String(), err)
		}
		ps[i] = p
	}
	return ps, nil
}

// Load creates or replaces the resources rs in one transaction: all are
// written or none. A resource listed twice ends as its last listing. It is
// meant for importers, which load large sets in chunks (pmprovider import:
// 1000 resources by default), into an empty store in a bulk load (see
// BeginBulk).
func (db *DB) Load(ctx context.Context, rs []Resource) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ps, err := db.prepareAll("load", rs)
	if err != nil {
		return err
	}
	defer db.observeCommit(time.Now())
	db.buildMu.RLock()
	defer db.buildMu.RUnlock()
	return db.update(func(w *txWriter) error {
		for i, p := range ps {
			if i%256 == 255 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if _, err := w.put(p, modeUpsert, ""); err != nil {
				return fmt.Errorf("load %s: %w", p.key, err)
			}
		}
		return w.flush()
	})
}

// update runs fn in a read-write transaction of its own, outside the
// group commits, and then what fn asked to run once it committed (see
// txWriter.afterCommit).
func (db *DB) update(fn func(w *txWriter) error) error {
	var w *txWriter
	err := db.db.Update(func(tx *bolt.Tx) error {
		w = newTxWriter(tx, db)
		return fn(w)
	})
	w.ended(err)
	return err
}

// Resources calls fn with the id of each resource after after, in byte
// order of the IRIs, until fn returns false. An empty after starts at the
// first. fn runs in a read transaction: see View.
func (db *DB) Resources(ctx context.Context, after rdf.IRI, fn func(id rdf.IRI) bool) error {
	return db.View(ctx, func(s *Snapshot) error {
		return s.Resources(ctx, after, fn)
	})
}

// Stats returns counts of what the store holds.
func (db *DB) Stats(ctx context.Context) (st Stats, err error) {
	err = db.View(ctx, func(s *Snapshot) error {
		st, err = s.Stats(ctx)
		return err
	})
	return st, err
}
