package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/knakk/rdf"
	bolt "go.etcd.io/bbolt"
)

// A RecordQuery says which resources Snapshot.Records reads, and which of
// their triples it decodes.
type RecordQuery struct {
	// Link and Targets select the subjects of the triples (?, Link, t),
	// t one of Targets, stated by any resource. Only IRIs that start with
	// Prefix are read, each as the resource it names (see Get).
	Link    rdf.IRI
	Targets []rdf.Object
	Prefix  string

	// Props are the predicates of the resource's triples about itself to
	// report; Via links it to its nodes, the IRI objects of its (r, Via,
	// ?) triples, and NodeProps are the predicates of the nodes' triples
	// to report. Only the resource's own graph is read.
	Props     []rdf.IRI
	Via       rdf.IRI
	NodeProps []rdf.IRI
}

// A Record is one resource read by Snapshot.Records.
type Record struct {
	ID    rdf.IRI
	Props []Prop   // its triples about itself with a predicate of Props
	Nodes [][]Prop // per node, its triples with a predicate of NodeProps
}

// A Prop is the predicate and object of one triple.
type Prop struct {
	Pred rdf.IRI
	Obj  rdf.Object
}

// Records calls fn with each resource that q selects, once for each
// target that lists it, in term id order, until fn returns false. Props
// and nodes come in the order Get reports their triples. It reads the
// resources' index entries by term id and decodes only the IRI of each
// resource and the objects reported: nodes are never decoded, which makes
// it much cheaper than a Get per resource on large sets of resources with
// nested nodes. Term id order is mostly the order resources were written in,
// so neighbouring reads share pages. A resource that a triple names but
// that does not exist is skipped; a staged one is read as Get reads it.
//
// fn must not keep rec, which is reused. It runs in the snapshot's read
// transaction: see View.
func (s *Snapshot) Records(ctx context.Context, q RecordQuery, fn func(rec *Record) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	lid, ok, err := s.patternID(q.Link)
	if err != nil {
		return err
	}
	if !ok {
		_, err := s.ovRecords(q, fn)
		return err
	}
	var subjects []uint64
	c := s.cursor(scanPOSG)
	for _, t := range q.Targets {
		tid, ok, err := s.patternID(t)
		if err != nil {
			s.release(scanPOSG, c)
			return err
		}
		if !ok {
			continue
		}
		var prefix [8 + okeyLen]byte
		binary.BigEndian.PutUint64(prefix[:], lid)
		class, v := sortKey(t)
		putSortKey(prefix[8:], class, v)
		binary.BigEndian.PutUint64(prefix[17:], tid)
		var prev uint64
		for k, _ := c.Seek(prefix[:]); k != nil && bytes.HasPrefix(k, prefix[:]); k, _ = c.Next() {
			// The keys of one subject are adjacent, one per resource
			// stating it.
			if id := binary.BigEndian.Uint64(k[25:]); id != prev {
				subjects = append(subjects, id)
				prev = id
			}
		}
	}
	s.release(scanPOSG, c)
	slices.Sort(subjects)

	rr := recordReader{s: s, q: q, propIRI: make(map[uint64]rdf.IRI), last: make(map[uint64]lastObj)}
	if rr.props, err = s.predIDs(q.Props, rr.propIRI); err != nil {
		return err
	}
	if rr.nodeProps, err = s.predIDs(q.NodeProps, rr.propIRI); err != nil {
		return err
	}
	if q.Via != (rdf.IRI{}) {
		if rr.via, _, err = s.patternID(q.Via); err != nil {
			return err
		}
	}
	if s.anyStaged() {
		rr.stage = s.tx.Bucket(bucketStage)
	}
	rr.res = s.cursor(scanRes)
	defer s.release(scanRes, rr.res)
	for i, id := range subjects {
		if i%ctxEvery == ctxEvery-1 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ok, err := rr.read(ctx, id)
		if err != nil {
			return err
		}
		if ok && !fn(&rr.rec) {
			return nil
		}
	}
	_, err = s.ovRecords(q, fn)
	return err
}

// predIDs returns the ids of the predicates ps that are in the store,
// adding them to byID.
func (s *Snapshot) predIDs(ps []rdf.IRI, byID map[uint64]rdf.IRI) ([]uint64, error) {
	var ids []uint64
	for _, p := range ps {
		id, ok, err := s.patternID(p)
		if err != nil {
			return nil, err
		}
		if ok {
			ids = append(ids, id)
			byID[id] = p
		}
	}
	return ids, nil
}

// recordReader reads the resources of one Records call into rec.
type recordReader struct {
	s                *Snapshot
	q                RecordQuery
	props, nodeProps []uint64
	propIRI          map[uint64]rdf.IRI // of props and nodeProps, by id
	via              uint64
	stage            *bolt.Bucket // nil: nothing staged
	rec              Record
	nodes            []uint64

	i2t    *blockCursor
	i2tKey uint64 // the key i2t is at; 0: none
	res    *blockCursor
	resKey []byte // the key res is at; nil: none
	resBuf []byte // the res value read last, unpacked

	// last is the last object of each predicate: resources of one kind
	// repeat a type, unit or parent resource after resource.
	last map[uint64]lastObj
}

type lastObj struct {
	id uint64
	t  rdf.Object
}

// maxNear is how far ahead of its key the i2t cursor steps rather than
// seeks: a resource's new terms get neighbouring ids when written, and
// resources come in id order. maxNearRes is how many keys the res cursor
// steps: resources written together often have neighbouring IRIs.
const (
	maxNear    = 64
	maxNearRes = 8
)

// encoding returns the i2t value of term id, nil if none.
func (r *recordReader) encoding(id uint64) []byte {
	if isInline(id) {
		enc, _ := inlineEnc(id)
		return []byte(enc)
	}
	if r.i2t == nil {
		r.i2t = newCursor(r.s.tx.Bucket(bucketI2T), r.s.db.layout(layoutI2T))
	}
	var k, v []byte
	if r.i2tKey != 0 && id > r.i2tKey && id-r.i2tKey <= maxNear {
		for k, v = r.i2t.Next(); k != nil && binary.BigEndian.Uint64(k) < id; k, v = r.i2t.Next() {
		}
	} else {
		k, v = r.i2t.Seek(u64(id))
	}
	if k == nil {
		r.i2tKey = 0
		return nil
	}
	r.i2tKey = binary.BigEndian.Uint64(k)
	if r.i2tKey != id {
		return nil
	}
	return v
}

// resValue returns the res value of key, nil if none.
func (r *recordReader) resValue(key []byte) []byte {
	var k, v []byte
	if r.resKey != nil && bytes.Compare(r.resKey, key) < 0 {
		k, v = r.res.Next()
		for i := 1; k != nil && bytes.Compare(k, key) < 0 && i < maxNearRes; i++ {
			k, v = r.res.Next()
		}
		if k != nil && bytes.Compare(k, key) < 0 {
			k, v = r.res.Seek(key)
		}
	} else {
		k, v = r.res.Seek(key)
	}
	r.resKey = k
	if !bytes.Equal(k, key) {
		return nil
	}
	return v
}

// term returns the term with id id from the caches or the dictionary. It
// caches what it decodes only in the shared cache: most are values, read
// once.
func (r *recordReader) term(id uint64) (rdf.Term, error) {
	if t, ok := r.s.r.terms[id]; ok {
		return t, nil
	}
	if r.s.r.shared != nil {
		if t, ok := r.s.r.shared.get(id); ok {
			return t, nil
		}
	}
	if isInline(id) {
		t, err := inlineTerm(id)
		if err == nil && r.s.r.shared != nil {
			r.s.r.shared.put(id, t)
		}
		return t, err
	}
	v := r.encoding(id)
	if v == nil {
		return nil, fmt.Errorf("%w: no term %d", ErrCorrupt, id)
	}
	t, err := decodeTerm(v)
	if err != nil {
		return nil, err
	}
	if r.s.r.shared != nil {
		r.s.r.shared.put(id, t)
	}
	return t, nil
}

// read reads the resource with term id id into r.rec; false if it is not
// a resource that the query selects.
func (r *recordReader) read(ctx context.Context, id uint64) (bool, error) {
	enc := r.encoding(id)
	if len(enc) == 0 {
		return false, fmt.Errorf("%w: no term %d", ErrCorrupt, id)
	}
	if enc[0] != tagIRI || !bytes.HasPrefix(enc[1:], []byte(r.q.Prefix)) {
		return false, nil
	}
	key := enc[1:]
	if r.stage != nil && r.stage.Get(key) != nil {
		iri, err := r.s.r.term(id)
		if err != nil {
			return false, err
		}
		g, _, err := r.s.Get(ctx, iri.(rdf.IRI))
		if err != nil {
			return false, err
		}
		r.rec = recordOf(iri.(rdf.IRI), g, r.q)
		return true, nil
	}
	var err error
	if r.s.db.resByIRI {
		v := r.resValue(key)
		if v == nil {
			return false, nil
		}
		r.resBuf, err = unpackResV9(r.resBuf[:0], v, key, r.s.db.packed)
	} else {
		// Since version 10 res is keyed by graph id, the id of the
		// resource's IRI: ids come in order, so the cursor mostly steps.
		var k [8]byte
		binary.BigEndian.PutUint64(k[:], id)
		v := r.resValue(k[:])
		if v == nil {
			return false, nil
		}
		r.resBuf, err = unpackRes(r.resBuf[:0], v, id)
	}
	if err != nil {
		return false, err
	}
	v := r.resBuf
	iri, err := rdf.NewIRI(string(key))
	if err != nil {
		return false, fmt.Errorf("%w: term %q: %v", ErrCorrupt, key, err)
	}
	g := binary.BigEndian.Uint64(v[8:])
	r.rec.ID = iri
	r.rec.Props = r.rec.Props[:0]
	r.nodes = r.nodes[:0]
	entries := v[headerLen:]
	for e := entries; len(e) > 0; e = e[entryLen:] {
		if binary.BigEndian.Uint64(e) != g {
			continue
		}
		p, o := binary.BigEndian.Uint64(e[8:]), binary.BigEndian.Uint64(e[25:])
		if p == r.via && r.via != 0 && !slices.Contains(r.nodes, o) {
			r.nodes = append(r.nodes, o)
		}
		if slices.Contains(r.props, p) {
			pr, err := r.prop(p, o)
			if err != nil {
				return false, err
			}
			r.rec.Props = append(r.rec.Props, pr)
		}
	}
	r.rec.Nodes = r.rec.Nodes[:0]
	for _, n := range r.nodes {
		// Only IRI nodes: their tag is all it takes.
		if t, ok := r.s.r.terms[n]; ok {
			if _, ok := t.(rdf.IRI); !ok {
				continue
			}
		} else if enc := r.encoding(n); len(enc) == 0 {
			return false, fmt.Errorf("%w: no term %d", ErrCorrupt, n)
		} else if enc[0] != tagIRI {
			continue
		}
		i := len(r.rec.Nodes)
		r.rec.Nodes = slices.Grow(r.rec.Nodes, 1)[:i+1]
		props := r.rec.Nodes[i][:0]
		for e := entries; len(e) > 0; e = e[entryLen:] {
			if binary.BigEndian.Uint64(e) != n {
				continue
			}
			if p := binary.BigEndian.Uint64(e[8:]); slices.Contains(r.nodeProps, p) {
				pr, err := r.prop(p, binary.BigEndian.Uint64(e[25:]))
				if err != nil {
					return false, err
				}
				props = append(props, pr)
			}
		}
		r.rec.Nodes[i] = props
	}
	return true, nil
}

// prop decodes the object with id o of predicate p, one of the query's.
func (r *recordReader) prop(p, o uint64) (Prop, error) {
	if l, ok := r.last[p]; ok && l.id == o {
		return Prop{Pred: r.propIRI[p], Obj: l.t}, nil
	}
	ot, err := r.term(o)
	if err != nil {
		return Prop{}, err
	}
	obj, ok := ot.(rdf.Object)
	if !ok {
		return Prop{}, fmt.Errorf("%w: ill-formed triple %d %d", ErrCorrupt, p, o)
	}
	r.last[p] = lastObj{id: o, t: obj}
	return Prop{Pred: r.propIRI[p], Obj: obj}, nil
}

// recordOf is what Records reports for resource id with triples g (as
// Get returns them): the reference the index reading must agree with.
func recordOf(id rdf.IRI, g []rdf.Triple, q RecordQuery) Record {
	rec := Record{ID: id}
	var nodes []rdf.IRI
	for _, t := range g {
		if s, ok := t.Subj.(rdf.IRI); !ok || s != id {
			continue
		}
		if q.Via != (rdf.IRI{}) && t.Pred == q.Via {
			if o, ok := t.Obj.(rdf.IRI); ok && !slices.Contains(nodes, o) {
				nodes = append(nodes, o)
			}
		}
		if p, ok := t.Pred.(rdf.IRI); ok && slices.Contains(q.Props, p) {
			rec.Props = append(rec.Props, Prop{Pred: p, Obj: t.Obj})
		}
	}
	for _, n := range nodes {
		var props []Prop
		for _, t := range g {
			if s, ok := t.Subj.(rdf.IRI); !ok || s != n {
				continue
			}
			if p, ok := t.Pred.(rdf.IRI); ok && slices.Contains(q.NodeProps, p) {
				props = append(props, Prop{Pred: p, Obj: t.Obj})
			}
		}
		rec.Nodes = append(rec.Nodes, props)
	}
	return rec
}
