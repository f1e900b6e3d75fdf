package threshold

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/store"
)

// BenchmarkEvaluate measures the evaluation of one record, of the 10,000
// resources 10,000 thresholds watch (one each), without the write: what a
// batch of records costs the job engine's writer before it commits.
// "uncovered" is a record no threshold watches.
func BenchmarkEvaluate(b *testing.B) {
	const n = 10000
	e := New(Config{Base: base, Now: (&clock{t0}).now})
	res := make([]rdf.IRI, n)
	for i := range res {
		res[i] = mustIRI(fmt.Sprintf("%s/oslc/resources/r%05d", base, i))
		id := mustIRI(fmt.Sprintf("%s/oslc/thresholds/t%05d", base, i))
		th, err := Parse(id, thresholdGraph(id, 90, 10, RisingIRI, res[i]))
		if err != nil {
			b.Fatal(err)
		}
		e.defs[id] = th
	}
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		about func(i int) rdf.IRI
	}{
		{"covered", func(i int) rdf.IRI { return res[i%n] }},
		{"uncovered", func(i int) rdf.IRI { return mustIRI(base + "/oslc/resources/other") }},
	} {
		b.Run(c.name, func(b *testing.B) {
			// Records of 0..99 %: about one in ten crosses either way.
			recs := make([]store.Resource, 1000)
			for i := range recs {
				recs[i] = recordGraph(i, c.about(i), t0.Add(time.Duration(i)*time.Second), float64((i*37)%100))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += len(recs) {
				e.mu.Lock()
				e.keep(e.evaluate(ctx, recs))
				e.mu.Unlock()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/record")
		})
	}
}
