package promapi_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The benchmark's data: a day of one-minute records of 100 resources
// (144,000 records), loaded once and kept (see newEnvIn).
var (
	dayOnce sync.Once
	dayEnv  *env
)

func day(b *testing.B) *env {
	dayOnce.Do(func() {
		start := time.Now()
		dayEnv = newEnvIn(b, "day", 100, time.Minute, 24*time.Hour)
		b.Logf("144,000 records ready in %s", time.Since(start).Round(time.Millisecond))
	})
	return dayEnv
}

// BenchmarkDay asks the same questions of a day of one-minute data of
// 100 resources through /api/v1/query_range and as an OSLC query (every
// page of it, in N-Triples), and reports the latencies' p50 and p99.
func BenchmarkDay(b *testing.B) {
	e := day(b)
	from, to := e.start(), e.start().Add(24*time.Hour-time.Minute)
	var r0 string
	for res := range e.data["pm_cpu_used"] {
		r0 = res
		break
	}
	where := func(extra string) string {
		return fmt.Sprintf(`dcterms:date>="%s"^^xsd:dateTime and dcterms:date<="%s"^^xsd:dateTime and %sems:observes{ems:metric=pm:CpuUsed}`,
			from.Format(time.RFC3339), to.Format(time.RFC3339), extra)
	}
	promql := func(sel string) func(b *testing.B) {
		return func(b *testing.B) {
			q := url.Values{"query": {sel}, "start": {unix(from)}, "end": {unix(to)}, "step": {"60"}}
			latencies(b, func() { fetch(b, e.URL+"/api/v1/query_range?"+q.Encode(), "") })
		}
	}
	oslc := func(w string) func(b *testing.B) {
		return func(b *testing.B) {
			q := url.Values{"oslc.where": {w}, "oslc.select": {"dcterms:date,dcterms:isPartOf,ems:observes{ems:metric,ems:numericValue}"},
				"oslc.pageSize": {"10000"}, "oslc.paging": {"true"}}
			latencies(b, func() {
				for next := e.URL + "/oslc/records?" + q.Encode(); next != ""; {
					next = fetch(b, next, "application/n-triples")
				}
			})
		}
	}
	b.Run("all/promql", promql(`pm_cpu_used`))
	b.Run("all/oslc", oslc(where("")))
	b.Run("one/promql", promql(fmt.Sprintf(`pm_cpu_used{resource=%q}`, r0)))
	b.Run("one/oslc", oslc(where(fmt.Sprintf("dcterms:isPartOf=<%s> and ", r0))))
	b.Run("avg5m-by-class/promql", promql(`avg by (resource_class) (avg_over_time(pm_cpu_used[5m]))`))
}

var nextPage = regexp.MustCompile(`<http://open-services.net/ns/core#nextPage> <([^>]+)>`)

// fetch reads url whole and returns its oslc:nextPage, if any.
func fetch(b *testing.B, u, accept string) string {
	req, err := http.NewRequest("GET", u, nil)
	require.NoError(b, err)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(b, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b, err)
	require.Equal(b, 200, resp.StatusCode, "%s", body[:min(len(body), 500)])
	if m := nextPage.FindSubmatch(body); m != nil {
		// The IRIs name the provider's base, not the test server.
		return strings.Replace(string(m[1]), base, "http://"+req.URL.Host, 1)
	}
	return ""
}

// latencies runs f b.N times and reports the p50 and p99 of its time.
func latencies(b *testing.B, f func()) {
	var ds []time.Duration
	for b.Loop() {
		start := time.Now()
		f()
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	pct := func(p float64) float64 { return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkLabels asks what Grafana's query editor asks of the same day
// of data, without a time range: the label names, the metric names and
// the resources.
func BenchmarkLabels(b *testing.B) {
	e := day(b)
	for _, c := range []struct{ name, path string }{
		{"labels", "/api/v1/labels"},
		{"names", "/api/v1/label/__name__/values"},
		{"resources", "/api/v1/label/resource/values"},
		{"classes", "/api/v1/label/resource_class/values"},
		{"names-of-class", "/api/v1/label/__name__/values?" + url.Values{"match[]": {`{resource_class=~".*Database"}`}}.Encode()},
	} {
		b.Run(c.name, func(b *testing.B) {
			latencies(b, func() { fetch(b, e.URL+c.path, "") })
		})
	}
}
