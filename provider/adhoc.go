package provider

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/adhoc"
	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/store"
)

// adhocKind is the ad-hoc collections' kind, for discovery and GET.
func adhocKind() *kind {
	return &kind{path: "/oslc/adhoc", title: "Ad-hoc Collections", shape: shapes.Lookup(shapes.AdhocName),
		types: []rdf.IRI{adhoc.Class}, implied: adhoc.Class, fragments: "a", jobs: true}
}

func (s *Server) adhocRoutes(r *mux.Router) {
	r.HandleFunc("/oslc/adhoc", s.handleAdhocCreate).Methods(http.MethodPost)
	r.HandleFunc("/oslc/adhoc/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errorf(http.StatusMethodNotAllowed, "method", "an ad-hoc collection is a one-shot request: create a new one instead of changing it"))
	}).Methods(http.MethodPut)
}

// adhoc returns the builder of ad-hoc collections over the server's store
// and job engine.
func (s *Server) adhoc() *adhoc.Builder {
	b := &adhoc.Builder{
		Store: adhocStore{s.store},
		Base:  s.base,
		Managed: func(id rdf.IRI, shape, ident string, created, modified time.Time) []rdf.Triple {
			return s.serverProps(id, shape, created, modified, ident)
		},
		Merging: s.jobs.Live, // the engine merges what is staged
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
	err := a.View(ctx, func(sn *store.Snapshot) error {
		var err error
		ok, err = sn.Exists(ctx, id)
		return err
	})
	return ok, err
}

func (a adhocStore) Records(ctx context.Context, q store.RecordQuery, fn func(rec *store.Record) bool) error {
	return a.View(ctx, func(sn *store.Snapshot) error { return sn.Records(ctx, q, fn) })
}

// handleAdhocCreate takes a pmj:AdhocCollection (TM Forum's
// AdhocCollection): monitored objects, metrics and a past time range. It
// builds at once one report from the stored records, aggregated per
// granularity period, stores the collection with its state and a link to
// the report, and answers 201 with it.
func (s *Server) handleAdhocCreate(w http.ResponseWriter, r *http.Request) {
	k := adhocKind()
	id, ident, g, now, err := s.readNew(w, r, k)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := validate(k, id, g); err != nil {
		s.writeError(w, r, err)
		return
	}
	b := s.adhoc()
	req, err := b.Parse(r.Context(), id, g, now)
	var invalid *adhoc.InvalidError
	if errors.As(err, &invalid) {
		err = errorf(http.StatusBadRequest, "body", "%s", invalid.Error())
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := b.Build(r.Context(), id, ident, req, now)
	var rs []store.Resource
	if err != nil {
		if r.Context().Err() != nil {
			return
		}
		s.log.Error("ad-hoc collection", "id", id.String(), "err", err)
	} else {
		rs = res.Resources
	}
	g = dedupe(append(g, adhoc.Outcome(id, res, err)...))
	rs = append(rs, store.Resource{ID: id, Triples: g})
	if err := b.Write(r.Context(), rs); err != nil {
		s.writeError(w, r, err)
		return
	}
	// Load and Stage tell no ETag.
	_, etag, err := s.store.Get(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.respondCreated(w, r, id, etag, g)
}
