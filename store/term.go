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

	"github.com/oslc-pm/pmprovider/vocab"
)

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
	switch t := t.(type) {
	case rdf.IRI:
		if t.String() == "" {
			return "", fmt.Errorf("%w: empty IRI", ErrInvalid)
		}
		return string(tagIRI) + t.String(), nil
	case rdf.Blank:
		if t.Serialize(rdf.NTriples) == "" {
			return "", fmt.Errorf("%w: blank node without label", ErrInvalid)
		}
		return string(tagBlank) + t.String(), nil
	case rdf.Literal:
		dt := t.DataType.String()
		switch {
		case t.Lang() != "":
			return string(tagLang) + t.Lang() + "\x00" + t.String(), nil
		case dt == "" || dt == vocab.XSD+"string":
			return string(tagString) + t.String(), nil
		case strings.HasPrefix(dt, vocab.XSD):
			return string(tagXSD) + dt[len(vocab.XSD):] + "\x00" + t.String(), nil
		default:
			return string(tagTyped) + dt + "\x00" + t.String(), nil
		}
	case nil:
		return "", fmt.Errorf("%w: nil term", ErrInvalid)
	default:
		return "", fmt.Errorf("%w: unsupported term type %T", ErrInvalid, t)
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
		return rdf.NewTypedLiteral(s, vocab.XSDString), nil
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
		return rdf.NewTypedLiteral(lex, vocab.IRI(vocab.XSD, head)), nil
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
func lookupID(t2i, i2t *bolt.Bucket, enc string) (uint64, error) {
	key := dictKey(enc)
	v := t2i.Get(key)
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("%w: t2i value of %q", ErrCorrupt, key)
	}
	id := binary.BigEndian.Uint64(v)
	if key[0] == tagHashed && !bytes.Equal(i2t.Get(v), []byte(enc)) {
		return 0, fmt.Errorf("%w: hash collision on term %.64q", ErrCorrupt, enc)
	}
	return id, nil
}

// termReader decodes term ids within one transaction, caching the terms it
// has decoded.
type termReader struct {
	i2t   *bolt.Bucket
	cache map[uint64]rdf.Term
}

// maxReaderCache bounds a termReader's cache on long scans.
const maxReaderCache = 1 << 14

func newTermReader(tx *bolt.Tx) *termReader {
	return &termReader{i2t: tx.Bucket(bucketI2T), cache: make(map[uint64]rdf.Term)}
}

// term returns the term with the given id.
func (r *termReader) term(id uint64) (rdf.Term, error) {
	if t, ok := r.cache[id]; ok {
		return t, nil
	}
	v := r.i2t.Get(u64(id))
	if v == nil {
		return nil, fmt.Errorf("%w: no term %d", ErrCorrupt, id)
	}
	t, err := decodeTerm(v)
	if err != nil {
		return nil, err
	}
	if len(r.cache) >= maxReaderCache {
		clear(r.cache)
	}
	r.cache[id] = t
	return t, nil
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
	subj, ok1 := st.(rdf.Subject)
	pred, ok2 := pt.(rdf.Predicate)
	obj, ok3 := ot.(rdf.Object)
	if !ok1 || !ok2 || !ok3 {
		return rdf.Triple{}, fmt.Errorf("%w: ill-formed triple %d %d %d", ErrCorrupt, s, p, o)
	}
	return rdf.Triple{Subj: subj, Pred: pred, Obj: obj}, nil
}
