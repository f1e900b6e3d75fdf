package boltsource

import (
	"context"
	"sync/atomic"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store"
)

// DB is a store.DB whose consistent views are query.Sources: what the
// provider and its job engine are given. Writes and single reads pass
// through to the store unchanged, and each changes Version before it
// returns; it is safe for concurrent use.
type DB struct {
	db      *store.DB
	text    bool // see textFeature
	version atomic.Uint64
}

// Version returns a number that every write through d changes before it
// returns, failed ones too: an answer computed from a view opened after
// Version returned v is still right while Version returns v. Writes to the
// store.DB that do not go through d (Store) are not counted.
func (d *DB) Version() uint64 { return d.version.Load() }

// wrote marks a write, however it ended.
func (d *DB) wrote() { d.version.Add(1) }

// New returns db as a DB. Closing db stays the caller's business.
func New(db *store.DB) *DB { return &DB{db: db, text: textFeature(db.TextPredicates())} }

// Store returns the store.DB behind d.
func (d *DB) Store() *store.DB { return d.db }

// View calls fn with a consistent view of the store, a *Source (so also
// a query.Accelerator and a RecordReader), valid only during the call and
// in its goroutine. See store.DB.View.
func (d *DB) View(ctx context.Context, fn func(src query.Source) error) error {
	return d.db.View(ctx, func(sn *store.Snapshot) error {
		return fn(&Source{sn: sn, text: d.text})
	})
}

// Create is store.DB.Create.
func (d *DB) Create(ctx context.Context, id rdf.IRI, g []rdf.Triple) (etag string, err error) {
	defer d.wrote()
	return d.db.Create(ctx, id, g)
}

// Get is store.DB.Get; a missing resource is both store.ErrNotFound and
// query.ErrNotFound.
func (d *DB) Get(ctx context.Context, id rdf.IRI) (g []rdf.Triple, etag string, err error) {
	g, etag, err = d.db.Get(ctx, id)
	return g, etag, notFound(err)
}

// Replace is store.DB.Replace.
func (d *DB) Replace(ctx context.Context, id rdf.IRI, g []rdf.Triple, ifMatch string) (etag string, err error) {
	defer d.wrote()
	return d.db.Replace(ctx, id, g, ifMatch)
}

// Delete is store.DB.Delete.
func (d *DB) Delete(ctx context.Context, id rdf.IRI, ifMatch string) error {
	defer d.wrote()
	return d.db.Delete(ctx, id, ifMatch)
}

// Resources is store.DB.Resources.
func (d *DB) Resources(ctx context.Context, after rdf.IRI, fn func(id rdf.IRI) bool) error {
	return d.db.Resources(ctx, after, fn)
}

// Load is store.DB.Load.
func (d *DB) Load(ctx context.Context, rs []store.Resource) error {
	defer d.wrote()
	return d.db.Load(ctx, rs)
}

// Stage is store.DB.Stage: writes that are durable and seen by every
// view at once, in a group commit, and indexed in the background.
func (d *DB) Stage(ctx context.Context, rs []store.Resource) error {
	defer d.wrote()
	return d.db.Stage(ctx, rs)
}

// Merge is store.DB.Merge.
func (d *DB) Merge(ctx context.Context, max int) (int, error) {
	defer d.wrote()
	return d.db.Merge(ctx, max)
}

// Staged is store.DB.Staged.
func (d *DB) Staged() (int, error) {
	return d.db.Staged()
}

// ViewStore is store.DB.View: the store's own snapshot, for what the
// query engine does not read (the change log).
func (d *DB) ViewStore(ctx context.Context, fn func(sn *store.Snapshot) error) error {
	return d.db.View(ctx, fn)
}

// ViewChanges is ViewStore for the tracked resource set, which reads the
// snapshot's change log (store.ChangeView).
func (d *DB) ViewChanges(ctx context.Context, fn func(cv store.ChangeView) error) error {
	return d.db.View(ctx, func(sn *store.Snapshot) error { return fn(sn) })
}

// TrimChanges is store.DB.TrimChanges.
func (d *DB) TrimChanges(ctx context.Context, before uint64) (int, error) {
	defer d.wrote()
	return d.db.TrimChanges(ctx, before)
}
