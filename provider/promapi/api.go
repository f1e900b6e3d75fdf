package promapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/knakk/rdf"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/oslc-pm/pmprovider/query"
)

// Store is what the API reads: consistent views of the triple store.
// Any query.Source serves; one that reads records whole
// (boltsource.RecordReader, the bbolt store) and counts index entries
// (a query.Accelerator that joins) serves much faster.
type Store interface {
	View(ctx context.Context, fn func(src query.Source) error) error
}

// Config configures an API.
type Config struct {
	// Base is the provider's base URL: monitored resources live under
	// Base/oslc/resources/, records under Base/oslc/records/.
	Base string
	// Metrics are the metric IRIs series may have, named by MetricName;
	// nil means DefaultMetrics().
	Metrics []rdf.IRI
	// Units are the units each metric is reported in, for
	// /api/v1/metadata; nil means DefaultUnits().
	Units map[rdf.IRI]rdf.IRI
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxSamples bounds the samples one query reads; 0 means
	// DefaultMaxSamples.
	MaxSamples int
	// Logger receives internal errors; nil means slog.Default().
	Logger *slog.Logger
}

// DefaultMaxSamples bounds the samples a query reads: about 16 bytes
// each.
const DefaultMaxSamples = 20_000_000

// MaxPoints bounds the steps of a range query, as Prometheus does.
const MaxPoints = 11000

// DefaultLookback is how far back an instant selector looks for a sample.
const DefaultLookback = 5 * time.Minute

// An API serves the read side of the Prometheus HTTP API over the stored
// records.
type API struct {
	store      Store
	base       string
	metrics    *catalogue
	units      map[rdf.IRI]rdf.IRI
	now        func() time.Time
	maxSamples int
	log        *slog.Logger
	parser     parser.Parser
}

// New returns an API over st.
func New(st Store, cfg Config) *API {
	a := &API{store: st, base: strings.TrimSuffix(cfg.Base, "/"), now: cfg.Now, maxSamples: cfg.MaxSamples, log: cfg.Logger,
		parser: parser.NewParser(parser.Options{})}
	if cfg.Metrics == nil {
		cfg.Metrics = DefaultMetrics()
	}
	a.metrics = newCatalogue(cfg.Metrics)
	if a.units = cfg.Units; a.units == nil {
		a.units = DefaultUnits()
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.maxSamples == 0 {
		a.maxSamples = DefaultMaxSamples
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	return a
}

// MetricNames returns the metric names the API knows, sorted.
func (a *API) MetricNames() []string { return slices.Clone(a.metrics.names) }

// maxForm bounds a POSTed form.
const maxForm = 1 << 20

// An apiError is an answer in Prometheus's error format.
type apiError struct {
	typ    string // bad_data, execution, internal, timeout, canceled
	status int
	err    error
}

func (e *apiError) Error() string { return e.err.Error() }

func badData(format string, args ...any) *apiError {
	return &apiError{typ: "bad_data", status: http.StatusBadRequest, err: fmt.Errorf(format, args...)}
}

// A handler returns the data of a successful answer, or an error.
type handler func(r *http.Request) (any, error)

// serve writes what h returns in Prometheus's JSON envelope.
func (a *API) serve(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		}
		var data any
		err := r.ParseForm()
		if err != nil {
			err = badData("form: %v", err)
		} else {
			data, err = h(r)
		}
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			e := a.toError(r, err)
			w.WriteHeader(e.status)
			_ = json.NewEncoder(w).Encode(map[string]string{"status": "error", "errorType": e.typ, "error": e.err.Error()})
			return
		}
		env := map[string]any{"status": "success", "data": data}
		if wd, ok := data.(warned); ok {
			env["data"], env["warnings"] = wd.data, wd.warnings
		}
		_ = json.NewEncoder(w).Encode(env)
	}
}

// toError maps err to the error type and status Prometheus answers with.
func (a *API) toError(r *http.Request, err error) *apiError {
	var e *apiError
	var pe parser.ParseErrors
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &pe), errors.Is(err, ErrUnsupported):
		return &apiError{typ: "bad_data", status: http.StatusBadRequest, err: err}
	case errors.Is(err, errExec), errors.Is(err, errTooManySamples):
		return &apiError{typ: "execution", status: http.StatusUnprocessableEntity, err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &apiError{typ: "timeout", status: http.StatusServiceUnavailable, err: errors.New("query timed out")}
	case errors.Is(err, context.Canceled):
		return &apiError{typ: "canceled", status: 499, err: errors.New("query canceled")}
	}
	a.log.ErrorContext(r.Context(), "prometheus API", "url", r.URL.String(), "err", err)
	return &apiError{typ: "internal", status: http.StatusInternalServerError, err: errors.New("internal error; the server's log says more")}
}

// Query serves /api/v1/query: an instant query at time (default now).
func (a *API) Query() http.HandlerFunc {
	return a.serve(func(r *http.Request) (any, error) {
		t, err := a.timeParam(r, "time", a.now())
		if err != nil {
			return nil, err
		}
		ev, e, err := a.prepare(r, t, t, 1)
		if err != nil {
			return nil, err
		}
		if ms, ok := unparen(e).(*parser.MatrixSelector); ok {
			ss, err := ev.raw(ms, t.UnixMilli())
			if err != nil {
				return nil, err
			}
			return result{"matrix", matrix(ss)}, nil
		}
		if e.Type() == parser.ValueTypeScalar {
			return result{"scalar", point{t: t.UnixMilli(), v: scalar(e)}}, nil
		}
		ss, err := ev.eval(e)
		if err != nil {
			return nil, err
		}
		v := make([]vectorItem, 0, len(ss))
		for _, s := range ss {
			v = append(v, vectorItem{Metric: s.labels.Map(), Value: point(s.samples[0])})
		}
		return result{"vector", v}, nil
	})
}

// QueryRange serves /api/v1/query_range.
func (a *API) QueryRange() http.HandlerFunc {
	return a.serve(func(r *http.Request) (any, error) {
		start, err := a.timeParam(r, "start", time.Time{})
		if err != nil {
			return nil, err
		}
		end, err := a.timeParam(r, "end", time.Time{})
		if err != nil {
			return nil, err
		}
		if end.Before(start) {
			return nil, badData("end timestamp must not be before start time")
		}
		step, err := durationParam(r, "step")
		if err != nil {
			return nil, err
		}
		if step <= 0 {
			return nil, badData("zero or negative query resolution step widths are not accepted. Try a positive integer")
		}
		if end.Sub(start)/step >= MaxPoints {
			return nil, badData("exceeded maximum resolution of %d points per timeseries. Try decreasing the query resolution (?step=XX)", MaxPoints)
		}
		ev, e, err := a.prepare(r, start, end, step)
		if err != nil {
			return nil, err
		}
		if e.Type() != parser.ValueTypeVector && e.Type() != parser.ValueTypeScalar {
			return nil, badData("invalid expression type %q for range query, must be Scalar or instant Vector", exprType(e))
		}
		ss, err := ev.eval(e)
		if err != nil {
			return nil, err
		}
		return result{"matrix", matrix(ss)}, nil
	})
}

// prepare parses and checks the query parameter and makes its evaluator.
func (a *API) prepare(r *http.Request, start, end time.Time, step time.Duration) (*evaluator, parser.Expr, error) {
	qs := r.Form.Get("query")
	if qs == "" {
		return nil, nil, badData("invalid parameter \"query\": no query given")
	}
	e, err := a.parser.ParseExpr(qs)
	if err != nil {
		return nil, nil, badData("invalid parameter \"query\": %v", err)
	}
	if err := check(e); err != nil {
		return nil, nil, err
	}
	lookback := DefaultLookback
	if r.Form.Get("lookback_delta") != "" {
		if lookback, err = durationParam(r, "lookback_delta"); err != nil {
			return nil, nil, err
		}
		if lookback <= 0 {
			lookback = DefaultLookback
		}
	}
	ev := &evaluator{a: a, ctx: r.Context(), start: start.UnixMilli(), end: end.UnixMilli(), step: step.Milliseconds(), lookback: lookback.Milliseconds()}
	if ev.step <= 0 {
		ev.step = 1
	}
	return ev, e, nil
}

// Series serves /api/v1/series: the label sets of the series that one of
// the match[] selectors selects, with samples between start and end.
func (a *API) Series() http.HandlerFunc {
	return a.serve(func(r *http.Request) (any, error) {
		limit, err := limitParam(r)
		if err != nil {
			return nil, err
		}
		ss, err := a.matching(r, true, nil)
		if err != nil {
			return nil, err
		}
		out := make([]map[string]string, 0, len(ss))
		for _, s := range ss {
			out = append(out, s.labels.Map())
		}
		return truncate(out, limit), nil
	})
}

// Labels serves /api/v1/labels: the label names of the series match[]
// selects, or of every series.
func (a *API) Labels() http.HandlerFunc {
	return a.serve(func(r *http.Request) (any, error) {
		limit, err := limitParam(r)
		if err != nil {
			return nil, err
		}
		ss, err := a.matching(r, false, new(string))
		if err != nil {
			return nil, err
		}
		names := map[string]bool{}
		for _, s := range ss {
			s.labels.Range(func(l labels.Label) { names[l.Name] = true })
		}
		out := []string{}
		for n := range names {
			out = append(out, n)
		}
		slices.Sort(out)
		return truncate(out, limit), nil
	})
}

// LabelValues serves /api/v1/label/{name}/values.
func (a *API) LabelValues() http.HandlerFunc {
	return a.serve(func(r *http.Request) (any, error) {
		name := mux.Vars(r)["name"]
		if strings.HasPrefix(name, "U__") {
			return nil, badData("invalid label name: %q (UTF-8 escaped label names are not supported)", name)
		}
		if !model.LabelName(name).IsValidLegacy() {
			return nil, badData("invalid label name: %q", name)
		}
		limit, err := limitParam(r)
		if err != nil {
			return nil, err
		}
		out := []string{}
		if !slices.Contains(labelNames, name) {
			return out, nil
		}
		ss, err := a.matching(r, false, &name)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, s := range ss {
			if v := s.labels.Get(name); v != "" && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
		slices.Sort(out)
		return truncate(out, limit), nil
	})
}

// matching returns the series that the match[] selectors select with
// samples between start and end (default: all time), without duplicates;
// with no match[], every series unless required. With label set, only
// the label names (label "") or the values of label *label matter:
// over all time, then, series that show them all may stand for the rest
// (see witnessed).
func (a *API) matching(r *http.Request, required bool, label *string) ([]*series, error) {
	w := all
	if r.Form.Get("start") != "" {
		t, err := a.timeParam(r, "start", time.Time{})
		if err != nil {
			return nil, err
		}
		// Samples at start count: the window is open below.
		w.lo, w.openLo = t.UnixMilli()-1, false
	}
	if r.Form.Get("end") != "" {
		t, err := a.timeParam(r, "end", time.Time{})
		if err != nil {
			return nil, err
		}
		w.hi, w.openHi = t.UnixMilli(), false
	}
	if !w.openLo && !w.openHi && w.hi <= w.lo {
		return nil, badData("end timestamp must not be before start time")
	}
	sels := r.Form["match[]"]
	if len(sels) == 0 {
		if required {
			return nil, badData("no match[] parameter provided")
		}
		sels = []string{`{__name__=~".+"}`}
	}
	seen := map[string]bool{}
	var out []*series
	for _, sel := range sels {
		ms, err := a.parser.ParseMetricSelector(sel)
		if err != nil {
			return nil, badData("invalid parameter \"match[]\": %v", err)
		}
		var ss []*series
		ok := false
		if label != nil && w.openLo && w.openHi {
			ss, ok, err = a.witnessed(r.Context(), ms, *label)
		}
		if err == nil && !ok {
			ss, err = a.selectSeries(r.Context(), ms, w)
		}
		if err != nil {
			return nil, err
		}
		for _, s := range ss {
			if k := s.labels.String(); !seen[k] {
				seen[k] = true
				out = append(out, s)
			}
		}
	}
	slices.SortFunc(out, func(x, y *series) int { return labels.Compare(x.labels, y.labels) })
	return out, nil
}

// timeParam reads parameter name as an RFC 3339 time or Unix seconds;
// absent, it is def, or an error if def is zero.
func (a *API) timeParam(r *http.Request, name string, def time.Time) (time.Time, error) {
	v := r.Form.Get(name)
	if v == "" {
		if def.IsZero() {
			return time.Time{}, badData("invalid parameter %q: missing", name)
		}
		return def, nil
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		s, ns := math.Modf(f)
		return time.Unix(int64(s), int64(math.Round(ns*1000))*int64(time.Millisecond)).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	return time.Time{}, badData("invalid parameter %q: cannot parse %q to a valid timestamp", name, v)
}

// durationParam reads parameter name as seconds or a Prometheus duration.
func durationParam(r *http.Request, name string) (time.Duration, error) {
	v := r.Form.Get(name)
	if v == "" {
		return 0, badData("invalid parameter %q: missing", name)
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || f*float64(time.Second) > float64(math.MaxInt64) || f*float64(time.Second) < float64(math.MinInt64) {
			return 0, badData("invalid parameter %q: cannot parse %q to a valid duration. It overflows int64", name, v)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := model.ParseDuration(v)
	if err != nil {
		return 0, badData("invalid parameter %q: cannot parse %q to a valid duration", name, v)
	}
	return time.Duration(d), nil
}

// result is the data of a query answer.
type result struct {
	typ string
	val any
}

func (r result) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ResultType string `json:"resultType"`
		Result     any    `json:"result"`
	}{r.typ, r.val})
}

type vectorItem struct {
	Metric map[string]string `json:"metric"`
	Value  point             `json:"value"`
}

type matrixItem struct {
	Metric map[string]string `json:"metric"`
	Values points            `json:"values"`
}

func matrix(ss []*series) []matrixItem {
	out := make([]matrixItem, 0, len(ss))
	for _, s := range ss {
		out = append(out, matrixItem{Metric: s.labels.Map(), Values: s.samples})
	}
	return out
}

// points are written in one piece: a MarshalJSON call per point would
// cost more than the query.
type points []sample

func (ps points) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+len(ps)*24)
	b = append(b, '[')
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = point(p).append(b)
	}
	return append(b, ']'), nil
}

// point is a sample as Prometheus writes one: [seconds, "value"].
type point sample

func (p point) MarshalJSON() ([]byte, error) { return p.append(nil), nil }

func (p point) append(b []byte) []byte {
	b = append(b, '[')
	b = strconv.AppendFloat(b, float64(p.t)/1000, 'f', -1, 64)
	b = append(b, ',', '"')
	switch {
	case math.IsInf(p.v, 1):
		b = append(b, "+Inf"...)
	case math.IsInf(p.v, -1):
		b = append(b, "-Inf"...)
	case math.IsNaN(p.v):
		b = append(b, "NaN"...)
	default:
		b = strconv.AppendFloat(b, p.v, 'f', -1, 64)
	}
	return append(b, '"', ']')
}
