package oslc

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/knakk/rdf"
	"golang.org/x/sync/semaphore"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/jobs"
	"github.com/oslc-pm/pmprovider/provider/threshold"
	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Store is what the API needs of a triple store: what the job engine it
// runs needs (jobs.Store: resources kept whole with an ETag, and views the
// query engine reads), since one value serves both, and what the tracked
// resource set (trs.go) needs: the store's change log and its listing of
// resources read in one view, and compaction of the log.
// query/boltsource.DB is one over the embedded bbolt store, store/sparql.DB
// one over a SPARQL 1.1 store.
type Store interface {
	jobs.Store
	ViewChanges(ctx context.Context, fn func(cv store.ChangeView) error) error
	TrimChanges(ctx context.Context, before uint64) (int, error)
}

// Config configures a Server.
type Config struct {
	// BaseURL is the public base of every IRI the server mints, e.g.
	// "http://127.0.0.1:8080". Its path, if any, prefixes every route.
	BaseURL string
	// MaxBodyBytes limits request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Logger receives request errors; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Collectors are the collectors measurement jobs may use, besides
	// push, which every provider has.
	Collectors []collect.Collector
	// JobLease and Instance are the job engine's jobs.Config.Lease and
	// Instance: sharing the jobs with other instances over the store.
	JobLease time.Duration
	Instance string
	// RootServices, if set, adds triples about the root services
	// document (its subject is given): the OAuth URLs of Jazz friends.
	RootServices func(rdf.Subject) []rdf.Triple
	// QueryBudget bounds the members that the pages of concurrent
	// queries hold (see Server.admit); 0 means DefaultQueryBudget.
	QueryBudget int
	// TRS configures the tracked resource set (trs.go).
	TRS TRSConfig
	// CacheBytes bounds the encoded answers kept for GETs of resources
	// and query pages read again in the same state (repcache.go); 0 means
	// DefaultCacheBytes, a negative value keeps none.
	CacheBytes int
	// Version, if set, returns the store's version: a number that every
	// write changes before it is acknowledged, whichever way it reaches
	// the store (boltsource.DB.Version). Query pages are kept only with
	// one.
	Version func() uint64
}

// DefaultQueryBudget lets two pages of MaxPageSize members (about 128 MB
// each with oslc.select=*, until written), or two hundred of the default
// size, be built and written at once: more large pages than cores only
// share the cores and add memory.
const DefaultQueryBudget = 2 * MaxPageSize

// DefaultMaxBodyBytes is the default limit of a request body.
const DefaultMaxBodyBytes = 4 << 20

// HTML is what the API needs of the pages people read: the HTML
// representation of any graph it serves. The ui package provides it; the
// API never imports the UI.
type HTML interface {
	RenderHTML(w io.Writer, r *http.Request, root rdf.Subject, g []rdf.Triple, title string) error
}

// Server is the OSLC HTTP API: discovery, creation factories, query
// bases, the resources, job operations, report files, events and ad-hoc
// collections. Its handlers are registered by the provider's route table.
type Server struct {
	store        Store
	base         string // BaseURL without a trailing slash
	prefix       string // the base URL's escaped path without a trailing slash
	path         string // the same, unescaped: what routes match under
	maxBody      int64
	rootServices func(rdf.Subject) []rdf.Triple
	budget       *semaphore.Weighted
	queryWait    time.Duration
	log          *slog.Logger
	now          func() time.Time
	kinds        []*Kind
	trs          TRSConfig
	trsPrefixes  []string // of the tracked resources, sorted
	hold         func() uint64
	jobs         *jobs.Engine
	thresholds   *threshold.Evaluator
	html         HTML
	reps         *repCache     // encoded answers (repcache.go); nil: none
	etags        *etagMemo     // resources' ETags by store version (repcache.go)
	version      func() uint64 // Config.Version; nil: pages are not kept, ETags are read
	managedIRIs  sync.Map      // path → rdf.Object, of serverProps
}

// New returns a Server over st. It stores the vocabulary documents and
// resumes the measurement jobs st holds; Start runs them.
func New(st Store, cfg Config) (*Server, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("base URL %q: must be an absolute http(s) URL without query or fragment", cfg.BaseURL)
	}
	if _, err := shapes.All(); err != nil {
		return nil, fmt.Errorf("load shapes: %w", err)
	}
	s := &Server{
		store:   st,
		base:    strings.TrimSuffix(cfg.BaseURL, "/"),
		prefix:  strings.TrimSuffix(u.EscapedPath(), "/"),
		path:    strings.TrimSuffix(u.Path, "/"),
		maxBody: cfg.MaxBodyBytes,
		log:     cfg.Logger,
		now:     cfg.Now,
		reps:    newRepCache(cfg.CacheBytes),
		etags:   newETagMemo(),
		version: cfg.Version,
	}
	budget := int64(cfg.QueryBudget)
	if budget <= 0 {
		budget = DefaultQueryBudget
	}
	s.budget = semaphore.NewWeighted(max(budget, MaxPageSize))
	s.queryWait = QueryWait
	s.rootServices = cfg.RootServices
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	// Every write goes through the threshold evaluator, so that the
	// alarms a record raises are written with it.
	s.thresholds = threshold.New(threshold.Config{
		Store:  st,
		Base:   s.base,
		Now:    s.now,
		Logger: s.log,
		Managed: func(id rdf.IRI, shape, ident string, created, modified time.Time) []rdf.Triple {
			return s.serverProps(id, shape, created, modified, ident)
		},
	})
	if err := s.thresholds.Load(context.Background()); err != nil {
		return nil, fmt.Errorf("load thresholds: %w", err)
	}
	s.store = s.thresholds.Store()
	if err := s.storeVocabularies(context.Background()); err != nil {
		return nil, fmt.Errorf("store vocabularies: %w", err)
	}
	s.jobs, err = jobs.New(jobs.Config{
		Store:      s.store,
		Base:       s.base,
		Now:        s.now,
		Collectors: cfg.Collectors,
		Logger:     s.log,
		Lease:      cfg.JobLease,
		Instance:   cfg.Instance,
		Managed: func(id rdf.IRI, shape, ident string, created, modified time.Time) []rdf.Triple {
			return s.serverProps(id, shape, created, modified, ident)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("job engine: %w", err)
	}
	s.kinds = s.newKinds()
	s.trs, s.trsPrefixes = cfg.TRS.withDefaults(), s.trackedPrefixes()
	if err := s.jobs.Load(context.Background()); err != nil {
		return nil, fmt.Errorf("resume jobs: %w", err)
	}
	return s, nil
}

// SetHTML sets the renderer of the HTML representation (package ui's
// Server); without one, text/html answers 500.
func (s *Server) SetHTML(h HTML) { s.html = h }

// storeVocabularies keeps the vocabulary documents in the store, each as
// the resource <base>/ns/<name>, with the rdfs:subClassOf closure of the
// metric categories materialized, so that queries such as
// ems:observes{ems:metric{rdfs:subClassOf=pm:MemoryMetrics}} find records
// of any memory metric, directly or through a sub-category.
func (s *Server) storeVocabularies(ctx context.Context) error {
	closure, err := vocab.SubClassClosure()
	if err != nil {
		return err
	}
	var rs []store.Resource
	for _, d := range vocab.Documents {
		g, err := d.Graph()
		if err != nil {
			return err
		}
		g = append([]rdf.Triple(nil), g...)
		if d.NS == vocab.PM || d.NS == vocab.EMS {
			seen := make(map[string]bool)
			for _, t := range g {
				if t.Pred == vocab.RDFSSubClass {
					seen[t.Subj.String()+" "+t.Obj.String()] = true
				}
			}
			for _, t := range g {
				if t.Pred != vocab.RDFType || t.Obj != vocab.RDFSClass {
					continue
				}
				for _, sup := range closure[t.Subj.String()] {
					if !seen[t.Subj.String()+" "+sup] {
						seen[t.Subj.String()+" "+sup] = true
						g = append(g, rdf.Triple{Subj: t.Subj, Pred: vocab.RDFSSubClass, Obj: vocab.IRI(sup, "")})
					}
				}
			}
		}
		rs = append(rs, store.Resource{ID: s.iri("/ns/" + d.Name), Triples: g})
	}
	return s.store.Load(ctx, rs)
}

// URL returns the absolute URL of path (which starts with "/").
func (s *Server) URL(path string) string { return s.base + path }

// IRI returns the IRI of path (which starts with "/").
func (s *Server) IRI(path string) rdf.IRI { return s.iri(path) }

func (s *Server) iri(path string) rdf.IRI {
	i, err := rdf.NewIRI(s.base + path)
	if err != nil {
		panic(err) // base was validated in New and paths are ours
	}
	return i
}

// BasePath is the base URL's path without a trailing slash, unescaped:
// the router matches every route under it.
func (s *Server) BasePath() string { return s.path }

// Prefix is the base URL's escaped path without a trailing slash: it
// prefixes every route.
func (s *Server) Prefix() string { return s.prefix }

// RequestIRI is the IRI of the resource a request is about: the base URL
// with the request's path relative to the base's path.
func (s *Server) RequestIRI(r *http.Request) rdf.IRI {
	i, err := rdf.NewIRI(s.base + strings.TrimPrefix(r.URL.EscapedPath(), s.prefix))
	if err != nil {
		return s.iri("/")
	}
	return i
}

// RequestPageIRI is the IRI of the requested page, query included.
func (s *Server) RequestPageIRI(r *http.Request) rdf.IRI {
	id := s.RequestIRI(r).String()
	if r.URL.RawQuery != "" {
		id += "?" + r.URL.RawQuery
	}
	i, err := rdf.NewIRI(id)
	if err != nil {
		return s.RequestIRI(r)
	}
	return i
}

// CatalogURL is the URL of the service provider catalog.
func (s *Server) CatalogURL() string { return s.URL("/oslc/catalog") }

// Store returns the store the server serves.
func (s *Server) Store() Store { return s.store }

// Now returns the server's clock reading.
func (s *Server) Now() time.Time { return s.now() }

// Log returns the server's logger.
func (s *Server) Log() *slog.Logger { return s.log }
