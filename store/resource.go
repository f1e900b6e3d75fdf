package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/knakk/rdf"
	bolt "go.etcd.io/bbolt"
)

// Resource is a named graph: the triples of the document at ID.
type Resource struct {
	ID      rdf.IRI
	Triples []rdf.Triple
}

// Sizes of the parts of the res value; see doc.go.
const (
	headerLen = 16 // ETag sequence, graph id
	entryLen  = 33 // s, p, object sort key (class, value, o)
	okeyLen   = 17 // class, value, o
)

// pterm is a distinct term of a prepared resource.
type pterm struct {
	enc    string // encodeTerm
	class  byte   // sortKey, for objects
	val    uint64
	tokens []tokenCount // of a text literal, if the object of a text predicate
	iri    rdf.IRI      // the term, if an IRI (which decodes to itself), for the overlay
}

// prepared is a resource validated and encoded outside any transaction.
type prepared struct {
	key     []byte // the resource IRI: its rid and stage key
	idEnc   string // encoded resource IRI
	terms   []pterm
	triples [][3]int32 // indexes into terms; distinct
	text    []bool     // per triple: has postings; nil if none has
	seq     uint64     // res sequence number to use (staged); 0: a new one
	logged  bool       // its change is in the log already (staged)
}

// prepare validates and encodes a resource, and tokenizes the objects of
// the predicates in ts. Duplicate triples are dropped; the rest keep their
// order.
func prepare(id rdf.IRI, g []rdf.Triple, ts textSet) (*prepared, error) {
	idEnc, err := encodeTerm(id)
	if err != nil {
		return nil, fmt.Errorf("resource id: %w", err)
	}
	p := &prepared{
		key:     []byte(id.String()),
		idEnc:   idEnc,
		triples: make([][3]int32, 0, len(g)),
	}
	// A resource's distinct terms number about as many as its triples,
	// a record's a third more (its nodes, values and dates).
	nterms := len(g) + len(g)/2 + 4
	p.terms = make([]pterm, 0, nterms)
	sc := prepareScratch.Get().(*prepScratch)
	index, seen, buf := sc.index, sc.seen, sc.buf
	defer func() {
		sc.buf = buf
		sc.put()
	}()
	for n, t := range g {
		var tr [3]int32
		for j, term := range [3]rdf.Term{t.Subj, t.Pred, t.Obj} {
			if buf, err = appendTerm(buf[:0], term); err != nil {
				return nil, fmt.Errorf("triple %d: %w", n, err)
			}
			x, ok := index[string(buf)]
			if !ok {
				enc := string(buf)
				x = int32(len(p.terms))
				index[enc] = x
				pt := pterm{enc: enc}
				if i, ok := term.(rdf.IRI); ok {
					pt.iri = i
				}
				pt.class, pt.val = sortKey(term)
				p.terms = append(p.terms, pt)
			}
			tr[j] = x
		}
		if _, dup := seen[tr]; dup {
			continue
		}
		seen[tr] = struct{}{}
		p.triples = append(p.triples, tr)
		if ts.encs[p.terms[tr[1]].enc] {
			o := &p.terms[tr[2]]
			if o.tokens == nil {
				if text, ok := textOf(o.enc); ok {
					o.tokens = countTokens(text, MaxTextTokens)
				}
			}
			if len(o.tokens) > 0 {
				if p.text == nil {
					p.text = make([]bool, len(g))
				}
				p.text[len(p.triples)-1] = true
			}
		}
	}
	return p, nil
}

// prepScratch is prepare's working memory, reused through
// prepareScratch: the maps cost as much as the resource they index.
type prepScratch struct {
	index map[string]int32      // encoded term → index into terms
	seen  map[[3]int32]struct{} // the triples so far
	buf   []byte                // a term's encoding
}

var prepareScratch = sync.Pool{New: func() any {
	return &prepScratch{index: make(map[string]int32), seen: make(map[[3]int32]struct{})}
}}

// put empties sc and returns it to the pool, unless a large resource
// grew it past what most need.
func (sc *prepScratch) put() {
	if len(sc.index) > 4096 || len(sc.seen) > 4096 {
		return
	}
	clear(sc.index)
	clear(sc.seen)
	prepareScratch.Put(sc)
}

// putMode says what put does with an existing or missing resource.
type putMode int

const (
	modeCreate  putMode = iota // fail with ErrExists if present
	modeReplace                // fail with ErrNotFound if missing
	modeUpsert                 // create or replace
)

// txWriter writes resources in one read-write transaction. Its caches and
// counters belong to that transaction: make a new one for each run of a
// transaction function, and one at a time, as they share the DB's
// buffers: a new one drops what the last left unflushed.
type txWriter struct {
	meta, i2t, res, stage, changes                  *bolt.Bucket
	t2i, i2tX, spog, posg, text, pair, pairVia, rid index
	pairSet                                         pairSet
	pairIDCache                                     []pairID // see pairIDs
	pairIDsKnown                                    bool
	nonce                                           string
	textSet                                         textSet
	now                                             time.Time // of the change events

	ids       map[string]uint64 // encoded term → id, for terms known in this tx
	textPreds map[uint64]bool   // predicate id → is a text predicate

	// The keys the writes add to and delete from the dictionary and the
	// indexes, written in key order (see putBuffer): the DB's, as one
	// write transaction runs at a time. changesPuts holds the change
	// events, which so extend the log's last block once per flush rather
	// than once per event (nil if the log is off).
	t2iPuts, i2tPuts, spogPuts, posgPuts, textPuts, pairPuts, pairViaPuts, ridPuts *putBuffer
	changesPuts                                                                    *putBuffer

	dRes, dTriples, dTerms int64 // counter deltas, written by flush

	// candidates are the terms the writes may have left unused, with
	// their sort keys as objects (see mayBeUnused).
	candidates map[uint64][9]byte

	// freshFrom is the first id the writer took from the i2t sequence
	// since it last flushed its buffers (see fresh).
	freshFrom uint64

	// The overlay (see overlay.go): the DB's, the segments staged in
	// this transaction, those merged in it, and what to do once it
	// commits.
	ov       *overlay
	pending  []*segment
	merging  map[*segment]bool
	merged   int // segments merged
	onCommit []func()

	// bulk: the file is marked (see BeginBulk), and the writes leave
	// posg, pair, pairvia and text to the build, and the check of the
	// terms they may leave unused, which reads posg, to deferred.
	bulk     bool
	deferred *bolt.Bucket
}

func newTxWriter(tx *bolt.Tx, db *DB) *txWriter {
	w := &txWriter{
		meta:      tx.Bucket(bucketMeta),
		t2i:       db.index(tx, bucketT2I, layoutT2I),
		i2t:       tx.Bucket(bucketI2T),
		i2tX:      db.index(tx, bucketI2T, layoutI2T),
		res:       tx.Bucket(bucketRes),
		spog:      db.index(tx, bucketSPOG, layoutSPOG),
		posg:      db.index(tx, bucketPOSG, layoutPOSG),
		text:      db.index(tx, bucketText, layoutText),
		stage:     tx.Bucket(bucketStage),
		pair:      db.index(tx, bucketPair, layoutPair),
		pairVia:   db.index(tx, bucketPairVia, layoutPairVia),
		rid:       db.index(tx, bucketRID, layoutRID),
		changes:   tx.Bucket(bucketChanges),
		deferred:  tx.Bucket(bucketDeferred),
		now:       time.Now(),
		pairSet:   db.pairs,
		nonce:     db.nonce,
		textSet:   db.text,
		ids:       make(map[string]uint64),
		textPreds: make(map[uint64]bool),
		ov:        db.ov,
	}
	if db.noChangeLog {
		w.changes = nil
	}
	w.bulk = w.meta.Get(keyBuilding) != nil
	if w.bulk {
		w.spog = db.index(tx, bucketSPOG, layoutSPOGBulk)
	}
	w.markFlushed()
	pack(tx)
	b := &db.writeBufs
	w.t2iPuts, w.i2tPuts, w.spogPuts, w.posgPuts = &b[0], &b[1], &b[2], &b[3]
	w.textPuts, w.pairPuts, w.pairViaPuts, w.ridPuts = &b[4], &b[5], &b[6], &b[7]
	var changesX index
	if w.changes != nil {
		w.changesPuts = &b[8]
		changesX = index{b: w.changes, l: layoutChanges}
	}
	for i, x := range []index{w.t2i, w.i2tX, w.spog, w.posg, w.text, w.pair, w.pairVia, w.rid, changesX} {
		// What a failed transaction left goes.
		b[i].reset()
		b[i].x = x
		b[i].flushed = w.markFlushed
	}
	if !w.t2iPuts.indexed() {
		// The writer reads terms by key, spog by subject and predicate
		// (otherHalves), posg by predicate, object and subject
		// (otherRefs), rid by IRI.
		w.t2iPuts.index(true, 0)
		w.i2tPuts.index(true, 0)
		w.textPuts.index(true, 0)
		w.spogPuts.index(false, 16)
		w.posgPuts.index(false, 8+okeyLen)
		// put and delete find a resource's graph id by IRI.
		w.ridPuts.index(true, 0)
	}
	return w
}

// minSortAhead is the fewest pending writes whose flush sorts ahead on
// another goroutine (see flushPuts): fewer sort faster than a goroutine
// hands them over.
const minSortAhead = 4096

// buffers are the writer's putBuffers.
func (w *txWriter) buffers() []*putBuffer {
	bs := []*putBuffer{w.t2iPuts, w.i2tPuts, w.spogPuts, w.posgPuts, w.textPuts, w.pairPuts, w.pairViaPuts, w.ridPuts}
	if w.changesPuts != nil {
		bs = append(bs, w.changesPuts)
	}
	return bs
}

// flushPuts writes the keys the buffers hold, each bucket's in key order.
// Sorting a buffer is a tenth to a quarter of its flush, and touches
// nothing but the buffer: another goroutine sorts each buffer while the
// one before is written, on the other core.
func (w *txWriter) flushPuts() error {
	bs := w.buffers()
	n := 0
	for _, p := range bs {
		n += len(p.ends)
	}
	if n < minSortAhead {
		for _, p := range bs {
			if err := p.flush(); err != nil {
				return err
			}
		}
		return nil
	}
	sorted := make(chan []op) // unbuffered: one buffer sorted ahead
	stop, done := make(chan struct{}), make(chan struct{})
	defer func() {
		// A failed write ends the loop below early: the sorter must
		// be done with the buffers before the next writer resets them.
		close(stop)
		<-done
	}()
	go func() {
		defer close(done)
		for _, p := range bs {
			select {
			case sorted <- p.sorted():
			case <-stop:
				return
			}
		}
	}()
	for _, p := range bs {
		if err := p.write(<-sorted); err != nil {
			return err
		}
	}
	return nil
}

// markFlushed notes that a buffer wrote its keys to its bucket, fresh ids'
// too (see fresh).
func (w *txWriter) markFlushed() { w.freshFrom = w.i2t.Sequence() + 1 }

// fresh reports whether id is one the writer took from the i2t sequence
// since it last flushed its buffers: the index buckets then hold no key
// with it, and its keys, if any, are in the buffers. A new resource's
// nodes are, so a write need not seek them in the buckets. An id that
// does not come from the sequence (a term encoded in its id, say) must
// not fall in that range.
func (w *txWriter) fresh(id uint64) bool {
	return id >= w.freshFrom && id <= w.i2t.Sequence()
}

// flushMany is flushPuts if the buffers hold maxPending writes or more.
func (w *txWriter) flushMany() error {
	n := 0
	for _, p := range w.buffers() {
		n += len(p.ends)
	}
	if n < maxPending {
		return nil
	}
	return w.flushPuts()
}

// checkMatch returns ErrPreconditionFailed unless ifMatch is empty, "*", or
// the ETag of the res value v.
func (w *txWriter) checkMatch(v []byte, ifMatch string) error {
	if ifMatch == "" || ifMatch == "*" {
		return nil
	}
	if seq, _ := resSeq(v); ifMatch != formatETag(w.nonce, seq) {
		return ErrPreconditionFailed
	}
	return nil
}

// put writes the resource p. It returns ErrExists, ErrNotFound or
// ErrPreconditionFailed before writing anything.
func (w *txWriter) put(p *prepared, mode putMode, ifMatch string) (etag string, err error) {
	if err := w.mergeOwners(p); err != nil {
		return "", err
	}
	if err := w.unstage(p.key); err != nil {
		return "", err
	}
	// The IRI of a resource is a term as long as the resource is there:
	// a new IRI, as most of a load's are, names none, and rid need not be
	// read.
	iriID, err := w.lookup(p.idEnc)
	if err != nil {
		return "", err
	}
	var gid uint64
	var old []byte
	if iriID != 0 {
		if gid, old, err = w.resource(p.key); err != nil {
			return "", err
		}
	}
	switch {
	case old == nil && mode == modeReplace:
		return "", ErrNotFound
	case old != nil && mode == modeCreate:
		return "", ErrExists
	case old != nil:
		if err := w.checkMatch(old, ifMatch); err != nil {
			return "", err
		}
		if old, err = unpackRes(nil, old, gid); err != nil {
			return "", err
		}
	}

	if gid == 0 {
		// A new resource's graph id is the id of its IRI.
		if gid = iriID; gid == 0 {
			if gid, err = w.addNew(p.idEnc); err != nil {
				return "", err
			}
		}
	}
	ids := make([]uint64, len(p.terms))
	for i, t := range p.terms {
		if t.enc[0] == tagBlank {
			ids[i], err = w.newBlank()
		} else {
			ids[i], err = w.intern(t.enc)
		}
		if err != nil {
			return "", err
		}
	}

	seq := p.seq
	if seq == 0 {
		if seq, err = w.res.NextSequence(); err != nil {
			return "", err
		}
	}
	val := make([]byte, headerLen+entryLen*len(p.triples))
	binary.BigEndian.PutUint64(val[0:8], seq)
	binary.BigEndian.PutUint64(val[8:16], gid)
	for i, tr := range p.triples {
		e := val[headerLen+i*entryLen:][:entryLen]
		o := p.terms[tr[2]]
		binary.BigEndian.PutUint64(e[0:8], ids[tr[0]])
		binary.BigEndian.PutUint64(e[8:16], ids[tr[1]])
		putSortKey(e[16:25], o.class, o.val)
		binary.BigEndian.PutUint64(e[25:33], ids[tr[2]])
	}

	// Touch only the index keys that change.
	var stale map[string]struct{}
	if old != nil {
		stale = make(map[string]struct{}, (len(old)-headerLen)/entryLen)
		for e := old[headerLen:]; len(e) > 0; e = e[entryLen:] {
			stale[string(e[:entryLen])] = struct{}{}
		}
	}
	g := u64(gid)
	for i, tr := range p.triples {
		e := val[headerLen+i*entryLen:][:entryLen]
		if _, ok := stale[string(e)]; ok {
			delete(stale, string(e))
			continue
		}
		if err := w.putIndex(e, g); err != nil {
			return "", err
		}
		if p.text != nil && p.text[i] {
			if err := w.putText(e, g, p.terms[tr[2]].tokens); err != nil {
				return "", err
			}
		}
	}
	if old != nil {
		live := make(map[uint64]struct{}, len(ids)+1)
		live[gid] = struct{}{}
		for _, id := range ids {
			live[id] = struct{}{}
		}
		w.mayBeUnused(old, live)
	}
	for e := range stale {
		if err := w.deleteIndex([]byte(e), g); err != nil {
			return "", err
		}
		if err := w.deleteText([]byte(e), g); err != nil {
			return "", err
		}
	}

	if err := w.updatePairs(old, val); err != nil {
		return "", err
	}
	if err := w.res.Put(g, packRes(val)); err != nil {
		return "", err
	}
	if !p.logged {
		kind := Created
		if old != nil {
			kind = Modified
		}
		if err := w.logChange(kind, p.key); err != nil {
			return "", err
		}
	}
	w.dTriples += int64(len(p.triples))
	if old == nil {
		w.dRes++
		w.ridPuts.add(p.key, u64(gid))
	} else {
		w.dTriples -= int64((len(old) - headerLen) / entryLen)
	}
	return formatETag(w.nonce, seq), w.flushMany()
}

// delete removes the resource with IRI key.
func (w *txWriter) delete(key []byte, ifMatch string) error {
	if err := w.unstage(key); err != nil {
		return err
	}
	gid, old, err := w.resource(key)
	if err != nil {
		return err
	}
	if old == nil {
		return ErrNotFound
	}
	if err := w.checkMatch(old, ifMatch); err != nil {
		return err
	}
	if old, err = unpackRes(nil, old, gid); err != nil {
		return err
	}
	w.mayBeUnused(old, nil)
	if err := w.logChange(Deleted, key); err != nil {
		return err
	}
	if err := w.res.Delete(u64(gid)); err != nil {
		return err
	}
	w.ridPuts.del(key)
	if err := w.updatePairs(old, nil); err != nil {
		return err
	}
	g := old[8:16]
	for e := old[headerLen:]; len(e) > 0; e = e[entryLen:] {
		if err := w.deleteIndex(e[:entryLen], g); err != nil {
			return err
		}
		if err := w.deleteText(e[:entryLen], g); err != nil {
			return err
		}
	}
	w.dRes--
	w.dTriples -= int64((len(old) - headerLen) / entryLen)
	return w.flushMany()
}

// logChange appends an event of kind for the resource with IRI key to the
// change log, at the next flushPuts.
func (w *txWriter) logChange(kind ChangeKind, key []byte) error {
	if w.changes == nil {
		return nil // the log is off (DB.noChangeLog)
	}
	order, err := w.changes.NextSequence()
	if err != nil {
		return err
	}
	w.changesPuts.add(u64(order), changeValue(kind, w.now, key))
	return nil
}

// putIndex adds the index keys of entry e in graph g.
func (w *txWriter) putIndex(e, g []byte) error {
	var k [41]byte
	w.spogPuts.add(spogKey(k[:0], e, g), []byte{})
	if !w.bulk {
		w.posgPuts.add(posgKey(k[:0], e, g), []byte{})
	}
	return nil
}

// deleteIndex removes the index keys of entry e in graph g, at the next
// flushPuts.
func (w *txWriter) deleteIndex(e, g []byte) error {
	var k [41]byte
	w.spogPuts.del(spogKey(k[:0], e, g))
	if !w.bulk {
		w.posgPuts.del(posgKey(k[:0], e, g))
	}
	return nil
}

// Index keys of a res entry e (s, p, class, value, o) in graph g.
func spogKey(k, e, g []byte) []byte { return append(append(append(k, e[0:16]...), e[25:33]...), g...) }
func posgKey(k, e, g []byte) []byte { return append(append(append(k, e[8:33]...), e[0:8]...), g...) }

// resource returns the graph id of the resource with IRI key, from rid,
// and its res value, packed: 0 and nil if there is no such resource.
func (w *txWriter) resource(key []byte) (gid uint64, v []byte, err error) {
	g := w.ridPuts.get(key)
	if g == nil {
		return 0, nil, nil
	}
	if len(g) != 8 {
		return 0, nil, fmt.Errorf("%w: rid value of %q", ErrCorrupt, key)
	}
	gid = binary.BigEndian.Uint64(g)
	if v = w.res.Get(u64(gid)); v == nil {
		return 0, nil, fmt.Errorf("%w: resource %q has no res value", ErrCorrupt, key)
	}
	return gid, v, nil
}

// lookup returns the id of an encoded term, 0 if the dictionary lacks it.
func (w *txWriter) lookup(enc string) (uint64, error) {
	if id, ok := w.ids[enc]; ok {
		return id, nil
	}
	id, err := lookupID(w.t2iPuts, w.i2tPuts, enc)
	if err != nil || id == 0 {
		return 0, err
	}
	w.ids[enc] = id
	return id, nil
}

// intern returns the id of an encoded term, adding it to the dictionary if
// it is new.
func (w *txWriter) intern(enc string) (uint64, error) {
	id, err := w.lookup(enc)
	if err != nil || id != 0 {
		return id, err
	}
	return w.addNew(enc)
}

// addNew adds an encoded term that the dictionary lacks, and returns its
// id.
func (w *txWriter) addNew(enc string) (uint64, error) {
	id, err := w.i2t.NextSequence()
	if err != nil {
		return 0, err
	}
	if err := w.addTerm(id, enc); err != nil {
		return 0, err
	}
	w.ids[enc] = id
	return id, nil
}

// newBlank adds a fresh blank node to the dictionary.
func (w *txWriter) newBlank() (uint64, error) {
	id, err := w.i2t.NextSequence()
	if err != nil {
		return 0, err
	}
	return id, w.addTerm(id, string(tagBlank)+blankLabel(id))
}

func (w *txWriter) addTerm(id uint64, enc string) error {
	w.t2iPuts.add(dictKey(enc), u64(id))
	w.i2tPuts.add(u64(id), []byte(enc))
	w.dTerms++
	return nil
}

// mayBeUnused notes the terms of the old res value, not in live, as
// terms the write may have left unused: flush reclaims those no key uses
// once the transaction's keys are written (see unusedTerms). Each comes
// with its sort key as an object: the entries give their objects', and
// nodes and predicates are class 0.
func (w *txWriter) mayBeUnused(old []byte, live map[uint64]struct{}) {
	if w.candidates == nil {
		w.candidates = make(map[uint64][9]byte)
	}
	note := func(id uint64, okey []byte) {
		if _, ok := live[id]; ok || isInline(id) {
			return // an inline term has no dictionary entry
		}
		var k [9]byte
		copy(k[:], okey)
		w.candidates[id] = k
	}
	var node [9]byte // class 0, value 0
	note(binary.BigEndian.Uint64(old[8:16]), node[:])
	for e := old[headerLen:]; len(e) > 0; e = e[entryLen:] {
		note(binary.BigEndian.Uint64(e[0:]), node[:])
		note(binary.BigEndian.Uint64(e[8:]), node[:])
		note(binary.BigEndian.Uint64(e[25:]), e[16:25])
	}
}

// unusedTerms returns the terms of cands (see mayBeUnused) that no index
// key uses: those to reclaim. It runs once the transaction's keys are
// written, so that it reads the buckets alone and sees every write of
// the transaction, whichever resource made it; a resource written or
// deleted while others wait in the buffers so costs no flush. Blank nodes
// are always unused: a blank node belongs to one version of one
// resource.
//
// A term is used if a key of spog starts with it (a subject), of posg (a
// predicate), or has it as object: posg, read under each predicate, with
// the term's sort key. The terms are checked in id (and sort key) order,
// and a seek is saved whenever the key found for the one before is at or
// after the next one's: the keys a large delete removed are read once,
// not once per term (bbolt removes the nodes they emptied only at the
// commit, and a seek into them walks them).
func (w *txWriter) unusedTerms(cands map[uint64][9]byte) ([]uint64, error) {
	type cand struct {
		id   uint64
		okey [9]byte
		used bool
	}
	cs := make([]cand, 0, len(cands))
	var dead []uint64
	for id, okey := range cands {
		if v := w.i2tPuts.get(u64(id)); len(v) > 0 && v[0] == tagBlank {
			dead = append(dead, id)
			continue
		}
		cs = append(cs, cand{id: id, okey: okey})
	}
	if len(cs) == 0 {
		return dead, nil
	}
	if w.bulk {
		// posg is not there to tell: the build checks them.
		ids := make([]uint64, len(cs))
		for i, c := range cs {
			ids[i] = c.id
		}
		return dead, w.deferCheck(ids, cands)
	}
	// first finds the first key at or after target, the targets given
	// in increasing order: the key found for the last target if it is at
	// or after this one.
	type finder struct {
		c     *blockCursor
		found bool   // a seek was made
		last  []byte // its key, nil at the end
	}
	first := func(f *finder, target []byte) []byte {
		if f.found && (f.last == nil || bytes.Compare(f.last, target) >= 0) {
			return f.last
		}
		k, _ := f.c.Seek(target)
		f.found = true
		if k == nil {
			f.last = nil
		} else {
			f.last = append(f.last[:0], k...)
		}
		return f.last
	}
	slices.SortFunc(cs, func(a, b cand) int { return cmp.Compare(a.id, b.id) })
	for _, x := range []index{w.spog, w.posg} {
		f := &finder{c: x.scratchCursor()}
		for i := range cs {
			if cs[i].used {
				continue
			}
			k := u64(cs[i].id)
			if fk := first(f, k); fk != nil && bytes.HasPrefix(fk, k) {
				cs[i].used = true
			}
		}
	}
	// By object, under each predicate, in posg order.
	slices.SortFunc(cs, func(a, b cand) int {
		if c := bytes.Compare(a.okey[:], b.okey[:]); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	var preds []uint64
	if err := skipScan(w.posg.scratchCursor(), nil, func(p uint64) (bool, error) {
		preds = append(preds, p)
		return true, nil
	}); err != nil {
		return nil, err
	}
	for _, p := range preds {
		f := &finder{c: w.posg.scratchCursor()}
		for i := range cs {
			if cs[i].used {
				continue
			}
			var prefix [8 + okeyLen]byte
			binary.BigEndian.PutUint64(prefix[:], p)
			copy(prefix[8:], cs[i].okey[:])
			binary.BigEndian.PutUint64(prefix[17:], cs[i].id)
			if fk := first(f, prefix[:]); fk != nil && bytes.HasPrefix(fk, prefix[:]) {
				cs[i].used = true
			}
		}
	}
	for _, c := range cs {
		if !c.used {
			dead = append(dead, c.id)
		}
	}
	return dead, nil
}

// reclaim removes the terms dead (see unusedTerms) from the dictionary,
// once their index keys are gone, but an IRI that names a resource. The
// t2i keys go at the next flushPuts.
func (w *txWriter) reclaim(dead []uint64) error {
	for _, id := range dead {
		k := u64(id)
		v := w.i2tPuts.get(k)
		if v == nil {
			return fmt.Errorf("%w: no term %d", ErrCorrupt, id)
		}
		enc := string(v)
		if enc[0] == tagIRI && w.res.Get(k) != nil {
			continue // names a resource
		}
		w.t2iPuts.del(dictKey(enc))
		w.i2tPuts.del(k)
		delete(w.ids, enc)
		w.pairIDsKnown = false
		w.dTerms--
	}
	return nil
}

// flush writes what the buffers hold, reclaims the terms no key uses any
// longer, and adds the counter deltas to the meta counters: the last
// step of a write transaction.
func (w *txWriter) flush() error {
	if err := w.flushPuts(); err != nil {
		return err
	}
	if len(w.candidates) > 0 {
		dead, err := w.unusedTerms(w.candidates)
		if err != nil {
			return err
		}
		clear(w.candidates)
		if err := w.reclaim(dead); err != nil {
			return err
		}
		if err := w.flushPuts(); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		key []byte
		d   int64
	}{{keyResources, w.dRes}, {keyTriples, w.dTriples}, {keyTerms, w.dTerms}} {
		if c.d == 0 {
			continue
		}
		var n uint64
		if v := w.meta.Get(c.key); len(v) == 8 {
			n = binary.BigEndian.Uint64(v)
		}
		if err := w.meta.Put(c.key, u64(n+uint64(c.d))); err != nil {
			return err
		}
	}
	w.dRes, w.dTriples, w.dTerms = 0, 0, 0
	return nil
}

// formatETag returns the quoted ETag of a write.
func formatETag(nonce string, seq uint64) string {
	return `"` + nonce + "-" + strconv.FormatUint(seq, 36) + `"`
}
