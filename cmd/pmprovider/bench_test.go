package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/fixture"
)

// TestBench runs the bench on a small data set and checks it reports;
// latencies are not checked.
func TestBench(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	args := []string{"bench", "--records", "2000", "--resources", "20", "--queries", "3", "--warmup", "1", "--data", data}
	out, stderr, err := run1(t, args...)
	require.NoError(t, err, stderr)
	t.Log("\n" + out)
	for _, want := range []string{"load: 2000 records (+20 monitored resources)", "records/s", "triples/s", "peak RSS", "bytes/triple", "p50 target: < 10 ms"} {
		assert.Contains(t, out, want)
	}
	for _, q := range benchQueries(testConfig(t)) {
		assert.Contains(t, out, q.name)
	}
	assert.Contains(t, out, "first page, no query")
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "first page, no query") {
			assert.Contains(t, line, " 200 ", "the plain page answers 200")
			assert.Contains(t, line, " 100 ", "with 100 members")
		}
	}

	// The data set is reused; another one is refused.
	out, stderr, err = run1(t, args...)
	require.NoError(t, err, stderr)
	assert.Contains(t, out, "load: reusing the 20")
	assert.Contains(t, out, "bytes/triple")
	_, _, err = run1(t, "bench", "--records", "2001", "--resources", "20", "--data", data)
	assert.ErrorContains(t, err, "use an empty --data directory")
}

func testConfig(t *testing.T) fixture.Config {
	t.Helper()
	ff := fixtureFlags{records: 2000, resources: 20, seed: 1, step: 5 * time.Minute, start: "2026-11-01T00:00:00Z"}
	cfg, err := ff.config("http://127.0.0.1:8080")
	require.NoError(t, err)
	return cfg
}

func TestPercentile(t *testing.T) {
	ds := make([]time.Duration, 200)
	for i := range ds {
		ds[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		p    int
		want time.Duration
	}{
		{50, 100 * time.Millisecond},
		{99, 198 * time.Millisecond},
		{100, 200 * time.Millisecond},
		{0, time.Millisecond},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, percentile(ds, tt.p), "p%d", tt.p)
	}
	assert.Equal(t, time.Duration(0), percentile(nil, 50))
	assert.Equal(t, 7*time.Millisecond, percentile([]time.Duration{7 * time.Millisecond}, 99))
}

// TestFifths: bench-jobs' trend line is the percentile of each fifth of
// the lags in commit order, not of the lags sorted.
func TestFifths(t *testing.T) {
	ds := []time.Duration{5, 1, 9, 2, 8, 3, 7, 4, 6, 10}
	for i := range ds {
		ds[i] *= time.Second
	}
	assert.Equal(t, "5s  9s  8s  7s  10s", fifths(ds, 100))
	assert.Equal(t, "1s  2s  3s  4s  6s", fifths(ds, 0))
	assert.Equal(t, "", fifths(ds[:4], 99))
	assert.Equal(t, 5*time.Second, ds[0], "fifths leaves the lags in their order")
}
