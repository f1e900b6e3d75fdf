package ui

import (
	"context"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/threshold"
	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/vocab"
)

func init() {
	views["thresholds"].form = (*Server).thresholdForm
	views["thresholds"].empty = "No thresholds yet."
	views["thresholds"].createKind, views["thresholds"].createText = "thresholds", "Create a threshold"
}

// thresholdForm is the creation dialog's form of a threshold: the metrics
// the collectors offer that a threshold may watch (numbers, not STRING
// measures), the resources to watch, and the shape's choices of direction
// and severity with its defaults picked.
func (s *Server) thresholdForm(ctx context.Context) ([]formField, error) {
	resources, err := s.resourceOptions(ctx)
	if err != nil {
		return nil, err
	}
	_, offered, granularities := s.jobOptions()
	var metrics []formOption
	for _, m := range offered {
		if i, err := rdf.NewIRI(m.Value); err == nil && threshold.Watchable(i) {
			m.Data = "" // the collectors that offer it: no collector to pick here
			metrics = append(metrics, m)
		}
	}
	for i := range granularities {
		granularities[i].Selected = false
	}
	choices := func(allowed []rdf.IRI, def rdf.IRI) []formOption {
		var out []formOption
		for _, a := range allowed {
			out = append(out, formOption{Value: a.String(), Label: humanize(lastSegment(a.String())), Selected: a == def})
		}
		return out
	}
	dbl := vocab.XSD + "double"
	return []formField{
		{Name: "title", Label: "Title", Pred: vocab.DCTerms + "title", Input: "text", Placeholder: "CPU above 90 %"},
		{Name: "performanceIndicator", Label: "Metric", Pred: vocab.PMJ + "performanceIndicator", Input: "select", Options: metrics},
		{Name: "monitoredObject", Label: "Monitored resources", Pred: vocab.PMJ + "monitoredObject", Input: "select", Multiple: true, Required: true, Options: resources,
			Hint: "The resources whose records it watches; hold Ctrl or ⌘ to pick several."},
		{Name: "thresholdDirection", Label: "Direction", Pred: vocab.PMJ + "thresholdDirection", Input: "select",
			Options: choices(shapes.Directions, vocab.PMJTerm("Rising")), Placeholder: "Rising (the default)"},
		{Name: "thresholdValue", Label: "Value", Pred: vocab.PMJ + "thresholdValue", Input: "number", Datatype: dbl, Step: "any", Placeholder: "90",
			Hint: "Crossed when a record's value reaches it (equality counts)."},
		{Name: "thresholdOffset", Label: "Offset", Pred: vocab.PMJ + "thresholdOffset", Input: "number", Datatype: dbl, Step: "any", Min: "0", Placeholder: "0",
			Hint: "Hysteresis: a rising threshold clears at value − offset, a falling one at value + offset."},
		{Name: "perceivedSeverity", Label: "Severity", Pred: vocab.PMJ + "perceivedSeverity", Input: "select",
			Options: choices(shapes.Severities, vocab.PMJTerm("Major")), Placeholder: "Major (the default)"},
		{Name: "granularity", Label: "Granularity", Pred: vocab.PMJ + "granularity", Input: "select", Datatype: vocab.XSD + "duration", Options: granularities,
			Placeholder: "Every record", Hint: "Watch only records of periods this long."},
		{Name: "description", Label: "Description", Pred: vocab.DCTerms + "description", Input: "textarea"},
	}, nil
}
