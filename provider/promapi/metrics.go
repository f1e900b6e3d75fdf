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
