package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"
	bolt "go.etcd.io/bbolt"
)

// Since version 8 the numbers, dateTimes and booleans whose lexical form
// a few bits rebuild are not in the dictionary: their term id holds them
// (see doc.go, Inline terms). Most literals of a monitoring record are
// such values, unique to it, and a dictionary entry cost them more bytes
// than the id of any term in the indexes.

// inlineBit marks an inline term id; dictionary ids, from i2t's
// sequence, never reach it.
const inlineBit = 1 << 63

// Kinds of inline terms, the low kindBits bits of an inline id: the XSD
// datatype, by local name, and how the rest of the id reads.
const (
	kindBits     = 3
	kindInteger  = 1 // xsd:integer: a decimal number without point
	kindInt      = 2 // xsd:int: as integer
	kindLong     = 3 // xsd:long: as integer
	kindDecimal  = 4 // xsd:decimal: a decimal number
	kindDouble   = 5 // xsd:double: a decimal number, without exponent
	kindDateTime = 6 // xsd:dateTime, in UTC
	kindBoolean  = 7 // xsd:boolean: "true" or "false"
)

// inlineTypes are the datatype local names of the kinds.
var inlineTypes = [8]string{"", "integer", "int", "long", "decimal", "double", "dateTime", "boolean"}

// Bounds of what an inline number holds: its digits, as an integer, are
// below 2^maxMantBits, and at most maxScale of them follow the point.
// Both keep the value exact in a float64 division (see inlineSortKey).
const (
	maxMantBits = 50
	maxScale    = 15
	// maxUnits bounds the zigzag units of an inline dateTime.
	maxUnits = 1 << 54
)

// pow10 are the powers of ten up to 10^maxScale, exact as float64 and
// uint64.
var pow10 = func() (p [maxScale + 1]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// isInline reports whether term id id is an inline term.
func isInline(id uint64) bool { return id&inlineBit != 0 }

// inlineID returns the inline id of the encoded term enc, and false if
// the term is not one an id holds: a literal of a kind above whose
// lexical form is the one its id rebuilds. So each term has one id, inline
// or in the dictionary, and "1" and "01" stay two terms.
func inlineID(enc string) (uint64, bool) {
	if len(enc) < 2 || enc[0] != tagXSD {
		return 0, false
	}
	dt, lex, ok := strings.Cut(enc[1:], "\x00")
	if !ok {
		return 0, false
	}
	var kind, payload uint64
	switch dt {
	case "integer", "int", "long", "decimal", "double":
		neg := strings.HasPrefix(lex, "-")
		s := lex
		if neg {
			s = s[1:]
		}
		whole, frac, point := strings.Cut(s, ".")
		if point && (dt == "integer" || dt == "int" || dt == "long") || len(whole)+len(frac) > 16 || len(frac) > maxScale {
			return 0, false
		}
		m, err := strconv.ParseUint(whole+frac, 10, 64)
		if err != nil || m >= 1<<maxMantBits {
			return 0, false
		}
		switch dt {
		case "integer":
			kind = kindInteger
		case "int":
			kind = kindInt
		case "long":
			kind = kindLong
		case "decimal":
			kind = kindDecimal
		default:
			kind = kindDouble
		}
		payload = (m<<4|uint64(len(frac)))<<1 | b2u(neg)
	case "dateTime":
		units, digits, z, ok := parseInlineDateTime(lex)
		if !ok {
			return 0, false
		}
		kind, payload = kindDateTime, (zigzag(units)<<3|uint64(digits))<<1|b2u(z)
	case "boolean":
		switch lex {
		case "false":
			payload = 0
		case "true":
			payload = 1
		default:
			return 0, false
		}
		kind = kindBoolean
	default:
		return 0, false
	}
	id := inlineBit | payload<<kindBits | kind
	// The id must rebuild lex exactly: "007", "+7", "1." and
	// "2026-11-01T10:00:00+02:00" stay in the dictionary.
	if e, ok := inlineEnc(id); !ok || e != enc {
		return 0, false
	}
	return id, true
}

// parseInlineDateTime reads a dateTime lexical form yyyy-mm-ddThh:mm:ss,
// with up to 6 digits of a fraction of a second and a "Z" or no zone, as
// units of 10^-digits seconds since the Unix epoch; the caller checks
// that the result rebuilds lex.
func parseInlineDateTime(lex string) (units int64, digits int, z bool, ok bool) {
	s := lex
	if z = strings.HasSuffix(s, "Z"); z {
		s = s[:len(s)-1]
	}
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return 0, 0, false, false
	}
	var f [6]int
	for i, r := range [6][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}} {
		n, err := strconv.Atoi(s[r[0]:r[1]])
		if err != nil || n < 0 {
			return 0, 0, false, false
		}
		f[i] = n
	}
	if f[0] < 1 {
		return 0, 0, false, false
	}
	sec := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], 0, time.UTC).Unix()
	units = sec
	if s = s[19:]; s != "" {
		if s[0] != '.' || len(s) < 2 || len(s) > 7 {
			return 0, 0, false, false
		}
		digits = len(s) - 1
		frac, err := strconv.ParseUint(s[1:], 10, 32)
		if err != nil {
			return 0, 0, false, false
		}
		units = sec*int64(pow10[digits]) + int64(frac)
	}
	if zigzag(units) >= maxUnits {
		return 0, 0, false, false
	}
	return units, digits, z, true
}

// inlineEnc returns the term encoding of inline id id.
func inlineEnc(id uint64) (string, bool) {
	if !isInline(id) {
		return "", false
	}
	kind, payload := id&(1<<kindBits-1), (id&^inlineBit)>>kindBits
	dt := inlineTypes[kind]
	b := make([]byte, 0, 48)
	b = append(b, tagXSD)
	b = append(b, dt...)
	b = append(b, 0)
	switch kind {
	case kindInteger, kindInt, kindLong, kindDecimal, kindDouble:
		neg, scale, m := payload&1 != 0, int(payload>>1&15), payload>>5
		if neg {
			b = append(b, '-')
		}
		digits := strconv.AppendUint(nil, m, 10)
		if scale > 0 {
			for len(digits) <= scale {
				digits = append([]byte{'0'}, digits...)
			}
			b = append(b, digits[:len(digits)-scale]...)
			b = append(b, '.')
			b = append(b, digits[len(digits)-scale:]...)
		} else {
			b = append(b, digits...)
		}
	case kindDateTime:
		z, digits, units := payload&1 != 0, int(payload>>1&7), unzigzag(payload>>4)
		if digits > 6 {
			return "", false
		}
		p := int64(pow10[digits])
		sec, frac := units/p, units%p
		if frac < 0 {
			sec, frac = sec-1, frac+p
		}
		t := time.Unix(sec, 0).UTC()
		if t.Year() < 1 || t.Year() > 9999 {
			return "", false
		}
		b = t.AppendFormat(b, "2006-01-02T15:04:05")
		if digits > 0 {
			b = append(b, '.')
			f := strconv.AppendInt(nil, frac, 10)
			for i := len(f); i < digits; i++ {
				b = append(b, '0')
			}
			b = append(b, f...)
		}
		if z {
			b = append(b, 'Z')
		}
	case kindBoolean:
		switch payload {
		case 0:
			b = append(b, "false"...)
		case 1:
			b = append(b, "true"...)
		default:
			return "", false
		}
	default:
		return "", false
	}
	return string(b), true
}

// inlineSortKey returns the object sort key of inline id id, as sortKey
// returns it for its term, without rebuilding the term: a number's value
// is its digits divided by a power of ten, both exact in a float64, so
// the quotient is the nearest float64, as strconv.ParseFloat reads it.
func inlineSortKey(id uint64) (class byte, v uint64) {
	kind, payload := id&(1<<kindBits-1), (id&^inlineBit)>>kindBits
	switch kind {
	case kindInteger, kindInt, kindLong, kindDecimal, kindDouble:
		f := float64(payload>>5) / float64(pow10[payload>>1&15])
		if payload&1 != 0 {
			f = -f
		}
		return classNumber, floatKey(f)
	case kindDateTime:
		digits, units := payload>>1&7, unzigzag(payload>>4)
		return classDateTime, uint64(units*int64(pow10[6-digits])) ^ 1<<63
	}
	return classOther, 0
}

// inlineTerm returns the term of inline id id.
func inlineTerm(id uint64) (rdf.Term, error) {
	enc, ok := inlineEnc(id)
	if !ok {
		return nil, fmt.Errorf("%w: inline term %x", ErrCorrupt, id)
	}
	kind := id & (1<<kindBits - 1)
	return rdf.NewTypedLiteral(enc[len(inlineTypes[kind])+2:], inlineTypeIRIs[kind]), nil
}

// inlineTypeIRIs are the datatype IRIs of the kinds of inline terms.
var inlineTypeIRIs = func() (iris [len(inlineTypes)]rdf.IRI) {
	for k, dt := range inlineTypes {
		if dt != "" {
			iris[k] = mustIRI(xsdNS + dt)
		}
	}
	return iris
}()

func mustIRI(s string) rdf.IRI {
	i, err := rdf.NewIRI(s)
	if err != nil {
		panic(err)
	}
	return i
}

// termEncoding returns the encoding of the term with id id (8 bytes
// big-endian): an inline term's, else what the dictionary i2t holds for
// it, nil if nothing.
func termEncoding(i2t interface{ get([]byte) []byte }, id []byte) []byte {
	if n := binary.BigEndian.Uint64(id); isInline(n) {
		enc, ok := inlineEnc(n)
		if !ok {
			return nil
		}
		return []byte(enc)
	}
	return i2t.get(id)
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// inlineAll makes the dictionary and indexes of a file older than
// version 8, in blocks of the layouts from gives, those of version 8:
// each term an id can hold leaves t2i and i2t, and every key and res
// entry naming it names its inline id. The pair buckets are left for the
// caller to rebuild, from res.
func inlineAll(tx *bolt.Tx, from func(*layout) *layout) error {
	ids := make(map[uint64]uint64)
	var dels []op
	c := newCursor(tx.Bucket(bucketI2T), from(layoutI2T))
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if id, ok := inlineID(string(v)); ok {
			ids[binary.BigEndian.Uint64(k)] = id
			dels = append(dels, op{key: dictKey(string(v)), del: true})
		}
	}
	slices.SortFunc(dels, func(a, b op) int { return bytes.Compare(a.key, b.key) })
	t2i := index{b: tx.Bucket(bucketT2I), l: from(layoutT2I)}
	if err := t2i.apply(dels); err != nil {
		return fmt.Errorf("t2i: %w", err)
	}
	if err := repack(tx, bucketT2I, from(layoutT2I), layoutT2I); err != nil {
		return err
	}
	if err := repack(tx, bucketRID, from(layoutRID), layoutRID); err != nil {
		return err
	}
	if err := repackRemap(tx, bucketI2T, from(layoutI2T), layoutI2T, remapping{ids: ids, off: 0, group: 0, drop: true}); err != nil {
		return err
	}
	// Only objects are literals: the o of spog (s | p | o | g) and posg
	// (p | class | value | o | s | g). Text postings are of strings.
	if err := repackRemap(tx, bucketSPOG, from(layoutSPOG), layoutSPOG, remapping{ids: ids, off: 16, group: 16}); err != nil {
		return err
	}
	if err := repackRemap(tx, bucketPOSG, from(layoutPOSG), layoutPOSG, remapping{ids: ids, off: 8 + 9, group: 8 + 9}); err != nil {
		return err
	}
	if err := repack(tx, bucketText, from(layoutText), layoutText); err != nil {
		return err
	}
	if err := eachRes(tx, true, func(k, full []byte) ([]byte, error) {
		for e := full[headerLen:]; len(e) > 0; e = e[entryLen:] {
			if id, ok := ids[binary.BigEndian.Uint64(e[25:])]; ok {
				binary.BigEndian.PutUint64(e[25:], id)
			}
		}
		return packResV9(full), nil
	}); err != nil {
		return err
	}
	meta := tx.Bucket(bucketMeta)
	if v := meta.Get(keyTerms); len(v) == 8 {
		n := binary.BigEndian.Uint64(v) - uint64(len(ids))
		if err := meta.Put(keyTerms, u64(n)); err != nil {
			return err
		}
	}
	return nil
}
