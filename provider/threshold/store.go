package threshold

import (
	"context"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store"
)

// wrapped is the store seen through the evaluator: its writes of records
// carry the alarms and states they cause, and its writes of thresholds and
// monitored resources keep the evaluator's index current.
type wrapped struct {
	Store
	e *Evaluator
}

// watched says whether a write of id concerns the evaluator: a new
// record is evaluated; a threshold or a monitored resource changes the
// index.
func (w *wrapped) watched(id rdf.IRI) bool {
	return strings.HasPrefix(id.String(), w.e.records) || w.indexed(id)
}

// indexed says whether a change of id changes the index. A record
// replaced or deleted (by retention) does not: it was evaluated when new.
func (w *wrapped) indexed(id rdf.IRI) bool {
	s := id.String()
	return strings.HasPrefix(s, w.e.thresholds) || strings.HasPrefix(s, w.e.resources)
}

// Create creates id; a record is created with the alarms and states its
// values cause, in one transaction.
func (w *wrapped) Create(ctx context.Context, id rdf.IRI, g []rdf.Triple) (string, error) {
	if !w.watched(id) {
		return w.Store.Create(ctx, id, g)
	}
	e := w.e
	e.mu.Lock()
	b := e.evaluate(ctx, []store.Resource{{ID: id, Triples: g}})
	if b == nil && !w.indexed(id) {
		// Nothing to keep: the write need not hold mu, and writes of
		// such records commit together.
		e.writes.RLock()
		e.mu.Unlock()
		defer e.writes.RUnlock()
		return w.Store.Create(ctx, id, g)
	}
	e.writes.Lock()
	defer e.unlock()
	if b == nil || len(b.extra) == 0 {
		etag, err := w.Store.Create(ctx, id, g)
		if err == nil {
			e.keep(b)
			e.observe(id, g, false)
		}
		return etag, err
	}
	// Load writes all in one transaction but creates or replaces: the
	// check that id is new holds, as every write of a record takes e.mu.
	var exists bool
	if err := w.Store.View(ctx, func(src query.Source) error {
		var err error
		exists, err = src.Exists(ctx, id)
		return err
	}); err != nil {
		return "", err
	}
	if exists {
		return "", store.ErrExists
	}
	if err := w.Store.Load(ctx, append([]store.Resource{{ID: id, Triples: g}}, b.extra...)); err != nil {
		return "", err
	}
	e.keep(b)
	_, etag, err := w.Store.Get(ctx, id)
	return etag, err
}

// Replace replaces id. A record replaced is not evaluated again: its
// values were evaluated when it was written. A threshold replaced clears
// the alarms it no longer watches (Evaluator.Replace).
func (w *wrapped) Replace(ctx context.Context, id rdf.IRI, g []rdf.Triple, ifMatch string) (string, error) {
	if !w.indexed(id) {
		return w.Store.Replace(ctx, id, g, ifMatch)
	}
	w.e.lock()
	defer w.e.unlock()
	if w.e.isThreshold(id) {
		return w.e.replace(ctx, id, g, ifMatch, "")
	}
	etag, err := w.Store.Replace(ctx, id, g, ifMatch)
	if err == nil {
		w.e.observe(id, g, false)
	}
	return etag, err
}

// Delete deletes id.
func (w *wrapped) Delete(ctx context.Context, id rdf.IRI, ifMatch string) error {
	if !w.indexed(id) {
		return w.Store.Delete(ctx, id, ifMatch)
	}
	w.e.lock()
	defer w.e.unlock()
	err := w.Store.Delete(ctx, id, ifMatch)
	if err == nil {
		w.e.observe(id, nil, true)
		if strings.HasPrefix(id.String(), w.e.thresholds) {
			return w.e.orphans(ctx)
		}
	}
	return err
}

// Load writes rs with the alarms and states their records cause, in one
// transaction.
func (w *wrapped) Load(ctx context.Context, rs []store.Resource) error {
	return w.write(ctx, rs, w.Store.Load)
}

func (w *wrapped) write(ctx context.Context, rs []store.Resource, put func(ctx context.Context, rs []store.Resource) error) error {
	e := w.e
	e.mu.Lock()
	b := e.evaluate(ctx, rs)
	if b == nil && !w.indexes(rs) {
		// Nothing to keep, as for Create: the write need not hold mu,
		// and such writes run together (the job engine hands the store
		// its next batch while one commits).
		e.writes.RLock()
		e.mu.Unlock()
		defer e.writes.RUnlock()
		return put(ctx, rs)
	}
	e.writes.Lock()
	defer e.unlock()
	all := rs
	if b != nil && len(b.extra) > 0 {
		all = append(append(make([]store.Resource, 0, len(rs)+len(b.extra)), rs...), b.extra...)
	}
	if err := put(ctx, all); err != nil {
		return err
	}
	e.keep(b)
	for _, r := range rs {
		if w.indexed(r.ID) {
			e.observe(r.ID, r.Triples, false)
		}
	}
	return nil
}

// indexes says whether a write of rs changes the index.
func (w *wrapped) indexes(rs []store.Resource) bool {
	for _, r := range rs {
		if w.indexed(r.ID) {
			return true
		}
	}
	return false
}

// staging is wrapped over a store that stages: the job engine stages its
// records, and the alarms and states go into the same staged transaction.
type staging struct {
	*wrapped
	st stager
}

// Stage stages rs with the alarms and states their records cause, in
// one transaction.
func (s *staging) Stage(ctx context.Context, rs []store.Resource) error {
	return s.write(ctx, rs, s.st.Stage)
}

// lock takes mu and waits for the writes of records that hold writes.
func (e *Evaluator) lock() {
	e.mu.Lock()
	e.writes.Lock()
}

func (e *Evaluator) unlock() {
	e.writes.Unlock()
	e.mu.Unlock()
}
