package sparql

import (
	"context"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/store"
)

// ViewChanges calls fn with the store's change view. The SPARQL store
// keeps no change log yet: the tracked resource set over it has a base
// (every resource, listed from the store) and an empty change log, so a
// TRS client re-reads the base to catch up.
func (d *DB) ViewChanges(ctx context.Context, fn func(cv store.ChangeView) error) error {
	return fn(changeView{d})
}

// TrimChanges has nothing to trim (see ViewChanges).
func (d *DB) TrimChanges(ctx context.Context, before uint64) (int, error) { return 0, nil }

// changeView is also the store as a query.Source (through DB), for what
// reads other resources in the same view (the hub's filters).
type changeView struct{ *DB }

func (changeView) Changes(ctx context.Context, before uint64, fn func(c store.Change) bool) error {
	return nil
}

func (changeView) ChangesAfter(ctx context.Context, after uint64, fn func(c store.Change) bool) error {
	return nil
}

func (changeView) ChangeSpan() (oldest, newest uint64) { return 0, 0 }

func (v changeView) ResourcesUnder(ctx context.Context, prefix string, after rdf.IRI, fn func(id rdf.IRI) bool) error {
	return v.DB.resourcesUnder(ctx, prefix, after, fn)
}
