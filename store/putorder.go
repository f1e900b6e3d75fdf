package store

import (
	"bytes"
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
// up, scanPrefix reads the keys under a prefix of one of the lengths the
// buffer indexes its keys by, and reads of other kinds flush the buffer
// first.
type putBuffer struct {
	x    index
	keys []byte // the keys, end to end
	ends []int  // where each key ends in keys
	vals [][]byte
	dels []bool

	last       map[string]int   // key → its last write; nil: not kept
	prefixLens []int            // prefix lengths scanPrefix reads without a flush
	byPrefix   map[string][]int // prefix → writes of keys with it
}

// maxPending is how many writes a txWriter's buffers hold before it
// flushes them.
const maxPending = 1 << 16

// index makes the buffer keep its keys for get and, by prefixes of the
// lengths lens, for scanPrefix.
func (p *putBuffer) index(lens ...int) {
	p.last = make(map[string]int)
	p.prefixLens = lens
	if len(lens) > 0 {
		p.byPrefix = make(map[string][]int)
	}
}

// add adds a put of k and v; k is copied, v is kept until the transaction
// commits, as bbolt keeps it.
func (p *putBuffer) add(k, v []byte) {
	p.keys = append(p.keys, k...)
	p.ends = append(p.ends, len(p.keys))
	p.vals = append(p.vals, v)
	p.dels = append(p.dels, false)
	i := len(p.ends) - 1
	if p.last != nil {
		p.last[string(k)] = i
	}
	for _, n := range p.prefixLens {
		if len(k) >= n {
			p.byPrefix[string(k[:n])] = append(p.byPrefix[string(k[:n])], i)
		}
	}
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

// get returns the value of key, as the pending writes leave it: nil if
// there is none. It is valid until the next read of the bucket.
func (p *putBuffer) get(key []byte) []byte {
	if i, ok := p.last[string(key)]; ok {
		if p.dels[i] {
			return nil
		}
		if p.vals[i] == nil {
			return []byte{}
		}
		return p.vals[i]
	}
	if p.last == nil && len(p.ends) > 0 {
		if err := p.flush(); err != nil {
			return nil
		}
	}
	return p.x.get(key)
}

// scanPrefix calls fn with each key that starts with prefix, as the
// pending writes leave them, in no particular order, until fn returns
// false. fn must not keep k.
func (p *putBuffer) scanPrefix(prefix []byte, fn func(k []byte) bool) error {
	if len(p.ends) > 0 && !slices.Contains(p.prefixLens, len(prefix)) {
		if err := p.flush(); err != nil {
			return err
		}
	}
	c := p.x.scratchCursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if _, ok := p.last[string(k)]; ok {
			continue // written since: see below
		}
		if !fn(k) {
			return nil
		}
	}
	for _, i := range p.byPrefix[string(prefix)] {
		k := p.key(i)
		if p.dels[i] || p.last[string(k)] != i {
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
	order := make([]int, len(p.ends))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return bytes.Compare(p.key(a), p.key(b)) })
	ops := make([]op, 0, len(order))
	for _, i := range order {
		o := op{key: p.key(i), val: p.vals[i], del: p.dels[i]}
		if n := len(ops); n > 0 && bytes.Equal(ops[n-1].key, o.key) {
			ops[n-1] = o
			continue
		}
		ops = append(ops, o)
	}
	err := p.x.apply(ops)
	p.keys, p.ends, p.vals, p.dels = p.keys[:0], p.ends[:0], p.vals[:0], p.dels[:0]
	clear(p.last)
	clear(p.byPrefix)
	return err
}
