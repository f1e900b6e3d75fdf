package oslc

import (
	"context"
	"errors"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/adhoc"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store"
)

// adhoc returns the builder of ad-hoc collections over the server's store
// and job engine.
func (s *Server) adhoc() *adhoc.Builder {
	b := &adhoc.Builder{
		Store: adhocStore{s.store},
		Base:  s.base,
		Managed: func(id rdf.IRI, shape, ident string, created, modified time.Time) []rdf.Triple {
			return s.serverProps(id, shape, created, modified, ident)
		},
	}
	if st, ok := s.store.(interface {
		Stage(ctx context.Context, rs []store.Resource) error
	}); ok {
		b.Stage = st.Stage
	}
	return b
}

// adhocStore is the server's store as ad-hoc collections use it.
type adhocStore struct{ Store }

func (a adhocStore) Exists(ctx context.Context, id rdf.IRI) (bool, error) {
	var ok bool
	err := a.View(ctx, func(src query.Source) error {
		var err error
		ok, err = src.Exists(ctx, id)
		return err
	})
	return ok, err
}

// recordReader is what the view of a store offers that reads records
// whole from its index entries (the bbolt store's does, see
// boltsource.RecordReader). Ad-hoc collections need it.
type recordReader interface {
	Records(ctx context.Context, q store.RecordQuery, fn func(rec *store.Record) bool) error
}

func (a adhocStore) Records(ctx context.Context, q store.RecordQuery, fn func(rec *store.Record) bool) error {
	return a.View(ctx, func(src query.Source) error {
		rr, ok := src.(recordReader)
		if !ok {
			return errors.New("ad-hoc collections need a store that reads records whole (store.Snapshot.Records)")
		}
		return rr.Records(ctx, q, fn)
	})
}

// createAdhoc makes a new pmj:AdhocCollection (TM Forum's
// AdhocCollection): monitored objects, metrics and a past time range. It
// builds at once one report from the stored records, aggregated per
// granularity period, and stores the collection with its state and a link
// to the report.
func (s *Server) createAdhoc(ctx context.Context, k *Kind, n *newMember) ([]rdf.Triple, string, error) {
	id, ident, g, now := n.id, n.ident, n.g, n.now
	if err := validate(k, id, g); err != nil {
		return nil, "", err
	}
	b := s.adhoc()
	req, err := b.Parse(ctx, id, g, now)
	if err != nil {
		return nil, "", err
	}
	res, err := b.Build(ctx, id, ident, req, now)
	var rs []store.Resource
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", ctx.Err()
		}
		s.log.Error("ad-hoc collection", "id", id.String(), "err", err)
	} else {
		rs = res.Resources
	}
	g = dedupe(append(g, adhoc.Outcome(id, res, err)...))
	rs = append(rs, store.Resource{ID: id, Triples: g})
	if err := b.Write(ctx, rs); err != nil {
		return nil, "", err
	}
	// Load and Stage tell no ETag.
	_, etag, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, "", err
	}
	return g, etag, nil
}
