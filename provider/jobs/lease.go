package jobs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/schedule"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Leases let several engines share the jobs of one store (Config.Lease):
// an engine runs a job only while it holds the job's lease, a resource
// at Base/oslc/engine/leases/{ident} naming the owner, a fencing token
// that grows with every change of owner, and an expiry. Leases are taken
// and renewed by compare-and-set (Replace with the lease's ETag), so two
// engines never both think they hold one, on any store of the Store
// contract.
//
// A lease can still run out under an owner that stalls (a pause, a slow
// store) and be taken meanwhile. What fences the stale owner off is the
// claim: before anything of a period is written, the owner renews the
// lease by compare-and-set on the ETag it last read or wrote of it (and
// so checks its fencing token). A taker's compare-and-set changed that
// ETag, so the stale owner's next claim fails, and it drops the job
// without writing anything of that period.
//
// The progress is written last in the batch of what it covers, never
// ahead of it: an owner that dies between a claim and the commit of
// what it claimed leaves the progress where the last commit put it, and
// the next owner records the periods after it as missed (restore).
//
// Client operations on a job work on every instance (api.go): the
// owner's run is used where there is one; elsewhere the job is read from
// the store and the change is written back to it by compare-and-set. The
// owner takes such a change up (sync) before its next period and at
// every renewal of the lease, and never overwrites one unseen: it writes
// the job by compare-and-set on the ETag it last read or wrote.

var (
	pmjLeaseOwner   = vocab.PMJTerm("leaseOwner")
	pmjFencingToken = vocab.PMJTerm("fencingToken")
	pmjLeaseExpires = vocab.PMJTerm("leaseExpires")
)

// lease is what an engine knows of a lease it holds.
type lease struct {
	mu      sync.Mutex
	etag    string
	token   int64
	expires time.Time
	dur     time.Duration

	// Guarded by the run's mu, not by mu:
	// jobTag is the ETag of the job resource as this engine last read or
	// wrote it: a different one in the store is another instance's
	// change (sync).
	jobTag string
}

// held reports whether the lease is still ours at now, as far as this
// engine knows.
func (l *lease) held(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return now.Before(l.expires)
}

func (l *lease) fencing() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.token
}

// leasing reports whether the engine shares its jobs with other engines.
func (e *Engine) leasing() bool { return e.lease > 0 }

// leaseID is where the lease of job ident is kept.
func (e *Engine) leaseID(ident string) rdf.IRI { return e.iri("/oslc/engine/leases/" + ident) }

// leaseTime is how long a lease of a job of granularity g lasts: half a
// period, so that a taker comes within one period of its owner's death,
// but never less than Config.Lease, so that renewing stays cheap.
func (e *Engine) leaseTime(g time.Duration) time.Duration { return max(g/2, e.lease) }

func (e *Engine) leaseTriples(lid, job rdf.IRI, owner string, token int64, expires time.Time) []rdf.Triple {
	return []rdf.Triple{
		{Subj: lid, Pred: pmjProducedBy, Obj: job},
		{Subj: lid, Pred: pmjLeaseOwner, Obj: str(owner)},
		{Subj: lid, Pred: pmjFencingToken, Obj: rdf.NewTypedLiteral(strconv.FormatInt(token, 10), vocab.XSDInteger)},
		{Subj: lid, Pred: pmjLeaseExpires, Obj: dateTime(expires, nil)},
	}
}

// acquire takes the lease of job id if nobody holds it, it ran out, or
// it is this instance's own (as after a restart under the same name).
// It returns nil if another engine holds it.
func (e *Engine) acquire(ctx context.Context, id rdf.IRI, ident string, g time.Duration, now time.Time) (*lease, error) {
	lid := e.leaseID(ident)
	l := &lease{dur: e.leaseTime(g), expires: now.Add(e.leaseTime(g))}
	old, etag, err := e.st.Get(ctx, lid)
	if errors.Is(err, store.ErrNotFound) {
		l.token = 1
		l.etag, err = e.st.Create(ctx, lid, e.leaseTriples(lid, id, e.instance, l.token, l.expires))
		if errors.Is(err, store.ErrExists) {
			return nil, nil // taken meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("create lease: %w", err)
		}
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read lease: %w", err)
	}
	var owner string
	var expires time.Time
	for _, t := range old {
		switch t.Pred {
		case pmjLeaseOwner:
			owner = t.Obj.String()
		case pmjFencingToken:
			l.token, _ = strconv.ParseInt(t.Obj.String(), 10, 64)
		case pmjLeaseExpires:
			expires = parseTime(t.Obj)
		}
	}
	if owner != e.instance && now.Before(expires) {
		return nil, nil
	}
	l.token++
	l.etag, err = e.st.Replace(ctx, lid, e.leaseTriples(lid, id, e.instance, l.token, l.expires), etag)
	if errors.Is(err, store.ErrPreconditionFailed) || errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("take lease: %w", err)
	}
	return l, nil
}

// renew extends r's lease from now; it fails with
// store.ErrPreconditionFailed if the lease was taken meanwhile.
func (e *Engine) renew(ctx context.Context, r *run, now time.Time) error {
	l := r.lease
	l.mu.Lock()
	defer l.mu.Unlock()
	lid := e.leaseID(r.ident)
	expires := now.Add(l.dur)
	etag, err := e.st.Replace(ctx, lid, e.leaseTriples(lid, r.id, e.instance, l.token, expires), l.etag)
	if errors.Is(err, store.ErrNotFound) {
		err = store.ErrPreconditionFailed
	}
	if err != nil {
		return err
	}
	l.etag, l.expires = etag, expires
	return nil
}

// claim renews r's lease by compare-and-set on the ETag the engine last
// read or wrote of it, before anything of a period is written: the
// fence. It fails with store.ErrPreconditionFailed if another engine
// took the lease meanwhile, even if this one believed it still held it.
func (e *Engine) claim(ctx context.Context, r *run) error {
	if err := e.renew(ctx, r, e.now()); err != nil {
		return fmt.Errorf("claim the period: %w", err)
	}
	return nil
}

// withProgress returns out with r's progress to write last with it, so
// that only a commit moves the progress on. When leasing, the lease is
// claimed first, and an error means nothing of out may be written.
func (e *Engine) withProgress(ctx context.Context, r *run, out []store.Resource) ([]store.Resource, error) {
	if e.leasing() {
		if r.lease == nil {
			return nil, fmt.Errorf("job %s: its lease is held by another instance", r.id)
		}
		if err := e.claim(ctx, r); err != nil {
			return nil, err
		}
	}
	return append(out, e.progress(r)), nil
}

// drop stops running r here, without releasing its lease: if the lease
// is still this engine's, the next share pass takes the job up again
// from what the store holds, which records the periods missed meanwhile.
// Call it with r.mu held.
func (e *Engine) drop(r *run, why error) {
	e.log.Warn("job engine: job left to the store's record", "job", r.id.String(), "instance", e.instance, "why", why)
	r.gone = true
	e.mu.Lock()
	if e.runs[r.id] == r {
		delete(e.runs, r.id)
	}
	e.mu.Unlock()
}

// sync takes up a change another instance made to r's job in the store
// (a client's request there): the stored definition and state replace
// r's, and r keeps its progress. A job deleted there is forgotten here,
// with ErrNoJob. Call it with r.mu held.
func (e *Engine) sync(ctx context.Context, r *run, now time.Time) error {
	g, etag, err := e.st.Get(ctx, r.id)
	if errors.Is(err, store.ErrNotFound) {
		e.forget(r)
		return fmt.Errorf("%w: %s", ErrNoJob, r.id)
	}
	if err != nil {
		return err
	}
	if etag == r.lease.jobTag {
		return nil
	}
	return e.adopt(ctx, r, g, etag, now)
}

// adopt makes the stored job g, of ETag etag, r's definition and state.
func (e *Engine) adopt(ctx context.Context, r *run, g []rdf.Triple, etag string, now time.Time) error {
	n, _, err := e.stored(ctx, r.id, g, now)
	if err != nil {
		return err
	}
	old, was := r.def, r.job
	r.def, r.job, r.targets = n.def, n.job, nil
	r.lease.jobTag = etag
	if r.job.Status.State == was.Status.State {
		r.job.Failures = was.Failures
	}
	if periodsChanged(&old.Schedule, &r.def.Schedule) ||
		(was.Status.Admin == schedule.Locked && r.job.Status.Admin != schedule.Locked) {
		// As Update and Act do: the period under way at the change is
		// not due.
		if r.job.At.After(r.since) {
			r.since = r.job.At
		}
	}
	e.log.Info("job engine: took up a change made on another instance", "job", r.id.String(), "instance", e.instance,
		"state", r.job.Status.String())
	if r.job.Status.State.Terminal() && !was.Status.State.Terminal() {
		e.closeReport(ctx, r, r.job.At)
	}
	e.setDue(r)
	return nil
}

// synced syncs r before a tick at now, and reports whether the tick
// goes on (the job is neither deleted nor ended meanwhile). A store that
// fails is logged: the tick goes on, and its claim will tell.
func (e *Engine) synced(ctx context.Context, r *run, now time.Time) bool {
	if err := e.sync(ctx, r, now); err != nil && !errors.Is(err, ErrNoJob) && ctx.Err() == nil {
		e.log.Error("job engine: read the job", "job", r.id.String(), "err", err)
	}
	return !r.gone && !r.job.Status.State.Terminal()
}

// saveLeased is saveState for a job this engine holds the lease of: the
// state is written by compare-and-set on the ETag the engine last read
// or wrote of the job, and a change another instance made meanwhile wins
// and is taken up instead.
func (e *Engine) saveLeased(ctx context.Context, r *run) error {
	for attempt := 0; attempt < 5; attempt++ {
		g, etag, err := e.st.Get(ctx, r.id)
		if errors.Is(err, store.ErrNotFound) {
			e.forget(r)
			return nil
		}
		if err != nil {
			return err
		}
		if etag != r.lease.jobTag {
			return e.adopt(ctx, r, g, etag, e.now())
		}
		etag, err = e.st.Replace(ctx, r.id, e.withState(r, g), etag)
		if err == nil {
			r.lease.jobTag = etag
			return nil
		}
		if !errors.Is(err, store.ErrPreconditionFailed) {
			return err
		}
	}
	return fmt.Errorf("job %s kept changing while its state was saved", r.id)
}

// shareLoop renews the leases this engine holds and takes up the jobs
// whose lease is free or ran out, until ctx is done.
func (e *Engine) shareLoop(ctx context.Context) {
	every := max(e.lease/4, 10*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := e.share(ctx, e.now()); err != nil && ctx.Err() == nil {
			e.log.Error("job engine: share jobs", "instance", e.instance, "err", err)
		}
	}
}

// share renews the leases held here that are a third through, and takes
// up the jobs of the store nobody holds.
func (e *Engine) share(ctx context.Context, now time.Time) error {
	e.mu.Lock()
	held := make(map[rdf.IRI]*run, len(e.runs))
	for id, r := range e.runs {
		held[id] = r
	}
	e.mu.Unlock()
	for _, r := range held {
		r.lease.mu.Lock()
		left, dur := r.lease.expires.Sub(now), r.lease.dur
		r.lease.mu.Unlock()
		if left > dur*2/3 {
			continue
		}
		if err := e.renew(ctx, r, now); err != nil {
			if errors.Is(err, store.ErrPreconditionFailed) {
				r.mu.Lock()
				e.drop(r, errors.New("lease taken by another instance"))
				r.mu.Unlock()
				continue
			}
			if ctx.Err() == nil {
				e.log.Error("job engine: renew lease", "job", r.id.String(), "err", err)
			}
			continue
		}
		// Take up what clients changed on other instances now, rather
		// than at the next period, unless the job is being worked on
		// (the tick syncs it first anyway).
		if r.mu.TryLock() {
			if !r.gone {
				if err := e.sync(ctx, r, now); err != nil && !errors.Is(err, ErrNoJob) && ctx.Err() == nil {
					e.log.Error("job engine: read the job", "job", r.id.String(), "err", err)
				}
			}
			r.mu.Unlock()
		}
	}
	ids, err := e.jobIDs(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if held[id] != nil || e.Known(id) {
			continue
		}
		// A job deleted meanwhile is no error.
		if err := e.takeUp(ctx, id, now); err != nil && !errors.Is(err, store.ErrNotFound) && ctx.Err() == nil {
			e.log.Error("job engine: take up job", "job", id.String(), "err", err)
		}
	}
	return nil
}

// takeUp takes job id's lease if it is free and then runs the job from
// what the store holds.
func (e *Engine) takeUp(ctx context.Context, id rdf.IRI, now time.Time) error {
	g, _, err := e.st.Get(ctx, id)
	if err != nil {
		return err
	}
	def, err := e.parse(ctx, id, g, now, false)
	if err != nil {
		return err
	}
	ident := strings.TrimPrefix(id.String(), e.base+"/oslc/jobs/")
	l, err := e.acquire(ctx, id, ident, def.Schedule.Granularity, now)
	if err != nil || l == nil {
		return err
	}
	return e.restore(ctx, id, now, l)
}
