package store

import (
	"bytes"
	"runtime"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// Splicing ops into blocks is the larger part of writing them (decoding a
// block up to its last op, encoding what changes) and touches nothing but
// the block's bytes and the ops; bbolt's reads and writes must stay on
// the transaction's goroutine. So apply, given many ops, plans which
// blocks they fall in (bbolt reads), splices the blocks on other
// goroutines, and writes the results in key order as they come (bbolt
// writes), while the later blocks are spliced.

// parallelSplices is how many goroutines splice blocks for
// applyParallel; 1 writes every op as apply's loop does.
var parallelSplices = runtime.GOMAXPROCS(0)

// minParallelOps is the fewest ops apply splices on other goroutines:
// fewer are spliced faster than goroutines hand them over.
const minParallelOps = 2048

// maxParallelTasks is the most blocks one round of applyParallel plans,
// to bound the spliced blocks it holds.
var maxParallelTasks = 4096

// A splicedBlock is what splice made of a spliceTask.
type splicedBlock struct {
	first, val []byte
	cuts       []blockCut
	err        error
	done       chan struct{} // closed when the fields are set
}

// applyParallel writes ops as apply does, a round of up to
// maxParallelTasks blocks, and returns the ops left.
//
// A block spliced short is joined to the next, as apply's loop does: if
// ops fall in the next block too, to what they make of it, else to the
// block as it is.
func (x index) applyParallel(c *bolt.Cursor, ops []op) ([]op, error) {
	var tasks []spliceTask
	for len(ops) > 0 && len(tasks) < maxParallelTasks {
		t := x.plan(c, ops)
		// The blocks are bbolt's memory, which the writes below may
		// move: the splicers get copies.
		t.bk, t.bv = bytes.Clone(t.bk), bytes.Clone(t.bv)
		tasks = append(tasks, t)
		ops = ops[len(t.ops):]
		if len(ops) > 0 && (t.next == nil || bytes.Compare(ops[0].key, t.next) < 0) {
			// maxPassOps cut the block's ops: the next round
			// splices the rest into what this one writes of it.
			break
		}
	}

	out := make([]splicedBlock, len(tasks))
	for i := range out {
		out[i].done = make(chan struct{})
	}
	var (
		next atomic.Int64
		stop atomic.Bool
		wg   sync.WaitGroup
	)
	for range min(parallelSplices, len(tasks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(tasks) {
					return
				}
				o, t := &out[i], tasks[i]
				o.first, o.val, o.cuts, o.err = x.l.splice(t.bk, t.bv, t.ops)
				close(o.done)
			}
		}()
	}
	// The splicers read the ops, which are the caller's buffer: they are
	// done before this returns.
	defer func() {
		stop.Store(true)
		wg.Wait()
	}()

	// carry holds the entries of a short block that joins the next, and
	// old the blocks they replace.
	var (
		carry []entry
		old   [][]byte
	)
	for i, t := range tasks {
		o := &out[i]
		<-o.done
		if o.err != nil {
			return nil, o.err
		}
		joinsNext := t.next != nil && i+1 < len(tasks) && bytes.Equal(tasks[i+1].bk, t.next)
		if carry == nil {
			if o.first == nil || len(o.val) >= x.l.min || !joinsNext {
				if err := x.writeSpliced(c, t, o.first, o.val, o.cuts); err != nil {
					return nil, err
				}
				continue
			}
			ents, err := x.l.decodeBlock(nil, o.first, o.val)
			if err != nil {
				return nil, err
			}
			carry, old = ents, nil
			if t.bk != nil {
				old = append(old, t.bk)
			}
			continue
		}
		// The block before was short: this one's entries join it.
		ents := carry
		if o.first != nil {
			var err error
			if ents, err = x.l.decodeBlock(ents, o.first, o.val); err != nil {
				return nil, err
			}
		}
		old = append(old, t.bk)
		carry = nil
		if t.next != nil {
			whole, err := x.l.encodeBlock(nil, ents)
			if err != nil {
				return nil, err
			}
			if len(whole) < x.l.min {
				if joinsNext {
					carry = ents
					continue
				}
				if err := x.joinNext(c, ents, old, t.next); err != nil {
					return nil, err
				}
				continue
			}
		}
		if err := x.write(ents, old); err != nil {
			return nil, err
		}
	}
	return ops, nil
}
