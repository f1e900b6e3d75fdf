package store

import (
	"bytes"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// putBuffer holds keys to put into one bucket, to put them in key order.
// bbolt splits the nodes a transaction changes only when it commits, and
// a key put into a node moves every key after it: keys put in random
// order into one node cost time quadratic in their number. The index keys
// of one large resource written into a small store all land in a few
// nodes (100,000 triples took over a minute, a 330,000-word title
// longer); in key order each lands after the one before, and the write
// costs in proportion to its keys.
type putBuffer struct {
	b    *bolt.Bucket
	keys []byte // the keys, end to end
	ends []int  // where each key ends in keys
	vals [][]byte
}

// add adds k and v; k is copied, v is kept until the transaction commits,
// as bbolt keeps it.
func (p *putBuffer) add(k, v []byte) {
	p.keys = append(p.keys, k...)
	p.ends = append(p.ends, len(p.keys))
	p.vals = append(p.vals, v)
}

func (p *putBuffer) key(i int) []byte {
	start := 0
	if i > 0 {
		start = p.ends[i-1]
	}
	return p.keys[start:p.ends[i]]
}

// flush puts the keys in key order and empties the buffer.
func (p *putBuffer) flush() error {
	order := make([]int, len(p.ends))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return bytes.Compare(p.key(a), p.key(b)) })
	for _, i := range order {
		if err := p.b.Put(p.key(i), p.vals[i]); err != nil {
			return err
		}
	}
	p.keys, p.ends, p.vals = p.keys[:0], p.ends[:0], p.vals[:0]
	return nil
}
