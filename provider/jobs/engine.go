// Package jobs runs measurement jobs: it parses and checks job
// definitions (RDF resources in the pmj vocabulary), keeps each job's
// state machine (package schedule), and at the end of every on-duty
// granularity period asks the job's collector (package collect) for
// measurements and stores them as pm:PerformanceMonitoringRecords, with a
// report per reporting period, notifications per the reporting mode and a
// tracking record for every change of a job. Subscribers get each
// notification as a typed Event (Subscribe, Replay), never as triples.
//
// Everything the engine needs to carry on after a restart is in the store:
// the job resources (definition and state) and one progress resource per
// job (the end of the last period handled and the reporting period under
// way), written in the same transaction as the records of each period
// (when engines share a store by leases, after a claim of the job's
// lease, the fence: see lease.go). A
// restarted engine resumes at the next granularity boundary, never emits a
// period twice, records the periods it missed without inventing data for
// them, and closes the report of a reporting period it was stopped in
// with those missed periods, so that no report counts another window's.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/schedule"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Store is what the engine needs of the triple store: resources written
// and read whole, and consistent views that the query engine reads
// (query.Source). query/boltsource.DB is one over the bbolt store.
type Store interface {
	Create(ctx context.Context, id rdf.IRI, g []rdf.Triple) (etag string, err error)
	Get(ctx context.Context, id rdf.IRI) (g []rdf.Triple, etag string, err error)
	Replace(ctx context.Context, id rdf.IRI, g []rdf.Triple, ifMatch string) (etag string, err error)
	Delete(ctx context.Context, id rdf.IRI, ifMatch string) error
	Resources(ctx context.Context, after rdf.IRI, fn func(id rdf.IRI) bool) error
	Load(ctx context.Context, rs []store.Resource) error
	View(ctx context.Context, fn func(src query.Source) error) error
}

// Config configures an Engine.
type Config struct {
	Store Store
	// Base is the provider's base URL: jobs live at Base/oslc/jobs/{id},
	// records at Base/oslc/records/{id}, reports at Base/oslc/reports/{id},
	// tracking records at Base/oslc/tracking/{id} and notifications at
	// Base/oslc/notifications/{id}.
	Base string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Collectors are the collectors jobs may name, besides push, which
	// the engine always has.
	Collectors []collect.Collector
	// Managed returns the server-managed triples of a new resource
	// (identifier, created, modified, service provider, instance shape).
	Managed func(id rdf.IRI, shape, ident string, created, modified time.Time) []rdf.Triple
	// Logger receives engine errors; nil means slog.Default().
	Logger *slog.Logger
	// Horizon is how far ahead a start time may be; at least
	// schedule.MinHorizon.
	Horizon time.Duration
	// Workers bounds the collections run at once; 0 means 4 per CPU.
	Workers int
	// RetryBudget is the longest a failing collection is retried within
	// a period (never more than half the period); 0 means 10 s.
	RetryBudget time.Duration
	// Lease, when positive, shares the jobs with the other engines over
	// the same store: each job runs on the engine that holds its lease
	// (see lease.go), which lasts half the job's granularity period but
	// at least Lease, and is taken up by another engine when it runs
	// out. Zero runs every stored job here, for a store one process owns.
	Lease time.Duration
	// Instance names this engine in the leases it holds; it must differ
	// between the engines sharing a store.
	Instance string
}

// Engine runs measurement jobs. Its methods are safe for concurrent use.
type Engine struct {
	st         Store
	base       string
	now        func() time.Time
	managed    func(id rdf.IRI, shape, ident string, created, modified time.Time) []rdf.Triple
	log        *slog.Logger
	horizon    time.Duration
	workers    int
	retry      time.Duration
	lease      time.Duration
	instance   string
	collectors map[string]collect.Collector // by pmj IRI
	leaf       map[string]bool              // pm leaf metrics
	members    map[string][]rdf.IRI         // category -> its leaf metrics
	prefixes   map[string]string
	exists     func(ctx context.Context, id rdf.IRI) (bool, error)
	writer     *writer
	events     *eventLog

	mu    sync.Mutex
	runs  map[rdf.IRI]*run
	wake  chan struct{}
	short []time.Duration // granularities besides schedule.Granularities

	stats stats

	stop    context.CancelFunc
	stopped chan struct{}
}

// Who made a change: the engine itself.
const engineAgent = "pmprovider job engine"

// New returns an engine over cfg.Store. Call Load to pick up the stored
// jobs and Start to run them in the background.
func New(cfg Config) (*Engine, error) {
	e := &Engine{
		st:         cfg.Store,
		base:       strings.TrimSuffix(cfg.Base, "/"),
		now:        cfg.Now,
		managed:    cfg.Managed,
		log:        cfg.Logger,
		horizon:    max(cfg.Horizon, schedule.MinHorizon),
		workers:    cfg.Workers,
		retry:      cfg.RetryBudget,
		lease:      cfg.Lease,
		instance:   cfg.Instance,
		collectors: make(map[string]collect.Collector),
		leaf:       make(map[string]bool),
		members:    make(map[string][]rdf.IRI),
		prefixes:   make(map[string]string),
		runs:       make(map[rdf.IRI]*run),
		wake:       make(chan struct{}, 1),
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.leasing() && e.instance == "" {
		return nil, fmt.Errorf("job engine: leases need an instance name")
	}
	if e.retry <= 0 {
		e.retry = 10 * time.Second
	}
	if e.workers <= 0 {
		e.workers = 4 * runtime.NumCPU()
	}
	if e.managed == nil {
		e.managed = func(rdf.IRI, string, string, time.Time, time.Time) []rdf.Triple { return nil }
	}
	for _, p := range vocab.Prefixes {
		e.prefixes[p.Prefix] = p.NS
	}
	closure, err := vocab.SubClassClosure()
	if err != nil {
		return nil, err
	}
	for _, m := range vocab.Metrics() {
		e.leaf[m] = true
		for _, sup := range closure[m] {
			e.members[sup] = append(e.members[sup], vocab.IRI(m, ""))
		}
	}
	cs := append([]collect.Collector{&pushCollector{e: e}}, cfg.Collectors...)
	for _, c := range cs {
		e.collectors[CollectorIRI(c).String()] = c
	}
	e.exists = func(ctx context.Context, id rdf.IRI) (bool, error) {
		var ok bool
		err := e.st.View(ctx, func(src query.Source) error {
			var err error
			ok, err = src.Exists(ctx, id)
			return err
		})
		return ok, err
	}
	e.events = newEventLog(e.now)
	e.writer = newWriter(e.st, e.events, &e.stats, writeDepth(e.st))
	return e, nil
}

// CollectorIRI returns the pmj IRI naming c: pmj:<Name>Collector, with
// the name capitalized.
func CollectorIRI(c collect.Collector) rdf.IRI {
	n := c.Name()
	return vocab.PMJTerm(strings.ToUpper(n[:1]) + n[1:] + "Collector")
}

// AllowGranularities lets new jobs use granularities besides the MEF set
// of schedule.Granularities, such as seconds, for tests and demonstrations.
// Each must divide a day.
func (e *Engine) AllowGranularities(ds ...time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, d := range ds {
		if d > 0 && schedule.Day%d == 0 && !slices.Contains(e.short, d) {
			e.short = append(e.short, d)
		}
	}
}

// granularities are the granularities a job may use, shortest first.
func (e *Engine) granularities() []time.Duration {
	e.mu.Lock()
	gs := append(schedule.Granularities(), e.short...)
	e.mu.Unlock()
	slices.Sort(gs)
	return slices.Compact(gs)
}

func (e *Engine) collectorNames() []string {
	var names []string
	for k := range e.collectors {
		names = append(names, vocab.Short(k))
	}
	slices.Sort(names)
	return names
}

func (e *Engine) iri(path string) rdf.IRI {
	i, err := rdf.NewIRI(e.base + path)
	if err != nil {
		panic(err)
	}
	return i
}

// A run is one job the engine runs.
type run struct {
	mu      sync.Mutex // held while the job is worked on
	id      rdf.IRI
	ident   string
	def     *Definition
	job     *schedule.Job
	cursor  time.Time // every period starting before it has been handled
	since   time.Time // periods starting before it are not due (created, resumed, modified)
	report  pending   // the reporting period under way
	gone    bool      // deleted
	due     time.Time // when it next needs the engine; guarded by Engine.mu
	busy    bool      // a tick is in flight; guarded by Engine.mu
	targets []collect.Target
	tAt     time.Time // when targets were resolved
	lease   *lease    // when leasing: the job's lease, held by this engine
}

// empty reports whether the reporting period under way has nothing to
// report: no records and no missed periods.
func (p *pending) empty() bool { return len(p.records) == 0 && len(p.missed) == 0 && p.collected == 0 }

// pending is the reporting period under way.
type pending struct {
	start, end time.Time
	records    []rdf.IRI
	resources  []rdf.IRI // the monitored resources the records are about, each once
	missed     []time.Time
	collected  int
}

// Start runs the jobs in the background until Close.
func (e *Engine) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	e.stop, e.stopped = cancel, make(chan struct{})
	// Counted before it runs, so that a Close right after waits for it.
	e.writer.wg.Add(1)
	go e.writer.loop(ctx)
	var wg sync.WaitGroup
	if e.leasing() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.shareLoop(ctx)
		}()
	}
	go func() {
		defer close(e.stopped)
		defer wg.Wait()
		e.loop(ctx)
	}()
}

// Close stops the background work started by Start and waits for it.
func (e *Engine) Close() {
	if e.stop != nil {
		e.stop()
		<-e.stopped
		e.writer.wait()
	}
}

// Live reports whether the engine runs in the background (Start).
func (e *Engine) Live() bool {
	e.writer.mu.Lock()
	defer e.writer.mu.Unlock()
	return e.writer.live
}

func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// loop ticks every job when it is due.
func (e *Engine) loop(ctx context.Context) {
	sem := make(chan struct{}, e.workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		now := e.now()
		due, next := e.dueRuns(now)
		for _, r := range due {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Add(1)
			go func(r *run) {
				defer wg.Done()
				e.safeTick(ctx, r, e.now())
				<-sem
				e.mu.Lock()
				r.busy = false
				e.mu.Unlock()
				e.poke()
			}(r)
		}
		wait := time.Hour
		if !next.IsZero() {
			wait = max(next.Sub(e.now()), 0)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-e.wake:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// dueRuns marks busy and returns the runs due at now, highest priority
// first, and the earliest due time of the others.
func (e *Engine) dueRuns(now time.Time) ([]*run, time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var due []*run
	var next time.Time
	for _, r := range e.runs {
		if r.busy || r.due.IsZero() {
			continue
		}
		if !r.due.After(now) {
			r.busy = true
			due = append(due, r)
		} else if next.IsZero() || r.due.Before(next) {
			next = r.due
		}
	}
	slices.SortFunc(due, func(a, b *run) int { return a.def.Priority - b.def.Priority })
	return due, next
}

// Tick brings every job up to now, synchronously: tests drive the engine
// with it and an injected clock instead of Start.
func (e *Engine) Tick(ctx context.Context, now time.Time) {
	e.mu.Lock()
	runs := make([]*run, 0, len(e.runs))
	for _, r := range e.runs {
		runs = append(runs, r)
	}
	e.mu.Unlock()
	slices.SortFunc(runs, func(a, b *run) int { return a.def.Priority - b.def.Priority })
	for _, r := range runs {
		e.safeTick(ctx, r, now)
	}
}

// safeTick is tick, surviving a panic: it is logged with its stack, and
// the job is looked at again a granularity period later (the periods it
// could not handle meanwhile are then found missed), while the other jobs
// go on.
func (e *Engine) safeTick(ctx context.Context, r *run, now time.Time) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		e.log.Error("job engine: panic while running a job", "job", r.id.String(), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		r.mu.Lock()
		again := now.Add(max(r.job.Schedule.Granularity, time.Second))
		r.mu.Unlock()
		e.mu.Lock()
		r.due = again
		e.mu.Unlock()
		e.poke()
	}()
	e.tick(ctx, r, now)
}

// setDue records when r next needs the engine: the end of its next
// period or its next state change, whichever comes first.
func (e *Engine) setDue(r *run) {
	var due time.Time
	if !r.job.Status.State.Terminal() {
		if p, ok := r.nextPeriod(); ok {
			due = p.End
		}
		if t, ok := r.job.Schedule.NextTransition(r.job.At); ok && (due.IsZero() || t.Before(due)) {
			due = t
		}
		if st := r.job.Schedule.Stop; !st.IsZero() && (due.IsZero() || st.Before(due)) {
			due = st
		}
		if st := r.job.Schedule.Start; st.After(r.job.At) && (due.IsZero() || st.Before(due)) {
			due = st
		}
	}
	e.mu.Lock()
	r.due = due
	e.mu.Unlock()
	e.poke()
}

// nextPeriod returns the first period the schedule collects that starts
// at or after both the cursor and since.
func (r *run) nextPeriod() (schedule.Period, bool) {
	from := r.cursor
	if r.since.After(from) {
		from = r.since
	}
	s := &r.job.Schedule
	p, ok := s.NextPeriod(from)
	for ok && p.Start.Before(from) {
		p, ok = s.NextPeriod(p.End)
	}
	return p, ok
}

// eligible reports whether a job in status st collects.
func eligible(st schedule.Status) bool {
	if st.Admin == schedule.Locked {
		return false
	}
	switch st.State {
	case schedule.InProgress:
		return st.Duty == schedule.DutyOn
	case schedule.ResourceUnavailable, schedule.Failed:
		return true
	}
	return false
}

// tick handles every period of r that ended by now, then the state
// changes up to now.
func (e *Engine) tick(ctx context.Context, r *run, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gone || r.job.Status.State.Terminal() {
		return
	}
	if e.leasing() && !r.lease.held(now) {
		// Renewing failed so far: collecting now might overlap a taker.
		e.mu.Lock()
		r.due = now.Add(max(e.lease/4, 10*time.Millisecond))
		e.mu.Unlock()
		return
	}
	if e.leasing() && !e.synced(ctx, r, now) {
		return // deleted or ended on another instance
	}
	var trs []change
	for ctx.Err() == nil {
		p, ok := r.nextPeriod()
		if !ok || p.End.After(now) {
			break
		}
		trs = append(trs, changes(r.job.Step(p.End.Add(-time.Nanosecond)))...)
		out, notes := e.enterReport(r, p) // notes: the notifications among out
		nrec := 0
		if eligible(r.job.Status) {
			if late := now.Sub(p.End); late > r.job.Schedule.Granularity && late > 5*time.Second {
				// Collecting now would measure the wrong time: the
				// period is missed.
				r.report.missed = append(r.report.missed, p.Start)
				e.stats.miss(1)
				trs = append(trs, e.missedNote(r, []time.Time{p.Start}, now, "the engine was too late for it, by "+late.Round(time.Millisecond).String()))
			} else {
				recs, ftrs := e.collectPeriod(ctx, r, p)
				if ctx.Err() != nil {
					return // shutting down: the period is collected after the restart, or found missed
				}
				trs = append(trs, ftrs...)
				out = append(out, recs...)
				nrec = len(recs)
			}
		}
		r.cursor = p.End
		if rp := r.job.Schedule.ReportPeriodAt(p.Start); !p.End.Before(rp.End) {
			if r.report.empty() {
				r.report = pending{}
			} else {
				rs, evs := e.finishReport(r, rp)
				out, notes = append(out, rs...), append(notes, evs...)
			}
		}
		out, err := e.withProgress(ctx, r, out)
		if err != nil {
			// Another engine took the job over (or the store failed): write
			// nothing of the period; the lease's holder records it.
			e.drop(r, err)
			return
		}
		id, end, n := r.id, p.End, nrec
		e.writer.submit(out, notes, func(err error) {
			if err != nil {
				e.log.Error("job engine: write period", "job", id.String(), "period end", end, "err", err)
				return
			}
			e.stats.period(end, e.now(), n)
		})
	}
	trs = append(trs, changes(r.job.Step(now))...)
	if err := e.expire(ctx, r, now); err != nil && ctx.Err() == nil {
		e.log.Error("job engine: report retention", "job", r.id.String(), "err", err)
	}
	if r.job.Status.State.Terminal() {
		defer e.closeReport(ctx, r, now)
	}
	if err := e.persist(ctx, r, trs); err != nil {
		e.log.Error("job engine: record state", "job", r.id.String(), "err", err)
	}
	e.setDue(r)
}

// enterReport makes the reporting period under way the one of p. If the
// one under way is of an earlier window, some of whose periods were never
// handled (the provider stopped, the job was off duty or its schedule
// changed), its report is finished first, as its own: the resources and
// notifications to write are returned. Its records and missed periods
// are never counted in another window.
func (e *Engine) enterReport(r *run, p schedule.Period) ([]store.Resource, []Event) {
	rp := r.job.Schedule.ReportPeriodAt(p.Start)
	var out []store.Resource
	var evs []Event
	if !r.report.start.IsZero() && (!r.report.start.Equal(rp.Start) || !r.report.end.Equal(rp.End)) {
		if !r.report.empty() {
			out, evs = e.finishReport(r, schedule.Period{Start: r.report.start, End: r.report.end})
		}
		r.report = pending{}
	}
	if r.report.start.IsZero() {
		r.report.start, r.report.end = rp.Start, rp.End
	}
	return out, evs
}

// closeReport writes the report of the reporting period under way of a
// job that ended (cancelled or completed) at now, if it has anything. The
// report covers the whole reporting period, as every report does; its
// records end where the job did.
func (e *Engine) closeReport(ctx context.Context, r *run, now time.Time) {
	if r.report.empty() {
		return
	}
	rp := schedule.Period{Start: r.report.start, End: r.report.end}
	if rp.Start.IsZero() {
		rp = r.job.Schedule.ReportPeriodAt(now)
	}
	out, evs := e.finishReport(r, rp)
	out, err := e.withProgress(ctx, r, out)
	if err != nil {
		e.drop(r, err)
		return
	}
	if err := e.writer.write(ctx, out, evs); err != nil {
		e.log.Error("job engine: last report", "job", r.id.String(), "err", err)
	}
}

// missedNote is the change that records missed periods.
func (e *Engine) missedNote(r *run, starts []time.Time, at time.Time, why string) change {
	return change{at: at, event: vocab.PMJTerm("PeriodsMissed"), from: r.job.Status, to: r.job.Status,
		detail: fmt.Sprintf("%d granularity period(s) were due but not collected: %s; no data was invented for them", len(starts), why),
		missed: starts, who: engineAgent}
}
