package jobs

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/schedule"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

func str(s string) rdf.Literal { return rdf.NewTypedLiteral(s, vocab.XSDString) }

func integer(n int) rdf.Literal { return rdf.NewTypedLiteral(strconv.Itoa(n), vocab.XSDInteger) }

// dateTime writes t in loc with its offset, e.g. 2026-11-24T10:00:00+01:00.
func dateTime(t time.Time, loc *time.Location) rdf.Literal {
	if loc == nil {
		loc = time.UTC
	}
	return rdf.NewTypedLiteral(t.In(loc).Format(time.RFC3339Nano), vocab.XSDDateTime)
}

func number(v float64) rdf.Literal {
	return rdf.NewTypedLiteral(strconv.FormatFloat(v, 'g', -1, 64), vocab.XSDDouble)
}

var (
	pmjProducedBy  = vocab.PMJTerm("producedBy")
	pmjPeriodStart = vocab.PMJTerm("periodStart")
	pmjPeriodEnd   = vocab.PMJTerm("periodEnd")
	pmjRecord      = vocab.PMJTerm("record")
	pmjMissed      = vocab.PMJTerm("missedPeriod")
	pmjLast        = vocab.PMJTerm("lastCollected")
	pmjEvent       = vocab.PMJTerm("event")
	pmjReport      = vocab.PMJTerm("report")
	dcCreator      = vocab.DCCreator
)

// ident returns a resource identifier for job ident and period end t:
// the same inputs give the same identifier, so a period written twice
// would land on the same resources.
func periodIdent(jobIdent string, t time.Time, extra string) string {
	id := jobIdent + "-" + strconv.FormatInt(t.Unix(), 36)
	if extra != "" {
		h := fnv.New32a()
		h.Write([]byte(extra))
		id += "-" + strconv.FormatUint(uint64(h.Sum32()), 36)
	}
	return id
}

// resource builds a resource at path/ident of class, with the
// server-managed triples, and returns its IRI and triples.
func (e *Engine) resource(path, ident, shape string, class rdf.IRI, title string, at time.Time) (rdf.IRI, []rdf.Triple) {
	id := e.iri(path + "/" + ident)
	g := []rdf.Triple{
		{Subj: id, Pred: vocab.RDFType, Obj: class},
		{Subj: id, Pred: vocab.DCTitle, Obj: rdf.NewTypedLiteral(xmlEscape(title), vocab.RDFXMLLiteral)},
	}
	return id, append(g, e.managed(id, shape, ident, at, at)...)
}

// xmlEscape escapes text for an rdf:XMLLiteral title.
func xmlEscape(s string) string { return xmlEscaper.Replace(s) }

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// records turns one period's samples into records, one per resource.
func (e *Engine) records(r *run, p schedule.Period, samples []collect.Sample, now time.Time) ([]store.Resource, []rdf.IRI) {
	loc := r.job.Schedule.Location
	byRes := make(map[rdf.IRI][]collect.Sample)
	var order []rdf.IRI
	for _, s := range samples {
		if _, ok := byRes[s.Resource]; !ok {
			order = append(order, s.Resource)
		}
		byRes[s.Resource] = append(byRes[s.Resource], s)
	}
	var out []store.Resource
	var ids []rdf.IRI
	for _, res := range order {
		ident := periodIdent(r.ident, p.End, res.String())
		id, g := e.resource("/oslc/records", ident, "record", vocab.PMRecord,
			fmt.Sprintf("%s: %s, %s", r.def.Title, shortName(res), p.End.In(locOrUTC(loc)).Format("2006-01-02 15:04:05 MST")), now)
		g = append(g,
			rdf.Triple{Subj: id, Pred: vocab.DCIsPartOf, Obj: res},
			rdf.Triple{Subj: id, Pred: vocab.DCDate, Obj: dateTime(p.End, loc)},
			rdf.Triple{Subj: id, Pred: pmjPeriodStart, Obj: dateTime(p.Start, loc)},
			rdf.Triple{Subj: id, Pred: pmjProducedBy, Obj: r.id},
		)
		i := 0
		for _, s := range byRes[res] {
			if s.Status != (rdf.IRI{}) {
				g = append(g, rdf.Triple{Subj: id, Pred: vocab.PMAvailabilityStatus, Obj: s.Status})
				continue
			}
			i++
			m := vocab.IRI(id.String()+"#", "m"+strconv.Itoa(i))
			g = append(g,
				rdf.Triple{Subj: id, Pred: vocab.EMSObserves, Obj: m},
				rdf.Triple{Subj: m, Pred: vocab.RDFType, Obj: vocab.EMSMeasure},
				rdf.Triple{Subj: m, Pred: vocab.EMSMetric, Obj: s.Metric},
				rdf.Triple{Subj: m, Pred: vocab.EMSNumericValue, Obj: number(s.Value)},
			)
			if s.Unit != (rdf.IRI{}) {
				g = append(g, rdf.Triple{Subj: m, Pred: vocab.EMSUnitOfMeasure, Obj: s.Unit})
			}
			if s.Count > 0 {
				g = append(g, rdf.Triple{Subj: m, Pred: vocab.PMJTerm("sampleCount"), Obj: integer(s.Count)})
			}
		}
		out = append(out, store.Resource{ID: id, Triples: g})
		ids = append(ids, id)
	}
	return out, ids
}

func locOrUTC(l *time.Location) *time.Location {
	if l == nil {
		return time.UTC
	}
	return l
}

// shortName is the last path segment of an IRI, for titles.
func shortName(i rdf.IRI) string {
	return vocab.LocalName(strings.TrimSuffix(i.String(), "/"))
}

// finishReport closes the reporting period rp: the report resource and/or
// notification per the job's reporting mode, and starts the next period.
// The notification, if there is one, comes as an event too.
func (e *Engine) finishReport(r *run, rp schedule.Period) ([]store.Resource, []Event) {
	now := e.now()
	rep := r.report
	if rep.start.IsZero() {
		rep.start, rep.end = rp.Start, rp.End
	}
	r.report = pending{}
	loc := r.job.Schedule.Location
	var out []store.Resource
	var reportID rdf.IRI
	if r.def.Mode != ReportEvents {
		ident := periodIdent(r.ident, rp.End, "")
		id, g := e.resource("/oslc/reports", ident, "report", vocab.PMJReport,
			fmt.Sprintf("%s: report %s to %s", r.def.Title, rp.Start.In(locOrUTC(loc)).Format("2006-01-02 15:04"), rp.End.In(locOrUTC(loc)).Format("15:04 MST")), now)
		g = append(g,
			rdf.Triple{Subj: id, Pred: pmjProducedBy, Obj: r.id},
			rdf.Triple{Subj: id, Pred: pmjPeriodStart, Obj: dateTime(rp.Start, loc)},
			rdf.Triple{Subj: id, Pred: pmjPeriodEnd, Obj: dateTime(rp.End, loc)},
			rdf.Triple{Subj: id, Pred: vocab.PMJTerm("granularity"), Obj: rdf.NewTypedLiteral(vocab.FormatDuration(r.job.Schedule.Granularity), vocab.XSDDuration)},
			rdf.Triple{Subj: id, Pred: vocab.PMJTerm("recordCount"), Obj: integer(len(rep.records))},
			rdf.Triple{Subj: id, Pred: vocab.PMJTerm("collectedPeriods"), Obj: integer(rep.collected)},
			rdf.Triple{Subj: id, Pred: vocab.PMJTerm("missedPeriods"), Obj: integer(len(rep.missed))},
		)
		for _, rec := range rep.records {
			g = append(g, rdf.Triple{Subj: id, Pred: pmjRecord, Obj: rec})
		}
		for _, res := range rep.resources {
			g = append(g, rdf.Triple{Subj: id, Pred: vocab.PMJTerm("monitoredObject"), Obj: res})
		}
		for _, m := range rep.missed {
			g = append(g, rdf.Triple{Subj: id, Pred: pmjMissed, Obj: dateTime(m, loc)})
		}
		out = append(out, store.Resource{ID: id, Triples: g})
		reportID = id
	}
	var evs []Event
	if r.def.Mode != ReportResources {
		ident := periodIdent(r.ident, rp.End, "event")
		id, g := e.resource("/oslc/notifications", ident, "notification", vocab.PMJNotification,
			fmt.Sprintf("%s: data for %s to %s", r.def.Title, rp.Start.In(locOrUTC(loc)).Format("2006-01-02 15:04"), rp.End.In(locOrUTC(loc)).Format("15:04 MST")), now)
		ev := Event{ID: id, Kind: FilesReady, Job: r.id, Report: reportID,
			Date: now.In(locOrUTC(loc)), PeriodStart: rp.Start.In(locOrUTC(loc)), PeriodEnd: rp.End.In(locOrUTC(loc))}
		if rep.collected == 0 {
			// Nothing to put in a report: every period was missed.
			ev.Kind = PreparationError
			ev.Description = fmt.Sprintf("the report could not be prepared: none of the %d granularity period(s) due in the reporting period was collected (see the job's tracking records)", len(rep.missed))
		}
		var records []rdf.IRI
		if reportID == (rdf.IRI{}) {
			records = rep.records
			ev.Records = len(records)
		}
		out = append(out, store.Resource{ID: id, Triples: append(g, encodeNotification(ev, records)...)})
		evs = append(evs, ev)
	}
	return out, evs
}

// progressID is where the engine keeps a job's progress.
func (e *Engine) progressID(ident string) rdf.IRI { return e.iri("/oslc/engine/" + ident) }

// progress is the resource holding r's cursor and the reporting period
// under way; it is written with every period, so it is kept small: the
// period's records are found again by query after a restart.
func (e *Engine) progress(r *run) store.Resource {
	id := e.progressID(r.ident)
	g := []rdf.Triple{
		{Subj: id, Pred: pmjProducedBy, Obj: r.id},
		{Subj: id, Pred: pmjLast, Obj: dateTime(r.cursor, nil)},
		{Subj: id, Pred: vocab.PMJTerm("collectedPeriods"), Obj: integer(r.report.collected)},
	}
	if !r.report.start.IsZero() {
		g = append(g,
			rdf.Triple{Subj: id, Pred: pmjPeriodStart, Obj: dateTime(r.report.start, nil)},
			rdf.Triple{Subj: id, Pred: pmjPeriodEnd, Obj: dateTime(r.report.end, nil)})
	}
	for _, m := range r.report.missed {
		g = append(g, rdf.Triple{Subj: id, Pred: pmjMissed, Obj: dateTime(m, nil)})
	}
	if r.lease != nil {
		// Who wrote it, under which token: for the record of a takeover.
		g = append(g, rdf.Triple{Subj: id, Pred: pmjFencingToken, Obj: rdf.NewTypedLiteral(strconv.FormatInt(r.lease.fencing(), 10), vocab.XSDInteger)})
	}
	return store.Resource{ID: id, Triples: g}
}

// readProgress restores r's cursor and reporting period from the store.
func (e *Engine) readProgress(ctx context.Context, r *run) error {
	g, etag, err := e.st.Get(ctx, e.progressID(r.ident))
	if err != nil {
		return err
	}
	r.progressTag = etag
	for _, t := range g {
		switch t.Pred {
		case pmjLast:
			r.cursor = parseTime(t.Obj)
		case pmjPeriodStart:
			r.report.start = parseTime(t.Obj)
		case pmjPeriodEnd:
			r.report.end = parseTime(t.Obj)
		case pmjMissed:
			r.report.missed = append(r.report.missed, parseTime(t.Obj))
		case vocab.PMJTerm("collectedPeriods"):
			r.report.collected, _ = strconv.Atoi(t.Obj.String())
		}
	}
	if r.report.start.IsZero() {
		return nil
	}
	// The records of the reporting period under way.
	where := producedSince(r.id, r.report.start)
	return e.st.View(ctx, func(src query.Source) error {
		res, err := query.Run(ctx, src, query.Scope{Prefix: e.base + "/oslc/records/"}, &query.Query{Where: where}, query.Page{NoTotal: true})
		if err != nil {
			return err
		}
		for _, m := range res.Members {
			r.report.records = append(r.report.records, m.ID)
			g, _, err := src.Get(ctx, m.ID)
			if err != nil {
				return err
			}
			for _, t := range g {
				if t.Pred == vocab.DCIsPartOf && rdf.TermsEqual(t.Subj, m.ID) {
					if res, ok := t.Obj.(rdf.IRI); ok {
						r.report.addResource(res)
					}
				}
			}
		}
		return nil
	})
}

// producedSince is the oslc.where of what job produced for the periods
// starting at start or later.
func producedSince(job rdf.IRI, start time.Time) *parser.Where {
	return parser.And(
		parser.Eq(pmjProducedBy, job),
		parser.Compare(pmjPeriodStart, parser.OpGE, rdf.NewTypedLiteral(start.UTC().Format(time.RFC3339Nano), vocab.XSDDateTime)))
}

// addResource notes that the reporting period has a record about res.
func (p *pending) addResource(res rdf.IRI) {
	if !slices.Contains(p.resources, res) {
		p.resources = append(p.resources, res)
	}
}

func parseTime(o rdf.Object) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, o.String())
	return t
}

// A writer commits what the jobs produce in few transactions: what
// arrives while one commits goes into the next (group commit).
type writer struct {
	busy   atomic.Bool // gathering or committing writes
	st     Store
	events *eventLog
	stats  *stats
	merged *signal // poked after each staged commit
	ch     chan *batch
	wg     sync.WaitGroup
	live   bool
	mu     sync.Mutex
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

// submit commits rs, among which the notifications evs, without waiting,
// in order with the other writes, and then calls then with the outcome.
func (w *writer) submit(rs []store.Resource, evs []Event, then func(err error)) {
	w.mu.Lock()
	live := w.live
	w.mu.Unlock()
	if !live {
		then(w.load(context.Background(), rs, evs))
		return
	}
	w.ch <- &batch{rs: rs, evs: evs, then: then}
}

// maxBatch is the most resources one transaction holds: store.Load is
// fastest per resource at about a thousand.
const maxBatch = 1000

// gatherDelay is how long the writer waits for more writes to join a
// transaction.
const gatherDelay = 10 * time.Millisecond

func newWriter(st Store, events *eventLog, stats *stats) *writer {
	return &writer{st: st, events: events, stats: stats, ch: make(chan *batch, 1024), merged: newSignal()}
}

// A stager is a store that can take writes fast and index them later
// (store.DB): the engine stages what it produces and merges it in the
// background, so a burst of records at a period boundary is durable in
// milliseconds and queryable a little later.
type stager interface {
	Stage(ctx context.Context, rs []store.Resource) error
	Merge(ctx context.Context, max int) (int, error)
}

// mergeChunk is how many staged resources one merge transaction indexes:
// small enough that staging never waits long for it.
const mergeChunk = 200

// mergeLoop indexes staged resources until ctx is done. Writes of the
// jobs come first: it merges only when none has been queued for
// mergeQuiet, in chunks, stopping as soon as one is.
//
// Like loop, it runs in a goroutine its caller counted in w.wg.
func (w *writer) mergeLoop(ctx context.Context, log func(error), nextDue func() time.Time) {
	defer w.wg.Done()
	st, ok := w.st.(stager)
	if !ok {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return // what is left is merged by the next Open
		case <-w.merged.c:
		case <-time.After(time.Second):
		}
		// Let the burst of a period boundary be staged first.
		for quiet := false; !quiet; {
			select {
			case <-ctx.Done():
				return
			case <-w.merged.c:
			case <-time.After(mergeQuiet):
				quiet = true
			}
		}
		for len(w.ch) == 0 && !w.busy.Load() && ctx.Err() == nil {
			// Keep clear of the next period boundary: its writes should
			// not wait for a merge.
			if d := time.Until(nextDue()); d >= 0 && d < mergeGuard {
				break
			}
			n, err := st.Merge(context.Background(), mergeChunk)
			if err != nil {
				log(err)
				break
			}
			if n < mergeChunk {
				break
			}
		}
		done := w.events.lastDone()
		if n, err := w.staged(); n > 0 {
			w.merged.signal() // more to do once the writes are in
		} else if err == nil {
			w.events.merged(done) // all committed before done is indexed
		}
	}
}

// staged returns how many resources wait to be merged, if the store says.
func (w *writer) staged() (int, error) {
	if st, ok := w.st.(interface{ Staged() (int, error) }); ok {
		return st.Staged()
	}
	return 0, nil
}

// mergeGuard is how long before the next period end no merge starts.
const mergeGuard = 300 * time.Millisecond

// mergeQuiet is how long the writer must have been idle before merging.
const mergeQuiet = 200 * time.Millisecond

// A signal wakes one waiter; pokes while nobody waits are merged.
type signal struct{ c chan struct{} }

func newSignal() *signal { return &signal{c: make(chan struct{}, 1)} }

func (s *signal) signal() {
	select {
	case s.c <- struct{}{}:
	default:
	}
}

// write commits rs, among which the notifications evs, through the
// group-commit loop when it runs.
func (w *writer) write(ctx context.Context, rs []store.Resource, evs []Event) error {
	if len(rs) == 0 {
		return nil
	}
	w.mu.Lock()
	live := w.live
	w.mu.Unlock()
	if !live {
		return w.load(ctx, rs, evs)
	}
	b := &batch{rs: rs, evs: evs, done: make(chan error, 1)}
	select {
	case w.ch <- b:
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-b.done
}

// loop commits the queued writes in groups until ctx is done. It runs in
// a goroutine its caller counted in w.wg.
func (w *writer) loop(ctx context.Context) {
	defer w.wg.Done()
	w.mu.Lock()
	w.live = true
	w.mu.Unlock()
	for {
		var first *batch
		select {
		case first = <-w.ch:
		case <-ctx.Done():
			w.mu.Lock()
			w.live = false
			w.mu.Unlock()
			// Drain what is queued, so that no caller waits for ever.
			for {
				select {
				case b := <-w.ch:
					b.finish(w.load(context.Background(), b.rs, b.evs))
				default:
					return
				}
			}
		}
		// Gather what arrives within gatherDelay of the first, up to
		// maxBatch resources: a transaction costs much the same for one
		// job's period as for a hundred.
		w.busy.Store(true)
		group := []*batch{first}
		n := len(first.rs)
		deadline := time.NewTimer(gatherDelay)
	more:
		for n < maxBatch {
			select {
			case b := <-w.ch:
				group = append(group, b)
				n += len(b.rs)
			case <-deadline.C:
				break more
			}
		}
		deadline.Stop()
		all := make([]store.Resource, 0, n)
		var evs []Event
		for _, b := range group {
			all = append(all, b.rs...)
			evs = append(evs, b.evs...)
		}
		var err error
		began := time.Now()
		if st, ok := w.st.(stager); ok {
			numbered := w.events.number(all, evs)
			err = st.Stage(context.Background(), all)
			if err == nil {
				w.events.committed(numbered, true)
			}
			w.merged.signal()
		} else {
			err = w.load(context.Background(), all, evs)
		}
		w.stats.tx(len(all), time.Since(began))
		for _, b := range group {
			b.finish(err)
		}
		w.busy.Store(false)
		w.merged.signal() // the merger's quiet time starts now
	}
}

func (w *writer) wait() { w.wg.Wait() }

// load writes rs, among which the notifications evs, through the indexes
// at once.
func (w *writer) load(ctx context.Context, rs []store.Resource, evs []Event) error {
	numbered := w.events.number(rs, evs)
	if err := w.st.Load(ctx, rs); err != nil {
		return err
	}
	w.events.committed(numbered, false)
	return nil
}
