package jobview

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A Listener is a client's registration with a face's hub (TMF
// EventSubscription, MEF EventSubscription): where events go, and which.
type Listener struct {
	ID       string
	Callback string
	Query    string
	types    []string // event types the query selects; none: all
}

// Wants says whether the listener asked for events of eventType.
func (l *Listener) Wants(eventType string) bool {
	return len(l.types) == 0 || slices.ContainsFunc(l.types, func(t string) bool { return strings.EqualFold(t, eventType) })
}

// An Event is one body a hub delivers: its type, as the face names it,
// and its JSON.
type Event struct {
	Type string
	Body []byte
}

// Delivery sends an event to a listener. The provider's notification
// machinery (subscriptions that outlive the process, retries, backlog)
// plugs in here; HTTPDelivery is the plain one.
type Delivery interface {
	Deliver(ctx context.Context, l *Listener, ev Event) error
}

// HTTPDelivery POSTs each event, as JSON, to the listener's callback
// followed by /listener/<eventType> (the TM Forum and MEF convention),
// once.
type HTTPDelivery struct {
	Client *http.Client
}

// Deliver implements Delivery.
func (d HTTPDelivery) Deliver(ctx context.Context, l *Listener, ev Event) error {
	c := d.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(l.Callback, "/")+"/listener/"+ev.Type, bytes.NewReader(ev.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json;charset=utf-8")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("listener %s answered %s", l.Callback, resp.Status)
	}
	return nil
}

// A Hub keeps a face's listeners and delivers the events its Render makes
// of each change to those that want them.
type Hub struct {
	// Render makes the events of a change (none: the face does not
	// announce it).
	Render   func(ctx context.Context, c Change) []Event
	Delivery Delivery
	// EventTypes are the types a listener's query may name.
	EventTypes []string
	Log        *slog.Logger

	mu        sync.Mutex
	listeners map[string]*Listener
	next      int
}

// Register adds a listener. The query selects event types as
// "eventType=A,B" (several eventType parameters add up); none: all.
func (h *Hub) Register(callback, query string) (*Listener, error) {
	u, err := url.Parse(callback)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("callback %q is not an absolute http(s) URL", callback)
	}
	l := &Listener{Callback: callback, Query: query}
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return nil, fmt.Errorf("query %q: %v", query, err)
		}
		for k, vs := range q {
			if k != "eventType" {
				return nil, fmt.Errorf("query %q: only eventType selects events, not %s", query, k)
			}
			for _, v := range vs {
				for _, t := range strings.Split(v, ",") {
					t = strings.TrimSpace(t)
					if !slices.ContainsFunc(h.EventTypes, func(x string) bool { return strings.EqualFold(x, t) }) {
						return nil, fmt.Errorf("query %q: %q is not an event type; they are %s", query, t, strings.Join(h.EventTypes, ", "))
					}
					l.types = append(l.types, t)
				}
			}
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.listeners == nil {
		h.listeners = map[string]*Listener{}
	}
	h.next++
	l.ID = strconv.Itoa(h.next)
	h.listeners[l.ID] = l
	return l, nil
}

// Listener returns listener id, or nil.
func (h *Hub) Listener(id string) *Listener {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.listeners[id]
}

// Unregister removes listener id and says whether there was one.
func (h *Hub) Unregister(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.listeners[id]
	delete(h.listeners, id)
	return ok
}

// Publish delivers the events of c to the listeners that want them, in
// order; a failed delivery is logged.
func (h *Hub) Publish(ctx context.Context, c Change) {
	h.mu.Lock()
	ls := make([]*Listener, 0, len(h.listeners))
	for _, l := range h.listeners {
		ls = append(ls, l)
	}
	h.mu.Unlock()
	if len(ls) == 0 {
		return
	}
	slices.SortFunc(ls, func(a, b *Listener) int { return strings.Compare(a.ID, b.ID) })
	for _, ev := range h.Render(ctx, c) {
		for _, l := range ls {
			if !l.Wants(ev.Type) {
				continue
			}
			if err := h.Delivery.Deliver(ctx, l, ev); err != nil && h.Log != nil {
				h.Log.Warn("hub: delivery failed", "listener", l.ID, "callback", l.Callback, "event", ev.Type, "err", err)
			}
		}
	}
}
