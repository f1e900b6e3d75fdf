package promapi

import (
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/vocab"
)

// DefaultMetrics returns the metrics of the pm vocabulary and those the
// collectors add (pmj:HttpStatusCode).
func DefaultMetrics() []rdf.IRI {
	var out []rdf.IRI
	for _, m := range vocab.Metrics() {
		out = append(out, vocab.IRI(m, ""))
	}
	return append(out, collect.MetricHTTPStatus)
}

// DefaultUnits returns the unit each metric is reported in by the
// collectors (host, http, synthetic), the first one's where they differ.
func DefaultUnits() map[rdf.IRI]rdf.IRI {
	out := map[rdf.IRI]rdf.IRI{}
	for _, ms := range [][]collect.Metric{collect.NewHost().Metrics(), collect.NewHTTP().Metrics(), collect.NewSynthetic(0).Metrics()} {
		for _, m := range ms {
			if _, ok := out[m.IRI]; !ok {
				out[m.IRI] = m.Unit
			}
		}
	}
	return out
}
