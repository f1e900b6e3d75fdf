package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/store"
)

// Headers of a delivery.
const (
	// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the
	// body, keyed with the subscription's secret (its bytes as given).
	SignatureHeader = "X-Hub-Signature-256"
	EventIDHeader   = "X-PM-Event-ID"
	EventTypeHeader = "X-PM-Event-Type"
	AttemptHeader   = "X-PM-Delivery-Attempt"
)

// Sign returns the SignatureHeader value of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify says whether sig, a SignatureHeader value, signs body under
// secret, in constant time.
func Verify(secret string, body []byte, sig string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(sig))
}

// A Payload is what one delivery POSTs.
type Payload struct {
	// URL is where to; "" is the subscription's callback. A format may
	// add a path to it (TMF628 listeners: <callback>/listener/<event>).
	URL         string
	ContentType string
	Body        []byte
}

// A Format makes the payload of an event for a subscription; ErrSkip
// passes the event over.
type Format func(ev *Event, sub *Subscription) (Payload, error)

// ErrSkip is what a Format returns for an event it does not send.
var ErrSkip = errors.New("notify: event not sent in this format")

// DefaultFormat sends ev's Message as JSON.
func DefaultFormat(ev *Event, _ *Subscription) (Payload, error) {
	b, err := ev.JSON()
	return Payload{ContentType: "application/json", Body: b}, err
}

// A dispatcher delivers the events of one subscription, one at a time,
// in order.
type dispatcher struct {
	h   *Hub
	sub Subscription

	mu    sync.Mutex
	st    Status
	saved Status // as last stored
	stopc context.CancelFunc
	done  chan struct{}
	dirty chan struct{} // asks the saver to store the status
}

func (h *Hub) newDispatcher(sub Subscription, st Status) *dispatcher {
	return &dispatcher{h: h, sub: sub, st: st, saved: st, dirty: make(chan struct{}, 1)}
}

func (d *dispatcher) status() Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.st
	st.DeadLetters = append([]string(nil), st.DeadLetters...)
	return st
}

func (d *dispatcher) cursorNow() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st.Cursor
}

// run starts d's loop; h.mu is held.
func (h *Hub) run(d *dispatcher) {
	ctx, cancel := context.WithCancel(h.ctx)
	d.stopc, d.done = cancel, make(chan struct{})
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		defer close(d.done)
		saved := make(chan struct{})
		go func() {
			defer close(saved)
			d.saver(ctx)
		}()
		d.loop(ctx)
		<-saved
		d.save(context.Background(), true)
	}()
}

// saver stores the status when asked, apart from the deliveries: a
// delivery need not wait for the store's commit of the one before. A
// crash meanwhile sends the events since the stored cursor again, with
// their ids.
func (d *dispatcher) saver(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return // run stores the final status
		case <-d.dirty:
			d.save(ctx, false)
		}
	}
}

// requestSave asks the saver to store the status.
func (d *dispatcher) requestSave() {
	select {
	case d.dirty <- struct{}{}:
	default: // already asked
	}
}

// stop ends d's loop and waits for it.
func (d *dispatcher) stop() {
	if d.stopc != nil {
		d.stopc()
		<-d.done
	}
}

// saveEvery is how often a cursor that moved over events the filter
// passes over is stored; one that moved over a delivery is stored at
// once.
const saveEvery = 5 * time.Second

// skipSaveEvery is how far a cursor moves over entries passed over
// before it is stored again (see save).
const skipSaveEvery = 1000

func (d *dispatcher) loop(ctx context.Context) {
	h := d.h
	lastSave := time.Now()
	for ctx.Err() == nil {
		cursor := d.cursorNow()
		wake := h.waiter(cursor)
		var evs []Event
		next, err := h.Read(ctx, cursor, &d.sub.Filter, func(ev *Event) bool {
			evs = append(evs, *ev)
			return true
		})
		if err != nil {
			if ctx.Err() == nil {
				h.log.Error("notify: read events", "subscription", d.sub.ID.String(), "err", err)
				sleep(ctx, time.Second)
			}
			continue
		}
		delivered := false
		for i := range evs {
			if !d.deliver(ctx, &evs[i]) {
				return
			}
			delivered = true
			d.mu.Lock()
			d.st.Cursor = evs[i].Order
			d.mu.Unlock()
		}
		d.mu.Lock()
		if next > d.st.Cursor {
			d.st.Cursor = next
		}
		d.mu.Unlock()
		if delivered || time.Since(lastSave) >= saveEvery {
			d.requestSave()
			lastSave = time.Now()
		}
		if next > cursor {
			continue // more may wait
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-time.After(saveEvery):
		}
	}
}

// save stores d's status if it changed.
func (d *dispatcher) save(ctx context.Context, final bool) {
	st := d.status()
	d.mu.Lock()
	// A cursor that moved only over entries the filter passed over is
	// stored once it moved far (or at close, below): every save is itself
	// an entry that every subscription passes over, so storing each such
	// move would make the subscriptions write for ever, to no end.
	same := st.Delivered == d.saved.Delivered && st.Attempts == d.saved.Attempts && st.LastError == d.saved.LastError &&
		st.DeadLettered == d.saved.DeadLettered && st.Cursor < d.saved.Cursor+skipSaveEvery
	if final {
		same = same && st.Cursor == d.saved.Cursor
	}
	d.mu.Unlock()
	if same {
		return
	}
	id := deliveryIRI(d.sub.ID)
	if err := d.h.cfg.Store.Load(ctx, []store.Resource{{ID: id, Triples: st.graph(id)}}); err != nil {
		if ctx.Err() == nil {
			d.h.log.Error("notify: save delivery status", "subscription", d.sub.ID.String(), "err", err)
		}
		return
	}
	d.mu.Lock()
	d.saved = st
	d.mu.Unlock()
}

// deliver sends ev until the callback acknowledges it (a 2xx) or the
// retries are spent, when it dead-letters ev; false if ctx ended first.
func (d *dispatcher) deliver(ctx context.Context, ev *Event) bool {
	h := d.h
	p, err := h.format(d.sub.Format)(ev, &d.sub)
	if errors.Is(err, ErrSkip) {
		return true
	}
	if err == nil && p.URL == "" {
		p.URL = d.sub.Callback
	}
	for attempt := 1; ; attempt++ {
		if err == nil {
			err = d.post(ctx, ev, p, attempt)
		}
		if err != nil && ctx.Err() != nil {
			return false
		}
		now := h.now()
		d.mu.Lock()
		if err == nil {
			d.st.Delivered++
			d.st.Attempts = 0
			d.st.LastDelivered = now
			d.mu.Unlock()
			return true
		}
		d.st.Attempts = attempt
		d.st.LastError = fmt.Sprintf("event %s: %v", ev.ID, err)
		d.st.LastErrorAt = now
		final := attempt >= h.cfg.Retry.Attempts || errors.Is(err, collect.ErrNotAllowed) || errors.Is(err, errFormat)
		if final {
			d.st.Attempts = 0
			d.st.DeadLettered++
			d.st.DeadLetters = append(d.st.DeadLetters, ev.ID)
			if n := len(d.st.DeadLetters); n > maxDeadLetters {
				d.st.DeadLetters = append([]string(nil), d.st.DeadLetters[n-maxDeadLetters:]...)
			}
		}
		d.mu.Unlock()
		if final {
			h.log.Warn("notify: event dead-lettered", "subscription", d.sub.ID.String(), "event", ev.ID, "attempts", attempt, "err", err)
			return true
		}
		if attempt == 1 {
			// Others may read the status while the event waits.
			d.requestSave()
		}
		if !sleep(ctx, backoff(h.cfg.Retry, attempt)) {
			return false
		}
		err = nil
	}
}

// errFormat marks a payload the subscription's format could not make:
// retrying will not help.
var errFormat = errors.New("format")

// post makes one attempt at delivering p, holding one of the hub's
// delivery slots.
func (d *dispatcher) post(ctx context.Context, ev *Event, p Payload, attempt int) error {
	h := d.h
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-h.slots }()
	// A request once sent is seen through, within the client's Timeout,
	// even if the hub stops meanwhile: a subscriber that acknowledged an
	// event is not sent it again after a clean stop.
	req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPost, p.URL, bytes.NewReader(p.Body))
	if err != nil {
		return fmt.Errorf("%w: %v", errFormat, err)
	}
	req.Header.Set("Content-Type", p.ContentType)
	req.Header.Set("User-Agent", "pmprovider-notify")
	req.Header.Set(EventIDHeader, ev.ID)
	req.Header.Set(EventTypeHeader, string(ev.Type))
	req.Header.Set(AttemptHeader, strconv.Itoa(attempt))
	req.Header.Set(SignatureHeader, Sign(d.sub.secret, p.Body))
	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s answered %s", p.URL, resp.Status)
	}
	return nil
}

// backoff is the wait before attempt+1: First doubled per attempt, at
// most Max, with up to a fifth less at random so that subscribers
// failing together do not retry together.
func backoff(r Retry, attempt int) time.Duration {
	d := r.First
	for i := 1; i < attempt && d < r.Max; i++ {
		d *= 2
	}
	d = min(d, r.Max)
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}

// sleep waits for d or until ctx ends; false if ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
