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
// progress resource: every period is claimed by writing it with the ETag
// the engine last read or wrote, before any record of the period is
// written. A taker rewrites it first, so the stale owner's next claim
// fails, and it drops the job without writing anything of that period.

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

// claim writes r's progress with the ETag the engine last read or wrote
// of it: the fence. It fails with store.ErrPreconditionFailed (or
// store.ErrExists) if another engine wrote it meanwhile.
func (e *Engine) claim(ctx context.Context, r *run) error {
	p := e.progress(r)
	var etag string
	var err error
	if r.progressTag == "" {
		etag, err = e.st.Create(ctx, p.ID, p.Triples)
	} else {
		etag, err = e.st.Replace(ctx, p.ID, p.Triples, r.progressTag)
	}
	if err != nil {
		return fmt.Errorf("claim progress: %w", err)
	}
	r.progressTag = etag
	return nil
}

// withProgress returns out with r's progress to write with it; when
// leasing, the progress is claimed first instead, and an error means
// nothing of out may be written.
func (e *Engine) withProgress(ctx context.Context, r *run, out []store.Resource) ([]store.Resource, error) {
	if !e.leasing() {
		return append(out, e.progress(r)), nil
	}
	return out, e.claim(ctx, r)
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
			e.log.Error("job engine: renew lease", "job", r.id.String(), "err", err)
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
		if err := e.takeUp(ctx, id, now); err != nil {
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
