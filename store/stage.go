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

// bucketStage holds resources written by Stage and not yet indexed: key
// the resource IRI, value the res sequence number the resource will carry
// (its ETag) and its triples (see appendStageValue; before version 11,
// each term of each triple encoded as in the dictionary and prefixed by
// its uvarint length).
var bucketStage = []byte("stage")

// stageTable follows the sequence number of a stage value of version 11
// and later, which lists its distinct terms once. A value of an older
// version goes on with the uvarint length of a term's encoding, never 0.
const stageTable = 0

// appendStageValue appends the stage value of p to dst: the sequence
// number seq (8 bytes), stageTable, the number of p's distinct terms and
// each term's encoding, uvarint-length-prefixed, then each triple as the
// uvarint indexes of its subject, predicate and object in that list. An
// IRI that is the resource's, or the resource's and a fragment, is kept
// as stageTable and what follows the resource's IRI: a record names
// itself and its measures many times, and the key names the resource.
// A record's value is so about 2.5 times smaller than the terms of its
// triples in full.
func appendStageValue(dst []byte, seq uint64, p *prepared) []byte {
	dst = binary.BigEndian.AppendUint64(dst, seq)
	dst = append(dst, stageTable)
	dst = binary.AppendUvarint(dst, uint64(len(p.terms)))
	for i := range p.terms {
		enc := p.terms[i].enc
		if s, ok := encIRI(enc); ok && ownSubject(p.idEnc[1:], s) {
			rest := s[len(p.idEnc)-1:]
			dst = binary.AppendUvarint(dst, uint64(1+len(rest)))
			dst = append(dst, stageTable)
			dst = append(dst, rest...)
			continue
		}
		dst = binary.AppendUvarint(dst, uint64(len(enc)))
		dst = append(dst, enc...)
	}
	for _, tr := range p.triples {
		for _, x := range tr {
			dst = binary.AppendUvarint(dst, uint64(x))
		}
	}
	return dst
}

// stageValueSize is the length of p's stage value, at most.
func stageValueSize(p *prepared) int {
	n := 8 + 1 + binary.MaxVarintLen64 + 3*binary.MaxVarintLen32*len(p.triples)
	for i := range p.terms {
		n += binary.MaxVarintLen32 + len(p.terms[i].enc)
	}
	return n
}

// Stage durably writes the resources rs, each created or replaced, so
// that every read sees a resource as soon as Stage returns. The new ones
// that the overlay may hold (see overlay.go: a record and its measures)
// cost a put of their terms to the stage bucket, and wait in the overlay
// until the merger indexes them in the background; the others are
// indexed at once, as Load does. Its transaction is a group commit shared
// with concurrent Create, Replace and Delete calls (see committer); all of
// rs is written or none. Each resource's change is logged in the same
// transaction (see Snapshot.Changes). A resource listed twice ends as its
// last listing.
//
// Before version 6, Stage only wrote resources to the stage bucket, and
// queries missed them until Merge indexed them: a writable Open merges
// what such files still hold.
func (db *DB) Stage(ctx context.Context, rs []Resource) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ps, err := db.prepareAll("stage", rs)
	if err != nil {
		return err
	}
	db.staging.Add(1)
	db.lastStage.Store(time.Now().UnixNano())
	defer func() {
		db.lastStage.Store(time.Now().UnixNano())
		db.staging.Add(-1)
	}()
	// Which resources are new is asked of the dictionary here, on the
	// caller's goroutine, while the committer writes other calls'
	// transactions; the transaction then asks only about the terms
	// taken since (see termsSince).
	cand, n := stageCandidates(ps)
	dict := uint64(0) // the dictionary's last id as the snapshot saw it
	if n > 0 {
		err := db.View(ctx, func(s *Snapshot) error {
			dict = s.tx.Bucket(bucketI2T).Sequence()
			st := s.tx.Bucket(bucketStage)
			for i, p := range ps {
				if !cand[i] {
					continue
				}
				ok := st == nil || st.Get(p.key) == nil
				if ok {
					var err error
					if ok, err = s.fresh(p); err != nil {
						return err
					}
				}
				if !ok {
					cand[i] = false
					n--
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if testHookStaged != nil {
		testHookStaged()
	}
	return db.batch(ctx, func(w *txWriter) error { return w.stageAll(ps, cand, n, dict) })
}

// stageOnly writes the resources rs to the stage bucket without indexing
// them, as Stage did in format 5: tests make such files with it, to check
// that Open, Merge and the writes of a staged resource index it.
func (db *DB) stageOnly(ctx context.Context, rs []Resource) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	vals := make([][]byte, len(rs))
	for i, r := range rs {
		// Encoding checks every term now (prepare does nothing more that
		// can fail): Merge must not meet a resource it cannot write.
		if _, err := encodeTerm(r.ID); err != nil {
			return fmt.Errorf("stage %s: %w", r.ID.String(), err)
		}
		v := make([]byte, 8, 8+64*len(r.Triples))
		for _, t := range r.Triples {
			for _, term := range [3]rdf.Term{t.Subj, t.Pred, t.Obj} {
				var err error
				if v, err = appendStaged(v, term); err != nil {
					return fmt.Errorf("stage %s: %w", r.ID.String(), err)
				}
			}
		}
		vals[i] = v
	}
	defer db.observeCommit(time.Now())
	db.legacyStaged.Store(true)
	return db.db.Update(func(tx *bolt.Tx) error {
		pack(tx)
		st, res, changes := tx.Bucket(bucketStage), tx.Bucket(bucketRes), tx.Bucket(bucketChanges)
		rid := db.index(tx, bucketRID, layoutRID)
		if db.noChangeLog {
			changes = nil
		}
		now := time.Now()
		for i, r := range rs {
			seq, err := res.NextSequence()
			if err != nil {
				return err
			}
			binary.BigEndian.PutUint64(vals[i][:8], seq)
			key := []byte(r.ID.String())
			// The change is logged now, as Get sees it; Merge logs none.
			kind := Created
			if st.Get(key) != nil || rid.get(key) != nil {
				kind = Modified
			}
			if err := appendChange(changes, kind, now, key); err != nil {
				return err
			}
			if err := st.Put(key, vals[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// decodeStaged returns the sequence number and triples of the stage value
// v of resource key.
func decodeStaged(key, v []byte) (uint64, []rdf.Triple, error) {
	if len(v) < 8 {
		return 0, nil, fmt.Errorf("%w: short stage value", ErrCorrupt)
	}
	seq := binary.BigEndian.Uint64(v)
	v = v[8:]
	if len(v) > 0 && v[0] == stageTable {
		g, err := decodeStageTable(key, v[1:])
		return seq, g, err
	}
	var g []rdf.Triple
	var ts [3]rdf.Term
	for n := 0; len(v) > 0; n++ {
		l, k := binary.Uvarint(v)
		if k <= 0 || uint64(len(v)-k) < l {
			return 0, nil, fmt.Errorf("%w: bad stage value", ErrCorrupt)
		}
		t, err := decodeTerm(v[k : k+int(l)])
		if err != nil {
			return 0, nil, err
		}
		v = v[k+int(l):]
		ts[n%3] = t
		if n%3 == 2 {
			t, ok := makeTriple(ts[0], ts[1], ts[2])
			if !ok {
				return 0, nil, fmt.Errorf("%w: bad staged triple", ErrCorrupt)
			}
			g = append(g, t)
		}
	}
	return seq, g, nil
}

// decodeStageTable decodes the terms and triples of a stage value of
// version 11 (see appendStageValue), v after the stage table mark.
func decodeStageTable(key, v []byte) ([]rdf.Triple, error) {
	bad := fmt.Errorf("%w: bad stage value of %q", ErrCorrupt, key)
	n, k := binary.Uvarint(v)
	if k <= 0 || n > uint64(len(v)) {
		return nil, bad
	}
	v = v[k:]
	terms := make([]rdf.Term, n)
	var buf []byte
	for i := range terms {
		l, k := binary.Uvarint(v)
		if k <= 0 || l == 0 || uint64(len(v)-k) < l {
			return nil, bad
		}
		enc := v[k : k+int(l)]
		v = v[k+int(l):]
		if enc[0] == stageTable {
			buf = append(append(append(buf[:0], tagIRI), key...), enc[1:]...)
			enc = buf
		}
		t, err := decodeTerm(enc)
		if err != nil {
			return nil, err
		}
		terms[i] = t
	}
	var g []rdf.Triple
	for len(v) > 0 {
		var tr [3]rdf.Term
		for j := range tr {
			x, k := binary.Uvarint(v)
			if k <= 0 || x >= uint64(len(terms)) {
				return nil, bad
			}
			v = v[k:]
			tr[j] = terms[x]
		}
		t, ok := makeTriple(tr[0], tr[1], tr[2])
		if !ok {
			return nil, fmt.Errorf("%w: bad staged triple of %q", ErrCorrupt, key)
		}
		g = append(g, t)
	}
	return g, nil
}

// Merge indexes staged resources and returns how many it merged: the
// overlay's segments, oldest first, a transaction each, until max are
// merged (all if max ≤ 0); or, with none, up to max of what a version
// before 6 staged, in one transaction (a writable Open merges those).
func (db *DB) Merge(ctx context.Context, max int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if segs := db.ov.installed(); len(segs) > 0 {
		n := 0
		for _, sg := range segs {
			if max > 0 && n >= max {
				break
			}
			m, err := db.mergeOne(ctx, sg)
			n += m
			if err != nil {
				return n, err
			}
		}
		return n, nil
	}
	n := 0
	db.buildMu.RLock()
	defer db.buildMu.RUnlock()
	err := db.update(func(w *txWriter) error {
		n = 0
		var keys [][]byte
		c := w.stage.Cursor()
		for k, _ := c.First(); k != nil && (max <= 0 || len(keys) < max); k, _ = c.Next() {
			keys = append(keys, bytes.Clone(k))
		}
		for _, k := range keys {
			if err := w.unstage(k); err != nil {
				return err
			}
			n++
		}
		return w.flush()
	})
	return n, err
}

// testHookStaged, if set, runs between the making of a Stage call's
// segments and its transaction.
var testHookStaged func()

// Overlaid returns how many resources wait in the overlay for the merger
// (see Stage): what a monitor of the store watches, as it costs no read.
func (db *DB) Overlaid() int { return db.ov.size() }

// Staged returns how many resources wait to be merged.
func (db *DB) Staged() (int, error) {
	n := 0
	err := db.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketStage).Stats().KeyN
		return nil
	})
	return n, err
}

// unstage indexes the staged version of the resource with IRI key, if
// there is one, with the sequence number it was staged with, so that the
// ETag clients saw stays valid.
func (w *txWriter) unstage(key []byte) error {
	if w.overlaid() {
		if sg := w.ownerOf(string(rune(tagIRI)) + string(key)); sg != nil {
			return w.mergeSegment(sg)
		}
	}
	v := w.stage.Get(key)
	if v == nil {
		return nil
	}
	seq, g, err := decodeStaged(key, v)
	if err != nil {
		return err
	}
	if err := w.stage.Delete(key); err != nil {
		return err
	}
	id, err := rdf.NewIRI(string(key))
	if err != nil {
		return fmt.Errorf("%w: staged key %q", ErrCorrupt, key)
	}
	p, err := prepare(id, g, w.textSet)
	if err != nil {
		return err
	}
	p.seq, p.logged = seq, true
	_, err = w.put(p, modeUpsert, "")
	return err
}

// stagedGet returns the staged version of resource key in tx, if any.
func stagedGet(tx *bolt.Tx, nonce string, key []byte) (g []rdf.Triple, etag string, ok bool, err error) {
	b := tx.Bucket(bucketStage)
	if b == nil {
		return nil, "", false, nil
	}
	v := b.Get(key)
	if v == nil {
		return nil, "", false, nil
	}
	seq, g, err := decodeStaged(key, v)
	if err != nil {
		return nil, "", false, err
	}
	return g, formatETag(nonce, seq), true, nil
}

// appendStaged appends the uvarint length and the dictionary encoding of t
// (as encodeTerm gives it) to dst, without building the encoding apart.
func appendStaged(dst []byte, t rdf.Term) ([]byte, error) {
	part := func(tag byte, a, b string, sep bool) []byte {
		n := 1 + len(a) + len(b)
		if sep {
			n++
		}
		dst = binary.AppendUvarint(dst, uint64(n))
		dst = append(dst, tag)
		dst = append(dst, a...)
		if sep {
			dst = append(dst, 0)
		}
		return append(dst, b...)
	}
	switch t := t.(type) {
	case rdf.IRI:
		if t.String() == "" {
			break
		}
		return part(tagIRI, t.String(), "", false), nil
	case rdf.Literal:
		dt := t.DataType.String()
		switch {
		case t.Lang() != "":
			return part(tagLang, t.Lang(), t.String(), true), nil
		case dt == "" || dt == xsdString:
			return part(tagString, t.String(), "", false), nil
		case len(dt) > len(xsdNS) && dt[:len(xsdNS)] == xsdNS:
			return part(tagXSD, dt[len(xsdNS):], t.String(), true), nil
		default:
			return part(tagTyped, dt, t.String(), true), nil
		}
	}
	enc, err := encodeTerm(t)
	if err != nil {
		return dst, err
	}
	dst = binary.AppendUvarint(dst, uint64(len(enc)))
	return append(dst, enc...), nil
}
