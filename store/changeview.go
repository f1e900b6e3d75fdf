package store

import (
	"context"

	"github.com/knakk/rdf"
)

// ChangeView is a view of a store's change log and of its resources by
// prefix, as a tracked resource set reads them: what *Snapshot offers
// (see its methods for the semantics), declared so that other stores
// (store/sparql) can offer it too.
type ChangeView interface {
	Changes(ctx context.Context, before uint64, fn func(c Change) bool) error
	ChangesAfter(ctx context.Context, after uint64, fn func(c Change) bool) error
	ChangeSpan() (oldest, newest uint64)
	ResourcesUnder(ctx context.Context, prefix string, after rdf.IRI, fn func(id rdf.IRI) bool) error
	// Get reads a resource in the same view, as an event's payload is
	// read with the change that made it.
	Get(ctx context.Context, id rdf.IRI) (g []rdf.Triple, etag string, err error)
}

var _ ChangeView = (*Snapshot)(nil)
