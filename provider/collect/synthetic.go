package collect

import (
	"context"
	"math"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// Synthetic is the "synthetic" collector, for tests and benchmarks: it
// offers every pm metric for a resource of any class and makes its values
// up, as a deterministic function of the seed, the resource, the metric
// and the period's start. The same request always gets the same samples.
//
// Units follow the metric's name: MHz for pm:CpuSpeed, percent for other
// Cpu metrics and for pm:BufferPoolHits, pm:LockListUsed and pm:LogUsed,
// bytes for Memory, Disk and TableSpace metrics, milliseconds for response
// and other times, per minute for errors, failures and overflows, and no
// unit for the rest, which are counts.
type Synthetic struct {
	// Fail, when set, is called at the start of every Collect, and a
	// non-nil error it returns is what Collect returns. Tests use it to
	// make a failing collector. Set it before the first Collect, and make
	// it safe for concurrent use.
	Fail func(req Request) error

	seed    uint64
	metrics []synthMetric
}

type synthMetric struct {
	Metric
	hash  uint64
	value func(u float64) float64 // u is in [0, 1)
}

var _ Collector = (*Synthetic)(nil)

// NewSynthetic returns a synthetic collector whose values depend on seed.
func NewSynthetic(seed uint64) *Synthetic {
	s := &Synthetic{seed: seed}
	for _, m := range vocab.Metrics() {
		iri, err := rdf.NewIRI(m)
		if err != nil {
			continue
		}
		unit, value := synthKind(strings.TrimPrefix(m, vocab.PM))
		s.metrics = append(s.metrics, synthMetric{Metric{iri, unit}, fnv64(m), value})
	}
	return s
}

// synthKind returns the unit of the pm metric named local and how its
// values look.
func synthKind(local string) (rdf.IRI, func(float64) float64) {
	has := func(subs ...string) bool {
		for _, sub := range subs {
			if strings.Contains(local, sub) {
				return true
			}
		}
		return false
	}
	switch {
	case local == "CpuSpeed":
		return UnitMegahertz, func(u float64) float64 { return math.Round(800 + 4000*u) }
	case has("Cpu", "BufferPoolHits", "LockListUsed", "LogUsed"):
		return UnitPercent, func(u float64) float64 { return 100 * u }
	case has("Memory", "Disk", "TableSpace"):
		// 64 MiB to 16 GiB, evenly on a log scale.
		return UnitByte, func(u float64) float64 { return math.Round(math.Exp2(26 + 8*u)) }
	case has("Time"):
		// 1 ms to 2 s, evenly on a log scale.
		return UnitMillisecond, func(u float64) float64 { return math.Pow(2000, u) }
	case has("Errors", "Failures", "Overflows"):
		// Mostly few: u² skews towards zero.
		return UnitPerMinute, func(u float64) float64 { return math.Floor(60 * u * u) }
	default:
		return UnitCount, func(u float64) float64 { return math.Floor(100 * u * u) }
	}
}

// Name returns "synthetic".
func (*Synthetic) Name() string { return "synthetic" }

// Metrics returns every pm leaf metric, with the unit Synthetic uses.
func (s *Synthetic) Metrics() []Metric {
	ms := make([]Metric, len(s.metrics))
	for i, m := range s.metrics {
		ms[i] = m.Metric
	}
	return ms
}

// Classes returns crtv:ComputerSystem, SoftwareServer, Process and
// Database; Synthetic measures a target of any class, though.
func (*Synthetic) Classes() []rdf.IRI {
	return []rdf.IRI{classComputerSystem, classSoftwareServer, classProcess, classDatabase}
}

// Collect returns a sample of every wanted metric for every target, unless
// s.Fail fails the request.
func (s *Synthetic) Collect(ctx context.Context, req Request) ([]Sample, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.Fail != nil {
		if err := s.Fail(req); err != nil {
			return nil, err
		}
	}
	var wanted []synthMetric
	for _, m := range s.metrics {
		if req.Wants(m.IRI) {
			wanted = append(wanted, m)
		}
	}
	if len(wanted) == 0 {
		return nil, nil
	}
	period := mix64(s.seed ^ mix64(uint64(req.Start.Unix())^mix64(uint64(req.Start.Nanosecond()))))
	out := make([]Sample, 0, len(req.Targets)*len(wanted))
	for _, t := range req.Targets {
		h := mix64(period ^ fnv64(t.IRI.String()))
		for _, m := range wanted {
			u := float64(mix64(h^m.hash)>>11) / (1 << 53)
			out = append(out, Sample{Resource: t.IRI, Metric: m.IRI, Value: m.value(u), Unit: m.Unit})
		}
	}
	return out, nil
}

// fnv64 is the 64-bit FNV-1a hash of s.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// mix64 is SplitMix64's finalizer: every input bit affects every output
// bit.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
