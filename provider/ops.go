package provider

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/oslc-pm/pmprovider/provider/auth"
	"github.com/oslc-pm/pmprovider/provider/jobs"
	"github.com/oslc-pm/pmprovider/provider/ops"
	"github.com/oslc-pm/pmprovider/provider/promapi"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store"
)

// The operations side of the server: the Prometheus read API over the
// records, /metrics, /healthz and /readyz, and request ids.

// opsState is what the server keeps for operations.
type opsState struct {
	prom      *promapi.API
	metrics   *ops.Metrics
	health    *ops.Health
	accessLog bool
	backlog   atomic.Pointer[func() float64]
}

// initOps makes the read API, registers the metrics read from the
// server's parts and the readiness checks.
func (s *Server) initOps(st Store, cfg Config) {
	o := &s.ops
	o.accessLog = cfg.AccessLog
	o.prom = promapi.New(st, promapi.Config{Base: cfg.BaseURL, Now: cfg.Now, Logger: s.log})
	o.metrics = cfg.Metrics
	if o.metrics == nil {
		o.metrics = ops.NewMetrics()
	}
	o.health = &ops.Health{}
	m, engine := o.metrics, s.api.Jobs()
	m.GaugeFunc("store_size_bytes", "Bytes in use in the store's file.", func() float64 {
		var size int64
		if bolt, ok := st.(snapshotter); ok {
			_ = bolt.ViewStore(context.Background(), func(sn *store.Snapshot) error {
				stats, err := sn.Stats(context.Background())
				size = stats.Size
				return err
			})
		}
		return float64(size)
	})
	m.GaugeFunc("store_staged_resources", "Records acknowledged and waiting in memory for the store's merger to index them (queries see them meanwhile).", func() float64 {
		if bolt, ok := st.(interface{ Store() *store.DB }); ok {
			return float64(bolt.Store().Overlaid())
		}
		return 0
	})
	counter := func(name, help string, f func(jc countersOf) int) {
		m.CounterFunc(name, help, func() float64 { return float64(f(engine.Counters())) })
	}
	counter("jobs_periods_total", "Granularity periods the job engine handled.", func(c countersOf) int { return c.Periods })
	counter("jobs_records_total", "Records the job engine wrote.", func(c countersOf) int { return c.Records })
	counter("jobs_missed_periods_total", "Periods due but not collected: the engine was late, the collector failed or had no data.", func(c countersOf) int { return c.Missed })
	counter("jobs_collector_failures_total", "Periods whose collector failed.", func(c countersOf) int { return c.Failed })
	m.GaugeFunc("jobs_lag_seconds", "Time from the end of the last period committed to the commit of its records.", func() float64 {
		return engine.Counters().LastLag.Seconds()
	})
	m.GaugeFunc("notification_backlog", "Notifications waiting to be delivered.", func() float64 {
		if f := o.backlog.Load(); f != nil {
			return (*f)()
		}
		return 0
	})
	o.health.AddCheck("store", func(ctx context.Context) error {
		return st.View(ctx, func(query.Source) error { return nil })
	})
	o.health.AddCheck("job engine", func(context.Context) error {
		if !engine.Live() {
			return errors.New("the job engine is not running")
		}
		return nil
	})
}

type countersOf = jobs.Counters

// snapshotter is the bbolt store, whose file size /metrics reports.
type snapshotter interface {
	ViewStore(ctx context.Context, fn func(sn *store.Snapshot) error) error
}

// opsRoutes are the routes of the read API, /metrics and the health
// endpoints.
func (s *Server) opsRoutes() []route {
	p := s.ops.prom
	both := []string{http.MethodGet, http.MethodHead, http.MethodPost}
	read := func(path string, h http.HandlerFunc) route {
		return route{path: path, methods: both, op: auth.Read, handler: h}
	}
	return []route{
		read("/api/v1/query", p.Query()),
		read("/api/v1/query_range", p.QueryRange()),
		read("/api/v1/series", p.Series()),
		read("/api/v1/labels", p.Labels()),
		read("/api/v1/label/{name}/values", p.LabelValues()),
		read("/api/v1/metadata", p.Metadata()),
		read("/api/v1/query_exemplars", p.QueryExemplars()),
		read("/api/v1/status/buildinfo", p.BuildInfo()),
		{path: "/metrics", methods: get, op: auth.Read, handler: s.ops.metrics.Handler()},
		{path: "/healthz", methods: get, op: auth.Read, handler: http.HandlerFunc(s.ops.health.Alive), public: true},
		{path: "/readyz", methods: get, op: auth.Read, handler: http.HandlerFunc(s.ops.health.Ready), public: true},
	}
}

// Metrics returns the server's metrics, to which the caller may add.
func (s *Server) Metrics() *ops.Metrics { return s.ops.metrics }

// AddReadiness adds a check that /readyz runs: the server is ready when
// every check returns nil (a SPARQL store's reachability, say).
func (s *Server) AddReadiness(name string, check func(ctx context.Context) error) {
	s.ops.health.AddCheck(name, check)
}

// SetNotificationBacklog sets what the gauge
// pmprovider_notification_backlog reads: the notifications waiting to be
// delivered.
func (s *Server) SetNotificationBacklog(f func() float64) { s.ops.backlog.Store(&f) }

// A reqInfo is what the handlers tell ServeHTTP about a request.
type reqInfo struct{ route string }

type reqInfoKey struct{}

// setRoute tells ServeHTTP the route that serves r, for its metrics.
func setRoute(r *http.Request, path string) {
	if ri, ok := r.Context().Value(reqInfoKey{}).(*reqInfo); ok {
		ri.route = path
	}
}

// begin gives r its request id, in the response's header and r's
// context, and returns r and what to call when the answer is written:
// it counts the request by route and status, and logs it if asked.
func (s *Server) begin(w *trackingWriter, r *http.Request) (*http.Request, func()) {
	start := time.Now()
	id := ops.RequestID(r)
	w.Header().Set(ops.RequestIDHeader, id)
	ri := &reqInfo{}
	r = r.WithContext(context.WithValue(ops.WithRequestID(r.Context(), id), reqInfoKey{}, ri))
	return r, func() {
		d := time.Since(start)
		route := ri.route
		if route == "" {
			route = "unmatched"
		}
		status := w.status
		if status == 0 {
			status = http.StatusOK
		}
		s.ops.metrics.ObserveRequest(route, r.Method, status, d)
		if s.ops.accessLog {
			s.log.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "route", route, "status", status, "duration", d)
		}
	}
}
