package store

import (
	"bytes"
	"encoding/binary"
	"fmt"

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
)

// packRes returns the res value v (header, entries unpacked) with its
// entries packed.
func packRes(v []byte) []byte {
	out := make([]byte, headerLen, headerLen+len(v)/3)
	copy(out, v[:headerLen])
	var prevS uint64
	for i, e := 0, v[headerLen:]; len(e) > 0; i, e = i+1, e[entryLen:] {
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
		out = append(out, flags)
		if flags&entrySameSubject == 0 {
			out = binary.AppendUvarint(out, s)
		}
		out = binary.AppendUvarint(out, p)
		if flags&entryValue != 0 {
			out = append(out, e[17:25]...)
		}
		out = binary.AppendUvarint(out, o&^inlineBit)
		prevS = s
	}
	return out
}

// unpackRes appends to dst the res value v of key with its entries
// unpacked, or, if the file's entries are not packed (a read-only Open of
// a version 5 file), as it is.
func unpackRes(dst, v, key []byte, packed bool) ([]byte, error) {
	if len(v) < headerLen {
		return nil, fmt.Errorf("%w: res value of %q", ErrCorrupt, key)
	}
	if !packed {
		if (len(v)-headerLen)%entryLen != 0 {
			return nil, fmt.Errorf("%w: res value of %q", ErrCorrupt, key)
		}
		return append(dst, v...), nil
	}
	dst = append(dst, v[:headerLen]...)
	var s uint64
	bad := func() ([]byte, error) { return nil, fmt.Errorf("%w: res value of %q", ErrCorrupt, key) }
	uvarint := func(b []byte) (uint64, []byte, bool) {
		x, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, nil, false
		}
		return x, b[n:], true
	}
	b := v[headerLen:]
	for first := true; len(b) > 0; first = false {
		flags := b[0]
		b = b[1:]
		ok := true
		if flags&entrySameSubject == 0 {
			if s, b, ok = uvarint(b); !ok {
				return bad()
			}
		} else if first {
			return bad()
		}
		var p, o uint64
		if p, b, ok = uvarint(b); !ok {
			return bad()
		}
		var val [8]byte
		if flags&entryValue != 0 {
			if len(b) < 8 {
				return bad()
			}
			copy(val[:], b)
			b = b[8:]
		}
		if o, b, ok = uvarint(b); !ok {
			return bad()
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
	return dst, nil
}

// packAllRes packs the entries of every res value of a version 5 or older
// file.
func packAllRes(tx *bolt.Tx) error {
	return eachRes(tx, false, func(_, full []byte) ([]byte, error) { return packRes(full), nil })
}

// eachRes puts in place of every res value (its entries unpacked) what
// fn returns for it, a chunk of keys at a time (a put moves the cursor).
// packed says whether the values are packed.
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
			full, err := unpackRes(nil, v, k, packed)
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
