package ui

import (
	"fmt"
	"net/http"
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
	newest := func() (uint64, error) {
		var n uint64
		err := s.store().ViewChanges(ctx, func(sn store.ChangeView) error {
			_, n = sn.ChangeSpan()
			return nil
		})
		return n, err
	}
	last, err := newest()
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
	poll := time.NewTicker(livePoll)
	defer poll.Stop()
	idle := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
			n, err := newest()
			if err != nil {
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
