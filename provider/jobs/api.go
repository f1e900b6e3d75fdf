package jobs

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/schedule"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// ErrNotAllowed wraps the refusal of an event in the job's state, such as
// resuming a cancelled job (HTTP 409).
var ErrNotAllowed = schedule.ErrNotAllowed

// ErrNoJob means no job is known at the IRI given.
var ErrNoJob = errors.New("no such job")

// links are the server-managed links of a job resource.
func (e *Engine) links(r *run) []rdf.Triple {
	g := []rdf.Triple{{Subj: r.id, Pred: vocab.PMJTerm("trackingRecords"), Obj: e.iri(e.trackingQuery(r.id))}}
	if r.def.Collector != nil && r.def.Collector.Name() == "push" {
		g = append(g, rdf.Triple{Subj: r.id, Pred: vocab.PMJTerm("push"), Obj: vocab.IRI(r.id.String(), "/push")})
	}
	return g
}

// trackingQuery is the path and query of the tracking records of job: an
// oslc.where with prefixed names, as a client would write it.
func (e *Engine) trackingQuery(job rdf.IRI) string {
	where := parser.And(parser.Eq(pmjProducedBy, job)).Compact(e.prefixes)
	return "/oslc/tracking?" + url.Values{"oslc.where": {where.String()}}.Encode()
}

// Create checks the job id described by g (the client's triples, with the
// server-managed ones added by the caller), stores it with its state and
// starts running it. who is recorded in the tracking records.
func (e *Engine) Create(ctx context.Context, id rdf.IRI, ident string, g []rdf.Triple, who string) ([]rdf.Triple, string, error) {
	now := e.now()
	def, err := e.parse(ctx, id, g, now, true)
	if err != nil {
		return nil, "", err
	}
	job, tr := schedule.NewJob(def.Schedule, now)
	if def.Locked {
		job.Status.Admin = schedule.Locked
	}
	r := &run{id: id, ident: ident, def: def, job: job, cursor: now, since: now}
	cs := byClient(changes([]schedule.Transition{tr}), who, vocab.PMJTerm("Created"))
	acc, err := job.Accept(now)
	if err != nil {
		return nil, "", err
	}
	cs = append(cs, byClient(changes(acc), who, rdf.IRI{})...)
	g = append(e.withState(r, g), e.links(r)...)
	// The job's lease is taken, and its run known, before the job is
	// stored: neither another engine's share pass nor this one's may take
	// up a job being created.
	if e.leasing() {
		if r.lease, err = e.acquire(ctx, id, ident, def.Schedule.Granularity, now); err != nil {
			return nil, "", err
		} else if r.lease == nil {
			return nil, "", fmt.Errorf("job %s: %w: another instance holds its lease", id, store.ErrExists)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e.mu.Lock()
	if e.runs[id] != nil {
		e.mu.Unlock()
		return nil, "", fmt.Errorf("job %s: %w", id, store.ErrExists)
	}
	e.runs[id] = r
	e.mu.Unlock()
	created := false
	defer func() {
		if !created {
			e.forget(r)
		}
	}()
	etag, err := e.st.Create(ctx, id, g)
	if err != nil {
		if e.leasing() && !errors.Is(err, store.ErrExists) {
			if err := e.st.Delete(ctx, e.leaseID(ident), ""); err != nil && !errors.Is(err, store.ErrNotFound) {
				e.log.Error("job engine: delete lease", "job", id.String(), "err", err)
			}
		}
		return nil, "", err
	}
	if r.lease != nil {
		r.lease.jobTag = etag
	}
	// What a client's request changes is indexed at once (not staged), so
	// that the job's page and its tracking query show it when the client
	// looks next.
	out, err := e.withProgress(ctx, r, e.trackingRecords(r, cs))
	if err != nil {
		return nil, "", err
	}
	if err := e.writer.load(ctx, out, nil); err != nil {
		return nil, "", err
	}
	created = true
	e.setDue(r)
	return g, etag, nil
}

// lookup returns the running job id, locked; unlock it with r.mu.Unlock.
func (e *Engine) lookup(id rdf.IRI) (*run, error) {
	e.mu.Lock()
	r := e.runs[id]
	e.mu.Unlock()
	if r == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoJob, id)
	}
	r.mu.Lock()
	if r.gone {
		r.mu.Unlock()
		return nil, fmt.Errorf("%w: %s", ErrNoJob, id)
	}
	return r, nil
}

// jobFor returns job id, locked (unlock it with r.mu.Unlock), and the
// ETag of the job resource its state is that of. It is the run of this
// engine if it runs the job, brought up to date with the store when
// engines share the jobs; else, when they do, it is the job as stored,
// which this engine does not run (detached): what a client changes on it
// is written to the store by compare-and-set, and the engine that holds
// the job's lease takes it up (sync).
func (e *Engine) jobFor(ctx context.Context, id rdf.IRI) (*run, string, error) {
	r, err := e.lookup(id)
	if !e.leasing() {
		return r, "", err
	}
	if err == nil {
		if err := e.sync(ctx, r, e.now()); err != nil {
			r.mu.Unlock()
			return nil, "", err
		}
		return r, r.lease.jobTag, nil
	}
	g, etag, err := e.st.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", fmt.Errorf("%w: %s", ErrNoJob, id)
	}
	if err != nil {
		return nil, "", err
	}
	r, _, err = e.stored(ctx, id, g, e.now())
	if err != nil {
		return nil, "", err
	}
	r.mu.Lock()
	return r, etag, nil
}

// detached reports whether r is a job another engine runs (jobFor).
func (e *Engine) detached(r *run) bool { return e.leasing() && r.lease == nil }

// Update replaces job id with the definition in g if the stored job's
// ETag is ifMatch: the job goes through pending while the modification
// applies; a change of pmj:adminState suspends or resumes it.
func (e *Engine) Update(ctx context.Context, id rdf.IRI, g []rdf.Triple, ifMatch, who string) ([]rdf.Triple, string, error) {
	r, tag, err := e.jobFor(ctx, id)
	if err != nil {
		return nil, "", err
	}
	defer r.mu.Unlock()
	now := e.now()
	if st := r.job.Status.State; st.Terminal() {
		return nil, "", &schedule.EventError{Event: "modify", State: st}
	}
	def, err := e.parse(ctx, id, g, now, true)
	if err != nil {
		return nil, "", err
	}
	before := *r.job
	cs := changes(r.job.Step(now))
	mod, err := r.job.Modify(now)
	if err != nil {
		*r.job = before
		return nil, "", err
	}
	cs = append(cs, byClient(changes(mod), who, rdf.IRI{})...)
	done, err := r.job.Modified(now, def.Schedule)
	if err != nil {
		*r.job = before
		return nil, "", err
	}
	cs = append(cs, byClient(changes(done), who, vocab.PMJTerm("Updated"))...)
	switch {
	case def.Locked && r.job.Status.Admin != schedule.Locked:
		trs, err := r.job.Suspend(now)
		if err == nil {
			cs = append(cs, byClient(changes(trs), who, vocab.PMJTerm("SuspendedEvent"))...)
		}
	case !def.Locked && r.job.Status.Admin == schedule.Locked:
		trs, err := r.job.Resume(now)
		if err == nil {
			cs = append(cs, byClient(changes(trs), who, vocab.PMJTerm("ResumedEvent"))...)
		}
	}
	oldDef := r.def
	r.def = def
	g = append(e.withState(r, stripLinks(r.id, g)), e.links(r)...)
	cas := ifMatch
	if cas == "" {
		// Never over a change this engine has not seen (tag is "" when
		// it runs every job itself).
		cas = tag
	}
	etag, err := e.st.Replace(ctx, id, g, cas)
	if err != nil {
		*r.job, r.def = before, oldDef
		return nil, "", err
	}
	if e.detached(r) {
		// The job's owner takes the change up.
		if err := e.writer.load(ctx, e.trackingRecords(r, cs), nil); err != nil {
			e.log.Error("job engine: tracking records", "job", id.String(), "err", err)
		}
		return g, etag, nil
	}
	if r.lease != nil {
		r.lease.jobTag = etag
	}
	r.targets = nil
	if periodsChanged(&oldDef.Schedule, &def.Schedule) {
		// The period under way belongs to neither definition: collection
		// starts again at the next boundary of the new one.
		r.since = now
	}
	if err := e.writer.load(ctx, e.trackingRecords(r, cs), nil); err != nil {
		e.log.Error("job engine: tracking records", "job", id.String(), "err", err)
	}
	e.setDue(r)
	return g, etag, nil
}

// periodsChanged reports whether b cuts time into periods other than a.
func periodsChanged(a, b *schedule.Schedule) bool {
	return a.Granularity != b.Granularity || a.ReportingPeriod != b.ReportingPeriod ||
		locOrUTC(a.Location).String() != locOrUTC(b.Location).String() ||
		!a.Start.Equal(b.Start) || !a.Stop.Equal(b.Stop) || a.Days != b.Days || !slices.Equal(a.Intervals, b.Intervals)
}

func stripLinks(id rdf.IRI, g []rdf.Triple) []rdf.Triple {
	out := g[:0:0]
	for _, t := range g {
		if rdf.TermsEqual(t.Subj, id) && (t.Pred == vocab.PMJTerm("push") || t.Pred == vocab.PMJTerm("trackingRecords")) {
			continue
		}
		out = append(out, t)
	}
	return out
}

// Actions a client can take on a job.
const (
	Suspend = "suspend"
	Resume  = "resume"
	Cancel  = "cancel"
)

// Act suspends, resumes or cancels job id, and returns the job's new
// graph and ETag.
func (e *Engine) Act(ctx context.Context, id rdf.IRI, action, who string) ([]rdf.Triple, string, error) {
	for attempt := 1; ; attempt++ {
		g, etag, err := e.act(ctx, id, action, who)
		if errors.Is(err, errRaced) && attempt < 5 {
			continue // another instance changed the job meanwhile: again, from its change
		}
		return g, etag, err
	}
}

// errRaced means the job changed in the store while an action was applied.
var errRaced = fmt.Errorf("%w: the job kept changing", store.ErrPreconditionFailed)

func (e *Engine) act(ctx context.Context, id rdf.IRI, action, who string) ([]rdf.Triple, string, error) {
	r, tag, err := e.jobFor(ctx, id)
	if err != nil {
		return nil, "", err
	}
	defer r.mu.Unlock()
	now := e.now()
	before, since := *r.job, r.since
	var trs []schedule.Transition
	var event rdf.IRI
	switch action {
	case Suspend:
		trs, err = r.job.Suspend(now)
		event = vocab.PMJTerm("SuspendedEvent")
	case Resume:
		wasLocked := r.job.Status.Admin == schedule.Locked
		trs, err = r.job.Resume(now)
		event = vocab.PMJTerm("ResumedEvent")
		if wasLocked && err == nil {
			// The period under way was partly suspended: not due.
			r.since = now
		}
	case Cancel:
		trs, err = r.job.Cancel(now)
		event = vocab.PMJTerm("CancelledEvent")
		if err == nil && !e.detached(r) {
			// Its last records go in a report now (where another
			// instance runs the job, when it takes the cancel up).
			defer func() { e.closeReport(ctx, r, now) }()
		}
	default:
		return nil, "", fmt.Errorf("unknown action %q", action)
	}
	if err != nil {
		*r.job = before
		return nil, "", err
	}
	cs := byClient(changes(trs), who, event)
	if !e.leasing() {
		if err := e.writer.load(ctx, e.trackingRecords(r, cs), nil); err != nil {
			return nil, "", err
		}
		if err := e.saveState(ctx, r); err != nil {
			return nil, "", err
		}
		e.setDue(r)
		return e.st.Get(ctx, id)
	}
	// Shared jobs: the state is written by compare-and-set on the state
	// the action was applied to, and only then recorded.
	g, etag, err := e.st.Get(ctx, id)
	if err == nil && etag != tag {
		err = errRaced
	}
	if err == nil {
		g = e.withState(r, g)
		etag, err = e.st.Replace(ctx, id, g, tag)
		if errors.Is(err, store.ErrPreconditionFailed) {
			err = errRaced
		}
	}
	if err != nil {
		*r.job, r.since = before, since
		return nil, "", err
	}
	if !e.detached(r) {
		r.lease.jobTag = etag
		e.setDue(r)
	}
	if err := e.writer.load(ctx, e.trackingRecords(r, cs), nil); err != nil {
		return nil, "", err
	}
	return g, etag, nil
}

// Delete stops and removes job id if its ETag is ifMatch (any if empty).
// Its records, reports and tracking records stay.
//
// When engines share the jobs, any of them may delete a job: the one
// that runs it finds it gone from the store and forgets it (sync).
func (e *Engine) Delete(ctx context.Context, id rdf.IRI, ifMatch, who string) error {
	r, _, err := e.jobFor(ctx, id)
	if err != nil {
		return err
	}
	defer r.mu.Unlock()
	if err := e.st.Delete(ctx, id, ifMatch); err != nil {
		return err
	}
	if !e.detached(r) {
		e.forget(r)
	}
	cs := []change{{at: e.now(), event: vocab.PMJTerm("Deleted"), from: r.job.Status, who: who, detail: "deleted by " + who}}
	if err := e.writer.load(ctx, e.trackingRecords(r, cs), nil); err != nil {
		e.log.Error("job engine: tracking record", "job", id.String(), "err", err)
	}
	dels := []rdf.IRI{e.progressID(r.ident)}
	if e.leasing() {
		dels = append(dels, e.leaseID(r.ident))
	}
	for _, d := range dels {
		if err := e.st.Delete(ctx, d, ""); err != nil && !errors.Is(err, store.ErrNotFound) {
			e.log.Error("job engine: delete the job's engine state", "job", id.String(), "resource", d.String(), "err", err)
		}
	}
	return nil
}

// forget stops running r, a job deleted, and drops what its collector
// keeps of it. Call it with r.mu held.
func (e *Engine) forget(r *run) {
	r.gone = true
	e.mu.Lock()
	if e.runs[r.id] == r {
		delete(e.runs, r.id)
	}
	e.mu.Unlock()
	if f, ok := r.def.Collector.(interface{ Forget(job rdf.IRI) }); ok {
		f.Forget(r.id) // drop the collector's state for the job
	}
}

// Known reports whether id is a job the engine runs.
func (e *Engine) Known(id rdf.IRI) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.runs[id] != nil
}

// Has reports whether id is a job: one this engine runs, or, when
// engines share the jobs, one of the store, which another engine runs.
func (e *Engine) Has(ctx context.Context, id rdf.IRI) (bool, error) {
	if e.Known(id) || !e.leasing() {
		return e.Known(id), nil
	}
	_, _, err := e.st.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Load picks up the jobs stored under Base/oslc/jobs/, as after a
// restart: each is brought up to now (the state changes it went through
// meanwhile are recorded at the instants they happened), the granularity
// periods that passed meanwhile, and the one under way, are recorded as
// missed, the report of every reporting period they end is written, and
// collection resumes at the next granularity boundary.
func (e *Engine) Load(ctx context.Context) error {
	// What a previous process staged (store format 5) was indexed by the
	// store's writable Open.
	if err := e.loadSequence(ctx); err != nil {
		return err
	}
	if e.leasing() {
		// Only the jobs nobody else holds.
		return e.share(ctx, e.now())
	}
	ids, err := e.jobIDs(ctx)
	if err != nil {
		return err
	}
	now := e.now()
	for _, id := range ids {
		if err := e.restore(ctx, id, now, nil); err != nil {
			e.log.Error("job engine: cannot resume job", "job", id.String(), "err", err)
		}
	}
	return nil
}

// jobIDs lists the jobs of the store.
func (e *Engine) jobIDs(ctx context.Context) ([]rdf.IRI, error) {
	prefix := e.base + "/oslc/jobs/"
	var ids []rdf.IRI
	err := e.st.Resources(ctx, e.iri("/oslc/jobs/"), func(id rdf.IRI) bool {
		if !strings.HasPrefix(id.String(), prefix) {
			return false
		}
		if !strings.Contains(strings.TrimPrefix(id.String(), prefix), "/") {
			ids = append(ids, id)
		}
		return true
	})
	return ids, err
}

// stored builds the run of job id from its stored graph g: its
// definition, and its state as stored, made one that runs (the stored
// state itself is returned too).
func (e *Engine) stored(ctx context.Context, id rdf.IRI, g []rdf.Triple, now time.Time) (*run, schedule.Status, error) {
	def, err := e.parse(ctx, id, g, now, false)
	if err != nil {
		return nil, schedule.Status{}, err
	}
	ident := strings.TrimPrefix(id.String(), e.base+"/oslc/jobs/")
	job := &schedule.Job{Schedule: def.Schedule, Status: schedule.Status{Admin: schedule.Unlocked}}
	for _, t := range g {
		if !rdf.TermsEqual(t.Subj, id) {
			continue
		}
		switch t.Pred {
		case vocab.PMJTerm("executionState"):
			job.Status.State = stateOf(t.Obj.(rdf.IRI))
		case vocab.PMJTerm("duty"):
			if t.Obj == vocab.PMJTerm("OnDuty") {
				job.Status.Duty = schedule.DutyOn
			} else {
				job.Status.Duty = schedule.DutyOff
			}
		case vocab.PMJTerm("adminState"):
			if t.Obj == vocab.PMJTerm("Locked") {
				job.Status.Admin = schedule.Locked
			}
		case vocab.PMJTerm("stateReason"):
			job.Reason = t.Obj.String()
		case vocab.PMJTerm("stateChanged"):
			job.At = parseTime(t.Obj)
		}
	}
	stored := job.Status
	switch job.Status.State {
	case schedule.Failed:
		job.Failures = schedule.DefaultMaxFailures
	case schedule.ResourceUnavailable:
		job.Failures = 1
	case schedule.Pending, schedule.Acknowledged:
		// Stopped half-way through a change: take the stored definition.
		job.Status.State = schedule.InProgress
	}
	return &run{id: id, ident: ident, def: def, job: job}, stored, nil
}

// restore rebuilds the run of the stored job id, which holds lease l
// when leasing.
func (e *Engine) restore(ctx context.Context, id rdf.IRI, now time.Time, l *lease) error {
	g, etag, err := e.st.Get(ctx, id)
	if err != nil {
		return err
	}
	r, stored, err := e.stored(ctx, id, g, now)
	if err != nil {
		return err
	}
	storedReason := r.job.Reason
	r.lease = l
	if l != nil {
		l.jobTag = etag
	}
	if err := e.readProgress(ctx, r); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if r.cursor.IsZero() {
		r.cursor = r.job.At
	}
	// Bring the state up to now, and find the periods missed meanwhile.
	var cs []change
	var missed []time.Time
	var resources []store.Resource
	var notes []Event // the notifications among resources
	for n := 0; !r.job.Status.State.Terminal(); n++ {
		p, ok := r.nextPeriod()
		if !ok || !p.Start.Before(now) {
			break
		}
		cs = append(cs, changes(r.job.Step(p.End.Add(-time.Nanosecond)))...)
		rs, evs := e.enterReport(r, p)
		resources, notes = append(resources, rs...), append(notes, evs...)
		if eligible(r.job.Status) {
			if len(missed) < 100000 {
				missed = append(missed, p.Start)
			}
			r.report.missed = append(r.report.missed, p.Start)
		}
		r.cursor = p.End
		// The period under way counts as missed too (collection resumes
		// at the next boundary), so a report whose last period it is
		// is closed now, with the interrupted window's records and missed
		// periods, not merged into the next.
		if rp := r.job.Schedule.ReportPeriodAt(p.Start); !p.End.Before(rp.End) {
			if r.report.empty() {
				r.report = pending{}
			} else {
				rs, evs := e.finishReport(r, rp)
				resources, notes = append(resources, rs...), append(notes, evs...)
			}
		}
		if n > 1_000_000 {
			break
		}
	}
	if !r.cursor.After(now) {
		r.cursor = now
	}
	cs = append(cs, changes(r.job.Step(now))...)
	if len(missed) > 0 {
		why := "the provider was not running"
		if l != nil {
			why = "no instance ran the job (its owner stopped or lost its lease); " + e.instance + " took it over"
		}
		cs = append(cs, e.missedNote(r, missed, now, why))
	}
	resources = append(resources, e.trackingRecords(r, cs)...)
	resources, err = e.withProgress(ctx, r, resources)
	if err != nil {
		return err
	}
	if err := e.writer.write(ctx, resources, notes); err != nil {
		return err
	}
	// Rewrite the job only if its state moved while the provider was
	// down: an unchanged job keeps its ETag across restarts.
	if r.job.Status != stored || r.job.Reason != storedReason {
		if err := e.saveState(ctx, r); err != nil {
			return err
		}
	}
	if r.job.Status.State.Terminal() && !r.report.empty() {
		// Cancelled (on another instance, or before a crash) with its
		// last report not written yet.
		e.closeReport(ctx, r, now)
	}
	e.mu.Lock()
	e.runs[id] = r
	e.mu.Unlock()
	e.setDue(r)
	return nil
}
