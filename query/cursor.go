package query

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"strings"

	"github.com/knakk/rdf"
)

// cursorVersion is the first byte of every cursor; see doc.go, "Cursors".
const cursorVersion = 1

// cursor is the position after which the next page starts: the last row
// of the previous page, and with search terms the idf weights that page
// was scored with.
type cursor struct {
	fp  [8]byte
	row row
	idf []float64
}

// fingerprint identifies what a cursor may continue: the scope and the
// query's conditions, keys and search tokens, with IRIs in full.
func fingerprint(scope Scope, conds []*cond, keys []sortKey, tokens []string) [8]byte {
	var b strings.Builder
	b.WriteString(scope.Prefix)
	for _, t := range scope.Types {
		b.WriteString("\x00t" + t.String())
	}
	for _, c := range conds {
		b.WriteString("\x00w" + c.text)
	}
	for _, k := range keys {
		b.WriteString("\x00o" + k.String())
	}
	for _, t := range tokens {
		b.WriteString("\x00s" + t)
	}
	sum := sha256.Sum256([]byte(b.String()))
	var fp [8]byte
	copy(fp[:], sum[:])
	return fp
}

// encode writes the cursor as URL-safe base64 without padding.
func (c *cursor) encode() string {
	b := []byte{cursorVersion}
	b = append(b, c.fp[:]...)
	b = binary.AppendUvarint(b, uint64(len(c.idf)))
	for _, f := range c.idf {
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(f))
	}
	if len(c.idf) > 0 {
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(c.row.score))
	}
	b = binary.AppendUvarint(b, uint64(len(c.row.keys)))
	for _, v := range c.row.keys {
		b = appendVal(b, v)
	}
	b = appendString(b, c.row.id.String())
	return base64.RawURLEncoding.EncodeToString(b)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendVal(b []byte, v val) []byte {
	b = append(b, byte(v.cls))
	switch v.cls {
	case clsNumber, clsBoolean:
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(v.num))
	case clsDateTime:
		b = binary.BigEndian.AppendUint64(b, uint64(v.us))
	case clsString:
		b = appendString(appendString(b, v.str), v.lang)
	case clsOther:
		b = appendString(appendString(b, v.str), v.dt)
	case clsIRI, clsBlank:
		b = appendString(b, v.str)
	}
	return b
}

var errCursorShape = errors.New("malformed")

// decodeCursor reads a cursor made by encode.
func decodeCursor(s string) (*cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 9 || b[0] != cursorVersion {
		return nil, errCursorShape
	}
	d := &decoder{b: b[9:]}
	c := &cursor{}
	copy(c.fp[:], b[1:9])
	if n := d.count(8); n > 0 {
		c.idf = make([]float64, n)
		for i := range c.idf {
			c.idf[i] = math.Float64frombits(d.u64())
		}
		c.row.score = math.Float64frombits(d.u64())
	}
	c.row.keys = make([]val, d.count(1))
	for i := range c.row.keys {
		c.row.keys[i] = d.val()
	}
	id := d.str()
	if d.err != nil || len(d.b) > 0 {
		return nil, errCursorShape
	}
	if c.row.id, err = rdf.NewIRI(id); err != nil {
		return nil, errCursorShape
	}
	return c, nil
}

// decoder reads the parts of a cursor; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() {
	d.err, d.b = errCursorShape, nil
}

// count reads a length whose items take at least size bytes each.
func (d *decoder) count(size int) int {
	n, k := binary.Uvarint(d.b)
	if k <= 0 || n > uint64(len(d.b)-k)/uint64(size) {
		d.fail()
		return 0
	}
	d.b = d.b[k:]
	return int(n)
}

func (d *decoder) u64() uint64 {
	if len(d.b) < 8 {
		d.fail()
		return 0
	}
	v := binary.BigEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) str() string {
	n := d.count(1)
	if d.err != nil {
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) val() val {
	if len(d.b) < 1 {
		d.fail()
		return val{}
	}
	v := val{cls: class(d.b[0])}
	d.b = d.b[1:]
	switch v.cls {
	case clsNumber, clsBoolean:
		v.num = math.Float64frombits(d.u64())
	case clsDateTime:
		v.us = int64(d.u64())
	case clsString:
		v.str, v.lang = d.str(), d.str()
	case clsOther:
		v.str, v.dt = d.str(), d.str()
	case clsIRI, clsBlank:
		v.str = d.str()
	case clsMissing:
	default:
		d.fail()
	}
	return v
}
