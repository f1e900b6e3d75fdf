package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// Since version 7 the sorted index buckets hold blocks rather than one
// bbolt key per index key (see doc.go, File layout): bbolt spends 16
// bytes of element header on each key, more than the keys' own bytes once
// they are compressed against their neighbours. A block is a run of
// consecutive logical keys: its bbolt key is the first of them, its value
// the others, each encoded against the one before it. blockCursor reads
// logical keys as bolt.Cursor reads bbolt keys, and index.apply writes
// them, rewriting each block a run of writes touches once.

// field is the kind of one field of the keys of a block bucket.
type field uint8

const (
	fieldU64  field = iota // 8 bytes big-endian: a term id, a sort value
	fieldByte              // one byte: a sort key's class
	fieldText              // bytes up to and including a 0x00: a token
)

// valueKind is the kind of the values of a block bucket.
type valueKind uint8

const (
	valueNone     valueKind = iota // empty
	valueUvarint                   // a uvarint, stored as it is
	valueU64                       // 8 bytes big-endian, stored as a uvarint
	valueBytes                     // bytes, stored against the previous entry's
	valueChange                    // a change event (kind, time, IRI), stored against those before
	valueU64Delta                  // 8 bytes big-endian, stored as a varint of its change from the previous value
)

// A layout is how the keys and values of a block bucket are made, which
// is how a block encodes them. Keys of a layout with fields are a
// sequence of those fields; keys without are opaque bytes.
type layout struct {
	fields []field
	value  valueKind
	offs   []int // where each field starts, and the key ends; nil if keys vary in length

	// hist: a valueBytes value is encoded against the one of the
	// histLen entries before it that shares the longest prefix with it,
	// not the one before alone (see appendValueHist).
	hist bool
	// Block sizes, in bytes of encoded entries: a write cuts a block
	// longer than max into blocks of about target, and joins one shorter
	// than min to the next.
	target, max, min int
	// rot: ids and values after the first field that differs are
	// encoded rotated left one bit (see rotl), as in version 8.
	rot bool
	// relTo, if set, holds for each field the index of an earlier id
	// field it is written against, or -1: a graph id is written as its
	// difference from the subject's of its own key, which is 0 for the
	// resource's own triples and small for its nested nodes', where the
	// change from the previous key's graph is as large as the subject's.
	// Not for the first field that differs.
	relTo []int
	// derive, if not 0, is the field of an object sort key's class,
	// followed by its value and the object's id: a key whose object is an
	// inline term, whose class and value its id gives, is written
	// without the value (see fieldDerived).
	derive int
	// v7, if set, is the layout of the bucket in version 7 files.
	v7 *layout
}

// v8 returns a copy of l, a layout of version 7, that rotates ids, with
// l as its layout of version 7.
func (l *layout) v8() *layout {
	n := *l
	n.rot, n.v7 = true, l
	return &n
}

// relative returns a copy of l with fields written against others:
// pairs of a field and the earlier field it is written against.
func (l *layout) relative(pairs ...int) *layout {
	n := *l
	n.relTo = make([]int, len(l.fields))
	for i := range n.relTo {
		n.relTo[i] = -1
	}
	for i := 0; i < len(pairs); i += 2 {
		n.relTo[pairs[i]] = pairs[i+1]
	}
	return &n
}

// sized returns a copy of l whose writes cut blocks to about target
// bytes, not l.target.
func (l *layout) sized(target int) *layout {
	n := *l
	n.target = target
	return &n
}

// maxFields bounds the fields of a layout.
const maxFields = 16

// deriving returns a copy of l with derive d.
func (l *layout) deriving(d int) *layout {
	n := *l
	n.derive = d
	return &n
}

// fieldDerived, set in the byte of an entry that says how many fields it
// shares with the key before, says that the value of its object sort key
// is not written: the object is an inline term, which gives it.
const fieldDerived = 0x80

// derived reports whether key, of a layout with derive, can be written
// without the value of its sort key.
func (l *layout) derived(key []byte) bool {
	o := binary.BigEndian.Uint64(key[l.offs[l.derive+2]:])
	if !isInline(o) {
		return false
	}
	class, v := inlineSortKey(o)
	return key[l.offs[l.derive]] == class && binary.BigEndian.Uint64(key[l.offs[l.derive+1]:]) == v
}

// deltaValues returns a copy of l, of version 7, whose values are
// stored as the change from the previous value, as in version 8: a
// dictionary's neighbours in key order (a record's IRI and its nodes',
// consecutive records' identifiers) got their ids together.
func deltaValues(l *layout) *layout {
	n := *l
	n.value, n.v7 = valueU64Delta, l
	return &n
}

// rotl rotates v left one bit: an inline term id (see inlineBit), whose
// top bit is set, becomes an odd number of the size of its other bits,
// so that the varint of its difference from a dictionary id or a small
// value is as short as that, not 9 or 10 bytes.
func rotl(v uint64) uint64 { return v<<1 | v>>63 }

// rotr is the inverse of rotl.
func rotr(v uint64) uint64 { return v>>1 | v<<63 }

// rotIf is rotl if rot, else v.
func rotIf(rot bool, v uint64) uint64 {
	if rot {
		return rotl(v)
	}
	return v
}

// unrotIf is rotr if rot, else v.
func unrotIf(rot bool, v uint64) uint64 {
	if rot {
		return rotr(v)
	}
	return v
}

// newLayout returns the layout of keys of fields and values of kind v,
// in blocks of the default sizes.
func newLayout(v valueKind, fields ...field) *layout {
	l := &layout{fields: fields, value: v, target: blockTarget, max: blockMax, min: blockMin}
	offs := []int{0}
	for _, f := range fields {
		switch f {
		case fieldU64:
			offs = append(offs, offs[len(offs)-1]+8)
		case fieldByte:
			offs = append(offs, offs[len(offs)-1]+1)
		default:
			return l
		}
	}
	if len(fields) > 0 {
		l.offs = offs
	}
	return l
}

// The layouts of the block buckets; see doc.go.
var (
	layoutSPOG    = newLayout(valueNone, fieldU64, fieldU64, fieldU64, fieldU64).v8().relative(3, 0)
	layoutPOSG    = newLayout(valueNone, fieldU64, fieldByte, fieldU64, fieldU64, fieldU64, fieldU64).v8().deriving(1).relative(5, 4)
	layoutText    = newLayout(valueUvarint, fieldText, fieldU64, fieldU64, fieldU64, fieldU64).v8().relative(4, 1)
	layoutPair    = newLayout(valueNone, fieldU64, fieldU64, fieldU64, fieldByte, fieldU64, fieldU64, fieldU64, fieldU64, fieldU64).v8().deriving(3).relative(7, 6, 8, 6)
	layoutPairVia = newLayout(valueNone, fieldU64, fieldU64, fieldU64, fieldU64, fieldByte, fieldU64, fieldU64, fieldU64, fieldU64, fieldU64, fieldU64).v8().deriving(4).relative(8, 7)
	layoutT2I     = deltaValues(newLayout(valueU64))
	layoutI2T     = func() *layout {
		l := newLayout(valueBytes, fieldU64)
		l.hist = true
		l.target, l.max, l.min = i2tTarget, 2*i2tTarget, i2tTarget/4
		l.v7 = layoutI2T7
		return l
	}()
	layoutRID = deltaValues(newLayout(valueU64))

	// layoutChanges is the change log's, since version 8: an event
	// against those before it (see appendValueHist).
	layoutChanges = func() *layout {
		l := newLayout(valueChange, fieldU64)
		l.hist = true
		l.target, l.max, l.min = i2tTarget, 2*i2tTarget, i2tTarget/4
		return l
	}()

	// layoutI2T7 is i2t's layout in version 7: each encoding against the
	// one before, in blocks of the default sizes.
	layoutI2T7 = newLayout(valueBytes, fieldU64)
)

// i2tTarget is the size i2t blocks are cut to. Its entries are encoded
// against any of the histLen before them, which a longer block gives
// more of: measured at 100,000 records, i2t took 41 bytes a term in
// blocks of 128 bytes with an entry encoded against the one before, 17
// in blocks of 512 against the best of 16.
const i2tTarget = 512

// histLen is how many entries back a value of a layout with hist may be
// encoded against.
const histLen = 16

// blockBuckets are the buckets of version 7 held in blocks, with their
// layouts.
var blockBuckets = []struct {
	name []byte
	l    *layout
}{
	{bucketSPOG, layoutSPOG}, {bucketPOSG, layoutPOSG}, {bucketText, layoutText},
	{bucketPair, layoutPair}, {bucketPairVia, layoutPairVia}, {bucketT2I, layoutT2I},
	{bucketI2T, layoutI2T}, {bucketRID, layoutRID},
}

// Default block sizes, in bytes of encoded entries: a write cuts a block
// longer than blockMax into blocks of about blockTarget, and joins one
// shorter than blockMin to the next. Keys mostly come in order (see
// fillPercent), so that the blocks a write cuts stay as they are.
const (
	blockTarget = 128
	blockMax    = 256
	blockMin    = 32
)

// errBlock is the error of an ill-formed block.
func errBlock(k []byte) error { return fmt.Errorf("%w: index block %x", ErrCorrupt, k) }

// fieldEnd returns where field f of key, starting at i, ends.
func (l *layout) fieldEnd(key []byte, i int, f int) (int, bool) {
	if l.offs != nil {
		return l.offs[f+1], len(key) == l.offs[len(l.offs)-1]
	}
	switch l.fields[f] {
	case fieldU64:
		return i + 8, i+8 <= len(key)
	case fieldByte:
		return i + 1, i+1 <= len(key)
	default:
		j := bytes.IndexByte(key[i:], 0)
		return i + j + 1, j >= 0
	}
}

// appendValue appends the encoding of value v, which follows the value pv
// (nil for the first entry of a block).
func (l *layout) appendValue(dst, pv, v []byte) ([]byte, bool) {
	switch l.value {
	case valueBytes, valueChange:
		if v == nil {
			return dst, false
		}
		n := commonPrefix(pv, v)
		dst = binary.AppendUvarint(dst, uint64(n))
		dst = binary.AppendUvarint(dst, uint64(len(v)-n))
		return append(dst, v[n:]...), true
	case valueUvarint:
		if _, n := binary.Uvarint(v); n <= 0 || n != len(v) {
			return dst, false
		}
		return append(dst, v...), true
	case valueU64:
		if len(v) != 8 {
			return dst, false
		}
		return binary.AppendUvarint(dst, binary.BigEndian.Uint64(v)), true
	case valueU64Delta:
		if len(v) != 8 {
			return dst, false
		}
		if pv == nil {
			return binary.AppendUvarint(dst, binary.BigEndian.Uint64(v)), true
		}
		return binary.AppendVarint(dst, int64(binary.BigEndian.Uint64(v)-binary.BigEndian.Uint64(pv))), true
	}
	return dst, len(v) == 0
}

// decodeValue appends the value encoded at the start of src, which
// follows the value pv, to dst, and returns the rest of src. dst may be
// pv[:0]: the value is decoded in place.
func (l *layout) decodeValue(dst, pv, src []byte) ([]byte, []byte, bool) {
	switch l.value {
	case valueBytes, valueChange:
		n, a := binary.Uvarint(src)
		if a <= 0 {
			return dst, src, false
		}
		m, b := binary.Uvarint(src[a:])
		if b <= 0 || n > uint64(len(pv)) || m > uint64(len(src)-a-b) {
			return dst, src, false
		}
		src = src[a+b:]
		dst = append(dst, pv[:n]...)
		return append(dst, src[:m]...), src[m:], true
	case valueUvarint:
		_, n := binary.Uvarint(src)
		if n <= 0 {
			return dst, src, false
		}
		return append(dst, src[:n]...), src[n:], true
	case valueU64:
		v, n := binary.Uvarint(src)
		if n <= 0 {
			return dst, src, false
		}
		return binary.BigEndian.AppendUint64(dst, v), src[n:], true
	case valueU64Delta:
		if pv == nil {
			v, n := binary.Uvarint(src)
			if n <= 0 {
				return dst, src, false
			}
			return binary.BigEndian.AppendUint64(dst, v), src[n:], true
		}
		d, n := binary.Varint(src)
		if n <= 0 || len(pv) != 8 {
			return dst, src, false
		}
		v := binary.BigEndian.Uint64(pv) + uint64(d) // pv may be dst's memory: read first
		return binary.BigEndian.AppendUint64(dst, v), src[n:], true
	}
	return dst, src, true
}

// appendEntry appends the encoding of key and its value v, which follow
// the entries prevs (at least one) in the block: prev, the last of them. Without fields: the length of the prefix key shares
// with prev and the rest of key. With fields: how many leading fields key
// shares with prev, then the first field that differs (a number as its
// increase over prev's, a token as its shared prefix length and the rest),
// then the other fields (numbers as uvarints, tokens as their length and
// bytes). It fails on a key that is not after prev or not of the layout.
func (l *layout) appendEntry(dst []byte, prevs []entry, key, v []byte) ([]byte, error) {
	prev, pv := prevs[len(prevs)-1].k, prevs[len(prevs)-1].v
	if bytes.Compare(prev, key) >= 0 {
		return dst, fmt.Errorf("%w: index key %x after %x", ErrCorrupt, key, prev)
	}
	bad := func() error { return fmt.Errorf("%w: index key %x", ErrCorrupt, key) }
	if l.fields == nil {
		n := commonPrefix(prev, key)
		dst = binary.AppendUvarint(dst, uint64(n))
		dst = binary.AppendUvarint(dst, uint64(len(key)-n))
		dst = append(dst, key[n:]...)
	} else {
		i, pi, f := 0, 0, 0
		var starts [maxFields]int // where key's fields start
		if l.offs != nil {
			copy(starts[:], l.offs)
			// The first field holding a byte that differs.
			n := l.offs[len(l.offs)-1]
			if len(key) != n || len(prev) != n {
				return dst, bad()
			}
			d := commonPrefix(prev, key)
			for l.offs[f+1] <= d {
				f++
			}
			i, pi = l.offs[f], l.offs[f]
		}
		for ; f < len(l.fields); f++ {
			starts[f] = i
			e, ok1 := l.fieldEnd(key, i, f)
			pe, ok2 := l.fieldEnd(prev, pi, f)
			if !ok1 || !ok2 {
				return dst, bad()
			}
			if !bytes.Equal(key[i:e], prev[pi:pe]) {
				break
			}
			i, pi = e, pe
		}
		if f == len(l.fields) {
			return dst, bad()
		}
		// The value of the sort key, if written, and its object's id
		// is an inline term's, goes: the id gives it.
		derive := l.derive > 0 && f <= l.derive+1 && l.derived(key)
		if derive {
			dst = append(dst, byte(f)|fieldDerived)
		} else {
			dst = append(dst, byte(f))
		}
		e, _ := l.fieldEnd(key, i, f)
		pe, _ := l.fieldEnd(prev, pi, f)
		switch {
		case derive && f == l.derive+1:
		case l.fields[f] == fieldU64:
			dst = binary.AppendUvarint(dst, binary.BigEndian.Uint64(key[i:])-binary.BigEndian.Uint64(prev[pi:]))
		case l.fields[f] == fieldByte:
			dst = append(dst, key[i])
		default:
			n := commonPrefix(key[i:e], prev[pi:pe])
			dst = binary.AppendUvarint(dst, uint64(n))
			dst = binary.AppendUvarint(dst, uint64(e-i-n))
			dst = append(dst, key[i+n:e]...)
		}
		i, pi = e, pe
		for f++; f < len(l.fields); f++ {
			e, ok := l.fieldEnd(key, i, f)
			if !ok {
				return dst, bad()
			}
			pe, pok := l.fieldEnd(prev, pi, f)
			starts[f] = i
			if derive && f == l.derive+1 {
				i, pi = e, pe
				continue
			}
			switch l.fields[f] {
			case fieldU64:
				if l.relTo != nil && l.relTo[f] >= 0 {
					r := starts[l.relTo[f]]
					dst = binary.AppendVarint(dst, int64(binary.BigEndian.Uint64(key[i:])-binary.BigEndian.Uint64(key[r:])))
				} else if v := rotIf(l.rot, binary.BigEndian.Uint64(key[i:])); pok && i == pi {
					// Aligned with the previous key's field: its
					// change, which is small more often than not (the
					// same graph, ids given out together).
					dst = binary.AppendVarint(dst, int64(v-rotIf(l.rot, binary.BigEndian.Uint64(prev[pi:]))))
				} else {
					dst = binary.AppendUvarint(dst, v)
				}
			case fieldByte:
				dst = append(dst, key[i])
			case fieldText:
				dst = binary.AppendUvarint(dst, uint64(e-i))
				dst = append(dst, key[i:e]...)
			}
			i, pi = e, pe
		}
		if i != len(key) {
			return dst, bad()
		}
	}
	if l.hist {
		if v == nil || l.value == valueChange && len(v) < changeHeaderLen {
			return dst, fmt.Errorf("%w: value %x of index key %x", ErrCorrupt, v, key)
		}
		return l.appendValueHist(dst, prevs, v), nil
	}
	dst, ok := l.appendValue(dst, pv, v)
	if !ok {
		return dst, fmt.Errorf("%w: value %x of index key %x", ErrCorrupt, v, key)
	}
	return dst, nil
}

// appendValueHist appends the encoding of value v after the entries
// prevs in a block of a layout with hist (appendHist; the change log's
// own, appendChangeValue).
func (l *layout) appendValueHist(dst []byte, prevs []entry, v []byte) []byte {
	if l.value == valueChange {
		return appendChangeValue(dst, prevs, v)
	}
	return appendHist(dst, prevs, 0, v)
}

// appendHist appends v encoded against the values of prevs past their
// first skip bytes: the uvarint of the length n of the prefix it shares
// with the value b entries back (b from 0 to histLen-1, the one sharing
// the most) as n*histLen+b, the uvarint length of the rest, the rest.
func appendHist(dst []byte, prevs []entry, skip int, v []byte) []byte {
	best, back := 0, 0
	for b := 0; b < histLen && b < len(prevs); b++ {
		pv := prevs[len(prevs)-1-b].v
		if len(pv) < skip {
			continue
		}
		if n := commonPrefix(pv[skip:], v); n > best {
			best, back = n, b
		}
	}
	dst = binary.AppendUvarint(dst, uint64(best)*histLen+uint64(back))
	dst = binary.AppendUvarint(dst, uint64(len(v)-best))
	return append(dst, v[best:]...)
}

// decodeHist decodes what appendHist encodes at the start of src,
// appending the value to dst.
func decodeHist(dst []byte, prevs []entry, skip int, src []byte) ([]byte, []byte, bool) {
	x, a := binary.Uvarint(src)
	if a <= 0 {
		return dst, src, false
	}
	m, b := binary.Uvarint(src[a:])
	n, back := x/histLen, int(x%histLen)
	if b <= 0 || back >= len(prevs) || m > uint64(len(src)-a-b) {
		return dst, src, false
	}
	pv := prevs[len(prevs)-1-back].v
	if len(pv) < skip || n > uint64(len(pv)-skip) {
		return dst, src, false
	}
	src = src[a+b:]
	dst = append(dst, pv[skip:skip+int(n)]...)
	return append(dst, src[:m]...), src[m:], true
}

// decodeValueHist is decodeValue for a layout with hist: it appends the
// value at the start of src, which follows the entries prevs, to dst.
func decodeValueHist(dst []byte, prevs []entry, src []byte) ([]byte, []byte, bool) {
	return decodeHist(dst, prevs, 0, src)
}

// decodeEntry decodes the entry at the start of src, which follows the
// entries prevs (at least one), appending its key and then its value to
// dst. It returns the rest of src and the length of the key.
func (l *layout) decodeEntry(dst []byte, prevs []entry, src []byte) (out, rest []byte, klen int, ok bool) {
	start := len(dst)
	last := prevs[len(prevs)-1]
	if dst, src, ok = l.decodeKey(dst, last.k, src); !ok {
		return dst, src, 0, false
	}
	klen = len(dst) - start
	switch {
	case l.value == valueChange:
		dst, src, ok = decodeChangeValue(dst, prevs, src)
	case l.hist:
		dst, src, ok = decodeValueHist(dst, prevs, src)
	default:
		dst, src, ok = l.decodeValue(dst, last.v, src)
	}
	return dst, src, klen, ok
}

// decodeKey is decodeEntry for the key alone.
func (l *layout) decodeKey(dst, prev, src []byte) (out, rest []byte, ok bool) {
	uv := func() (uint64, bool) {
		v, n := binary.Uvarint(src)
		if n <= 0 {
			return 0, false
		}
		src = src[n:]
		return v, true
	}
	if l.fields == nil {
		n, ok1 := uv()
		m, ok2 := uv()
		if !ok1 || !ok2 || n > uint64(len(prev)) || m > uint64(len(src)) {
			return dst, src, false
		}
		dst = append(dst, prev[:n]...)
		dst = append(dst, src[:m]...)
		src = src[m:]
	} else {
		if len(src) == 0 {
			return dst, src, false
		}
		derive := src[0]&fieldDerived != 0
		shared := int(src[0] &^ fieldDerived)
		if shared >= len(l.fields) || derive && (l.derive == 0 || shared > l.derive+1) {
			return dst, src, false
		}
		start := len(dst)
		src = src[1:]
		pi := 0
		var starts [maxFields]int // where the key's fields start
		if l.offs != nil {
			pi = l.offs[shared]
			copy(starts[:], l.offs)
		} else {
			for f := 0; f < shared; f++ {
				starts[f] = pi
				e, ok := l.fieldEnd(prev, pi, f)
				if !ok {
					return dst, src, false
				}
				pi = e
			}
			starts[shared] = pi
		}
		dst = append(dst, prev[:pi]...)
		pe, ok := l.fieldEnd(prev, pi, shared)
		if !ok {
			return dst, src, false
		}
		switch {
		case derive && shared == l.derive+1:
			dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0) // set below
		case l.fields[shared] == fieldU64:
			d, ok := uv()
			if !ok {
				return dst, src, false
			}
			dst = binary.BigEndian.AppendUint64(dst, binary.BigEndian.Uint64(prev[pi:])+d)
		case l.fields[shared] == fieldByte:
			if len(src) == 0 {
				return dst, src, false
			}
			dst = append(dst, src[0])
			src = src[1:]
		default:
			n, ok1 := uv()
			m, ok2 := uv()
			if !ok1 || !ok2 || n > uint64(pe-pi) || m > uint64(len(src)) {
				return dst, src, false
			}
			dst = append(dst, prev[pi:pi+int(n)]...)
			dst = append(dst, src[:m]...)
			src = src[m:]
		}
		pi = pe
		for f := shared + 1; f < len(l.fields); f++ {
			pe, pok := l.fieldEnd(prev, pi, f)
			starts[f] = len(dst) - start
			if derive && f == l.derive+1 {
				dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0) // set below
				pi = pe
				continue
			}
			switch l.fields[f] {
			case fieldU64:
				if l.relTo != nil && l.relTo[f] >= 0 {
					d, n := binary.Varint(src)
					if n <= 0 {
						return dst, src, false
					}
					src = src[n:]
					base := binary.BigEndian.Uint64(dst[start+starts[l.relTo[f]]:])
					dst = binary.BigEndian.AppendUint64(dst, base+uint64(d))
					break
				}
				if pok && len(dst)-start == pi {
					// As appendEntry: the change from the previous
					// key's field. In place, prev's field is read
					// before it is written over.
					d, n := binary.Varint(src)
					if n <= 0 {
						return dst, src, false
					}
					src = src[n:]
					dst = binary.BigEndian.AppendUint64(dst, unrotIf(l.rot, rotIf(l.rot, binary.BigEndian.Uint64(prev[pi:]))+uint64(d)))
					break
				}
				v, ok := uv()
				if !ok {
					return dst, src, false
				}
				dst = binary.BigEndian.AppendUint64(dst, unrotIf(l.rot, v))
			case fieldByte:
				if len(src) == 0 {
					return dst, src, false
				}
				dst = append(dst, src[0])
				src = src[1:]
			case fieldText:
				m, ok := uv()
				if !ok || m > uint64(len(src)) {
					return dst, src, false
				}
				dst = append(dst, src[:m]...)
				src = src[m:]
			}
			pi = pe
		}
		if derive {
			k := dst[start:]
			o := binary.BigEndian.Uint64(k[l.offs[l.derive+2]:])
			class, v := inlineSortKey(o)
			if !isInline(o) || k[l.offs[l.derive]] != class {
				return dst, src, false
			}
			binary.BigEndian.PutUint64(k[l.offs[l.derive+1]:], v)
		}
	}
	return dst, src, true
}

func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// entry is a decoded key and value.
type entry struct{ k, v []byte }

// decodeBlock appends the entries of the block with bbolt key bk and
// value bv to ents, decoded into fresh memory.
func (l *layout) decodeBlock(ents []entry, bk, bv []byte) ([]entry, error) {
	buf := make([]byte, 0, len(bk)+4*len(bv)+16)
	buf = append(buf, bk...)
	buf, rest, ok := l.decodeValue(buf, nil, bv)
	if !ok {
		return ents, errBlock(bk)
	}
	ents = append(ents, entry{k: buf[:len(bk):len(bk)], v: buf[len(bk):len(buf):len(buf)]})
	for len(rest) > 0 {
		start := len(buf)
		var klen int
		buf, rest, klen, ok = l.decodeEntry(buf, ents, rest)
		if !ok {
			return ents, errBlock(bk)
		}
		ents = append(ents, entry{k: buf[start : start+klen : start+klen], v: buf[start+klen : len(buf) : len(buf)]})
	}
	return ents, nil
}

// encodeBlock encodes ents[1:] against ents[0], the block's bbolt key.
func (l *layout) encodeBlock(dst []byte, ents []entry) ([]byte, error) {
	dst, ok := l.appendValue(dst, nil, ents[0].v)
	if !ok {
		return dst, fmt.Errorf("%w: value %x of index key %x", ErrCorrupt, ents[0].v, ents[0].k)
	}
	var err error
	for i := 1; i < len(ents); i++ {
		if dst, err = l.appendEntry(dst, ents[:i], ents[i].k, ents[i].v); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// blockCursor is a bolt.Cursor over the logical keys of a block bucket,
// or, without a layout, over the keys of a plain one. Its keys and values
// are valid for the life of the transaction, as bolt's are: each block is
// decoded into fresh memory.
type blockCursor struct {
	c *bolt.Cursor
	l *layout // nil: a plain bucket

	bkey    []byte  // the current block's bbolt key
	bval    []byte  // its value
	base    int     // the index in the block of ents[0]
	rest    []byte  // its entries not decoded yet
	scan    []byte  // a key decoded in place by Seek
	scanVal []byte  // and its value
	buf     []byte  // its decoded keys and values
	ents    []entry // its decoded entries
	i       int     // the current entry

	// reuse makes each block decode into the memory of the last: for
	// the writer's own reads, which keep no key past the next move.
	reuse bool
}

func newCursor(b *bolt.Bucket, l *layout) *blockCursor {
	return &blockCursor{c: b.Cursor(), l: l}
}

// load makes the block bk, bv current, decoding its first entry, and
// returns that.
func (c *blockCursor) load(bk, bv []byte) (k, v []byte) {
	c.ents = c.ents[:0]
	c.rest = nil
	if bk == nil {
		return nil, nil
	}
	c.bkey, c.bval, c.base = bk, bv, 0
	if n := len(bk) + 4*len(bv) + 64; c.reuse && cap(c.buf) >= n {
		c.buf = c.buf[:0]
	} else {
		c.buf = make([]byte, 0, n)
	}
	c.buf = append(c.buf, bk...)
	var ok bool
	c.buf, c.rest, ok = c.l.decodeValue(c.buf, nil, bv)
	if !ok {
		c.rest = nil
	}
	c.ents = append(c.ents, entry{k: c.buf[:len(bk):len(bk)], v: c.buf[len(bk):len(c.buf):len(c.buf)]})
	c.i = 0
	return c.ents[0].k, c.ents[0].v
}

// decodeNext decodes the block's next entry, if any.
func (c *blockCursor) decodeNext() bool {
	if len(c.rest) == 0 {
		return false
	}
	start := len(c.buf)
	var klen int
	var ok bool
	c.buf, c.rest, klen, ok = c.l.decodeEntry(c.buf, c.ents, c.rest)
	if !ok {
		// An ill-formed block ends where it stops making sense.
		c.buf, c.rest = c.buf[:start], nil
		return false
	}
	c.ents = append(c.ents, entry{k: c.buf[start : start+klen : start+klen], v: c.buf[start+klen : len(c.buf) : len(c.buf)]})
	return true
}

func (c *blockCursor) at() (k, v []byte) { return c.ents[c.i].k, c.ents[c.i].v }

// First moves to the first key.
func (c *blockCursor) First() (k, v []byte) {
	if c.l == nil {
		return c.c.First()
	}
	return c.load(c.c.First())
}

// Last moves to the last key.
func (c *blockCursor) Last() (k, v []byte) {
	if c.l == nil {
		return lastKey(c.c)
	}
	if k, _ := c.load(lastKey(c.c)); k == nil {
		return nil, nil
	}
	for c.decodeNext() {
	}
	c.i = len(c.ents) - 1
	return c.at()
}

// Next moves to the next key.
func (c *blockCursor) Next() (k, v []byte) {
	if c.l == nil {
		return c.c.Next()
	}
	if len(c.ents) == 0 {
		return nil, nil
	}
	if c.i+1 < len(c.ents) || c.decodeNext() {
		c.i++
		return c.at()
	}
	return c.load(c.c.Next())
}

// Prev moves to the previous key.
func (c *blockCursor) Prev() (k, v []byte) {
	if c.l == nil {
		return c.c.Prev()
	}
	if len(c.ents) == 0 {
		return nil, nil
	}
	if c.i > 0 {
		c.i--
		return c.at()
	}
	if c.base > 0 {
		// Seek decoded the block from entry base on.
		base := c.base
		c.load(c.bkey, c.bval)
		for len(c.ents) < base && c.decodeNext() {
		}
		c.i = len(c.ents) - 1
		return c.at()
	}
	if k, _ := c.load(prevKey(c.c, c.bkey)); k == nil {
		return nil, nil
	}
	for c.decodeNext() {
	}
	c.i = len(c.ents) - 1
	return c.at()
}

// lastKey is c.Last. bbolt's Last loops for ever once a write
// transaction's deletes have emptied every leaf of a bucket of more than
// one page (it steps back to the first leaf, which steps forward to the
// last, and again); a writer that reclaims terms once its keys are gone
// (see unusedTerms) meets such buckets. First tells them.
func lastKey(c *bolt.Cursor) (k, v []byte) {
	if k, _ := c.First(); k == nil {
		return nil, nil
	}
	return c.Last()
}

// prevKey is c.Prev, c being at key at. bbolt's Prev answers nil, as at
// the first key, when the leaf before is one that the deletes of a write
// transaction emptied (bbolt removes such leaves when the transaction
// commits; its Next, First and Last step over them, its Prev does not).
// Then a key before at exists if the first key is before it, and Prev
// again steps over the emptied leaf. With no key before at, c is left at
// the first key, as Prev leaves it.
func prevKey(c *bolt.Cursor, at []byte) (k, v []byte) {
	if k, v = c.Prev(); k != nil {
		return k, v
	}
	if first, _ := c.First(); first == nil || bytes.Compare(first, at) >= 0 {
		return nil, nil
	}
	c.Seek(at)
	for k, v = c.Prev(); k == nil; k, v = c.Prev() {
	}
	return k, v
}

// Seek moves to the first key at or after key.
func (c *blockCursor) Seek(key []byte) (k, v []byte) {
	if c.l == nil {
		return c.c.Seek(key)
	}
	bk, bv := c.c.Seek(key)
	if bk != nil && bytes.Equal(bk, key) {
		return c.load(bk, bv)
	}
	// key is in the block before, if any.
	if bk == nil {
		bk, bv = lastKey(c.c)
	} else {
		bk, bv = prevKey(c.c, bk)
	}
	if bk == nil {
		return c.load(c.c.First())
	}
	if bytes.Compare(bk, key) >= 0 {
		return c.load(bk, bv)
	}
	if c.l.hist {
		// Values refer to those before them: decode them all.
		for k, v := c.load(bk, bv); ; k, v = c.at() {
			if bytes.Compare(k, key) >= 0 {
				return k, v
			}
			if !c.decodeNext() {
				return c.load(c.c.Next())
			}
			c.i++
		}
	}
	// Decode the keys in place up to the first at or after key, and
	// that one into fresh memory.
	sk := append(c.scan[:0], bk...)
	val, rest, ok := c.l.decodeValue(c.scanVal[:0], nil, bv)
	for i := 1; ok && len(rest) > 0; i++ {
		r := rest
		if sk, r, ok = c.l.decodeKey(sk[:0], sk, r); !ok {
			break
		}
		if val, r, ok = c.l.decodeValue(val[:0], val, r); !ok {
			break
		}
		if bytes.Compare(sk, key) >= 0 {
			c.scan, c.scanVal = sk, val
			c.bkey, c.bval, c.base, c.rest, c.i = bk, bv, i, r, 0
			if n := len(sk) + len(val) + 4*len(r) + 64; c.reuse && cap(c.buf) >= n {
				c.buf = c.buf[:0]
			} else {
				c.buf = make([]byte, 0, n)
			}
			c.buf = append(append(c.buf, sk...), val...)
			c.ents = append(c.ents[:0], entry{k: c.buf[:len(sk):len(sk)], v: c.buf[len(sk):len(c.buf):len(c.buf)]})
			return c.at()
		}
		rest = r
	}
	c.scan, c.scanVal = sk, val
	return c.load(c.c.Next())
}

// index is a bucket of index keys of a transaction: packed in blocks
// with layout l, or plain if l is nil (a file older than version 7,
// opened read-only).
type index struct {
	b *bolt.Bucket
	l *layout

	// scratch, if set, is the cursor of the writer's reads that keep no
	// key or value past the next move (see blockCursor.reuse).
	scratch *blockCursor
}

// scratchCursor returns x.scratch, or a new cursor.
func (x index) scratchCursor() *blockCursor {
	if x.scratch != nil {
		return x.scratch
	}
	return x.cursor()
}

// layout returns l if the file holds index blocks, else nil: the layout
// of a cursor or index of a bucket with blocks of layout l.
func (db *DB) layout(l *layout) *layout {
	if !db.blocks {
		return nil
	}
	if db.v7 && l != nil && l.v7 != nil {
		return l.v7
	}
	return l
}

// index returns the index bucket name, of layout l, of the write
// transaction tx.
func (db *DB) index(tx *bolt.Tx, name []byte, l *layout) index {
	x := index{b: tx.Bucket(name), l: db.layout(l)}
	x.scratch = x.cursor()
	x.scratch.reuse = true
	return x
}

func (x index) cursor() *blockCursor { return newCursor(x.b, x.l) }

// get returns the value of key, nil if there is none, valid until the
// next read of x.
func (x index) get(key []byte) []byte {
	if x.l == nil {
		return x.b.Get(key)
	}
	k, v := x.scratchCursor().Seek(key)
	if k == nil || !bytes.Equal(k, key) {
		return nil
	}
	return v
}

// An op is a write of one key: a put of val, or a delete.
type op struct {
	key, val []byte
	del      bool
}

// maxPassOps is the most ops apply merges into one run of blocks at a
// time, to bound the memory of long runs of ops after the last block.
const maxPassOps = 4096

// apply writes ops, sorted by key without repeats, rewriting each block
// they touch once (once per maxPassOps ops). A put of a key that is
// there replaces its value; a delete of one that is not does nothing.
// Many ops are spliced into their blocks on other goroutines (see
// applyParallel).
func (x index) apply(ops []op) error {
	if x.l == nil {
		for _, o := range ops {
			var err error
			if o.del {
				err = x.b.Delete(o.key)
			} else {
				err = x.b.Put(o.key, o.val)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	c := x.b.Cursor()
	for len(ops) > 0 {
		if len(ops) >= minParallelOps && parallelSplices > 1 {
			var err error
			if ops, err = x.applyParallel(c, ops); err != nil {
				return err
			}
			continue
		}
		t := x.plan(c, ops)
		first, val, cuts, err := x.l.splice(t.bk, t.bv, t.ops)
		if err != nil {
			return err
		}
		ops = ops[len(t.ops):]
		if err := x.writeSpliced(c, t, first, val, cuts); err != nil {
			return err
		}
	}
	return nil
}

// A spliceTask is a block and the ops that fall in it.
type spliceTask struct {
	bk, bv []byte // the block: its bbolt key and value; nil if the bucket is empty
	next   []byte // the first key of the block after, in fresh memory; nil: none
	ops    []op   // the ops before next, at most maxPassOps
}

// plan returns the block of ops[0], the last whose first key is not
// after its key, else the first, and the ops that fall in it. bk and bv
// are bbolt's: valid until the transaction ends, as bbolt writes a
// changed page elsewhere.
func (x index) plan(c *bolt.Cursor, ops []op) spliceTask {
	bk, bv := c.Seek(ops[0].key)
	if bk == nil || !bytes.Equal(bk, ops[0].key) {
		if bk == nil {
			bk, bv = lastKey(c)
		} else {
			bk, bv = prevKey(c, bk)
		}
		if bk == nil {
			bk, bv = c.First()
		}
	}
	t := spliceTask{bk: bk, bv: bv}
	if bk != nil {
		if nk, _ := c.Next(); nk != nil {
			t.next = bytes.Clone(nk)
		}
	}
	n := 0
	for n < len(ops) && n < maxPassOps && (t.next == nil || bytes.Compare(ops[n].key, t.next) < 0) {
		n++
	}
	t.ops = ops[:n]
	return t
}

// writeSpliced writes the block of t spliced, whose first key, value and
// cuts splice returned: it deletes an emptied block, cuts a long one,
// and joins a short one to the next.
func (x index) writeSpliced(c *bolt.Cursor, t spliceTask, first, val []byte, cuts []blockCut) error {
	var old [][]byte // the blocks replaced
	if t.bk != nil {
		old = append(old, bytes.Clone(t.bk))
	}
	switch {
	case first == nil:
		return x.write(nil, old)
	case len(val) > x.l.max && cuts != nil:
		return x.cut(first, val, cuts, old)
	case len(val) > x.l.max:
		ents, err := x.l.decodeBlock(nil, first, val)
		if err != nil {
			return err
		}
		return x.write(ents, old)
	case len(val) < x.l.min && t.next != nil:
		// Join a short block to the next.
		ents, err := x.l.decodeBlock(nil, first, val)
		if err != nil {
			return err
		}
		return x.joinNext(c, ents, old, t.next)
	}
	if err := x.b.Put(first, val); err != nil {
		return err
	}
	if t.bk != nil && !bytes.Equal(t.bk, first) {
		return x.b.Delete(t.bk)
	}
	return nil
}

// joinNext writes ents, the entries of a short block that replaces the
// blocks old, joined to the block next, which no op touches.
func (x index) joinNext(c *bolt.Cursor, ents []entry, old [][]byte, next []byte) error {
	nk, nv := c.Seek(next)
	if nk == nil || !bytes.Equal(nk, next) {
		return errBlock(next)
	}
	ents, err := x.l.decodeBlock(ents, nk, nv)
	if err != nil {
		return err
	}
	return x.write(ents, append(old, next))
}

// A blockCut is an entry of a spliced block where a block may start: its
// key and value, in fresh memory, and where its encoding in the spliced
// value starts and ends.
type blockCut struct {
	key, val []byte
	off, end int
}

// splice returns the block with bbolt key bk and value bv (none if bk is
// nil) with ops applied, sorted ops of keys it holds or that come before
// the next block: its first key, nil if it is empty now, and its value,
// both in fresh memory. An entry is encoded against the one before it
// alone, so the entries the ops leave, and whose predecessor they leave,
// keep their encoding: a run of them is copied as it is. Only the entries
// up to the last op are decoded, each in place of the one before, and
// those after it if the block grows past l.max.
//
// So that a long result need not be decoded again to be cut (see
// index.cut), splice returns the entries about l.target bytes apart that
// may start a block; none for a layout with hist, whose entries may be
// encoded against others than the one before.
func (l *layout) splice(bk, bv []byte, ops []op) (first, val []byte, cuts []blockCut, err error) {
	if l.hist {
		first, val, err = l.spliceAll(bk, bv, ops)
		return first, val, nil, err
	}
	out := make([]byte, 0, len(bv)+len(ops)*24+64)
	var (
		prev, prevVal       []byte // the last entry put into out; nil: none yet
		prevBuf, prevValBuf []byte // prev, when it was cur
		prevIsCur           bool   // prev is cur's memory
		intact              bool   // prev is the original predecessor of cur
		lastCut             int    // where the last block (or cut) starts in out
	)
	// mayCut records the entry k, v encoded at out[off:] as a cut if
	// the block before it is long enough.
	mayCut := func(k, v []byte, off int) {
		if off-lastCut >= l.target {
			cuts = append(cuts, blockCut{key: bytes.Clone(k), val: bytes.Clone(v), off: off, end: len(out)})
			lastCut = off
		}
	}
	put := func(k, v []byte) error {
		var ok bool
		if prev == nil {
			first = bytes.Clone(k)
			if out, ok = l.appendValue(out, nil, v); !ok {
				return fmt.Errorf("%w: value %x of index key %x", ErrCorrupt, v, k)
			}
			prev, prevVal = first, bytes.Clone(v)
			return nil
		}
		off := len(out)
		if out, err = l.appendEntry(out, []entry{{k: prev, v: prevVal}}, k, v); err != nil {
			return err
		}
		mayCut(k, v, off)
		prev, prevVal = k, v
		return nil
	}
	// The original entries, one at a time: key, value, and encoding.
	var cur, curVal, raw, valBuf []byte
	rest := bv
	if bk != nil {
		cur = append(make([]byte, 0, len(bk)+32), bk...)
		var ok bool
		var r []byte
		if curVal, r, ok = l.decodeValue(nil, nil, rest); !ok {
			return nil, nil, nil, errBlock(bk)
		}
		raw, rest = rest[:len(rest)-len(r)], r
	}
	nextOrig := func() error {
		if len(rest) == 0 {
			cur = nil
			return nil
		}
		if prevIsCur {
			prevBuf = append(prevBuf[:0], cur...)
			prevValBuf = append(prevValBuf[:0], curVal...)
			prev, prevVal, prevIsCur = prevBuf, prevValBuf, false
		}
		var ok bool
		var r []byte
		if cur, r, ok = l.decodeKey(cur[:0], cur, rest); !ok {
			return errBlock(bk)
		}
		if valBuf, r, ok = l.decodeValue(valBuf[:0], curVal, r); !ok {
			return errBlock(bk)
		}
		curVal, raw, rest = valBuf, rest[:len(rest)-len(r)], r
		return nil
	}
	keepOrig := func() error {
		switch {
		case prev == nil:
			if err := put(cur, curVal); err != nil {
				return err
			}
		case intact:
			off := len(out)
			out = append(out, raw...)
			mayCut(cur, curVal, off)
			prev, prevVal, prevIsCur = cur, curVal, true
		default:
			if err := put(cur, curVal); err != nil {
				return err
			}
			prevIsCur = true
		}
		intact = true
		return nil
	}
	putOp := func(o op) error {
		intact = false
		if o.del {
			return nil
		}
		prevIsCur = false
		return put(o.key, o.val)
	}
	oi := 0
	for {
		for oi < len(ops) && (cur == nil || bytes.Compare(ops[oi].key, cur) < 0) {
			if err := putOp(ops[oi]); err != nil {
				return nil, nil, nil, err
			}
			oi++
		}
		if cur == nil {
			break
		}
		if oi < len(ops) && bytes.Equal(ops[oi].key, cur) {
			if err := putOp(ops[oi]); err != nil {
				return nil, nil, nil, err
			}
			oi++
		} else if err := keepOrig(); err != nil {
			return nil, nil, nil, err
		}
		if err := nextOrig(); err != nil {
			return nil, nil, nil, err
		}
		if oi == len(ops) && cur != nil {
			// No more ops: the next entry, then the rest as it is,
			// unless the block is to be cut.
			if err := keepOrig(); err != nil {
				return nil, nil, nil, err
			}
			if len(out)+len(rest) <= l.max {
				out = append(out, rest...)
				break
			}
			for {
				if err := nextOrig(); err != nil {
					return nil, nil, nil, err
				}
				if cur == nil {
					break
				}
				if err := keepOrig(); err != nil {
					return nil, nil, nil, err
				}
			}
			break
		}
	}
	return first, out, cuts, nil
}

// cut puts the block with first key first and value val, longer than
// l.max, as blocks starting at first and at cuts (see splice), in
// place of the blocks old. An entry that starts a block is its bbolt key
// and its value alone; the entries after it keep their encoding.
func (x index) cut(first, val []byte, cuts []blockCut, old [][]byte) error {
	if n := len(cuts); n > 0 && len(val)-cuts[n-1].off < x.l.min {
		cuts = cuts[:n-1] // the last block joins the one before
	}
	end := len(val)
	if len(cuts) > 0 {
		end = cuts[0].off
	}
	if err := x.b.Put(first, val[:end:end]); err != nil {
		return err
	}
	for i, c := range cuts {
		end := len(val)
		if i+1 < len(cuts) {
			end = cuts[i+1].off
		}
		v, ok := x.l.appendValue(make([]byte, 0, end-c.end+len(c.val)+binary.MaxVarintLen64), nil, c.val)
		if !ok {
			return fmt.Errorf("%w: value %x of index key %x", ErrCorrupt, c.val, c.key)
		}
		if err := x.b.Put(c.key, append(v, val[c.end:end]...)); err != nil {
			return err
		}
	}
	return x.dropStale(old, func(k []byte) bool {
		return bytes.Equal(k, first) || slices.ContainsFunc(cuts, func(c blockCut) bool { return bytes.Equal(k, c.key) })
	})
}

// dropStale deletes the block keys of old that the blocks written in
// their place do not reuse (kept).
func (x index) dropStale(old [][]byte, kept func(k []byte) bool) error {
	for _, k := range old {
		if kept(k) {
			continue
		}
		if err := x.b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// spliceAll is splice for a layout with hist, whose entries may refer to
// any of those before them: it decodes the whole block and encodes it
// again.
func (l *layout) spliceAll(bk, bv []byte, ops []op) (first, val []byte, err error) {
	var ents []entry
	if bk != nil {
		if ents, err = l.decodeBlock(nil, bk, bv); err != nil {
			return nil, nil, err
		}
	}
	if len(ents) > 0 && bytes.Compare(ops[0].key, ents[len(ents)-1].k) > 0 {
		// Puts after the last entry, as new terms and events come: the
		// entries there keep their encoding.
		val = append(make([]byte, 0, len(bv)+len(ops)*32), bv...)
		for _, o := range ops {
			if o.del {
				continue
			}
			if val, err = l.appendEntry(val, ents, o.key, o.val); err != nil {
				return nil, nil, err
			}
			ents = append(ents, entry{k: o.key, v: o.val})
		}
		return bytes.Clone(bk), val, nil
	}
	out := make([]entry, 0, len(ents)+len(ops))
	i := 0
	for _, o := range ops {
		for i < len(ents) && bytes.Compare(ents[i].k, o.key) < 0 {
			out = append(out, ents[i])
			i++
		}
		if i < len(ents) && bytes.Equal(ents[i].k, o.key) {
			i++
		}
		if !o.del {
			out = append(out, entry{k: o.key, v: o.val})
		}
	}
	out = append(out, ents[i:]...)
	if len(out) == 0 {
		return nil, nil, nil
	}
	if val, err = l.encodeBlock(make([]byte, 0, len(bv)+len(ops)*24+64), out); err != nil {
		return nil, nil, err
	}
	return bytes.Clone(out[0].k), val, nil
}

// write puts ents as blocks in place of the blocks old, cutting them into
// blocks of about l.target if they are longer than l.max.
func (x index) write(ents []entry, old [][]byte) error {
	var keys [][]byte // the bbolt keys put
	if len(ents) > 0 {
		whole, err := x.l.encodeBlock(nil, ents)
		if err != nil {
			return err
		}
		if len(whole) <= x.l.max {
			k := bytes.Clone(ents[0].k)
			if err := x.b.Put(k, whole); err != nil {
				return err
			}
			keys = append(keys, k)
		} else {
			for start := 0; start < len(ents); {
				val, ok := x.l.appendValue(make([]byte, 0, x.l.target+64), nil, ents[start].v)
				if !ok {
					return fmt.Errorf("%w: value of index key %x", ErrCorrupt, ents[start].k)
				}
				end := start + 1
				for ; end < len(ents) && len(val) < x.l.target; end++ {
					if val, err = x.l.appendEntry(val, ents[start:end], ents[end].k, ents[end].v); err != nil {
						return err
					}
				}
				k := bytes.Clone(ents[start].k)
				if err := x.b.Put(k, val); err != nil {
					return err
				}
				keys = append(keys, k)
				start = end
			}
		}
	}
	return x.dropStale(old, func(k []byte) bool {
		return slices.ContainsFunc(keys, func(n []byte) bool { return bytes.Equal(k, n) })
	})
}

// blockBuilder writes keys given in order into an empty block bucket.
type blockBuilder struct {
	b    blockPutter
	l    *layout
	key  []byte  // the bbolt key of the block being built
	prev []entry // the last entries added, up to histLen of this block
	val  []byte
	// target, if not 0, is the size blocks are cut to, in place of
	// l.target (see buildTarget).
	target int
}

// A blockPutter takes the blocks a blockBuilder builds: a bucket, or a
// file that holds them for a while (see packT2I).
type blockPutter interface {
	Put(k, v []byte) error
}

func (bb *blockBuilder) add(k, v []byte) error {
	target := bb.target
	if target == 0 {
		target = bb.l.target
	}
	if bb.key != nil && len(bb.val) >= target {
		if err := bb.flush(); err != nil {
			return err
		}
	}
	var err error
	if bb.key == nil {
		bb.key = bytes.Clone(k)
		bb.prev = bb.prev[:0]
		var ok bool
		if bb.val, ok = bb.l.appendValue(make([]byte, 0, target+64), nil, v); !ok {
			return fmt.Errorf("%w: value %x of index key %x", ErrCorrupt, v, k)
		}
	} else if bb.val, err = bb.l.appendEntry(bb.val, bb.prev, k, v); err != nil {
		return err
	}
	if len(bb.prev) == histLen {
		// Reuse the oldest entry's memory.
		old := bb.prev[0]
		copy(bb.prev, bb.prev[1:])
		bb.prev[histLen-1] = entry{k: append(old.k[:0], k...), v: append(old.v[:0], v...)}
	} else {
		bb.prev = append(bb.prev, entry{k: bytes.Clone(k), v: append([]byte{}, v...)})
	}
	return nil
}

// flush puts the block being built.
func (bb *blockBuilder) flush() error {
	if bb.key == nil {
		return nil
	}
	err := bb.b.Put(bb.key, bb.val)
	bb.key, bb.val = nil, nil
	return err
}

// packIndexes rewrites the index buckets of a version 6 or older file,
// one bbolt key per index key, as blocks. Each is built in a new bucket,
// which then takes the old one's name: bbolt renames no bucket, so the
// blocks are copied, a fraction of the keys' bytes.
func packIndexes(tx *bolt.Tx) error {
	for _, bl := range blockBuckets {
		if err := repack(tx, bl.name, nil, bl.l); err != nil {
			return err
		}
	}
	return nil
}

// repack rewrites the keys of bucket name, in blocks of layout from (nil:
// one bbolt key per key), as blocks of layout to. The blocks are built
// in a new bucket, which then takes the old one's name: bbolt renames no
// bucket, so they are copied, a fraction of the keys' bytes.
func repack(tx *bolt.Tx, name []byte, from, to *layout) error {
	return repackRemap(tx, name, from, to, remapping{})
}

// remapping is how repackRemap changes keys: a key whose 8 bytes at off
// are a term id in ids gets the id it maps to there. The new ids sort
// after those that stay, and a key's first group bytes, before off, stay
// as they are: so keys stay in order but those remapped, which go after
// the others of their group.
type remapping struct {
	ids        map[uint64]uint64 // nil: none
	off, group int
	drop       bool // drop the remapped keys instead (i2t)
}

// repackRemap is repack changing the keys as r says.
func repackRemap(tx *bolt.Tx, name []byte, from, to *layout, r remapping) error {
	old := tx.Bucket(name)
	if old == nil {
		return nil
	}
	tmpName := append(bytes.Clone(name), "~blocks"...)
	tmp, err := tx.CreateBucket(tmpName)
	if err != nil {
		return err
	}
	tmp.FillPercent = 1
	bb := blockBuilder{b: tmp, l: to}
	var (
		group   []byte
		pending []entry // remapped keys of the group
	)
	flushGroup := func() error {
		slices.SortFunc(pending, func(a, b entry) int { return bytes.Compare(a.k, b.k) })
		for _, e := range pending {
			if err := bb.add(e.k, e.v); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		pending = pending[:0]
		return nil
	}
	c := newCursor(old, from)
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if r.ids != nil {
			if len(k) < r.off+8 {
				return fmt.Errorf("%w: %s key %x", ErrCorrupt, name, k)
			}
			if len(pending) > 0 && !bytes.Equal(k[:r.group], group) {
				if err := flushGroup(); err != nil {
					return err
				}
			}
			if id, ok := r.ids[binary.BigEndian.Uint64(k[r.off:])]; ok {
				if r.drop {
					continue
				}
				nk := bytes.Clone(k)
				binary.BigEndian.PutUint64(nk[r.off:], id)
				pending = append(pending, entry{k: nk, v: bytes.Clone(v)})
				group = nk[:r.group]
				continue
			}
		}
		if err := bb.add(k, v); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := flushGroup(); err != nil {
		return err
	}
	if err := bb.flush(); err != nil {
		return err
	}
	seq := old.Sequence()
	nb, err := newBucket(tx, name, 1)
	if err != nil {
		return err
	}
	if err := nb.SetSequence(seq); err != nil { // i2t's: the term ids
		return err
	}
	tc := tmp.Cursor()
	for k, v := tc.First(); k != nil; k, v = tc.Next() {
		if err := nb.Put(k, v); err != nil {
			return err
		}
	}
	return tx.DeleteBucket(tmpName)
}
