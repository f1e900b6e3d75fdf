package collect

import (
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
)

func TestAggregate(t *testing.T) {
	r1, r2 := iri("http://example.org/r/1"), iri("http://example.org/r/2")
	cpu, mem := metricCPUUsed, metricRealMemoryUsed
	s := func(r, m rdf.IRI, v float64, u rdf.IRI, n int) Sample {
		return Sample{Resource: r, Metric: m, Value: v, Unit: u, Count: n}
	}
	for _, tc := range []struct {
		name string
		in   []Sample
		want []Sample
	}{
		{"empty", nil, nil},
		{"one", []Sample{s(r1, cpu, 5, UnitPercent, 0)}, []Sample{s(r1, cpu, 5, UnitPercent, 1)}},
		{"mean", []Sample{
			s(r1, cpu, 10, UnitPercent, 0),
			s(r1, cpu, 20, UnitPercent, 1),
			s(r1, cpu, 60, UnitPercent, 0),
		}, []Sample{s(r1, cpu, 30, UnitPercent, 3)}},
		{"weighted by count", []Sample{
			s(r1, cpu, 10, UnitPercent, 3),
			s(r1, cpu, 50, UnitPercent, 0),
		}, []Sample{s(r1, cpu, 20, UnitPercent, 4)}},
		{"negative count is one", []Sample{
			s(r1, cpu, 10, UnitPercent, -4),
			s(r1, cpu, 20, UnitPercent, 1),
		}, []Sample{s(r1, cpu, 15, UnitPercent, 2)}},
		{"sorted by resource then metric", []Sample{
			s(r2, cpu, 1, UnitPercent, 0),
			s(r1, mem, 100, UnitByte, 0),
			s(r1, cpu, 2, UnitPercent, 0),
			s(r2, cpu, 3, UnitPercent, 0),
			s(r1, mem, 300, UnitByte, 0),
		}, []Sample{
			s(r1, cpu, 2, UnitPercent, 1),
			s(r1, mem, 200, UnitByte, 2),
			s(r2, cpu, 2, UnitPercent, 2),
		}},
		{"units kept apart", []Sample{
			s(r1, mem, 0.5, UnitCount, 0),
			s(r1, mem, 2048, UnitByte, 0),
			s(r1, mem, 1024, UnitByte, 0),
		}, []Sample{
			s(r1, mem, 0.5, UnitCount, 1),
			s(r1, mem, 1536, UnitByte, 2),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]Sample(nil), tc.in...)
			got := Aggregate(tc.in)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, in, tc.in, "input modified")
		})
	}
}

func TestAggregateOrderIndependent(t *testing.T) {
	r1, r2 := iri("http://example.org/r/1"), iri("http://example.org/r/2")
	in := []Sample{
		{Resource: r2, Metric: metricCPUUsed, Value: 1, Unit: UnitPercent},
		{Resource: r1, Metric: metricCPUUsed, Value: 3, Unit: UnitPercent},
		{Resource: r2, Metric: metricCPUUsed, Value: 5, Unit: UnitPercent},
	}
	rev := []Sample{in[2], in[1], in[0]}
	assert.Equal(t, Aggregate(in), Aggregate(rev))
}
