package collect

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/vocab"
)

func syntheticRequest(n int) Request {
	ts := make([]Target, n)
	for i := range ts {
		// Targets of any class, or none, are measured.
		ts[i] = Target{IRI: iri(fmt.Sprintf("http://example.org/r/%d", i))}
		if i%2 == 0 {
			ts[i].Types = []rdf.IRI{classSoftwareServer}
		}
	}
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	return Request{Job: iri("http://example.org/job/s"), Start: start, End: start.Add(time.Minute), Targets: ts}
}

func TestSyntheticMetrics(t *testing.T) {
	s := NewSynthetic(1)
	ms := s.Metrics()
	var got []string
	for _, m := range ms {
		got = append(got, m.IRI.String())
	}
	require.NotEmpty(t, vocab.Metrics())
	assert.Equal(t, vocab.Metrics(), got)

	units := make(map[string]rdf.IRI)
	for _, m := range ms {
		units[vocab.Short(m.IRI.String())] = m.Unit
	}
	for metric, want := range map[string]rdf.IRI{
		"pm:CpuUsed":                 UnitPercent,
		"pm:CpuSpeed":                UnitMegahertz,
		"pm:RealMemoryUsed":          UnitByte,
		"pm:DiskSpaceUsed":           UnitByte,
		"pm:ResponseTime":            UnitMillisecond,
		"pm:NetworkIOErrors":         UnitPerMinute,
		"pm:QueueDepth":              UnitCount,
		"pm:BufferPoolHits":          UnitPercent,
		"pm:TableSpaceUsed":          UnitByte,
		"pm:HeapMemoryUsed":          UnitByte,
		"pm:RequestFailures":         UnitPerMinute,
		"pm:HostedDatabases":         UnitCount,
		"pm:TimeThreadPoolExhausted": UnitMillisecond,
	} {
		assert.Equal(t, want, units[metric], metric)
	}
	assert.Contains(t, s.Classes(), classComputerSystem)
	assert.Equal(t, "synthetic", s.Name())
}

func TestSyntheticValues(t *testing.T) {
	ctx := context.Background()
	req := syntheticRequest(50)
	a, err := NewSynthetic(7).Collect(ctx, req)
	require.NoError(t, err)
	require.Len(t, a, 50*len(vocab.Metrics()))

	units := make(map[rdf.IRI]rdf.IRI)
	for _, m := range NewSynthetic(7).Metrics() {
		units[m.IRI] = m.Unit
	}
	distinct := make(map[float64]bool)
	for _, s := range a {
		assert.Equal(t, units[s.Metric], s.Unit, "unit of %s", s.Metric)
		assert.False(t, math.IsNaN(s.Value) || math.IsInf(s.Value, 0))
		assert.GreaterOrEqual(t, s.Value, 0.0)
		switch s.Unit {
		case UnitPercent:
			assert.Less(t, s.Value, 100.0)
		case UnitMegahertz:
			assert.InDelta(t, 2800, s.Value, 2000)
		case UnitByte:
			assert.GreaterOrEqual(t, s.Value, float64(1<<26))
			assert.LessOrEqual(t, s.Value, float64(1<<34))
		}
		if s.Metric == metricCPUUsed {
			distinct[s.Value] = true
		}
	}
	assert.Greater(t, len(distinct), 45, "CpuUsed barely varies over resources")

	// Same seed and request, same samples; another seed or period, others.
	b, err := NewSynthetic(7).Collect(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	c, err := NewSynthetic(8).Collect(ctx, req)
	require.NoError(t, err)
	assert.NotEqual(t, a, c)
	later := req
	later.Start, later.End = req.End, req.End.Add(time.Minute)
	d, err := NewSynthetic(7).Collect(ctx, later)
	require.NoError(t, err)
	assert.NotEqual(t, a, d)

	// A resource's values do not depend on the other targets.
	one := req
	one.Targets = req.Targets[3:4]
	e, err := NewSynthetic(7).Collect(ctx, one)
	require.NoError(t, err)
	n := len(vocab.Metrics())
	assert.Equal(t, a[3*n:4*n], e)
}

func TestSyntheticWants(t *testing.T) {
	req := syntheticRequest(3)
	req.Metrics = []rdf.IRI{metricCPUUsed, vocab.IRI(vocab.PM, "NoSuchMetric"), metricDiskSpaceUsed}
	ss, err := NewSynthetic(1).Collect(context.Background(), req)
	require.NoError(t, err)
	require.Len(t, ss, 6)
	for _, s := range ss {
		assert.Contains(t, []rdf.IRI{metricCPUUsed, metricDiskSpaceUsed}, s.Metric)
	}
}

func TestSyntheticFail(t *testing.T) {
	errDown := errors.New("collector down")
	s := NewSynthetic(1)
	calls := 0
	s.Fail = func(req Request) error {
		calls++
		if req.Start.Minute()%2 == 1 {
			return errDown
		}
		return nil
	}
	req := syntheticRequest(2)
	ss, err := s.Collect(context.Background(), req)
	require.NoError(t, err)
	assert.NotEmpty(t, ss)

	req.Start = req.Start.Add(time.Minute)
	ss, err = s.Collect(context.Background(), req)
	assert.ErrorIs(t, err, errDown)
	assert.Empty(t, ss)
	assert.Equal(t, 2, calls)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.Collect(ctx, syntheticRequest(1))
	assert.ErrorIs(t, err, context.Canceled)
}

// TestSyntheticManyTargets: one Collect answers 10,000 targets, each with
// every metric. How fast is BenchmarkSynthetic's business (ns/target).
func TestSyntheticManyTargets(t *testing.T) {
	req := syntheticRequest(10000)
	s := NewSynthetic(1)
	ss, err := s.Collect(context.Background(), req)
	require.NoError(t, err)
	assert.Len(t, ss, 10000*len(vocab.Metrics()))
}

func BenchmarkSynthetic(b *testing.B) {
	req := syntheticRequest(10000)
	s := NewSynthetic(1)
	for b.Loop() {
		if _, err := s.Collect(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(req.Targets)), "ns/target")
}
