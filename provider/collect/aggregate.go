package collect

import (
	"cmp"
	"slices"

	"github.com/knakk/rdf"
)

// Aggregate reduces the samples pushed during a period to one per
// resource, metric and unit: their mean, with Count the number of
// observations behind it. A sample's Count weighs its value (a value that
// is already the mean of n observations counts n times), and a Count of 0
// or less counts as 1. The output is sorted by resource, metric and unit
// IRI; the input is not modified.
//
// Values in different units are never averaged together: a metric pushed
// in two units for one resource gives two samples, one per unit.
func Aggregate(samples []Sample) []Sample {
	if len(samples) == 0 {
		return nil
	}
	type key struct {
		res, metric, unit rdf.IRI
	}
	type acc struct {
		sum float64
		n   int
	}
	groups := make(map[key]*acc)
	var keys []key
	for _, s := range samples {
		k := key{s.Resource, s.Metric, s.Unit}
		a := groups[k]
		if a == nil {
			a = new(acc)
			groups[k] = a
			keys = append(keys, k)
		}
		n := max(s.Count, 1)
		a.sum += s.Value * float64(n)
		a.n += n
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(
			cmp.Compare(a.res.String(), b.res.String()),
			cmp.Compare(a.metric.String(), b.metric.String()),
			cmp.Compare(a.unit.String(), b.unit.String()),
		)
	})
	out := make([]Sample, len(keys))
	for i, k := range keys {
		a := groups[k]
		out[i] = Sample{Resource: k.res, Metric: k.metric, Value: a.sum / float64(a.n), Unit: k.unit, Count: a.n}
	}
	return out
}
