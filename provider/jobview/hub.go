package jobview

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/oslc-pm/pmprovider/provider/notify"
)

// A Hub is a face's listeners (TMF EventSubscription, MEF
// EventSubscription) kept as subscriptions of the provider's event hub
// in the face's format: stored, so that they outlive the process, and
// delivered in order from the change log with retries, a dead letter and
// the callback allow-list, as any subscription is. The face's format
// renders each event and reads the listener's query (ListenerOf).
type Hub struct {
	Notify *notify.Hub
	// Format names the face's format, registered with Notify.
	Format string
	// EventTypes are the face's event types a listener's query may name.
	EventTypes []string
	// Types are the hub's events the format renders from; the others
	// are not read for the face's listeners.
	Types []notify.Type
}

// A Listener is a client's registration with a face's hub: where events
// go, and which.
type Listener struct {
	ID       string // the subscription's id, the last segment of its IRI
	Callback string
	Query    string
	types    []string // event types the query selects; none: all
}

// Wants says whether the listener asked for events of eventType.
func (l *Listener) Wants(eventType string) bool {
	return len(l.types) == 0 || slices.ContainsFunc(l.types, func(t string) bool { return strings.EqualFold(t, eventType) })
}

// ErrQuery is wrapped by the error of a listener whose query the face
// cannot read.
var ErrQuery = errors.New("bad query")

// parseQuery reads a listener's query: event types as "eventType=A,B"
// (several eventType parameters add up); none selects all.
func (h *Hub) parseQuery(query string) ([]string, error) {
	if query == "" {
		return nil, nil
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrQuery, query, err)
	}
	var types []string
	for k, vs := range q {
		if k != "eventType" {
			return nil, fmt.Errorf("%w: %q: only eventType selects events, not %s", ErrQuery, query, k)
		}
		for _, v := range vs {
			for _, t := range strings.Split(v, ",") {
				t = strings.TrimSpace(t)
				if !slices.ContainsFunc(h.EventTypes, func(x string) bool { return strings.EqualFold(x, t) }) {
					return nil, fmt.Errorf("%w: %q: %q is not an event type; they are %s", ErrQuery, query, t, strings.Join(h.EventTypes, ", "))
				}
				types = append(types, t)
			}
		}
	}
	return types, nil
}

// Register stores a listener for who; its events are those committed
// from now on. A query the face cannot read is an ErrQuery, a callback
// the hub refuses a notify.ErrCallback.
func (h *Hub) Register(ctx context.Context, callback, query, who string) (*Listener, error) {
	if _, err := h.parseQuery(query); err != nil {
		return nil, err
	}
	sub, _, err := h.Notify.Subscribe(ctx, notify.Listener{
		Callback: callback, Filter: notify.Filter{Types: h.Types}, Format: h.Format, Creator: who, Query: query,
	})
	if err != nil {
		return nil, err
	}
	return h.ListenerOf(&sub), nil
}

// ListenerOf is the listener that sub, a subscription in the face's
// format, is.
func (h *Hub) ListenerOf(sub *notify.Subscription) *Listener {
	types, _ := h.parseQuery(sub.Query) // read when it was stored
	return &Listener{ID: path.Base(sub.ID.String()), Callback: sub.Callback, Query: sub.Query, types: types}
}

// Listener returns listener id of the face, or nil.
func (h *Hub) Listener(id string) *Listener {
	sub, ok := h.subscription(id)
	if !ok {
		return nil
	}
	return h.ListenerOf(&sub)
}

func (h *Hub) subscription(id string) (notify.Subscription, bool) {
	for _, s := range h.Notify.Subscriptions() {
		if s.Format == h.Format && path.Base(s.ID.String()) == id {
			return s, true
		}
	}
	return notify.Subscription{}, false
}

// Unregister deletes listener id of the face and says whether there was
// one.
func (h *Hub) Unregister(ctx context.Context, id string) (bool, error) {
	sub, ok := h.subscription(id)
	if !ok {
		return false, nil
	}
	err := h.Notify.Unsubscribe(ctx, sub.ID)
	if errors.Is(err, notify.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Post is the delivery of an event of eventType with body to l: a POST
// to its callback followed by /listener/<eventType>, the TM Forum and
// MEF convention, the type with a lower-case initial.
func Post(l *Listener, eventType string, body []byte) notify.Payload {
	return notify.Payload{
		URL:         strings.TrimSuffix(l.Callback, "/") + "/listener/" + strings.ToLower(eventType[:1]) + eventType[1:],
		ContentType: "application/json;charset=utf-8",
		Body:        body,
	}
}
