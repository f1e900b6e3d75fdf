package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/knakk/rdf"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/oslc-pm/pmprovider/vocab"
)

// Properties of the prometheus collector.
var (
	// PropScrapeURL (pmj:scrapeURL) is the exposition endpoint the
	// prometheus collector scrapes: on the monitored resource, or on the
	// job for every target without one.
	PropScrapeURL = vocab.PMJ + "scrapeURL"
	// PropMetricMapping (pmj:metricMapping, strings on the job) holds
	// mapping rules (ParseRule) that replace the built-in rule of the
	// same metric, or add metrics.
	PropMetricMapping = vocab.PMJ + "metricMapping"
)

// maxScrape bounds what a scrape reads.
const maxScrape = 32 << 20

// Prometheus is the "prometheus" collector: at the end of each period it
// scrapes each target's pmj:scrapeURL (text or protobuf exposition
// format, decoded by the Prometheus project's expfmt) and maps the series
// to pm metrics by rules (DefaultRules for node-exporter names, as
// replaced or extended by the job's pmj:metricMapping).
//
// Counters become rates over the period: increase and rate compare the
// scrape with the one taken for the same job and target at the previous
// collection, if that was at most one period before the period started;
// without one such rules give nothing this time. A target that cannot be
// scraped gives no samples; Collect fails (and the engine retries it)
// when every target failed. A target the allow-list refuses, directly,
// once resolved or by a redirect, is not scraped. Collect is safe for
// concurrent use.
type Prometheus struct {
	// Client, when set, makes the scrapes; nil means a client with the
	// job's probe timeout.
	Client *http.Client
	// Allow says where scrapes may go; nil means DefaultAllowList. Set it
	// before the first Collect.
	Allow *AllowList

	mu   sync.Mutex
	prev map[hostKey]promReading

	trOnce sync.Once
	tr     *http.Transport // for scrapes without Client, shared by all
}

type promReading struct {
	at time.Time
	s  *scrape
}

var _ Collector = (*Prometheus)(nil)
var _ ParamChecker = (*Prometheus)(nil)
var _ TargetChecker = (*Prometheus)(nil)

var defaultRules = func() []Rule {
	rs, err := ParseRules(DefaultRules)
	if err != nil {
		panic(err)
	}
	return rs
}()

// NewPrometheus returns the prometheus collector.
func NewPrometheus() *Prometheus { return &Prometheus{prev: make(map[hostKey]promReading)} }

// Name returns "prometheus".
func (*Prometheus) Name() string { return "prometheus" }

// Metrics returns the metrics of the built-in rules.
func (*Prometheus) Metrics() []Metric {
	var ms []Metric
	for _, r := range defaultRules {
		ms = append(ms, Metric{r.Metric, r.Unit})
	}
	return ms
}

// MetricsFor returns the metrics a job with params gets: the built-in
// rules' and those of its own mapping.
func (p *Prometheus) MetricsFor(params map[string][]string) []Metric {
	var ms []Metric
	for _, r := range rulesFor(params) {
		ms = append(ms, Metric{r.Metric, r.Unit})
	}
	return ms
}

// Classes returns crtv:ComputerSystem and crtv:SoftwareServer.
func (*Prometheus) Classes() []rdf.IRI { return []rdf.IRI{classComputerSystem, classSoftwareServer} }

// CheckParams checks the job's scrape URL, which the allow-list must
// allow, and mapping rules.
func (p *Prometheus) CheckParams(params map[string][]string) []string {
	var faults []string
	for _, u := range params[PropScrapeURL] {
		if err := checkURL(u); err != nil {
			faults = append(faults, "pmj:scrapeURL: "+err.Error())
		} else if err := p.Allow.Check(context.Background(), u); err != nil {
			faults = append(faults, fmt.Sprintf("pmj:scrapeURL: %s: %v", u, err))
		}
	}
	for _, m := range params[PropMetricMapping] {
		if _, err := ParseRules(m); err != nil {
			faults = append(faults, "pmj:metricMapping: "+err.Error())
		}
	}
	for _, v := range params[PropProbeTimeout] {
		if d, err := vocab.ParseDuration(v); err != nil || d <= 0 {
			faults = append(faults, fmt.Sprintf("pmj:probeTimeout: %q is not a positive xsd:duration such as PT5S", v))
		}
	}
	return faults
}

// CheckTargets checks the scrape URLs of the job's monitored resources
// against the allow-list.
func (p *Prometheus) CheckTargets(ctx context.Context, targets []Target, _ map[string][]string) []string {
	return checkTargets(ctx, p.Allow, PropScrapeURL, "pmj:scrapeURL", targets)
}

// client returns the client of one Collect and what to do when it is done.
func (p *Prometheus) client(req Request) (*http.Client, func()) {
	if p.Client != nil {
		c := p.Allow.client(p.Client)
		return c, c.CloseIdleConnections
	}
	a := p.Allow.orDefault()
	p.trOnce.Do(func() { p.tr = a.transport(nil) })
	return &http.Client{Transport: p.tr, Timeout: probeTimeout(req), CheckRedirect: a.checkRedirect}, func() {}
}

// rulesFor returns the built-in rules with the job's mapping applied.
func rulesFor(params map[string][]string) []Rule {
	rules := slices.Clone(defaultRules)
	for _, m := range params[PropMetricMapping] {
		own, err := ParseRules(m)
		if err != nil {
			continue // refused when the job was created
		}
		for _, r := range own {
			i := slices.IndexFunc(rules, func(x Rule) bool { return x.Metric == r.Metric })
			if i >= 0 {
				rules[i] = r
			} else {
				rules = append(rules, r)
			}
		}
	}
	return rules
}

// Forget drops the scrapes kept for job.
func (p *Prometheus) Forget(job rdf.IRI) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k := range p.prev {
		if k.job == job {
			delete(p.prev, k)
		}
	}
}

// Collect scrapes every target and applies the rules.
func (p *Prometheus) Collect(ctx context.Context, req Request) ([]Sample, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(req.Targets) == 0 {
		return nil, nil
	}
	rules := rulesFor(req.Params)
	client, done := p.client(req)
	defer done()
	type result struct {
		s     *scrape
		at    time.Time
		err   error
		panic error
	}
	results := make([]result, len(req.Targets))
	var wg sync.WaitGroup
	for i, t := range req.Targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer Recover(&results[i].panic)
			u := t.Prop(PropScrapeURL)
			if u == "" {
				u = req.Param(PropScrapeURL)
			}
			if u == "" {
				results[i].err = errors.New("no pmj:scrapeURL")
				return
			}
			results[i].s, results[i].err = scrapeURL(ctx, client, u)
			results[i].at = time.Now()
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, r := range results {
		if r.panic != nil {
			return nil, r.panic
		}
	}

	period := req.End.Sub(req.Start)
	var out []Sample
	var reasons []string
	scraped := 0
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.prev == nil {
		p.prev = make(map[hostKey]promReading)
	}
	keep := make(map[rdf.IRI]bool)
	for i, t := range req.Targets {
		r := results[i]
		if r.err != nil {
			reasons = append(reasons, vocab.Short(t.IRI.String())+": "+r.err.Error())
			continue
		}
		scraped++
		key := hostKey{req.Job, t.IRI}
		env := &evalEnv{cur: r.s, path: t.Prop(propInstancePath)}
		if env.path == "" {
			env.path = "/"
		}
		if prev, ok := p.prev[key]; ok && r.at.After(prev.at) && (period <= 0 || !prev.at.Before(req.Start.Add(-period))) {
			env.prev, env.secs = prev.s, r.at.Sub(prev.at).Seconds()
		}
		p.prev[key] = promReading{at: r.at, s: r.s}
		keep[t.IRI] = true
		for _, rule := range rules {
			if !req.Wants(rule.Metric) {
				continue
			}
			if v, ok := rule.Expr.eval(env); ok {
				out = append(out, Sample{Resource: t.IRI, Metric: rule.Metric, Value: v, Unit: rule.Unit})
			}
		}
	}
	for k := range p.prev {
		if k.job == req.Job && !keep[k.target] {
			delete(p.prev, k)
		}
	}
	if scraped == 0 {
		msg := strings.Join(reasons[:min(3, len(reasons))], "; ")
		if len(reasons) > 3 {
			msg += fmt.Sprintf("; and %d more", len(reasons)-3)
		}
		return nil, fmt.Errorf("prometheus: %w: %s", ErrNoSamples, msg)
	}
	return out, nil
}

// scrapeURL reads an exposition endpoint.
func scrapeURL(ctx context.Context, client *http.Client, u string) (*scrape, error) {
	if err := checkURL(u); err != nil {
		return nil, fmt.Errorf("pmj:scrapeURL: %w", err)
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	r.Header.Set("Accept", `application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3`)
	r.Header.Set("User-Agent", "pmprovider-prometheus-collector")
	resp, err := client.Do(r)
	if err != nil {
		return nil, unwrapNotAllowed(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape %s: %s", u, resp.Status)
	}
	format := expfmt.ResponseFormat(resp.Header)
	if format.FormatType() == expfmt.TypeUnknown {
		format = expfmt.NewFormat(expfmt.TypeTextPlain)
	}
	dec := &expfmt.SampleDecoder{
		Dec:  expfmt.NewDecoder(io.LimitReader(resp.Body, maxScrape), format),
		Opts: &expfmt.DecodeOptions{Timestamp: model.Now()},
	}
	s := &scrape{byName: make(map[string][]series), values: make(map[string]float64)}
	for {
		var v model.Vector
		if err := dec.Decode(&v); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("scrape %s: %w", u, err)
		}
		for _, smp := range v {
			name := string(smp.Metric[model.MetricNameLabel])
			labels := make(map[string]string, len(smp.Metric))
			for k, lv := range smp.Metric {
				if k != model.MetricNameLabel {
					labels[string(k)] = string(lv)
				}
			}
			s.byName[name] = append(s.byName[name], series{labels: labels, value: float64(smp.Value)})
			s.values[seriesKey(name, labels)] = float64(smp.Value)
		}
	}
	return s, nil
}

// seriesKey identifies a series by name and labels.
func seriesKey(name string, labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(name)
	for _, k := range keys {
		b.WriteString("\xff" + k + "=" + labels[k])
	}
	return b.String()
}
