package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// A res value holds its entries packed (see doc.go, Resources): an entry
// as written, s | p | class | value | o, 33 bytes, takes about 10 packed,
// as term ids are small, most entries share the previous one's subject,
// and only numbers and dateTimes have a value. Writers and readers work on
// the entries unpacked, as index keys are cut from them.

// Bits of the first byte of a packed entry.
const (
	entrySameSubject = 1 << 0 // s is the previous entry's: not written
	entryValue       = 1 << 1 // the 8-byte value follows p; else it is 0
	entryClassShift  = 2      // the class is in the 2 bits from here
	entryClassMask   = 3
	// entryInline: o is an inline term (version 8), written as the
	// uvarint of its bits but inlineBit, and no class or value, which
	// inlineSortKey derives from it.
	entryInline = 1 << 4
	// entryNearS and entryNearO (version 8): s, o is written as the
	// varint of its difference from the graph id, which is shorter for
	// the terms the resource brought: its nested nodes, its own values.
	entryNearS = 1 << 5
	entryNearO = 1 << 6
)

// resV8 is the first byte of a res value of versions 8 and 9, whose
// header is the uvarints of the ETag sequence and the graph id. A value
// of an older version starts with its sequence, 8 bytes big-endian, whose
// first byte is 0. Since version 10 the value is the uvarint of the
// sequence, then the entries: the graph id is the key.
const resV8 = 0xff

// resHeader returns the ETag sequence and graph id of the res value v of
// version 9 or older.
func resHeader(v []byte) (seq, gid uint64, ok bool) {
	if len(v) > 0 && v[0] == resV8 {
		seq, n := binary.Uvarint(v[1:])
		if n <= 0 {
			return 0, 0, false
		}
		gid, m := binary.Uvarint(v[1+n:])
		return seq, gid, m > 0
	}
	if len(v) < headerLen {
		return 0, 0, false
	}
	return binary.BigEndian.Uint64(v), binary.BigEndian.Uint64(v[8:]), true
}

// resSeq returns the ETag sequence of the res value v.
func resSeq(v []byte) (uint64, bool) {
	seq, n := binary.Uvarint(v)
	return seq, n > 0
}

// appendNear appends x, as the uvarint of x or the varint of its
// difference from base, whichever is shorter, and says which.
func appendNear(dst []byte, x, base uint64) ([]byte, bool) {
	var a, b [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(a[:], x)
	m := binary.PutVarint(b[:], int64(x-base))
	if m < n {
		return append(dst, b[:m]...), true
	}
	return append(dst, a[:n]...), false
}

// packRes returns the res value of version 10 of v (header, entries
// unpacked): the sequence and the entries packed, not the graph id, which
// is the key.
func packRes(v []byte) []byte {
	out := make([]byte, 0, headerLen+len(v)/3)
	out = binary.AppendUvarint(out, binary.BigEndian.Uint64(v))
	return appendEntries(out, v[headerLen:], binary.BigEndian.Uint64(v[8:]))
}

// packResV9 returns the res value of version 8 and 9 of v: packRes's
// with the graph id, after a byte resV8. The upgrades from older versions
// write it, then rewrite res as version 10 does (see keyResByID).
func packResV9(v []byte) []byte {
	out := make([]byte, 0, headerLen+len(v)/3)
	gid := binary.BigEndian.Uint64(v[8:])
	out = append(out, resV8)
	out = binary.AppendUvarint(out, binary.BigEndian.Uint64(v))
	out = binary.AppendUvarint(out, gid)
	return appendEntries(out, v[headerLen:], gid)
}

// appendEntries appends the unpacked entries es, packed, of the resource
// with graph id gid.
func appendEntries(out, es []byte, gid uint64) []byte {
	var prevS uint64
	for i, e := 0, es; len(e) > 0; i, e = i+1, e[entryLen:] {
		s, p, o := binary.BigEndian.Uint64(e[0:]), binary.BigEndian.Uint64(e[8:]), binary.BigEndian.Uint64(e[25:])
		class, val := e[16], binary.BigEndian.Uint64(e[17:])
		flags := class << entryClassShift
		if class > entryClassMask {
			panic(fmt.Sprintf("store: object class %d", class))
		}
		inline := isInline(o)
		switch {
		case inline:
			flags = entryInline
		case val != 0:
			flags |= entryValue
		}
		if i > 0 && s == prevS {
			flags |= entrySameSubject
		}
		at := len(out)
		out = append(out, flags)
		if flags&entrySameSubject == 0 {
			var near bool
			if out, near = appendNear(out, s, gid); near {
				out[at] |= entryNearS
			}
		}
		out = binary.AppendUvarint(out, p)
		if flags&entryValue != 0 {
			out = append(out, e[17:25]...)
		}
		if inline {
			out = binary.AppendUvarint(out, o&^inlineBit)
		} else {
			var near bool
			if out, near = appendNear(out, o, gid); near {
				out[at] |= entryNearO
			}
		}
		prevS = s
	}
	return out
}

// unpackRes appends to dst the res value v of version 10 of the resource
// with graph id gid, unpacked: header (sequence, graph id) and entries.
func unpackRes(dst, v []byte, gid uint64) ([]byte, error) {
	seq, n := binary.Uvarint(v)
	if n <= 0 {
		return nil, fmt.Errorf("%w: res value of %d", ErrCorrupt, gid)
	}
	dst = binary.BigEndian.AppendUint64(dst, seq)
	dst = binary.BigEndian.AppendUint64(dst, gid)
	dst, ok := unpackEntries(dst, v[n:], gid)
	if !ok {
		return nil, fmt.Errorf("%w: res value of %d", ErrCorrupt, gid)
	}
	return dst, nil
}

// unpackResV9 appends to dst the res value v of key of version 9 or
// older, unpacked, or, if the file's entries are not packed (a read-only
// Open of a version 5 file), as it is.
func unpackResV9(dst, v, key []byte, packed bool) ([]byte, error) {
	seq, gid, ok := resHeader(v)
	if !ok {
		return nil, fmt.Errorf("%w: res value of %q", ErrCorrupt, key)
	}
	if !packed {
		if (len(v)-headerLen)%entryLen != 0 {
			return nil, fmt.Errorf("%w: res value of %q", ErrCorrupt, key)
		}
		return append(dst, v...), nil
	}
	var rest []byte
	if v[0] == resV8 {
		_, n := binary.Uvarint(v[1:])
		_, m := binary.Uvarint(v[1+n:])
		rest = v[1+n+m:]
	} else {
		rest = v[headerLen:]
	}
	dst = binary.BigEndian.AppendUint64(dst, seq)
	dst = binary.BigEndian.AppendUint64(dst, gid)
	if dst, ok = unpackEntries(dst, rest, gid); !ok {
		return nil, fmt.Errorf("%w: res value of %q", ErrCorrupt, key)
	}
	return dst, nil
}

// unpackEntries appends to dst the packed entries b of the resource with
// graph id gid, unpacked; false if they are ill-formed.
func unpackEntries(dst, b []byte, gid uint64) ([]byte, bool) {
	var s uint64
	uvarint := func(b []byte) (uint64, []byte, bool) {
		x, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, nil, false
		}
		return x, b[n:], true
	}
	near := func(b []byte, flag bool) (uint64, []byte, bool) {
		if !flag {
			return uvarint(b)
		}
		d, n := binary.Varint(b)
		if n <= 0 {
			return 0, nil, false
		}
		return gid + uint64(d), b[n:], true
	}
	for first := true; len(b) > 0; first = false {
		flags := b[0]
		b = b[1:]
		ok := true
		if flags&entrySameSubject == 0 {
			if s, b, ok = near(b, flags&entryNearS != 0); !ok {
				return nil, false
			}
		} else if first {
			return nil, false
		}
		var p, o uint64
		if p, b, ok = uvarint(b); !ok {
			return nil, false
		}
		var val [8]byte
		if flags&entryValue != 0 {
			if len(b) < 8 {
				return nil, false
			}
			copy(val[:], b)
			b = b[8:]
		}
		if o, b, ok = near(b, flags&entryNearO != 0); !ok {
			return nil, false
		}
		class := flags >> entryClassShift & entryClassMask
		if flags&entryInline != 0 {
			o |= inlineBit
			var v uint64
			class, v = inlineSortKey(o)
			binary.BigEndian.PutUint64(val[:], v)
		}
		dst = binary.BigEndian.AppendUint64(dst, s)
		dst = binary.BigEndian.AppendUint64(dst, p)
		dst = append(dst, class)
		dst = append(dst, val[:]...)
		dst = binary.BigEndian.AppendUint64(dst, o)
	}
	return dst, true
}

// packAllRes packs the entries of every res value of a version 5 or older
// file.
func packAllRes(tx *bolt.Tx) error {
	return eachRes(tx, false, func(_, full []byte) ([]byte, error) { return packResV9(full), nil })
}

// eachRes puts in place of every res value of a version 9 or older file
// (its entries unpacked) what fn returns for it, a chunk of keys at a time
// (a put moves the cursor). packed says whether the values are packed.
func eachRes(tx *bolt.Tx, packed bool, fn func(k, full []byte) ([]byte, error)) error {
	res := tx.Bucket(bucketRes)
	type kv struct{ k, v []byte }
	var after []byte
	for {
		var chunk []kv
		c := res.Cursor()
		k, v := c.First()
		if after != nil {
			if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
				k, v = c.Next()
			}
		}
		for ; k != nil && len(chunk) < 4096; k, v = c.Next() {
			full, err := unpackResV9(nil, v, k, packed)
			if err != nil {
				return err
			}
			nv, err := fn(k, full)
			if err != nil {
				return err
			}
			chunk = append(chunk, kv{bytes.Clone(k), nv})
		}
		if len(chunk) == 0 {
			return nil
		}
		for _, e := range chunk {
			if err := res.Put(e.k, e.v); err != nil {
				return err
			}
		}
		after = chunk[len(chunk)-1].k
	}
}

// keyResByID rewrites the res bucket of a version 9 or older file, keyed
// by resource IRI with the graph id in each value, as version 10 keys it:
// by graph id, the value without it. It reads the values in the order of
// their new keys and writes them into a new bucket in that order, full.
func keyResByID(tx *bolt.Tx) error {
	old := tx.Bucket(bucketRes)
	type ref struct {
		gid uint64
		key []byte // in old, valid until it is deleted
	}
	var refs []ref
	c := old.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		_, gid, ok := resHeader(v)
		if !ok || gid == 0 {
			return fmt.Errorf("%w: res value of %q", ErrCorrupt, k)
		}
		refs = append(refs, ref{gid, k})
	}
	slices.SortFunc(refs, func(a, b ref) int { return cmp.Compare(a.gid, b.gid) })
	vals := make([][]byte, len(refs))
	var full []byte
	for i, r := range refs {
		if i > 0 && refs[i-1].gid == r.gid {
			return fmt.Errorf("%w: resources %q and %q have graph id %d", ErrCorrupt, refs[i-1].key, r.key, r.gid)
		}
		var err error
		if full, err = unpackResV9(full[:0], old.Get(r.key), r.key, true); err != nil {
			return err
		}
		vals[i] = packRes(full)
	}
	seq := old.Sequence() // the ETag sequence
	res, err := newBucket(tx, bucketRes, 1)
	if err != nil {
		return err
	}
	if err := res.SetSequence(seq); err != nil {
		return err
	}
	for i, r := range refs {
		if err := res.Put(u64(r.gid), vals[i]); err != nil {
			return err
		}
	}
	return nil
}
