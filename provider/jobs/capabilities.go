package jobs

import (
	"slices"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Capabilities describes, as the resource id, what the engine supports:
// the granularity periods, the scheduling horizon, and each collector
// with its metrics and monitored-resource classes.
func (e *Engine) Capabilities(id rdf.IRI) []rdf.Triple {
	dur := vocab.XSDDuration
	g := []rdf.Triple{
		{Subj: id, Pred: vocab.RDFType, Obj: vocab.PMJCapabilities},
		{Subj: id, Pred: vocab.DCTitle, Obj: rdf.NewTypedLiteral("Measurement job capabilities", vocab.RDFXMLLiteral)},
		{Subj: id, Pred: vocab.PMJTerm("schedulingHorizon"), Obj: rdf.NewTypedLiteral(vocab.FormatDuration(e.horizon), dur)},
	}
	for _, d := range e.granularities() {
		g = append(g, rdf.Triple{Subj: id, Pred: vocab.PMJTerm("supportedGranularity"), Obj: rdf.NewTypedLiteral(vocab.FormatDuration(d), dur)})
	}
	keys := make([]string, 0, len(e.collectors))
	for k := range e.collectors {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c := e.collectors[k]
		ci := vocab.IRI(k, "")
		g = append(g,
			rdf.Triple{Subj: id, Pred: vocab.PMJTerm("supportedCollector"), Obj: ci},
			rdf.Triple{Subj: ci, Pred: vocab.RDFType, Obj: vocab.PMJCollector},
			rdf.Triple{Subj: ci, Pred: vocab.DCTitle, Obj: rdf.NewTypedLiteral(c.Name(), vocab.RDFXMLLiteral)},
		)
		ms := c.Metrics()
		slices.SortFunc(ms, func(a, b collect.Metric) int { return strings.Compare(a.IRI.String(), b.IRI.String()) })
		for _, m := range ms {
			g = append(g, rdf.Triple{Subj: ci, Pred: vocab.PMJTerm("supportedMetric"), Obj: m.IRI})
		}
		for _, cl := range c.Classes() {
			g = append(g, rdf.Triple{Subj: ci, Pred: vocab.PMJTerm("supportedClass"), Obj: cl})
		}
	}
	return g
}
