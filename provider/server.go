package provider

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/jobs"
	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Store is what the server needs of a triple store: resources kept as
// units, each with an ETag, and snapshots for the query engine. It is what
// the job engine needs too.
type Store = jobs.Store

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
	// UI configures the pages other tools embed: dialogs and previews.
	UI UIConfig
}

// DefaultMaxBodyBytes is the default limit of a request body.
const DefaultMaxBodyBytes = 4 << 20

// Server serves the provider over HTTP.
type Server struct {
	store   Store
	base    string // BaseURL without a trailing slash
	prefix  string // the base URL's escaped path without a trailing slash: prefixes every route
	maxBody int64
	log     *slog.Logger
	now     func() time.Time
	router  *mux.Router
	kinds   []*kind
	jobs    *jobs.Engine
	ui      UIConfig
}

// A kind is a type of resource the provider stores, with its creation
// factory and query base at base+path.
type kind struct {
	path      string // "/oslc/records"
	title     string
	shape     *shapes.Shape
	types     []rdf.IRI // oslc:resourceType
	implied   rdf.IRI   // rdf:type added when a client leaves it out; zero for none
	fragments string    // prefix of fragment ids minted for nested nodes
	readOnly  bool      // made by the provider: no creation factory, PUT or DELETE
	jobs      bool      // measurement job kinds: not offered in the legacy pm domain
}

// New returns a Server over st.
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
		maxBody: cfg.MaxBodyBytes,
		log:     cfg.Logger,
		now:     cfg.Now,
		ui:      cfg.UI,
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.kinds = []*kind{
		{path: "/oslc/records", title: "Performance Monitoring Records", shape: shapes.Lookup(shapes.RecordName), types: []rdf.IRI{vocab.PMRecord}, implied: vocab.PMRecord, fragments: "m"},
		{path: "/oslc/resources", title: "Monitored Resources", shape: shapes.Lookup(shapes.MonitoredName), types: shapes.MonitoredClasses, fragments: "n"},
		{path: "/oslc/jobs", title: "Measurement Jobs", shape: shapes.Lookup(shapes.JobName), types: []rdf.IRI{vocab.PMJJob}, implied: vocab.PMJJob, fragments: "j", jobs: true},
		{path: "/oslc/reports", title: "Performance Reports", shape: shapes.Lookup(shapes.ReportName), types: []rdf.IRI{vocab.PMJReport}, readOnly: true, jobs: true},
		{path: "/oslc/tracking", title: "Job Tracking Records", shape: shapes.Lookup(shapes.TrackingName), types: []rdf.IRI{vocab.PMJTracking}, readOnly: true, jobs: true},
		{path: "/oslc/notifications", title: "Job Notifications", shape: shapes.Lookup(shapes.NotificationName), types: []rdf.IRI{vocab.PMJNotification}, readOnly: true, jobs: true},
		adhocKind(),
	}
	if err := s.storeVocabularies(context.Background()); err != nil {
		return nil, fmt.Errorf("store vocabularies: %w", err)
	}
	s.jobs, err = jobs.New(jobs.Config{
		Store:      st,
		Base:       s.base,
		Now:        s.now,
		Collectors: cfg.Collectors,
		Logger:     s.log,
		Managed: func(id rdf.IRI, shape, ident string, created, modified time.Time) []rdf.Triple {
			return s.serverProps(id, shape, created, modified, ident)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("job engine: %w", err)
	}
	if err := s.jobs.Load(context.Background()); err != nil {
		return nil, fmt.Errorf("resume jobs: %w", err)
	}
	s.routes(u.Path)
	return s, nil
}

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

func (s *Server) routes(prefix string) {
	prefix = strings.TrimSuffix(prefix, "/")
	r := mux.NewRouter()
	if prefix != "" {
		r = r.PathPrefix(prefix).Subrouter()
	}
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errorf(http.StatusNotFound, "URL", "no resource at %s", s.requestIRI(r)))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errorf(http.StatusMethodNotAllowed, "method", "%s is not allowed on %s", r.Method, s.requestIRI(r)))
	})
	get := []string{http.MethodGet, http.MethodHead}
	s.uiRoutes(r)
	r.HandleFunc("/", s.handleHome).Methods(get...)
	r.HandleFunc("/rootservices", s.handleRootServices).Methods(get...)
	r.HandleFunc("/oslc/catalog", s.handleCatalog).Methods(get...)
	r.HandleFunc("/oslc/provider", s.handleProvider).Methods(get...)
	r.HandleFunc("/oslc/shapes/{name}", s.handleShape).Methods(get...)
	r.HandleFunc("/ns/{name}", s.handleVocab).Methods(get...)
	r.HandleFunc("/oslc/capabilities", s.handleCapabilities).Methods(get...)
	r.HandleFunc("/oslc/jobs/{id}/{action:suspend|resume|cancel}", s.handleJobAction).Methods(http.MethodPost)
	r.HandleFunc("/oslc/jobs/{id}/push", s.handlePush).Methods(http.MethodPost)
	s.reportRoutes(r)
	for _, k := range s.kinds {
		k := k
		r.HandleFunc(k.path, func(w http.ResponseWriter, r *http.Request) { s.handleList(w, r, k) }).Methods(get...)
		r.HandleFunc(k.path+"/{id}", func(w http.ResponseWriter, r *http.Request) { s.handleGet(w, r, k) }).Methods(get...)
		if k.readOnly {
			continue
		}
		r.HandleFunc(k.path, func(w http.ResponseWriter, r *http.Request) { s.handleCreate(w, r, k) }).Methods(http.MethodPost)
		r.HandleFunc(k.path+"/{id}", func(w http.ResponseWriter, r *http.Request) { s.handlePut(w, r, k) }).Methods(http.MethodPut)
		r.HandleFunc(k.path+"/{id}", func(w http.ResponseWriter, r *http.Request) { s.handleDelete(w, r, k) }).Methods(http.MethodDelete)
	}
	s.router = r
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("OSLC-Core-Version", "2.0")
	s.router.ServeHTTP(w, r)
}

// URL returns the absolute URL of path (which starts with "/").
func (s *Server) URL(path string) string { return s.base + path }

func (s *Server) iri(path string) rdf.IRI {
	i, err := rdf.NewIRI(s.base + path)
	if err != nil {
		panic(err) // base was validated in New and paths are ours
	}
	return i
}

// requestIRI is the IRI of the resource a request is about: the base URL
// with the request's path relative to the base's path.
func (s *Server) requestIRI(r *http.Request) rdf.IRI {
	i, err := rdf.NewIRI(s.base + strings.TrimPrefix(r.URL.EscapedPath(), s.prefix))
	if err != nil {
		return s.iri("/")
	}
	return i
}

// CatalogURL is the URL of the service provider catalog.
func (s *Server) CatalogURL() string { return s.URL("/oslc/catalog") }
