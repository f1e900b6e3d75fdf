package store

import (
	"bytes"
	"hash/maphash"
	"slices"
)

// putBuffer holds the writes of keys of one index bucket of a write
// transaction, to write them in key order when the transaction ends, or
// when they grow many: maxPending in all buffers of a txWriter. Writes in
// key order that fall in one index block rewrite it once (see
// index.apply), where writing each resource's keys as it comes would
// rewrite the blocks at the ends of the runs its keys extend, of each
// predicate in posg, once per resource. bbolt besides splits the nodes a
// transaction changes only when it commits, and a key put into a node
// moves every key after it: one large resource written into a small store
// lands in a few nodes (100,000 triples took over a minute, a
// 330,000-word title longer); in key order each key lands after the one
// before, and the write costs in proportion to its keys.
//
// The writer's reads of the bucket see the pending writes: get looks a key
// up, scanPrefix reads the keys under a prefix of the length the buffer
// indexes its keys by, and reads of other kinds flush the buffer first.
// The indexes are built at the first read of a transaction's writes, so
// that a buffer no one reads costs no hashing (text, and i2t, in a Load
// of new records).
type putBuffer struct {
	x       index
	flushed func() // called after each flush that writes
	keys    []byte // the keys, end to end
	ends    []int  // where each key ends in keys
	vals    [][]byte
	dels    []bool

	// With byKey set, last holds the writes by hash of their key, and
	// with prefixLen set, byPrefix by hash of their key's prefix of that
	// length: each map holds the last write, next (nextPre) the one
	// before it with the same hash, -1 ending the chain. Hashes keep the
	// maps free of pointers and allocations. live says the maps hold
	// every pending write.
	byKey     bool
	prefixLen int
	live      bool
	last      map[uint64]int32
	next      []int32
	byPrefix  map[uint64]int32
	nextPre   []int32

	// order and ops are flush's, kept for the next flush.
	order []pendingKey
	ops   []op
}

// maxPending is how many writes a txWriter's buffers hold before it
// flushes them.
var maxPending = 1 << 18

// seed is the seed of the hashes of putBuffer.
var seed = maphash.MakeSeed()

// index makes the buffer keep its keys for get, if byKey, and by their
// prefixes of length prefixLen (if not 0) for scanPrefix.
func (p *putBuffer) index(byKey bool, prefixLen int) {
	p.byKey, p.prefixLen = byKey, prefixLen
	if byKey {
		p.last = make(map[uint64]int32)
	}
	if prefixLen > 0 {
		p.byPrefix = make(map[uint64]int32)
	}
}

// indexed reports whether the buffer answers reads without flushing.
func (p *putBuffer) indexed() bool { return p.byKey || p.prefixLen > 0 }

// add adds a put of k and v; k is copied, v is kept until the transaction
// commits, as bbolt keeps it.
func (p *putBuffer) add(k, v []byte) {
	p.keys = append(p.keys, k...)
	p.ends = append(p.ends, len(p.keys))
	p.vals = append(p.vals, v)
	p.dels = append(p.dels, false)
	if p.live {
		p.indexWrite(len(p.ends) - 1)
	}
}

// indexWrite adds write i, the last indexed plus one, to the indexes.
func (p *putBuffer) indexWrite(i int) {
	k := p.key(i)
	if p.byKey {
		h := maphash.Bytes(seed, k)
		if j, ok := p.last[h]; ok {
			p.next = append(p.next, j)
		} else {
			p.next = append(p.next, -1)
		}
		p.last[h] = int32(i)
	}
	if n := p.prefixLen; n > 0 && len(k) >= n {
		h := maphash.Bytes(seed, k[:n])
		if j, ok := p.byPrefix[h]; ok {
			p.nextPre = append(p.nextPre, j)
		} else {
			p.nextPre = append(p.nextPre, -1)
		}
		p.byPrefix[h] = int32(i)
	} else if n > 0 {
		p.nextPre = append(p.nextPre, -1)
	}
}

// makeLive indexes the pending writes, if they are not yet.
func (p *putBuffer) makeLive() {
	if p.live {
		return
	}
	for i := range p.ends {
		p.indexWrite(i)
	}
	p.live = true
}

// del adds a delete of k, which is copied.
func (p *putBuffer) del(k []byte) {
	p.add(k, nil)
	p.dels[len(p.dels)-1] = true
}

func (p *putBuffer) key(i int) []byte {
	start := 0
	if i > 0 {
		start = p.ends[i-1]
	}
	return p.keys[start:p.ends[i]]
}

// lastWrite returns the last write of key, if the buffer holds one. The
// buffer is live.
func (p *putBuffer) lastWrite(key []byte) (int, bool) {
	if !p.byKey {
		// Among the writes with key's prefix, newest first.
		if len(key) < p.prefixLen {
			return 0, false
		}
		j, ok := p.byPrefix[maphash.Bytes(seed, key[:p.prefixLen])]
		for ok && j >= 0 {
			if bytes.Equal(p.key(int(j)), key) {
				return int(j), true
			}
			j = p.nextPre[j]
		}
		return 0, false
	}
	j, ok := p.last[maphash.Bytes(seed, key)]
	for ok && j >= 0 {
		if bytes.Equal(p.key(int(j)), key) {
			return int(j), true
		}
		j = p.next[j]
	}
	return 0, false
}

// get returns the value of key, as the pending writes leave it: nil if
// there is none. It is valid until the next read of the bucket.
func (p *putBuffer) get(key []byte) []byte {
	if !p.byKey && len(p.ends) > 0 {
		if err := p.flush(); err != nil {
			return nil
		}
	}
	p.makeLive()
	if i, ok := p.lastWrite(key); ok {
		if p.dels[i] {
			return nil
		}
		if p.vals[i] == nil {
			return []byte{}
		}
		return p.vals[i]
	}
	return p.x.get(key)
}

// scanPrefix calls fn with each key that starts with prefix, as the
// pending writes leave them, in no particular order, until fn returns
// false. fn must not keep k. With pendingOnly set, the caller knows the
// bucket holds no such key, and scanPrefix reads the pending writes alone.
func (p *putBuffer) scanPrefix(prefix []byte, pendingOnly bool, fn func(k []byte) bool) error {
	if len(p.ends) > 0 && len(prefix) != p.prefixLen {
		if err := p.flush(); err != nil {
			return err
		}
	}
	p.makeLive()
	if !pendingOnly {
		c := p.x.scratchCursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if _, ok := p.lastWrite(k); ok {
				continue // written since: see below
			}
			if !fn(k) {
				return nil
			}
		}
	}
	if len(p.ends) == 0 {
		return nil
	}
	j, ok := p.byPrefix[maphash.Bytes(seed, prefix)]
	for ; ok && j >= 0; j = p.nextPre[j] {
		k := p.key(int(j))
		if !bytes.HasPrefix(k, prefix) || p.dels[j] {
			continue
		}
		if i, _ := p.lastWrite(k); i != int(j) {
			continue
		}
		if !fn(k) {
			return nil
		}
	}
	return nil
}

// flush writes the keys in key order and empties the buffer. Of writes of
// one key, the last counts.
func (p *putBuffer) flush() error {
	if len(p.ends) == 0 {
		return nil
	}
	return p.write(p.sorted())
}

// sorted returns the buffer's writes in key order, the last of each key's
// alone. It reads the buffer and writes only p.order and p.ops, so that
// one buffer's writes can be sorted while another's are written.
func (p *putBuffer) sorted() []op {
	// Sorted by key, then by the order of writing: an unstable sort of
	// the pairs is faster than a stable one of the writes.
	order := slices.Grow(p.order[:0], len(p.ends))[:len(p.ends)]
	for i := range order {
		order[i] = pendingKey{p.key(i), i}
	}
	slices.SortFunc(order, func(a, b pendingKey) int {
		if c := bytes.Compare(a.k, b.k); c != 0 {
			return c
		}
		return a.i - b.i
	})
	ops := slices.Grow(p.ops[:0], len(order))
	for _, pk := range order {
		i := pk.i
		o := op{key: pk.k, val: p.vals[i], del: p.dels[i]}
		if n := len(ops); n > 0 && bytes.Equal(ops[n-1].key, o.key) {
			ops[n-1] = o
			continue
		}
		ops = append(ops, o)
	}
	p.order, p.ops = order[:0], ops[:0]
	return ops
}

// write writes ops, the buffer's sorted writes, and empties the buffer.
func (p *putBuffer) write(ops []op) error {
	if len(p.ends) == 0 {
		return nil
	}
	err := p.x.apply(ops)
	clear(ops) // let the values go
	p.reset()
	if p.flushed != nil {
		p.flushed()
	}
	return err
}

// pendingKey is a pending write's key and its place in the buffer.
type pendingKey struct {
	k []byte
	i int
}

// reset empties the buffer.
func (p *putBuffer) reset() {
	clear(p.vals) // let the values go
	p.keys, p.ends, p.vals, p.dels = p.keys[:0], p.ends[:0], p.vals[:0], p.dels[:0]
	p.next, p.nextPre = p.next[:0], p.nextPre[:0]
	clear(p.last)
	clear(p.byPrefix)
	p.live = false
}
