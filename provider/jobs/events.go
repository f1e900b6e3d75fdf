package jobs

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// pmjSequence orders notifications: a number the writer gives each one as
// it commits it, larger than any before, also across restarts (the
// commit's Unix time in microseconds, or one more than the last).
var pmjSequence = vocab.PMJTerm("sequence")

// An EventKind is what a notification announces: the local name of its
// pmj:event in the pmj vocabulary (a kind outside it is its full IRI).
type EventKind string

// The kinds of notification the engine makes.
const (
	// FilesReady: the report of a reporting period is ready (or, in
	// the ReportEvents mode, its records are).
	FilesReady EventKind = "FilesReady"
	// PreparationError: nothing was collected in a reporting period,
	// so there is no report.
	PreparationError EventKind = "PreparationError"
)

// IRI returns the pmj:event individual of k.
func (k EventKind) IRI() rdf.IRI {
	if strings.Contains(string(k), ":") {
		if i, err := rdf.NewIRI(string(k)); err == nil {
			return i
		}
	}
	return vocab.PMJTerm(string(k))
}

// An Event is a notification (pmj:Notification) of a job, with the
// sequence number it was committed with. Times keep the offset of the
// job's time zone, as stored.
type Event struct {
	Seq  int64   // pmj:sequence: orders the events, also across restarts
	ID   rdf.IRI // the notification resource
	Kind EventKind
	Job  rdf.IRI // pmj:producedBy
	// Report is the report of the period; zero when the job reports
	// events only (pmj:ReportEvents): the notification then lists the
	// period's records itself, Records of them.
	Report      rdf.IRI
	PeriodStart time.Time // of the reporting period
	PeriodEnd   time.Time
	Date        time.Time // when it was made
	Description string    // why, for a PreparationError
	Records     int
}

// encodeNotification returns the triples that state ev about ev.ID,
// which lists records (when it names no report). decodeNotification reads
// them back; the writer adds the sequence number as it commits them.
func encodeNotification(ev Event, records []rdf.IRI) []rdf.Triple {
	id := ev.ID
	var g []rdf.Triple
	if ev.Description != "" {
		g = append(g, rdf.Triple{Subj: id, Pred: vocab.DCDescription, Obj: str(ev.Description)})
	}
	g = append(g,
		rdf.Triple{Subj: id, Pred: pmjProducedBy, Obj: ev.Job},
		rdf.Triple{Subj: id, Pred: pmjEvent, Obj: ev.Kind.IRI()},
		rdf.Triple{Subj: id, Pred: vocab.DCDate, Obj: lexicalTime(ev.Date)},
		rdf.Triple{Subj: id, Pred: pmjPeriodStart, Obj: lexicalTime(ev.PeriodStart)},
		rdf.Triple{Subj: id, Pred: pmjPeriodEnd, Obj: lexicalTime(ev.PeriodEnd)},
	)
	if ev.Report != (rdf.IRI{}) {
		g = append(g, rdf.Triple{Subj: id, Pred: pmjReport, Obj: ev.Report})
	}
	for _, rec := range records {
		g = append(g, rdf.Triple{Subj: id, Pred: pmjRecord, Obj: rec})
	}
	return g
}

// decodeNotification reads the event of the stored notification id,
// committed with sequence number seq, from its graph g.
func decodeNotification(id rdf.IRI, seq int64, g []rdf.Triple) Event {
	ev := Event{Seq: seq, ID: id}
	for _, t := range g {
		if !rdf.TermsEqual(t.Subj, id) {
			continue
		}
		switch t.Pred {
		case pmjEvent:
			ev.Kind = EventKind(strings.TrimPrefix(t.Obj.String(), vocab.PMJ))
		case pmjProducedBy:
			ev.Job, _ = t.Obj.(rdf.IRI)
		case pmjReport:
			ev.Report, _ = t.Obj.(rdf.IRI)
		case pmjPeriodStart:
			ev.PeriodStart = parseTime(t.Obj)
		case pmjPeriodEnd:
			ev.PeriodEnd = parseTime(t.Obj)
		case pmjRecord:
			ev.Records++
		case vocab.DCDate:
			ev.Date = parseTime(t.Obj)
		case vocab.DCDescription:
			ev.Description = t.Obj.String()
		}
	}
	return ev
}

// lexicalTime writes t as an xsd:dateTime with t's own offset.
func lexicalTime(t time.Time) rdf.Literal {
	return rdf.NewTypedLiteral(t.Format(time.RFC3339Nano), vocab.XSDDateTime)
}

// eventLog numbers notifications as they are committed and hands them to
// subscribers. What the writer committed, queries see (Store.Load
// indexes at once; Stage keeps what it staged visible to every query), so
// Subscribe plus a replay from the index sees every notification exactly
// once.
type eventLog struct {
	now func() time.Time

	mu   sync.Mutex
	last int64 // last sequence number given
	done int64 // last sequence number committed
	subs map[*Subscription]struct{}
}

// A Subscription receives the events committed after it was made, in
// order, on C. C is closed when the subscriber falls too far behind (it
// should resume from the last Seq it saw) or is cancelled.
type Subscription struct {
	C    <-chan Event
	c    chan Event
	log  *eventLog
	upto int64 // the last sequence number committed when it was made
}

// subBuffer is how many events a subscriber may fall behind.
const subBuffer = 1024

func newEventLog(now func() time.Time) *eventLog {
	return &eventLog{now: now, subs: make(map[*Subscription]struct{})}
}

// number gives each of evs, the notifications among rs, its sequence
// number, adds it to the notification's resource (the pmj:sequence
// triple) and returns the numbered events. Call it in commit order.
func (l *eventLog) number(rs []store.Resource, evs []Event) []Event {
	if len(evs) == 0 {
		return nil
	}
	out := make([]Event, len(evs))
	at := make(map[rdf.IRI]int, len(evs))
	for k, ev := range evs {
		l.mu.Lock()
		seq := max(l.last+1, l.now().UnixMicro())
		l.last = seq
		l.mu.Unlock()
		ev.Seq = seq
		out[k] = ev
		at[ev.ID] = k
	}
	for i := range rs {
		if k, ok := at[rs[i].ID]; ok {
			rs[i].Triples = append(rs[i].Triples, rdf.Triple{Subj: rs[i].ID, Pred: pmjSequence,
				Obj: rdf.NewTypedLiteral(strconv.FormatInt(out[k].Seq, 10), vocab.XSDInteger)})
		}
	}
	return out
}

// committed records that evs are durable and queryable, and hands them
// to the subscribers. Call it in commit order.
func (l *eventLog) committed(evs []Event) {
	if len(evs) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.done = evs[len(evs)-1].Seq
	for s := range l.subs {
		for _, ev := range evs {
			select {
			case s.c <- ev:
			default:
				// Too far behind: end its stream; it resumes from the
				// store.
				delete(l.subs, s)
				close(s.c)
				goto next
			}
		}
	next:
	}
}

// Cancel ends the subscription.
func (s *Subscription) Cancel() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	if _, ok := s.log.subs[s]; ok {
		delete(s.log.subs, s)
		close(s.c)
	}
}

// Subscribe starts a subscription to the notifications committed from
// now on; Replay then sends those before it.
func (e *Engine) Subscribe() *Subscription {
	l := e.events
	l.mu.Lock()
	defer l.mu.Unlock()
	c := make(chan Event, subBuffer)
	s := &Subscription{C: c, c: c, log: l, upto: l.done}
	l.subs[s] = struct{}{}
	return s
}

// replayBatch is how many notifications Replay reads from the index at a
// time.
const replayBatch = 500

// Replay calls fn, in sequence order, with every notification with a
// sequence number above after that was committed before s was made, as
// the store holds them. Those committed later come on s.C, all with larger
// numbers. It returns the last sequence number it passed to fn (after if
// none).
func (e *Engine) Replay(ctx context.Context, s *Subscription, after int64, fn func(Event) error) (int64, error) {
	last := after
	emit := func(ev Event) error {
		if ev.Seq <= last {
			return nil
		}
		last = ev.Seq
		return fn(ev)
	}
	for {
		type hit struct {
			seq int64
			id  rdf.IRI
		}
		var hits []hit
		if last >= s.upto {
			break
		}
		lo := rdf.NewTypedLiteral(strconv.FormatInt(last, 10), vocab.XSDInteger)
		hi := rdf.NewTypedLiteral(strconv.FormatInt(s.upto, 10), vocab.XSDInteger)
		err := e.st.View(ctx, func(src query.Source) error {
			return src.Range(ctx, pmjSequence, &lo, &hi, query.RangeOptions{HiInclusive: true}, func(sub rdf.Subject, o rdf.Literal) bool {
				n, err := strconv.ParseInt(o.String(), 10, 64)
				if id, ok := sub.(rdf.IRI); ok && err == nil && n > last && n <= s.upto {
					hits = append(hits, hit{n, id})
				}
				return len(hits) < replayBatch
			})
		})
		if err != nil {
			return last, err
		}
		for _, h := range hits {
			g, _, err := e.st.Get(ctx, h.id)
			if errors.Is(err, store.ErrNotFound) {
				continue // removed by retention meanwhile
			}
			if err != nil {
				return last, err
			}
			if err := emit(decodeNotification(h.id, h.seq, g)); err != nil {
				return last, err
			}
		}
		if len(hits) < replayBatch {
			break
		}
	}
	return last, nil
}

// loadSequence continues the numbering where the store's notifications
// left it.
func (e *Engine) loadSequence(ctx context.Context) error {
	return e.st.View(ctx, func(src query.Source) error {
		return src.Range(ctx, pmjSequence, nil, nil, query.RangeOptions{Desc: true}, func(_ rdf.Subject, o rdf.Literal) bool {
			if n, err := strconv.ParseInt(o.String(), 10, 64); err == nil {
				e.events.mu.Lock()
				e.events.last = max(e.events.last, n)
				e.events.done = max(e.events.done, n)
				e.events.mu.Unlock()
			}
			return false
		})
	})
}
