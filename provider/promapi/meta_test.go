package promapi_test

import (
	"testing"
	"time"

	promclient "github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMetadataAPIs reads the metadata endpoints and the limit parameter
// with Prometheus's own Go client (client_golang api/prometheus/v1),
// which decodes Prometheus's documented JSON; promtool has no command
// for them.
func TestMetadataAPIs(t *testing.T) {
	e := newEnv(t, 4, time.Minute, 10*time.Minute)
	c, err := promclient.NewClient(promclient.Config{Address: e.URL})
	require.NoError(t, err)
	api := promv1.NewAPI(c)
	ctx := t.Context()

	t.Run("buildinfo", func(t *testing.T) {
		bi, err := api.Buildinfo(ctx)
		require.NoError(t, err)
		assert.NotEmpty(t, bi.GoVersion)
		assert.NotEmpty(t, bi.Version)
	})

	t.Run("metadata", func(t *testing.T) {
		md, err := api.Metadata(ctx, "", "")
		require.NoError(t, err)
		require.Contains(t, md, "pm_cpu_used")
		assert.Equal(t, []promv1.Metadata{{Type: "gauge", Help: "CPU used.", Unit: e.units["pm_cpu_used"]}}, md["pm_cpu_used"])
		assert.Equal(t, promv1.MetricType("gauge"), md["pmj_http_status_code"][0].Type)
		assert.NotEmpty(t, md["pmj_http_status_code"][0].Help)
		assert.Empty(t, md["pmj_http_status_code"][0].Unit, "a count has no unit")

		one, err := api.Metadata(ctx, "pm_real_memory_used", "")
		require.NoError(t, err)
		assert.Len(t, one, 1)
		assert.Equal(t, e.units["pm_real_memory_used"], one["pm_real_memory_used"][0].Unit)

		two, err := api.Metadata(ctx, "", "2")
		require.NoError(t, err)
		assert.Len(t, two, 2)

		status, r := e.get(t, "/api/v1/metadata", false, "limit", "x")
		assert.Equal(t, 400, status)
		assert.Equal(t, "bad_data", r.ErrorType)
	})

	t.Run("exemplars", func(t *testing.T) {
		ex, err := api.QueryExemplars(ctx, "pm_cpu_used", e.start(), e.start().Add(time.Hour))
		require.NoError(t, err)
		assert.Empty(t, ex)
		status, r := e.get(t, "/api/v1/query_exemplars", false, "query", "pm_cpu_used{", "start", unix(e.start()))
		assert.Equal(t, 400, status)
		assert.Equal(t, "bad_data", r.ErrorType)
	})

	t.Run("limit", func(t *testing.T) {
		all, w, _, err := api.LabelNames(ctx, nil, time.Time{}, time.Time{})
		require.NoError(t, err)
		assert.Empty(t, w)
		require.Greater(t, len(all), 2)
		names, w, _, err := api.LabelNames(ctx, nil, time.Time{}, time.Time{}, promv1.WithLimit(2))
		require.NoError(t, err)
		assert.Equal(t, all[:2], names)
		assert.Equal(t, promv1.Warnings{"results truncated due to limit"}, w)

		vals, w, _, err := api.LabelValues(ctx, "resource", nil, time.Time{}, time.Time{}, promv1.WithLimit(3))
		require.NoError(t, err)
		assert.Len(t, vals, 3)
		assert.Equal(t, promv1.Warnings{"results truncated due to limit"}, w)

		series, w, _, err := api.Series(ctx, []string{"pm_cpu_used"}, time.Time{}, time.Time{}, promv1.WithLimit(1))
		require.NoError(t, err)
		assert.Len(t, series, 1)
		assert.Equal(t, promv1.Warnings{"results truncated due to limit"}, w)

		n := len(e.data["pm_cpu_used"])
		series, w, _, err = api.Series(ctx, []string{"pm_cpu_used"}, time.Time{}, time.Time{}, promv1.WithLimit(uint64(n)))
		require.NoError(t, err)
		assert.Len(t, series, n, "a limit the answer fits in")
		assert.Empty(t, w)

		for _, bad := range []string{"-1", "x"} {
			status, r := e.get(t, "/api/v1/labels", false, "limit", bad)
			assert.Equal(t, 400, status, bad)
			assert.Equal(t, "bad_data", r.ErrorType, bad)
		}
	})
}
