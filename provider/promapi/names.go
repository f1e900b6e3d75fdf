package promapi

import (
	"sort"
	"strings"
	"unicode"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// The labels of every series, besides the metric name (__name__). Their
// values are IRIs, written out in full so that they are unambiguous.
const (
	LabelResource = "resource"       // dcterms:isPartOf of the record: the monitored resource
	LabelClass    = "resource_class" // the monitored resource's most specific rdf:type
	LabelJob      = "job"            // pmj:producedBy of the record: the measurement job
	LabelUnit     = "unit"           // ems:unitOfMeasure of the measure
)

// labelNames are the label names series may have, sorted.
var labelNames = []string{"__name__", LabelJob, LabelResource, LabelClass, LabelUnit}

// prefixes name the namespaces of metrics in metric names.
var prefixes = []struct{ ns, name string }{
	{vocab.PM, "pm"},
	{vocab.PMJ, "pmj"},
	{vocab.EMS, "ems"},
}

// MetricName returns the Prometheus metric name of a metric IRI: the
// namespace's prefix and the local name in snake case (pm:CpuUsed is
// pm_cpu_used), and false for an IRI outside the known namespaces.
func MetricName(metric rdf.IRI) (string, bool) {
	s := metric.String()
	for _, p := range prefixes {
		if local, ok := strings.CutPrefix(s, p.ns); ok && local != "" {
			return p.name + "_" + snake(local), true
		}
	}
	return "", false
}

// snake writes a CamelCase name in snake case; a run of capitals is one
// word (NetworkIOErrors is network_io_errors).
func snake(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) && i > 0 {
			prevLower := unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if prevLower || (unicode.IsUpper(rs[i-1]) && nextLower) {
				b.WriteByte('_')
			}
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// A catalogue maps metric names to the metric IRIs they name, both ways.
type catalogue struct {
	byName map[string]rdf.IRI
	names  []string // sorted
}

// newCatalogue names metrics; IRIs outside the known namespaces, and a
// second IRI of a name already taken, are left out.
func newCatalogue(metrics []rdf.IRI) *catalogue {
	c := &catalogue{byName: make(map[string]rdf.IRI)}
	for _, m := range metrics {
		n, ok := MetricName(m)
		if !ok {
			continue
		}
		if _, dup := c.byName[n]; dup {
			continue
		}
		c.byName[n] = m
		c.names = append(c.names, n)
	}
	sort.Strings(c.names)
	return c
}
