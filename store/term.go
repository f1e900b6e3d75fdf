package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/knakk/rdf"
	bolt "go.etcd.io/bbolt"
)

// The RDF and XSD terms the encoding knows: literals of xsd: datatypes
// are encoded by local name, and the text of rdf:XMLLiteral is indexed.
const (
	xsdNS         = "http://www.w3.org/2001/XMLSchema#"
	xsdString     = xsdNS + "string"
	rdfXMLLiteral = "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral"
)

// xsdStringIRI is the datatype of a decoded xsd:string literal.
var xsdStringIRI = func() rdf.IRI {
	i, err := rdf.NewIRI(xsdString)
	if err != nil {
		panic(err)
	}
	return i
}()

// Tags are the first byte of an encoded term; see doc.go.
const (
	tagIRI    = 'I'
	tagBlank  = 'B'
	tagString = 'S' // xsd:string
	tagLang   = 'A' // rdf:langString
	tagXSD    = 'X' // other datatype in the XSD namespace, by local name
	tagTyped  = 'L' // any other datatype, by full IRI
	tagHashed = 'H' // dictionary key of a long term
)

// maxDictKey is the longest encoded term used as its own dictionary key;
// longer ones are keyed by hash, which keeps the t2i B-tree shallow and
// bbolt's 32 KiB key limit out of reach.
const maxDictKey = 256

// encodeTerm returns the dictionary encoding of t.
func encodeTerm(t rdf.Term) (string, error) {
	var a [80]byte // most terms fit: no allocation but the string's
	b, err := appendTerm(a[:0], t)
	return string(b), err
}

// appendTerm appends the dictionary encoding of t to b: a writer that
// meets a term many times looks it up by the bytes, and copies them only
// for a term it had not met.
func appendTerm(b []byte, t rdf.Term) ([]byte, error) {
	switch t := t.(type) {
	case rdf.IRI:
		if t.String() == "" {
			return b, fmt.Errorf("%w: empty IRI", ErrInvalid)
		}
		return append(append(b, tagIRI), t.String()...), nil
	case rdf.Blank:
		if t.Serialize(rdf.NTriples) == "" {
			return b, fmt.Errorf("%w: blank node without label", ErrInvalid)
		}
		return append(append(b, tagBlank), t.String()...), nil
	case rdf.Literal:
		dt := t.DataType.String()
		switch {
		case t.Lang() != "":
			b = append(append(b, tagLang), t.Lang()...)
		case dt == "" || dt == xsdString:
			return append(append(b, tagString), t.String()...), nil
		case strings.HasPrefix(dt, xsdNS):
			b = append(append(b, tagXSD), dt[len(xsdNS):]...)
		default:
			b = append(append(b, tagTyped), dt...)
		}
		return append(append(b, 0), t.String()...), nil
	case nil:
		return b, fmt.Errorf("%w: nil term", ErrInvalid)
	default:
		return b, fmt.Errorf("%w: unsupported term type %T", ErrInvalid, t)
	}
}

// decodeTerm is the inverse of encodeTerm.
func decodeTerm(b []byte) (rdf.Term, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty term", ErrCorrupt)
	}
	s := string(b[1:])
	switch b[0] {
	case tagIRI:
		i, err := rdf.NewIRI(s)
		if err != nil {
			return nil, fmt.Errorf("%w: term %q: %v", ErrCorrupt, s, err)
		}
		return i, nil
	case tagBlank:
		n, err := rdf.NewBlank(s)
		if err != nil {
			return nil, fmt.Errorf("%w: term %q: %v", ErrCorrupt, s, err)
		}
		return n, nil
	case tagString:
		return rdf.NewTypedLiteral(s, xsdStringIRI), nil
	}
	head, lex, ok := strings.Cut(s, "\x00")
	if !ok {
		return nil, fmt.Errorf("%w: term %q", ErrCorrupt, b)
	}
	switch b[0] {
	case tagLang:
		if head == "" {
			return nil, fmt.Errorf("%w: term %q", ErrCorrupt, b)
		}
		l, err := rdf.NewLangLiteral(lex, head)
		if err != nil {
			return nil, fmt.Errorf("%w: term %q: %v", ErrCorrupt, s, err)
		}
		return l, nil
	case tagXSD:
		dt, err := rdf.NewIRI(xsdNS + head)
		if err != nil {
			return nil, fmt.Errorf("%w: datatype %q: %v", ErrCorrupt, xsdNS+head, err)
		}
		return rdf.NewTypedLiteral(lex, dt), nil
	case tagTyped:
		dt, err := rdf.NewIRI(head)
		if err != nil {
			return nil, fmt.Errorf("%w: datatype %q: %v", ErrCorrupt, head, err)
		}
		return rdf.NewTypedLiteral(lex, dt), nil
	}
	return nil, fmt.Errorf("%w: term tag %q", ErrCorrupt, b[0])
}

// dictKey returns the t2i key of an encoded term.
func dictKey(enc string) []byte {
	if len(enc) <= maxDictKey {
		return []byte(enc)
	}
	h := sha256.Sum256([]byte(enc))
	return append([]byte{tagHashed}, h[:]...)
}

// blankLabel is the label of the blank node with term id id. Ids are never
// reused, so labels are unique store-wide.
func blankLabel(id uint64) string {
	return "b" + strconv.FormatUint(id, 36)
}

// u64 encodes v as 8 big-endian bytes.
func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

// lookupID returns the id of an encoded term in t2i and i2t, or 0.
func lookupID(t2i, i2t interface{ get([]byte) []byte }, enc string) (uint64, error) {
	if id, ok := inlineID(enc); ok {
		return id, nil
	}
	key := dictKey(enc)
	v := t2i.get(key)
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("%w: t2i value of %q", ErrCorrupt, key)
	}
	id := binary.BigEndian.Uint64(v)
	if key[0] == tagHashed && !bytes.Equal(i2t.get(v), []byte(enc)) {
		return 0, fmt.Errorf("%w: hash collision on term %.64q", ErrCorrupt, enc)
	}
	return id, nil
}

// seekExact returns the value of key in c's bucket, or nil. Unlike
// Bucket.Get it reuses the cursor, and with it the cursor's stack.
func seekExact(c interface{ Seek([]byte) ([]byte, []byte) }, key []byte) []byte {
	k, v := c.Seek(key)
	if k == nil || !bytes.Equal(k, key) {
		return nil
	}
	return v
}

// termReader maps term ids to terms and back within one read transaction.
// Its maps belong to the transaction: the id of a term holds only in it,
// as a write may reclaim the term and add it again under a new id. The
// DB's shared cache holds only terms by id, which never change.
type termReader struct {
	tx        *bolt.Tx
	shared    *termCache   // nil: none
	t2iLayout *layout      // of t2i; nil: plain
	i2tLayout *layout      // of i2t; nil: plain
	i2t, t2i  *blockCursor // for point lookups; opened on first use
	inline    bool         // the file has inline terms (version 8)

	terms  map[uint64]rdf.Term // decoded in this transaction
	iris   map[string]uint64   // IRI → id, 0 if not in the store
	blanks map[string]uint64   // blank node, as serialized → id
	lits   map[string]uint64   // encoded literal → id
}

// maxReaderCache bounds each of a termReader's maps on long scans.
const maxReaderCache = 1 << 14

func (r *termReader) i2tCursor() *blockCursor {
	if r.i2t == nil {
		// Its encodings are decoded, never kept.
		r.i2t = newCursor(r.tx.Bucket(bucketI2T), r.i2tLayout)
		r.i2t.reuse = true
	}
	return r.i2t
}

// term returns the term with the given id.
func (r *termReader) term(id uint64) (rdf.Term, error) {
	if t, ok := r.terms[id]; ok {
		return t, nil
	}
	t, ok := rdf.Term(nil), false
	if r.shared != nil {
		t, ok = r.shared.get(id)
	}
	if !ok && isInline(id) {
		// Decoded without a read, but cached as the others: decoding
		// allocates.
		var err error
		if t, err = inlineTerm(id); err != nil {
			return nil, err
		}
		if r.shared != nil {
			r.shared.put(id, t)
		}
		ok = true
	}
	if !ok {
		var k [8]byte
		binary.BigEndian.PutUint64(k[:], id)
		v := seekExact(r.i2tCursor(), k[:])
		if v == nil {
			return nil, fmt.Errorf("%w: no term %d", ErrCorrupt, id)
		}
		var err error
		if t, err = decodeTerm(v); err != nil {
			return nil, err
		}
		if r.shared != nil {
			r.shared.put(id, t)
		}
	}
	if r.terms == nil {
		r.terms = make(map[uint64]rdf.Term)
	}
	if len(r.terms) < maxReaderCache {
		r.terms[id] = t
	}
	// The engine looks up the nodes it has read, as subjects of the next
	// pattern: remember their ids.
	switch t := t.(type) {
	case rdf.IRI:
		r.iris = remember(r.iris, t.String(), id)
	case rdf.Blank:
		r.blanks = remember(r.blanks, t.Serialize(rdf.NTriples), id)
	}
	return t, nil
}

// termQuiet is term without remembering the term in the reader's maps:
// for long reads of terms that are not looked up again.
func (r *termReader) termQuiet(id uint64) (rdf.Term, error) {
	if t, ok := r.terms[id]; ok {
		return t, nil
	}
	if r.shared != nil {
		if t, ok := r.shared.get(id); ok {
			return t, nil
		}
	}
	if isInline(id) {
		t, err := inlineTerm(id)
		if err == nil && r.shared != nil {
			r.shared.put(id, t)
		}
		return t, err
	}
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], id)
	v := seekExact(r.i2tCursor(), k[:])
	if v == nil {
		return nil, fmt.Errorf("%w: no term %d", ErrCorrupt, id)
	}
	t, err := decodeTerm(v)
	if err != nil {
		return nil, err
	}
	if r.shared != nil {
		r.shared.put(id, t)
	}
	return t, nil
}

// remember adds k → id to m, making m as needed, until m holds
// maxReaderCache ids: a long scan then stops remembering rather than
// rebuilding the map over and over.
func remember(m map[string]uint64, k string, id uint64) map[string]uint64 {
	if m == nil {
		m = make(map[string]uint64)
	}
	if len(m) < maxReaderCache {
		m[k] = id
	}
	return m
}

// id returns the id of term t, or 0 if it is not in the store.
func (r *termReader) id(t rdf.Term) (uint64, error) {
	var (
		m *map[string]uint64
		k string
	)
	switch t := t.(type) {
	case rdf.IRI:
		m, k = &r.iris, t.String()
	case rdf.Blank:
		if k = t.Serialize(rdf.NTriples); k == "" {
			return 0, fmt.Errorf("%w: blank node without label", ErrInvalid)
		}
		m = &r.blanks
	}
	if m != nil {
		if id, ok := (*m)[k]; ok {
			return id, nil
		}
	}
	enc, err := encodeTerm(t)
	if err != nil {
		return 0, err
	}
	if m == nil {
		if id, ok := r.lits[enc]; ok {
			return id, nil
		}
		m, k = &r.lits, enc
	}
	id, err := r.lookup(enc)
	if err != nil {
		return 0, err
	}
	*m = remember(*m, k, id)
	return id, nil
}

// lookup is lookupID through the reader's cursors.
func (r *termReader) lookup(enc string) (uint64, error) {
	if id, ok := inlineID(enc); ok && r.inline {
		return id, nil
	}
	if r.t2i == nil {
		r.t2i = newCursor(r.tx.Bucket(bucketT2I), r.t2iLayout)
	}
	key := dictKey(enc)
	v := seekExact(r.t2i, key)
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("%w: t2i value of %q", ErrCorrupt, key)
	}
	if key[0] == tagHashed && string(seekExact(r.i2tCursor(), v)) != enc {
		return 0, fmt.Errorf("%w: hash collision on term %.64q", ErrCorrupt, enc)
	}
	return binary.BigEndian.Uint64(v), nil
}

// triple decodes a triple of term ids.
func (r *termReader) triple(s, p, o uint64) (rdf.Triple, error) {
	st, err := r.term(s)
	if err != nil {
		return rdf.Triple{}, err
	}
	pt, err := r.term(p)
	if err != nil {
		return rdf.Triple{}, err
	}
	ot, err := r.term(o)
	if err != nil {
		return rdf.Triple{}, err
	}
	t, ok := makeTriple(st, pt, ot)
	if !ok {
		return rdf.Triple{}, fmt.Errorf("%w: ill-formed triple %d %d %d", ErrCorrupt, s, p, o)
	}
	return t, nil
}

// makeTriple returns the triple of terms s, p and o, and whether each can
// stand where it stands.
func makeTriple(s, p, o rdf.Term) (rdf.Triple, bool) {
	subj, ok1 := s.(rdf.Subject)
	pred, ok2 := p.(rdf.Predicate)
	obj, ok3 := o.(rdf.Object)
	return rdf.Triple{Subj: subj, Pred: pred, Obj: obj}, ok1 && ok2 && ok3
}
