package store

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A committer runs the write functions of Create, Replace and Delete in
// group commits: one goroutine takes every call queued while the previous
// transaction committed, runs them in one transaction and fsyncs once.
// Unlike bolt.DB.Batch, which waits MaxBatchDelay for company, it waits
// only for the writers it has just answered: those usually write again at
// once, and without them the writers split into two cohorts that commit
// in turn, each while the other waits, at half the batch and so nearly
// twice the commits (measured: 8 records per commit from 16 writers).
// It waits until each has come back or for half the time the last commit
// took, whichever is first: a lone writer that comes back finds no one to
// wait for, and one that does not costs the next batch at most half a
// commit, once. Options.MaxBatchDelay set replaces that by a fixed wait.
type committer struct {
	db       *DB
	calls    chan *writeCall
	maxSize  int
	maxDelay time.Duration

	mu      sync.RWMutex // held to send, and by close to stop sending
	closed  bool
	stopped chan struct{}

	// away counts the writers the last commit answered that have not
	// called again; last is how long that commit took. See gather.
	away atomic.Int64
	last time.Duration

	statsMu sync.Mutex
	stats   CommitStats
}

// writeCall is one write function and where its result goes.
type writeCall struct {
	ctx     context.Context
	fn      func(w *txWriter) error
	outcome error      // an isOutcome result or ctx's error, set by the run that commits
	done    chan error // the transaction's error, then closed
}

// CommitStats count what the group commits of Create, Replace and Delete
// did: how well they batch, and where a commit's time goes.
type CommitStats struct {
	Commits int64         // transactions
	Writes  int64         // calls they ran
	Apply   time.Duration // running the calls: encoding ids, index keys
	Commit  time.Duration // bbolt's commit: splitting nodes, writing pages, fsync
}

// CommitStats returns what the group commits did since Open.
func (db *DB) CommitStats() CommitStats {
	c := db.commit
	c.statsMu.Lock()
	defer c.statsMu.Unlock()
	return c.stats
}

// defaultMaxBatchSize is the calls one group commit takes at most.
const defaultMaxBatchSize = 1000

func newCommitter(db *DB, maxSize int, maxDelay time.Duration) *committer {
	if maxSize <= 0 {
		maxSize = defaultMaxBatchSize
	}
	c := &committer{
		db:       db,
		calls:    make(chan *writeCall, maxSize),
		maxSize:  maxSize,
		maxDelay: maxDelay,
		stopped:  make(chan struct{}),
	}
	go c.loop()
	return c
}

// do runs fn in a group commit and returns its outcome or the
// transaction's error; see DB.batch.
func (c *committer) do(ctx context.Context, fn func(w *txWriter) error) error {
	call := &writeCall{ctx: ctx, fn: fn, done: make(chan error, 1)}
	for n := c.away.Load(); n > 0 && !c.away.CompareAndSwap(n, n-1); n = c.away.Load() {
	}
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return bolt.ErrDatabaseNotOpen
	}
	c.calls <- call
	c.mu.RUnlock()
	if err := <-call.done; err != nil {
		return err
	}
	return call.outcome
}

// close stops taking calls, runs those queued and returns when they are
// done.
func (c *committer) close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		<-c.stopped
		return
	}
	c.closed = true
	close(c.calls)
	c.mu.Unlock()
	<-c.stopped
}

func (c *committer) loop() {
	defer close(c.stopped)
	batch := make([]*writeCall, 0, c.maxSize)
	for first := range c.calls {
		batch = append(batch[:0], first)
		open := c.gather(&batch)
		c.run(batch)
		clear(batch)
		if !open {
			return
		}
	}
}

// gather adds the queued calls to batch, up to maxSize, then waits for
// more: up to maxDelay if it is set, else while writers the last commit
// answered are away, for up to half its time (see committer). It returns
// false if calls is closed.
func (c *committer) gather(batch *[]*writeCall) bool {
	if !c.take(batch) {
		return false
	}
	wait := c.maxDelay
	if wait <= 0 {
		if c.away.Load() <= 0 {
			return true
		}
		wait = c.last / 2
	}
	if len(*batch) >= c.maxSize || wait <= 0 {
		return true
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	for len(*batch) < c.maxSize {
		select {
		case call, ok := <-c.calls:
			if !ok {
				return false
			}
			*batch = append(*batch, call)
			if !c.take(batch) {
				return false
			}
			if c.maxDelay <= 0 && c.away.Load() <= 0 {
				return true
			}
		case <-t.C:
			// Those still away are not coming soon: the next
			// batch does not wait for them.
			c.away.Store(0)
			return true
		}
	}
	return true
}

// take adds the queued calls to batch, up to maxSize, without waiting. It
// returns false if calls is closed.
func (c *committer) take(batch *[]*writeCall) bool {
	for len(*batch) < c.maxSize {
		select {
		case call, ok := <-c.calls:
			if !ok {
				return false
			}
			*batch = append(*batch, call)
		default:
			return true
		}
	}
	return true
}

// run commits batch in one transaction. If the transaction fails, each call
// runs again alone, so that one call's failure is its own.
func (c *committer) run(batch []*writeCall) {
	c.db.buildMu.RLock()
	defer c.db.buildMu.RUnlock()
	start := time.Now()
	var w *txWriter
	err := c.update(func(tx *bolt.Tx) error {
		w = newTxWriter(tx, c.db)
		for _, call := range batch {
			if err := c.apply(w, call); err != nil {
				return err
			}
		}
		return w.flush()
	})
	c.last = time.Since(start)
	c.statsMu.Lock()
	c.stats.Commits++
	c.stats.Writes += int64(len(batch))
	c.statsMu.Unlock()
	// Counted before any is answered, so that each call back counts.
	c.away.Store(int64(len(batch)))
	w.ended(err)
	if err == nil || len(batch) == 1 {
		for _, call := range batch {
			call.done <- err
		}
		return
	}
	for _, call := range batch {
		err := c.db.db.Update(func(tx *bolt.Tx) error {
			w = newTxWriter(tx, c.db)
			if err := c.apply(w, call); err != nil {
				return err
			}
			return w.flush()
		})
		w.ended(err)
		call.done <- err
	}
}

// ended runs what w's calls asked to run once their transaction
// committed (see txWriter.afterCommit), if err is nil, or else undoes
// what they did to the overlay (see aborted). w may be nil: the
// transaction did not begin.
func (w *txWriter) ended(err error) {
	switch {
	case w == nil:
	case err == nil:
		for _, fn := range w.onCommit {
			fn()
		}
	default:
		w.aborted()
	}
}

// update is bolt.DB.Update, timing the function and the commit apart.
func (c *committer) update(fn func(tx *bolt.Tx) error) error {
	start := time.Now()
	tx, err := c.db.db.Begin(true)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	mid := time.Now()
	err = tx.Commit()
	end := time.Now()
	c.statsMu.Lock()
	c.stats.Apply += mid.Sub(start)
	c.stats.Commit += end.Sub(mid)
	c.statsMu.Unlock()
	return err
}

// apply runs one call in w's transaction, recording an outcome as the
// call's result rather than failing the transaction.
func (c *committer) apply(w *txWriter, call *writeCall) error {
	call.outcome = nil
	// A write waits for the writer: if its caller gave up meanwhile, it
	// is not made (the caller hears ctx's error, so nothing unacknowledged
	// is stored).
	if err := call.ctx.Err(); err != nil {
		call.outcome = err
		return nil
	}
	err := call.fn(w)
	if err != nil && isOutcome(err) {
		call.outcome = err
		return nil
	}
	return err
}
