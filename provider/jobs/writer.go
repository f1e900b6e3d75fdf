package jobs

import (
	"context"
	"sync"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/store"
)

// A writer commits what the jobs produce in few transactions, each
// durable and queryable when it returns: what arrives while one commits
// goes into the next (group commit), up to maxBatch resources.
//
// A store that stages (store.DB.Stage) acknowledges new records at the
// cost of a log append and keeps them where every query sees them until
// it has indexed them in the background; others index them before they
// return (Store.Load). Either way the store writes one transaction at a
// time, so the writer keeps it busy: while one transaction commits,
// the next is gathered and handed to the store, which encodes it
// meanwhile (store.DB does so before it waits for its write lock) and
// starts it as soon as the first is done. At most depth are in flight; a
// later one waits for an earlier one if they share a resource (a job's
// progress), so that a resource ends as its last write, and their
// notifications are published in commit order.
type writer struct {
	st     Store
	commit func(ctx context.Context, rs []store.Resource) error // Stage, or else Load
	events *eventLog
	stats  *stats
	depth  int // transactions in flight at most
	ch     chan *batch
	wg     sync.WaitGroup
	mu     sync.Mutex
	live   bool

	// sending counts the callers between seeing the loop live and
	// queueing their batch: the loop, stopping, drains the queue until
	// none is left, so that no batch queued late waits for ever.
	sending sync.WaitGroup
}

type batch struct {
	rs   []store.Resource
	evs  []Event         // the notifications among rs
	done chan error      // nil for submit
	then func(err error) // called after the commit, for submit
}

// finish reports the outcome of b's commit.
func (b *batch) finish(err error) {
	if b.then != nil {
		b.then(err)
	}
	if b.done != nil {
		b.done <- err
	}
}

// maxBatch is the most resources one transaction holds. Fewer, larger
// transactions write the pages they share (the ends of spog, the
// dictionary, the log) and fsync less often; the store sorts each
// transaction's keys, so a larger one costs no more per resource until
// its buffers flush several times. bench-jobs (1,000 jobs, idle, two runs
// each): 1,000 gave a durable lag p99 of 2.9-3.5 s and 261-270 us of CPU
// per record, 2,000 2.4-2.8 s and 217-242 us, 3,000 2.4-2.5 s and
// 217-219 us at more memory. 4,000 (buffers of 524,288 keys) gained
// into a store growing to 110,000 records (p99 3.1 -> 2.6-3.0 s, 15%
// less CPU) but not into one of 1,000,000 (2.6-2.8 s against 2.7 s),
// where a burst's values land in a leaf each, at 110-230 MiB more RSS.
const maxBatch = 2000

// gatherDelay is how long the writer waits for more writes to join a
// transaction.
const gatherDelay = 10 * time.Millisecond

// newWriter returns a writer to st that keeps up to depth transactions
// in flight (see writer); depth below 1 means 1.
func newWriter(st Store, events *eventLog, stats *stats, depth int) *writer {
	w := &writer{st: st, events: events, stats: stats, depth: max(depth, 1), ch: make(chan *batch, 1024), commit: st.Load}
	if s, ok := st.(stager); ok {
		w.commit = s.Stage
	}
	return w
}

// A stager is a Store that stages writes (see writer).
type stager interface {
	Stage(ctx context.Context, rs []store.Resource) error
}

// submit commits rs, among which the notifications evs, without waiting,
// in order with the other writes, and then calls then with the outcome.
func (w *writer) submit(rs []store.Resource, evs []Event, then func(err error)) {
	if !w.enter() {
		then(w.load(context.Background(), rs, evs))
		return
	}
	testHookQueue()
	w.ch <- &batch{rs: rs, evs: evs, then: then}
	w.sending.Done()
}

// testHookQueue runs between a caller's seeing the loop live and its
// queueing: tests widen the window there.
var testHookQueue = func() {}

// enter reports whether the loop is live and, if it is, counts the
// caller in w.sending: it must queue its batch, then call
// w.sending.Done.
func (w *writer) enter() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.live {
		w.sending.Add(1)
	}
	return w.live
}

// write commits rs, among which the notifications evs, through the
// group-commit loop when it runs.
func (w *writer) write(ctx context.Context, rs []store.Resource, evs []Event) error {
	if len(rs) == 0 {
		return nil
	}
	if !w.enter() {
		return w.load(ctx, rs, evs)
	}
	b := &batch{rs: rs, evs: evs, done: make(chan error, 1)}
	testHookQueue()
	select {
	case w.ch <- b:
		w.sending.Done()
	case <-ctx.Done():
		w.sending.Done()
		return ctx.Err()
	}
	return <-b.done
}

// writeDepth is how many transactions the writer keeps in flight to st:
// two to a store that encodes a write before it waits for its write lock
// and writes one at a time (store.DB, which also stages), one to others
// (a SPARQL endpoint), whose loads are not one transaction each.
func writeDepth(st Store) int {
	if _, ok := st.(stager); ok {
		return 2
	}
	return 1
}

// A flight is a transaction handed to the store.
type flight struct {
	ids  map[rdf.IRI]struct{}
	done chan struct{} // closed once answered and its events published
}

// loop commits the queued writes in groups until ctx is done. It runs in
// a goroutine its caller counted in w.wg.
func (w *writer) loop(ctx context.Context) {
	defer w.wg.Done()
	w.mu.Lock()
	w.live = true
	w.mu.Unlock()
	var flights []*flight // oldest first
	var commits sync.WaitGroup
	for {
		var first *batch
		select {
		case first = <-w.ch:
		case <-ctx.Done():
			commits.Wait()
			w.drain()
			return
		}
		// Gather what arrives within gatherDelay of the first, up to
		// maxBatch resources: a transaction costs much the same for one
		// job's period as for a hundred.
		deadline := time.NewTimer(gatherDelay)
		group, n := w.gather([]*batch{first}, len(first.rs), deadline.C)
		deadline.Stop()
		all, evs := flatten(group, n)
		f := &flight{ids: make(map[rdf.IRI]struct{}, n), done: make(chan struct{})}
		for _, r := range all {
			f.ids[r.ID] = struct{}{}
		}
		// Room for it: fewer than depth in flight, none writing one of
		// its resources.
		for len(flights) > 0 {
			if isDone(flights[0].done) {
				flights = flights[1:]
				continue
			}
			if len(flights) < w.depth && !sharesAny(flights, f.ids) {
				break
			}
			<-flights[0].done
			flights = flights[1:]
		}
		var prev *flight
		if len(flights) > 0 {
			prev = flights[len(flights)-1]
		}
		flights = append(flights, f)
		numbered := w.events.number(all, evs)
		commits.Add(1)
		go func() {
			defer commits.Done()
			began := time.Now()
			err := w.commit(context.Background(), all)
			w.stats.tx(len(all), time.Since(began))
			if prev != nil {
				<-prev.done
			}
			if err == nil {
				w.events.committed(numbered)
			}
			for _, b := range group {
				b.finish(err)
			}
			close(f.done)
		}()
	}
}

// flatten returns the resources, n of them, and the notifications of
// group, in order.
func flatten(group []*batch, n int) ([]store.Resource, []Event) {
	all := make([]store.Resource, 0, n)
	var evs []Event
	for _, b := range group {
		all = append(all, b.rs...)
		evs = append(evs, b.evs...)
	}
	return all, evs
}

func isDone(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// sharesAny reports whether one of fs writes one of ids.
func sharesAny(fs []*flight, ids map[rdf.IRI]struct{}) bool {
	for _, f := range fs {
		small, large := f.ids, ids
		if len(small) > len(large) {
			small, large = large, small
		}
		for id := range small {
			if _, ok := large[id]; ok {
				return true
			}
		}
	}
	return false
}

// drain stops the loop taking batches and commits, in groups, what is
// queued and what callers that saw it live still queue, so that no caller
// waits for ever.
func (w *writer) drain() {
	w.mu.Lock()
	w.live = false
	w.mu.Unlock()
	sent := make(chan struct{})
	go func() {
		w.sending.Wait()
		close(sent)
	}()
	for {
		var first *batch
		select {
		case first = <-w.ch:
		case <-sent:
			// No caller is left between enter and queueing:
			// what is queued now is all there will be.
			select {
			case first = <-w.ch:
			default:
				return
			}
		}
		group, n := w.gather([]*batch{first}, len(first.rs), nil)
		all, evs := flatten(group, n)
		err := w.load(context.Background(), all, evs)
		for _, b := range group {
			b.finish(err)
		}
	}
}

func (w *writer) wait() { w.wg.Wait() }

// load writes rs, among which the notifications evs, at once.
func (w *writer) load(ctx context.Context, rs []store.Resource, evs []Event) error {
	numbered := w.events.number(rs, evs)
	if err := w.st.Load(ctx, rs); err != nil {
		return err
	}
	w.events.committed(numbered)
	return nil
}

func (w *writer) isLive() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.live
}

// gather adds to group, of n resources, the batches queued until it
// holds maxBatch resources or until is ready; with until nil, only those
// queued now.
func (w *writer) gather(group []*batch, n int, until <-chan time.Time) ([]*batch, int) {
	for n < maxBatch {
		if until == nil && len(w.ch) == 0 {
			break
		}
		select {
		case b := <-w.ch:
			group = append(group, b)
			n += len(b.rs)
		case <-until:
			return group, n
		}
	}
	return group, n
}
