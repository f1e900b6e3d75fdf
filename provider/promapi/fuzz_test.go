package promapi_test

import (
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"
)

var (
	fuzzOnce sync.Once
	fuzzEnv  *env
)

// FuzzQuery sends any query and times: the answer is a success or a 4xx
// (422 for an evaluation error) in Prometheus's format, never a 5xx.
func FuzzQuery(f *testing.F) {
	for _, q := range []string{
		`pm_cpu_used`, `avg by (resource) (avg_over_time(pm_cpu_used{unit!=""}[5m]))`, `max without (job) (pm_cpu_used)`,
		`rate(pm_cpu_used[1m])`, `pm_cpu_used[5m]`, `sum(min_over_time({__name__=~"pm_.+"}[2m]))`, `count(pm_cpu_used) by (resource_class)`,
		`(pm_cpu_used)`, `avg_over_time((pm_cpu_used[5m]))`, `{a="b"}`, `pm_cpu_used @ 100`, `-pm_cpu_used`, `"x"`,
	} {
		f.Add(q, int64(0), int64(600), int64(60))
	}
	f.Fuzz(func(t *testing.T, q string, from, to, step int64) {
		fuzzOnce.Do(func() { fuzzEnv = newEnv(noCleanup{t}, 3, time.Minute, 10*time.Minute) })
		e := fuzzEnv
		base := e.start().Unix()
		for _, path := range []string{"/api/v1/query", "/api/v1/query_range"} {
			v := url.Values{"query": {q}, "time": {itoa(base + to)}, "start": {itoa(base + from)}, "end": {itoa(base + to)}, "step": {itoa(step)}}
			resp, err := http.Get(e.URL + path + "?" + v.Encode())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Fatalf("%s %q: status %d", path, q, resp.StatusCode)
			}
		}
	})
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
