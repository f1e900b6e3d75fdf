package notify

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Terms of subscriptions and their delivery status, in the pmj vocabulary.
var (
	pmjSubscription   = vocab.PMJTerm("Subscription")
	pmjCallback       = vocab.PMJTerm("callback")
	pmjEventType      = vocab.PMJTerm("eventType")
	pmjWhere          = vocab.PMJTerm("where")
	pmjFormat         = vocab.PMJTerm("format")
	pmjQuery          = vocab.PMJTerm("query")
	pmjSecret         = vocab.PMJTerm("secret")
	pmjDeliveredUpTo  = vocab.PMJTerm("deliveredUpTo")
	pmjDelivered      = vocab.PMJTerm("deliveredCount")
	pmjAttempts       = vocab.PMJTerm("attempts")
	pmjLastError      = vocab.PMJTerm("lastError")
	pmjLastErrorAt    = vocab.PMJTerm("lastErrorTime")
	pmjLastDelivered  = vocab.PMJTerm("lastDeliveryTime")
	pmjDeadLetter     = vocab.PMJTerm("deadLetter")
	pmjDeadLettered   = vocab.PMJTerm("deadLetterCount")
	pmjDeliveryStatus = vocab.PMJTerm("deliveryStatus")
)

// deliveryIRI is where the delivery status of subscription id is kept: a
// resource apart, so that the subscription's ETag changes only when the
// subscriber changes it.
func deliveryIRI(id rdf.IRI) rdf.IRI {
	i, _ := rdf.NewIRI(id.String() + "/delivery")
	return i
}

// graph is the stored subscription, secret included.
func (s *Subscription) graph(base string) []rdf.Triple {
	id := s.ID
	cb, _ := rdf.NewIRI(s.Callback)
	g := []rdf.Triple{
		{Subj: id, Pred: vocab.RDFType, Obj: pmjSubscription},
		{Subj: id, Pred: pmjCallback, Obj: cb},
		{Subj: id, Pred: vocab.DCIdentifier, Obj: str(strings.TrimPrefix(id.String(), base+subscriptionsPath+"/"))},
		{Subj: id, Pred: vocab.DCCreated, Obj: dateTime(s.Created)},
		{Subj: id, Pred: pmjSecret, Obj: str(s.secret)},
	}
	for _, t := range s.Filter.Types {
		g = append(g, rdf.Triple{Subj: id, Pred: pmjEventType, Obj: t.IRI()})
	}
	if s.Filter.Where != nil {
		g = append(g, rdf.Triple{Subj: id, Pred: pmjWhere, Obj: str(s.Filter.Where.String())})
	}
	if s.Format != "" {
		g = append(g, rdf.Triple{Subj: id, Pred: pmjFormat, Obj: str(s.Format)})
	}
	if s.Creator != "" {
		g = append(g, rdf.Triple{Subj: id, Pred: vocab.DCCreator, Obj: str(s.Creator)})
	}
	if s.Query != "" {
		g = append(g, rdf.Triple{Subj: id, Pred: pmjQuery, Obj: str(s.Query)})
	}
	return g
}

// Graph is the subscription as clients read it: without its secret.
func (s *Subscription) Graph(base string) []rdf.Triple {
	var out []rdf.Triple
	for _, t := range s.graph(base) {
		if t.Pred != pmjSecret {
			out = append(out, t)
		}
	}
	return out
}

// decodeSubscription reads a stored subscription.
func decodeSubscription(id rdf.IRI, g []rdf.Triple) (Subscription, error) {
	s := Subscription{ID: id}
	var types []string
	var where string
	for _, t := range g {
		if !rdf.TermsEqual(t.Subj, id) {
			continue
		}
		switch t.Pred {
		case pmjCallback:
			s.Callback = t.Obj.String()
		case pmjEventType:
			types = append(types, t.Obj.String())
		case pmjWhere:
			where = t.Obj.String()
		case pmjFormat:
			s.Format = t.Obj.String()
		case pmjQuery:
			s.Query = t.Obj.String()
		case pmjSecret:
			s.secret = t.Obj.String()
		case vocab.DCCreator:
			s.Creator = t.Obj.String()
		case vocab.DCCreated:
			s.Created, _ = time.Parse(time.RFC3339Nano, t.Obj.String())
		}
	}
	f, err := ParseFilter(types, where)
	if err != nil {
		return s, err
	}
	s.Filter = f
	if s.Callback == "" || s.secret == "" {
		return s, errors.New("it has no callback or no secret")
	}
	return s, nil
}

// Status is the delivery status of a subscription.
type Status struct {
	// Cursor is the change log order up to which events were delivered
	// (or dead-lettered, or passed over by the filter).
	Cursor    uint64
	Delivered int64
	// Attempts, LastError and LastErrorAt are of the event being retried
	// now, or of the last failure.
	Attempts      int
	LastError     string
	LastErrorAt   time.Time
	LastDelivered time.Time
	// DeadLetters are the ids of the newest events given up on, at most
	// maxDeadLetters; DeadLettered counts them all.
	DeadLetters  []string
	DeadLettered int64
}

// maxDeadLetters is how many dead-lettered event ids a status lists.
const maxDeadLetters = 100

// state names the status: pmj:Delivering, pmj:Retrying (an event failed
// and waits for its next attempt) or pmj:DeadLettered (the last event
// tried was given up on).
func (st Status) state() rdf.IRI {
	switch {
	case st.Attempts > 0:
		return vocab.PMJTerm("Retrying")
	case st.LastError != "" && st.LastErrorAt.After(st.LastDelivered) && st.DeadLettered > 0:
		return vocab.PMJTerm("DeadLettered")
	}
	return vocab.PMJTerm("Delivering")
}

// graph states st about subject.
func (st Status) graph(subject rdf.IRI) []rdf.Triple {
	g := []rdf.Triple{
		{Subj: subject, Pred: pmjDeliveryStatus, Obj: st.state()},
		{Subj: subject, Pred: pmjDeliveredUpTo, Obj: integer(int64(st.Cursor))},
		{Subj: subject, Pred: pmjDelivered, Obj: integer(st.Delivered)},
		{Subj: subject, Pred: pmjAttempts, Obj: integer(int64(st.Attempts))},
		{Subj: subject, Pred: pmjDeadLettered, Obj: integer(st.DeadLettered)},
	}
	if st.LastError != "" {
		g = append(g, rdf.Triple{Subj: subject, Pred: pmjLastError, Obj: str(st.LastError)},
			rdf.Triple{Subj: subject, Pred: pmjLastErrorAt, Obj: dateTime(st.LastErrorAt)})
	}
	if !st.LastDelivered.IsZero() {
		g = append(g, rdf.Triple{Subj: subject, Pred: pmjLastDelivered, Obj: dateTime(st.LastDelivered)})
	}
	for _, id := range st.DeadLetters {
		g = append(g, rdf.Triple{Subj: subject, Pred: pmjDeadLetter, Obj: str(id)})
	}
	return g
}

// decodeStatus reads a stored status.
func decodeStatus(id rdf.IRI, g []rdf.Triple) Status {
	var st Status
	num := func(o rdf.Object) int64 { n, _ := strconv.ParseInt(o.String(), 10, 64); return n }
	for _, t := range g {
		if !rdf.TermsEqual(t.Subj, id) {
			continue
		}
		switch t.Pred {
		case pmjDeliveredUpTo:
			st.Cursor = uint64(num(t.Obj))
		case pmjDelivered:
			st.Delivered = num(t.Obj)
		case pmjAttempts:
			st.Attempts = int(num(t.Obj))
		case pmjDeadLettered:
			st.DeadLettered = num(t.Obj)
		case pmjLastError:
			st.LastError = t.Obj.String()
		case pmjLastErrorAt:
			st.LastErrorAt, _ = time.Parse(time.RFC3339Nano, t.Obj.String())
		case pmjLastDelivered:
			st.LastDelivered, _ = time.Parse(time.RFC3339Nano, t.Obj.String())
		case pmjDeadLetter:
			st.DeadLetters = append(st.DeadLetters, t.Obj.String())
		}
	}
	// Stored in order of the graph, which need not keep the list's.
	sortIDs(st.DeadLetters)
	return st
}

// sortIDs sorts event ids, decimal orders, in order.
func sortIDs(ids []string) {
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && idLess(ids[j], ids[j-1]); j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
}

func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// load reads the stored subscriptions with their delivery status.
func (h *Hub) load(ctx context.Context) ([]*dispatcher, error) {
	prefix := h.cfg.Base + subscriptionsPath + "/"
	var out []*dispatcher
	var orphans []rdf.IRI
	err := h.cfg.Store.ViewChanges(ctx, func(sn store.ChangeView) error {
		var ids []rdf.IRI
		if err := sn.ResourcesUnder(ctx, prefix, rdf.IRI{}, func(id rdf.IRI) bool {
			ids = append(ids, id)
			return true
		}); err != nil {
			return err
		}
		have := map[rdf.IRI]bool{}
		for _, id := range ids {
			if !strings.HasSuffix(id.String(), "/delivery") {
				have[id] = true
			}
		}
		for _, id := range ids {
			if strings.HasSuffix(id.String(), "/delivery") {
				if sub, _ := rdf.NewIRI(strings.TrimSuffix(id.String(), "/delivery")); !have[sub] {
					orphans = append(orphans, id)
				}
				continue
			}
			g, _, err := sn.Get(ctx, id)
			if err != nil {
				return err
			}
			sub, err := decodeSubscription(id, g)
			if err != nil {
				h.log.Error("notify: a stored subscription is unreadable; it is not served", "subscription", id.String(), "err", err)
				continue
			}
			var st Status
			if dg, _, err := sn.Get(ctx, deliveryIRI(id)); err == nil {
				st = decodeStatus(deliveryIRI(id), dg)
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			out = append(out, h.newDispatcher(sub, st))
		}
		return nil
	})
	for _, id := range orphans {
		// Left by an Unsubscribe that stopped half-way.
		_ = h.cfg.Store.Delete(ctx, id, "")
	}
	return out, err
}

// absoluteHTTP says whether s is an absolute http(s) URL with a host.
func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

func str(s string) rdf.Literal { return rdf.NewTypedLiteral(s, vocab.XSDString) }

func integer(n int64) rdf.Literal {
	return rdf.NewTypedLiteral(strconv.FormatInt(n, 10), vocab.XSDInteger)
}

func dateTime(t time.Time) rdf.Literal {
	return rdf.NewTypedLiteral(t.Format(time.RFC3339Nano), vocab.XSDDateTime)
}
