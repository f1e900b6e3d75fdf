package ui

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/oslc-pm/pmprovider/store"
)

// The pages update live: console.js listens to Live and to the API's
// event stream (/oslc/events, the jobs' notifications) and, on either,
// reloads the parts of the page marked data-live. The API's stream
// carries no record writes, so Live watches the store's change log,
// which every write appends to.

// livePoll is how often Live looks at the change log: well within the
// two seconds in which a page should show a new record.
const livePoll = 300 * time.Millisecond

// liveKeepAlive is how often an idle stream gets a comment line.
const liveKeepAlive = 15 * time.Second

// A changeWatch reads the change log's newest order once per livePoll for
// all open pages, so the reads do not grow with the number of pages. It
// runs only while some page listens.
type changeWatch struct {
	mu   sync.Mutex
	subs map[chan uint64]struct{}
	stop context.CancelFunc // nil while no poller runs
}

// subscribe returns a channel that gets the newest order at every poll
// (only the latest is kept for a slow reader) and is closed when the
// change log cannot be read; and the function that stops it.
func (s *Server) subscribe() (<-chan uint64, func()) {
	c := &s.live
	ch := make(chan uint64, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.subs == nil {
		c.subs = map[chan uint64]struct{}{}
	}
	c.subs[ch] = struct{}{}
	if c.stop == nil {
		ctx, stop := context.WithCancel(context.Background())
		c.stop = stop
		go s.pollChanges(ctx)
	}
	return ch, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.subs, ch)
		if len(c.subs) == 0 && c.stop != nil {
			c.stop()
			c.stop = nil
		}
	}
}

// pollChanges fans the change log's newest order out to the subscribers
// until ctx ends or the log cannot be read (then it closes them all).
func (s *Server) pollChanges(ctx context.Context) {
	c := &s.live
	poll := time.NewTicker(livePoll)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		}
		n, err := s.newestChange(ctx)
		c.mu.Lock()
		if ctx.Err() != nil { // the last page left while we read
			c.mu.Unlock()
			return
		}
		for ch := range c.subs {
			if err != nil {
				close(ch)
				continue
			}
			select { // keep only the newest for a reader behind
			case <-ch:
			default:
			}
			ch <- n
		}
		if err != nil {
			clear(c.subs)
			c.stop()
			c.stop = nil
		}
		c.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// newestChange is the change log's newest order.
func (s *Server) newestChange(ctx context.Context) (uint64, error) {
	var n uint64
	err := s.store().ViewChanges(ctx, func(sn store.ChangeView) error {
		_, n = sn.ChangeSpan()
		return nil
	})
	return n, err
}

// Live answers GET /ui/live: server-sent events, a "change" event (its
// data the change log's newest order) after every write to the store.
func (s *Server) Live(w http.ResponseWriter, r *http.Request) {
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming is not supported here", http.StatusInternalServerError)
		return
	}
	ctx := r.Context()
	last, err := s.newestChange(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	fmt.Fprintf(w, "retry: 2000\nevent: hello\ndata: %d\n\n", last)
	flusher.Flush()
	changes, unsubscribe := s.subscribe()
	defer unsubscribe()
	idle := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case n, ok := <-changes:
			if !ok {
				return
			}
			if n != last {
				last = n
				idle = time.Now()
				if _, err := fmt.Fprintf(w, "event: change\ndata: %d\n\n", n); err != nil {
					return
				}
				flusher.Flush()
			} else if time.Since(idle) > liveKeepAlive {
				idle = time.Now()
				if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
					return
				}
				flusher.Flush()
			}
		}
	}
}
