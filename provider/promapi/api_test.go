package promapi_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMetricName(t *testing.T) {
	for _, c := range []struct{ local, want string }{
		{"CpuUsed", "pm_cpu_used"},
		{"NetworkIOErrors", "pm_network_io_errors"},
		{"TimeJCAThreadPoolExhausted", "pm_time_jca_thread_pool_exhausted"},
		{"VmCpuReady", "pm_vm_cpu_ready"},
	} {
		t.Run(c.local, func(t *testing.T) {
			got, ok := promapiMetricName("http://open-services.net/ns/perfmon#" + c.local)
			assert.True(t, ok)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestQuery(t *testing.T) {
	e := newEnv(t, 8, time.Minute, 40*time.Minute)
	cpu := e.data["pm_cpu_used"]
	require.NotEmpty(t, cpu)
	r0 := e.resource[0]
	t0 := e.start().Add(20 * time.Minute)

	// latest returns the newest point of ps in (at-d, at].
	latest := func(ps []point, at time.Time, d time.Duration) (float64, bool) {
		v, ok := 0.0, false
		for _, p := range ps {
			if p.t.After(at.Add(-d)) && !p.t.After(at) {
				v, ok = p.v, true
			}
		}
		return v, ok
	}
	window := func(ps []point, at time.Time, d time.Duration) []float64 {
		var out []float64
		for _, p := range ps {
			if p.t.After(at.Add(-d)) && !p.t.After(at) {
				out = append(out, p.v)
			}
		}
		return out
	}

	t.Run("instant selector", func(t *testing.T) {
		for _, post := range []bool{false, true} {
			status, r := e.get(t, "/api/v1/query", post, "query", fmt.Sprintf(`pm_cpu_used{resource=%q}`, r0), "time", unix(t0))
			require.Equal(t, 200, status, r.Error)
			d := decode(t, r)
			require.Equal(t, "vector", d.ResultType)
			require.Len(t, d.Result, 1)
			want, ok := latest(cpu[r0], t0, 5*time.Minute)
			require.True(t, ok)
			assert.Equal(t, want, value(t, d.Result[0].Value))
			assert.Equal(t, map[string]string{"__name__": "pm_cpu_used", "resource": r0, "resource_class": e.class[r0], "unit": e.units["pm_cpu_used"]}, d.Result[0].Metric)
		}
	})

	t.Run("range over time", func(t *testing.T) {
		for fn, agg := range map[string]func([]float64) float64{"max_over_time": maxOf, "min_over_time": minOf, "avg_over_time": avgOf} {
			status, r := e.get(t, "/api/v1/query_range", false, "query", fmt.Sprintf(`%s(pm_cpu_used{resource=%q}[10m])`, fn, r0),
				"start", unix(t0), "end", unix(t0.Add(10*time.Minute)), "step", "60")
			require.Equal(t, 200, status, r.Error)
			d := decode(t, r)
			require.Equal(t, "matrix", d.ResultType)
			require.Len(t, d.Result, 1)
			assert.NotContains(t, d.Result[0].Metric, "__name__")
			require.Len(t, d.Result[0].Values, 11)
			for i, p := range d.Result[0].Values {
				at := t0.Add(time.Duration(i) * time.Minute)
				assert.Equal(t, float64(at.Unix()), p[0], "%s step %d", fn, i)
				assert.InDelta(t, agg(window(cpu[r0], at, 10*time.Minute)), value(t, p), 1e-9, "%s at %s", fn, at)
			}
		}
	})

	t.Run("aggregation by label", func(t *testing.T) {
		status, r := e.get(t, "/api/v1/query", false, "query", `avg by (resource_class) (pm_cpu_used)`, "time", unix(t0))
		require.Equal(t, 200, status, r.Error)
		d := decode(t, r)
		want := map[string][]float64{}
		for res, ps := range cpu {
			if v, ok := latest(ps, t0, 5*time.Minute); ok {
				want[e.class[res]] = append(want[e.class[res]], v)
			}
		}
		require.Len(t, d.Result, len(want))
		for _, s := range d.Result {
			require.Len(t, s.Metric, 1)
			assert.InDelta(t, avgOf(want[s.Metric["resource_class"]]), value(t, s.Value), 1e-9)
		}
	})

	t.Run("sum of two, by regex", func(t *testing.T) {
		r1 := e.resource[1]
		for res := range cpu {
			if res != r0 {
				r1 = res
				break
			}
		}
		status, r := e.get(t, "/api/v1/query", false, "query", fmt.Sprintf(`sum(max_over_time(pm_cpu_used{resource=~%q}[3m]))`, r0+"|"+r1), "time", unix(t0))
		require.Equal(t, 200, status, r.Error)
		d := decode(t, r)
		require.Len(t, d.Result, 1)
		assert.Empty(t, d.Result[0].Metric)
		want := maxOf(window(cpu[r0], t0, 3*time.Minute)) + maxOf(window(cpu[r1], t0, 3*time.Minute))
		assert.InDelta(t, want, value(t, d.Result[0].Value), 1e-9)
	})

	t.Run("negative matchers", func(t *testing.T) {
		status, r := e.get(t, "/api/v1/query", false, "query", fmt.Sprintf(`count(pm_cpu_used{resource!=%q, resource_class!~"nothing.*"})`, r0), "time", unix(t0))
		require.Equal(t, 200, status, r.Error)
		d := decode(t, r)
		n := 0
		for res, ps := range cpu {
			if _, ok := latest(ps, t0, 5*time.Minute); ok && res != r0 {
				n++
			}
		}
		require.Len(t, d.Result, 1)
		assert.Equal(t, float64(n), value(t, d.Result[0].Value))
	})

	t.Run("raw range at an instant", func(t *testing.T) {
		status, r := e.get(t, "/api/v1/query", false, "query", fmt.Sprintf(`pm_cpu_used{resource=%q}[5m]`, r0), "time", unix(t0))
		require.Equal(t, 200, status, r.Error)
		d := decode(t, r)
		require.Equal(t, "matrix", d.ResultType)
		require.Len(t, d.Result, 1)
		want := window(cpu[r0], t0, 5*time.Minute)
		require.Len(t, d.Result[0].Values, len(want))
		for i, p := range d.Result[0].Values {
			assert.Equal(t, want[i], value(t, p))
		}
	})

	t.Run("unknown metric", func(t *testing.T) {
		status, r := e.get(t, "/api/v1/query", false, "query", `pm_no_such_metric`, "time", unix(t0))
		require.Equal(t, 200, status, r.Error)
		assert.Empty(t, decode(t, r).Result)
	})
}

func TestErrors(t *testing.T) {
	e := newEnv(t, 2, time.Minute, 5*time.Minute)
	now := unix(e.start())
	for _, c := range []struct {
		name, path string
		kv         []string
		status     int
		typ, msg   string
	}{
		{"rate", "/api/v1/query", []string{"query", "rate(pm_cpu_used[5m])"}, 400, "bad_data", "function rate"},
		{"binary operator", "/api/v1/query", []string{"query", "pm_cpu_used * 2"}, 400, "bad_data", "binary operator"},
		{"comparison", "/api/v1/query", []string{"query", "1 > bool 2"}, 400, "bad_data", "binary operator"},
		{"unary of a vector", "/api/v1/query", []string{"query", "-pm_cpu_used"}, 400, "bad_data", "unary"},
		{"offset", "/api/v1/query", []string{"query", "pm_cpu_used offset 5m"}, 400, "bad_data", "offset"},
		{"topk", "/api/v1/query", []string{"query", "topk(3, pm_cpu_used)"}, 400, "bad_data", "topk"},
		{"subquery", "/api/v1/query", []string{"query", "max_over_time(pm_cpu_used[5m:1m])"}, 400, "bad_data", "range selector"},
		{"string", "/api/v1/query", []string{"query", `"x"`}, 400, "bad_data", "string literals"},
		{"syntax", "/api/v1/query", []string{"query", "pm_cpu_used{"}, 400, "bad_data", "parse error"},
		{"no query", "/api/v1/query", nil, 400, "bad_data", "no query"},
		{"bad time", "/api/v1/query", []string{"query", "pm_cpu_used", "time", "yesterday"}, 400, "bad_data", "time"},
		{"range of a range", "/api/v1/query_range", []string{"query", "pm_cpu_used[5m]", "start", now, "end", now, "step", "60"}, 400, "bad_data", "range vector"},
		{"no step", "/api/v1/query_range", []string{"query", "pm_cpu_used", "start", now, "end", now}, 400, "bad_data", "step"},
		{"too many points", "/api/v1/query_range", []string{"query", "pm_cpu_used", "start", "0", "end", now, "step", "1"}, 400, "bad_data", "maximum resolution"},
		{"end before start", "/api/v1/query_range", []string{"query", "pm_cpu_used", "start", now, "end", "0", "step", "60"}, 400, "bad_data", "before start"},
		{"series without match", "/api/v1/series", nil, 400, "bad_data", "match[]"},
		{"bad selector", "/api/v1/series", []string{"match[]", "pm_cpu_used{"}, 400, "bad_data", "match[]"},
		{"bad label name", "/api/v1/label/a-b/values", nil, 400, "bad_data", "label name"},
		{"same labelset", "/api/v1/query", []string{"query", `max_over_time({__name__=~"pm_cpu_used|pm_response_time"}[5m])`, "time", now}, 0, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, r := e.get(t, c.path, false, c.kv...)
			if c.status == 0 {
				// Either fine or the execution error: never a merged series.
				if status != 200 {
					assert.Equal(t, 422, status)
					assert.Equal(t, "execution", r.ErrorType)
				}
				return
			}
			assert.Equal(t, c.status, status)
			assert.Equal(t, "error", r.Status)
			assert.Equal(t, c.typ, r.ErrorType)
			assert.Contains(t, r.Error, c.msg)
		})
	}
}

// TestNumbers: Grafana tests a Prometheus data source with 1+1.
func TestNumbers(t *testing.T) {
	e := newEnv(t, 1, time.Minute, 2*time.Minute)
	status, r := e.get(t, "/api/v1/query", false, "query", "1+1", "time", "100")
	require.Equal(t, 200, status, r.Error)
	assert.JSONEq(t, `{"resultType":"scalar","result":[100,"2"]}`, string(r.Data))
	status, r = e.get(t, "/api/v1/query_range", false, "query", "-(2^3 % 5)", "start", "100", "end", "160", "step", "30")
	require.Equal(t, 200, status, r.Error)
	assert.JSONEq(t, `{"resultType":"matrix","result":[{"metric":{},"values":[[100,"-3"],[130,"-3"],[160,"-3"]]}]}`, string(r.Data))
}

func TestSeriesAndLabels(t *testing.T) {
	e := newEnv(t, 4, time.Minute, 10*time.Minute)
	from, to := unix(e.start()), unix(e.start().Add(10*time.Minute))
	status, r := e.get(t, "/api/v1/series", true, "match[]", "pm_cpu_used", "start", from, "end", to)
	require.Equal(t, 200, status, r.Error)
	var series []map[string]string
	require.NoError(t, json.Unmarshal(r.Data, &series))
	assert.Len(t, series, len(e.data["pm_cpu_used"]))
	for _, s := range series {
		assert.Equal(t, "pm_cpu_used", s["__name__"])
		assert.Contains(t, e.data["pm_cpu_used"], s["resource"])
	}

	status, r = e.get(t, "/api/v1/label/__name__/values", false)
	require.Equal(t, 200, status, r.Error)
	var names []string
	require.NoError(t, json.Unmarshal(r.Data, &names))
	var want []string
	for n := range e.data {
		want = append(want, n)
	}
	assert.ElementsMatch(t, want, names)

	status, r = e.get(t, "/api/v1/labels", false, "match[]", "pm_cpu_used")
	require.Equal(t, 200, status, r.Error)
	var labels []string
	require.NoError(t, json.Unmarshal(r.Data, &labels))
	assert.Equal(t, []string{"__name__", "resource", "resource_class", "unit"}, labels)
}

func decode(t testing.TB, r apiResult) queryData {
	t.Helper()
	require.Equal(t, "success", r.Status, r.Error)
	var d queryData
	require.NoError(t, json.Unmarshal(r.Data, &d))
	return d
}

func value(t testing.TB, p []any) float64 {
	t.Helper()
	require.Len(t, p, 2)
	s, ok := p[1].(string)
	require.True(t, ok)
	v, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err)
	return v
}

func maxOf(vs []float64) float64 {
	m := math.Inf(-1)
	for _, v := range vs {
		m = math.Max(m, v)
	}
	return m
}

func minOf(vs []float64) float64 {
	m := math.Inf(1)
	for _, v := range vs {
		m = math.Min(m, v)
	}
	return m
}

func avgOf(vs []float64) float64 {
	s := 0.0
	for _, v := range vs {
		s += v
	}
	return s / float64(len(vs))
}
