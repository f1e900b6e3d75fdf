package jobview

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/jobs"
	"github.com/oslc-pm/pmprovider/provider/oslc"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Backend reads and writes jobs, tracking records and reports through
// the OSLC server: the faces' one way to the store and the job engine.
type Backend struct {
	api *oslc.Server
}

// New returns a Backend over api.
func New(api *oslc.Server) *Backend { return &Backend{api: api} }

// ErrNotFound is returned for an id no resource has.
var ErrNotFound = store.ErrNotFound

// URL returns the absolute URL of path under the provider's base.
func (b *Backend) URL(path string) string { return b.api.URL(path) }

// Error maps err as the OSLC API would: its status and message.
func (b *Backend) Error(r *http.Request, err error) *oslc.Error { return b.api.ErrorOf(r, err) }

// Engine is the job engine, for its notifications.
func (b *Backend) Engine() *jobs.Engine { return b.api.Jobs() }

func (b *Backend) member(kind, ident string) (rdf.IRI, error) {
	if ident == "" || strings.ContainsAny(ident, "/?#%") {
		return rdf.IRI{}, ErrNotFound
	}
	i, err := rdf.NewIRI(b.api.URL("/oslc/" + kind + "/" + ident))
	if err != nil {
		return rdf.IRI{}, ErrNotFound
	}
	return i, nil
}

// members returns the members of kind that where selects (all for nil),
// by IRI.
func (b *Backend) members(ctx context.Context, kind string, where *parser.Where) ([]rdf.IRI, error) {
	res, err := b.api.Query(ctx, b.api.Kind(kind), &query.Query{Where: where}, 0)
	if err != nil {
		return nil, err
	}
	out := make([]rdf.IRI, 0, len(res.Members))
	for _, m := range res.Members {
		out = append(out, m.ID)
	}
	return out, nil
}

// Jobs returns every measurement job.
func (b *Backend) Jobs(ctx context.Context) ([]*Job, error) {
	ids, err := b.members(ctx, "jobs", nil)
	if err != nil {
		return nil, err
	}
	var out []*Job
	for _, id := range ids {
		g, etag, err := b.api.Member(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		j := ReadJob(id, g)
		j.ETag = etag
		out = append(out, j)
	}
	return out, nil
}

// Job returns the job ident.
func (b *Backend) Job(ctx context.Context, ident string) (*Job, error) {
	id, err := b.member("jobs", ident)
	if err != nil {
		return nil, err
	}
	g, etag, err := b.api.Member(ctx, id)
	if err != nil {
		return nil, err
	}
	if !isA(id, g, vocab.PMJJob) {
		return nil, ErrNotFound
	}
	j := ReadJob(id, g)
	j.ETag = etag
	return j, nil
}

func isA(id rdf.IRI, g []rdf.Triple, class rdf.IRI) bool {
	for _, t := range g {
		if rdf.TermsEqual(t.Subj, id) && t.Pred == vocab.RDFType && t.Obj == class {
			return true
		}
	}
	return false
}

// Create creates a job from g, which describes root, as the OSLC
// creation factory does for who.
func (b *Backend) Create(ctx context.Context, root rdf.Subject, g []rdf.Triple, who string) (*Job, error) {
	id, out, etag, err := b.api.CreateMember(ctx, b.api.Kind("jobs"), root, g, who)
	if err != nil {
		return nil, err
	}
	j := ReadJob(id, out)
	j.ETag = etag
	return j, nil
}

// Update changes job ident: edit gets its stored graph and returns the
// new one, which replaces it as an OSLC PUT does (the engine applies it:
// pending, then the new definition; a changed admin state suspends or
// resumes it). edit may be called again if the job changes meanwhile.
func (b *Backend) Update(ctx context.Context, ident string, edit func(id rdf.IRI, g []rdf.Triple) ([]rdf.Triple, error), who string) (*Job, error) {
	id, err := b.member("jobs", ident)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		g, etag, err := b.api.Member(ctx, id)
		if err != nil {
			return nil, err
		}
		if !isA(id, g, vocab.PMJJob) {
			return nil, ErrNotFound
		}
		ng, err := edit(id, g)
		if err != nil {
			return nil, err
		}
		out, etag, err := b.api.ReplaceMember(ctx, b.api.Kind("jobs"), id, ng, etag, who)
		if errors.Is(err, store.ErrPreconditionFailed) && attempt < 4 {
			continue // the engine saved a new state meanwhile
		}
		if err != nil {
			return nil, err
		}
		j := ReadJob(id, out)
		j.ETag = etag
		return j, nil
	}
}

// Act suspends, resumes or cancels job ident (jobs.Suspend, ...).
func (b *Backend) Act(ctx context.Context, ident, action, who string) (*Job, error) {
	id, err := b.member("jobs", ident)
	if err != nil {
		return nil, err
	}
	g, etag, err := b.api.Jobs().Act(ctx, id, action, who)
	if err != nil {
		return nil, err
	}
	j := ReadJob(id, g)
	j.ETag = etag
	return j, nil
}

// Delete deletes job ident; its reports and tracking records stay.
func (b *Backend) Delete(ctx context.Context, ident, who string) error {
	id, err := b.member("jobs", ident)
	if err != nil {
		return err
	}
	return b.api.Jobs().Delete(ctx, id, "", who)
}

// Tracking returns the tracking records of job (all for a zero IRI),
// oldest first.
func (b *Backend) Tracking(ctx context.Context, job rdf.IRI) ([]*Tracking, error) {
	out, err := producedBy(ctx, b, "tracking", job, ReadTracking)
	if err != nil {
		return nil, err
	}
	sortTracking(out)
	return out, nil
}

// producedBy reads, with read, the members of the query base of kind that
// job produced (every member for a zero IRI); members deleted meanwhile
// are left out.
func producedBy[T any](ctx context.Context, b *Backend, kind string, job rdf.IRI, read func(id rdf.IRI, g []rdf.Triple) T) ([]T, error) {
	var where *parser.Where
	if job != (rdf.IRI{}) {
		where = parser.And(parser.Eq(PProducedBy, job))
	}
	ids, err := b.members(ctx, kind, where)
	if err != nil {
		return nil, err
	}
	var out []T
	for _, id := range ids {
		g, _, err := b.api.Member(ctx, id)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			return nil, err
		}
		out = append(out, read(id, g))
	}
	return out, nil
}

// sortTracking orders records by the time of their change. The records
// of one request share their time: those are put in the order of the
// states they go through, each from the state the one before went to.
func sortTracking(trs []*Tracking) {
	slices.SortStableFunc(trs, func(a, b *Tracking) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		return strings.Compare(a.IRI.String(), b.IRI.String())
	})
	last := ""
	for i := 0; i < len(trs); {
		j := i + 1
		for j < len(trs) && trs[j].Date.Equal(trs[i].Date) {
			j++
		}
		chain(trs[i:j], last)
		for _, tr := range trs[i:j] {
			if tr.To != "" {
				last = tr.To
			}
		}
		i = j
	}
}

// maxChain bounds the records of one instant that chain orders; the
// engine writes at most a handful per request.
const maxChain = 6

// chain orders records of one instant so that as many as can be go each
// from the state the one before went to, the first from state before.
func chain(g []*Tracking, before string) {
	if len(g) < 2 || len(g) > maxChain {
		return
	}
	best, bestScore := slices.Clone(g), -1
	cur := make([]*Tracking, 0, len(g))
	used := make([]bool, len(g))
	var walk func(score int)
	walk = func(score int) {
		if len(cur) == len(g) {
			if score > bestScore {
				best, bestScore = slices.Clone(cur), score
			}
			return
		}
		prev := before
		if len(cur) > 0 {
			prev = cur[len(cur)-1].To
		}
		for i, t := range g {
			if used[i] {
				continue
			}
			s := score
			if prev != "" && t.From == prev {
				s++
			}
			used[i] = true
			cur = append(cur, t)
			walk(s)
			cur = cur[:len(cur)-1]
			used[i] = false
		}
	}
	walk(0)
	copy(g, best)
}

// TrackingRecord returns tracking record ident.
func (b *Backend) TrackingRecord(ctx context.Context, ident string) (*Tracking, error) {
	id, err := b.member("tracking", ident)
	if err != nil {
		return nil, err
	}
	g, _, err := b.api.Member(ctx, id)
	if err != nil {
		return nil, err
	}
	if !isA(id, g, vocab.PMJTracking) {
		return nil, ErrNotFound
	}
	return ReadTracking(id, g), nil
}

// Reports returns the reports of job (all for a zero IRI), by period.
func (b *Backend) Reports(ctx context.Context, job rdf.IRI) ([]*Report, error) {
	out, err := producedBy(ctx, b, "reports", job, ReadReport)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b *Report) int { return a.Start.Compare(b.Start) })
	return out, nil
}

// Report returns report ident.
func (b *Backend) Report(ctx context.Context, ident string) (*Report, error) {
	id, err := b.member("reports", ident)
	if err != nil {
		return nil, err
	}
	g, _, err := b.api.Member(ctx, id)
	if err != nil {
		return nil, err
	}
	if !isA(id, g, vocab.PMJReport) {
		return nil, ErrNotFound
	}
	return ReadReport(id, g), nil
}

// Records returns the triples of the records of rp, for report content.
func (b *Backend) Records(ctx context.Context, rp *Report) (map[rdf.IRI][]rdf.Triple, error) {
	out := make(map[rdf.IRI][]rdf.Triple, len(rp.Records))
	for _, id := range rp.Records {
		g, _, err := b.api.Member(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = g
	}
	return out, nil
}
