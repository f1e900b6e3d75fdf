package provider

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/auth"
	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/jobs"
	"github.com/oslc-pm/pmprovider/provider/notify"
	"github.com/oslc-pm/pmprovider/provider/ops"
	"github.com/oslc-pm/pmprovider/provider/oslc"
	"github.com/oslc-pm/pmprovider/provider/report"
	"github.com/oslc-pm/pmprovider/provider/threshold"
	"github.com/oslc-pm/pmprovider/provider/ui"
)

// Store is what the provider needs of a triple store (see oslc.Store):
// query/boltsource.New makes one of the embedded store.
type Store = oslc.Store

// UIConfig configures the pages other tools embed: dialogs and previews.
type UIConfig = ui.Config

// TRSConfig configures the tracked resource set: its page sizes, and how
// long its change log keeps events.
type TRSConfig = oslc.TRSConfig

// Defaults of TRSConfig.
const (
	DefaultTRSBasePageSize = oslc.DefaultTRSBasePageSize
	DefaultTRSKeep         = oslc.DefaultTRSKeep
	DefaultTRSMaxChanges   = oslc.DefaultTRSMaxChanges
)

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
	// JobLease, when positive, shares the measurement jobs with the other
	// instances over the same store by leases (jobs.Config.Lease), each
	// instance named by Instance.
	JobLease time.Duration
	Instance string
	// UI configures the pages other tools embed: dialogs and previews.
	// Its CORSOrigins apply to every response: only those origins may
	// send credentials or write from a browser.
	UI UIConfig
	// Authenticators prove who requests come from. None means every
	// request is LocalUser, who may do everything: fit for a provider
	// on a loopback address only.
	Authenticators auth.Chain
	// QueryBudget bounds the members the pages of concurrent queries
	// hold; past it a query waits, then answers 503. 0 means
	// oslc.DefaultQueryBudget.
	QueryBudget int
	// OAuth1, if set, lets OAuth 1.0a consumers (Jazz "friends") act for
	// the users who allow them: its endpoints join the routes, its URLs
	// the root services, its authenticator the Authenticators. BaseURL,
	// Logger and Error are the server's.
	OAuth1 *auth.OAuth1Config
	// RequestTimeout bounds the work of one request (event streams
	// excepted); 0 means none.
	RequestTimeout time.Duration
	// TRS configures the tracked resource set at /oslc/trs.
	TRS TRSConfig
	// Notify configures event subscriptions (/oslc/subscriptions) and
	// the push of alarms to an Alertmanager; its Store, Base, Logger
	// and Now are the server's.
	Notify notify.Config
	// Metrics are what /metrics serves, to which the server adds its
	// own; nil means a new ops.NewMetrics().
	Metrics *ops.Metrics
	// AccessLog logs every request at level Info, with its request id.
	AccessLog bool
	// StoreVersion, if set, returns a number that every write to the
	// store changes before it is acknowledged (boltsource.DB.Version):
	// with it, query pages read again in the same state of the store
	// are written from a cache. Leave it unset if anything writes to the
	// store by another way.
	StoreVersion func() uint64
	// CacheBytes bounds that cache, which also keeps the representations
	// of resources by ETag; 0 means oslc.DefaultCacheBytes, a negative
	// value keeps none.
	CacheBytes int
}

// DefaultMaxBodyBytes is the default limit of a request body.
const DefaultMaxBodyBytes = oslc.DefaultMaxBodyBytes

// Server is the provider: the OSLC API and the pages beside it, behind
// one route table (routes.go).
type Server struct {
	api        *oslc.Server
	ui         *ui.Server
	log        *slog.Logger
	cors       []string
	csrf       *http.CrossOriginProtection
	authn      auth.Chain
	oauth      *auth.OAuth1 // nil without OAuth consumers
	challenges []string
	timeout    time.Duration
	router     *mux.Router
	routes     []route
	paths      []*mux.Route // per route, a matcher of its path alone
	// stopCompaction stops the change log's compaction; nil until Start.
	stopCompaction func()
	hub            *notify.Hub
	hubHTTP        *notify.HTTP
	faces          faces
	ops            opsState // the Prometheus API, metrics, health (ops.go)
}

// New returns a Server over st: the API, its pages, and the job engine,
// which resumes the jobs st holds; Start runs them.
func New(st Store, cfg Config) (*Server, error) {
	s := &Server{log: cfg.Logger, cors: cfg.UI.CORSOrigins, authn: cfg.Authenticators, timeout: cfg.RequestTimeout}
	if s.log == nil {
		s.log = slog.Default()
	}
	var rootServices func(rdf.Subject) []rdf.Triple
	if cfg.OAuth1 != nil {
		oc := *cfg.OAuth1
		oc.BaseURL, oc.Logger = cfg.BaseURL, s.log
		oc.Error = func(w http.ResponseWriter, r *http.Request, status int, where, msg string) {
			if status == http.StatusUnauthorized {
				s.challenge(w)
			}
			s.api.WriteError(w, r, oslc.Errorf(status, where, "%s", msg))
		}
		o, err := auth.NewOAuth1(oc)
		if err != nil {
			return nil, err
		}
		s.oauth = o
		s.authn = append(s.authn[:len(s.authn):len(s.authn)], o)
		rootServices = o.RootServices
	}
	nc := cfg.Notify
	nc.Store, nc.Base, nc.Logger, nc.Now = st, cfg.BaseURL, s.log, cfg.Now
	hub, err := notify.New(nc)
	if err != nil {
		return nil, err
	}
	api, err := oslc.New(st, oslc.Config{
		BaseURL:      cfg.BaseURL,
		MaxBodyBytes: cfg.MaxBodyBytes,
		Logger:       cfg.Logger,
		Now:          cfg.Now,
		Collectors:   cfg.Collectors,
		JobLease:     cfg.JobLease,
		Instance:     cfg.Instance,
		QueryBudget:  cfg.QueryBudget,
		RootServices: rootServices,
		TRS:          cfg.TRS,
		Version:      cfg.StoreVersion,
		CacheBytes:   cfg.CacheBytes,
	})
	if err != nil {
		return nil, err
	}
	s.api, s.ui = api, ui.New(api, cfg.UI)
	s.hub, s.hubHTTP = hub, notify.NewHTTP(hub, api)
	// The change log is the hub's outbox: compaction keeps what a
	// subscriber has yet to be given.
	api.HoldChanges(hub.Hold)
	s.csrf = http.NewCrossOriginProtection()
	for _, o := range s.cors {
		if err := s.csrf.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("CORS origin %q: %w", o, err)
		}
	}
	s.challenges = s.authn.Challenges()
	s.newFaces(st)
	s.initOps(st, cfg)
	s.SetNotificationBacklog(func() float64 { return float64(hub.Backlog()) })
	s.register(api.BasePath())
	return s, nil
}

// ServeHTTP implements http.Handler. Every response carries a request id
// (X-Request-Id, the client's if sane), is counted in the metrics, says it must not be
// sniffed and carries the pages' content security policy; a write that a
// browser sends from an origin not listed in the UI's CORSOrigins is
// refused before any handler runs (cross-site request forgery); a panic
// is answered 500 and logged.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tw := &trackingWriter{ResponseWriter: w}
	r, done := s.begin(tw, r)
	defer done()
	defer s.recoverPanic(tw, r)
	h := w.Header()
	h.Set("OSLC-Core-Version", "2.0")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", s.ui.ContentPolicy())
	s.allowOrigin(w, r)
	if err := s.csrf.Check(r); err != nil {
		origin := r.Header.Get("Origin")
		if origin == "" {
			origin = "another site"
		}
		s.api.WriteError(tw, r, oslc.Errorf(http.StatusForbidden, "Origin",
			"%s from %s refused: cross-origin writes need the origin listed in --cors-origins", r.Method, origin))
		return
	}
	s.router.ServeHTTP(tw, r)
}

// Start runs the measurement jobs and the compaction of the tracked
// resource set's change log in the background until Close.
func (s *Server) Start() {
	s.api.Jobs().Start()
	s.stopCompaction = s.api.StartCompaction()
	if err := s.hub.Start(); err != nil {
		s.log.Error("event subscriptions not started", "err", err)
	}
}

// Close stops the measurement jobs, the event hub and the compaction;
// what the jobs produced is stored, and the events of it not yet sent go
// out at the next Start (the hub reads them from the change log). The
// jobs stop first: they produce what the hub sends. Close may be called
// again; it is safe while requests are served, which then write without
// the jobs' group commit.
func (s *Server) Close() {
	s.api.Jobs().Close()
	s.hub.Close()
	if s.stopCompaction != nil {
		s.stopCompaction()
		s.stopCompaction = nil
	}
}

// CompactChangeLog compacts the tracked resource set's change log now, as
// Start does every Config.TRS.CompactEvery, and returns how many events it
// dropped.
func (s *Server) CompactChangeLog(ctx context.Context) (int, error) { return s.api.Compact(ctx) }

// Notify returns the server's event hub: formats are registered and
// listeners subscribed through it.
func (s *Server) Notify() *notify.Hub { return s.hub }

// Jobs returns the server's job engine.
func (s *Server) Jobs() *jobs.Engine { return s.api.Jobs() }

// Thresholds returns the server's threshold evaluator.
func (s *Server) Thresholds() *threshold.Evaluator { return s.api.Thresholds() }

// EnsureHostJob makes sure a job measures this machine (see
// oslc.Server.EnsureHostJob) and returns its IRI.
func (s *Server) EnsureHostJob(ctx context.Context) (rdf.IRI, error) { return s.api.EnsureHostJob(ctx) }

// URL returns the absolute URL of path (which starts with "/").
func (s *Server) URL(path string) string { return s.api.URL(path) }

// CatalogURL is the URL of the service provider catalog.
func (s *Server) CatalogURL() string { return s.api.CatalogURL() }

// allowOrigin lets pages of other origins read responses: the Compact
// resources and query results a client shows next to its own data. Only
// listed origins may send credentials; when origins are listed, no other
// may read.
func (s *Server) allowOrigin(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	h := w.Header()
	h.Add("Vary", "Origin")
	switch {
	case s.trusted(origin):
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	case len(s.cors) == 0:
		// Anyone's scripts may read, without credentials: a browser never
		// sends them to "*". Preflights of writes are refused (options).
		h.Set("Access-Control-Allow-Origin", "*")
	default:
		return
	}
	h.Set("Access-Control-Expose-Headers", "Location, ETag, Link, OSLC-Core-Version, Preference-Applied")
}

// trusted says whether origin is listed in the UI's CORSOrigins.
func (s *Server) trusted(origin string) bool {
	for _, o := range s.cors {
		if o == origin {
			return true
		}
	}
	return false
}

// Media types of report files (see package report).
const (
	MediaCSV  = report.MediaCSV
	Media3GPP = report.Media3GPP
)
