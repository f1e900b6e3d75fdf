package promapi_test

import (
	"fmt"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPromtool queries the API with Prometheus's own client, promtool
// (Debian package prometheus), and checks what it prints against the
// stored records.
func TestPromtool(t *testing.T) {
	promtool := tool(t, "promtool")
	e := newEnv(t, 4, time.Minute, 10*time.Minute)
	cpu := e.data["pm_cpu_used"]
	r0 := e.resource[0]
	require.NotEmpty(t, cpu[r0])
	run := func(t *testing.T, args ...string) []string {
		t.Helper()
		out, err := exec.Command(promtool, append([]string{"query"}, args...)...).CombinedOutput()
		require.NoError(t, err, "promtool query %s:\n%s", strings.Join(args, " "), out)
		return strings.Split(strings.TrimSpace(string(out)), "\n")
	}
	sampleLine := regexp.MustCompile(`^(\{.*\} => )?(\S+) @\[(\d+(?:\.\d+)?)\]$`)
	parse := func(t *testing.T, line string) (float64, time.Time) {
		t.Helper()
		m := sampleLine.FindStringSubmatch(line)
		require.NotNil(t, m, "line %q", line)
		v, err := strconv.ParseFloat(m[2], 64)
		require.NoError(t, err)
		s, err := strconv.ParseFloat(m[3], 64)
		require.NoError(t, err)
		return v, time.UnixMilli(int64(s * 1000)).UTC()
	}

	t.Run("instant", func(t *testing.T) {
		for _, p := range cpu[r0][2:5] {
			lines := run(t, "instant", "--time="+p.t.Format(time.RFC3339), e.URL, fmt.Sprintf(`pm_cpu_used{resource=%q}`, r0))
			require.Len(t, lines, 1)
			require.True(t, strings.HasPrefix(lines[0], "pm_cpu_used{"), lines[0])
			v, at := parse(t, strings.TrimPrefix(lines[0], "pm_cpu_used"))
			assert.Equal(t, p.v, v)
			assert.True(t, p.t.Equal(at), "at %s; want %s", at, p.t)
		}
	})

	t.Run("range", func(t *testing.T) {
		start := cpu[r0][3].t
		lines := run(t, "range", "--start="+start.Format(time.RFC3339), "--end="+start.Add(4*time.Minute).Format(time.RFC3339), "--step=1m",
			e.URL, fmt.Sprintf(`max_over_time(pm_cpu_used{resource=%q}[2m])`, r0))
		require.Len(t, lines, 6, "a header and five steps")
		assert.Contains(t, lines[0], fmt.Sprintf(`resource=%q`, r0))
		for i, line := range lines[1:] {
			v, at := parse(t, line)
			want := start.Add(time.Duration(i) * time.Minute)
			assert.True(t, want.Equal(at), "step %d at %s; want %s", i, at, want)
			var w []float64
			for _, p := range cpu[r0] {
				if p.t.After(want.Add(-2*time.Minute)) && !p.t.After(want) {
					w = append(w, p.v)
				}
			}
			assert.Equal(t, maxOf(w), v, "step %d", i)
		}
	})

	t.Run("series", func(t *testing.T) {
		lines := run(t, "series", "--match=pm_cpu_used", e.URL)
		var got, want []string
		for _, l := range lines {
			m := regexp.MustCompile(`resource="([^"]+)"`).FindStringSubmatch(l)
			require.NotNil(t, m, l)
			got = append(got, m[1])
		}
		for res := range cpu {
			want = append(want, res)
		}
		sort.Strings(want)
		assert.Equal(t, want, got)
	})

	t.Run("labels", func(t *testing.T) {
		lines := run(t, "labels", e.URL, "resource")
		var want []string
		for res := range e.class {
			want = append(want, res)
		}
		sort.Strings(want)
		assert.Equal(t, want, lines, "every resource has records")
	})

	t.Run("unsupported", func(t *testing.T) {
		out, err := exec.Command(promtool, "query", "instant", e.URL, "rate(pm_cpu_used[5m])").CombinedOutput()
		require.Error(t, err)
		assert.Contains(t, string(out), "bad_data")
		assert.Contains(t, string(out), "function rate")
	})
}
