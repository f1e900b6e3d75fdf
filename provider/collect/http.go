package collect

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// Properties and metrics of the http collector.
var (
	// PropProbeURL (pmj:probeURL) is the URL the http collector probes: on
	// the monitored resource, or on the job for every target without one.
	PropProbeURL = vocab.PMJ + "probeURL"
	// PropProbeTimeout (pmj:probeTimeout, an xsd:duration on the job)
	// bounds each probe; default 10 s, never more than half the period.
	PropProbeTimeout = vocab.PMJ + "probeTimeout"
	// PropTLSInsecure (pmj:tlsInsecure, an xsd:boolean on the job) skips
	// the verification of the server's certificate.
	PropTLSInsecure = vocab.PMJ + "tlsInsecure"

	// MetricHTTPStatus is pmj:HttpStatusCode: the pm vocabulary has no
	// metric for a response's status code.
	MetricHTTPStatus = vocab.PMJTerm("HttpStatusCode")

	metricResponseTime = vocab.IRI(vocab.PM, "ResponseTime")

	// StatusRunning, StatusNotRunning and StatusUnknown are the
	// pm:availabilityStatus values.
	StatusRunning    = vocab.IRI(vocab.PM, "Running")
	StatusNotRunning = vocab.IRI(vocab.PM, "NotRunning")
	StatusUnknown    = vocab.IRI(vocab.PM, "Unknown")
)

// defaultProbeTimeout bounds a probe when the job gives no pmj:probeTimeout.
const defaultProbeTimeout = 10 * time.Second

// probeAttempts is how often a probe that got no response is tried within
// a Collect, with backoff, before the target counts as not running.
const probeAttempts = 3

// maxProbeBody is how much of a response body a probe reads.
const maxProbeBody = 1 << 20

// HTTP is the "http" collector: at the end of each granularity period it
// probes each target's pmj:probeURL (the target's own, else the job's)
// with a GET and reports pm:ResponseTime (milliseconds until the body,
// up to 1 MiB of it, was read), pmj:HttpStatusCode, and the
// pm:availabilityStatus of the record: pm:Running when the server
// answered with a status below 500, pm:NotRunning when it answered 5xx
// or not at all (refused, timed out, TLS failure), after three attempts
// with backoff.
//
// An unreachable target is a measurement (pm:NotRunning, no response
// time), not a failure of the collector; Collect fails, and the engine
// retries and reports it, only when no target can be probed at all
// (none has a usable URL, or every one is refused by the allow-list).
// A target the allow-list refuses, directly, once resolved or by a
// redirect, is not probed and gets no sample.
type HTTP struct {
	// Client, when set, makes the probes (tests trust their TLS servers
	// through it); nil builds one per Collect from the job's options.
	Client *http.Client
	// Allow says where probes may go; nil means DefaultAllowList. Set it
	// before the first Collect.
	Allow *AllowList
}

var _ Collector = (*HTTP)(nil)
var _ ParamChecker = (*HTTP)(nil)
var _ TargetChecker = (*HTTP)(nil)

// NewHTTP returns the http collector.
func NewHTTP() *HTTP { return &HTTP{} }

// Name returns "http".
func (*HTTP) Name() string { return "http" }

// Metrics returns pm:ResponseTime and pmj:HttpStatusCode.
func (*HTTP) Metrics() []Metric {
	return []Metric{{metricResponseTime, UnitMillisecond}, {MetricHTTPStatus, UnitCount}}
}

// Classes returns crtv:SoftwareServer and crtv:ComputerSystem; any target
// with a probe URL is probed, though.
func (*HTTP) Classes() []rdf.IRI { return []rdf.IRI{classSoftwareServer, classComputerSystem} }

// CheckParams checks the job's probe options; its probe URL must be one
// the allow-list allows.
func (h *HTTP) CheckParams(params map[string][]string) []string {
	var faults []string
	for _, u := range params[PropProbeURL] {
		if err := checkURL(u); err != nil {
			faults = append(faults, "pmj:probeURL: "+err.Error())
		} else if err := h.Allow.Check(context.Background(), u); err != nil {
			faults = append(faults, fmt.Sprintf("pmj:probeURL: %s: %v", u, err))
		}
	}
	for _, v := range params[PropProbeTimeout] {
		if d, err := vocab.ParseDuration(v); err != nil || d <= 0 {
			faults = append(faults, fmt.Sprintf("pmj:probeTimeout: %q is not a positive xsd:duration such as PT5S", v))
		}
	}
	for _, v := range params[PropTLSInsecure] {
		if v != "true" && v != "false" && v != "1" && v != "0" {
			faults = append(faults, fmt.Sprintf("pmj:tlsInsecure: %q is not an xsd:boolean", v))
		}
	}
	return faults
}

// CheckTargets checks the probe URLs of the job's monitored resources
// against the allow-list.
func (h *HTTP) CheckTargets(ctx context.Context, targets []Target, _ map[string][]string) []string {
	return checkTargets(ctx, h.Allow, PropProbeURL, "pmj:probeURL", targets)
}

// checkTargets checks the URLs targets hold in prop against a.
func checkTargets(ctx context.Context, a *AllowList, prop, name string, targets []Target) []string {
	var faults []string
	for _, t := range targets {
		for _, u := range t.Props[prop] {
			if checkURL(u) != nil {
				continue // a resource's own business until a job probes it
			}
			if err := a.Check(ctx, u); err != nil {
				faults = append(faults, fmt.Sprintf("pmj:monitoredObject: %s: its %s %s: %v", t.IRI, name, u, err))
			}
		}
	}
	return faults
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http or https URL", s)
	}
	return nil
}

// Collect probes every target.
func (h *HTTP) Collect(ctx context.Context, req Request) ([]Sample, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(req.Targets) == 0 {
		return nil, nil
	}
	timeout := probeTimeout(req)
	base := h.Client
	if base == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if v := req.Param(PropTLSInsecure); v == "true" || v == "1" {
			tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
		}
		base = &http.Client{Transport: tr}
	}
	client := h.Allow.client(base)
	defer client.CloseIdleConnections()
	type result struct {
		samples []Sample
		reason  string
		panic   error
	}
	results := make([]result, len(req.Targets))
	done := make(chan struct{})
	for i, t := range req.Targets {
		go func() {
			defer func() { done <- struct{}{} }()
			defer Recover(&results[i].panic)
			u := t.Prop(PropProbeURL)
			if u == "" {
				u = req.Param(PropProbeURL)
			}
			if u == "" {
				results[i].reason = "no pmj:probeURL"
				return
			}
			if err := checkURL(u); err != nil {
				results[i].reason = "pmj:probeURL: " + err.Error()
				return
			}
			results[i].samples, results[i].reason = probe(ctx, client, t.IRI, u, timeout, req)
		}()
	}
	for range req.Targets {
		<-done
	}
	for _, r := range results {
		if r.panic != nil {
			return nil, r.panic
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Sample
	var reasons []string
	for i, r := range results {
		out = append(out, r.samples...)
		if r.reason != "" {
			reasons = append(reasons, vocab.Short(req.Targets[i].IRI.String())+": "+r.reason)
		}
	}
	if len(out) == 0 && len(reasons) > 0 {
		return nil, fmt.Errorf("http: %w: %s", ErrNoSamples, strings.Join(reasons, "; "))
	}
	return out, nil
}

// probeTimeout is the job's pmj:probeTimeout, default 10 s, at most half
// the period.
func probeTimeout(req Request) time.Duration {
	d := defaultProbeTimeout
	if v := req.Param(PropProbeTimeout); v != "" {
		if pd, err := vocab.ParseDuration(v); err == nil && pd > 0 {
			d = pd
		}
	}
	if p := req.End.Sub(req.Start); p > 0 {
		d = min(d, p/2)
	}
	return d
}

// probe GETs u, retrying a request that got no response, and returns the
// samples of target res, or why there are none.
func probe(ctx context.Context, client *http.Client, res rdf.IRI, u string, timeout time.Duration, req Request) ([]Sample, string) {
	status := func(s rdf.IRI) Sample {
		return Sample{Resource: res, Metric: vocab.PMAvailabilityStatus, Status: s}
	}
	wait := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		code, elapsed, err := get(ctx, client, u, timeout)
		if err == nil {
			var out []Sample
			if req.Wants(metricResponseTime) {
				out = append(out, Sample{Resource: res, Metric: metricResponseTime, Value: float64(elapsed.Microseconds()) / 1000, Unit: UnitMillisecond})
			}
			if req.Wants(MetricHTTPStatus) {
				out = append(out, Sample{Resource: res, Metric: MetricHTTPStatus, Value: float64(code)})
			}
			if code >= 500 {
				return append(out, status(StatusNotRunning)), ""
			}
			return append(out, status(StatusRunning)), ""
		}
		if errors.Is(err, ErrNotAllowed) {
			// Not a measurement of the target: it was not probed.
			return nil, "pmj:probeURL: " + unwrapNotAllowed(err).Error()
		}
		if ctx.Err() != nil {
			return nil, "" // shutting down or out of time: nothing was measured
		}
		if attempt == probeAttempts {
			return []Sample{status(StatusNotRunning)}, ""
		}
		select {
		case <-ctx.Done():
			return nil, ""
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// unwrapNotAllowed returns the *NotAllowedError in err, or err: the
// layers around it (url.Error, net.OpError) only repeat the URL.
func unwrapNotAllowed(err error) error {
	var na *NotAllowedError
	if errors.As(err, &na) {
		return na
	}
	return err
}

// get makes one request and returns the status and the time until the
// body was read.
func get(ctx context.Context, client *http.Client, u string, timeout time.Duration) (int, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	r.Header.Set("User-Agent", "pmprovider-http-collector")
	start := time.Now()
	resp, err := client.Do(r)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, maxProbeBody)); err != nil && !errors.Is(err, io.EOF) {
		return 0, 0, err
	}
	return resp.StatusCode, time.Since(start), nil
}
